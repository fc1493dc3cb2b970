"""Chapter 05_gru: one GRU step in PyTorch's convention, forward and backward, BPTT over a
sequence, and porting weights between the two update conventions.

Every question here with its cases, its reference (``rnnlearn.numpy``) and its
known-wrong variants (each variant function is right with ``mistake=None`` and
reproduces one classic mistake otherwise). ``mistake=None`` is PyTorch's ``GRUCell``
(row blocks r, z, n; the reset gate multiplies ``W_hn h + b_hn``, after the product; z
keeps the old state). The backward question builds the cache with the *reference*
``gru_step_forward``. Only the step cache's documented fields are read (``x, h_prev, r,
z, n, hn_lin, h_next, params``).

    r = sigma(W_ir x + b_ir + W_hr h + b_hr),  z = sigma(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h_t = (1 - z) * n + z * h_{t-1}
"""

from __future__ import annotations

import numpy as np

from rnnlearn.numpy import random_params

from ..finite_differences import FDCase, dot
from ..registry import question
from ..scoring import Case, Output, grade_outputs

CHAPTER = "05_gru"
SIZES = [(3, 4, 4), (2, 3, 5), (1, 6, 2)]  # (N, D, H): D = H, D != H, N = 1
GRAD_LETTERS = {"weight_ih": "(3H, D)", "weight_hh": "(3H, H)", "bias_ih": "(3H,)", "bias_hh": "(3H,)"}
CACHE_HINT = ("the step cache has fields x, h_prev, r, z, n, hn_lin (= W_hn h_prev + b_hn), "
              "h_next and params; read them as cache.r, cache.hn_lin, ...")

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


def _inputs(rng, N, D, H):
    """``(x, h_prev, params)`` for one GRU step."""
    return rng.normal(size=(N, D)), rng.normal(0, 0.8, (N, H)), random_params("gru", D, H, rng=rng)


@question("gru_step_forward", points=2, chapter=CHAPTER, signature="gru_step_forward(x, h_prev, params)",
          arg_names=("x", "h_prev", "params"), crash_hint=LAYOUT)
def _gru_step_forward(attempt):
    from rnnlearn.numpy import gru_step_forward

    cases = [Case(f"N={N}, D={D}, H={H}", _inputs(attempt.rng, N, D, H)) for N, D, H in SIZES]
    outputs = (Output("h_next", "(N, H)"), Output("cache"))
    return grade_outputs(attempt, outputs, cases, gru_step_forward,
                         lambda x, h, p, m: (step_forward(x, h, p, m), None), STEP_FORWARD)


@question("gru_step_backward", points=3, chapter=CHAPTER, signature="gru_step_backward(dh_next, cache)",
          arg_names=("dh_next", "cache"), crash_hint=CACHE_HINT)
def _gru_step_backward(attempt):
    from rnnlearn.numpy import gru_step_backward, gru_step_forward

    cases = []
    for N, D, H in SIZES:
        cache = gru_step_forward(*_inputs(attempt.rng, N, D, H))[1]
        cases.append(Case(f"N={N}, D={D}, H={H}", (attempt.rng.normal(size=(N, H)), cache)))
    outputs = (Output("dx", "(N, D)"), Output("dh_prev", "(N, H)"), Output("grads", GRAD_LETTERS))
    inputs, dh = _inputs(attempt.rng, 2, 2, 3), attempt.rng.normal(size=(2, 3))
    # L = sum(h_next * dh_next)
    fd = FDCase("N=2, D=2, H=3", (dh, gru_step_forward(*inputs)[1]), inputs,
                lambda *a: dot(gru_step_forward(*a)[:1], (dh,)))
    return grade_outputs(attempt, outputs, cases, gru_step_backward, step_backward, STEP_BACKWARD, fd=fd)


SEQ_BACKWARD = {
    "no_dh_carry": "the hidden state's gradient is not carried back in time: the dh entering "
                   "step t is dh_seq[:, t] plus the dh_prev that step t+1 returned.",
    "no_direct_path": "the carried gradient misses the direct path h_{t-1} -> h_t: through "
                      "h_t = ... + z * h_{t-1} every step passes dh * z straight back (the leaky "
                      "integrator's path, the one that keeps long-range gradients alive).",
    "grads_overwritten": "the weights are shared by every step, so their gradients are summed "
                         "over all time steps, not taken from one step.",
    "ignore_dh_T": "dh_T is ignored: it is added to the gradient entering h_T at the last step.",
    "forward_in_time": "backpropagation through time runs from the last step to the first: "
                       "step t needs the gradient that step t+1 sends back.",
    "dh_seq_once": "every step's loss gradient counts: dh_seq[:, t] is added at step t, for "
                   "every t, not only at the last step.",
}


def seq_backward(dh_seq, cache, dh_T=None, mistake=None):
    """``(dx, dh0, grads)`` of BPTT through a GRU sequence cache; ``mistake`` from ``SEQ_BACKWARD``.

    Reads only ``cache.steps`` (step caches with the fields above).
    """
    steps = cache.steps
    T = len(steps)
    zeros = np.zeros_like(steps[-1].h_next)  # (N, H)
    dh = zeros if dh_T is None or mistake == "ignore_dh_T" else dh_T  # (N, H)
    dx = np.zeros(dh_seq.shape[:2] + steps[0].x.shape[1:], dtype=dh_seq.dtype)  # (N, T, D)
    grads = {k: np.zeros_like(v) for k, v in steps[0].params.items()}
    step_mistake = "no_direct_path" if mistake == "no_direct_path" else None
    for t in range(T) if mistake == "forward_in_time" else range(T - 1, -1, -1):
        upstream = dh_seq[:, t] if (mistake != "dh_seq_once" or t == T - 1) else 0 * dh_seq[:, t]
        carried = 0 * dh if mistake == "no_dh_carry" else dh
        # dL/dh_t = dl_t/dh_t + (gradient from step t+1)
        dx[:, t], dh, step_grads = step_backward(upstream + carried, steps[t], step_mistake)
        for k, g in step_grads.items():
            grads[k] = g if mistake == "grads_overwritten" else grads[k] + g
    return dx, dh, grads


def _seq_inputs(rng, N, T, D, H):
    """``(x, h0, params)`` for a GRU over a sequence."""
    return rng.normal(size=(N, T, D)), rng.normal(0, 0.8, (N, H)), random_params("gru", D, H, rng=rng)


@question("gru_backward", points=4, chapter=CHAPTER, signature="gru_backward(dh_seq, cache, dh_T=None)",
          arg_names=("dh_seq", "cache", "dh_T"),
          crash_hint="the sequence cache has a field steps, a tuple of step caches; " + CACHE_HINT)
def _gru_backward(attempt):
    from rnnlearn.numpy import gru_backward, gru_forward

    rng, cases = attempt.rng, []
    for N, T, D, H, with_final in [(2, 5, 3, 4, False), (3, 4, 2, 3, True), (1, 1, 3, 2, True)]:
        cache = gru_forward(*_seq_inputs(rng, N, T, D, H))[2]
        final = rng.normal(size=(N, H)) if with_final else None
        label = f"N={N}, T={T}, D={D}, H={H}, dh_T {'given' if with_final else 'None'}"
        cases.append(Case(label, (rng.normal(size=(N, T, H)), cache, final)))
    outputs = (Output("dx", "(N, T, D)"), Output("dh0", "(N, H)"), Output("grads", GRAD_LETTERS))
    inputs = _seq_inputs(rng, 1, 3, 2, 2)
    dh_seq, dh_T = rng.normal(size=(1, 3, 2)), rng.normal(size=(1, 2))
    # L = sum(h_seq * dh_seq) + sum(h_T * dh_T)
    fd = FDCase("N=1, T=3, D=2, H=2, dh_T given", (dh_seq, gru_forward(*inputs)[2], dh_T),
                inputs, lambda *a: dot(gru_forward(*a)[:2], (dh_seq, dh_T)))
    return grade_outputs(attempt, outputs, cases, gru_backward, seq_backward, SEQ_BACKWARD, fd=fd)


FLIP = {
    "weights_only": "the biases must flip too: z = sigma(W_iz x + b_iz + W_hz h + b_hz), and "
                    "1 - z = sigma(-(that whole sum)), so b_iz and b_hz change sign as well.",
    "input_side_only": "the hidden side must flip too: both weight_hh and bias_hh feed z, so "
                       "negate their z rows as well as those of weight_ih and bias_ih.",
    "first_block": "the z rows are the second block [H, 2H): PyTorch's row blocks are r, z, n, "
                   "so rows [0, H) belong to the reset gate.",
    "one_minus": "1 - z is not sigma(1 - a): use 1 - sigma(a) = sigma(-a), so negate the z "
                 "rows instead of subtracting them from 1.",
    "all_blocks": "only the update gate changes convention: negating r or n rows computes a "
                  "different reset gate and candidate.",
}


def flip(params, mistake=None):
    """Negate the z rows of every parameter; ``mistake`` from ``FLIP``."""
    H = params["weight_hh"].shape[1]
    rows = slice(0, H) if mistake == "first_block" else slice(None) if mistake == "all_blocks" \
        else slice(H, 2 * H)
    skip = {"weights_only": ("bias_ih", "bias_hh"), "input_side_only": ("weight_hh", "bias_hh")}.get(mistake, ())
    out = {}
    for key, value in params.items():
        value = np.array(value, copy=True)
        if key not in skip:
            # sigma(-a) = 1 - sigma(a)
            value[rows] = 1 - value[rows] if mistake == "one_minus" else -value[rows]
        out[key] = value
    return out


@question("flip_update_gate", points=2, chapter=CHAPTER, signature="flip_update_gate(params)",
          arg_names=("params",), crash_hint=LAYOUT)
def _flip_update_gate(attempt):
    from rnnlearn.numpy import flip_update_gate

    cases = [Case(f"D={D}, H={H}", (random_params("gru", D, H, rng=attempt.rng),)) for _, D, H in SIZES]
    return grade_outputs(attempt, (Output("params", GRAD_LETTERS),), cases, flip_update_gate, flip, FLIP)
