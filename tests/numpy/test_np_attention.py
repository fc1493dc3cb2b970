"""Additive attention against a torch autograd reference in float64, with masks."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlearn.numpy as rn


def make_case(N, S, Hq, Hk, A, seed, masked):
    rng = np.random.default_rng(seed)
    params = {"query_proj.weight": rng.normal(size=(A, Hq)),
              "key_proj.weight": rng.normal(size=(A, Hk)),
              "v.weight": rng.normal(size=(1, A))}
    query, keys = rng.normal(size=(N, Hq)), rng.normal(size=(N, S, Hk))
    mask = None
    if masked:
        lengths = rng.integers(1, S + 1, size=N)  # at least one key per row
        mask = np.arange(S)[None, :] < lengths[:, None]  # (N, S) padding at the end
    return query, keys, mask, params, rng.normal(size=(N, Hk))


def torch_reference(query, keys, mask, params, dcontext):
    """The equations, written with torch ops, differentiated by autograd."""
    q, k = torch.tensor(query, requires_grad=True), torch.tensor(keys, requires_grad=True)
    P = {n: torch.tensor(v, requires_grad=True) for n, v in params.items()}
    u = torch.tanh((q @ P["query_proj.weight"].T)[:, None] + k @ P["key_proj.weight"].T)
    scores = (u @ P["v.weight"].T)[..., 0]
    if mask is not None:
        scores = scores.masked_fill(~torch.tensor(mask), float("-inf"))
    weights = torch.softmax(scores, dim=1)
    context = (weights[..., None] * k).sum(1)
    (context * torch.tensor(dcontext)).sum().backward()
    return context, weights, q.grad, k.grad, {n: p.grad for n, p in P.items()}


def check_case(nph, N, S, Hq, Hk, A, seed, masked):
    query, keys, mask, params, dcontext = make_case(N, S, Hq, Hk, A, seed, masked)
    before = nph.snapshot(query, keys, params, dcontext)
    context, weights, cache = rn.additive_attention_forward(query, keys, mask, params)
    dquery, dkeys, grads = rn.additive_attention_backward(dcontext, cache)
    t_context, t_weights, t_dq, t_dk, t_grads = torch_reference(query, keys, mask, params,
                                                                dcontext)
    nph.check_close("additive_attention_forward:context", context, t_context)
    nph.check_close("additive_attention_forward:weights", weights, t_weights)
    nph.check_close("additive_attention_backward:dquery", dquery, t_dq)
    nph.check_close("additive_attention_backward:dkeys", dkeys, t_dk)
    nph.check_grads("additive_attention_backward", grads, t_grads)
    nph.assert_unchanged(before, query, keys, params, dcontext)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-13)
    if mask is not None:
        assert np.all(weights[~mask] == 0.0)
        assert np.all(dkeys[~mask] == 0.0)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("N,S,Hq,Hk,A", [(1, 1, 1, 1, 1), (1, 4, 3, 2, 5), (3, 5, 4, 6, 2),
                                         (4, 2, 2, 3, 3)])
def test_matches_torch(nph, N, S, Hq, Hk, A, masked):
    check_case(nph, N, S, Hq, Hk, A, seed=N * S + A, masked=masked)


@settings(max_examples=20, deadline=None)
@given(N=st.integers(1, 4), S=st.integers(1, 6), Hq=st.integers(1, 4), Hk=st.integers(1, 4),
       A=st.integers(1, 4), seed=st.integers(0, 2**32 - 1), masked=st.booleans())
def test_property(nph, N, S, Hq, Hk, A, seed, masked):
    check_case(nph, N, S, Hq, Hk, A, seed, masked)


def test_backward_matches_finite_differences():
    query, keys, mask, params, dcontext = make_case(3, 5, 3, 4, 2, seed=1, masked=True)
    mask[0, 1] = False  # a hole in the middle too

    def f(query=query, keys=keys, params=params):
        return rn.additive_attention_forward(query, keys, mask, params)[0]

    _, _, cache = rn.additive_attention_forward(query, keys, mask, params)
    dquery, dkeys, grads = rn.additive_attention_backward(dcontext, cache)
    assert rn.rel_error(dquery, rn.numerical_gradient(lambda v: f(query=v), query,
                                                      dcontext)) < 1e-7
    assert rn.rel_error(dkeys, rn.numerical_gradient(lambda v: f(keys=v), keys,
                                                     dcontext)) < 1e-7
    num = rn.numerical_gradient(lambda p: f(params=p), params, dcontext)  # a dict of gradients
    for name in params:
        assert rn.rel_error(grads[name], num[name]) < 1e-7, name


def test_padding_keys_change_nothing():
    query, keys, mask, params, dcontext = make_case(4, 6, 3, 3, 4, seed=2, masked=True)
    mask[:, 0], mask[:, -1] = True, False  # every row has padding
    other = keys.copy()
    other[~mask] = np.random.default_rng(9).normal(scale=100.0, size=(~mask).sum() * 3) \
        .reshape(-1, 3)
    c1, w1, cache1 = rn.additive_attention_forward(query, keys, mask, params)
    c2, w2, cache2 = rn.additive_attention_forward(query, other, mask, params)
    assert np.array_equal(c1, c2) and np.array_equal(w1, w2)
    g1 = rn.additive_attention_backward(dcontext, cache1)
    g2 = rn.additive_attention_backward(dcontext, cache2)
    assert np.array_equal(g1[0], g2[0]) and np.array_equal(g1[1], g2[1])
    assert all(np.array_equal(g1[2][k], g2[2][k]) for k in params)


def test_all_true_mask_equals_no_mask():
    query, keys, _, params, _ = make_case(2, 4, 3, 3, 2, seed=3, masked=False)
    c1, w1, _ = rn.additive_attention_forward(query, keys, None, params)
    c2, w2, _ = rn.additive_attention_forward(query, keys, np.ones((2, 4), bool), params)
    assert np.array_equal(c1, c2) and np.array_equal(w1, w2)


def test_fully_padded_row_is_a_clear_error():
    query, keys, mask, params, _ = make_case(3, 4, 2, 2, 2, seed=4, masked=True)
    mask[1] = False
    with pytest.raises(ValueError, match=r"additive_attention_forward.*'mask'.*\[1\]"):
        rn.additive_attention_forward(query, keys, mask, params)


def test_large_scores_stay_finite():
    query, keys, mask, params, _ = make_case(2, 3, 2, 2, 2, seed=5, masked=True)
    params = {**params, "v.weight": params["v.weight"] * 1e4}
    _, weights, _ = rn.additive_attention_forward(query, keys, mask, params)
    assert np.all(np.isfinite(weights))
