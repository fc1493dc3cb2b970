"""Questions of chapter 02_bptt: backward passes, clipping and truncated BPTT.

Backward questions build the cache with the *reference* forward (``rnnlearn.numpy``)
and pass it to the learner's backward; the exercise tells the learner its fields.
"""

from __future__ import annotations


from . import wrong_bptt as B
from . import wrong_rnn as W
from .compare import Case, Output, grade_outputs
from .fd import FDCase, dot
from .q_rnn_equations import rnn_params
from .registry import question

CHAPTER = "02_bptt"
GRAD_LETTERS = {"weight_ih": "(H, D)", "weight_hh": "(H, H)", "bias_ih": "(H,)", "bias_hh": "(H,)"}
CACHE_HINT = ("the step cache has fields x, h_prev, h_next and params; "
              "read them as cache.x, cache.h_prev, cache.h_next, cache.params.")


def _seq_case(rng, N, T, D, H):
    from rnnlearn.numpy import rnn_forward

    x, h0, params = rng.normal(size=(N, T, D)), rng.normal(0, 0.8, (N, H)), rnn_params(rng, D, H)
    _, _, cache = rnn_forward(x, h0, params)
    return rng.normal(size=(N, T, H)), cache


@question("rnn_step_backward", points=3, chapter=CHAPTER, signature="rnn_step_backward(dh_next, cache)",
          arg_names=("dh_next", "cache"), crash_hint=CACHE_HINT)
def _rnn_step_backward(ctx):
    from rnnlearn.numpy import rnn_step_backward, rnn_step_forward

    cases = []
    for N, D, H in [(3, 4, 4), (2, 3, 5), (1, 6, 2)]:
        x, h, p = ctx.rng.normal(size=(N, D)), ctx.rng.normal(0, 0.8, (N, H)), rnn_params(ctx.rng, D, H)
        _, cache = rnn_step_forward(x, h, p)
        cases.append(Case(f"N={N}, D={D}, H={H}", (ctx.rng.normal(size=(N, H)), cache)))
    outputs = (Output("dx", "(N, D)"), Output("dh_prev", "(N, H)"), Output("grads", GRAD_LETTERS))
    x, h, p, dh = ctx.rng.normal(size=(2, 2)), ctx.rng.normal(0, 0.8, (2, 3)), rnn_params(ctx.rng, 2, 3), \
        ctx.rng.normal(size=(2, 3))
    # L = sum(h_next * dh_next)
    fd = FDCase("N=2, D=2, H=3", (dh, rnn_step_forward(x, h, p)[1]), (x, h, p),
                lambda x, h, p: dot(rnn_step_forward(x, h, p)[:1], (dh,)))
    return grade_outputs(ctx, outputs, cases, rnn_step_backward, W.step_backward, W.STEP_BACKWARD, fd=fd)


@question("rnn_backward", points=3, chapter=CHAPTER, signature="rnn_backward(dh_seq, cache, dh_T=None)",
          arg_names=("dh_seq", "cache", "dh_T"),
          crash_hint="the sequence cache has a field steps, a tuple of step caches; " + CACHE_HINT)
def _rnn_backward(ctx):
    from rnnlearn.numpy import rnn_backward, rnn_forward

    cases = []
    for N, T, D, H, with_dh_T in [(2, 5, 4, 4, False), (3, 4, 2, 5, True), (1, 1, 3, 2, True)]:
        dh_seq, cache = _seq_case(ctx.rng, N, T, D, H)
        dh_T = ctx.rng.normal(size=(N, H)) if with_dh_T else None
        label = f"N={N}, T={T}, D={D}, H={H}, dh_T={'given' if with_dh_T else None}"
        cases.append(Case(label, (dh_seq, cache, dh_T)))
    outputs = (Output("dx", "(N, T, D)"), Output("dh0", "(N, H)"), Output("grads", GRAD_LETTERS))
    x, h0, p = ctx.rng.normal(size=(1, 3, 2)), ctx.rng.normal(0, 0.8, (1, 2)), rnn_params(ctx.rng, 2, 2)
    dh_seq, dh_T = ctx.rng.normal(size=(1, 3, 2)), ctx.rng.normal(size=(1, 2))
    # L = sum(h_seq * dh_seq) + sum(h_T * dh_T)
    fd = FDCase("N=1, T=3, D=2, H=2, dh_T given", (dh_seq, rnn_forward(x, h0, p)[2], dh_T), (x, h0, p),
                lambda x, h0, p: dot(rnn_forward(x, h0, p)[:2], (dh_seq, dh_T)))
    return grade_outputs(ctx, outputs, cases, rnn_backward, W.seq_backward, W.SEQ_BACKWARD, fd=fd)


def torch_clip(grads, max_norm):
    """The reference: ``torch.nn.utils.clip_grad_norm_`` on copies (eps 1e-6, rtol 1e-5)."""
    import torch

    tensors = []
    for g in grads.values():
        t = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        t.grad = torch.tensor(g, dtype=torch.float64)
        tensors.append(t)
    total = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    return {k: t.grad.numpy() for k, t in zip(grads, tensors)}, float(total)


@question("clip_grad_norm", points=2, chapter=CHAPTER, signature="clip_grad_norm(grads, max_norm)",
          arg_names=("grads", "max_norm"))
def _clip_grad_norm(ctx):
    cases = []
    for scale, max_norm, label in [(3.0, 1.0, "norm above max_norm"), (0.1, 5.0, "norm below max_norm"),
                                   (1.0, 0.5, "one large array")]:
        grads = {k: ctx.rng.normal(0, scale, shape) for k, shape in
                 [("weight_ih", (4, 3)), ("weight_hh", (4, 4)), ("bias_ih", (4,)), ("bias_hh", (4,))]}
        if label == "one large array":
            grads["bias_hh"] = grads["bias_hh"] * 20
        cases.append(Case(label, (grads, max_norm)))
    letters = {k: "like grads[" + repr(k) + "]" for k in GRAD_LETTERS}
    outputs = (Output("clipped_grads", letters, rtol=1e-5, atol=1e-12), Output("total_norm", "float", rtol=1e-5))
    return grade_outputs(ctx, outputs, cases, torch_clip, B.clip, B.CLIP)


@question("tbptt_backward", points=3, chapter=CHAPTER, signature="tbptt_backward(dh_seq, cache, k)",
          arg_names=("dh_seq", "cache", "k"), also_forbidden=(("/rnnlearn/numpy/", "rnn_backward"),),
          crash_hint="chunks are cache.steps[s:s+k] for s = 0, k, 2k, ...; " + CACHE_HINT)
def _tbptt_backward(ctx):
    cases = []
    for N, T, D, H, k in [(2, 7, 3, 4, 3), (1, 6, 2, 3, 2), (3, 4, 4, 4, 5)]:
        dh_seq, cache = _seq_case(ctx.rng, N, T, D, H)
        cases.append(Case(f"N={N}, T={T}, D={D}, H={H}, k={k}", (dh_seq, cache, k)))
    outputs = (Output("dx", "(N, T, D)"), Output("grads", GRAD_LETTERS))
    return grade_outputs(ctx, outputs, cases, B.tbptt, B.tbptt, B.TBPTT)


