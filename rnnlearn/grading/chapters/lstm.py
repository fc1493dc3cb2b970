"""Chapter 04_lstm: one LSTM step forward and backward, and BPTT over a sequence (gate blocks i, f, g, o).

Every question here with its cases, its reference (``rnnlearn.numpy``) and its
known-wrong variants (each variant function is right with ``mistake=None`` and
reproduces one classic mistake otherwise). The backward question builds the cache with
the *reference* ``lstm_step_forward`` and passes it to the learner's backward; the
exercise tells the learner its fields. Only the step cache's documented fields are read
(``x, h_prev, c_prev, i, f, g, o, c_next, h_next, params``).

    a = x W_ih^T + b_ih + h_prev W_hh^T + b_hh = [a_i, a_f, a_g, a_o]
    c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
"""

from __future__ import annotations

import numpy as np

from rnnlearn.numpy import random_params

from ..finite_differences import FDCase, dot
from ..registry import question
from ..scoring import Case, Output, grade_outputs

CHAPTER = "04_lstm"
SIZES = [(3, 4, 4), (2, 3, 5), (1, 6, 2)]  # (N, D, H): D = H, D != H, N = 1
GRAD_LETTERS = {"weight_ih": "(4H, D)", "weight_hh": "(4H, H)", "bias_ih": "(4H,)", "bias_hh": "(4H,)"}
CACHE_HINT = ("the step cache has fields x, h_prev, c_prev, i, f, g, o, c_next, h_next and "
              "params; read them as cache.i, cache.c_prev, ...")

LAYOUT = ("check the weight layout: weight_ih is (4H, D) and weight_hh is (4H, H) like "
          "torch.nn.LSTMCell, so a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh is (N, 4H).")

STEP_FORWARD = {
    "cs231n_order": "the gate order looks like CS231n's i, f, o, g; torch.nn.LSTM's row blocks "
                    "are i, f, g, o: i, f, g, o = np.split(a, 4, axis=1).",
    "no_bias_hh": "bias_hh is missing: torch's LSTM cell adds two biases, b_ih and b_hh.",
    "no_bias_ih": "bias_ih is missing: torch's LSTM cell adds two biases, b_ih and b_hh.",
    "g_sigmoid": "the candidate g uses the sigmoid; g = tanh(a_g) (only i, f and o are "
                 "sigmoid gates).",
    "no_tanh_c": "the output is h_t = o * tanh(c_t), not o * c_t.",
    "h_prev_in_c": "the cell state is c_t = f * c_prev + i * g: the forget gate multiplies "
                   "c_prev, not h_prev.",
    "transposed": LAYOUT,  # x @ W_ih crashes for every D, H: recognised by the crash hint
}

STEP_BACKWARD = {
    "no_tanh_grad_c": "the output path is missing tanh'(c_t): dc = dc_next + dh_next * o * "
                      "(1 - tanh(c_next)**2).",
    "df_c_next": "the forget gate multiplies c_prev, so df = dc * c_prev, not dc * c_next.",
    "dc_prev_no_f": "dc_prev = dc * f: the cell state reaches c_prev through the forget gate.",
    "ignore_dc_next": "dc_next is ignored: the gradient entering c_t is dc_next plus the part "
                      "coming through h_t = o * tanh(c_t).",
    "do_c_next": "h_t = o * tanh(c_t), so do = dh_next * tanh(c_next), not dh_next * c_next.",
    "cs231n_order": "the gate gradients are stacked in CS231n's order i, f, o, g; torch's "
                    "blocks are i, f, g, o.",
}


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def step_forward(x, h_prev, c_prev, params, mistake=None):
    """``(h_next, c_next)`` of one LSTM step; ``mistake`` from ``STEP_FORWARD``."""
    W_ih, W_hh = params["weight_ih"], params["weight_hh"]
    if mistake == "transposed":  # CS231n layout (D, 4H): crashes on torch's (4H, D)
        W_ih, W_hh = W_ih.T, W_hh.T
    b_ih = 0 * params["bias_ih"] if mistake == "no_bias_ih" else params["bias_ih"]
    b_hh = 0 * params["bias_hh"] if mistake == "no_bias_hh" else params["bias_hh"]
    # a = x W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (N, 4H)
    if mistake == "cs231n_order":
        a_i, a_f, a_o, a_g = np.split(a, 4, axis=1)  # (N, H) each
    else:
        a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)  # (N, H) each
    i, f, o = _sigmoid(a_i), _sigmoid(a_f), _sigmoid(a_o)  # (N, H) each
    g = _sigmoid(a_g) if mistake == "g_sigmoid" else np.tanh(a_g)  # (N, H)
    # c_t = f * c_{t-1} + i * g
    c_next = f * (h_prev if mistake == "h_prev_in_c" else c_prev) + i * g  # (N, H)
    # h_t = o * tanh(c_t)
    h_next = o * (c_next if mistake == "no_tanh_c" else np.tanh(c_next))  # (N, H)
    return h_next, c_next


def step_backward(dh_next, dc_next, cache, mistake=None):
    """``(dx, dh_prev, dc_prev, grads)`` from a step cache; ``mistake`` from ``STEP_BACKWARD``."""
    i, f, g, o, p = cache.i, cache.f, cache.g, cache.o, cache.params
    tanh_c = np.tanh(cache.c_next)  # (N, H)
    d_out = 1.0 if mistake == "no_tanh_grad_c" else 1.0 - tanh_c ** 2
    # dc = dc_t + dh_t * o * (1 - tanh^2 c_t)
    dc = (0.0 if mistake == "ignore_dc_next" else dc_next) + dh_next * o * d_out  # (N, H)
    do = dh_next * (cache.c_next if mistake == "do_c_next" else tanh_c)  # (N, H)
    df = dc * (cache.c_next if mistake == "df_c_next" else cache.c_prev)  # (N, H)
    di, dg = dc * g, dc * i  # (N, H) each
    dc_prev = dc if mistake == "dc_prev_no_f" else dc * f  # (N, H)
    blocks = [di * i * (1 - i), df * f * (1 - f), dg * (1 - g ** 2), do * o * (1 - o)]
    if mistake == "cs231n_order":
        blocks = [blocks[0], blocks[1], blocks[3], blocks[2]]
    da = np.concatenate(blocks, axis=1)  # (N, 4H)
    grads = {"weight_ih": da.T @ cache.x, "weight_hh": da.T @ cache.h_prev,  # (4H, D), (4H, H)
             "bias_ih": da.sum(axis=0), "bias_hh": da.sum(axis=0)}  # (4H,)
    return da @ p["weight_ih"], da @ p["weight_hh"], dc_prev, grads


SEQ_BACKWARD = {
    "no_dc_carry": "the cell state's gradient is not carried back in time: the dc entering "
                   "step t is the dc_prev that step t+1 returned (the path c_{t-1} -> c_t, the "
                   "one that keeps long-range gradients alive), not only the part coming from h_t.",
    "no_dh_carry": "the hidden state's gradient is not carried back in time: the dh entering "
                   "step t is dh_seq[:, t] plus the dh_prev that step t+1 returned.",
    "grads_overwritten": "the weights are shared by every step, so their gradients are summed "
                         "over all time steps, not taken from one step.",
    "ignore_dc_T": "dc_T is ignored: the gradient on the final cell state starts the cell "
                   "path at the last step (dc = dc_T there; zeros when it is None).",
    "ignore_dh_T": "dh_T is ignored: it is added to the gradient entering h_T at the last step.",
    "forward_in_time": "backpropagation through time runs from the last step to the first: "
                       "step t needs the gradients that step t+1 sends back.",
    "dh_seq_once": "every step's loss gradient counts: dh_seq[:, t] is added at step t, for "
                   "every t, not only at the last step.",
}


def seq_backward(dh_seq, cache, dh_T=None, dc_T=None, mistake=None):
    """``(dx, dh0, dc0, grads)`` of BPTT through an LSTM sequence cache; ``mistake`` from ``SEQ_BACKWARD``.

    Reads only ``cache.steps`` (step caches with the fields above).
    """
    steps = cache.steps
    T = len(steps)
    zeros = np.zeros_like(steps[-1].h_next)  # (N, H)
    dh = zeros if dh_T is None or mistake == "ignore_dh_T" else dh_T  # (N, H)
    dc = zeros if dc_T is None or mistake == "ignore_dc_T" else dc_T  # (N, H)
    dx = np.zeros(dh_seq.shape[:2] + steps[0].x.shape[1:], dtype=dh_seq.dtype)  # (N, T, D)
    grads = {k: np.zeros_like(v) for k, v in steps[0].params.items()}
    order = range(T) if mistake == "forward_in_time" else range(T - 1, -1, -1)
    for t in order:
        upstream = dh_seq[:, t] if (mistake != "dh_seq_once" or t == T - 1) else 0 * dh_seq[:, t]
        carried = 0 * dh if mistake == "no_dh_carry" else dh
        carried_c = dc if (mistake != "no_dc_carry" or t == T - 1) else 0 * dc
        # dL/dh_t = dl_t/dh_t + (from step t+1); dL/dc_t comes from step t+1 only
        dx[:, t], dh, dc, step_grads = step_backward(upstream + carried, carried_c, steps[t])
        for k, g in step_grads.items():
            grads[k] = g if mistake == "grads_overwritten" else grads[k] + g
    return dx, dh, dc, grads


def _inputs(rng, N, D, H):
    """``(x, h_prev, c_prev, params)`` for one LSTM step."""
    return (rng.normal(size=(N, D)), rng.normal(0, 0.8, (N, H)), rng.normal(0, 0.8, (N, H)),
            random_params("lstm", D, H, rng=rng))


@question("lstm_step_forward", points=2, chapter=CHAPTER,
          signature="lstm_step_forward(x, h_prev, c_prev, params)",
          arg_names=("x", "h_prev", "c_prev", "params"), crash_hint=LAYOUT)
def _lstm_step_forward(attempt):
    from rnnlearn.numpy import lstm_step_forward

    cases = [Case(f"N={N}, D={D}, H={H}", _inputs(attempt.rng, N, D, H)) for N, D, H in SIZES]
    outputs = (Output("h_next", "(N, H)"), Output("c_next", "(N, H)"), Output("cache"))
    return grade_outputs(attempt, outputs, cases, lstm_step_forward,
                         lambda x, h, c, p, m: step_forward(x, h, c, p, m) + (None,), STEP_FORWARD)


@question("lstm_step_backward", points=3, chapter=CHAPTER,
          signature="lstm_step_backward(dh_next, dc_next, cache)",
          arg_names=("dh_next", "dc_next", "cache"), crash_hint=CACHE_HINT)
def _lstm_step_backward(attempt):
    from rnnlearn.numpy import lstm_step_backward, lstm_step_forward

    cases = []
    for N, D, H in SIZES:
        cache = lstm_step_forward(*_inputs(attempt.rng, N, D, H))[2]
        upstream = (attempt.rng.normal(size=(N, H)), attempt.rng.normal(size=(N, H)))
        cases.append(Case(f"N={N}, D={D}, H={H}", upstream + (cache,)))
    outputs = (Output("dx", "(N, D)"), Output("dh_prev", "(N, H)"), Output("dc_prev", "(N, H)"),
               Output("grads", GRAD_LETTERS))
    inputs, dh, dc = _inputs(attempt.rng, 2, 2, 2), attempt.rng.normal(size=(2, 2)), attempt.rng.normal(size=(2, 2))
    # L = sum(h_next * dh_next) + sum(c_next * dc_next)
    fd = FDCase("N=2, D=2, H=2", (dh, dc, lstm_step_forward(*inputs)[2]), inputs,
                lambda *a: dot(lstm_step_forward(*a)[:2], (dh, dc)))
    return grade_outputs(attempt, outputs, cases, lstm_step_backward, step_backward, STEP_BACKWARD, fd=fd)


@question("lstm_backward", points=4, chapter=CHAPTER,
          signature="lstm_backward(dh_seq, cache, dh_T=None, dc_T=None)",
          arg_names=("dh_seq", "cache", "dh_T", "dc_T"),
          crash_hint="the sequence cache has a field steps, a tuple of step caches; " + CACHE_HINT)
def _lstm_backward(attempt):
    from rnnlearn.numpy import lstm_backward, lstm_forward

    rng, cases = attempt.rng, []
    for N, T, D, H, with_final in [(2, 5, 3, 4, False), (3, 4, 2, 3, True), (1, 1, 3, 2, True)]:
        cache = lstm_forward(*_seq_inputs(rng, N, T, D, H))[3]
        finals = (rng.normal(size=(N, H)), rng.normal(size=(N, H))) if with_final else (None, None)
        label = f"N={N}, T={T}, D={D}, H={H}, dh_T and dc_T {'given' if with_final else 'None'}"
        cases.append(Case(label, (rng.normal(size=(N, T, H)), cache) + finals))
    outputs = (Output("dx", "(N, T, D)"), Output("dh0", "(N, H)"), Output("dc0", "(N, H)"),
               Output("grads", GRAD_LETTERS))
    inputs = _seq_inputs(rng, 1, 3, 2, 2)
    dh_seq, dh_T, dc_T = rng.normal(size=(1, 3, 2)), rng.normal(size=(1, 2)), rng.normal(size=(1, 2))
    # L = sum(h_seq * dh_seq) + sum(h_T * dh_T) + sum(c_T * dc_T)
    fd = FDCase("N=1, T=3, D=2, H=2, dh_T and dc_T given", (dh_seq, lstm_forward(*inputs)[3], dh_T, dc_T),
                inputs, lambda *a: dot(lstm_forward(*a)[:3], (dh_seq, dh_T, dc_T)))
    return grade_outputs(attempt, outputs, cases, lstm_backward, seq_backward, SEQ_BACKWARD, fd=fd)


def _seq_inputs(rng, N, T, D, H):
    """``(x, h0, c0, params)`` for an LSTM over a sequence."""
    return (rng.normal(size=(N, T, D)), rng.normal(0, 0.8, (N, H)), rng.normal(0, 0.8, (N, H)),
            random_params("lstm", D, H, rng=rng))
