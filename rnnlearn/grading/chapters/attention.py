"""Chapter 06_attention: additive (Bahdanau) attention with a padding mask.

The question with its cases, its reference (``rnnlearn.numpy``) and its known-wrong
variants (``forward`` is right with ``mistake=None`` and reproduces one classic mistake
otherwise). ``mask`` is (N, S) bool with True = attend, or None.

    u_j = tanh(W_q q + W_k k_j),  e_j = v . u_j,
    alpha = softmax of e over the unmasked j (0 where masked),  c = sum_j alpha_j k_j
"""

from __future__ import annotations

import numpy as np

from ..registry import question
from ..scoring import Case, Output, grade_outputs

CHAPTER = "06_attention"
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
