"""Cells against torch.nn cells in float64: forward, then every gradient, state_dicts both ways."""

import pytest
import torch
from _torch_testutil import F64, assert_close, randn, randomize, weighted_sum
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlearn.torch as rt

KINDS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}), ("GRUCell", {}),
         ("LSTMCell", {"bias": False}), ("GRUCell", {"bias": False})]


def _pair(kind, kw, D, H, seed, ours_first):
    """A torch.nn cell and ours with the same random weights, the state_dict going one way or the other."""
    ref = getattr(torch.nn, kind)(D, H, dtype=F64, **kw)
    ours = getattr(rt, kind)(D, H, dtype=F64, **kw)
    src, dst = (ours, ref) if ours_first else (ref, ours)
    randomize(src, seed)
    dst.load_state_dict(src.state_dict())
    return ours, ref


@settings(max_examples=12, deadline=None)
@given(k=st.integers(0, len(KINDS) - 1), N=st.integers(1, 4), D=st.integers(1, 5), H=st.integers(1, 6),
       seed=st.integers(0, 10_000), ours_first=st.booleans())
def test_cell_matches_torch(k, N, D, H, seed, ours_first):
    kind, kw = KINDS[k]
    ours, ref = _pair(kind, kw, D, H, seed, ours_first)
    assert list(ours.state_dict()) == list(ref.state_dict())
    x = randn(N, D, seed=seed + 1)
    h = randn(N, H, seed=seed + 2)
    hx = (h, randn(N, H, seed=seed + 3)) if kind == "LSTMCell" else h
    out_ours, out_ref = ours(x, hx), ref(x, hx)
    outs_ours = out_ours if isinstance(out_ours, tuple) else (out_ours,)
    outs_ref = out_ref if isinstance(out_ref, tuple) else (out_ref,)
    for a, b in zip(outs_ours, outs_ref):
        assert_close(a, b, f"{kind} forward")
    inputs = [x, *(hx if isinstance(hx, tuple) else (hx,))]
    g_ours = torch.autograd.grad(weighted_sum(outs_ours, seed), inputs + list(ours.parameters()))
    g_ref = torch.autograd.grad(weighted_sum(outs_ref, seed), inputs + list(ref.parameters()))
    names = ["x", "h", "c"][: len(inputs)] + [n for n, _ in ours.named_parameters()]
    for name, a, b in zip(names, g_ours, g_ref):
        assert_close(a, b, f"{kind} d{name}")


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_default_state_and_unbatched(kind):
    ours, ref = _pair(kind, {}, 3, 4, seed=7, ours_first=False)
    x = randn(3, seed=8, requires_grad=False)
    a, b = ours(x), ref(x)
    for u, v in zip(a if isinstance(a, tuple) else (a,), b if isinstance(b, tuple) else (b,)):
        assert u.shape == (4,)
        assert_close(u, v, f"{kind} unbatched, hx=None")


def test_gru_cell_reset_after_product_differs_from_reset_before():
    """torch's GRU applies r to (W_hn h + b_hn); Cho et al.'s W_hn (r * h) gives other numbers."""
    cell = randomize(rt.GRUCell(3, 4, dtype=F64), seed=3)
    x, h = randn(2, 3, seed=4, requires_grad=False), randn(2, 4, seed=5, requires_grad=False)
    w_in, w_hn = cell.weight_ih[8:], cell.weight_hh[8:]
    gx = x @ cell.weight_ih.t() + cell.bias_ih
    gh = h @ cell.weight_hh.t() + cell.bias_hh
    r, z = torch.sigmoid(gx[:, :4] + gh[:, :4]), torch.sigmoid(gx[:, 4:8] + gh[:, 4:8])
    n_before = torch.tanh(x @ w_in.t() + cell.bias_ih[8:] + (r * h) @ w_hn.t() + cell.bias_hh[8:])
    h_before = (1 - z) * n_before + z * h
    assert (cell(x, h) - h_before).abs().max() > 1e-3
