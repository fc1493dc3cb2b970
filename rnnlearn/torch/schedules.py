"""Teacher-forcing probability schedules for scheduled sampling (Bengio et al. 2015, Sec. 2.4).

At training step i, each target token is fed back to the decoder with probability
``eps_i`` (teacher forcing) and the model's own prediction otherwise. All three schedules
decay from (about) 1 towards their floor, never increasing.

``i`` may be an int (the result is a float) or an array of steps (the result is an array).
They are NumPy functions of the step, kept next to ``seq2seq.py``, whose ``Seq2Seq``
takes one as its ``schedule``; the public name is ``rnnlearn.schedules`` (the same
functions, re-exported).
"""

from __future__ import annotations

import numbers

import numpy as np

from ..errors import input_error


def _steps(func, i):
    steps = np.asarray(i)
    if steps.dtype == bool or not (np.issubdtype(steps.dtype, np.integer)
                                   or np.issubdtype(steps.dtype, np.floating)):
        raise input_error(func, "i", "a training step (int) or an array of steps", repr(i))
    if np.isnan(steps).any() or (steps < 0).any():
        raise input_error(func, "i", "steps >= 0", repr(i))
    return steps.astype(np.float64)


def _out(steps, value):
    return float(value) if steps.ndim == 0 else value


def _number(func, name, value, ok, expected):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not ok(value):
        raise input_error(func, name, expected, repr(value))
    return float(value)


def linear_decay(i, *, k=1.0, c, eps=0.0):
    """Linear decay: eps_i = max(eps, k - c * i).

    Parameters
    ----------
    i : int or array_like
        Training step(s), >= 0.
    k : float
        Offset: the probability at step 0, in (0, 1].
    c : float
        Slope, >= 0: the probability falls by ``c`` per step.
    eps : float
        Floor, 0 <= eps < 1: some teacher forcing is always kept.

    Returns
    -------
    float or ndarray
        Probability of feeding the ground-truth token.

    Shapes
    ------
    i scalar -> float; i (M,) -> (M,).
    """
    steps = _steps("linear_decay", i)
    k = _number("linear_decay", "k", k, lambda v: 0 < v <= 1, "in (0, 1]")
    c = _number("linear_decay", "c", c, lambda v: v >= 0, ">= 0")
    eps = _number("linear_decay", "eps", eps, lambda v: 0 <= v < 1, "in [0, 1)")
    # eps_i = max(eps, k - c i)
    return _out(steps, np.maximum(eps, k - c * steps))


def exponential_decay(i, *, k):
    """Exponential decay: eps_i = k ** i, with 0 < k < 1.

    Parameters
    ----------
    i : int or array_like
        Training step(s), >= 0.
    k : float
        Decay per step, 0 < k < 1 (k = 0.99 gives 0.366 at i = 100).

    Returns
    -------
    float or ndarray

    Shapes
    ------
    i scalar -> float; i (M,) -> (M,).
    """
    steps = _steps("exponential_decay", i)
    k = _number("exponential_decay", "k", k, lambda v: 0 < v < 1, "in (0, 1)")
    # eps_i = k^i
    return _out(steps, np.power(k, steps))


def inverse_sigmoid_decay(i, *, k):
    """Inverse sigmoid decay: eps_i = k / (k + exp(i / k)), with k >= 1.

    Starts at k / (k + 1), falls through 1/2 at i = k ln k and tends to 0. It is computed
    as sigmoid(ln k - i / k), the same number without overflow for large i.

    Parameters
    ----------
    i : int or array_like
        Training step(s), >= 0.
    k : float
        Speed of the decay, k >= 1 (larger k: slower decay).

    Returns
    -------
    float or ndarray

    Shapes
    ------
    i scalar -> float; i (M,) -> (M,).
    """
    steps = _steps("inverse_sigmoid_decay", i)
    k = _number("inverse_sigmoid_decay", "k", k, lambda v: v >= 1, ">= 1")
    # eps_i = k / (k + exp(i/k)) = sigmoid(z),  z = ln k - i/k
    z = np.log(k) - steps / k
    # sigmoid(z) = 1 / (1 + e^{-z}) for z >= 0,  e^{z} / (1 + e^{z}) for z < 0: no overflow
    e = np.exp(-np.abs(z))
    return _out(steps, np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))
