"""Questions of chapter 01_rnn_equations: the tanh RNN forward pass, shapes, parameters."""

from __future__ import annotations

import numpy as np

from . import wrong_rnn as W
from .compare import Case, Output, grade_outputs
from .registry import question

CHAPTER = "01_rnn_equations"
LAYOUT_HINT = ("check the weight layout: weight_ih is (H, D) and weight_hh is (H, H) like "
               "torch.nn.RNNCell, so a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh.")


def rnn_params(rng, D, H):
    """Random float64 RNN parameters laid out like ``torch.nn.RNNCell``, biases included."""
    return {"weight_ih": rng.normal(0, 0.6, (H, D)), "weight_hh": rng.normal(0, 0.6, (H, H)),
            "bias_ih": rng.normal(0, 0.5, H), "bias_hh": rng.normal(0, 0.5, H)}


def cell_params(rng, D, H, gates):
    """Random float64 parameters of a cell with ``gates`` row blocks (LSTM 4, GRU 3), biases included."""
    G = gates * H
    return {"weight_ih": rng.normal(0, 0.5, (G, D)), "weight_hh": rng.normal(0, 0.5, (G, H)),
            "bias_ih": rng.normal(0, 0.5, G), "bias_hh": rng.normal(0, 0.5, G)}


def step_cases(rng):
    """Square weights first (a transpose still runs, so it can be recognised), then D != H, N = 1."""
    cases = []
    for N, D, H in [(3, 4, 4), (2, 3, 5), (1, 6, 2)]:
        label = f"N={N}, D={D}, H={H}"
        cases.append(Case(label, (rng.normal(size=(N, D)), rng.normal(0, 0.8, (N, H)), rnn_params(rng, D, H))))
    return cases


def seq_cases(rng):
    cases = []
    for N, T, D, H in [(2, 5, 4, 4), (3, 4, 2, 5), (1, 1, 3, 2)]:
        label = f"N={N}, T={T}, D={D}, H={H}"
        cases.append(Case(label, (rng.normal(size=(N, T, D)), rng.normal(0, 0.8, (N, H)), rnn_params(rng, D, H))))
    return cases


@question("rnn_step_forward", points=2, chapter=CHAPTER, signature="rnn_step_forward(x, h_prev, params)",
          arg_names=("x", "h_prev", "params"), crash_hint=LAYOUT_HINT)
def _rnn_step_forward(ctx):
    from rnnlearn.numpy import rnn_step_forward

    outputs = (Output("h_next", "(N, H)"), Output("cache"))
    return grade_outputs(ctx, outputs, step_cases(ctx.rng), rnn_step_forward,
                         lambda x, h, p, m: (W.step_forward(x, h, p, m), None), W.STEP_FORWARD)


@question("rnn_forward", points=3, chapter=CHAPTER, signature="rnn_forward(x, h0, params)",
          arg_names=("x", "h0", "params"),
          crash_hint="x is batch first, (N, T, D): step t reads x[:, t]. " + LAYOUT_HINT)
def _rnn_forward(ctx):
    from rnnlearn.numpy import rnn_forward

    outputs = (Output("h_seq", "(N, T, H)"), Output("h_T", "(N, H)"), Output("cache"))
    return grade_outputs(ctx, outputs, seq_cases(ctx.rng), rnn_forward,
                         lambda x, h0, p, m: W.seq_forward(x, h0, p, m) + (None,), W.SEQ_FORWARD)


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
def _rnn_shapes(ctx):
    configs = [(3, 5, 4, 6, 1, False, False), (2, 7, 3, 5, 2, False, True),
               (4, 3, 2, 8, 1, True, False), (1, 2, 5, 3, 3, True, True)]
    cases = [Case(f"N={c[0]}, T={c[1]}, D={c[2]}, H={c[3]}, num_layers={c[4]}, "
                  f"bidirectional={c[5]}, batch_first={c[6]}", c) for c in configs]
    outputs = (Output("output_shape", "shape"), Output("h_n_shape", "shape"))
    return grade_outputs(ctx, outputs, cases, torch_shapes,
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
def _rnn_num_params(ctx):
    cases = []
    for cell in ("rnn", "lstm", "gru"):
        for D, H, layers, bi in [(3, 5, 1, False), (5, 3, 2, True), (6, 3, 3, False), (2, 4, 2, False)]:
            label = f"D={D}, H={H}, cell={cell!r}, num_layers={layers}, bidirectional={bi}"
            cases.append(Case(label, (D, H, cell, layers, bi), cell))
    return grade_outputs(ctx, (Output("count", "int"),), cases, torch_num_params,
                         lambda *a: num_params(*a[:-1], mistake=a[-1]), NUM_PARAMS)
