"""RNN, LSTM and GRU against torch.nn in float64 and against finite differences.

One table adapts the three cells to a common shape (LSTM carries two states, h and c),
so every check below runs on every cell.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlearn.numpy as rn

KINDS = {
    "rnn": dict(n_states=1,
                step_fwd=lambda x, s, p: (lambda h, c: ((h,), c))(*rn.rnn_step_forward(x, *s, p)),
                step_bwd=lambda d, c: (lambda dx, dh, g: (dx, (dh,), g))(*rn.rnn_step_backward(*d, c)),
                seq_fwd=lambda x, s, p: (lambda hs, h, c: (hs, (h,), c))(*rn.rnn_forward(x, *s, p)),
                seq_bwd=lambda d, c, dT: (lambda dx, dh, g: (dx, (dh,), g))(*rn.rnn_backward(d, c, *dT)),
                fields=("x", "h_prev", "h_next", "params")),
    "lstm": dict(n_states=2,
                 step_fwd=lambda x, s, p: (lambda h, c, k: ((h, c), k))(*rn.lstm_step_forward(x, *s, p)),
                 step_bwd=lambda d, c: (lambda dx, dh, dc, g: (dx, (dh, dc), g))(*rn.lstm_step_backward(*d, c)),
                 seq_fwd=lambda x, s, p: (lambda hs, h, c, k: (hs, (h, c), k))(*rn.lstm_forward(x, *s, p)),
                 seq_bwd=lambda d, c, dT: (lambda dx, dh, dc, g: (dx, (dh, dc), g))(*rn.lstm_backward(d, c, *dT)),
                 fields=("x", "h_prev", "c_prev", "i", "f", "g", "o", "c_next", "h_next", "params")),
    "gru": dict(n_states=1,
                step_fwd=lambda x, s, p: (lambda h, c: ((h,), c))(*rn.gru_step_forward(x, *s, p)),
                step_bwd=lambda d, c: (lambda dx, dh, g: (dx, (dh,), g))(*rn.gru_step_backward(*d, c)),
                seq_fwd=lambda x, s, p: (lambda hs, h, c: (hs, (h,), c))(*rn.gru_forward(x, *s, p)),
                seq_bwd=lambda d, c, dT: (lambda dx, dh, g: (dx, (dh,), g))(*rn.gru_backward(d, c, *dT)),
                fields=("x", "h_prev", "r", "z", "n", "hn_lin", "h_next", "params")),
}


def torch_step(kind, cell, x, states):
    out = cell(x, tuple(states) if len(states) == 2 else states[0])
    return tuple(out) if isinstance(out, tuple) else (out,)


def torch_seq_forward(kind, net, x, states):
    hx = tuple(s[None] for s in states) if len(states) == 2 else states[0][None]
    out, final = net(x, hx)
    final = tuple(f[0] for f in final) if isinstance(final, tuple) else (final[0],)
    return out, final


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("N,T,D,H", [(1, 1, 1, 1), (1, 3, 2, 5), (3, 1, 4, 2), (4, 5, 3, 6)])
def test_step_matches_torch(nph, kind, N, T, D, H):
    k, rng = KINDS[kind], np.random.default_rng(N * 100 + D * 10 + H)
    params = nph.random_params(kind, D, H, rng)
    x = rng.normal(size=(N, D))
    states = [rng.normal(size=(N, H)) for _ in range(k["n_states"])]
    outs, cache = k["step_fwd"](x, states, params)
    assert set(k["fields"]) <= set(cache._fields), cache._fields
    assert cache.params is params

    cell = nph.torch_cell(kind, params)
    xt, st_ = nph.tt(x), [nph.tt(s) for s in states]
    touts = torch_step(kind, cell, xt, st_)
    for i, (o, to) in enumerate(zip(outs, touts)):
        nph.check_close(f"{kind}_step_forward:out{i}", o, to)

    douts = [rng.normal(size=(N, H)) for _ in outs]
    sum((to * nph.tt(d, False)).sum() for to, d in zip(touts, douts)).backward()
    dx, dstates, grads = k["step_bwd"](douts, cache)
    nph.check_close(f"{kind}_step_backward:dx", dx, xt.grad)
    for i, (ds, s) in enumerate(zip(dstates, st_)):
        nph.check_close(f"{kind}_step_backward:dstate{i}", ds, s.grad)
    nph.check_grads(f"{kind}_step_backward", grads, nph.torch_grads(cell))


def seq_case(nph, kind, N, T, D, H, seed, with_final):
    """Forward and backward of a sequence, ours and torch.nn's, compared."""
    k, rng = KINDS[kind], np.random.default_rng(seed)
    params = nph.random_params(kind, D, H, rng)
    x = rng.normal(size=(N, T, D))
    states = [rng.normal(size=(N, H)) for _ in range(k["n_states"])]
    h_seq, finals, cache = k["seq_fwd"](x, states, params)
    assert len(cache.steps) == T

    net = nph.torch_seq(kind, params)
    xt, st_ = nph.tt(x), [nph.tt(s) for s in states]
    out, tfinals = torch_seq_forward(kind, net, xt, st_)
    nph.check_close(f"{kind}_forward:h_seq", h_seq, out)
    for i, (f, tf) in enumerate(zip(finals, tfinals)):
        nph.check_close(f"{kind}_forward:final{i}", f, tf)

    dh_seq = rng.normal(size=(N, T, H))
    dfinal = [rng.normal(size=(N, H)) for _ in finals] if with_final else []
    loss = (out * nph.tt(dh_seq, False)).sum()
    loss = loss + sum((tf * nph.tt(d, False)).sum() for tf, d in zip(tfinals, dfinal))
    loss.backward()
    dx, dstates, grads = k["seq_bwd"](dh_seq, cache, dfinal)
    nph.check_close(f"{kind}_backward:dx", dx, xt.grad)
    for i, (ds, s) in enumerate(zip(dstates, st_)):
        nph.check_close(f"{kind}_backward:dstate{i}", ds, s.grad)
    nph.check_grads(f"{kind}_backward", grads, nph.torch_grads(net))


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("with_final", [False, True])
@pytest.mark.parametrize("N,T,D,H", [(1, 1, 1, 1), (1, 3, 2, 5), (3, 1, 4, 2), (4, 6, 3, 5)])
def test_sequence_matches_torch(nph, kind, N, T, D, H, with_final):
    seq_case(nph, kind, N, T, D, H, seed=N + T + D + H, with_final=with_final)


@pytest.mark.parametrize("kind", sorted(KINDS))
@settings(max_examples=15, deadline=None)
@given(N=st.integers(1, 4), T=st.integers(1, 6), D=st.integers(1, 5),
       H=st.integers(1, 5), seed=st.integers(0, 2**32 - 1), with_final=st.booleans())
def test_sequence_property(nph, kind, N, T, D, H, seed, with_final):
    seq_case(nph, kind, N, T, D, H, seed, with_final)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_sequence_backward_matches_finite_differences(nph, kind):
    k, rng = KINDS[kind], np.random.default_rng(7)
    N, T, D, H = 2, 3, 3, 4
    params = nph.random_params(kind, D, H, rng)
    x = rng.normal(size=(N, T, D))
    states = [rng.normal(size=(N, H)) for _ in range(k["n_states"])]
    dh_seq = rng.normal(size=(N, T, H))
    dfinal = [rng.normal(size=(N, H)) for _ in range(k["n_states"])]

    def loss(x, states, params):
        h_seq, finals, _ = k["seq_fwd"](x, states, params)
        return np.sum(h_seq * dh_seq) + sum(np.sum(f * d) for f, d in zip(finals, dfinal))

    _, _, cache = k["seq_fwd"](x, states, params)
    dx, dstates, grads = k["seq_bwd"](dh_seq, cache, dfinal)
    num = rn.numerical_gradient(lambda v: loss(v, states, params), x)
    assert rn.rel_error(dx, num) < 1e-6, (dx, num)
    for i in range(len(states)):
        num = rn.numerical_gradient(lambda v, i=i: loss(x, states[:i] + [v] + states[i + 1:], params), states[i])
        assert rn.rel_error(dstates[i], num) < 1e-6, (i, dstates[i], num)
    num = rn.numerical_gradient(lambda p: loss(x, states, p), params)  # a dict of gradients
    for name in params:
        assert rn.rel_error(grads[name], num[name]) < 1e-6, (name, grads[name], num[name])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_step_backward_matches_finite_differences(nph, kind):
    k, rng = KINDS[kind], np.random.default_rng(11)
    N, D, H = 3, 2, 4
    params = nph.random_params(kind, D, H, rng)
    x = rng.normal(size=(N, D))
    states = [rng.normal(size=(N, H)) for _ in range(k["n_states"])]
    douts = [rng.normal(size=(N, H)) for _ in range(k["n_states"])]

    def loss(x, states, params):
        outs, _ = k["step_fwd"](x, states, params)
        return sum(np.sum(o * d) for o, d in zip(outs, douts))

    _, cache = k["step_fwd"](x, states, params)
    dx, dstates, grads = k["step_bwd"](douts, cache)
    assert rn.rel_error(dx, rn.numerical_gradient(lambda v: loss(v, states, params), x)) < 1e-6
    for i in range(len(states)):
        num = rn.numerical_gradient(lambda v, i=i: loss(x, states[:i] + [v] + states[i + 1:], params), states[i])
        assert rn.rel_error(dstates[i], num) < 1e-6
    num = rn.numerical_gradient(lambda p: loss(x, states, p), params)  # a dict of gradients
    for name in params:
        assert rn.rel_error(grads[name], num[name]) < 1e-6, name


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_nothing_is_mutated(nph, kind):
    k, rng = KINDS[kind], np.random.default_rng(3)
    params = nph.random_params(kind, 3, 4, rng)
    x = rng.normal(size=(2, 5, 3))
    states = [rng.normal(size=(2, 4)) for _ in range(k["n_states"])]
    dh_seq = rng.normal(size=(2, 5, 4))
    dfinal = [rng.normal(size=(2, 4)) for _ in range(k["n_states"])]
    before = nph.snapshot(x, *states, params, dh_seq, *dfinal)
    _, _, cache = k["seq_fwd"](x, states, params)
    cache_before = nph.snapshot(*[s._asdict() for s in cache.steps])
    k["seq_bwd"](dh_seq, cache, dfinal)
    k["seq_bwd"](dh_seq, cache, dfinal)
    nph.assert_unchanged(before, x, *states, params, dh_seq, *dfinal)
    nph.assert_unchanged(cache_before, *[s._asdict() for s in cache.steps])


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_float32_in_float32_out(nph, kind):
    k, rng = KINDS[kind], np.random.default_rng(5)
    params = {n: v.astype(np.float32) for n, v in nph.random_params(kind, 3, 4, rng).items()}
    x = rng.normal(size=(2, 3, 3)).astype(np.float32)
    states = [np.zeros((2, 4), np.float32) for _ in range(k["n_states"])]
    h_seq, _, cache = k["seq_fwd"](x, states, params)
    dx, dstates, grads = k["seq_bwd"](np.ones_like(h_seq), cache, [])
    assert h_seq.dtype == dx.dtype == dstates[0].dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
