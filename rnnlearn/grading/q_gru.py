"""Questions of chapter 05_gru: one GRU step (PyTorch's convention), forward and backward.

The backward question builds the cache with the *reference* ``gru_step_forward`` and
passes it to the learner's backward; the exercise tells the learner its fields.
"""

from __future__ import annotations

from . import wrong_gru as G
from .compare import Case, Output, grade_outputs
from .fd import FDCase, dot
from .q_rnn_equations import cell_params
from .registry import question

CHAPTER = "05_gru"
SIZES = [(3, 4, 4), (2, 3, 5), (1, 6, 2)]  # (N, D, H): D = H, D != H, N = 1
GRAD_LETTERS = {"weight_ih": "(3H, D)", "weight_hh": "(3H, H)", "bias_ih": "(3H,)", "bias_hh": "(3H,)"}
CACHE_HINT = ("the step cache has fields x, h_prev, r, z, n, hn_lin (= W_hn h_prev + b_hn), "
              "h_next and params; read them as cache.r, cache.hn_lin, ...")


def _inputs(rng, N, D, H):
    """``(x, h_prev, params)`` for one GRU step."""
    return rng.normal(size=(N, D)), rng.normal(0, 0.8, (N, H)), cell_params(rng, D, H, 3)


@question("gru_step_forward", points=2, chapter=CHAPTER, signature="gru_step_forward(x, h_prev, params)",
          arg_names=("x", "h_prev", "params"), crash_hint=G.LAYOUT)
def _gru_step_forward(ctx):
    from rnnlearn.numpy import gru_step_forward

    cases = [Case(f"N={N}, D={D}, H={H}", _inputs(ctx.rng, N, D, H)) for N, D, H in SIZES]
    outputs = (Output("h_next", "(N, H)"), Output("cache"))
    return grade_outputs(ctx, outputs, cases, gru_step_forward,
                         lambda x, h, p, m: (G.step_forward(x, h, p, m), None), G.STEP_FORWARD)


@question("gru_step_backward", points=3, chapter=CHAPTER, signature="gru_step_backward(dh_next, cache)",
          arg_names=("dh_next", "cache"), crash_hint=CACHE_HINT)
def _gru_step_backward(ctx):
    from rnnlearn.numpy import gru_step_backward, gru_step_forward

    cases = []
    for N, D, H in SIZES:
        cache = gru_step_forward(*_inputs(ctx.rng, N, D, H))[1]
        cases.append(Case(f"N={N}, D={D}, H={H}", (ctx.rng.normal(size=(N, H)), cache)))
    outputs = (Output("dx", "(N, D)"), Output("dh_prev", "(N, H)"), Output("grads", GRAD_LETTERS))
    inputs, dh = _inputs(ctx.rng, 2, 2, 3), ctx.rng.normal(size=(2, 3))
    # L = sum(h_next * dh_next)
    fd = FDCase("N=2, D=2, H=3", (dh, gru_step_forward(*inputs)[1]), inputs,
                lambda *a: dot(gru_step_forward(*a)[:1], (dh,)))
    return grade_outputs(ctx, outputs, cases, gru_step_backward, G.step_backward, G.STEP_BACKWARD, fd=fd)
