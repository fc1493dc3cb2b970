"""RNN / LSTM / GRU layers against torch.nn in float64: state_dicts both ways, forward, every gradient."""

import warnings

import pytest
import torch
from _torch_testutil import F64, assert_close, randn, randomize, weighted_sum
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlearn.torch as rt

KINDS = ["RNN", "LSTM", "GRU"]


def _pair(kind, D, H, seed, ours_first, fused=True, **kw):
    ref = getattr(torch.nn, kind)(D, H, dtype=F64, **kw)
    ours = getattr(rt, kind)(D, H, dtype=F64, fused=fused, **kw)
    src, dst = (ours, ref) if ours_first else (ref, ours)
    randomize(src, seed)
    result = dst.load_state_dict(src.state_dict())
    assert not result.missing_keys and not result.unexpected_keys
    return ours, ref


def _flat(out):
    """(output, h_n) or (output, (h_n, c_n)) -> [output, h_n, (c_n)]."""
    output, state = out
    return [output, *(state if isinstance(state, tuple) else (state,))]


def _compare(kind, ours, ref, x, hx, seed):
    """Forward asserts first, then the gradients of x, hx and every parameter."""
    outs_ours, outs_ref = _flat(ours(x, hx)), _flat(ref(x, hx))
    for name, a, b in zip(["output", "h_n", "c_n"], outs_ours, outs_ref):
        assert a.shape == b.shape, f"{kind} {name}: {a.shape} vs {b.shape}"
        assert_close(a, b, f"{kind} forward {name}")
    states = [] if hx is None else list(hx) if isinstance(hx, tuple) else [hx]
    names = ["x"] + [f"hx[{k}]" for k in range(len(states))] + [n for n, _ in ours.named_parameters()]
    g_ours = torch.autograd.grad(weighted_sum(outs_ours, seed), [x, *states, *ours.parameters()])
    g_ref = torch.autograd.grad(weighted_sum(outs_ref, seed), [x, *states, *ref.parameters()])
    for name, a, b in zip(names, g_ours, g_ref):
        assert_close(a, b, f"{kind} gradient of {name}")


def _hx(kind, L, N, H, seed):
    h0 = randn(L, N, H, seed=seed)
    return (h0, randn(L, N, H, seed=seed + 1)) if kind == "LSTM" else h0


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("ours_first", [False, True])
@pytest.mark.parametrize("fused", [True, False])
def test_two_layer_bidirectional_interchange(kind, batch_first, ours_first, fused):
    N, T, D, H = 3, 5, 4, 6
    ours, ref = _pair(kind, D, H, seed=11, ours_first=ours_first, fused=fused, num_layers=2,
                      bidirectional=True, batch_first=batch_first)
    assert list(ours.state_dict()) == list(ref.state_dict())
    x = randn(*((N, T, D) if batch_first else (T, N, D)), seed=12)
    _compare(kind, ours, ref, x, _hx(kind, 4, N, H, seed=13), seed=14)
    _compare(kind, ours, ref, x, None, seed=15)


@settings(max_examples=15, deadline=None)
@given(kind=st.sampled_from(KINDS), T=st.integers(1, 6), N=st.integers(1, 3), D=st.integers(1, 4),
       H=st.integers(1, 5), layers=st.integers(1, 3), bidirectional=st.booleans(), bias=st.booleans(),
       relu=st.booleans(), seed=st.integers(0, 10_000))
def test_random_shapes_match_torch(kind, T, N, D, H, layers, bidirectional, bias, relu, seed):
    kw = {"nonlinearity": "relu"} if kind == "RNN" and relu else {}
    ours, ref = _pair(kind, D, H, seed, ours_first=False, num_layers=layers, bidirectional=bidirectional,
                      bias=bias, **kw)
    x = randn(T, N, D, seed=seed + 1)
    _compare(kind, ours, ref, x, _hx(kind, layers * (1 + bidirectional), N, H, seed + 2), seed + 3)


@pytest.mark.parametrize("kind", KINDS)
def test_fused_matches_autograd_reference(kind):
    """The hand-written BPTT against autograd through the book's step functions."""
    fast = randomize(getattr(rt, kind)(3, 5, num_layers=2, bidirectional=True, dtype=F64), seed=1)
    slow = getattr(rt, kind)(3, 5, num_layers=2, bidirectional=True, dtype=F64, fused=False)
    slow.load_state_dict(fast.state_dict())
    _compare(kind, fast, slow, randn(7, 2, 3, seed=2), _hx(kind, 4, 2, 5, seed=3), seed=4)


@pytest.mark.parametrize("kind", KINDS)
def test_unbatched_input(kind):
    ours, ref = _pair(kind, 3, 4, seed=5, ours_first=False, num_layers=2, bidirectional=True)
    x = randn(6, 3, seed=6)
    _compare(kind, ours, ref, x, None, seed=8)
    h0 = randn(4, 4, seed=9)
    hx = (h0, randn(4, 4, seed=10)) if kind == "LSTM" else h0
    _compare(kind, ours, ref, x, hx, seed=11)


@pytest.mark.parametrize("kind", KINDS)
def test_dropout_between_layers_follows_train_and_eval(kind):
    ours, ref = _pair(kind, 3, 8, seed=1, ours_first=False, num_layers=3, dropout=0.5)
    x = randn(5, 4, 3, seed=2, requires_grad=False)
    ours.eval(), ref.eval()
    assert_close(_flat(ours(x))[0], _flat(ref(x))[0], "eval mode: no dropout, same as torch.nn")
    ours.train()
    torch.manual_seed(0)
    train_out = _flat(ours(x))[0]
    assert (train_out - _flat(ref(x))[0]).abs().max() > 1e-3, "training mode must apply dropout"


@pytest.mark.parametrize("kind", KINDS)
def test_no_dropout_after_the_last_layer(kind):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.nn warns about dropout with one layer
        ours, ref = _pair(kind, 3, 4, seed=1, ours_first=False, num_layers=1, dropout=0.9)
    ours.train()
    x = randn(5, 2, 3, seed=2, requires_grad=False)
    assert_close(_flat(ours(x))[0], _flat(ref.eval()(x))[0], "one layer: dropout never applies")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize("kind", KINDS)
def test_cuda_matches_cpu(kind):
    cpu = randomize(getattr(rt, kind)(3, 5, num_layers=2, bidirectional=True, dtype=F64), seed=1)
    gpu = getattr(rt, kind)(3, 5, num_layers=2, bidirectional=True, dtype=F64).cuda()
    gpu.load_state_dict(cpu.state_dict())
    x = randn(6, 2, 3, seed=2)
    out_cpu, out_gpu = _flat(cpu(x)), _flat(gpu(x.detach().cuda().requires_grad_()))
    for a, b in zip(out_cpu, out_gpu):
        assert_close(b.cpu(), a, f"{kind} CUDA forward")
    weighted_sum(out_cpu, 3).backward()
    weighted_sum([o.cpu() for o in out_gpu], 3).backward()
    for (name, p), q in zip(cpu.named_parameters(), gpu.parameters()):
        assert_close(q.grad.cpu(), p.grad, f"{kind} CUDA gradient of {name}")
