"""Fast GRU recurrence: one input product, a time loop, hand-written BPTT (see ``_fused.py``).

Forward, torch's form (reset applied to ``W_hn h + b_hn``), gates r, z, n::

    gx = W_ih x_t + b_ih,  gh = W_hh h_{t-1} + b_hh          (N, 3H) each
    r = sigmoid(gx_r + gh_r);  z = sigmoid(gx_z + gh_z)
    n = tanh(gx_n + r * gh_n)
    h_t = (1 - z) * n + z * h_{t-1}  =  lerp(n, h_{t-1}, z)

Backward, per step, with dh_t the total gradient reaching h_t::

    dn_pre = dh_t * (1 - z) * (1 - n^2)       gradient of gx_n (and of r * gh_n)
    dz_pre = dh_t * (h_{t-1} - n) * z (1 - z)
    dr_pre = dn_pre * gh_n * r (1 - r)
    dgh    = (dr_pre, dz_pre, dn_pre * r)     gradient of gh      (N, 3H)
    dgx    = (dr_pre, dz_pre, dn_pre)         gradient of gx      (N, 3H)
    dh_{t-1} = dL_{t-1}/dh_{t-1} + dh_t * z + dgh W_hh
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable

from ._fused import project_inputs, sum_weight_grads


class GRUFunction(torch.autograd.Function):
    """GRU over a whole sequence.

    Shapes
    ------
    x (T, N, D), h0 (N, H), w_ih (3H, D), w_hh (3H, H), biases (3H,) or None
    -> h_seq (T, N, H), h_T (N, H)
    """

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, reverse: bool):
        xs = x.flip(0) if reverse else x  # (T, N, D), processing order
        T, N, _ = xs.shape
        H = w_hh.shape[1]
        gx = project_inputs(xs, w_ih, b_ih)  # (T, N, 3H)
        gh = xs.new_empty(T, N, 3 * H)  # W_hh h_{t-1} + b_hh for every step
        rz = xs.new_empty(T, N, 2 * H)  # r and z
        n = xs.new_empty(T, N, H)
        h_all = xs.new_empty(T + 1, N, H)  # h_0 .. h_T
        h_all[0] = h0
        w_hh_t = w_hh.t()  # (H, 3H)
        steps = zip(gx.unbind(0), gh.unbind(0), rz.unbind(0), n.unbind(0), h_all.unbind(0), h_all.unbind(0)[1:])
        for gx_t, gh_t, rz_t, n_t, h_prev, h_next in steps:
            # gh = W_hh h_{t-1} + b_hh
            if b_hh is None:
                torch.mm(h_prev, w_hh_t, out=gh_t)  # (N, 3H)
            else:
                torch.addmm(b_hh, h_prev, w_hh_t, out=gh_t)  # (N, 3H)
            # r, z = sigmoid(gx_rz + gh_rz)
            torch.add(gx_t[:, :2 * H], gh_t[:, :2 * H], out=rz_t).sigmoid_()  # (N, 2H)
            # n = tanh(gx_n + r * gh_n)
            torch.addcmul(gx_t[:, 2 * H:], rz_t[:, :H], gh_t[:, 2 * H:], out=n_t).tanh_()  # (N, H)
            # h_t = n + z * (h_{t-1} - n)
            torch.lerp(n_t, h_prev, rz_t[:, H:], out=h_next)  # (N, H)
        ctx.save_for_backward(xs, h_all, gh, rz, n, w_ih, w_hh)
        ctx.reverse = reverse
        h_seq = h_all[1:]  # (T, N, H)
        return (h_seq.flip(0) if reverse else h_seq), h_all[T]

    @staticmethod
    @once_differentiable
    def backward(ctx, dh_seq, dh_T):
        xs, h_all, gh, rz, n, w_ih, w_hh = ctx.saved_tensors
        T, N, _ = xs.shape
        H = w_hh.shape[1]
        dh_seq = dh_seq.flip(0) if ctx.reverse else dh_seq  # (T, N, H)
        r, z = rz.chunk(2, dim=2)  # 2 x (T, N, H)
        # Factors independent of the recurrence, all steps at once.
        k_n = (1 - z) * (1 - n * n)  # d n_pre / dh_t              (T, N, H)
        k_z = (h_all[:-1] - n) * z * (1 - z)  # d z_pre / dh_t      (T, N, H)
        k_rn = torch.stack((gh[..., 2 * H:] * r * (1 - r), r), dim=2)  # dr_pre, dgh_n per dn_pre (T, N, 2, H)
        dgh = xs.new_empty(T, N, 3, H)  # gradient of gh, blocks r, z, n
        dn = xs.new_empty(T, N, H)  # gradient of gx_n
        dh_steps = dh_seq.unbind(0)
        dh = dh_steps[T - 1] + dh_T  # (N, H)
        for t in range(T - 1, -1, -1):
            # dn_pre = dh_t * (1 - z) * (1 - n^2)
            dn_t = torch.mul(dh, k_n[t], out=dn[t])  # (N, H)
            # dz_pre = dh_t * (h_{t-1} - n) * z (1 - z)
            torch.mul(dh, k_z[t], out=dgh[t, :, 1])  # (N, H)
            # (dr_pre, dgh_n) = dn_pre * (gh_n r (1 - r), r)
            torch.mul(dn_t.unsqueeze(1), k_rn[t], out=dgh[t, :, 0::2])  # (N, 2, H)
            # dh_{t-1} = dL_{t-1}/dh_{t-1} + dh_t * z + dgh W_hh
            dh_prev = torch.addcmul(dh_steps[t - 1], dh, z[t]) if t > 0 else dh * z[0]  # (N, H)
            dh = dh_prev.addmm_(dgh[t].view(N, 3 * H), w_hh)  # (N, H)
        dgh = dgh.view(T, N, 3 * H)
        dgx = torch.cat((dgh[..., :2 * H], dn), dim=2)  # (T, N, 3H)
        dx, dw_ih, dw_hh, db_ih, db_hh = sum_weight_grads(ctx, dgx, dgh, xs, h_all[:-1], w_ih, 2)
        return dx, dh, dw_ih, dw_hh, db_ih, db_hh, None
