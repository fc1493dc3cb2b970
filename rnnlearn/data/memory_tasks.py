"""Memory tasks on symbol streams: copy-memory (Bai et al. 2018) and delayed recall."""

from __future__ import annotations

import numpy as np

from ._checks import check_int

#: Target value for steps that have no target; ``torch.nn.CrossEntropyLoss`` skips it.
IGNORE_INDEX = -100


def copy_memory(n, T, *, copy_len=10, seed):
    """Remember ``copy_len`` symbols over ``T`` blank steps, then reproduce them.

    The layout of the TCN paper's copy-memory task: symbols are 1..8, 0 is the blank and
    9 the delimiter. The input is ``copy_len`` symbols, ``T - 1`` blanks, then ``copy_len + 1``
    nines (the first is the "now recall" cue). The target is blank everywhere except the
    last ``copy_len`` steps, which hold the symbols. Guessing blanks everywhere gives a
    cross-entropy of ``copy_len * ln 8 / (T + 2 * copy_len)``.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Blank gap, T >= 1.
    copy_len : int
        Number of symbols to remember.
    seed : int, sequence of ints or numpy.random.Generator

    Returns
    -------
    x, y : ndarray of int64, shape (n, T + 2 * copy_len)
        Input symbols and target symbols, 10 classes (0..9).

    Shapes
    ------
    x (N, L), y (N, L) with L = T + 2 * copy_len.
    """
    n = check_int("copy_memory", "n", n, minimum=1)
    T = check_int("copy_memory", "T", T, minimum=1)
    copy_len = check_int("copy_memory", "copy_len", copy_len, minimum=1)
    rng = np.random.default_rng(seed)
    symbols = rng.integers(1, 9, size=(n, copy_len))                        # (N, copy_len)
    x = np.concatenate([symbols, np.zeros((n, T - 1), np.int64),
                        np.full((n, copy_len + 1), 9)], axis=1)             # (N, L)
    y = np.concatenate([np.zeros((n, T + copy_len), np.int64), symbols], axis=1)  # (N, L)
    return x.astype(np.int64), y.astype(np.int64)


def delayed_recall(n, T, *, delay, n_symbols=2, seed):
    """A stream of random symbols; the target at step t is the input at step t - delay.

        y_t = x_{t - d}    for t >= d,      y_t = IGNORE_INDEX (-100) for t < d

    A model needs a memory of exactly ``d`` steps. Trained with truncated BPTT(k, k) it
    learns only when ``k >= d + 1``: the cue must lie inside the chunk that holds the target.
    Feed ``torch.nn.functional.one_hot(x, n_symbols).float()`` (or ``x`` as a float for bits).

    Parameters
    ----------
    n : int
        Number of parallel streams.
    T : int
        Stream length, T > delay.
    delay : int
        The lag d >= 1.
    n_symbols : int
        Alphabet size (2: a bit stream).
    seed : int, sequence of ints or numpy.random.Generator

    Returns
    -------
    x : ndarray of int64, shape (n, T)
        Symbols in ``[0, n_symbols)``.
    y : ndarray of int64, shape (n, T)
        ``y[:, t] == x[:, t - delay]`` for ``t >= delay``, ``IGNORE_INDEX`` before.

    Shapes
    ------
    x (N, T), y (N, T).
    """
    n = check_int("delayed_recall", "n", n, minimum=1)
    delay = check_int("delayed_recall", "delay", delay, minimum=1)
    T = check_int("delayed_recall", "T", T, minimum=delay + 1, minimum_from="delay + 1")
    n_symbols = check_int("delayed_recall", "n_symbols", n_symbols, minimum=2)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, n_symbols, size=(n, T)).astype(np.int64)  # (N, T)
    y = np.full((n, T), IGNORE_INDEX, dtype=np.int64)             # (N, T)
    # y_t = x_{t-d}
    y[:, delay:] = x[:, :-delay]
    return x, y
