"""Questions of chapter 06_attention: additive (Bahdanau) attention with a padding mask."""

from __future__ import annotations

import numpy as np

from . import wrong_attention as A
from .compare import Case, Output, grade_outputs
from .registry import question

CHAPTER = "06_attention"
CRASH_HINT = ("query is (N, Hq), keys (N, S, Hk), mask (N, S) bool (True = attend) or None; "
              "query_proj.weight is (A, Hq), key_proj.weight (A, Hk), v.weight (1, A).")

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
def _additive_attention_forward(ctx):
    from rnnlearn.numpy import additive_attention_forward

    rng, cases = ctx.rng, []
    padding = np.arange(5)[None, :] < np.array([[5], [2]])  # lengths 5 and 2
    for label, (N, S, Hq, Hk, A_), mask in [
            ("scattered mask", (3, 4, 3, 5, 4), SCATTERED), ("padding mask, lengths 5 and 2", (2, 5, 4, 4, 3), padding),
            ("mask None", (2, 3, 2, 3, 5), None), ("N=1, S=1", (1, 1, 3, 2, 2), np.ones((1, 1), bool))]:
        args = (rng.normal(size=(N, Hq)), rng.normal(size=(N, S, Hk)), mask, attention_params(rng, Hq, Hk, A_))
        cases.append(Case(f"N={N}, S={S}, Hq={Hq}, Hk={Hk}, A={A_}, {label}", args))
    outputs = (Output("context", "(N, Hk)"), Output("weights", "(N, S)"), Output("cache"))
    return grade_outputs(ctx, outputs, cases, additive_attention_forward,
                         lambda q, k, m, p, mistake: A.forward(q, k, m, p, mistake) + (None,), A.FORWARD)
