"""Train/validation splits."""

from __future__ import annotations

import numpy as np

from ..errors import input_error
from ._checks import check_fraction


def _take(a, idx):
    if isinstance(a, (list, tuple)):
        return [a[i] for i in idx]
    return a[idx]


def train_val_split(*arrays, val_fraction=0.1, seed):
    """Shuffle examples once and split them into a training and a validation part.

    All arrays are split with the same permutation, so pairs stay pairs. Use it for
    independent examples (synthetic tasks); for one long text use ``split_text``, which keeps
    the text contiguous.

    Parameters
    ----------
    *arrays : ndarray, tensor or list
        Same length N along the first axis.
    val_fraction : float
        Fraction in (0, 1) that goes to validation (rounded, at least 1 example each side).
    seed : int, sequence of ints or numpy.random.Generator

    Returns
    -------
    train, val : tuple
        ``train[k]`` and ``val[k]`` are the two parts of ``arrays[k]``.

    Shapes
    ------
    (N, ...) -> (N - N_val, ...), (N_val, ...).
    """
    if not arrays:
        raise input_error("train_val_split", "arrays", "at least one array", "none")
    val_fraction = check_fraction("train_val_split", "val_fraction", val_fraction)
    n = len(arrays[0])
    for k, a in enumerate(arrays):
        if len(a) != n:
            raise input_error("train_val_split", f"arrays[{k}]", f"the same length N = {n} along axis 0 "
                              "as the other arrays", f"length {len(a)}", fixed=[("N", n, "argument arrays[0]")])
    if n < 2:
        raise input_error("train_val_split", "arrays", "at least 2 examples", f"N = {n}")
    n_val = min(max(1, round(n * val_fraction)), n - 1)
    perm = np.random.default_rng(seed).permutation(n)
    val_idx, train_idx = perm[:n_val], perm[n_val:]
    return (tuple(_take(a, train_idx) for a in arrays),
            tuple(_take(a, val_idx) for a in arrays))


def split_text(text, val_fraction=0.1):
    """Split a text (or any sequence) into a leading training part and a trailing validation part.

    Contiguous, not shuffled: characters next to each other are not independent, so a
    shuffled split would leak. nanoGPT and char-rnn split this way.

    Shapes
    ------
    length L -> lengths L - L_val and L_val, L_val = round(L * val_fraction).
    """
    val_fraction = check_fraction("split_text", "val_fraction", val_fraction)
    cut = len(text) - round(len(text) * val_fraction)
    return text[:cut], text[cut:]
