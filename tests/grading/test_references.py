"""The grader's own references, where rnnlearn.numpy has none, against torch autograd."""

import numpy as np
import torch

from rnnlearn.grading.chapters import bptt, rnn_equations, vanishing
from rnnlearn.numpy import random_params, rnn_backward, rnn_forward


def _torch_tbptt(x, h0, params, dh_seq, k):
    """Truncated BPTT(k, k) the PyTorch way: detach the state at every chunk boundary."""
    p = {key: torch.tensor(v, requires_grad=True) for key, v in params.items()}
    xt = torch.tensor(x, requires_grad=True)
    h, loss = torch.tensor(h0), 0.0
    for t in range(x.shape[1]):
        if t % k == 0:
            h = h.detach()
        h = torch.tanh(xt[:, t] @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"])
        loss = loss + (h * torch.tensor(dh_seq[:, t])).sum()
    loss.backward()
    return xt.grad.numpy(), {key: v.grad.numpy() for key, v in p.items()}


def test_tbptt_reference_matches_torch_detach_and_full_bptt_when_k_ge_T():
    rng = np.random.default_rng(0)
    N, T, D, H = 2, 7, 3, 4
    x, h0, params = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), random_params("rnn", D, H, rng=rng)
    dh_seq = rng.normal(size=(N, T, H))
    _, _, cache = rnn_forward(x, h0, params)
    for k in (1, 2, 3, 7):
        dx, grads = bptt.tbptt(dh_seq, cache, k)
        tdx, tgrads = _torch_tbptt(x, h0, params, dh_seq, k)
        np.testing.assert_allclose(dx, tdx, rtol=1e-10, atol=1e-12)
        for key in grads:
            np.testing.assert_allclose(grads[key], tgrads[key], rtol=1e-10, atol=1e-12)
    dx, grads = bptt.tbptt(dh_seq, cache, T + 3)
    fdx, _, fgrads = rnn_backward(dh_seq, cache)
    np.testing.assert_allclose(dx, fdx, rtol=1e-12)
    assert not np.allclose(bptt.tbptt(dh_seq, cache, 3)[0], fdx)  # truncation changes dx


def test_variant_families_are_right_without_a_mistake():
    rng = np.random.default_rng(1)
    x, h0, params = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 4)), random_params("rnn", 3, 4, rng=rng)
    h_seq, h_T, cache = rnn_forward(x, h0, params)
    ours = rnn_equations.seq_forward(x, h0, params)
    np.testing.assert_allclose(ours[0], h_seq, rtol=1e-12)
    dh_seq, dh_T = rng.normal(size=h_seq.shape), rng.normal(size=h_T.shape)
    for got, want in zip(bptt.seq_backward(dh_seq, cache, dh_T)[:2], rnn_backward(dh_seq, cache, dh_T)[:2]):
        np.testing.assert_allclose(got, want, rtol=1e-10)
    W = torch.tensor(params["weight_hh"])
    sigma, gamma, _ = vanishing.vanishing_condition(params["weight_hh"], "sigmoid")
    assert np.isclose(sigma, float(torch.linalg.matrix_norm(W, ord=2))) and gamma == 0.25


def test_clip_reference_follows_pascanu_up_to_torch_eps():
    rng = np.random.default_rng(2)
    grads = {"a": rng.normal(size=(3, 4)) * 5, "b": rng.normal(size=4)}
    clipped, total = bptt.clip(grads, 1.0)
    assert np.isclose(np.sqrt(sum(np.sum(g ** 2) for g in clipped.values())), 1.0)
    assert np.isclose(total, np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))


def _assert_close(got, want):
    """An array, or a dict of arrays, equal to float rounding."""
    for key in (want if isinstance(want, dict) else [None]):
        g, w = (got, want) if key is None else (got[key], want[key])
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-14, err_msg=str(key))


def test_gated_and_attention_variants_are_right_without_a_mistake():
    import rnnlearn.numpy as ref
    from rnnlearn.grading.chapters import attention, gru, lstm
    from rnnlearn.grading.chapters.attention import SCATTERED, attention_params

    rng = np.random.default_rng(3)
    x, h, c = rng.normal(size=(3, 2)), rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    p4, p3 = random_params("lstm", 2, 4, rng=rng), random_params("gru", 2, 4, rng=rng)
    dh, dc = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    h_next, c_next, cache = ref.lstm_step_forward(x, h, c, p4)
    np.testing.assert_allclose(np.stack(lstm.step_forward(x, h, c, p4)), np.stack([h_next, c_next]), rtol=1e-12)
    for got, want in zip(lstm.step_backward(dh, dc, cache), ref.lstm_step_backward(dh, dc, cache)):
        _assert_close(got, want)
    h_next, cache = ref.gru_step_forward(x, h, p3)
    np.testing.assert_allclose(gru.step_forward(x, h, p3), h_next, rtol=1e-12)
    for got, want in zip(gru.step_backward(dh, cache), ref.gru_step_backward(dh, cache)):
        _assert_close(got, want)
    q, keys, pa = rng.normal(size=(3, 3)), rng.normal(size=(3, 4, 5)), attention_params(rng, 3, 5, 4)
    for mask in (SCATTERED, None):
        context, weights, _ = ref.additive_attention_forward(q, keys, mask, pa)
        ours = attention.forward(q, keys, mask, pa)
        np.testing.assert_allclose(ours[0], context, rtol=1e-12)
        np.testing.assert_allclose(ours[1], weights, rtol=1e-12, atol=1e-15)
