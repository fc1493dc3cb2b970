"""The linear recurrence h_t = a_t * h_{t-1} + b_t: loop and parallel scan agree (values and
gradients, against autograd and finite differences), real and complex, and bad input is told."""

import re

import pytest
import torch
from _torch_testutil import F64, assert_close, randn, weighted_sum

from rnnlearn.errors import InputError
from rnnlearn.torch import combine_steps, linear_recurrence_loop, linear_recurrence_scan


def _inputs(N, T, H, seed, dtype=F64):
    gen = torch.Generator().manual_seed(seed)
    a = (torch.rand(N, T, H, generator=gen, dtype=F64) * 2 - 1).to(dtype).requires_grad_()
    b = torch.randn(N, T, H, generator=gen, dtype=F64).to(dtype).requires_grad_()
    h0 = torch.randn(N, H, generator=gen, dtype=F64).to(dtype).requires_grad_()
    return a, b, h0


def test_loop_follows_the_equation():
    a, b, h0 = _inputs(2, 4, 3, seed=0)
    h = linear_recurrence_loop(a, b, h0)
    expected = a[:, 0] * h0 + b[:, 0]
    for t in range(4):
        assert_close(h[:, t], expected, f"h_{t + 1}")
        if t < 3:
            expected = a[:, t + 1] * expected + b[:, t + 1]


def test_combine_is_associative_and_composes_two_steps():
    (a1, b1, h), (a2, b2, _), (a3, b3, _) = (_inputs(2, 1, 3, seed=s) for s in (1, 2, 3))
    left = combine_steps(*combine_steps(a1, b1, a2, b2), a3, b3)
    right = combine_steps(a1, b1, *combine_steps(a2, b2, a3, b3))
    assert_close(left[0], right[0], "a part")
    assert_close(left[1], right[1], "b part")
    a12, b12 = combine_steps(a1, b1, a2, b2)
    assert_close(a12 * h[:, None] + b12, a2 * (a1 * h[:, None] + b1) + b2, "two steps in one")


@pytest.mark.parametrize("T", [1, 2, 3, 5, 8, 13, 64])
@pytest.mark.parametrize("with_h0", [True, False])
def test_scan_equals_loop_in_float64_with_gradients(T, with_h0):
    a, b, h0 = _inputs(3, T, 4, seed=T)
    h0 = h0 if with_h0 else None
    h_loop, h_scan = linear_recurrence_loop(a, b, h0), linear_recurrence_scan(a, b, h0)
    assert_close(h_scan, h_loop, "h", atol=1e-12, rtol=1e-12)
    inputs = [a, b] + ([h0] if with_h0 else [])
    # with T = 1 and no h0 the scan never reads a (its gradient is then 0)
    g_loop = torch.autograd.grad(weighted_sum([h_loop], seed=1), inputs)
    g_scan = torch.autograd.grad(weighted_sum([h_scan], seed=1), inputs, allow_unused=True, materialize_grads=True)
    for name, gl, gs in zip(("da", "db", "dh0"), g_loop, g_scan):
        assert_close(gs, gl, name, atol=1e-12, rtol=1e-10)


def test_scan_gradients_match_finite_differences_real_and_complex():
    a, b, h0 = _inputs(2, 7, 2, seed=5)
    assert torch.autograd.gradcheck(linear_recurrence_scan, (a, b, h0))
    a, b, h0 = _inputs(1, 6, 2, seed=6, dtype=torch.complex128)
    assert torch.autograd.gradcheck(lambda *z: linear_recurrence_scan(*z).abs(), (a, b, h0))


def test_complex_scan_equals_loop():
    a, b, h0 = _inputs(2, 37, 3, seed=7, dtype=torch.complex128)
    assert_close(linear_recurrence_scan(a, b, h0), linear_recurrence_loop(a, b, h0), "complex h", atol=1e-12)


@pytest.mark.parametrize("call, argument, words", [
    (lambda f: f(randn(2, 5, seed=0), randn(2, 5, seed=1)), "'a'", "expected shape (N, T, H)"),
    (lambda f: f(randn(2, 5, 3, seed=0), randn(2, 4, 3, seed=1)), "'b'", "(N, T, H) = (2, 5, 3)"),
    (lambda f: f(randn(2, 5, 3, seed=0), randn(2, 5, 3, seed=1), randn(3, 3, seed=2)), "'h0'", "(N, H) = (2, 3)"),
    (lambda f: f(torch.ones(2, 5, 3, dtype=torch.long), torch.ones(2, 5, 3, dtype=torch.long)), "'a'", "floating"),
    (lambda f: f([[1.0]], randn(2, 5, 3, seed=1)), "'a'", "a torch.Tensor"),
    (lambda f: f(randn(2, 0, 3, seed=0), randn(2, 0, 3, seed=1)), "'a'", "T >= 1"),
])
@pytest.mark.parametrize("function", [linear_recurrence_loop, linear_recurrence_scan])
def test_bad_input_is_told(function, call, argument, words):
    with pytest.raises(InputError, match=rf"{function.__name__}: argument {argument}: .*{re.escape(words)}"):
        call(function)
