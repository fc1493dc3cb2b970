"""Fast LSTM recurrence: one input product, a time loop, hand-written BPTT (see ``_fused.py``).

Forward, gates in torch's order i, f, g, o::

    a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh        (N, 4H)
    i, f, o = sigmoid(a_i, a_f, a_o);  g = tanh(a_g)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

Backward, per step, with dh_t the total gradient reaching h_t and dc the one reaching c_t
from step t+1::

    dc_t  = dc + dh_t * o * (1 - tanh(c_t)^2)
    da_i  = dc_t * g * i (1 - i)          da_f = dc_t * c_{t-1} * f (1 - f)
    da_g  = dc_t * i * (1 - g^2)          da_o = dh_t * tanh(c_t) * o (1 - o)
    dc_{t-1} = dc_t * f                   dh_{t-1} = dL_{t-1}/dh_{t-1} + da_t W_hh

The factors that do not depend on the recurrence (``g * i (1 - i)`` and friends) are
computed for all steps at once before the loop, so the loop does five ops per step.
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable

from ._fused import add_biases, project_inputs, sum_weight_grads


class LSTMFunction(torch.autograd.Function):
    """LSTM over a whole sequence.

    Shapes
    ------
    x (T, N, D), h0 and c0 (N, H), w_ih (4H, D), w_hh (4H, H), biases (4H,) or None
    -> h_seq (T, N, H), h_T (N, H), c_T (N, H)
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse: bool):
        xs = x.flip(0) if reverse else x  # (T, N, D), processing order
        T, N, _ = xs.shape
        H = w_hh.shape[1]
        a = project_inputs(xs, w_ih, add_biases(b_ih, b_hh))  # (T, N, 4H)
        acts = torch.empty_like(a)  # i, f, g, o after their nonlinearities
        h_all = xs.new_empty(T + 1, N, H)  # h_0 .. h_T
        c_all = xs.new_empty(T + 1, N, H)  # c_0 .. c_T
        tanh_c = xs.new_empty(T, N, H)  # tanh(c_1) .. tanh(c_T)
        h_all[0], c_all[0] = h0, c0
        w_hh_t = w_hh.t()  # (H, 4H)
        steps = zip(a.unbind(0), acts.unbind(0), h_all.unbind(0), c_all.unbind(0), tanh_c.unbind(0))
        h_next, c_next = h_all.unbind(0)[1:], c_all.unbind(0)[1:]
        for t, (a_t, s_t, h_prev, c_prev, tc_t) in zip(range(T), steps):
            # a_t = (W_ih x_t + b) + W_hh h_{t-1}
            a_t.addmm_(h_prev, w_hh_t)  # (N, 4H), in place
            torch.sigmoid(a_t, out=s_t)  # i, f, (unused), o
            torch.tanh(a_t[:, 2 * H:3 * H], out=s_t[:, 2 * H:3 * H])  # g
            i, f, g, o = s_t.chunk(4, dim=1)  # 4 x (N, H)
            # c_t = f * c_{t-1} + i * g
            torch.mul(f, c_prev, out=c_next[t]).addcmul_(i, g)  # (N, H)
            # h_t = o * tanh(c_t)
            torch.mul(o, torch.tanh(c_next[t], out=tc_t), out=h_next[t])  # (N, H)
        ctx.save_for_backward(xs, h_all, c_all, tanh_c, acts, w_ih, w_hh)
        ctx.reverse = reverse
        h_seq = h_all[1:]  # (T, N, H)
        return (h_seq.flip(0) if reverse else h_seq), h_all[T], c_all[T]

    @staticmethod
    @once_differentiable
    def backward(ctx, dh_seq, dh_T, dc_T):
        xs, h_all, c_all, tanh_c, acts, w_ih, w_hh = ctx.saved_tensors
        T, N, _ = xs.shape
        H = w_hh.shape[1]
        dh_seq = dh_seq.flip(0) if ctx.reverse else dh_seq  # (T, N, H)
        i, f, g, o = acts.chunk(4, dim=2)  # 4 x (T, N, H)
        # Factors independent of the recurrence, all steps at once.
        k_c = o * (1 - tanh_c * tanh_c)  # dc_t/dh_t            (T, N, H)
        k_o = tanh_c * o * (1 - o)  # da_o/dh_t                 (T, N, H)
        k_ifg = torch.stack((g * i * (1 - i), c_all[:-1] * f * (1 - f), i * (1 - g * g)), dim=2)  # (T, N, 3, H)
        da = xs.new_empty(T, N, 4, H)  # gradient of a_t, gate blocks i, f, g, o
        dh_steps = dh_seq.unbind(0)
        dh = dh_steps[T - 1] + dh_T  # (N, H)
        dc = dc_T  # (N, H)
        for t in range(T - 1, -1, -1):
            # dc_t = dc + dh_t * o * (1 - tanh(c_t)^2)
            dc = torch.addcmul(dc, dh, k_c[t])  # (N, H)
            # (da_i, da_f, da_g) = dc_t * (g i(1-i), c_{t-1} f(1-f), i (1-g^2))
            torch.mul(dc.unsqueeze(1), k_ifg[t], out=da[t, :, :3])  # (N, 3, H)
            # da_o = dh_t * tanh(c_t) * o (1 - o)
            torch.mul(dh, k_o[t], out=da[t, :, 3])  # (N, H)
            # dc_{t-1} = dc_t * f
            dc = dc * f[t]  # (N, H)
            # dh_{t-1} = dL_{t-1}/dh_{t-1} + da_t W_hh
            da_t = da[t].view(N, 4 * H)
            dh = torch.addmm(dh_steps[t - 1], da_t, w_hh) if t > 0 else da_t @ w_hh  # (N, H)
        da = da.view(T, N, 4 * H)
        dx, dw_ih, dw_hh, db_ih, db_hh = sum_weight_grads(ctx, da, da, xs, h_all[:-1], w_ih, 3)
        return dx, dh, dc, dw_ih, dw_hh, db_ih, db_hh, None
