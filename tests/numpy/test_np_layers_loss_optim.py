"""Embedding, output layer, masked cross-entropy and optimizers, against torch."""

import numpy as np
import pytest
import torch

import rnnlearn.numpy as rn


@pytest.mark.parametrize("N,T,V,D", [(1, 1, 2, 1), (3, 4, 5, 2), (2, 6, 3, 4)])
def test_embedding_matches_torch(nph, N, T, V, D):
    rng = np.random.default_rng(N + T + V)
    params = {"weight": rng.normal(size=(V, D))}
    tokens = rng.integers(0, V, size=(N, T))  # repeats are likely: tests accumulation
    dx = rng.normal(size=(N, T, D))
    before = nph.snapshot(params, tokens, dx)
    x, cache = rn.embedding_forward(tokens, params)
    grads = rn.embedding_backward(dx, cache)
    emb = torch.nn.Embedding(V, D).double()
    emb.load_state_dict({"weight": torch.tensor(params["weight"])})
    out = emb(torch.tensor(tokens))
    (out * torch.tensor(dx)).sum().backward()
    nph.check_close("embedding_forward", x, out)
    nph.check_close("embedding_backward:weight", grads["weight"], emb.weight.grad)
    nph.assert_unchanged(before, params, tokens, dx)


@pytest.mark.parametrize("N,T,H,V", [(1, 1, 1, 2), (3, 4, 5, 2), (2, 6, 3, 7)])
def test_output_layer_matches_torch(nph, N, T, H, V):
    rng = np.random.default_rng(N * T + H)
    params = {"weight": rng.normal(size=(V, H)), "bias": rng.normal(size=(V,))}
    h_seq, dy = rng.normal(size=(N, T, H)), rng.normal(size=(N, T, V))
    before = nph.snapshot(params, h_seq, dy)
    y, cache = rn.output_forward(h_seq, params)
    dh_seq, grads = rn.output_backward(dy, cache)
    lin = torch.nn.Linear(H, V).double()
    lin.load_state_dict({k: torch.tensor(v) for k, v in params.items()})
    ht = nph.tt(h_seq)
    out = lin(ht)
    (out * torch.tensor(dy)).sum().backward()
    nph.check_close("output_forward", y, out)
    nph.check_close("output_backward:dh_seq", dh_seq, ht.grad)
    nph.check_grads("output_backward", grads, {n: p.grad for n, p in lin.named_parameters()})
    nph.assert_unchanged(before, params, h_seq, dy)
    num = rn.numerical_gradient(lambda v: rn.output_forward(v, params)[0], h_seq, dy)
    assert rn.rel_error(dh_seq, num) < 1e-7


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_cross_entropy_matches_torch(nph, masked, scale):
    rng = np.random.default_rng(int(scale) + masked)
    N, T, V = 3, 5, 4
    logits = rng.normal(size=(N, T, V)) * scale
    targets = rng.integers(0, V, size=(N, T))
    mask = rng.random((N, T)) < 0.6 if masked else None
    if masked:
        mask[0, 0] = True
        targets[~mask] = -100  # padding ids at masked steps are allowed
    before = nph.snapshot(logits, targets)
    loss, dlogits = rn.softmax_cross_entropy(logits, targets, mask)
    lt = nph.tt(logits)
    t_targets = torch.tensor(targets if mask is None else np.where(mask, targets, -100))
    t_loss = torch.nn.functional.cross_entropy(lt.reshape(-1, V), t_targets.reshape(-1),
                                               ignore_index=-100)
    t_loss.backward()
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits))
    nph.check_close("softmax_cross_entropy:loss", loss, t_loss)
    nph.check_close("softmax_cross_entropy:dlogits", dlogits, lt.grad)
    nph.assert_unchanged(before, logits, targets)
    if masked:
        assert np.all(dlogits[~mask] == 0.0)
    if scale == 1.0:
        num = rn.numerical_gradient(lambda v: rn.softmax_cross_entropy(v, targets, mask)[0],
                                    logits)
        assert rn.rel_error(dlogits, num) < 1e-6


def test_sgd_and_adam_match_torch(nph):
    rng = np.random.default_rng(0)
    params = {"a": rng.normal(size=(3, 2)), "b": rng.normal(size=(4,))}
    tparams = [torch.tensor(v, requires_grad=True) for v in params.values()]
    before = nph.snapshot(params)
    opt = torch.optim.Adam(tparams, lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    ours, state = params, rn.adam_init(params)
    for _ in range(5):
        grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
        for t, g in zip(tparams, grads.values()):
            t.grad = torch.tensor(g)
        opt.step()
        ours, state = rn.adam_step(ours, grads, state, lr=0.05, betas=(0.8, 0.99), eps=1e-6)
    for (k, v), t in zip(ours.items(), tparams):
        nph.check_close(f"adam_step:{k}", v, t, tol=1e-12)
    assert state.t == 5
    nph.assert_unchanged(before, params)

    grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    stepped = rn.sgd_step(params, grads, lr=0.1)
    opt = torch.optim.SGD(tparams, lr=0.1)
    for t, p, g in zip(tparams, params.values(), grads.values()):
        t.data, t.grad = torch.tensor(p), torch.tensor(g)
    opt.step()
    for (k, v), t in zip(stepped.items(), tparams):
        nph.check_close(f"sgd_step:{k}", v, t)
    nph.assert_unchanged(before, params)


def test_character_model_pipeline_matches_torch(nph):
    """embedding -> LSTM -> output -> masked loss: every gradient, end to end."""
    rng = np.random.default_rng(1)
    N, T, V, D, H = 2, 5, 6, 3, 4
    emb = {"weight": rng.normal(size=(V, D))}
    lstm = nph.random_params("lstm", D, H, rng)
    out = {"weight": rng.normal(size=(V, H)), "bias": rng.normal(size=(V,))}
    tokens, targets = rng.integers(0, V, size=(N, T)), rng.integers(0, V, size=(N, T))
    mask = np.ones((N, T), bool)
    mask[1, 3:] = False
    h0 = c0 = np.zeros((N, H))

    x, c_emb = rn.embedding_forward(tokens, emb)
    h_seq, _, _, c_lstm = rn.lstm_forward(x, h0, c0, lstm)
    y, c_out = rn.output_forward(h_seq, out)
    loss, dy = rn.softmax_cross_entropy(y, targets, mask)
    dh_seq, g_out = rn.output_backward(dy, c_out)
    dx, _, _, g_lstm = rn.lstm_backward(dh_seq, c_lstm)
    g_emb = rn.embedding_backward(dx, c_emb)

    t_emb = torch.nn.Embedding(V, D).double()
    t_emb.load_state_dict({"weight": torch.tensor(emb["weight"])})
    t_lstm, t_out = nph.torch_seq("lstm", lstm), torch.nn.Linear(H, V).double()
    t_out.load_state_dict({k: torch.tensor(v) for k, v in out.items()})
    logits = t_out(t_lstm(t_emb(torch.tensor(tokens)))[0])
    t_loss = torch.nn.functional.cross_entropy(
        logits.reshape(-1, V), torch.tensor(np.where(mask, targets, -100)).reshape(-1))
    t_loss.backward()
    nph.check_close("pipeline:loss", loss, t_loss)
    nph.check_grads("pipeline:lstm", g_lstm, nph.torch_grads(t_lstm))
    nph.check_grads("pipeline:output", g_out, {n: p.grad for n, p in t_out.named_parameters()})
    nph.check_close("pipeline:embedding", g_emb["weight"], t_emb.weight.grad)
