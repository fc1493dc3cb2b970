"""PackedSequence in RNN / LSTM / GRU against torch.nn in float64: the packed output, the final
states and every gradient (input, initial state, parameters), sorted and unsorted batches."""

import pytest
import torch
from _torch_testutil import F64, assert_close, randn, randomize, weighted_sum
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

import rnnlearn.torch as rt
from rnnlearn.torch import InputError
from rnnlearn.torch.packed import segments

KINDS = ["RNN", "LSTM", "GRU"]
D, H = 3, 4


def _pair(kind, seed, fused=True, **kw):
    ref = getattr(torch.nn, kind)(D, H, dtype=F64, **kw)
    ours = getattr(rt, kind)(D, H, dtype=F64, fused=fused, **kw)
    randomize(ref, seed)
    ours.load_state_dict(ref.state_dict())
    return ours, ref


def _states(state):
    return list(state) if isinstance(state, tuple) else [state]


def _compare(kind, ours, ref, lengths, batch_first, enforce_sorted, with_hx, seed):
    N, T = len(lengths), max(lengths)
    x = randn(*((N, T, D) if batch_first else (T, N, D)), seed=seed)
    L = ours.num_layers * ours.num_directions
    hx = None
    if with_hx:
        hx = randn(L, N, H, seed=seed + 1)
        hx = (hx, randn(L, N, H, seed=seed + 2)) if kind == "LSTM" else hx
    leaves = [x, *([] if hx is None else _states(hx))]
    results = []
    for model in (ours, ref):
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=enforce_sorted)
        output, state = model(packed, hx)
        results.append((output, _states(state)))
    (out, states), (out_ref, states_ref) = results
    assert isinstance(out, torch.nn.utils.rnn.PackedSequence)
    for field in ("batch_sizes", "sorted_indices", "unsorted_indices"):
        a, b = getattr(out, field), getattr(out_ref, field)
        assert (a is None and b is None) or torch.equal(a, b), f"{kind} output.{field}"
    assert_close(out.data, out_ref.data, f"{kind} packed output")
    for name, a, b in zip(("h_n", "c_n"), states, states_ref):
        assert_close(a, b, f"{kind} {name}")
    g = torch.autograd.grad(weighted_sum([out.data, *states], seed + 3), [*leaves, *ours.parameters()])
    g_ref = torch.autograd.grad(weighted_sum([out_ref.data, *states_ref], seed + 3), [*leaves, *ref.parameters()])
    names = ["x", "h_0", "c_0"][:len(leaves)] + [n for n, _ in ours.named_parameters()]
    for name, a, b in zip(names, g, g_ref):
        assert_close(a, b, f"{kind} gradient of {name}")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, True)])
@pytest.mark.parametrize("with_hx", [False, True])
def test_packed_matches_torch(kind, enforce_sorted, batch_first, layers, bidirectional, with_hx):
    lengths = [5, 5, 3, 2, 1] if enforce_sorted else [3, 5, 1, 5, 2]  # ties, and a sequence of one step
    ours, ref = _pair(kind, seed=1, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
    _compare(kind, ours, ref, lengths, batch_first, enforce_sorted, with_hx, seed=2)


@pytest.mark.parametrize("kind", KINDS)
def test_packed_autograd_reference_path(kind):
    """fused=False (autograd through the step functions) takes the same packed route."""
    ours, ref = _pair(kind, seed=3, fused=False, num_layers=2, bidirectional=True)
    _compare(kind, ours, ref, [2, 4, 1], False, False, True, seed=4)


@settings(max_examples=10, deadline=None)
@given(kind=st.sampled_from(KINDS), lengths=st.lists(st.integers(1, 5), min_size=1, max_size=4),
       layers=st.integers(1, 2), bidirectional=st.booleans(), seed=st.integers(0, 1000))
def test_random_lengths_match_torch(kind, lengths, layers, bidirectional, seed):
    ours, ref = _pair(kind, seed, num_layers=layers, bidirectional=bidirectional)
    _compare(kind, ours, ref, lengths, False, False, seed % 2 == 0, seed)


def test_packed_equals_the_padded_path_on_the_real_steps():
    """Forward direction: the padded run's outputs at real positions and its state at each length."""
    ours, _ = _pair("GRU", seed=5)
    lengths = [4, 2, 3]
    x = randn(4, 3, D, seed=6, requires_grad=False)
    out, h_n = ours(pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=False))
    padded, _ = pad_packed_sequence(out)
    full, _ = ours(x)
    for n, length in enumerate(lengths):
        assert_close(padded[:length, n], full[:length, n], f"outputs of sequence {n}")
        assert_close(h_n[0, n], full[length - 1, n], f"h_n of sequence {n}: the state at its last real step")


def test_segments_of_a_packed_batch():
    assert segments(torch.tensor([3, 3, 2, 1, 1])) == [(0, 2, 3, 0, 6), (2, 3, 2, 6, 8), (3, 5, 1, 8, 10)]
    assert segments(torch.tensor([2])) == [(0, 1, 2, 0, 2)]


def test_packed_bad_input_gets_a_clear_error():
    lstm = rt.LSTM(D, H)
    packed = pack_padded_sequence(torch.zeros(4, 2, D + 1), torch.tensor([4, 2]))
    with pytest.raises(InputError, match=r"^LSTM\.forward: argument 'x.data': expected shape \(sum of lengths, D\) "
                                         r"with D = 3; got shape \(6, 4\)\. D = 3 was fixed by the constructor"):
        lstm(packed)
    packed = pack_padded_sequence(torch.zeros(4, 2, D), torch.tensor([4, 2]))
    with pytest.raises(InputError, match=r"argument hx\[0\]: expected shape .*\(1, 2, 4\); got shape \(1, 3, 4\)\. "
                                         r"N = 2 was fixed by argument 'x' \(a PackedSequence of 2 sequences\)"):
        lstm(packed, (torch.zeros(1, 3, H), torch.zeros(1, 3, H)))
