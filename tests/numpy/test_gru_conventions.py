"""GRU conventions (PAPERS.md §3.1): reset after W_hn (PyTorch) against before (Cho), z keeps
against z writes (Chung), and porting weights between the two update conventions."""

import numpy as np
import pytest
import torch

from rnnlearn.numpy import InputError, flip_update_gate, gru_convention_step, gru_step_forward


def _inputs(seed, N=3, D=4, H=5):
    rng = np.random.default_rng(seed)
    params = {"weight_ih": rng.uniform(-0.6, 0.6, (3 * H, D)), "weight_hh": rng.uniform(-0.6, 0.6, (3 * H, H)),
              "bias_ih": rng.uniform(-0.6, 0.6, 3 * H), "bias_hh": rng.uniform(-0.6, 0.6, 3 * H)}
    return rng.normal(size=(N, D)), rng.normal(size=(N, H)), params


def torch_cell(params):
    H, D = params["weight_hh"].shape[1], params["weight_ih"].shape[1]
    cell = torch.nn.GRUCell(D, H).double()
    cell.load_state_dict({k: torch.tensor(v) for k, v in params.items()})
    return cell


@pytest.mark.parametrize("seed", range(3))
def test_pytorch_convention_matches_torch_gru_cell_float64(seed):
    x, h, p = _inputs(seed)
    with torch.no_grad():
        expected = torch_cell(p)(torch.tensor(x), torch.tensor(h)).numpy()
    np.testing.assert_allclose(gru_convention_step(x, h, p), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gru_convention_step(x, h, p), gru_step_forward(x, h, p)[0], rtol=0, atol=1e-14)


@pytest.mark.parametrize("seed", range(3))
def test_cho_reset_before_differs_on_generic_weights_even_without_b_hn(seed):
    x, h, p = _inputs(seed)
    for params in (p, {**p, "bias_hh": np.concatenate([p["bias_hh"][:10], np.zeros(5)])}):
        gap = np.abs(gru_convention_step(x, h, params, reset="before") - gru_convention_step(x, h, params)).max()
        assert gap > 1e-3, gap


def test_cho_and_pytorch_agree_when_the_reset_gate_is_open():
    x, h, p = _inputs(0)
    p = {**p, "bias_ih": p["bias_ih"].copy()}
    p["bias_ih"][:5] = 60.0  # r = sigma(60 + ...) = 1 to float64 precision
    np.testing.assert_allclose(gru_convention_step(x, h, p, reset="before"), gru_convention_step(x, h, p),
                               rtol=0, atol=1e-12)


def sig(a):
    return 1 / (1 + np.exp(-a))


def test_cho_reset_before_by_hand():
    x, h, p = _inputs(1, N=2, D=3, H=2)
    H = 2
    W_ir, W_iz, W_in = np.split(p["weight_ih"], 3)
    W_hr, W_hz, W_hn = np.split(p["weight_hh"], 3)
    b_i, b_h = np.split(p["bias_ih"], 3), np.split(p["bias_hh"], 3)
    r = sig(x @ W_ir.T + b_i[0] + h @ W_hr.T + b_h[0])
    z = sig(x @ W_iz.T + b_i[1] + h @ W_hz.T + b_h[1])
    n = np.tanh(x @ W_in.T + b_i[2] + (r * h) @ W_hn.T + b_h[2])
    assert n.shape == (2, H)
    np.testing.assert_allclose(gru_convention_step(x, h, p, reset="before", update="write"),
                               z * n + (1 - z) * h, rtol=1e-13)


@pytest.mark.parametrize("reset", ["after", "before"])
def test_flipping_the_update_gate_ports_weights_exactly(reset):
    x, h, p = _inputs(2)
    flipped = flip_update_gate(p)
    torch_form = gru_convention_step(x, h, p, reset=reset)
    np.testing.assert_allclose(gru_convention_step(x, h, flipped, reset=reset, update="write"), torch_form,
                               rtol=1e-13, atol=1e-14)
    assert np.abs(gru_convention_step(x, h, p, reset=reset, update="write") - torch_form).max() > 1e-2


def test_flip_is_its_own_inverse_touches_only_z_rows_and_copies():
    _, _, p = _inputs(3)
    before = {k: v.copy() for k, v in p.items()}
    flipped = flip_update_gate(p)
    for k in p:
        np.testing.assert_array_equal(p[k], before[k])  # input unchanged
        np.testing.assert_array_equal(flip_update_gate(flipped)[k], p[k])
        np.testing.assert_array_equal(flipped[k][:5], p[k][:5])
        np.testing.assert_array_equal(flipped[k][5:10], -p[k][5:10])
        np.testing.assert_array_equal(flipped[k][10:], p[k][10:])


def test_bad_arguments_get_clear_errors():
    x, h, p = _inputs(0)
    with pytest.raises(InputError, match="gru_convention_step: argument 'reset'"):
        gru_convention_step(x, h, p, reset="middle")
    with pytest.raises(InputError, match="gru_convention_step: argument 'update'"):
        gru_convention_step(x, h, p, update="chung")
    with pytest.raises(InputError, match="flip_update_gate: argument 'params'"):
        flip_update_gate({"weight_ih": p["weight_ih"]})
    with pytest.raises(InputError, match=r"params\['weight_hh'\]"):
        flip_update_gate({**p, "weight_hh": p["weight_hh"][:, :3]})
