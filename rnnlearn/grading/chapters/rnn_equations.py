"""Chapter 01_rnn_equations: the tanh RNN forward pass, its shapes and parameter count.

Every question here with its cases, its reference (``rnnlearn.numpy`` or ``torch.nn``)
and its known-wrong variants: each variant function computes the right thing with
``mistake=None`` and reproduces one classic mistake otherwise; a learner's output that
equals a variant's output on the same inputs gets that variant's hint.

    h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)
"""

from __future__ import annotations

import numpy as np

from rnnlearn.numpy import random_params

from ..registry import question
from ..scoring import Case, Output, grade_outputs

CHAPTER = "01_rnn_equations"
LAYOUT_HINT = ("check the weight layout: weight_ih is (H, D) and weight_hh is (H, H) like "
               "torch.nn.RNNCell, so a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh.")

STEP_FORWARD = {
    "transposed": "the weights look transposed: weight_ih is (H, D) and weight_hh is (H, H) "
                  "like torch.nn, so compute x @ W_ih.T and h_prev @ W_hh.T.",
    "no_bias_hh": "bias_hh is missing: torch's RNN cell adds two biases, b_ih and b_hh.",
    "no_bias_ih": "bias_ih is missing: torch's RNN cell adds two biases, b_ih and b_hh.",
    "sigmoid": "you used the sigmoid; the RNN cell's nonlinearity is tanh.",
    "no_tanh": "the tanh is missing: h_next = tanh(a), not the pre-activation a.",
    "no_h_prev": "h_prev is not used: the recurrent term h_prev @ W_hh.T is missing.",
}

SEQ_FORWARD = {
    "off_by_one": "off by one in time: h_seq[:, t] must be the state *after* reading x[:, t] "
                  "(h_1 ... h_T), not the state before it (h_0 ... h_{T-1}).",
    "h0_every_step": "the state is not carried: every step starts again from h0 instead of "
                     "the previous step's h.",
    "h_T_first": "h_T should be the last state h_seq[:, -1], not the first.",
    "reversed": "the sequence is read backwards in time: start at t = 0.",
    **{key: "inside each step: " + hint for key, hint in STEP_FORWARD.items()},
}


def step_forward(x, h_prev, params, mistake=None):
    """One tanh RNN step, right or with ``mistake`` (a key of ``STEP_FORWARD``)."""
    W_ih, W_hh = params["weight_ih"], params["weight_hh"]
    b_ih = 0 * params["bias_ih"] if mistake == "no_bias_ih" else params["bias_ih"]
    b_hh = 0 * params["bias_hh"] if mistake == "no_bias_hh" else params["bias_hh"]
    if mistake == "transposed":
        W_ih, W_hh = W_ih.T, W_hh.T
    recurrent = 0 * h_prev @ W_hh.T if mistake == "no_h_prev" else h_prev @ W_hh.T
    # a = x W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
    a = x @ W_ih.T + b_ih + recurrent + b_hh  # (N, H)
    if mistake == "sigmoid":
        return 1.0 / (1.0 + np.exp(-a))
    return a if mistake == "no_tanh" else np.tanh(a)


def seq_forward(x, h0, params, mistake=None):
    """``(h_seq, h_T)`` of a tanh RNN over ``x`` (N, T, D); ``mistake`` from ``SEQ_FORWARD``."""
    step_mistake = mistake if mistake in STEP_FORWARD else None
    T = x.shape[1]
    order = range(T - 1, -1, -1) if mistake == "reversed" else range(T)
    h, states, before = h0, [None] * T, [None] * T
    for t in order:
        before[t] = h
        h = step_forward(x[:, t], h0 if mistake == "h0_every_step" else h, params, step_mistake)
        states[t] = h
    h_seq = np.stack(before if mistake == "off_by_one" else states, axis=1)  # (N, T, H)
    h_T = h_seq[:, 0] if mistake == "h_T_first" else h
    return h_seq, h_T


def step_cases(rng):
    """Square weights first (a transpose still runs, so it can be recognised), then D != H, N = 1."""
    cases = []
    for N, D, H in [(3, 4, 4), (2, 3, 5), (1, 6, 2)]:
        label = f"N={N}, D={D}, H={H}"
        x, h_prev = rng.normal(size=(N, D)), rng.normal(0, 0.8, (N, H))
        cases.append(Case(label, (x, h_prev, random_params("rnn", D, H, rng=rng))))
    return cases


def seq_cases(rng):
    cases = []
    for N, T, D, H in [(2, 5, 4, 4), (3, 4, 2, 5), (1, 1, 3, 2)]:
        label = f"N={N}, T={T}, D={D}, H={H}"
        x, h0 = rng.normal(size=(N, T, D)), rng.normal(0, 0.8, (N, H))
        cases.append(Case(label, (x, h0, random_params("rnn", D, H, rng=rng))))
    return cases


@question("rnn_step_forward", points=2, chapter=CHAPTER, signature="rnn_step_forward(x, h_prev, params)",
          arg_names=("x", "h_prev", "params"), crash_hint=LAYOUT_HINT)
def _rnn_step_forward(attempt):
    from rnnlearn.numpy import rnn_step_forward

    outputs = (Output("h_next", "(N, H)"), Output("cache"))
    return grade_outputs(attempt, outputs, step_cases(attempt.rng), rnn_step_forward,
                         lambda x, h, p, m: (step_forward(x, h, p, m), None), STEP_FORWARD)


@question("rnn_forward", points=3, chapter=CHAPTER, signature="rnn_forward(x, h0, params)",
          arg_names=("x", "h0", "params"),
          crash_hint="x is batch first, (N, T, D): step t reads x[:, t]. " + LAYOUT_HINT)
def _rnn_forward(attempt):
    from rnnlearn.numpy import rnn_forward

    outputs = (Output("h_seq", "(N, T, H)"), Output("h_T", "(N, H)"), Output("cache"))
    return grade_outputs(attempt, outputs, seq_cases(attempt.rng), rnn_forward,
                         lambda x, h0, p, m: seq_forward(x, h0, p, m) + (None,), SEQ_FORWARD)


SHAPES = {
    "h_n_batch_first": "batch_first changes the layout of input and output only; h_n is always "
                       "(num_layers * num_directions, N, H).",
    "output_ignores_batch_first": "with batch_first=True the output is (N, T, num_directions * H).",
    "output_one_direction": "a bidirectional RNN concatenates both directions: the output's last "
                            "axis is 2 * H.",
    "h_n_layers_only": "h_n has one row per layer *and* direction: num_layers * num_directions.",
}


def shapes(N, T, D, H, num_layers=1, bidirectional=False, batch_first=False, mistake=None):
    """Shapes of ``torch.nn.RNN``'s ``(output, h_n)``, or with ``mistake`` (a key of ``SHAPES``)."""
    dirs = 2 if bidirectional else 1
    out = (N, T) if batch_first and mistake != "output_ignores_batch_first" else (T, N)
    out = out + (H if mistake == "output_one_direction" else dirs * H,)
    rows = num_layers if mistake == "h_n_layers_only" else num_layers * dirs
    h_n = (N, rows, H) if batch_first and mistake == "h_n_batch_first" else (rows, N, H)
    return out, h_n


def torch_shapes(N, T, D, H, num_layers, bidirectional, batch_first):
    """Run a real ``torch.nn.RNN`` (without touching the global RNG) and read its shapes."""
    import torch

    with torch.random.fork_rng(devices=[]):
        rnn = torch.nn.RNN(D, H, num_layers, batch_first=batch_first, bidirectional=bidirectional)
        x = torch.zeros((N, T, D) if batch_first else (T, N, D))
        with torch.no_grad():
            output, h_n = rnn(x)
    return tuple(output.shape), tuple(h_n.shape)


@question("rnn_shapes", points=2, chapter=CHAPTER,
          signature="rnn_shapes(N, T, D, H, num_layers=1, bidirectional=False, batch_first=False)",
          arg_names=("N", "T", "D", "H", "num_layers", "bidirectional", "batch_first"),
          also_forbidden=(("/torch/nn/modules/rnn.py", "*"),))
def _rnn_shapes(attempt):
    # Fresh sizes on every run (a lookup table cannot pass); the flags cover every mistake.
    # N (7-9) differs from T (2-6) and from every h_n row count (<= 6), and the N = 1 case
    # has T >= 2, so that each layout mistake changes a shape.
    rng = attempt.rng

    def size():
        return int(rng.integers(2, 13))

    flags = [(1, False, False), (2, False, True), (1, True, False), (3, True, True)]
    configs = [(1 if i == 3 else int(rng.integers(7, 10)), int(rng.integers(2, 7)), size(), size()) + f
               for i, f in enumerate(flags)]
    cases = [Case(f"N={c[0]}, T={c[1]}, D={c[2]}, H={c[3]}, num_layers={c[4]}, "
                  f"bidirectional={c[5]}, batch_first={c[6]}", c) for c in configs]
    outputs = (Output("output_shape", "shape"), Output("h_n_shape", "shape"))
    return grade_outputs(attempt, outputs, cases, torch_shapes,
                         lambda *a: shapes(*a[:-1], mistake=a[-1]), SHAPES)


NUM_PARAMS = {
    "one_bias": "torch.nn keeps two bias vectors per layer and direction, bias_ih and bias_hh.",
    "no_gates": "an LSTM has 4 blocks (i, f, g, o) and a GRU 3 (r, z, n) in every weight and bias.",
    "deep_input_D": "layers after the first read the previous layer's output: their input size "
                    "is H * num_directions, not D.",
    "no_bidirectional": "a bidirectional RNN has a second, reverse set of parameters per layer.",
    "deep_input_H": "after a bidirectional layer the next layer's input size is 2 * H.",
}


def num_params(D, H, cell="rnn", num_layers=1, bidirectional=False, mistake=None):
    """Parameter count of ``torch.nn.RNN/LSTM/GRU``, or with ``mistake`` (a key of ``NUM_PARAMS``)."""
    G = 1 if mistake == "no_gates" else {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    dirs = 2 if bidirectional and mistake != "no_bidirectional" else 1
    total = 0
    for layer in range(num_layers):
        size_in = D if layer == 0 or mistake == "deep_input_D" else (H if mistake == "deep_input_H" else dirs * H)
        biases = 1 if mistake == "one_bias" else 2
        # per direction: W_ih (GH, in) + W_hh (GH, H) + b_ih, b_hh (GH,)
        total += dirs * (G * H * (size_in + H) + biases * G * H)
    return total


def torch_num_params(D, H, cell, num_layers, bidirectional):
    import torch

    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    with torch.random.fork_rng(devices=[]):
        net = module(D, H, num_layers, bidirectional=bidirectional)
    return sum(p.numel() for p in net.parameters())


@question("rnn_num_params", points=2, chapter=CHAPTER,
          signature='rnn_num_params(D, H, cell="rnn", num_layers=1, bidirectional=False)',
          arg_names=("D", "H", "cell", "num_layers", "bidirectional"),
          also_forbidden=(("/torch/nn/modules/rnn.py", "*"),))
def _rnn_num_params(attempt):
    # Fresh sizes on every run; D differs from H and from 2H, so that each mistake about
    # the input size of deeper layers changes the count.
    rng, cases = attempt.rng, []

    def sizes():
        H = int(rng.integers(2, 9))
        D = int(rng.choice([d for d in range(2, 19) if d not in (H, 2 * H)]))
        return D, H

    for cell in ("rnn", "lstm", "gru"):
        for layers, bi in [(1, False), (2, True), (3, False), (2, False)]:
            D, H = sizes()
            label = f"D={D}, H={H}, cell={cell!r}, num_layers={layers}, bidirectional={bi}"
            cases.append(Case(label, (D, H, cell, layers, bi), cell))
    return grade_outputs(attempt, (Output("count", "int"),), cases, torch_num_params,
                         lambda *a: num_params(*a[:-1], mistake=a[-1]), NUM_PARAMS)
