"""Chapter 9's grader references (no rnnlearn.numpy counterpart) against the PyTorch modules of
rnnlearn.torch, which are themselves tested against torch.nn and autograd."""

import numpy as np
import pytest
import torch

import rnnlearn.torch as rt
from rnnlearn.grading.chapters import beyond


def test_combine_and_linear_scan_match_the_torch_loop():
    rng = np.random.default_rng(0)
    a1, b1, a2, b2 = (rng.normal(size=(3, 4)) for _ in range(4))
    for ours, theirs in zip(beyond.combine(a1, b1, a2, b2), rt.combine_steps(*map(torch.from_numpy, (a1, b1, a2, b2)))):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-14)
    for T in (1, 2, 5, 8, 37):
        a, b, h0 = rng.uniform(-1, 1, (2, T, 3)), rng.normal(size=(2, T, 3)), rng.normal(size=(2, 3))
        expected = rt.linear_recurrence_loop(*map(torch.from_numpy, (a, b, h0))).numpy()
        np.testing.assert_allclose(beyond.linear_scan(a, b, h0), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mistake", sorted(beyond.SCAN))
def test_every_scan_mistake_is_wrong_on_the_graded_shapes(mistake):
    rng = np.random.default_rng(1)
    a, b, h0 = rng.uniform(-1, 1, (2, 8, 3)), rng.normal(size=(2, 8, 3)), rng.normal(size=(2, 3))
    assert not np.allclose(beyond.linear_scan(a, b, h0, mistake), beyond.linear_scan(a, b, h0))


def test_kv_cache_bytes_matches_the_torch_helper():
    for args in [(5, 4, 16, 100, 3, 4), (12, 12, 64, 1024, 1, 2), (1, 1, 1, 0, 1, 4)]:
        assert beyond.kv_cache_bytes(*args) == rt.kv_cache_nbytes(*args[:4], batch=args[4], bytes_per_value=args[5])


def test_lru_step_matches_the_layer_step():
    torch.manual_seed(0)
    layer = rt.LinearRecurrentLayer(3, 5, 2).double()
    params = {k: v.detach().numpy() for k, v in layer.state_dict().items()}
    rng = np.random.default_rng(2)
    x, h = rng.normal(size=(4, 3)), rng.normal(size=(4, 5)) + 1j * rng.normal(size=(4, 5))
    y, h_next = beyond.lru_step(x, h, params)
    with torch.no_grad():
        t_y, t_h = layer.step(torch.from_numpy(x), torch.from_numpy(h))
    np.testing.assert_allclose(y, t_y.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(h_next, t_h.numpy(), rtol=1e-12, atol=1e-14)
    assert set(params) == set(beyond.lru_params(rng, 3, 5, 2))  # the question's params are the layer's keys
