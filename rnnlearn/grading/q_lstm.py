"""Questions of chapter 04_lstm: one LSTM step, forward and backward, and BPTT over a sequence.

The backward questions build the cache with the *reference* forward (``lstm_step_forward``,
``lstm_forward``) and pass it to the learner's backward; the exercise tells the learner its
fields.
"""

from __future__ import annotations

from . import wrong_lstm as L
from .compare import Case, Output, grade_outputs
from .fd import FDCase, dot
from .q_rnn_equations import cell_params
from .registry import question

CHAPTER = "04_lstm"
SIZES = [(3, 4, 4), (2, 3, 5), (1, 6, 2)]  # (N, D, H): D = H, D != H, N = 1
GRAD_LETTERS = {"weight_ih": "(4H, D)", "weight_hh": "(4H, H)", "bias_ih": "(4H,)", "bias_hh": "(4H,)"}
CACHE_HINT = ("the step cache has fields x, h_prev, c_prev, i, f, g, o, c_next, h_next and "
              "params; read them as cache.i, cache.c_prev, ...")


def _inputs(rng, N, D, H):
    """``(x, h_prev, c_prev, params)`` for one LSTM step."""
    return (rng.normal(size=(N, D)), rng.normal(0, 0.8, (N, H)), rng.normal(0, 0.8, (N, H)),
            cell_params(rng, D, H, 4))


@question("lstm_step_forward", points=2, chapter=CHAPTER,
          signature="lstm_step_forward(x, h_prev, c_prev, params)",
          arg_names=("x", "h_prev", "c_prev", "params"), crash_hint=L.LAYOUT)
def _lstm_step_forward(ctx):
    from rnnlearn.numpy import lstm_step_forward

    cases = [Case(f"N={N}, D={D}, H={H}", _inputs(ctx.rng, N, D, H)) for N, D, H in SIZES]
    outputs = (Output("h_next", "(N, H)"), Output("c_next", "(N, H)"), Output("cache"))
    return grade_outputs(ctx, outputs, cases, lstm_step_forward,
                         lambda x, h, c, p, m: L.step_forward(x, h, c, p, m) + (None,), L.STEP_FORWARD)


@question("lstm_step_backward", points=3, chapter=CHAPTER,
          signature="lstm_step_backward(dh_next, dc_next, cache)",
          arg_names=("dh_next", "dc_next", "cache"), crash_hint=CACHE_HINT)
def _lstm_step_backward(ctx):
    from rnnlearn.numpy import lstm_step_backward, lstm_step_forward

    cases = []
    for N, D, H in SIZES:
        cache = lstm_step_forward(*_inputs(ctx.rng, N, D, H))[2]
        upstream = (ctx.rng.normal(size=(N, H)), ctx.rng.normal(size=(N, H)))
        cases.append(Case(f"N={N}, D={D}, H={H}", upstream + (cache,)))
    outputs = (Output("dx", "(N, D)"), Output("dh_prev", "(N, H)"), Output("dc_prev", "(N, H)"),
               Output("grads", GRAD_LETTERS))
    inputs, dh, dc = _inputs(ctx.rng, 2, 2, 2), ctx.rng.normal(size=(2, 2)), ctx.rng.normal(size=(2, 2))
    # L = sum(h_next * dh_next) + sum(c_next * dc_next)
    fd = FDCase("N=2, D=2, H=2", (dh, dc, lstm_step_forward(*inputs)[2]), inputs,
                lambda *a: dot(lstm_step_forward(*a)[:2], (dh, dc)))
    return grade_outputs(ctx, outputs, cases, lstm_step_backward, L.step_backward, L.STEP_BACKWARD, fd=fd)


@question("lstm_backward", points=4, chapter=CHAPTER,
          signature="lstm_backward(dh_seq, cache, dh_T=None, dc_T=None)",
          arg_names=("dh_seq", "cache", "dh_T", "dc_T"),
          crash_hint="the sequence cache has a field steps, a tuple of step caches; " + CACHE_HINT)
def _lstm_backward(ctx):
    from rnnlearn.numpy import lstm_backward, lstm_forward

    cases = []
    for N, T, D, H, with_final in [(2, 5, 3, 4, False), (3, 4, 2, 3, True), (1, 1, 3, 2, True)]:
        x, h0, c0, params = _seq_inputs(ctx.rng, N, T, D, H)
        cache = lstm_forward(x, h0, c0, params)[3]
        finals = (ctx.rng.normal(size=(N, H)), ctx.rng.normal(size=(N, H))) if with_final else (None, None)
        label = f"N={N}, T={T}, D={D}, H={H}, dh_T and dc_T {'given' if with_final else 'None'}"
        cases.append(Case(label, (ctx.rng.normal(size=(N, T, H)), cache) + finals))
    outputs = (Output("dx", "(N, T, D)"), Output("dh0", "(N, H)"), Output("dc0", "(N, H)"),
               Output("grads", GRAD_LETTERS))
    inputs = _seq_inputs(ctx.rng, 1, 3, 2, 2)
    dh_seq, dh_T, dc_T = ctx.rng.normal(size=(1, 3, 2)), ctx.rng.normal(size=(1, 2)), ctx.rng.normal(size=(1, 2))
    # L = sum(h_seq * dh_seq) + sum(h_T * dh_T) + sum(c_T * dc_T)
    fd = FDCase("N=1, T=3, D=2, H=2, dh_T and dc_T given", (dh_seq, lstm_forward(*inputs)[3], dh_T, dc_T),
                inputs, lambda *a: dot(lstm_forward(*a)[:3], (dh_seq, dh_T, dc_T)))
    return grade_outputs(ctx, outputs, cases, lstm_backward, L.seq_backward, L.SEQ_BACKWARD, fd=fd)


def _seq_inputs(rng, N, T, D, H):
    """``(x, h0, c0, params)`` for an LSTM over a sequence."""
    return (rng.normal(size=(N, T, D)), rng.normal(0, 0.8, (N, H)), rng.normal(0, 0.8, (N, H)),
            cell_params(rng, D, H, 4))
