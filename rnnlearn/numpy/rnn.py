"""The vanilla (Elman) tanh RNN: one step, a whole sequence, and their backward passes.

Parameters are laid out exactly like ``torch.nn.RNNCell(D, H).named_parameters()``:
``weight_ih`` (H, D), ``weight_hh`` (H, H), ``bias_ih`` (H,), ``bias_hh`` (H,).
"""

from typing import NamedTuple

import numpy as np

from ._validate import Sizes, check_array, check_cache, check_optional, check_params, time_major_hint


def rnn_param_spec():
    """Expected ``params`` shapes: PyTorch's ``RNNCell`` names, in shape letters."""
    return {"weight_ih": ("H", "D"), "weight_hh": ("H", "H"),
            "bias_ih": ("H",), "bias_hh": ("H",)}


class RNNStepCache(NamedTuple):
    """What ``rnn_step_backward`` needs: the step's inputs, output and parameters.

    Fields: ``x`` (N, D), ``h_prev`` (N, H), ``h_next`` (N, H), ``params`` (the dict
    passed to the forward, not copied).
    """
    x: np.ndarray
    h_prev: np.ndarray
    h_next: np.ndarray
    params: dict


class RNNCache(NamedTuple):
    """What ``rnn_backward`` needs: ``steps``, one :class:`RNNStepCache` per t."""
    steps: tuple


def rnn_step_forward(x, h_prev, params):
    r"""One step of a tanh RNN.

    .. math:: h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    Parameters
    ----------
    x : ndarray
        Input at this step.
    h_prev : ndarray
        Hidden state :math:`h_{t-1}`.
    params : dict
        ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` (``torch.nn.RNNCell``).

    Returns
    -------
    h_next : ndarray
        :math:`h_t`.
    cache : RNNStepCache
        Fields ``x, h_prev, h_next, params``.

    Shapes
    ------
    x: (N, D); h_prev: (N, H); weight_ih: (H, D); weight_hh: (H, H);
    bias_ih, bias_hh: (H,); h_next: (N, H).
    """
    fn, sizes = "rnn_step_forward", Sizes()
    check_array(fn, "x", x, ("N", "D"), sizes)
    check_array(fn, "h_prev", h_prev, ("N", "H"), sizes)
    check_params(fn, params, rnn_param_spec(), sizes)
    p = params
    # a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    a = x @ p["weight_ih"].T + p["bias_ih"] + h_prev @ p["weight_hh"].T + p["bias_hh"]  # (N, H)
    # h_t = tanh(a_t)
    h_next = np.tanh(a)  # (N, H)
    return h_next, RNNStepCache(x, h_prev, h_next, params)


def rnn_step_backward(dh_next, cache):
    r"""Backward pass of :func:`rnn_step_forward`.

    With :math:`da = dh_t \odot (1 - h_t^2)` (since :math:`\tanh' = 1 - \tanh^2`):
    :math:`dx = da\, W_{ih}`, :math:`dh_{t-1} = da\, W_{hh}`,
    :math:`dW_{ih} = da^\top x`, :math:`dW_{hh} = da^\top h_{t-1}`,
    :math:`db_{ih} = db_{hh} = \sum_n da`.

    Parameters
    ----------
    dh_next : ndarray
        Upstream gradient :math:`\partial L / \partial h_t`.
    cache : RNNStepCache
        From :func:`rnn_step_forward`; the only other thing read.

    Returns
    -------
    dx : ndarray
    dh_prev : ndarray
    grads : dict
        Same keys and shapes as ``params``.

    Shapes
    ------
    dh_next: (N, H); dx: (N, D); dh_prev: (N, H); grads: as params.
    """
    fn = "rnn_step_backward"
    check_cache(fn, cache, RNNStepCache)
    N, H = cache.h_next.shape
    check_array(fn, "dh_next", dh_next, ("N", "H"), Sizes.from_cache(N=N, H=H))
    x, h_prev, h_next, p = cache.x, cache.h_prev, cache.h_next, cache.params
    # da = dh_t * (1 - h_t^2)
    da = dh_next * (1.0 - h_next ** 2)  # (N, H)
    dx = da @ p["weight_ih"]  # (N, D)
    dh_prev = da @ p["weight_hh"]  # (N, H)
    grads = {
        "weight_ih": da.T @ x,  # (H, D)
        "weight_hh": da.T @ h_prev,  # (H, H)
        "bias_ih": da.sum(axis=0),  # (H,)
        "bias_hh": da.sum(axis=0),  # (H,)
    }
    return dx, dh_prev, grads


def rnn_forward(x, h0, params):
    r"""Run a tanh RNN over a whole batch-first sequence.

    .. math:: h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}),
              \quad t = 1, \dots, T

    Parameters
    ----------
    x : ndarray
        Inputs, batch first.
    h0 : ndarray
        Initial hidden state.
    params : dict
        As for :func:`rnn_step_forward`.

    Returns
    -------
    h_seq : ndarray
        All hidden states :math:`h_1 \dots h_T`.
    h_T : ndarray
        The last one (``h_seq[:, -1]``).
    cache : RNNCache
        ``cache.steps[t]`` is the :class:`RNNStepCache` of step t.

    Shapes
    ------
    x: (N, T, D); h0: (N, H); h_seq: (N, T, H); h_T: (N, H).
    """
    fn, sizes = "rnn_forward", Sizes()
    check_array(fn, "x", x, ("N", "T", "D"), sizes)
    check_array(fn, "h0", h0, ("N", "H"), sizes, hint=time_major_hint(x, h0))
    check_params(fn, params, rnn_param_spec(), sizes)
    h, hs, steps = h0, [], []
    for t in range(x.shape[1]):
        h, step = rnn_step_forward(x[:, t], h, params)  # (N, H)
        hs.append(h)
        steps.append(step)
    h_seq = np.stack(hs, axis=1)  # (N, T, H)
    return h_seq, h, RNNCache(tuple(steps))


def rnn_backward(dh_seq, cache, dh_T=None):
    r"""Backpropagation through time for :func:`rnn_forward`.

    ``dh_seq[:, t]`` is :math:`\partial \ell_t / \partial h_t` from the per-step losses
    only; the gradient that flows from :math:`h_{t+1}` back into :math:`h_t` is added
    here. ``dh_T`` (optional) is an extra gradient on the final state (e.g. from a
    decoder that starts from it). Parameter gradients are summed over time.

    Parameters
    ----------
    dh_seq : ndarray
    cache : RNNCache
        From :func:`rnn_forward`.
    dh_T : ndarray or None

    Returns
    -------
    dx : ndarray
    dh0 : ndarray
    grads : dict
        Same keys and shapes as ``params``.

    Shapes
    ------
    dh_seq: (N, T, H); dh_T: (N, H); dx: (N, T, D); dh0: (N, H).
    """
    fn = "rnn_backward"
    check_cache(fn, cache, RNNCache)
    N, H = cache.steps[0].h_next.shape
    sizes = Sizes.from_cache(N=N, T=len(cache.steps), H=H)
    check_array(fn, "dh_seq", dh_seq, ("N", "T", "H"), sizes)
    dh = check_optional(fn, "dh_T", dh_T, ("N", "H"), sizes, cache.steps[-1].h_next)
    dxs = [None] * len(cache.steps)
    grads = {k: np.zeros_like(cache.steps[0].params[k]) for k in rnn_param_spec()}
    for t in reversed(range(len(cache.steps))):
        # dL/dh_t = dl_t/dh_t + (gradient from step t+1)
        dxs[t], dh, g = rnn_step_backward(dh_seq[:, t] + dh, cache.steps[t])
        for k in grads:
            grads[k] += g[k]
    return np.stack(dxs, axis=1), dh, grads
