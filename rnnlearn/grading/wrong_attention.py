"""Known-wrong versions of additive (Bahdanau) attention (chapter 6).

``mistake=None`` is the right computation; each key of ``FORWARD`` reproduces one
classic mistake. ``mask`` is (N, S) bool with True = attend, or None.

    u_j = tanh(W_q q + W_k k_j),  e_j = v . u_j,
    alpha = softmax of e over the unmasked j (0 where masked),  c = sum_j alpha_j k_j
"""

import numpy as np

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
