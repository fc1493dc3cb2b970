"""Chapter 02_bptt: backward passes, clipping, truncated BPTT, and a character model trained with them.

Every question here with its cases, its reference and its known-wrong variants (each
variant function is right with ``mistake=None`` and reproduces one classic mistake
otherwise). Backward questions build the cache with the *reference* forward
(``rnnlearn.numpy``) and pass it to the learner's backward; the exercise tells the
learner its fields. Only the caches' documented fields are read (``x, h_prev, h_next,
params`` for a step, ``steps`` for a sequence).

``char_rnn_loss_grads`` is graded twice: against the reference on small inputs, then by
training a model with the answer (``CHAR_TRAIN``) and comparing its validation loss
with the bigram baseline.

Truncated BPTT(k, k): time is split into consecutive chunks of ``k`` steps (the last may
be shorter), full BPTT runs inside each chunk, no gradient crosses a chunk boundary,
parameter gradients are summed over chunks.
"""

from __future__ import annotations

import numpy as np

from rnnlearn.numpy import random_params

from ..finite_differences import FDCase, dot
from ..registry import question
from ..result import Part
from ..scoring import Case, Output, grade_outputs

CHAPTER = "02_bptt"

STEP_BACKWARD = {
    "no_tanh_grad": "the tanh derivative is missing: da = dh_next * (1 - h_next**2).",
    "tanh_grad_h_prev": "the tanh derivative uses the wrong state: it is 1 - h_next**2 "
                        "(the output of this tanh), not 1 - h_prev**2.",
    "tanh_grad_no_square": "the tanh derivative is 1 - h_next**2, not 1 - h_next.",
    "dh_transposed": "dh_prev = da @ W_hh (no transpose: the forward used h_prev @ W_hh.T).",
    "dW_transposed": "the weight gradients look transposed: dW_ih = da.T @ x is (H, D) "
                     "like weight_ih, and dW_hh = da.T @ h_prev.",
    "bias_not_summed": "sum the bias gradients over the batch axis: db = da.sum(axis=0).",
    "no_db_hh": "the gradient of bias_hh is missing or zero: it equals the gradient of bias_ih.",
}

SEQ_BACKWARD = {
    "no_recurrent": "the recurrent gradient is not accumulated across time steps: the dh "
                    "entering step t is dh_seq[:, t] plus the dh_prev coming back from step t+1.",
    "grads_overwritten": "parameter gradients must be summed over all time steps, not "
                         "overwritten by each step.",
    "ignore_dh_T": "dh_T is ignored: it is added to the gradient entering the last step.",
    "off_by_one": "off by one in time: dh_seq[:, t] belongs to the step that produced "
                  "h_seq[:, t] (step t), not to step t-1.",
    "skip_first": "the loop stops too early: step 0 must be backpropagated too "
                  "(range(T-1, -1, -1)).",
    **{key: "inside each step: " + hint for key, hint in STEP_BACKWARD.items()},
}


def step_backward(dh_next, cache, mistake=None):
    """``(dx, dh_prev, grads)`` of one step from its cache; ``mistake`` from ``STEP_BACKWARD``."""
    x, h_prev, h_next, p = cache.x, cache.h_prev, cache.h_next, cache.params
    if mistake == "no_tanh_grad":
        da = dh_next
    elif mistake == "tanh_grad_h_prev":
        da = dh_next * (1 - h_prev ** 2)
    elif mistake == "tanh_grad_no_square":
        da = dh_next * (1 - h_next)
    else:
        # da = dh_t * (1 - h_t^2)
        da = dh_next * (1 - h_next ** 2)  # (N, H)
    dx = da @ p["weight_ih"]  # (N, D)
    dh_prev = da @ (p["weight_hh"].T if mistake == "dh_transposed" else p["weight_hh"])  # (N, H)
    dW_ih, dW_hh = da.T @ x, da.T @ h_prev  # (H, D), (H, H)
    if mistake == "dW_transposed":
        dW_ih, dW_hh = dW_ih.T, dW_hh.T
    db = da if mistake == "bias_not_summed" else da.sum(axis=0)  # (H,)
    grads = {"weight_ih": dW_ih, "weight_hh": dW_hh, "bias_ih": db,
             "bias_hh": 0 * db if mistake == "no_db_hh" else db}
    return dx, dh_prev, grads


def seq_backward(dh_seq, cache, dh_T=None, mistake=None, *, start=0, stop=None):
    """``(dx, dh0, grads)`` of BPTT over ``cache.steps[start:stop]``; ``mistake`` from ``SEQ_BACKWARD``.

    ``dh_T`` enters the last step of the range (zero if None).
    """
    steps = cache.steps
    stop = len(steps) if stop is None else stop
    step_mistake = mistake if mistake in STEP_BACKWARD else None
    dh = np.zeros_like(steps[stop - 1].h_next) if dh_T is None or mistake == "ignore_dh_T" else dh_T
    dx = np.zeros(dh_seq.shape[:2] + steps[0].x.shape[1:], dtype=dh_seq.dtype)  # (N, T, D)
    grads = {k: np.zeros_like(v) for k, v in steps[0].params.items()}
    lowest = start + 1 if mistake == "skip_first" else start
    for t in range(stop - 1, lowest - 1, -1):
        t_in = min(t + 1, stop - 1) if mistake == "off_by_one" else t
        carried = 0 * dh if mistake == "no_recurrent" else dh
        dx[:, t], dh, step_grads = step_backward(dh_seq[:, t_in] + carried, steps[t], step_mistake)
        for k, g in step_grads.items():
            grads[k] = g if mistake == "grads_overwritten" else grads[k] + g
    return dx, dh, grads


TBPTT = {
    "full_bptt": "the gradient leaks across chunk boundaries: the dh entering the end of each "
                 "chunk from the future must be zero (this is full BPTT).",
    "chunk_plus_1": "chunk off by one: chunks are k steps long (t = 0..k-1, k..2k-1, ...), "
                    "you used k + 1.",
    "chunk_minus_1": "chunk off by one: chunks are k steps long (t = 0..k-1, k..2k-1, ...), "
                     "you used k - 1.",
    "from_end": "chunks start at t = 0 (so the *last* chunk may be shorter), not at the end.",
    "last_chunk_grads": "parameter gradients must be summed over all chunks, not taken from "
                        "one chunk only.",
    "no_recurrent": "inside a chunk, the recurrent gradient must still flow from step t+1 "
                    "to step t.",
}

CLIP = {
    "per_tensor": "you clipped each array by its own norm; Pascanu's Algorithm 1 uses one "
                  "global norm over all arrays as if concatenated.",
    "elementwise": "you clipped element-wise (clamp to +-max_norm); clip_grad_norm rescales "
                   "all arrays by max_norm / total_norm.",
    "always_rescale": "rescale only when total_norm >= max_norm: small gradients are left "
                      "unchanged, never scaled up.",
    "sum_of_norms": "the total norm is sqrt(sum of squares of every entry), not the sum of "
                    "the arrays' norms.",
    "norm_after": "return the norm *before* clipping (it is what you log to spot explosions).",
    "squared_norm": "the total norm is the square root of the sum of squares (missing sqrt).",
}


def tbptt(dh_seq, cache, k, mistake=None):
    """``(dx, grads)`` of truncated BPTT(k, k) over a full-sequence RNN cache."""
    T = len(cache.steps)
    size = {"chunk_plus_1": k + 1, "chunk_minus_1": max(k - 1, 1)}.get(mistake, k)
    if mistake == "full_bptt":
        dx, _, grads = seq_backward(dh_seq, cache)
        return dx, grads
    if mistake == "from_end":
        bounds = [(max(e - size, 0), e) for e in range(T, 0, -size)]
    else:
        bounds = [(s, min(s + size, T)) for s in range(0, T, size)]
    dx = np.zeros(dh_seq.shape[:2] + cache.steps[0].x.shape[1:], dtype=dh_seq.dtype)  # (N, T, D)
    grads = {key: np.zeros_like(v) for key, v in cache.steps[0].params.items()}
    inner = "no_recurrent" if mistake == "no_recurrent" else None
    for start, stop in bounds:
        # no gradient from the future: dh entering the chunk's last step is zero
        chunk_dx, _, chunk_grads = seq_backward(dh_seq, cache, None, inner, start=start, stop=stop)
        dx[:, start:stop] = chunk_dx[:, start:stop]
        for key, g in chunk_grads.items():
            grads[key] = g if mistake == "last_chunk_grads" else grads[key] + g
    return dx, grads


def clip(grads, max_norm, mistake=None):
    """``(clipped_grads, total_norm)``; ``mistake`` from ``CLIP``."""
    norms = {key: float(np.sqrt(np.sum(g ** 2))) for key, g in grads.items()}
    # ||g|| = sqrt(sum_k ||g_k||^2)
    total = float(np.sqrt(sum(n ** 2 for n in norms.values())))
    if mistake == "sum_of_norms":
        total = sum(norms.values())
    if mistake == "squared_norm":
        total = total ** 2
    if mistake == "per_tensor":
        out = {key: g * min(1.0, max_norm / norms[key]) if norms[key] > 0 else g.copy()
               for key, g in grads.items()}
        return out, total
    if mistake == "elementwise":
        return {key: np.clip(g, -max_norm, max_norm) for key, g in grads.items()}, total
    scale = max_norm / total if (total >= max_norm or mistake == "always_rescale") else 1.0
    out = {key: g * scale for key, g in grads.items()}
    if mistake == "norm_after":
        total = float(np.sqrt(sum(np.sum(g ** 2) for g in out.values())))
    return out, total


GRAD_LETTERS = {"weight_ih": "(H, D)", "weight_hh": "(H, H)", "bias_ih": "(H,)", "bias_hh": "(H,)"}
CACHE_HINT = ("the step cache has fields x, h_prev, h_next and params; "
              "read them as cache.x, cache.h_prev, cache.h_next, cache.params.")


def _seq_case(rng, N, T, D, H):
    from rnnlearn.numpy import rnn_forward

    x, h0, params = rng.normal(size=(N, T, D)), rng.normal(0, 0.8, (N, H)), random_params("rnn", D, H, rng=rng)
    _, _, cache = rnn_forward(x, h0, params)
    return rng.normal(size=(N, T, H)), cache


@question("rnn_step_backward", points=3, chapter=CHAPTER, signature="rnn_step_backward(dh_next, cache)",
          arg_names=("dh_next", "cache"), crash_hint=CACHE_HINT)
def _rnn_step_backward(attempt):
    from rnnlearn.numpy import rnn_step_backward, rnn_step_forward

    rng, cases = attempt.rng, []
    for N, D, H in [(3, 4, 4), (2, 3, 5), (1, 6, 2)]:
        x, h, p = rng.normal(size=(N, D)), rng.normal(0, 0.8, (N, H)), random_params("rnn", D, H, rng=rng)
        _, cache = rnn_step_forward(x, h, p)
        cases.append(Case(f"N={N}, D={D}, H={H}", (rng.normal(size=(N, H)), cache)))
    outputs = (Output("dx", "(N, D)"), Output("dh_prev", "(N, H)"), Output("grads", GRAD_LETTERS))
    x, h, p = rng.normal(size=(2, 2)), rng.normal(0, 0.8, (2, 3)), random_params("rnn", 2, 3, rng=rng)
    dh = rng.normal(size=(2, 3))
    # L = sum(h_next * dh_next)
    fd = FDCase("N=2, D=2, H=3", (dh, rnn_step_forward(x, h, p)[1]), (x, h, p),
                lambda x, h, p: dot(rnn_step_forward(x, h, p)[:1], (dh,)))
    return grade_outputs(attempt, outputs, cases, rnn_step_backward, step_backward, STEP_BACKWARD, fd=fd)


@question("rnn_backward", points=3, chapter=CHAPTER, signature="rnn_backward(dh_seq, cache, dh_T=None)",
          arg_names=("dh_seq", "cache", "dh_T"),
          crash_hint="the sequence cache has a field steps, a tuple of step caches; " + CACHE_HINT)
def _rnn_backward(attempt):
    from rnnlearn.numpy import rnn_backward, rnn_forward

    cases = []
    for N, T, D, H, with_dh_T in [(2, 5, 4, 4, False), (3, 4, 2, 5, True), (1, 1, 3, 2, True)]:
        dh_seq, cache = _seq_case(attempt.rng, N, T, D, H)
        dh_T = attempt.rng.normal(size=(N, H)) if with_dh_T else None
        label = f"N={N}, T={T}, D={D}, H={H}, dh_T={'given' if with_dh_T else None}"
        cases.append(Case(label, (dh_seq, cache, dh_T)))
    outputs = (Output("dx", "(N, T, D)"), Output("dh0", "(N, H)"), Output("grads", GRAD_LETTERS))
    rng = attempt.rng
    x, h0, p = rng.normal(size=(1, 3, 2)), rng.normal(0, 0.8, (1, 2)), random_params("rnn", 2, 2, rng=rng)
    dh_seq, dh_T = rng.normal(size=(1, 3, 2)), rng.normal(size=(1, 2))
    # L = sum(h_seq * dh_seq) + sum(h_T * dh_T)
    fd = FDCase("N=1, T=3, D=2, H=2, dh_T given", (dh_seq, rnn_forward(x, h0, p)[2], dh_T), (x, h0, p),
                lambda x, h0, p: dot(rnn_forward(x, h0, p)[:2], (dh_seq, dh_T)))
    return grade_outputs(attempt, outputs, cases, rnn_backward, seq_backward, SEQ_BACKWARD, fd=fd)


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
def _clip_grad_norm(attempt):
    cases = []
    for scale, max_norm, label in [(3.0, 1.0, "norm above max_norm"), (0.1, 5.0, "norm below max_norm"),
                                   (1.0, 0.5, "one large array")]:
        grads = {k: attempt.rng.normal(0, scale, shape) for k, shape in
                 [("weight_ih", (4, 3)), ("weight_hh", (4, 4)), ("bias_ih", (4,)), ("bias_hh", (4,))]}
        if label == "one large array":
            grads["bias_hh"] = grads["bias_hh"] * 20
        cases.append(Case(label, (grads, max_norm)))
    letters = {k: "like grads[" + repr(k) + "]" for k in GRAD_LETTERS}
    outputs = (Output("clipped_grads", letters, rtol=1e-5, atol=1e-12), Output("total_norm", "float", rtol=1e-5))
    return grade_outputs(attempt, outputs, cases, torch_clip, clip, CLIP)


@question("tbptt_backward", points=3, chapter=CHAPTER, signature="tbptt_backward(dh_seq, cache, k)",
          arg_names=("dh_seq", "cache", "k"), also_forbidden=(("/rnnlearn/numpy/", "rnn_backward"),),
          crash_hint="chunks are cache.steps[s:s+k] for s = 0, k, 2k, ...; " + CACHE_HINT)
def _tbptt_backward(attempt):
    cases = []
    for N, T, D, H, k in [(2, 7, 3, 4, 3), (1, 6, 2, 3, 2), (3, 4, 4, 4, 5)]:
        dh_seq, cache = _seq_case(attempt.rng, N, T, D, H)
        cases.append(Case(f"N={N}, T={T}, D={D}, H={H}, k={k}", (dh_seq, cache, k)))
    outputs = (Output("dx", "(N, T, D)"), Output("grads", GRAD_LETTERS))
    return grade_outputs(attempt, outputs, cases, tbptt, tbptt, TBPTT)


CHAR_RNN = {
    "no_recurrent": "your BPTT drops the recurrent term (the dh that step t+1 sends back to step t): "
                    "the model learns what one character says about the next (a bigram), no more.",
    "per_tensor": "you clipped each array by its own norm; clip the gradient of the whole model "
                  "with one global norm (your clip_grad_norm on all seven arrays together).",
    "no_clip": "the gradient is not clipped: pass all seven gradients through your clip_grad_norm "
               "with max_norm.",
    "rnn_only_clip": "only the RNN's four arrays were clipped; the norm is taken over the whole "
                     "model, embedding and output layer included.",
    "h0_ignored": "h0 is ignored: the state carried in from the previous chunk is where this "
                  "chunk starts (truncated BPTT carries the state, not the gradient).",
    "no_embedding_grad": "the embedding gets no gradient: backpropagate dx from your rnn_backward "
                         "into the table (embedding_backward).",
}
# The trained part: Alice's first 20,000 characters, 100 Adam updates on 64 streams x 8 steps.
# The reference beat the bigram by 0.26 to 0.31 nats over seeds 0-4 (closing note of issue 17).
CHAR_TRAIN = dict(train_chars=20_000, val_start=100_000, val_chars=4_000, D=16, H=48, N=64,
                  seq_len=8, updates=100, lr=2e-2, max_norm=1.0, margin=0.15, seed=0)


def char_rnn_loss_grads(params, x_ids, y_ids, h0, max_norm, mistake=None):
    """``(loss, grads, h_T)`` of the character model; ``mistake`` from ``CHAR_RNN``."""
    from rnnlearn.numpy import (
        embedding_backward,
        embedding_forward,
        output_backward,
        output_forward,
        rnn_forward,
        softmax_cross_entropy,
    )
    from rnnlearn.numpy.char_rnn import PARTS, split_params

    emb, rnn, out = split_params(params)
    x, emb_cache = embedding_forward(x_ids, emb)  # (N, T, D)
    h_start = 0 * h0 if mistake == "h0_ignored" else h0
    h_seq, h_T, rnn_cache = rnn_forward(x, h_start, rnn)  # (N, T, H)
    logits, out_cache = output_forward(h_seq, out)  # (N, T, V)
    loss, dlogits = softmax_cross_entropy(logits, y_ids)
    dh_seq, d_out = output_backward(dlogits, out_cache)  # (N, T, H)
    dx, _, d_rnn = seq_backward(dh_seq, rnn_cache, None, "no_recurrent" if mistake == "no_recurrent" else None)
    d_emb = embedding_backward(dx, emb_cache)
    if mistake == "no_embedding_grad":
        d_emb = {"weight": 0 * d_emb["weight"]}
    grads = {f"{part}.{k}": g for part, d in zip(PARTS, (d_emb, d_rnn, d_out)) for k, g in d.items()}
    if mistake == "rnn_only_clip":
        rnn_keys = [k for k in grads if k.startswith("rnn.")]
        clipped, _ = clip({k: grads[k] for k in rnn_keys}, max_norm)
        return loss, {**grads, **clipped}, h_T
    if mistake != "no_clip":
        grads, _ = clip(grads, max_norm, "per_tensor" if mistake == "per_tensor" else None)
    return loss, grads, h_T


def char_rnn_trained(loss_grads):
    """``(validation loss, bigram loss)`` after training with ``loss_grads`` (settings ``CHAR_TRAIN``)."""
    from rnnlearn.data import char_corpus, char_stream
    from rnnlearn.data.baselines import bigram_cross_entropy
    from rnnlearn.numpy.char_rnn import char_rnn_loss, char_rnn_params, train_char_rnn

    s = CHAR_TRAIN
    corpus = char_corpus("alice")
    ids = np.array(corpus.vocab.encode(corpus.text))
    train, val = ids[:s["train_chars"]], ids[s["val_start"]:s["val_start"] + s["val_chars"]]
    params = char_rnn_params(len(corpus.vocab), s["D"], s["H"], rng=np.random.default_rng(s["seed"]))
    params, _ = train_char_rnn(loss_grads, params, char_stream(train, s["N"]), seq_len=s["seq_len"],
                               updates=s["updates"], lr=s["lr"], max_norm=s["max_norm"])
    return char_rnn_loss(params, char_stream(val, 8)), bigram_cross_entropy(train, val, len(corpus.vocab))


CHAR_LETTERS = {"embedding.weight": "(V, D)", "rnn.weight_ih": "(H, D)", "rnn.weight_hh": "(H, H)",
                "rnn.bias_ih": "(H,)", "rnn.bias_hh": "(H,)", "output.weight": "(V, H)", "output.bias": "(V,)"}


@question("char_rnn_loss_grads", points=5, chapter=CHAPTER,
          signature="char_rnn_loss_grads(params, x_ids, y_ids, h0, max_norm)",
          arg_names=("params", "x_ids", "y_ids", "h0", "max_norm"),
          crash_hint="split_params(params) gives the embedding, rnn and output dicts; the grads "
                     "dict has the seven keys of params.")
def _char_rnn_loss_grads(attempt):
    from rnnlearn.numpy.char_rnn import char_rnn_loss_grads as reference
    from rnnlearn.numpy.char_rnn import char_rnn_params

    rng, cases = attempt.rng, []
    # max_norm tiny, large (no clipping happens), tiny with T = 1
    for N, T, V, D, H, max_norm in [(2, 5, 7, 3, 4, 0.02), (3, 4, 6, 4, 5, 100.0), (1, 1, 5, 2, 3, 0.01)]:
        params = char_rnn_params(V, D, H, rng=rng, scale=0.5)
        x_ids, y_ids = rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T))
        label = f"N={N}, T={T}, V={V}, D={D}, H={H}, max_norm={max_norm}"
        cases.append(Case(label, (params, x_ids, y_ids, rng.normal(0, 0.8, (N, H)), max_norm)))
    outputs = (Output("loss", "float"), Output("grads", CHAR_LETTERS), Output("h_T", "(N, H)"))
    parts = grade_outputs(attempt, outputs, cases, reference, char_rnn_loss_grads, CHAR_RNN)
    return parts[:-1] + [_trained_part(attempt), parts[-1]]


def _trained_part(attempt):
    """Train the character model with the answer and compare with the bigram baseline."""
    from ..answer import AnswerCrashed

    s = CHAR_TRAIN
    name = f"trained ({s['updates']} Adam updates): validation loss below the bigram's - {s['margin']}"
    try:
        val, bigram = char_rnn_trained(attempt.call)
    except (AnswerCrashed, ValueError, TypeError, IndexError, KeyError) as exc:
        return Part(name, 1, False, f"training with your function failed: {exc}")
    if not np.isfinite(val) or val > bigram - s["margin"]:
        return Part(name, 1, False, f"validation loss {val:.3f} nats per character after training, the bigram "
                                    f"baseline's is {bigram:.3f}: your model should beat it by at least "
                                    f"{s['margin']}.")
    return Part(name, 1, True)
