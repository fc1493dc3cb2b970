"""Fast teacher-forced attention decoder: a time loop without autograd, and its backward written out.

Bahdanau's order (``query="previous"`` in ``decoders.py``): the previous state asks the
question, the context feeds the GRU. Per step i, with s = s_{i-1}, the projected keys P
(computed once per source), the keys K and the source mask::

    additive:       e_j = v . tanh(W_q s + P_j)          P_j = U_a k_j          (N, S)
    dot, general:   e_j = P_j . s                        P_j = k_j or W_a k_j   (N, S)
    alpha = softmax of e over the unmasked j                                    (N, S)
    c_i = sum_j alpha_j k_j                                                     (N, Hk)
    s_i = GRU(gx_i + W_c c_i, s_{i-1})      gx_i = W_e emb(y_{i-1}) + b_ih, all steps at once

The GRU step is ``_fused_gru.py``'s. Backward, per step from the last, with dS the gradient
reaching s_i and dC the gradient reaching c_i from the read-out::

    GRU backward               -> dgx (N, 3H), dgh (N, 3H);  dS_{i-1} = dS * z + dgh W_hh
    dc = dC + dgx W_c                                      gradient of c_i            (N, Hk)
    dalpha_j = k_j . dc                                                              (N, S)
    de = alpha * (dalpha - sum_j alpha_j dalpha_j)         softmax backward, 0 at padding
    additive:  du_j = de_j v (1 - tanh^2)   dP_j += du_j;  dS_{i-1} += (sum_j du_j) W_q
    bilinear:  dS_{i-1} += sum_j de_j P_j;                 dP_j += de_j s_{i-1}

and after the loop, single products over all steps: dK = sum_i alpha_i^T dc_i (through the
context; the projection's share reaches K through autograd), dW_c, dW_hh, db_hh, dW_q, dv.
Why: autograd through this loop records about 25 small ops per step and replays them one by
one; here the forward records none and the backward is one pass of in-place products.
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable


class AttentionGRUFunction(torch.autograd.Function):
    """A teacher-forced GRU decoder with attention over the keys, every step at once.

    ``w_q`` (A, H) and ``v`` (1, A) given: additive scores; both None: ``e_j = P_j . s``
    (dot or general attention, by what ``projected`` holds).

    Shapes
    ------
    gx (T, N, 3H), s0 (N, H), keys (N, S, Hk), projected (N, S, A) (A = H without w_q),
    mask (N, S) bool or None, w_c (3H, Hk), w_hh (3H, H), b_hh (3H,) or None, w_q (A, H), v (1, A)
    -> states (T, N, H), contexts (T, N, Hk)
    """

    @staticmethod
    def forward(ctx, gx, s0, keys, projected, mask, w_c, w_hh, b_hh, w_q, v):
        T, N, G = gx.shape
        H, S = G // 3, keys.shape[1]
        additive = w_q is not None
        states = gx.new_empty(T + 1, N, H)  # s_0 .. s_T
        states[0] = s0
        gh = gx.new_empty(T, N, G)  # W_hh s_{i-1} + b_hh
        rz = gx.new_empty(T, N, 2 * H)  # r and z
        n = gx.new_empty(T, N, H)
        alpha = gx.new_empty(T, N, S)
        contexts = gx.new_empty(T, N, keys.shape[2])
        hid = gx.new_empty(T, *projected.shape) if additive else None  # tanh(W_q s + P_j)
        pad = None if mask is None else ~mask  # (N, S)
        w_c_t, w_hh_t = w_c.t(), w_hh.t()
        for t in range(T):
            s = states[t]  # (N, H)
            if additive:
                # e_j = v . tanh(W_q s + P_j)
                torch.add(projected, (s @ w_q.t()).unsqueeze(1), out=hid[t]).tanh_()  # (N, S, A)
                e = hid[t] @ v[0]  # (N, S)
            else:
                # e_j = P_j . s
                e = torch.bmm(projected, s.unsqueeze(2)).squeeze(2)  # (N, S)
            if pad is not None:
                e = e.masked_fill_(pad, float("-inf"))  # exp(-inf) = 0 at padding
            alpha[t] = torch.softmax(e, dim=1)  # (N, S)
            # c_i = sum_j alpha_j k_j
            contexts[t] = torch.bmm(alpha[t].unsqueeze(1), keys).squeeze(1)  # (N, Hk)
            gx_t = torch.addmm(gx[t], contexts[t], w_c_t)  # (N, 3H)
            gh_t = torch.mm(s, w_hh_t, out=gh[t]) if b_hh is None else torch.addmm(b_hh, s, w_hh_t, out=gh[t])
            # r, z = sigmoid(gx_rz + gh_rz);  n = tanh(gx_n + r * gh_n);  s_i = n + z * (s_{i-1} - n)
            torch.add(gx_t[:, :2 * H], gh_t[:, :2 * H], out=rz[t]).sigmoid_()  # (N, 2H)
            torch.addcmul(gx_t[:, 2 * H:], rz[t, :, :H], gh_t[:, 2 * H:], out=n[t]).tanh_()  # (N, H)
            torch.lerp(n[t], s, rz[t, :, H:], out=states[t + 1])  # (N, H)
        ctx.save_for_backward(keys, projected, w_c, w_hh, w_q, v, states, gh, rz, n, alpha, contexts, hid)
        ctx.has_bias = b_hh is not None
        return states[1:], contexts

    @staticmethod
    @once_differentiable
    def backward(ctx, d_states, d_contexts):
        keys, projected, w_c, w_hh, w_q, v, states, gh, rz, n, alpha, contexts, hid = ctx.saved_tensors
        T, N, H = n.shape
        additive = w_q is not None
        r, z = rz[..., :H], rz[..., H:]  # (T, N, H) each
        s_prev = states[:-1]  # (T, N, H)
        # Factors independent of the recurrence, all steps at once (as in _fused_gru.py).
        k_n = (1 - z) * (1 - n * n)  # d n_pre / ds_i
        k_z = (s_prev - n) * z * (1 - z)  # d z_pre / ds_i
        k_r = gh[..., 2 * H:] * r * (1 - r)  # d r_pre / d n_pre
        dgx = n.new_empty(T, N, 3, H)  # gradient of the GRU's input pre-activations, blocks r, z, n
        dgh_n = n.new_empty(T, N, H)  # gradient of gh_n; gh's r and z blocks equal dgx's
        dc_all, de_all = torch.empty_like(contexts), torch.empty_like(alpha)
        if additive:
            dproj, dq_all, v_row = torch.zeros_like(projected), n.new_empty(T, N, w_q.shape[0]), v[0]
        ds = d_states[T - 1]  # (N, H)
        for t in range(T - 1, -1, -1):
            dn_t = torch.mul(ds, k_n[t], out=dgx[t, :, 2])  # dn_pre (N, H)
            torch.mul(ds, k_z[t], out=dgx[t, :, 1])  # dz_pre
            torch.mul(dn_t, k_r[t], out=dgx[t, :, 0])  # dr_pre
            torch.mul(dn_t, r[t], out=dgh_n[t])  # d gh_n
            dgx_t = dgx[t].view(N, 3 * H)
            # dS_{i-1} = dS * z + dgh W_hh
            ds_prev = torch.addcmul(d_states[t - 1], ds, z[t]) if t > 0 else ds * z[0]  # (N, H)
            ds_prev.addmm_(dgx_t[:, :2 * H], w_hh[:2 * H]).addmm_(dgh_n[t], w_hh[2 * H:])
            # dc = dC + dgx W_c;  dalpha_j = k_j . dc
            dc = torch.addmm(d_contexts[t], dgx_t, w_c, out=dc_all[t])  # (N, Hk)
            dalpha = torch.bmm(keys, dc.unsqueeze(2)).squeeze(2)  # (N, S)
            # de = alpha * (dalpha - sum_j alpha_j dalpha_j)
            a = alpha[t]
            de = torch.mul(a, dalpha - (a * dalpha).sum(1, keepdim=True), out=de_all[t])  # (N, S)
            if additive:
                # du_j = de_j v (1 - tanh^2);  dS_{i-1} += (sum_j du_j) W_q
                du = (1 - hid[t] * hid[t]).mul_(de.unsqueeze(2)).mul_(v_row)  # (N, S, A)
                dproj.add_(du)
                ds_prev.addmm_(torch.sum(du, 1, out=dq_all[t]), w_q)
            else:
                # dS_{i-1} += sum_j de_j P_j
                ds_prev.add_(torch.bmm(de.unsqueeze(1), projected).squeeze(1))
            ds = ds_prev
        dgx = dgx.view(T, N, 3 * H)
        dgh = torch.cat((dgx[..., :2 * H], dgh_n), dim=2)  # (T, N, 3H)

        def flat(x):  # (T, N, K) -> (T*N, K)
            return x.reshape(T * N, -1)

        # dK = sum_i alpha_i^T dc_i  (through the context)
        dkeys = torch.bmm(alpha.permute(1, 2, 0), dc_all.transpose(0, 1))  # (N, S, Hk)
        dw_c = flat(dgx).t() @ flat(contexts)  # (3H, Hk)
        dw_hh = flat(dgh).t() @ flat(s_prev)  # (3H, H)
        db_hh = flat(dgh).sum(0) if ctx.has_bias else None  # (3H,)
        if additive:
            dw_q = flat(dq_all).t() @ flat(s_prev)  # (A, H)
            dv = de_all.reshape(1, -1) @ hid.reshape(-1, hid.shape[3])  # (1, A): sum of de_j tanh(.)_j
            return dgx, ds, dkeys, dproj, None, dw_c, dw_hh, db_hh, dw_q, dv
        # dP_j = sum_i de_ij s_{i-1}
        dproj = torch.bmm(de_all.permute(1, 2, 0), s_prev.transpose(0, 1))  # (N, S, H)
        return dgx, ds, dkeys, dproj, None, dw_c, dw_hh, db_hh, None, None
