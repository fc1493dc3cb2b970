"""Additive, dot and general attention: the equations, masking, padding invariance, gradients."""

import pytest
import torch
from _torch_testutil import F64, assert_close, randn, randomize

import rnnlearn.torch as rt

N, S, HQ, HK, A = 3, 5, 4, 6, 7


def _modules():
    return {
        "additive": randomize(rt.AdditiveAttention(HQ, HK, A).double(), seed=1),
        "general": randomize(rt.GeneralAttention(HQ, HK).double(), seed=2),
        "dot": rt.DotAttention(),
    }


def _inputs(kind, seed=0):
    hq = HK if kind == "dot" else HQ
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 1, 1, 1, 0]], dtype=torch.bool)
    return randn(N, hq, seed=seed), randn(N, S, HK, seed=seed + 1), mask


def test_additive_parameter_names_and_shapes():
    shapes = {k: tuple(v.shape) for k, v in rt.AdditiveAttention(HQ, HK, A).state_dict().items()}
    assert shapes == {"query_proj.weight": (A, HQ), "key_proj.weight": (A, HK), "v.weight": (1, A)}


def test_additive_scores_follow_the_equation():
    att = _modules()["additive"]
    q, keys, mask = _inputs("additive")
    context, weights = att(q, keys, mask)
    W_q, W_k, v = att.query_proj.weight, att.key_proj.weight, att.v.weight[0]
    for n in range(N):
        real = mask[n]
        # e_j = v . tanh(W_q q + W_k k_j), softmax over the real j only
        e = torch.stack([v @ torch.tanh(W_q @ q[n] + W_k @ keys[n, j]) for j in range(S) if real[j]])
        alpha = torch.exp(e - e.max()) / torch.exp(e - e.max()).sum()
        assert_close(weights[n, real], alpha, "additive weights")
        assert_close(context[n], alpha @ keys[n, real], "additive context")


@pytest.mark.parametrize("kind", ["dot", "general"])
def test_luong_scores_follow_the_equation(kind):
    att = _modules()[kind]
    q, keys, _ = _inputs(kind)
    _, weights = att(q, keys)
    W = torch.eye(HK, dtype=F64) if kind == "dot" else att.key_proj.weight
    e = torch.einsum("nq,qk,nsk->ns", q, W, keys)  # q^T W_a k_j
    assert_close(weights, torch.softmax(e, dim=1), f"{kind} weights")


@pytest.mark.parametrize("kind", ["additive", "dot", "general"])
def test_masked_weights_are_exactly_zero_and_padding_is_invisible(kind):
    att = _modules()[kind]
    q, keys, mask = _inputs(kind)
    context, weights = att(q, keys, mask)
    assert torch.equal(weights[~mask], torch.zeros_like(weights[~mask]))
    assert_close(weights.sum(1), torch.ones(N, dtype=F64), "weights sum to one")
    garbage = keys.detach().clone()
    garbage[~mask] = 1e3  # whatever sits in the padding must not matter
    context2, weights2 = att(q, garbage, mask)
    assert_close(context2, context, "context with other padding values")
    for n in range(N):  # each sequence alone, without padding
        real = int(mask[n].sum())
        c_alone, w_alone = att(q[n:n + 1], keys[n:n + 1, :real])
        assert_close(context[n:n + 1], c_alone, "context: padded batch vs sequence alone")
        assert_close(weights[n:n + 1, :real], w_alone, "weights: padded batch vs sequence alone")


@pytest.mark.parametrize("kind", ["additive", "dot", "general"])
def test_gradcheck(kind):
    att = _modules()[kind]
    q, keys, mask = _inputs(kind, seed=3)
    assert torch.autograd.gradcheck(lambda a, b: att(a, b, mask), (q, keys))


def test_row_without_any_real_position_is_rejected():
    q, keys, mask = _inputs("additive")
    mask = mask.clone()
    mask[1] = False
    with pytest.raises(ValueError, match="AdditiveAttention.forward.*mask"):
        _modules()["additive"](q, keys, mask)


@pytest.mark.parametrize("kind", ["additive", "dot", "general"])
def test_precomputed_keys_give_the_same_step(kind):
    """attend() with project_keys() computed once equals forward(), which projects every call."""
    att = _modules()[kind]
    q, keys, mask = _inputs(kind)
    projected = att.project_keys(keys)
    for got, want in zip(att.attend(q, keys, projected, mask), att(q, keys, mask)):
        assert_close(got, want, f"{kind}: attend with precomputed keys vs forward")
