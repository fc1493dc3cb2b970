"""Causal self-attention: the full pass equals torch.nn.MultiheadAttention with a causal mask
(state_dicts load both ways), the key-value cache reproduces it step by step, the future
does not leak, and the cache's memory is counted exactly."""

import pytest
import torch
from _torch_testutil import F64, assert_close, randn, randomize

from rnnlearn.errors import InputError
from rnnlearn.torch import CausalSelfAttention, KVCache, kv_cache_nbytes

N, T, E, NH = 3, 7, 8, 2


def _pair(seed=0):
    ours = randomize(CausalSelfAttention(E, NH, dtype=F64), seed=seed)
    theirs = torch.nn.MultiheadAttention(E, NH, batch_first=True, dtype=F64)
    theirs.load_state_dict(ours.state_dict())
    return ours, theirs


def test_full_pass_equals_torch_multihead_attention_values_and_gradients():
    ours, theirs = _pair()
    x = randn(N, T, E, seed=1)
    y = ours(x)
    future = torch.ones(T, T, dtype=torch.bool).triu(1)
    y_torch, _ = theirs(x, x, x, attn_mask=future, need_weights=False)
    assert_close(y, y_torch, "y")
    g_ours = torch.autograd.grad(y.square().sum(), [x, *ours.parameters()])
    g_torch = torch.autograd.grad(y_torch.square().sum(), [x, *theirs.parameters()])
    for k, (a, b) in enumerate(zip(g_ours, g_torch)):
        assert_close(a, b, f"gradient {k}")
    ours.load_state_dict(theirs.state_dict())  # and back


def test_cached_steps_equal_the_full_pass():
    ours, _ = _pair(seed=2)
    x = randn(N, T, E, seed=3, requires_grad=False)
    cache = ours.empty_cache(N, T + 2)
    with torch.no_grad():
        y = ours(x)
        for t in range(T):
            y_t, cache = ours.step(x[:, t], cache)
            assert cache.length == t + 1
            assert_close(y_t, y[:, t], f"step {t + 1}")
    assert isinstance(cache, KVCache) and cache.keys.shape == (N, NH, T + 2, E // NH)


def test_the_future_does_not_leak():
    ours, _ = _pair(seed=4)
    x = randn(1, T, E, seed=5, requires_grad=False)
    changed = x.clone()
    changed[:, 4:] += 10.0
    with torch.no_grad():
        assert_close(ours(changed)[:, :4], ours(x)[:, :4], "positions before the change")


def test_kv_cache_nbytes_counts_the_cache_tensors():
    layer = CausalSelfAttention(12, 3)
    cache = layer.empty_cache(2, 50)
    assert kv_cache_nbytes(1, 3, 4, 50, batch=2) == cache.keys.nbytes + cache.values.nbytes
    assert kv_cache_nbytes(6, 8, 64, 1000, batch=1, bytes_per_value=2) == 2 * 6 * 8 * 64 * 1000 * 2
    assert kv_cache_nbytes(2, 2, 2, 0) == 0


@pytest.mark.parametrize("call, pattern", [
    (lambda: CausalSelfAttention(8, 3), r"CausalSelfAttention: argument 'num_heads': expected a divisor of embed_dim"),
    (lambda: CausalSelfAttention(8, 2)(torch.randn(2, 5, 6)),
     r"CausalSelfAttention.forward: argument 'x': expected shape \(N, T, E\) = \(\?, \?, 8\); got shape \(2, 5, 6\)"),
    (lambda: CausalSelfAttention(8, 2).step(torch.randn(2, 5, 8), None), r"CausalSelfAttention.step: argument 'x'"),
    (lambda: CausalSelfAttention(8, 2).step(torch.randn(2, 8), (1, 2)), r"argument 'cache': expected a KVCache"),
    (lambda: CausalSelfAttention(8, 2).step(torch.randn(2, 8), CausalSelfAttention(8, 2).empty_cache(2, 0)),
     r"argument 'cache': expected room for position 1"),
    (lambda: kv_cache_nbytes(1, 2, 4, 10.5), r"kv_cache_nbytes: argument 't': expected an int >= 0"),
    (lambda: kv_cache_nbytes(0, 2, 4, 10), r"kv_cache_nbytes: argument 'num_layers': expected an int >= 1"),
])
def test_bad_input_is_told(call, pattern):
    with pytest.raises(InputError, match=pattern):
        call()
