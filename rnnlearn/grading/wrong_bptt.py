"""Known-wrong versions of truncated BPTT and gradient-norm clipping (chapter 2).

``mistake=None`` is the right computation; each key of the hint tables reproduces one
classic mistake. Truncated BPTT(k, k): time is split into consecutive chunks of ``k``
steps (the last may be shorter), full BPTT runs inside each chunk, no gradient crosses a
chunk boundary, parameter gradients are summed over chunks.
"""

import numpy as np

from .wrong_rnn import seq_backward

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
