"""Numerically stable sigmoid and softmax.

Both stay finite, with no overflow warning, for inputs as large as +-1e4 (and beyond):
the sigmoid only ever exponentiates ``-|x|``, and the softmax subtracts the row maximum
before exponentiating.
"""

import numpy as np


def sigmoid(x):
    r"""Logistic sigmoid, :math:`\sigma(x) = 1 / (1 + e^{-x})`, computed stably.

    Parameters
    ----------
    x : ndarray
        Any shape, floating dtype.

    Returns
    -------
    ndarray
        Same shape and dtype as ``x``, values in [0, 1].

    Shapes
    ------
    x: any; output: same as x.

    Notes
    -----
    With :math:`e = e^{-|x|}` (never overflows), :math:`\sigma(x) = 1/(1+e)` for
    :math:`x \ge 0` and :math:`e/(1+e)` for :math:`x < 0`.
    """
    # e = exp(-|x|), in (0, 1]: cannot overflow
    e = np.exp(-np.abs(x))  # same shape as x
    # sigma(x) = 1 / (1 + e) if x >= 0 else e / (1 + e)
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(e.dtype, copy=False)


def softmax(x, axis=-1, mask=None):
    r"""Softmax along ``axis``, optionally over the positions where ``mask`` is True.

    :math:`p_j = e^{x_j - m} / \sum_k e^{x_k - m}`, with :math:`m = \max_k x_k` over the
    unmasked positions. Masked positions get probability exactly 0.

    Parameters
    ----------
    x : ndarray
        Scores, floating dtype.
    axis : int
        The axis to normalise over.
    mask : ndarray of bool or None
        Same shape as ``x``; True = keep. Every slice along ``axis`` must keep at least
        one position (the caller checks this; an all-False slice gives NaN here).

    Returns
    -------
    ndarray
        Probabilities, same shape and dtype as ``x``.

    Shapes
    ------
    x: any; mask: same as x; output: same as x.
    """
    if mask is not None:
        # masked scores are -inf, so exp gives exactly 0
        x = np.where(mask, x, -np.inf)
    # m = max_k x_k, subtracted so that exp never overflows
    shifted = x - np.max(x, axis=axis, keepdims=True)  # same shape as x
    e = np.exp(shifted)
    # p_j = e_j / sum_k e_k
    return e / np.sum(e, axis=axis, keepdims=True)
