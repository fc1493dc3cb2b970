"""Fast single-layer, single-direction recurrences: the RNN's, and the pieces LSTM and GRU share.

Why a ``torch.autograd.Function``: autograd through a Python time loop records a dozen
small ops per step and replays them one by one backward, about 7x slower than
``torch.nn.LSTM`` on CPU. Here forward does

1. the input projection for all T steps in one matrix product ``X W_ih^T + b``;
2. a Python loop over time with a few in-place ops per step (``out=`` buffers);

and backward is the book's hand-written BPTT: a loop over time that only computes the
pre-activation gradients ``da_t`` and passes ``dh`` back through ``W_hh``; then the weight
gradients are one matrix product over all steps: ``dW_ih = sum_t da_t^T x_t = dA^T X``.

Layouts (time first, as inside ``torch.nn.RNN``): x (T, N, D), h0 (N, H),
w_ih (G*H, D), w_hh (G*H, H), biases (G*H,) or None. ``reverse=True`` runs t = T-1 .. 0
(the backward direction of a bidirectional layer); outputs stay at their time positions.
Double backward is not supported (``once_differentiable``); use the autograd reference
path (``fused=False`` on the layers) for that.
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable


def project_inputs(x, w_ih, bias):
    """All input projections in one product: ``X W_ih^T + b``; x (T, N, D) -> (T, N, G*H)."""
    T, N, D = x.shape
    x2 = x.reshape(T * N, D)  # (T*N, D)
    out = x2 @ w_ih.t() if bias is None else torch.addmm(bias, x2, w_ih.t())  # (T*N, G*H)
    return out.view(T, N, -1)


def add_biases(b_ih, b_hh):
    """``b_ih + b_hh``, or None without biases."""
    return None if b_ih is None else b_ih + b_hh


def sum_weight_grads(ctx, da_x, da_h, xs, h_prev, w_ih, first):
    """The weight, bias and input gradients as single products over all steps.

    da_x (T, N, G*H): gradient of the input pre-activation ``x_t W_ih^T + b_ih``;
    da_h (T, N, G*H): gradient of the hidden pre-activation ``h_{t-1} W_hh^T + b_hh``;
    xs (T, N, D) and h_prev (T, N, H) are the inputs of each step, in processing order.
    ``first`` is the index of ``w_ih`` among the Function's inputs (w_hh, b_ih, b_hh follow).
    Returns (dx, dW_ih, dW_hh, db_ih, db_hh), None where no gradient is needed.
    """
    T, N, D = xs.shape
    need = ctx.needs_input_grad
    dax = da_x.reshape(T * N, -1)  # (T*N, G*H)
    dah = da_h.reshape(T * N, -1)  # (T*N, G*H)
    # dX = dA_x W_ih
    dx = (dax @ w_ih).view(T, N, D) if need[0] else None  # (T, N, D)
    if dx is not None and ctx.reverse:
        dx = dx.flip(0)
    # dW_ih = sum_t da_t^T x_t
    dw_ih = dax.t() @ xs.reshape(T * N, D) if need[first] else None  # (G*H, D)
    # dW_hh = sum_t da_t^T h_{t-1}
    dw_hh = dah.t() @ h_prev.reshape(T * N, -1) if need[first + 1] else None  # (G*H, H)
    db_ih = dax.sum(0) if need[first + 2] else None  # (G*H,)
    db_hh = dah.sum(0) if need[first + 3] else None  # (G*H,)
    return dx, dw_ih, dw_hh, db_ih, db_hh


class RNNFunction(torch.autograd.Function):
    """Elman RNN over a whole sequence: ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``.

    Shapes
    ------
    x (T, N, D), h0 (N, H) -> h_seq (T, N, H), h_T (N, H)
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, relu: bool, reverse: bool):
        xs = x.flip(0) if reverse else x  # (T, N, D), in processing order
        T, N, _ = xs.shape
        H = w_hh.shape[1]
        a = project_inputs(xs, w_ih, add_biases(b_ih, b_hh))  # (T, N, H)
        h_all = xs.new_empty(T + 1, N, H)  # h_0 .. h_T
        h_all[0] = h0
        w_hh_t = w_hh.t()  # (H, H)
        act = torch.relu_ if relu else torch.tanh_
        for a_t, h_prev, h_next in zip(a.unbind(0), h_all[:-1].unbind(0), h_all[1:].unbind(0)):
            # h_t = tanh(a_t + W_hh h_{t-1})
            act(torch.addmm(a_t, h_prev, w_hh_t, out=h_next))  # (N, H)
        ctx.save_for_backward(xs, h_all, w_ih, w_hh)
        ctx.relu, ctx.reverse = relu, reverse
        h_seq = h_all[1:]  # (T, N, H)
        return (h_seq.flip(0) if reverse else h_seq), h_all[T]

    @staticmethod
    @once_differentiable
    def backward(ctx, dh_seq, dh_T):
        xs, h_all, w_ih, w_hh = ctx.saved_tensors
        T = xs.shape[0]
        dh_seq = dh_seq.flip(0) if ctx.reverse else dh_seq  # (T, N, H), processing order
        h = h_all[1:]  # (T, N, H)
        # tanh'(a) = 1 - h^2 ; relu'(a) = [h > 0]
        slope = (h > 0).to(h.dtype) if ctx.relu else 1 - h * h  # (T, N, H)
        da = torch.empty_like(h)  # (T, N, H)
        dh_steps = dh_seq.unbind(0)
        dh = dh_steps[T - 1] + dh_T  # (N, H)
        for t in range(T - 1, -1, -1):
            # da_t = dh_t * f'(a_t)
            torch.mul(dh, slope[t], out=da[t])
            # dh_{t-1} = dL_{t-1}/dh_{t-1} + da_t W_hh
            dh = torch.addmm(dh_steps[t - 1], da[t], w_hh) if t > 0 else da[0] @ w_hh  # (N, H)
        dx, dw_ih, dw_hh, db_ih, db_hh = sum_weight_grads(ctx, da, da, xs, h_all[:-1], w_ih, 2)
        return dx, dh, dw_ih, dw_hh, db_ih, db_hh, None, None
