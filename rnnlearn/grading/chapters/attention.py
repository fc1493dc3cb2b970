"""Chapter 07_seq2seq_attention: additive attention with a padding mask, its backward pass, a beam-search step.

The questions with their cases, their references (``rnnlearn.numpy``; for ``beam_step``,
``beam_step`` here with ``mistake=None``) and their known-wrong variants (each variant
function is right with ``mistake=None`` and reproduces one classic mistake otherwise).
``mask`` is (N, S) bool with True = attend, or None.

    u_j = tanh(W_q q + W_k k_j),  e_j = v . u_j,
    alpha = softmax of e over the unmasked j (0 where masked),  c = sum_j alpha_j k_j

The backward question builds the cache with the *reference* forward; only its
documented fields are read (``query, keys, mask, u, weights, params``).
"""

from __future__ import annotations

import numpy as np

from ..finite_differences import FDCase, dot
from ..registry import question
from ..scoring import Case, Output, grade_outputs

CHAPTER = "07_seq2seq_attention"
CRASH_HINT = ("query is (N, Hq), keys (N, S, Hk), mask (N, S) bool (True = attend) or None; "
              "query_proj.weight is (A, Hq), key_proj.weight (A, Hk), v.weight (1, A).")

FORWARD = {
    "softmax_axis": "the softmax runs over the wrong axis: normalise over the S keys of each "
                    "example (axis=1), so that every row of weights sums to 1.",
    "mask_ignored": "the mask is ignored: give masked keys (mask False) a score of -inf before "
                    "the softmax, so that their weights are exactly 0.",
    "mask_after_softmax": "the mask is applied after the softmax without renormalising: each row "
                          "of weights must sum to 1 over the unmasked keys; mask the scores "
                          "before the softmax.",
    "mask_inverted": "the mask is inverted: here True means attend (torch's key_padding_mask "
                     "uses True for padding, this course's mask the opposite).",
    "no_tanh": "the tanh is missing: score_j = v . tanh(W_q q + W_k k_j).",
}


def _softmax(scores, axis):
    """Softmax along ``axis``; a slice that is all -inf gives NaN, as a learner's would."""
    with np.errstate(invalid="ignore"):
        shifted = np.exp(scores - np.max(scores, axis=axis, keepdims=True))
        return shifted / np.sum(shifted, axis=axis, keepdims=True)


def forward(query, keys, mask, params, mistake=None):
    """``(context, weights)``; ``mistake`` from ``FORWARD``."""
    W_q, W_k, v = params["query_proj.weight"], params["key_proj.weight"], params["v.weight"]
    pre = (query @ W_q.T)[:, None, :] + keys @ W_k.T  # (N, S, A)
    # u_j = tanh(W_q q + W_k k_j)
    u = pre if mistake == "no_tanh" else np.tanh(pre)  # (N, S, A)
    # e_j = v . u_j
    scores = (u @ v.T)[:, :, 0]  # (N, S)
    if mask is not None and mistake == "mask_inverted":
        mask = ~mask
    if mask is not None and mistake not in ("mask_ignored", "mask_after_softmax"):
        scores = np.where(mask, scores, -np.inf)  # (N, S)
    weights = _softmax(scores, axis=0 if mistake == "softmax_axis" else 1)  # (N, S)
    if mask is not None and mistake == "mask_after_softmax":
        weights = weights * mask  # (N, S)
    # c = sum_j alpha_j k_j
    return np.einsum("ns,nsk->nk", weights, keys), weights  # (N, Hk), (N, S)


# A scattered mask first: every row and every column has a True and a False, so that
# each known mistake gives finite values there and can be recognised.
SCATTERED = np.array([[1, 1, 0, 1], [0, 1, 1, 0], [1, 0, 1, 1]], dtype=bool)


def attention_params(rng, Hq, Hk, A):
    """Random float64 parameters named like ``rnnlearn.torch.AdditiveAttention``'s state_dict."""
    return {"query_proj.weight": rng.normal(0, 0.6, (A, Hq)), "key_proj.weight": rng.normal(0, 0.6, (A, Hk)),
            "v.weight": rng.normal(0, 1.0, (1, A))}


@question("additive_attention_forward", points=3, chapter=CHAPTER,
          signature="additive_attention_forward(query, keys, mask, params)",
          arg_names=("query", "keys", "mask", "params"), crash_hint=CRASH_HINT)
def _additive_attention_forward(attempt):
    from rnnlearn.numpy import additive_attention_forward

    rng, cases = attempt.rng, []
    padding = np.arange(5)[None, :] < np.array([[5], [2]])  # lengths 5 and 2
    for label, (N, S, Hq, Hk, A_), mask in [
            ("scattered mask", (3, 4, 3, 5, 4), SCATTERED), ("padding mask, lengths 5 and 2", (2, 5, 4, 4, 3), padding),
            ("mask None", (2, 3, 2, 3, 5), None), ("N=1, S=1", (1, 1, 3, 2, 2), np.ones((1, 1), bool))]:
        args = (rng.normal(size=(N, Hq)), rng.normal(size=(N, S, Hk)), mask, attention_params(rng, Hq, Hk, A_))
        cases.append(Case(f"N={N}, S={S}, Hq={Hq}, Hk={Hk}, A={A_}, {label}", args))
    outputs = (Output("context", "(N, Hk)"), Output("weights", "(N, S)"), Output("cache"))
    return grade_outputs(attempt, outputs, cases, additive_attention_forward,
                         lambda q, k, m, p, mistake: forward(q, k, m, p, mistake) + (None,), FORWARD)


BACKWARD = {
    "softmax_diagonal": "the softmax's Jacobian is not diagonal: every weight depends on every "
                        "score, so de_j = alpha_j (dalpha_j - sum_k alpha_k dalpha_k), not "
                        "alpha_j (1 - alpha_j) dalpha_j.",
    "no_value_path": "the keys are also the values: c = sum_j alpha_j k_j gives dkeys a term "
                     "alpha_j * dcontext besides the one through the scores.",
    "no_score_path": "the keys also enter the scores (through W_k k_j): dkeys needs the path "
                     "through e_j and the tanh, not only alpha_j * dcontext.",
    "no_tanh_grad": "the gradient through u_j = tanh(pre_j) is multiplied by 1 - u_j**2.",
    "mask_forgotten": "the weights in the backward must be the masked ones (cache.weights): "
                      "a padded key gets no gradient at all; recomputing the softmax over every "
                      "key lets gradient leak into the padding.",
}


def backward(dcontext, cache, mistake=None):
    """``(dquery, dkeys, grads)`` of additive attention; ``mistake`` from ``BACKWARD``."""
    alpha, u, keys, p = cache.weights, cache.u, cache.keys, cache.params
    if mistake == "mask_forgotten":
        alpha = _softmax((u @ p["v.weight"].T)[:, :, 0], axis=1)  # (N, S) over every key
    # c = sum_j alpha_j k_j
    dalpha = np.einsum("nk,nsk->ns", dcontext, keys)  # (N, S)
    if mistake == "softmax_diagonal":
        de = alpha * (1 - alpha) * dalpha  # (N, S)
    else:
        # de_j = alpha_j (dalpha_j - sum_k alpha_k dalpha_k)
        de = alpha * (dalpha - np.sum(alpha * dalpha, axis=1, keepdims=True))  # (N, S)
    d_u = 1.0 if mistake == "no_tanh_grad" else 1.0 - u ** 2
    dpre = de[:, :, None] * p["v.weight"][0] * d_u  # (N, S, A)
    dq_proj = dpre.sum(axis=1)  # (N, A)
    from_values = 0.0 if mistake == "no_value_path" else alpha[:, :, None] * dcontext[:, None, :]
    from_scores = 0.0 if mistake == "no_score_path" else dpre @ p["key_proj.weight"]
    grads = {"query_proj.weight": dq_proj.T @ cache.query, "key_proj.weight": np.einsum("nsa,nsk->ak", dpre, keys),
             "v.weight": np.einsum("ns,nsa->a", de, u)[None, :]}
    return dq_proj @ p["query_proj.weight"], from_values + from_scores, grads  # (N, Hq), (N, S, Hk)


@question("additive_attention_backward", points=4, chapter=CHAPTER,
          signature="additive_attention_backward(dcontext, cache)", arg_names=("dcontext", "cache"),
          crash_hint="dcontext is (N, Hk); the cache has fields query (N, Hq), keys (N, S, Hk), mask, "
                     "u (N, S, A), weights (N, S) and params; read them as cache.u, cache.weights, ...")
def _additive_attention_backward(attempt):
    from rnnlearn.numpy import additive_attention_backward, additive_attention_forward

    rng, cases = attempt.rng, []
    padding = np.arange(5)[None, :] < np.array([[5], [2]])
    for label, (N, S, Hq, Hk, A_), mask in [
            ("scattered mask", (3, 4, 3, 5, 4), SCATTERED), ("padding mask, lengths 5 and 2", (2, 5, 4, 4, 3), padding),
            ("mask None", (2, 3, 2, 3, 5), None)]:
        query, keys, params = rng.normal(size=(N, Hq)), rng.normal(size=(N, S, Hk)), attention_params(rng, Hq, Hk, A_)
        cache = additive_attention_forward(query, keys, mask, params)[2]
        cases.append(Case(f"N={N}, S={S}, Hq={Hq}, Hk={Hk}, A={A_}, {label}", (rng.normal(size=(N, Hk)), cache)))
    outputs = (Output("dquery", "(N, Hq)"), Output("dkeys", "(N, S, Hk)"),
               Output("grads", {"query_proj.weight": "(A, Hq)", "key_proj.weight": "(A, Hk)", "v.weight": "(1, A)"}))
    mask = np.array([[True, True, False], [True, True, True]])
    inputs = (rng.normal(size=(2, 2)), rng.normal(size=(2, 3, 2)), attention_params(rng, 2, 2, 2))
    dcontext = rng.normal(size=(2, 2))
    # L = sum(context * dcontext)
    fd = FDCase("N=2, S=3, Hq=Hk=A=2, one padded key", (dcontext, additive_attention_forward(inputs[0], inputs[1],
                mask, inputs[2])[2]), inputs,
                lambda q, k, p: dot(additive_attention_forward(q, k, mask, p)[:1], (dcontext,)))
    return grade_outputs(attempt, outputs, cases, additive_attention_backward, backward, BACKWARD, fd=fd)


BEAM = {
    "per_beam_topk": "the K best candidates are chosen among all K * V extensions together, not "
                     "the best extension of each hypothesis: two children of one strong "
                     "hypothesis may both beat the child of a weak one.",
    "no_prefix_score": "rank by the whole hypothesis' log-probability, score(prefix) + "
                       "log p(token): the next token's log-probability alone forgets the prefix.",
    "probabilities_added": "scores are log-probabilities, so they add: score(prefix) + log p(token). "
                           "Adding probabilities (exp of log p) ranks the candidates wrongly.",
    "finished_extended": "a finished hypothesis (it emitted the end token) continues with padding "
                         "only, at no cost: give it candidate score(prefix) for pad_index and -inf "
                         "for every other token.",
    "parent_modulo": "candidate index c of the flattened (K, V) scores comes from hypothesis "
                     "c // V with token c % V.",
}


def beam_step(scores, log_probs, finished, pad_index, mistake=None):
    """``(new_scores, parents, tokens)`` of one beam-search step; ``mistake`` from ``BEAM``."""
    N, K, V = log_probs.shape
    if mistake != "finished_extended":
        # a finished hypothesis continues with padding only, at no cost
        after_end = np.full(V, -np.inf)
        after_end[pad_index] = 0.0
        log_probs = np.where(finished[:, :, None], after_end, log_probs)  # (N, K, V)
    if mistake == "no_prefix_score":
        candidates = log_probs  # (N, K, V)
    elif mistake == "probabilities_added":
        candidates = scores[:, :, None] + np.exp(log_probs)  # (N, K, V)
    else:
        # score(prefix + y) = score(prefix) + log p(y | prefix)
        candidates = scores[:, :, None] + log_probs  # (N, K, V)
    flat_scores = candidates.reshape(N, K * V)  # (N, K V)
    if mistake == "per_beam_topk":  # the best child of each hypothesis, then sorted
        flat = np.arange(K)[None, :] * V + np.argmax(candidates, axis=2)  # (N, K)
        order = np.argsort(-np.take_along_axis(flat_scores, flat, axis=1), axis=1, kind="stable")
        flat = np.take_along_axis(flat, order, axis=1)  # (N, K)
    else:
        flat = np.argsort(-flat_scores, axis=1, kind="stable")[:, :K]  # (N, K), best first
    parents = flat % K if mistake == "parent_modulo" else flat // V  # (N, K)
    return np.take_along_axis(flat_scores, flat, axis=1), parents, flat % V


def _beam_case(rng, N, K, V, first_step=False, n_finished=0):
    """Sorted scores (the first step: 0 then -inf), log-softmax rows, some finished hypotheses."""
    if first_step:
        scores = np.tile(np.r_[0.0, np.full(K - 1, -np.inf)], (N, 1))  # (N, K)
    else:
        scores = -np.sort(rng.uniform(0.5, 4.0, (N, K)), axis=1)  # (N, K), best first
    logits = rng.normal(0, 2.0, (N, K, V))
    log_probs = logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))  # (N, K, V)
    finished = np.zeros((N, K), bool)
    finished[:, 1:1 + n_finished] = True  # not the best: its children compete
    return scores, log_probs, finished, 0


@question("beam_step", points=3, chapter=CHAPTER, signature="beam_step(scores, log_probs, finished, pad_index)",
          arg_names=("scores", "log_probs", "finished", "pad_index"),
          crash_hint="scores is (N, K), log_probs (N, K, V), finished (N, K) bool; return new_scores (N, K), "
                     "parents (N, K) and tokens (N, K), best first.")
def _beam_step(attempt):
    rng = attempt.rng
    cases = [Case("N=2, K=3, V=5, first step (one live hypothesis)", _beam_case(rng, 2, 3, 5, first_step=True)),
             Case("N=2, K=3, V=5, none finished", _beam_case(rng, 2, 3, 5)),
             Case("N=3, K=4, V=6, two finished", _beam_case(rng, 3, 4, 6, n_finished=2)),
             Case("N=1, K=2, V=3, one finished", _beam_case(rng, 1, 2, 3, n_finished=1))]
    outputs = (Output("new_scores", "(N, K)"), Output("parents", "(N, K)"), Output("tokens", "(N, K)"))
    return grade_outputs(attempt, outputs, cases, beam_step, beam_step, BEAM)
