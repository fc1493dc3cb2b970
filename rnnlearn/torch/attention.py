"""Attention over a sequence of keys: additive (Bahdanau et al. 2014), dot and general (Luong et al. 2015).

All three share one interface, ``forward(query, keys, mask=None) -> (context, weights)``::

    e_j      = score(query, key_j)                    (N, S)
    alpha    = softmax over the unmasked j of e       (N, S)   masked weights are exactly 0
    context  = sum_j alpha_j key_j                    (N, Hk)

``mask`` is (N, S) bool with True = attend (a real token), False = padding. The values
attended over are the keys themselves, as in both papers.

A decoder attends over the same keys at every step, so each module splits its work in
two: ``project_keys(keys)`` once per source sequence (Bahdanau's precomputed ``U_a h_j``),
then ``attend(query, keys, projected, mask)`` at every step, without argument checks
(``forward`` checks its arguments and does both). Which decoder state is the query is
the decoder's business: Bahdanau et al. score with the previous state ``s_{i-1}``,
Luong et al. with the current one ``h_t`` (see ``rnnlearn.torch.seq2seq``).
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import input_error, shape_str
from ._checks import check_tensor, from_arg, shape_error


def _check(func, query, keys, mask, query_size, key_size, key_source="the constructor's key_size"):
    """Check query (N, Hq), keys (N, S, Hk) and mask (N, S); ``key_source`` says who fixed Hk."""
    check_tensor(func, "query", query, "(N, Hq)")
    check_tensor(func, "keys", keys, "(N, S, Hk)")
    if query.dim() != 2 or (query_size is not None and query.shape[1] != query_size):
        fixed = [("Hq", query_size, "the constructor's query_size")] if query.dim() == 2 else []
        expected = "(N, Hq)" if query_size is None else f"(N, Hq) = (?, {query_size})"
        raise shape_error(func, "query", expected, query, fixed=fixed)
    N = query.shape[0]
    if keys.dim() != 3 or keys.shape[0] != N or (key_size is not None and keys.shape[2] != key_size):
        fixed = []
        if keys.dim() == 3 and keys.shape[0] != N:
            fixed.append(("N", N, from_arg("query", query)))
        if keys.dim() == 3 and key_size is not None and keys.shape[2] != key_size:
            fixed.append(("Hk", key_size, key_source))
        raise shape_error(func, "keys", f"(N, S, Hk) = ({N}, ?, {'?' if key_size is None else key_size})",
                          keys, fixed=fixed)
    if mask is not None:
        check_tensor(func, "mask", mask, "(N, S)")
        if mask.shape != keys.shape[:2]:
            fixed = [("(N, S)", shape_str(keys.shape[:2]), from_arg("keys", keys))] if mask.dim() == 2 else []
            raise shape_error(func, "mask", f"(N, S) = {shape_str(keys.shape[:2])}", mask, fixed=fixed)
        if mask.dtype != torch.bool:
            raise input_error(func, "mask", "a bool tensor (True = attend)", f"dtype {mask.dtype}")
        empty = (~mask.any(dim=1)).nonzero().flatten().tolist()
        if empty:
            raise input_error(func, "mask", "at least one True in each row (every sequence needs a "
                              "position to attend to)", f"no True in batch row(s) {empty}")


def masked_softmax(scores, mask):
    """Softmax over the last axis, with exact zeros where ``mask`` is False.

    Shapes
    ------
    scores (N, S), mask (N, S) bool or None -> weights (N, S)
    """
    if mask is not None:
        # exp(-inf) = 0: a padded position gets exactly zero weight
        scores = scores.masked_fill(~mask, float("-inf"))  # (N, S)
    return torch.softmax(scores, dim=-1)  # (N, S)


def _attend(scores, keys, mask):
    weights = masked_softmax(scores, mask)  # (N, S)
    # c = sum_j alpha_j k_j
    context = torch.bmm(weights.unsqueeze(1), keys).squeeze(1)  # (N, Hk)
    return context, weights


class AdditiveAttention(nn.Module):
    """Additive (Bahdanau) attention: ``e_j = v . tanh(W_q q + W_k k_j)``.

    Same parameters as ``rnnlearn.numpy.additive_attention_forward``: ``query_proj.weight``
    (A, Hq), ``key_proj.weight`` (A, Hk), ``v.weight`` (1, A); no biases.

    Shapes
    ------
    query (N, Hq), keys (N, S, Hk), mask (N, S) bool or None -> context (N, Hk), weights (N, S)
    """

    def __init__(self, query_size: int, key_size: int, attn_size: int):
        super().__init__()
        self.query_size, self.key_size = query_size, key_size
        self.query_proj = nn.Linear(query_size, attn_size, bias=False)
        self.key_proj = nn.Linear(key_size, attn_size, bias=False)
        self.v = nn.Linear(attn_size, 1, bias=False)

    def forward(self, query, keys, mask=None):
        _check("AdditiveAttention.forward", query, keys, mask, self.query_size, self.key_size)
        return self.attend(query, keys, self.project_keys(keys), mask)

    def project_keys(self, keys):
        """``W_k k_j`` for every j, once per source: keys (N, S, Hk) -> (N, S, A)."""
        return self.key_proj(keys)

    def attend(self, query, keys, projected, mask=None):
        """One step with precomputed ``projected = W_k k_j`` (N, S, A); no argument checks."""
        # e_j = v . tanh(W_q q + W_k k_j)
        hidden = torch.tanh(self.query_proj(query).unsqueeze(1) + projected)  # (N, S, A)
        scores = self.v(hidden).squeeze(2)  # (N, S)
        return _attend(scores, keys, mask)


class DotAttention(nn.Module):
    """Dot-product (Luong) attention: ``e_j = q . k_j``; needs Hq = Hk; no parameters.

    Shapes
    ------
    query (N, H), keys (N, S, H), mask (N, S) bool or None -> context (N, H), weights (N, S)
    """

    def forward(self, query, keys, mask=None):
        size = query.shape[-1] if isinstance(query, torch.Tensor) and query.dim() else None
        source = from_arg("query", query) if size is not None else ""
        _check("DotAttention.forward", query, keys, mask, None, size, source)
        return self.attend(query, keys, keys, mask)

    def project_keys(self, keys):
        """Nothing to project: the keys themselves, (N, S, H)."""
        return keys

    def attend(self, query, keys, projected, mask=None):
        """One step; ``projected`` is ``keys``; no argument checks."""
        # e_j = q . k_j
        scores = torch.bmm(projected, query.unsqueeze(2)).squeeze(2)  # (N, S)
        return _attend(scores, keys, mask)


class GeneralAttention(nn.Module):
    """General (Luong) attention: ``e_j = q . (W_a k_j)``; parameter ``key_proj.weight`` (Hq, Hk).

    Shapes
    ------
    query (N, Hq), keys (N, S, Hk), mask (N, S) bool or None -> context (N, Hk), weights (N, S)
    """

    def __init__(self, query_size: int, key_size: int):
        super().__init__()
        self.query_size, self.key_size = query_size, key_size
        self.key_proj = nn.Linear(key_size, query_size, bias=False)

    def forward(self, query, keys, mask=None):
        _check("GeneralAttention.forward", query, keys, mask, self.query_size, self.key_size)
        return self.attend(query, keys, self.project_keys(keys), mask)

    def project_keys(self, keys):
        """``W_a k_j`` for every j, once per source: keys (N, S, Hk) -> (N, S, Hq)."""
        return self.key_proj(keys)

    def attend(self, query, keys, projected, mask=None):
        """One step with precomputed ``projected = W_a k_j`` (N, S, Hq); no argument checks."""
        # e_j = q . (W_a k_j)
        scores = torch.bmm(projected, query.unsqueeze(2)).squeeze(2)  # (N, S)
        return _attend(scores, keys, mask)
