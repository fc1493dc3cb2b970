"""The LRU-style diagonal linear recurrent layer: the equations, scan = loop = step by step,
stability by construction, gradients against finite differences, bad input."""

import math

import pytest
import torch
from _torch_testutil import F64, assert_close, randn

from rnnlearn.errors import InputError
from rnnlearn.torch import LinearRecurrentLayer

D, H, K = 3, 5, 2  # K outputs


def _layer(seed=0, **kw):
    return LinearRecurrentLayer(D, H, K, generator=torch.Generator().manual_seed(seed), **kw).double()


@pytest.mark.parametrize("real", [False, True])
def test_forward_follows_the_equations(real):
    layer, x = _layer(real=real), randn(2, 6, D, seed=1)
    y, h = layer(x)
    lam = torch.exp(-torch.exp(layer.nu_log)) * (1 if real else torch.exp(1j * torch.exp(layer.theta_log)))
    B = layer.B_re if real else torch.complex(layer.B_re, layer.B_im)
    C = layer.C_re if real else torch.complex(layer.C_re, layer.C_im)
    state = torch.zeros(2, H, dtype=B.dtype)
    for t in range(6):
        # h_t = lambda * h_{t-1} + gamma * (B x_t);  y_t = Re(C h_t) + D x_t
        state = lam * state + torch.exp(layer.gamma_log) * (x[:, t].to(B.dtype) @ B.T)
        assert_close(h[:, t], state, f"h_{t + 1}")
        assert_close(y[:, t], (state @ C.T).real + x[:, t] @ layer.D.T, f"y_{t + 1}")


@pytest.mark.parametrize("real", [False, True])
def test_scan_loop_and_steps_agree_values_and_gradients(real):
    x = randn(3, 19, D, seed=2)
    layer = _layer(seed=3, real=real)
    loop = _layer(seed=3, real=real, scan=False)
    y, h = layer(x)
    y_loop, _ = loop(x)
    assert_close(y, y_loop, "y, scan against loop", atol=1e-12)
    g_scan = torch.autograd.grad(y.square().sum(), list(layer.parameters()))
    g_loop = torch.autograd.grad(y_loop.square().sum(), list(loop.parameters()))
    for (name, _), gs, gl in zip(layer.named_parameters(), g_scan, g_loop):
        assert_close(gs, gl, f"d{name}", atol=1e-11)
    state = torch.zeros(3, H, dtype=h.dtype)
    with torch.no_grad():
        for t in range(19):
            y_t, state = layer.step(x[:, t], state)
            assert_close(y_t, y[:, t], f"step {t + 1}", atol=1e-12)


def test_gradients_match_finite_differences():
    layer, x = _layer(seed=4), randn(2, 5, D, seed=5)
    params = dict(layer.named_parameters())

    def loss(x, *values):
        out = torch.func.functional_call(layer, dict(zip(params, values)), (x,))[0]
        return out.sum() + out.square().sum()

    assert torch.autograd.gradcheck(loss, (x, *[p.detach().clone().requires_grad_() for p in params.values()]))


def test_initial_eigenvalues_lie_in_the_ring_and_stay_stable():
    layer = LinearRecurrentLayer(2, 500, 1, r_min=0.5, r_max=0.9, max_phase=math.pi,
                                 generator=torch.Generator().manual_seed(0))
    modulus = layer.eigenvalues().abs()
    assert 0.5 - 1e-6 <= modulus.min() and modulus.max() <= 0.9 + 1e-6
    assert torch.allclose(torch.exp(layer.gamma_log), torch.sqrt(1 - modulus ** 2))
    with torch.no_grad():
        layer.nu_log.fill_(-30.0)  # whatever an optimiser does, |lambda| = exp(-exp(nu)) < 1 ... or = 1 in float
    assert layer.eigenvalues().abs().max() <= 1.0


def test_bad_input_is_told():
    layer = _layer()
    with pytest.raises(InputError, match=r"LinearRecurrentLayer.forward: argument 'x': expected shape "
                                         r"\(N, T, D\) = \(\?, \?, 3\); got shape \(2, 4, 5\)"):
        layer(randn(2, 4, 5, seed=0))
    with pytest.raises(InputError, match=r"LinearRecurrentLayer.forward: argument 'x'"):
        layer(randn(4, D, seed=0))
    with pytest.raises(InputError, match=r"LinearRecurrentLayer.step: argument 'h': expected shape \(N, H\) = "):
        layer.step(randn(2, D, seed=0), torch.zeros(2, H + 1, dtype=torch.complex128))
    with pytest.raises(InputError, match=r"linear_recurrence_scan: argument 'h0'"):
        layer(randn(2, 4, D, seed=0), torch.zeros(3, H, dtype=torch.complex128))
    assert F64 == torch.float64


def test_models_stacked_with_vmap_equal_the_models_run_alone():
    """The chapter trains three seeds in one pass (torch.func.stack_module_state + vmap)."""
    import copy

    from torch.func import functional_call, stack_module_state, vmap

    layers = [_layer(seed=s) for s in range(3)]
    x = randn(2, 9, D, seed=6, requires_grad=False)
    stacked, buffers = stack_module_state(layers)
    skeleton = copy.deepcopy(layers[0]).to("meta")
    y = vmap(lambda p, b, x: functional_call(skeleton, (p, b), (x,))[0], in_dims=(0, 0, None))(stacked, buffers, x)
    grads = torch.autograd.grad(y.square().sum(), list(stacked.values()))
    for m, layer in enumerate(layers):
        y_m = layer(x)[0]
        assert_close(y[m], y_m, f"model {m}")
        for (name, p), g in zip(layer.named_parameters(), grads):
            assert_close(g[m], torch.autograd.grad(y_m.square().sum(), p, retain_graph=True)[0], f"model {m} d{name}")
