"""Additive (Bahdanau) attention with a padding mask, and its backward pass.

Parameters are the state_dict of ``rnnlearn.torch.AdditiveAttention``:
``"query_proj.weight"`` (A, Hq), ``"key_proj.weight"`` (A, Hk), ``"v.weight"`` (1, A).
"""

from typing import NamedTuple

import numpy as np

from ..errors import input_error
from ._validate import Sizes, check_array, check_cache, check_params
from .activations import softmax


def attention_param_spec():
    """Expected ``params`` shapes, in shape letters."""
    return {"query_proj.weight": ("A", "Hq"), "key_proj.weight": ("A", "Hk"),
            "v.weight": (1, "A")}


class AttentionCache(NamedTuple):
    """What ``additive_attention_backward`` needs.

    Fields: ``query`` (N, Hq), ``keys`` (N, S, Hk), ``mask`` (N, S) bool or None,
    ``u`` (N, S, A) = tanh(W_q query + W_k key_j), ``weights`` (N, S) = alpha,
    ``params`` (the dict passed to the forward, not copied).
    """
    query: np.ndarray
    keys: np.ndarray
    mask: object
    u: np.ndarray
    weights: np.ndarray
    params: dict


def additive_attention_forward(query, keys, mask, params):
    r"""Additive attention (Bahdanau et al. 2014) over S keys, with padding mask.

    .. math::
        u_j &= \tanh(W_q q + W_k k_j) \\
        e_j &= v^\top u_j \\
        \alpha_j &= \frac{\exp e_j}{\sum_{k \in \text{mask}} \exp e_k}
                    \ (\alpha_j = 0 \text{ where masked}) \\
        c &= \sum_j \alpha_j k_j

    Parameters
    ----------
    query : ndarray
        The query :math:`q` (in Bahdanau's decoder, :math:`s_{i-1}`).
    keys : ndarray
        The keys :math:`k_j` (encoder states), which are also the values.
    mask : ndarray of bool or None
        True = attend, False = padding. Every row needs at least one True.
        None attends everywhere.
    params : dict
        ``"query_proj.weight"`` :math:`W_q`, ``"key_proj.weight"`` :math:`W_k`,
        ``"v.weight"`` :math:`v^\top`.

    Returns
    -------
    context : ndarray
        :math:`c`.
    weights : ndarray
        :math:`\alpha`; exactly 0 at masked positions; rows sum to 1.
    cache : AttentionCache
        Fields ``query, keys, mask, u, weights, params``.

    Shapes
    ------
    query: (N, Hq); keys: (N, S, Hk); mask: (N, S); query_proj.weight: (A, Hq);
    key_proj.weight: (A, Hk); v.weight: (1, A); context: (N, Hk); weights: (N, S).
    """
    fn, sizes = "additive_attention_forward", Sizes()
    check_array(fn, "query", query, ("N", "Hq"), sizes)
    check_array(fn, "keys", keys, ("N", "S", "Hk"), sizes)
    if mask is not None:
        is_array = isinstance(mask, np.ndarray)
        hint = "use mask.astype(bool) (True = attend)." if is_array and mask.dtype != bool else None
        check_array(fn, "mask", mask, ("N", "S"), sizes, hint=hint, kind="b")
        empty = np.flatnonzero(~mask.any(axis=1))
        if empty.size:
            raise input_error(fn, "mask", "at least one True in each row (attention over nothing "
                              "is undefined)", f"every key masked in batch row(s) {empty.tolist()}")
    check_params(fn, params, attention_param_spec(), sizes)
    W_q, W_k, v = params["query_proj.weight"], params["key_proj.weight"], params["v.weight"]
    # u_j = tanh(W_q q + W_k k_j)
    u = np.tanh((query @ W_q.T)[:, None, :] + keys @ W_k.T)  # (N, S, A)
    # e_j = v^T u_j
    scores = (u @ v.T)[:, :, 0]  # (N, S)
    # alpha = softmax over the unmasked j
    weights = softmax(scores, axis=1, mask=mask)  # (N, S)
    # c = sum_j alpha_j k_j
    context = np.einsum("ns,nsk->nk", weights, keys)  # (N, Hk)
    return context, weights, AttentionCache(query, keys, mask, u, weights, params)


def additive_attention_backward(dcontext, cache):
    r"""Backward pass of :func:`additive_attention_forward`.

    .. math::
        d\alpha_j &= dc \cdot k_j, \qquad
        de_j = \alpha_j \big(d\alpha_j - \textstyle\sum_k \alpha_k\, d\alpha_k\big) \\
        dk_j &= \alpha_j\, dc + W_k^\top \big(de_j\, v \odot (1 - u_j^2)\big), \qquad
        dq = W_q^\top \textstyle\sum_j de_j\, v \odot (1 - u_j^2)

    Masked positions have :math:`\alpha_j = 0`, so their :math:`de_j` and
    :math:`dk_j` are exactly 0.

    Parameters
    ----------
    dcontext : ndarray
        Upstream gradient :math:`\partial L / \partial c`.
    cache : AttentionCache
        From :func:`additive_attention_forward`; the only other thing read.

    Returns
    -------
    dquery : ndarray
    dkeys : ndarray
    grads : dict
        Same keys and shapes as ``params``.

    Shapes
    ------
    dcontext: (N, Hk); dquery: (N, Hq); dkeys: (N, S, Hk).
    """
    fn = "additive_attention_backward"
    check_cache(fn, cache, AttentionCache)
    N, S, Hk = cache.keys.shape
    check_array(fn, "dcontext", dcontext, ("N", "Hk"), Sizes.from_cache(N=N, Hk=Hk))
    alpha, u, keys, p = cache.weights, cache.u, cache.keys, cache.params
    # c = sum_j alpha_j k_j
    dalpha = np.einsum("nk,nsk->ns", dcontext, keys)  # (N, S)
    dkeys = alpha[:, :, None] * dcontext[:, None, :]  # (N, S, Hk)
    # softmax: de_j = alpha_j (dalpha_j - sum_k alpha_k dalpha_k); 0 where alpha_j = 0
    de = alpha * (dalpha - np.sum(alpha * dalpha, axis=1, keepdims=True))  # (N, S)
    # e_j = v^T u_j
    dv = np.einsum("ns,nsa->a", de, u)[None, :]  # (1, A)
    # u_j = tanh(pre_j): dpre_j = de_j v * (1 - u_j^2)
    dpre = de[:, :, None] * p["v.weight"][0] * (1.0 - u ** 2)  # (N, S, A)
    # pre_j = W_q q + W_k k_j
    dq_proj = dpre.sum(axis=1)  # (N, A)
    dquery = dq_proj @ p["query_proj.weight"]  # (N, Hq)
    dkeys = dkeys + dpre @ p["key_proj.weight"]  # (N, S, Hk)
    grads = {
        "query_proj.weight": dq_proj.T @ cache.query,  # (A, Hq)
        "key_proj.weight": np.einsum("nsa,nsk->ak", dpre, keys),  # (A, Hk)
        "v.weight": dv,  # (1, A)
    }
    return dquery, dkeys, grads
