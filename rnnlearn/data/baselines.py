"""Count-based baselines a character model must beat."""

from __future__ import annotations

import numpy as np

from ..errors import input_error, shape_str
from ._checks import check_int


def bigram_cross_entropy(train_ids, val_ids, vocab_size, *, alpha=1.0):
    """Validation cross-entropy (nats per character) of an add-alpha smoothed bigram model.

    The model is fitted on ``train_ids`` and scored on the transitions of ``val_ids``:

        p(b | a) = (count(a, b) + alpha) / (count(a) + alpha * V)
        H = -(1 / (L_val - 1)) * sum_t ln p(val_{t+1} | val_t)

    A recurrent language model that cannot beat this number has learned no more than
    which character tends to follow which. For comparison, the uniform model scores ln V.

    Parameters
    ----------
    train_ids, val_ids : array_like of int, shape (L_train,) and (L_val,)
        Ids in [0, V); L_val >= 2.
    vocab_size : int
        V.
    alpha : float
        Smoothing count added to every bigram, > 0.

    Returns
    -------
    float
        Mean negative log-likelihood in nats per predicted character.

    Shapes
    ------
    train_ids (L_train,), val_ids (L_val,) -> scalar.
    """
    V = check_int("bigram_cross_entropy", "vocab_size", vocab_size, minimum=1)
    if not alpha > 0:
        raise input_error("bigram_cross_entropy", "alpha", "a number > 0", repr(alpha))
    arrays = []
    for name, ids in (("train_ids", train_ids), ("val_ids", val_ids)):
        ids = np.asarray(ids)
        if ids.ndim != 1 or ids.size < 2 or not np.issubdtype(ids.dtype, np.integer):
            raise input_error("bigram_cross_entropy", name, "integer ids of shape (L,) with L >= 2",
                              f"dtype {ids.dtype} and shape {shape_str(ids.shape)}")
        if ids.min() < 0 or ids.max() >= V:
            raise input_error("bigram_cross_entropy", name, f"ids in [0, V) = [0, {V})",
                              f"ids from {ids.min()} to {ids.max()}", fixed=[("V", V, "argument 'vocab_size'")])
        arrays.append(ids)
    train, val = arrays
    counts = np.zeros((V, V))                                                    # (V, V)
    np.add.at(counts, (train[:-1], train[1:]), 1.0)
    # p(b | a) = (count(a, b) + alpha) / (count(a) + alpha V)
    probs = (counts + alpha) / (counts.sum(axis=1, keepdims=True) + alpha * V)  # (V, V)
    # H = -mean_t ln p(val_{t+1} | val_t)
    return float(-np.log(probs[val[:-1], val[1:]]).mean())
