"""Synthetic generators: shapes, dtypes, seeds, and that each task is what it claims to be."""

import numpy as np
import pytest

from rnnlearn.data import (
    IGNORE_INDEX,
    InputError,
    adding_problem,
    copy_memory,
    copy_task,
    delayed_recall,
    noisy_sine,
    reversal_task,
)


def same(a, b):
    return all(np.array_equal(np.asarray(u), np.asarray(v)) for u, v in zip(a, b))


GENERATORS = {
    "adding": lambda seed: adding_problem(8, 12, seed=seed),
    "copy_memory": lambda seed: copy_memory(8, 12, seed=seed),
    "delayed": lambda seed: delayed_recall(8, 12, delay=3, seed=seed),
    "sine": lambda seed: noisy_sine(8, 12, seed=seed),
    "copy": lambda seed: copy_task(8, seed=seed),
    "reversal": lambda seed: reversal_task(8, seed=seed),
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_same_seed_same_data_other_seed_other_data(name):
    gen = GENERATORS[name]
    assert same(gen(0), gen(0))
    assert not same(gen(0), gen(1))


def test_adding_problem_layout():
    x, y = adding_problem(500, 11, seed=3)
    assert x.shape == (500, 11, 2) and y.shape == (500,)
    assert x.dtype == np.float32 and y.dtype == np.float32
    values, markers = x[..., 0], x[..., 1]
    assert values.min() >= 0 and values.max() < 1
    assert set(np.unique(markers)) == {0.0, 1.0}
    half = 11 // 2
    # exactly one marker in each half
    np.testing.assert_array_equal(markers[:, :half].sum(1), 1)
    np.testing.assert_array_equal(markers[:, half:].sum(1), 1)
    np.testing.assert_allclose(y, (values * markers).sum(1), rtol=1e-6)


def test_adding_problem_mean_baseline_is_one_sixth():
    _, y = adding_problem(10_000, 50, seed=0)
    baseline_mse = float(np.mean((y - y.mean()) ** 2))  # predict-the-mean
    assert abs(baseline_mse - 1 / 6) < 0.01
    assert abs(float(np.mean((y - 1.0) ** 2)) - 1 / 6) < 0.01  # predict the true mean, 1


def test_adding_problem_markers_cover_both_halves():
    x, _ = adding_problem(4000, 10, seed=1)
    positions = np.nonzero(x[..., 1])[1].reshape(-1, 2)
    assert set(positions[:, 0]) == set(range(5)) and set(positions[:, 1]) == set(range(5, 10))


@pytest.mark.parametrize("call, words", [
    (lambda: adding_problem(0, 10, seed=0), ["adding_problem: argument 'n':", "got 0"]),
    (lambda: adding_problem(5, 1, seed=0), ["adding_problem: argument 'T':", "expected an integer >= 2"]),
    (lambda: adding_problem(5, 10.0, seed=0), ["adding_problem: argument 'T':", "got 10.0 of type float"]),
    (lambda: delayed_recall(5, 3, delay=3, seed=0), ["delayed_recall: argument 'T':", "delay + 1 = 4", "got 3"]),
    (lambda: copy_task(5, min_len=6, max_len=5, seed=0), ["copy_task: argument 'max_len':", "min_len = 6"]),
    (lambda: reversal_task(5, n_symbols=11, seed=0), ["reversal_task: argument 'n_symbols':", "got 11"]),
    (lambda: noisy_sine(5, 10, noise=-1, seed=0), ["noisy_sine: argument 'noise':", "non-negative", "got -1"]),
])
def test_bad_arguments_are_named(call, words):
    with pytest.raises(InputError) as err:
        call()
    for w in words:
        assert w in str(err.value), str(err.value)


def test_delayed_recall_target_is_input_shifted_by_delay():
    x, y = delayed_recall(16, 40, delay=8, n_symbols=3, seed=2)
    assert x.shape == y.shape == (16, 40) and x.dtype == y.dtype == np.int64
    assert set(np.unique(x)) == {0, 1, 2}
    assert np.all(y[:, :8] == IGNORE_INDEX)
    for t in range(8, 40):
        np.testing.assert_array_equal(y[:, t], x[:, t - 8])


def test_copy_memory_layout():
    x, y = copy_memory(32, 20, copy_len=10, seed=0)
    assert x.shape == y.shape == (32, 40) and x.dtype == np.int64
    symbols = x[:, :10]
    assert symbols.min() >= 1 and symbols.max() <= 8
    assert np.all(x[:, 10:29] == 0) and np.all(x[:, 29:] == 9)
    assert np.all(y[:, :30] == 0)
    np.testing.assert_array_equal(y[:, 30:], symbols)


def test_copy_and_reversal_strings():
    src, tgt = copy_task(200, min_len=3, max_len=7, n_symbols=4, seed=5)
    assert src == tgt
    assert {len(s) for s in src} == set(range(3, 8))
    assert set("".join(src)) == set("0123")
    src, tgt = reversal_task(50, seed=5)
    assert all(t == s[::-1] for s, t in zip(src, tgt))
    assert all(5 <= len(s) <= 30 and s.isdigit() for s in src)
    assert any(s != t for s, t in zip(src, tgt))


def test_noisy_sine_is_next_step_forecasting():
    x, y = noisy_sine(6, 50, noise=0.05, seed=0)
    assert x.shape == y.shape == (6, 50, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])
    clean_x, _ = noisy_sine(6, 50, noise=0.0, seed=0)
    assert np.abs(clean_x).max() <= 1.5
    # the noise is N(0, noise^2) on top of the clean wave drawn with the same seed
    assert 0.03 < float(np.std(x - clean_x)) < 0.07
