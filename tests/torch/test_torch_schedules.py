"""Teacher-forcing schedules (Bengio et al. 2015) on the values PAPERS.md 5.4 checked,
against the paper's formulas computed independently, on shapes and on bad arguments."""

import math

import numpy as np
import pytest

import rnnlearn.schedules
import rnnlearn.torch.schedules
from rnnlearn.schedules import exponential_decay, inverse_sigmoid_decay, linear_decay

STEPS = np.arange(0, 5000)
NAMES = ["linear_decay", "exponential_decay", "inverse_sigmoid_decay"]


@pytest.mark.parametrize("name", NAMES)
def test_public_name_reexports_the_torch_module(name):
    """``rnnlearn.schedules`` (the name in API.md and the book) is the same code."""
    assert getattr(rnnlearn.schedules, name) is getattr(rnnlearn.torch.schedules, name)
    assert rnnlearn.schedules.__all__ == NAMES


def test_inverse_sigmoid_known_values():
    """PAPERS.md 5.4, k = 10: eps_0 = 10/11 = 0.909091, eps_i = 0.5 at i = k ln k = 23.026,
    eps_100 = 10 / (10 + e^10) = 4.54e-4."""
    assert inverse_sigmoid_decay(0, k=10) == pytest.approx(10 / 11, rel=1e-12)
    assert round(inverse_sigmoid_decay(0, k=10), 6) == 0.909091
    # 23.026 is k ln k rounded to 3 decimals; the slope there is -sigma(1 - sigma)/k = -1/40,
    # so the rounding moves eps by at most 5e-4 / 40 ~ 1.3e-5
    assert inverse_sigmoid_decay(23.026, k=10) == pytest.approx(0.5, abs=1.5e-5)
    assert inverse_sigmoid_decay(100, k=10) == pytest.approx(4.54e-4, rel=1e-3)
    assert inverse_sigmoid_decay(100, k=10) == pytest.approx(10 / (10 + math.exp(10)), rel=1e-12)


def test_inverse_sigmoid_crosses_half_at_k_ln_k():
    eps = inverse_sigmoid_decay(STEPS, k=10)
    first_below = int(np.argmax(eps < 0.5))
    assert first_below == 24 and eps[23] > 0.5  # k ln k = 23.03 lies in [23, 24)


def test_inverse_sigmoid_matches_formula_and_does_not_overflow():
    i = np.arange(0, 300)
    for k in (1.0, 3.0, 50.0):
        expected = k / (k + np.exp(i / k))
        np.testing.assert_allclose(inverse_sigmoid_decay(i, k=k), expected, rtol=1e-12, atol=1e-300)
    with np.errstate(over="raise"):
        assert inverse_sigmoid_decay(10**6, k=1) == 0.0


@pytest.mark.parametrize("schedule, formula", [
    (lambda i: linear_decay(i, k=0.9, c=0.003, eps=0.05), lambda i: max(0.05, 0.9 - 0.003 * i)),
    (lambda i: linear_decay(i, c=0.01), lambda i: max(0.0, 1.0 - 0.01 * i)),
    (lambda i: exponential_decay(i, k=0.97), lambda i: 0.97 ** i),
])
def test_linear_and_exponential_match_the_paper_formulas(schedule, formula):
    """Sec. 2.4 of Bengio et al. 2015, evaluated one step at a time in plain Python."""
    i = np.arange(0, 400)
    expected = [formula(int(step)) for step in i]
    np.testing.assert_allclose(schedule(i), expected, rtol=1e-12, atol=1e-15)
    assert [schedule(int(step)) for step in (0, 37, 399)] == pytest.approx(
        [formula(0), formula(37), formula(399)], rel=1e-12)


def test_exponential_known_value():
    """PAPERS.md 5.4: k = 0.99 gives eps_100 = 0.366032."""
    assert round(exponential_decay(100, k=0.99), 6) == 0.366032
    assert exponential_decay(0, k=0.5) == 1.0
    np.testing.assert_allclose(exponential_decay([0, 1, 2], k=0.5), [1.0, 0.5, 0.25])


def test_linear_known_values():
    """PAPERS.md 5.4: k = 1, c = 0.001, eps = 0.1 gives 0.5 at 500, the floor 0.1 at 900, 2000."""
    eps = linear_decay([0, 500, 900, 2000], k=1, c=0.001, eps=0.1)
    np.testing.assert_allclose(eps, [1.0, 0.5, 0.1, 0.1])
    assert linear_decay(500, k=1, c=0.001, eps=0.1) == pytest.approx(0.5)


@pytest.mark.parametrize("schedule", [
    lambda i: linear_decay(i, k=1.0, c=0.001, eps=0.1),
    lambda i: linear_decay(i, c=0.0),
    lambda i: exponential_decay(i, k=0.99),
    lambda i: inverse_sigmoid_decay(i, k=10),
    lambda i: inverse_sigmoid_decay(i, k=1),
])
def test_all_non_increasing_probabilities(schedule):
    eps = schedule(STEPS)
    assert eps.shape == STEPS.shape
    assert np.all(np.diff(eps) <= 0)
    assert np.all((eps >= 0) & (eps <= 1))


def test_scalar_in_float_out_array_in_array_out():
    assert isinstance(exponential_decay(3, k=0.9), float)
    assert isinstance(inverse_sigmoid_decay(np.int64(3), k=2), float)
    out = linear_decay(np.array([[0, 1], [2, 3]]), c=0.1)
    assert isinstance(out, np.ndarray) and out.shape == (2, 2)


@pytest.mark.parametrize("call, words", [
    (lambda: exponential_decay(1, k=1.0), ["exponential_decay", "argument \'k\'"]),
    (lambda: exponential_decay(1, k=0.0), ["exponential_decay", "argument \'k\'"]),
    (lambda: inverse_sigmoid_decay(1, k=0.5), ["inverse_sigmoid_decay", "argument \'k\'", ">= 1"]),
    (lambda: linear_decay(1, c=-0.1), ["linear_decay", "argument \'c\'"]),
    (lambda: linear_decay(1, c=0.1, eps=1.0), ["linear_decay", "argument \'eps\'"]),
    (lambda: linear_decay(1, k=1.5, c=0.1), ["linear_decay", "argument \'k\'"]),
    (lambda: linear_decay(-1, c=0.1), ["linear_decay", "argument \'i\'", ">= 0"]),
    (lambda: exponential_decay("ten", k=0.5), ["exponential_decay", "argument \'i\'"]),
    (lambda: inverse_sigmoid_decay(True, k=2), ["inverse_sigmoid_decay", "argument \'i\'"]),
])
def test_bad_arguments_are_named(call, words):
    with pytest.raises(ValueError) as err:
        call()
    for w in words:
        assert w in str(err.value)
