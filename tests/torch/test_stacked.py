"""StackedLSTM: M models in one pass are M separate LSTMs (torch.nn.LSTM, LSTMVariantCell), in float64,
forward and gradients; finite differences; per-model clipping is per-model clip_grad_norm_."""

import pytest
import torch
from _torch_testutil import F64, assert_close, randn, randomize, weighted_sum

from rnnlearn.errors import InputError
from rnnlearn.torch.lstm_variants import VariantLSTM
from rnnlearn.torch.stacked import StackedLSTM, StackedLSTMFunction, clip_grad_norm_per_model_

N, T, D, H = 3, 6, 4, 5
# full, no forget gate, no output gate, coupled (CIFG), no forget and no output gate
VARIANTS = [{}, {"forget_gate": False}, {"output_gate": False}, {"coupled": True},
            {"forget_gate": False, "output_gate": False}]


def _stack_of(variants, seed):
    options = {k: [v.get(k, k != "coupled") for v in variants] for k in ("forget_gate", "output_gate", "coupled")}
    return randomize(StackedLSTM(len(variants), D, H, dtype=F64, **options), seed)


def _grads(loss, tensors):
    return torch.autograd.grad(loss, tensors)


@pytest.mark.parametrize("seed", [0, 1])
def test_each_model_is_its_own_variant_lstm_forward_and_backward(seed):
    stack = _stack_of(VARIANTS, seed)
    M = stack.num_models
    x, h0, c0 = randn(M, N, T, D, seed=seed + 10), randn(M, N, H, seed=seed + 11), randn(M, N, H, seed=seed + 12)
    out, (h_n, c_n) = stack(x, (h0, c0))
    loss = weighted_sum([out, h_n, c_n], seed + 13)
    got = _grads(loss, [x, h0, c0, *stack.parameters()])
    weights = torch.Generator().manual_seed(seed + 13)  # the same random weights, model by model
    w_out, w_h, w_c = (torch.randn(t.shape, generator=weights, dtype=F64) for t in (out, h_n, c_n))
    for m, options in enumerate(VARIANTS):
        ref = VariantLSTM(D, H, **options).double()
        ref.cell.load_state_dict(stack.model_state_dict(m, suffix=""))
        xm, hm, cm = (t.detach()[m].clone().requires_grad_() for t in (x, h0, c0))
        out_m, (h_m, c_m) = ref(xm, (hm[None], cm[None]))
        assert_close(out[m], out_m, f"model {m} {options}: output")
        assert_close(h_n[m], h_m[0], f"model {m}: h_n")
        assert_close(c_n[m], c_m[0], f"model {m}: c_n")
        loss_m = (out_m * w_out[m]).sum() + (h_m[0] * w_h[m]).sum() + (c_m[0] * w_c[m]).sum()
        want = _grads(loss_m, [xm, hm, cm, *ref.cell.parameters()])
        names = ["x", "h0", "c0", "weight_ih", "weight_hh", "bias_ih", "bias_hh"]
        for name, g_stack, g_ref in zip(names, got, want):
            assert_close(g_stack[m], g_ref, f"model {m} {options}: d{name}")


def test_plain_stack_is_torch_nn_lstm_and_loads_both_ways():
    refs = [randomize(torch.nn.LSTM(D, H, batch_first=True, dtype=F64), seed) for seed in range(3)]
    stack = StackedLSTM(3, D, H, dtype=F64).load_models(refs)
    x = randn(N, T, D, seed=5)  # one batch for every model
    out, (h_n, c_n) = stack(x)
    loss = weighted_sum([out, h_n, c_n], 6)
    got = _grads(loss, [x, *stack.parameters()])
    gen = torch.Generator().manual_seed(6)
    w_out, w_h, w_c = (torch.randn(t.shape, generator=gen, dtype=F64) for t in (out, h_n, c_n))
    dx = torch.zeros_like(x)
    for m, ref in enumerate(refs):
        out_m, (h_m, c_m) = ref(x)
        assert_close(out[m], out_m, f"model {m}: output")
        loss_m = (out_m * w_out[m]).sum() + (h_m[0] * w_h[m]).sum() + (c_m[0] * w_c[m]).sum()
        g = _grads(loss_m, [x, *ref.parameters()])
        dx += g[0]
        for name, g_stack, g_ref in zip(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], got[1:], g[1:]):
            assert_close(g_stack[m], g_ref, f"model {m}: d{name}")
        back = torch.nn.LSTM(D, H, batch_first=True, dtype=F64)
        back.load_state_dict(stack.model_state_dict(m))
        assert_close(back(x)[0], out_m, f"model {m}: state_dict round trip")
    assert_close(got[0], dx, "dx, summed over the models that share it")


def test_finite_differences_every_input_and_parameter():
    stack = StackedLSTM(4, 2, 3, dtype=F64, forget_gate=[True, False, True, True],
                        output_gate=[True, True, False, True], coupled=[False, False, False, True])
    randomize(stack, 7)
    x, h0, c0 = randn(3, 4, 2, 2, seed=8), randn(4, 2, 3, seed=9), randn(4, 2, 3, seed=10)  # x (T, M, N, D)
    params = [p.detach().clone().requires_grad_() for p in stack.parameters()]
    masks = (stack.keep_f, stack.coupled_mask, stack.keep_o)
    assert torch.autograd.gradcheck(StackedLSTMFunction.apply, (x, h0, c0, *params, *masks), fast_mode=True)


def test_clip_per_model_is_clip_grad_norm_of_each_model():
    gen = torch.Generator().manual_seed(0)
    params = [torch.zeros(3, 4, 2, dtype=F64, requires_grad=True), torch.zeros(3, 5, dtype=F64, requires_grad=True)]
    grads = [torch.randn(p.shape, generator=gen, dtype=F64) * s for p, s in zip(params, (1.0, 3.0))]
    for g in grads:
        g[1] *= 0.01  # model 1 below the threshold: left alone
    for p, g in zip(params, grads):
        p.grad = g.clone()
    norms = clip_grad_norm_per_model_(params, 1.0)
    for m in range(3):
        single = [g[m].clone().requires_grad_() for g in grads]
        for s, g in zip(single, grads):
            s.grad = g[m].clone()
        norm = torch.nn.utils.clip_grad_norm_(single, 1.0)
        assert_close(norms[m], norm, f"norm of model {m}")
        for p, s in zip(params, single):
            assert_close(p.grad[m], s.grad, f"clipped gradient of model {m}")
    assert norms.min() < 1 < norms.max()  # one model clipped, one not


def test_bad_input_is_reported():
    stack = StackedLSTM(2, D, H)
    with pytest.raises(InputError, match=r"StackedLSTM.forward: argument 'x'"):
        stack(torch.zeros(3, N, T, D))
    with pytest.raises(InputError, match="coupled"):
        StackedLSTM(2, D, H, forget_gate=[True, False], coupled=[False, True])
    with pytest.raises(InputError, match="forget_gate"):
        StackedLSTM(2, D, H, forget_gate=[True, False, True])
    with pytest.raises(InputError, match="load_models"):
        stack.load_models([torch.nn.LSTM(D, H)])


def test_training_the_stack_with_adam_is_training_each_model():
    refs = [randomize(torch.nn.LSTM(D, H, batch_first=True, dtype=F64), seed) for seed in (3, 4)]
    stack = StackedLSTM(2, D, H, dtype=F64).load_models(refs)
    opt_stack = torch.optim.Adam(stack.parameters(), lr=0.05)
    opts = [torch.optim.Adam(r.parameters(), lr=0.05) for r in refs]
    for step in range(3):
        x = randn(2, N, T, D, seed=20 + step, requires_grad=False)  # a different batch per model
        opt_stack.zero_grad()
        out, _ = stack(x)
        out[:, :, -1].pow(2).sum().backward()  # the sum of the two models' losses
        clip_grad_norm_per_model_(list(stack.parameters()), 0.1)
        opt_stack.step()
        for m, (ref, opt) in enumerate(zip(refs, opts)):
            opt.zero_grad()
            ref(x[m])[0][:, -1].pow(2).sum().backward()
            torch.nn.utils.clip_grad_norm_(ref.parameters(), 0.1)
            opt.step()
    for m, ref in enumerate(refs):
        for name, value in stack.model_state_dict(m).items():
            assert_close(value, ref.state_dict()[name], f"model {m}: {name} after 3 Adam steps")
