"""Known-wrong versions of the GRU step (chapter 5), for diagnosing a wrong answer.

``mistake=None`` is PyTorch's ``GRUCell`` (row blocks r, z, n; the reset gate multiplies
``W_hn h + b_hn``, after the product; z keeps the old state). Only the step cache's
documented fields are read (``x, h_prev, r, z, n, hn_lin, h_next, params``).

    r = sigma(W_ir x + b_ir + W_hr h + b_hr),  z = sigma(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h_t = (1 - z) * n + z * h_{t-1}
"""

import numpy as np

LAYOUT = ("check the weight layout: weight_ih is (3H, D) and weight_hh is (3H, H) like "
          "torch.nn.GRUCell, with row blocks r, z, n.")

STEP_FORWARD = {
    "reset_before": "the reset gate is applied before W_hn h (Cho et al. 2014: W_hn (r * h) "
                    "+ b_hn); PyTorch applies it after: r * (W_hn h + b_hn).",
    "update_flipped": "the update convention is flipped: in PyTorch z keeps the old state, "
                      "h_t = (1 - z) * n + z * h_prev (not (1 - z) * h_prev + z * n as in "
                      "Chung et al.).",
    "r_z_swapped": "r and z are swapped: the row blocks are r, z, n (reset first).",
    "no_bias_hh": "bias_hh is missing: torch's GRU cell adds two biases, b_ih and b_hh "
                  "(b_hn sits inside r * (W_hn h + b_hn)).",
    "b_hn_outside": "b_hn belongs inside the reset: n = tanh(W_in x + b_in + r * (W_hn h + "
                    "b_hn)), not r * (W_hn h) + b_hn.",
    "transposed": LAYOUT,
}

STEP_BACKWARD = {
    "no_direct_path": "dh_prev is missing the direct path: h_t = ... + z * h_prev gives "
                      "dh_prev a term dh_next * z besides the ones through the gates.",
    "dz_sign": "h_t = (1 - z) * n + z * h_prev, so dz = dh_next * (h_prev - n), not "
               "dh_next * (n - h_prev).",
    "r_on_input_side": "the reset gate multiplies only the hidden side: the n block of the "
                       "input-side gradient is da_n, of the hidden side da_n * r.",
    "no_r_on_hidden": "the hidden side's n block is da_n * r: the reset gate sits between "
                      "W_hn h + b_hn and the tanh.",
    "dr_without_b_hn": "dr = da_n * (W_hn h_prev + b_hn): use cache.hn_lin, which includes b_hn.",
}


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def step_forward(x, h_prev, params, mistake=None):
    """``h_next`` of one GRU step; ``mistake`` from ``STEP_FORWARD``."""
    W_ih, W_hh, b_ih, b_hh = (params[k] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    if mistake == "transposed":  # CS231n layout (D, 3H): crashes on torch's (3H, D)
        W_ih, W_hh = W_ih.T, W_hh.T
    if mistake == "no_bias_hh":
        b_hh = 0 * b_hh
    gi_r, gi_z, gi_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)  # (N, H) each
    W_hr, W_hz, W_hn = np.split(W_hh, 3, axis=0)  # (H, H) each
    b_hr, b_hz, b_hn = np.split(b_hh, 3)  # (H,) each
    if mistake == "r_z_swapped":
        gi_r, gi_z, W_hr, W_hz, b_hr, b_hz = gi_z, gi_r, W_hz, W_hr, b_hz, b_hr
    # r = sigma(W_ir x + b_ir + W_hr h + b_hr), z = sigma(W_iz x + b_iz + W_hz h + b_hz)
    r = _sigmoid(gi_r + h_prev @ W_hr.T + b_hr)  # (N, H)
    z = _sigmoid(gi_z + h_prev @ W_hz.T + b_hz)  # (N, H)
    if mistake == "reset_before":
        hidden = (r * h_prev) @ W_hn.T + b_hn  # (N, H)
    elif mistake == "b_hn_outside":
        hidden = r * (h_prev @ W_hn.T) + b_hn  # (N, H)
    else:
        # r * (W_hn h + b_hn)
        hidden = r * (h_prev @ W_hn.T + b_hn)  # (N, H)
    n = np.tanh(gi_n + hidden)  # (N, H)
    if mistake == "update_flipped":
        return (1 - z) * h_prev + z * n
    # h_t = (1 - z) * n + z * h_{t-1}
    return (1 - z) * n + z * h_prev  # (N, H)


def step_backward(dh_next, cache, mistake=None):
    """``(dx, dh_prev, grads)`` from a step cache; ``mistake`` from ``STEP_BACKWARD``."""
    r, z, n, p = cache.r, cache.z, cache.n, cache.params
    H = r.shape[1]
    # h_t = (1 - z) * n + z * h_{t-1}
    dn = dh_next * (1 - z)  # (N, H)
    dz = dh_next * ((n - cache.h_prev) if mistake == "dz_sign" else (cache.h_prev - n))  # (N, H)
    da_n = dn * (1 - n ** 2)  # (N, H)
    hn_lin = cache.hn_lin - p["bias_hh"][2 * H:] if mistake == "dr_without_b_hn" else cache.hn_lin
    dr = da_n * hn_lin  # (N, H)
    da_r, da_z = dr * r * (1 - r), dz * z * (1 - z)  # (N, H) each
    dgi = np.concatenate([da_r, da_z, da_n * r if mistake == "r_on_input_side" else da_n], axis=1)
    dgh = np.concatenate([da_r, da_z, da_n if mistake == "no_r_on_hidden" else da_n * r], axis=1)
    direct = 0 if mistake == "no_direct_path" else dh_next * z  # (N, H)
    grads = {"weight_ih": dgi.T @ cache.x, "weight_hh": dgh.T @ cache.h_prev,  # (3H, D), (3H, H)
             "bias_ih": dgi.sum(axis=0), "bias_hh": dgh.sum(axis=0)}  # (3H,)
    return dgi @ p["weight_ih"], direct + dgh @ p["weight_hh"], grads
