"""The adding problem (Hochreiter & Schmidhuber 1997, in the form of Le et al. 2015)."""

from __future__ import annotations

import numpy as np

from ._checks import check_int


def adding_problem(n, T, *, seed):
    """Sequences of (value, marker) pairs whose target is the sum of the two marked values.

    Channel 0 holds values drawn from U(0, 1). Channel 1 holds exactly one marker (1.0) at
    a uniform position in the first half ``[0, T // 2)`` and one in the second half
    ``[T // 2, T)``; every other marker is 0.0. The target is

        y = x_{p1, 0} + x_{p2, 0}

    so it lies in [0, 2]. The two values are independent U(0, 1), so predicting the mean
    (y = 1) gives a mean squared error of Var(y) = 2 * (1/12) = 1/6: that is the baseline a
    model must beat to show it remembers across the gap.

    Parameters
    ----------
    n : int
        Number of sequences, n >= 1.
    T : int
        Sequence length, T >= 2.
    seed : int, sequence of ints or numpy.random.Generator
        Anything ``numpy.random.default_rng`` accepts. Same seed, same data.

    Returns
    -------
    x : ndarray of float32, shape (n, T, 2)
    y : ndarray of float32, shape (n,)

    Shapes
    ------
    x (N, T, 2), y (N,) with N = n.
    """
    n = check_int("adding_problem", "n", n, minimum=1)
    T = check_int("adding_problem", "T", T, minimum=2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, T))                  # (N, T)
    half = T // 2
    first = rng.integers(0, half, size=n)                        # (N,)
    second = rng.integers(half, T, size=n)                       # (N,)
    rows = np.arange(n)
    markers = np.zeros((n, T))                                   # (N, T)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(np.float32)  # (N, T, 2)
    # y = x_{p1} + x_{p2}, summed from the float32 values the model sees
    y = x[rows, first, 0] + x[rows, second, 0]                   # (N,)
    return x, y.astype(np.float32)
