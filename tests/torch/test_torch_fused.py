"""The hand-written BPTT Functions against finite differences (torch.autograd.gradcheck, float64)."""

import pytest
import torch
from _torch_testutil import randn

from rnnlearn.torch._fused import RNNFunction
from rnnlearn.torch._fused_gru import GRUFunction
from rnnlearn.torch._fused_lstm import LSTMFunction

T, N, D, H = 4, 2, 3, 3


def _args(gates, bias, seed):
    weights = [randn(gates * H, D, seed=seed), randn(gates * H, H, seed=seed + 1)]
    biases = [randn(gates * H, seed=seed + 2), randn(gates * H, seed=seed + 3)] if bias else [None, None]
    return [randn(T, N, D, seed=seed + 4), randn(N, H, seed=seed + 5)], weights + biases


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_function_gradcheck(reverse, bias):
    (x, h0), w = _args(4, bias, seed=1)
    c0 = randn(N, H, seed=20)
    assert torch.autograd.gradcheck(lambda *a: LSTMFunction.apply(*a, *w[2:], reverse), (x, h0, c0, *w[:2]))
    if bias:
        assert torch.autograd.gradcheck(lambda *a: LSTMFunction.apply(x, h0, c0, *a, reverse), tuple(w))


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_gru_function_gradcheck(reverse, bias):
    (x, h0), w = _args(3, bias, seed=2)
    assert torch.autograd.gradcheck(lambda *a: GRUFunction.apply(*a, *w[2:], reverse), (x, h0, *w[:2]))
    if bias:
        assert torch.autograd.gradcheck(lambda *a: GRUFunction.apply(x, h0, *a, reverse), tuple(w))


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("relu", [False, True])
def test_rnn_function_gradcheck(reverse, relu):
    (x, h0), w = _args(1, True, seed=3)
    assert torch.autograd.gradcheck(lambda *a: RNNFunction.apply(*a, relu, reverse), (x, h0, *w))


def test_single_time_step():
    (x, h0), w = _args(4, True, seed=4)
    c0 = randn(N, H, seed=21)
    assert torch.autograd.gradcheck(lambda *a: LSTMFunction.apply(*a, *w, False), (x[:1], h0, c0))


def test_no_double_backward():
    """Documented limitation: the Functions are once_differentiable."""
    (x, h0), w = _args(3, True, seed=5)
    h_seq, _ = GRUFunction.apply(x, h0, *w, False)
    (gx,) = torch.autograd.grad(h_seq.sum(), x, create_graph=True)
    with pytest.raises(RuntimeError):
        gx.sum().backward()
