"""Fast layer-normalised LSTM recurrence (Ba et al. 2016): a time loop and a hand-written BPTT
backward (the pattern of ``_fused.py`` and ``_fused_lstm.py``).

The input part ``a^x_t = LN(W_ih x_t; gamma_ih) + b_ih + b_hh`` does not depend on the
recurrence: the layer computes it for all T steps at once, with autograd, and passes it in.
Here, per step, gates in torch's order i, f, g, o::

    z_t = W_hh h_{t-1}                                   (N, 4H)
    a_t = a^x_t + gamma_hh * y_t,   y_t = (z_t - mean(z_t)) * rstd(z_t)
    i, f, o = sigmoid(a_i, a_f, a_o);  g = tanh(a_g)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(n_t),   n_t = gamma_c * yc_t + beta_c,   yc_t = (c_t - mean(c_t)) * rstd(c_t)

with ``rstd(z) = 1 / sqrt(var(z) + eps)`` over the last axis (biased variance), as
``nn.LayerNorm``. ``torch.native_layer_norm`` computes ``gamma * y + beta`` and returns mean and
rstd, which backward reuses.

Backward of a layer norm ``u = gamma * y + beta`` with ``y = (z - mean(z)) * rstd``, for an
incoming gradient ``du`` and ``dy = gamma * du``, over the last axis of size K::

    dz = rstd * (dy - mean(dy) - y * mean(dy * y))

(one call of ATen's ``native_layer_norm_backward``, which computes exactly this; the tests
check it against autograd and finite differences). Backward, per step, with dh_t the total
gradient reaching h_t and dc the one reaching c_t from step t+1::

    da_o = dh_t * tanh(n_t) * o (1 - o)
    dn_t = dh_t * o * (1 - tanh(n_t)^2)
    dc_t = dc + LN-backward(dn_t)                          (through gamma_c, c_t's statistics)
    da_i = dc_t * g * i (1 - i)    da_f = dc_t * c_{t-1} * f (1 - f)    da_g = dc_t * i (1 - g^2)
    dc_{t-1} = dc_t * f
    dz_t = LN-backward(da_t)                               (through gamma_hh, z_t's statistics)
    dh_{t-1} = dL_{t-1}/dh_{t-1} + dz_t W_hh

and after the loop, as single sums over all steps: ``da^x = da``, ``dW_hh = sum_t dz_t^T h_{t-1}``,
``dgamma_hh = sum da * y``, ``dgamma_c = sum dn * yc``, ``dbeta_c = sum dn``. Factors that do not
depend on the recurrence are computed for all steps at once before the loop.
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable

_ln_backward = torch.ops.aten.native_layer_norm_backward  # (du, z, shape, mean, rstd, gamma, beta, mask)


class LayerNormLSTMFunction(torch.autograd.Function):
    """The recurrent part of a layer-normalised LSTM over a whole sequence.

    Shapes
    ------
    a_x (T, N, 4H): the input part of every step, biases included; h0, c0 (N, H);
    w_hh (4H, H); gamma_hh (4H,); gamma_c (H,); beta_c (H,) or None
    -> h_seq (T, N, H), h_T (N, H), c_T (N, H)
    """

    @staticmethod
    def forward(ctx, a_x, h0, c0, w_hh, gamma_hh, gamma_c, beta_c, eps_hh: float, eps_c: float):
        T, N, G = a_x.shape
        H = w_hh.shape[1]
        a_all = torch.empty_like(a_x)  # a_t, the gates' pre-activations
        acts = torch.empty_like(a_x)  # i, f, g, o after their nonlinearities
        z_all = torch.empty_like(a_x)  # z_t = W_hh h_{t-1}
        h_all, c_all = a_x.new_empty(T + 1, N, H), a_x.new_empty(T + 1, N, H)  # h_0 .. h_T, c_0 .. c_T
        tanh_n = a_x.new_empty(T, N, H)  # tanh(n_t)
        h_all[0], c_all[0] = h0, c0
        stats_h, stats_c = [], []  # (mean, rstd) of z_t and of c_t, each (N, 1)
        w_hh_t = w_hh.t()  # (H, 4H)
        # Per-step views made once: the loop then only calls kernels.
        h, c = h_all.unbind(0), c_all.unbind(0)
        i, f, g, o = (s.unbind(0) for s in acts.chunk(4, dim=2))  # 4 x T x (N, H)
        a_g = a_all[:, :, 2 * H:3 * H].unbind(0)  # T x (N, H)
        steps = zip(a_x.unbind(0), a_all.unbind(0), z_all.unbind(0), acts.unbind(0), tanh_n.unbind(0))
        for t, (a_xt, a_t, z_t, s_t, tn_t) in enumerate(steps):
            # a_t = a^x_t + LN(W_hh h_{t-1}; gamma_hh)
            ln_z, mean, rstd = torch.native_layer_norm(torch.mm(h[t], w_hh_t, out=z_t), (G,), gamma_hh, None, eps_hh)
            stats_h.append((mean, rstd))
            torch.sigmoid(torch.add(a_xt, ln_z, out=a_t), out=s_t)  # i, f, (unused), o
            torch.tanh(a_g[t], out=g[t])  # g
            # c_t = f * c_{t-1} + i * g
            torch.mul(f[t], c[t], out=c[t + 1]).addcmul_(i[t], g[t])  # (N, H)
            # h_t = o * tanh(LN(c_t; gamma_c, beta_c))
            n_t, mean, rstd = torch.native_layer_norm(c[t + 1], (H,), gamma_c, beta_c, eps_c)  # (N, H)
            stats_c.append((mean, rstd))
            torch.mul(o[t], torch.tanh(n_t, out=tn_t), out=h[t + 1])  # (N, H)
        ctx.stats = stats_h, stats_c
        ctx.save_for_backward(h_all, c_all, acts, z_all, tanh_n, w_hh, gamma_hh, gamma_c, beta_c)
        return h_all[1:], h_all[T], c_all[T]

    @staticmethod
    @once_differentiable
    def backward(ctx, dh_seq, dh_T, dc_T):
        h_all, c_all, acts, z_all, tanh_n, w_hh, gamma_hh, gamma_c, beta_c = ctx.saved_tensors
        stats_h, stats_c = ctx.stats
        T, N, H = dh_seq.shape
        G = 4 * H
        i, f, g, o = acts.chunk(4, dim=2)  # 4 x (T, N, H)
        # Factors independent of the recurrence, all steps at once.
        # (da_o/dh_t, dn_t/dh_t) = (tanh(n_t) o (1 - o), o (1 - tanh(n_t)^2))
        k_on = torch.stack((tanh_n * o * (1 - o), o * (1 - tanh_n * tanh_n)), dim=2)  # (T, N, 2, H)
        k_ifg = torch.stack((g * i * (1 - i), c_all[:-1] * f * (1 - f), i * (1 - g * g)), dim=2)  # (T, N, 3, H)
        grads = dh_seq.new_empty(T, N, 5, H)  # gradients of a_t (blocks i, f, g, o) and of n_t
        da, dn = grads[:, :, :4].reshape(T, N, G), grads[:, :, 4]  # views: (T, N, 4H), (T, N, H)
        dz = []  # gradients of z_t = W_hh h_{t-1}, from t = T-1 down to 0, each (N, 4H)
        # Per-step views made once, and dh, dc kept in two buffers: the loop then only calls kernels.
        dh_steps, c_steps, f_steps, z_steps = dh_seq.unbind(0), c_all.unbind(0), f.unbind(0), z_all.unbind(0)
        k_on, k_ifg = k_on.unbind(0), k_ifg.unbind(0)  # T x (N, 2, H), T x (N, 3, H)
        da_ifg, da_on = grads[:, :, :3].unbind(0), grads[:, :, 3:].unbind(0)  # T x (N, 3, H), T x (N, 2, H)
        da_steps, dn_steps = da.unbind(0), dn.unbind(0)  # T x (N, 4H), T x (N, H)
        dh3, dc3 = dh_seq.new_empty(N, 1, H), dc_T.unsqueeze(1).clone()  # (N, 1, H) each
        dh, dc = dh3.view(N, H), dc3.view(N, H)  # the same memory as (N, H)
        torch.add(dh_steps[T - 1], dh_T, out=dh)
        no_weights = [True, False, False]  # the gains' gradients are sums taken after the loop
        for t in range(T - 1, -1, -1):
            # (da_o, dn_t) = dh_t * (tanh(n_t) o (1 - o), o (1 - tanh(n_t)^2))
            torch.mul(dh3, k_on[t], out=da_on[t])  # (N, 2, H)
            # dc_t = dc + LN-backward(dn_t)
            dc.add_(_ln_backward(dn_steps[t], c_steps[t + 1], (H,), *stats_c[t], gamma_c, beta_c, no_weights)[0])
            # (da_i, da_f, da_g) = dc_t * (g i(1-i), c_{t-1} f(1-f), i (1-g^2))
            torch.mul(dc3, k_ifg[t], out=da_ifg[t])  # (N, 3, H)
            # dc_{t-1} = dc_t * f
            dc.mul_(f_steps[t])  # (N, H)
            # dz_t = LN-backward(da_t);  dh_{t-1} = dL_{t-1}/dh_{t-1} + dz_t W_hh
            dz.append(_ln_backward(da_steps[t], z_steps[t], (G,), *stats_h[t], gamma_hh, None, no_weights)[0])
            if t > 0:
                torch.addmm(dh_steps[t - 1], dz[-1], w_hh, out=dh)  # (N, H)
        dh = dz[-1] @ w_hh  # dh_0 (N, H): no loss term at h_0
        dz = torch.stack(dz[::-1])  # (T, N, 4H)
        need = ctx.needs_input_grad
        # dW_hh = sum_t dz_t^T h_{t-1}
        dw_hh = dz.view(T * N, G).t() @ h_all[:-1].reshape(T * N, H) if need[3] else None  # (4H, H)
        mean_h, rstd_h = (torch.stack(s) for s in zip(*stats_h))  # (T, N, 1) each
        mean_c, rstd_c = (torch.stack(s) for s in zip(*stats_c))
        dgamma_hh = (da * (z_all - mean_h) * rstd_h).sum((0, 1)) if need[4] else None  # (4H,)
        dgamma_c = (dn * (c_all[1:] - mean_c) * rstd_c).sum((0, 1)) if need[5] else None  # (H,)
        dbeta_c = dn.sum((0, 1)) if beta_c is not None and need[6] else None  # (H,)
        return da if need[0] else None, dh, dc, dw_hh, dgamma_hh, dgamma_c, dbeta_c, None, None
