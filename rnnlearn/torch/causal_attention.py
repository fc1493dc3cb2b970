"""Causal self-attention (Vaswani et al. 2017) with a key-value cache for generation.

Position t attends to positions 1..t of the same sequence, with ``num_heads`` heads of
size ``hd = E / num_heads``::

    [q; k; v] = W_in x + b_in                          (N, T, 3E), split into heads (N, nh, T, hd)
    alpha_ts  = softmax_{s <= t}(q_t . k_s / sqrt(hd))  (N, nh, T, T), zero above the diagonal
    o_t       = sum_{s <= t} alpha_ts v_s                (N, nh, T, hd), heads joined to (N, T, E)
    y_t       = W_out o_t + b_out                        (N, T, E)

The parameters are laid out as ``torch.nn.MultiheadAttention``'s (``in_proj_weight``
(3E, E), ``in_proj_bias`` (3E,), ``out_proj.weight`` (E, E), ``out_proj.bias`` (E,)), so a
state_dict loads both ways.

**Generation.** A model that writes one token at a time needs, at step t, the keys and
values of every earlier position. Recomputing them costs O(t) projections per step; the
**key-value cache** keeps them, so a step projects only the new token, appends its key and
value and attends over the t cached ones: O(t) work and ``2 * t * E`` cached numbers per
sequence and layer, growing with t (an RNN's state does not grow). :class:`KVCache` holds
buffers allocated once for ``max_len`` positions; :meth:`CausalSelfAttention.step` writes
position ``length`` in place (as every serving library does) and returns the cache with
``length + 1``.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import torch
from torch import nn

from ..errors import input_error
from ._checks import check_tensor, shape_error

__all__ = ["CausalSelfAttention", "KVCache", "kv_cache_nbytes"]


class KVCache(NamedTuple):
    """Keys and values of the positions generated so far.

    ``keys[:, :, :length]`` and ``values[:, :, :length]`` are in use; the rest is free.

    Shapes
    ------
    keys (N, nh, max_len, hd), values (N, nh, max_len, hd); length an int.
    """

    keys: torch.Tensor
    values: torch.Tensor
    length: int


def kv_cache_nbytes(num_layers, num_heads, head_dim, t, *, batch=1, bytes_per_value=4):
    """Memory of a key-value cache holding t positions: ``2 * L * nh * hd * t * N * bytes``.

    Parameters
    ----------
    num_layers, num_heads, head_dim : int
        L attention layers, nh heads each, of size hd (E = nh * hd).
    t : int
        Positions cached.
    batch : int
        N sequences generated together.
    bytes_per_value : int
        4 for float32, 2 for float16 / bfloat16.

    Returns
    -------
    int
        Bytes: a key and a value vector of size hd per position, head, layer and sequence.

    Shapes
    ------
    Scalars only.
    """
    for name, value in (("num_layers", num_layers), ("num_heads", num_heads), ("head_dim", head_dim),
                        ("t", t), ("batch", batch), ("bytes_per_value", bytes_per_value)):
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if name == "t" else 1):
            raise input_error("kv_cache_nbytes", name, "an int >= " + ("0" if name == "t" else "1"), repr(value))
    return 2 * num_layers * num_heads * head_dim * t * batch * bytes_per_value


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention; a full pass (training) and a cached step (generation).

    Parameters
    ----------
    embed_dim : int
        E, the size of each position's vector.
    num_heads : int
        nh, dividing E.

    Shapes
    ------
    forward: x (N, T, E) -> y (N, T, E)
    step: x (N, E), KVCache with length t - 1 -> y (N, E), KVCache with length t
    """

    def __init__(self, embed_dim, num_heads, *, dtype=None):
        super().__init__()
        E, nh = int(embed_dim), int(num_heads)
        if nh < 1 or E % nh:
            raise input_error("CausalSelfAttention", "num_heads", f"a divisor of embed_dim = {E}", repr(num_heads))
        self.embed_dim, self.num_heads, self.head_dim = E, nh, E // nh
        self.in_proj_weight = nn.Parameter(torch.empty(3 * E, E, dtype=dtype))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * E, dtype=dtype))
        self.out_proj = nn.Linear(E, E, dtype=dtype)
        nn.init.xavier_uniform_(self.in_proj_weight)  # as torch.nn.MultiheadAttention
        nn.init.zeros_(self.out_proj.bias)

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"

    def _heads(self, z):
        """(N, T, E) -> (N, nh, T, hd)."""
        N, T, _ = z.shape
        return z.view(N, T, self.num_heads, self.head_dim).transpose(1, 2)

    def _check_x(self, func, x, rank):
        expected = "(N, T, E)" if rank == 3 else "(N, E)"
        check_tensor(func, "x", x, expected)
        if x.dim() != rank or x.shape[-1] != self.embed_dim:
            sizes = "(?, ?, {})" if rank == 3 else "(?, {})"
            raise shape_error(func, "x", f"{expected} = " + sizes.format(self.embed_dim), x,
                              fixed=[("E", self.embed_dim, "the constructor's embed_dim")])

    def forward(self, x):
        self._check_x("CausalSelfAttention.forward", x, 3)
        N, T, E = x.shape
        # [q; k; v] = W_in x + b_in
        q, k, v = (self._heads(z) for z in (x @ self.in_proj_weight.T + self.in_proj_bias).split(E, dim=2))
        scores = q @ k.transpose(2, 3) / math.sqrt(self.head_dim)  # (N, nh, T, T)
        future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)  # s > t
        alpha = torch.softmax(scores.masked_fill(future, float("-inf")), dim=3)  # (N, nh, T, T)
        # o_t = sum_{s <= t} alpha_ts v_s
        o = (alpha @ v).transpose(1, 2).reshape(N, T, E)  # (N, T, E)
        return self.out_proj(o)  # (N, T, E)

    def empty_cache(self, batch, max_len, *, dtype=None, device=None):
        """A :class:`KVCache` with room for ``max_len`` positions and none used.

        Shapes
        ------
        -> keys and values (N, nh, max_len, hd), length 0
        """
        shape = (int(batch), self.num_heads, int(max_len), self.head_dim)
        kw = {"dtype": dtype or self.in_proj_weight.dtype, "device": device}
        return KVCache(torch.zeros(shape, **kw), torch.zeros(shape, **kw), 0)

    def step(self, x, cache):
        """Attend from one new position x_t over the cached 1..t-1 and itself; write its key and value.

        Shapes
        ------
        x (N, E), cache with length t - 1 -> y (N, E), the cache with length t
        """
        self._check_x("CausalSelfAttention.step", x, 2)
        if not isinstance(cache, KVCache):
            raise input_error("CausalSelfAttention.step", "cache", "a KVCache (from empty_cache)",
                              type(cache).__name__)
        t, max_len = cache.length + 1, cache.keys.shape[2]
        if t > max_len or cache.keys.shape[0] != x.shape[0]:
            raise input_error("CausalSelfAttention.step", "cache",
                              f"room for position {t} of a batch of N = {x.shape[0]}",
                              f"a cache of shape {tuple(cache.keys.shape)}",
                              hint="make a larger one with empty_cache(N, max_len)")
        N, E = x.shape
        # [q; k; v] = W_in x_t + b_in, for the new position only
        q, k, v = (z.view(N, self.num_heads, 1, self.head_dim)
                   for z in (x @ self.in_proj_weight.T + self.in_proj_bias).split(E, dim=1))
        cache.keys[:, :, t - 1:t] = k  # written in place
        cache.values[:, :, t - 1:t] = v
        keys, values = cache.keys[:, :, :t], cache.values[:, :, :t]  # (N, nh, t, hd)
        alpha = torch.softmax(q @ keys.transpose(2, 3) / math.sqrt(self.head_dim), dim=3)  # (N, nh, 1, t)
        o = (alpha @ values).reshape(N, E)  # (N, E)
        return self.out_proj(o), KVCache(cache.keys, cache.values, t)
