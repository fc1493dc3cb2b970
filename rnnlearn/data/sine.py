"""Noisy sine waves for one-step-ahead forecasting."""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import input_error
from ._checks import check_int


def noisy_sine(n, T, *, noise=0.1, min_period=10.0, max_period=40.0, seed):
    """Sine waves with random period, phase and amplitude, plus Gaussian noise.

    Each series is

        s_t = a * sin(2 * pi * t / P + phi) + noise * e_t,    e_t ~ N(0, 1)

    with P ~ U(min_period, max_period), phi ~ U(0, 2 pi), a ~ U(0.5, 1.5). The input is
    ``s_0 .. s_{T-1}`` and the target the next value ``s_1 .. s_T``, so ``y[:, t] == x[:, t + 1]``.
    The noise sets a floor: no forecaster beats an MSE of ``noise ** 2`` on average.

    Parameters
    ----------
    n : int
        Number of series.
    T : int
        Steps per series, T >= 1.
    noise : float
        Standard deviation of the noise, >= 0.
    min_period, max_period : float
        Range of the period in steps, 0 < min_period <= max_period.
    seed : int, sequence of ints or numpy.random.Generator

    Returns
    -------
    x, y : ndarray of float32, shape (n, T, 1)

    Shapes
    ------
    x (N, T, 1), y (N, T, 1).
    """
    n = check_int("noisy_sine", "n", n, minimum=1)
    T = check_int("noisy_sine", "T", T, minimum=1)
    for name, value in (("noise", noise), ("min_period", min_period), ("max_period", max_period)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
            raise input_error("noisy_sine", name, "a non-negative number", repr(value))
    if not 0 < min_period <= max_period:
        raise input_error("noisy_sine", ("min_period", "max_period"), "0 < min_period <= max_period",
                          f"min_period={min_period}, max_period={max_period}")
    rng = np.random.default_rng(seed)
    period = rng.uniform(min_period, max_period, size=(n, 1))  # (N, 1)
    phase = rng.uniform(0.0, 2 * np.pi, size=(n, 1))           # (N, 1)
    amplitude = rng.uniform(0.5, 1.5, size=(n, 1))             # (N, 1)
    t = np.arange(T + 1)                                       # (T+1,)
    # s_t = a sin(2 pi t / P + phi) + noise e_t
    s = amplitude * np.sin(2 * np.pi * t / period + phase)     # (N, T+1)
    s = s + noise * rng.standard_normal(s.shape)               # (N, T+1)
    s = s.astype(np.float32)[..., None]                        # (N, T+1, 1)
    return s[:, :-1].copy(), s[:, 1:].copy()
