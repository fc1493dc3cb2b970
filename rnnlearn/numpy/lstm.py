"""The LSTM: one step, a whole sequence, and their backward passes.

Parameters are laid out exactly like ``torch.nn.LSTMCell(D, H).named_parameters()``:
``weight_ih`` (4H, D), ``weight_hh`` (4H, H), ``bias_ih`` (4H,), ``bias_hh`` (4H,),
with row blocks in the gate order i, f, g, o.
"""

from typing import NamedTuple

import numpy as np

from ._validate import Sizes, check_array, check_cache, check_optional, check_params, time_major_hint
from .activations import sigmoid


def lstm_param_spec():
    """Expected ``params`` shapes: PyTorch's ``LSTMCell`` names, in shape letters."""
    return {"weight_ih": ("4H", "D"), "weight_hh": ("4H", "H"),
            "bias_ih": ("4H",), "bias_hh": ("4H",)}


class LSTMStepCache(NamedTuple):
    """What ``lstm_step_backward`` needs.

    Fields: ``x`` (N, D), ``h_prev``, ``c_prev``, the gates ``i, f, g, o``, ``c_next``,
    ``tanh_c`` (= tanh(c_next)), ``h_next`` (all (N, H)), and ``params`` (the dict
    passed to the forward, not copied).
    """
    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c_next: np.ndarray
    tanh_c: np.ndarray
    h_next: np.ndarray
    params: dict


class LSTMCache(NamedTuple):
    """What ``lstm_backward`` needs: ``steps``, one :class:`LSTMStepCache` per t."""
    steps: tuple


def lstm_step_forward(x, h_prev, c_prev, params):
    r"""One step of an LSTM (PyTorch's ``LSTMCell``).

    .. math::
        a &= W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}
             \quad\text{split into } a_i, a_f, a_g, a_o \\
        i &= \sigma(a_i), \quad f = \sigma(a_f), \quad g = \tanh(a_g),
             \quad o = \sigma(a_o) \\
        c_t &= f \odot c_{t-1} + i \odot g \\
        h_t &= o \odot \tanh(c_t)

    Parameters
    ----------
    x : ndarray
        Input at this step.
    h_prev, c_prev : ndarray
        Hidden and cell state :math:`h_{t-1}, c_{t-1}`.
    params : dict
        ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` (``torch.nn.LSTMCell``),
        row blocks i, f, g, o.

    Returns
    -------
    h_next, c_next : ndarray
        :math:`h_t, c_t`.
    cache : LSTMStepCache
        Fields ``x, h_prev, c_prev, i, f, g, o, c_next, tanh_c, h_next, params``.

    Shapes
    ------
    x: (N, D); h_prev, c_prev, h_next, c_next: (N, H); weight_ih: (4H, D);
    weight_hh: (4H, H); bias_ih, bias_hh: (4H,).
    """
    fn, sizes = "lstm_step_forward", Sizes()
    check_array(fn, "x", x, ("N", "D"), sizes)
    check_array(fn, "h_prev", h_prev, ("N", "H"), sizes)
    check_array(fn, "c_prev", c_prev, ("N", "H"), sizes)
    check_params(fn, params, lstm_param_spec(), sizes)
    p = params
    # a = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    a = x @ p["weight_ih"].T + p["bias_ih"] + h_prev @ p["weight_hh"].T + p["bias_hh"]  # (N, 4H)
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)  # each (N, H)
    # i = sigma(a_i), f = sigma(a_f), g = tanh(a_g), o = sigma(a_o)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)  # each (N, H)
    # c_t = f * c_{t-1} + i * g
    c_next = f * c_prev + i * g  # (N, H)
    tanh_c = np.tanh(c_next)  # (N, H)
    # h_t = o * tanh(c_t)
    h_next = o * tanh_c  # (N, H)
    cache = LSTMStepCache(x, h_prev, c_prev, i, f, g, o, c_next, tanh_c, h_next, params)
    return h_next, c_next, cache


def lstm_step_backward(dh_next, dc_next, cache):
    r"""Backward pass of :func:`lstm_step_forward`.

    .. math::
        dc &= dc_t + dh_t \odot o \odot (1 - \tanh^2 c_t) \\
        do &= dh_t \odot \tanh c_t, \quad df = dc \odot c_{t-1}, \quad
        di = dc \odot g, \quad dg = dc \odot i, \quad dc_{t-1} = dc \odot f \\
        da &= [di\, i(1-i),\; df\, f(1-f),\; dg\, (1-g^2),\; do\, o(1-o)]

    then :math:`dx = da\, W_{ih}`, :math:`dh_{t-1} = da\, W_{hh}`,
    :math:`dW_{ih} = da^\top x`, :math:`dW_{hh} = da^\top h_{t-1}`,
    :math:`db_{ih} = db_{hh} = \sum_n da`.

    Parameters
    ----------
    dh_next, dc_next : ndarray
        Upstream gradients :math:`\partial L/\partial h_t`, :math:`\partial L/\partial c_t`.
    cache : LSTMStepCache
        From :func:`lstm_step_forward`; the only other thing read.

    Returns
    -------
    dx, dh_prev, dc_prev : ndarray
    grads : dict
        Same keys and shapes as ``params``.

    Shapes
    ------
    dh_next, dc_next, dh_prev, dc_prev: (N, H); dx: (N, D); grads: as params.
    """
    fn = "lstm_step_backward"
    check_cache(fn, cache, LSTMStepCache)
    sizes = Sizes.from_cache(N=cache.h_next.shape[0], H=cache.h_next.shape[1])
    check_array(fn, "dh_next", dh_next, ("N", "H"), sizes)
    check_array(fn, "dc_next", dc_next, ("N", "H"), sizes)
    i, f, g, o, p = cache.i, cache.f, cache.g, cache.o, cache.params
    # h_t = o * tanh(c_t), so dc = dc_t + dh_t * o * (1 - tanh^2 c_t)
    dc = dc_next + dh_next * o * (1.0 - cache.tanh_c ** 2)  # (N, H)
    do = dh_next * cache.tanh_c  # (N, H)
    # c_t = f * c_{t-1} + i * g
    df, di, dg = dc * cache.c_prev, dc * g, dc * i  # each (N, H)
    dc_prev = dc * f  # (N, H)
    # sigma' = sigma (1 - sigma), tanh' = 1 - tanh^2; blocks in the order i, f, g, o
    da = np.concatenate([di * i * (1 - i), df * f * (1 - f),
                         dg * (1 - g ** 2), do * o * (1 - o)], axis=1)  # (N, 4H)
    dx = da @ p["weight_ih"]  # (N, D)
    dh_prev = da @ p["weight_hh"]  # (N, H)
    grads = {
        "weight_ih": da.T @ cache.x,  # (4H, D)
        "weight_hh": da.T @ cache.h_prev,  # (4H, H)
        "bias_ih": da.sum(axis=0),  # (4H,)
        "bias_hh": da.sum(axis=0),  # (4H,)
    }
    return dx, dh_prev, dc_prev, grads


def lstm_forward(x, h0, c0, params):
    r"""Run an LSTM over a whole batch-first sequence (equations of
    :func:`lstm_step_forward`, for t = 1, ..., T).

    Parameters
    ----------
    x : ndarray
        Inputs, batch first.
    h0, c0 : ndarray
        Initial hidden and cell state.
    params : dict
        As for :func:`lstm_step_forward`.

    Returns
    -------
    h_seq : ndarray
        All hidden states :math:`h_1 \dots h_T`.
    h_T, c_T : ndarray
        The final hidden and cell state.
    cache : LSTMCache
        ``cache.steps[t]`` is the :class:`LSTMStepCache` of step t.

    Shapes
    ------
    x: (N, T, D); h0, c0, h_T, c_T: (N, H); h_seq: (N, T, H).
    """
    fn, sizes = "lstm_forward", Sizes()
    check_array(fn, "x", x, ("N", "T", "D"), sizes)
    check_array(fn, "h0", h0, ("N", "H"), sizes, hint=time_major_hint(x, h0))
    check_array(fn, "c0", c0, ("N", "H"), sizes, hint=time_major_hint(x, c0))
    check_params(fn, params, lstm_param_spec(), sizes)
    h, c, hs, steps = h0, c0, [], []
    for t in range(x.shape[1]):
        h, c, step = lstm_step_forward(x[:, t], h, c, params)  # (N, H), (N, H)
        hs.append(h)
        steps.append(step)
    return np.stack(hs, axis=1), h, c, LSTMCache(tuple(steps))


def lstm_backward(dh_seq, cache, dh_T=None, dc_T=None):
    r"""Backpropagation through time for :func:`lstm_forward`.

    ``dh_seq[:, t]`` is :math:`\partial \ell_t / \partial h_t` from the per-step losses
    only; the gradients flowing back from step t+1 into :math:`h_t` and :math:`c_t`
    are added here. ``dh_T`` / ``dc_T`` (optional) are extra gradients on the final
    states (e.g. from a decoder that starts from them). Parameter gradients are summed
    over time.

    Parameters
    ----------
    dh_seq : ndarray
    cache : LSTMCache
        From :func:`lstm_forward`.
    dh_T, dc_T : ndarray or None

    Returns
    -------
    dx : ndarray
    dh0, dc0 : ndarray
    grads : dict
        Same keys and shapes as ``params``.

    Shapes
    ------
    dh_seq: (N, T, H); dh_T, dc_T, dh0, dc0: (N, H); dx: (N, T, D).
    """
    fn = "lstm_backward"
    check_cache(fn, cache, LSTMCache)
    last = cache.steps[-1]
    sizes = Sizes.from_cache(N=last.h_next.shape[0], T=len(cache.steps), H=last.h_next.shape[1])
    check_array(fn, "dh_seq", dh_seq, ("N", "T", "H"), sizes)
    dh = check_optional(fn, "dh_T", dh_T, ("N", "H"), sizes, last.h_next)
    dc = check_optional(fn, "dc_T", dc_T, ("N", "H"), sizes, last.c_next)
    dxs = [None] * len(cache.steps)
    grads = {k: np.zeros_like(last.params[k]) for k in lstm_param_spec()}
    for t in reversed(range(len(cache.steps))):
        # dL/dh_t = dl_t/dh_t + (gradient from step t+1); dL/dc_t comes from t+1 only
        dxs[t], dh, dc, g = lstm_step_backward(dh_seq[:, t] + dh, dc, cache.steps[t])
        for k in grads:
            grads[k] += g[k]
    return np.stack(dxs, axis=1), dh, dc, grads
