"""Digit-string tasks for sequence-to-sequence models: copy and reversal.

Sources and targets are plain strings ("3141" -> "1413"), so they read well in the book;
``Vocab`` turns them into token ids and ``pad_batch`` into padded batches with masks.
"""

from __future__ import annotations

import numpy as np

from ..errors import input_error
from ._checks import check_int

DIGITS = "0123456789"


def _digit_strings(func, n, min_len, max_len, n_symbols, seed):
    n = check_int(func, "n", n, minimum=1)
    min_len = check_int(func, "min_len", min_len, minimum=1)
    max_len = check_int(func, "max_len", max_len, minimum=min_len, minimum_from="min_len")
    n_symbols = check_int(func, "n_symbols", n_symbols, minimum=2)
    if n_symbols > len(DIGITS):
        raise input_error(func, "n_symbols", f"an integer from 2 to {len(DIGITS)} (the digits)", repr(n_symbols))
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_len, max_len + 1, size=n)  # (N,)
    return ["".join(DIGITS[k] for k in rng.integers(0, n_symbols, size=L)) for L in lengths]


def copy_task(n, *, min_len=5, max_len=30, n_symbols=10, seed):
    """Random digit strings whose target is the same string.

    Parameters
    ----------
    n : int
        Number of pairs.
    min_len, max_len : int
        Lengths are uniform on ``[min_len, max_len]`` (both included).
    n_symbols : int
        Digits used: ``"0"`` up to ``str(n_symbols - 1)``, at most 10.
    seed : int, sequence of ints or numpy.random.Generator

    Returns
    -------
    sources, targets : list of str
        ``targets[j] == sources[j]``.

    Shapes
    ------
    Two lists of N strings, string j of length S_j in [min_len, max_len].
    """
    sources = _digit_strings("copy_task", n, min_len, max_len, n_symbols, seed)
    return sources, list(sources)


def reversal_task(n, *, min_len=5, max_len=30, n_symbols=10, seed):
    """Random digit strings whose target is the string reversed ("123" -> "321").

    Reversal is the task on which attention helps most visibly: the first target token
    depends on the last source token, the last on the first.

    Parameters
    ----------
    n, min_len, max_len, n_symbols, seed
        As in ``copy_task``.

    Returns
    -------
    sources, targets : list of str
        ``targets[j] == sources[j][::-1]``.

    Shapes
    ------
    Two lists of N strings, string j of length S_j in [min_len, max_len].
    """
    sources = _digit_strings("reversal_task", n, min_len, max_len, n_symbols, seed)
    return sources, [s[::-1] for s in sources]
