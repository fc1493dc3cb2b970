"""The GRU in PyTorch's convention: one step, a whole sequence, and backward passes.

Parameters are laid out exactly like ``torch.nn.GRUCell(D, H).named_parameters()``:
``weight_ih`` (3H, D), ``weight_hh`` (3H, H), ``bias_ih`` (3H,), ``bias_hh`` (3H,),
with row blocks in the order r, z, n. As in PyTorch (and cuDNN), the reset gate
multiplies ``W_hn h + b_hn``, *after* the matrix product, and z keeps the old state.
"""

from typing import NamedTuple

import numpy as np

from ._validate import Sizes, check_array, check_cache, check_optional, check_params, time_major_hint
from .activations import sigmoid


def gru_param_spec():
    """Expected ``params`` shapes: PyTorch's ``GRUCell`` names, in shape letters."""
    return {"weight_ih": ("3H", "D"), "weight_hh": ("3H", "H"),
            "bias_ih": ("3H",), "bias_hh": ("3H",)}


class GRUStepCache(NamedTuple):
    """What ``gru_step_backward`` needs.

    Fields: ``x`` (N, D), ``h_prev``, the gates ``r, z``, the candidate ``n``,
    ``hn_lin`` (= W_hn h_prev + b_hn), ``h_next`` (all (N, H)), and ``params`` (the
    dict passed to the forward, not copied).
    """
    x: np.ndarray
    h_prev: np.ndarray
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    hn_lin: np.ndarray
    h_next: np.ndarray
    params: dict


class GRUCache(NamedTuple):
    """What ``gru_backward`` needs: ``steps``, one :class:`GRUStepCache` per t."""
    steps: tuple


def gru_step_forward(x, h_prev, params):
    r"""One step of a GRU (PyTorch's ``GRUCell``).

    .. math::
        r &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
        z &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
        n &= \tanh(W_{in} x_t + b_{in} + r \odot (W_{hn} h_{t-1} + b_{hn})) \\
        h_t &= (1 - z) \odot n + z \odot h_{t-1}

    Parameters
    ----------
    x : ndarray
        Input at this step.
    h_prev : ndarray
        Hidden state :math:`h_{t-1}`.
    params : dict
        ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` (``torch.nn.GRUCell``),
        row blocks r, z, n.

    Returns
    -------
    h_next : ndarray
        :math:`h_t`.
    cache : GRUStepCache
        Fields ``x, h_prev, r, z, n, hn_lin, h_next, params``.

    Shapes
    ------
    x: (N, D); h_prev, h_next: (N, H); weight_ih: (3H, D); weight_hh: (3H, H);
    bias_ih, bias_hh: (3H,).
    """
    fn, sizes = "gru_step_forward", Sizes()
    check_array(fn, "x", x, ("N", "D"), sizes)
    check_array(fn, "h_prev", h_prev, ("N", "H"), sizes)
    check_params(fn, params, gru_param_spec(), sizes)
    p = params
    gi_r, gi_z, gi_n = np.split(x @ p["weight_ih"].T + p["bias_ih"], 3, axis=1)  # (N, H) each
    gh_r, gh_z, hn_lin = np.split(h_prev @ p["weight_hh"].T + p["bias_hh"], 3, axis=1)
    # r = sigma(W_ir x + b_ir + W_hr h + b_hr)
    r = sigmoid(gi_r + gh_r)  # (N, H)
    # z = sigma(W_iz x + b_iz + W_hz h + b_hz)
    z = sigmoid(gi_z + gh_z)  # (N, H)
    # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    n = np.tanh(gi_n + r * hn_lin)  # (N, H)
    # h_t = (1 - z) * n + z * h_{t-1}
    h_next = (1.0 - z) * n + z * h_prev  # (N, H)
    return h_next, GRUStepCache(x, h_prev, r, z, n, hn_lin, h_next, params)


def gru_step_backward(dh_next, cache):
    r"""Backward pass of :func:`gru_step_forward`.

    .. math::
        dn &= dh_t \odot (1 - z), \quad dz = dh_t \odot (h_{t-1} - n) \\
        da_n &= dn \odot (1 - n^2), \quad dr = da_n \odot (W_{hn} h_{t-1} + b_{hn}) \\
        da_r &= dr \odot r(1-r), \quad da_z = dz \odot z(1-z)

    The input side gets :math:`[da_r, da_z, da_n]`, the hidden side
    :math:`[da_r, da_z, da_n \odot r]` (the reset gate sits between ``W_hn h + b_hn``
    and the tanh), and :math:`dh_{t-1} = dh_t \odot z + [\dots] W_{hh}`.

    Parameters
    ----------
    dh_next : ndarray
        Upstream gradient :math:`\partial L / \partial h_t`.
    cache : GRUStepCache
        From :func:`gru_step_forward`; the only other thing read.

    Returns
    -------
    dx, dh_prev : ndarray
    grads : dict
        Same keys and shapes as ``params``.

    Shapes
    ------
    dh_next, dh_prev: (N, H); dx: (N, D); grads: as params.
    """
    fn = "gru_step_backward"
    check_cache(fn, cache, GRUStepCache)
    N, H = cache.h_next.shape
    check_array(fn, "dh_next", dh_next, ("N", "H"), Sizes.from_cache(N=N, H=H))
    r, z, n, p = cache.r, cache.z, cache.n, cache.params
    # h_t = (1 - z) * n + z * h_{t-1}
    dn = dh_next * (1.0 - z)  # (N, H)
    dz = dh_next * (cache.h_prev - n)  # (N, H)
    # n = tanh(a_n), a_n = gi_n + r * hn_lin
    da_n = dn * (1.0 - n ** 2)  # (N, H)
    dr = da_n * cache.hn_lin  # (N, H)
    dhn_lin = da_n * r  # (N, H)
    # sigma' = sigma (1 - sigma)
    da_r, da_z = dr * r * (1.0 - r), dz * z * (1.0 - z)  # (N, H) each
    dgi = np.concatenate([da_r, da_z, da_n], axis=1)  # (N, 3H)
    dgh = np.concatenate([da_r, da_z, dhn_lin], axis=1)  # (N, 3H)
    dx = dgi @ p["weight_ih"]  # (N, D)
    dh_prev = dh_next * z + dgh @ p["weight_hh"]  # (N, H)
    grads = {
        "weight_ih": dgi.T @ cache.x,  # (3H, D)
        "weight_hh": dgh.T @ cache.h_prev,  # (3H, H)
        "bias_ih": dgi.sum(axis=0),  # (3H,)
        "bias_hh": dgh.sum(axis=0),  # (3H,)
    }
    return dx, dh_prev, grads


def gru_forward(x, h0, params):
    r"""Run a GRU over a whole batch-first sequence (equations of
    :func:`gru_step_forward`, for t = 1, ..., T).

    Parameters
    ----------
    x : ndarray
        Inputs, batch first.
    h0 : ndarray
        Initial hidden state.
    params : dict
        As for :func:`gru_step_forward`.

    Returns
    -------
    h_seq : ndarray
        All hidden states :math:`h_1 \dots h_T`.
    h_T : ndarray
        The last one.
    cache : GRUCache
        ``cache.steps[t]`` is the :class:`GRUStepCache` of step t.

    Shapes
    ------
    x: (N, T, D); h0, h_T: (N, H); h_seq: (N, T, H).
    """
    fn, sizes = "gru_forward", Sizes()
    check_array(fn, "x", x, ("N", "T", "D"), sizes)
    check_array(fn, "h0", h0, ("N", "H"), sizes, hint=time_major_hint(x, h0))
    check_params(fn, params, gru_param_spec(), sizes)
    h, hs, steps = h0, [], []
    for t in range(x.shape[1]):
        h, step = gru_step_forward(x[:, t], h, params)  # (N, H)
        hs.append(h)
        steps.append(step)
    return np.stack(hs, axis=1), h, GRUCache(tuple(steps))


def gru_backward(dh_seq, cache, dh_T=None):
    r"""Backpropagation through time for :func:`gru_forward`.

    ``dh_seq[:, t]`` is :math:`\partial \ell_t / \partial h_t` from the per-step losses
    only; the gradient flowing back from step t+1 is added here. ``dh_T`` (optional) is
    an extra gradient on the final state. Parameter gradients are summed over time.

    Parameters
    ----------
    dh_seq : ndarray
    cache : GRUCache
        From :func:`gru_forward`.
    dh_T : ndarray or None

    Returns
    -------
    dx, dh0 : ndarray
    grads : dict
        Same keys and shapes as ``params``.

    Shapes
    ------
    dh_seq: (N, T, H); dh_T, dh0: (N, H); dx: (N, T, D).
    """
    fn = "gru_backward"
    check_cache(fn, cache, GRUCache)
    last = cache.steps[-1]
    sizes = Sizes.from_cache(N=last.h_next.shape[0], T=len(cache.steps), H=last.h_next.shape[1])
    check_array(fn, "dh_seq", dh_seq, ("N", "T", "H"), sizes)
    dh = check_optional(fn, "dh_T", dh_T, ("N", "H"), sizes, last.h_next)
    dxs = [None] * len(cache.steps)
    grads = {k: np.zeros_like(last.params[k]) for k in gru_param_spec()}
    for t in reversed(range(len(cache.steps))):
        # dL/dh_t = dl_t/dh_t + (gradient from step t+1)
        dxs[t], dh, g = gru_step_backward(dh_seq[:, t] + dh, cache.steps[t])
        for k in grads:
            grads[k] += g[k]
    return np.stack(dxs, axis=1), dh, grads
