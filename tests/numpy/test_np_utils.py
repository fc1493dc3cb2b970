"""clip_grad_norm, numerical_gradient, rel_error and the stable activations."""

import warnings

import numpy as np
import pytest
import torch

import rnnlearn.numpy as rn


def test_clip_grad_norm_matches_torch_and_pascanu(nph):
    rng = np.random.default_rng(0)
    grads = {"a": rng.normal(size=(3, 4)), "b": rng.normal(size=(5,))}
    before = nph.snapshot(grads)
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    for max_norm in [norm / 3, norm * 2]:
        clipped, total = rn.clip_grad_norm(grads, max_norm)
        ts = [torch.tensor(g, requires_grad=True) for g in grads.values()]
        for t, g in zip(ts, grads.values()):
            t.grad = torch.tensor(g)
        t_total = torch.nn.utils.clip_grad_norm_(ts, max_norm)
        assert total == pytest.approx(t_total.item(), rel=1e-12)
        assert total == pytest.approx(norm, rel=1e-12)
        for t, k in zip(ts, grads):
            # torch divides by norm + 1e-6, so agreement is to ~1e-6 (PAPERS.md 2.2)
            np.testing.assert_allclose(clipped[k], t.grad.numpy(), rtol=1e-5)
        new_norm = np.sqrt(sum(np.sum(g ** 2) for g in clipped.values()))
        assert new_norm == pytest.approx(min(norm, max_norm), rel=1e-12)
    nph.assert_unchanged(before, grads)
    # below the threshold the gradients come back unchanged
    clipped, _ = rn.clip_grad_norm(grads, norm * 2)
    assert all(np.array_equal(clipped[k], grads[k]) for k in grads)


def test_numerical_gradient_scalar_and_upstream():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 2))
    before = x.copy()
    # d/dx sum(x^3) = 3 x^2
    np.testing.assert_allclose(rn.numerical_gradient(lambda v: np.sum(v ** 3), x),
                               3 * x ** 2, rtol=1e-7)
    W = rng.normal(size=(2, 4))
    df = rng.normal(size=(3, 4))
    # f(x) = x W, upstream df: grad = df W^T
    np.testing.assert_allclose(rn.numerical_gradient(lambda v: v @ W, x, df), df @ W.T,
                               rtol=1e-7)
    assert np.array_equal(x, before)


def test_rel_error():
    assert rn.rel_error(np.ones(3), np.ones(3)) == 0.0
    assert rn.rel_error([1.0, 2.0], [1.0, 2.2]) == pytest.approx(0.2 / 4.2)
    # both tiny: the 1e-8 floor keeps it small
    assert rn.rel_error([1e-20], [3e-20]) < 1e-11


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_activations_do_not_overflow(dtype):
    x = np.array([-1e4, -800.0, -30.0, -1.0, 0.0, 1.0, 30.0, 800.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = rn.sigmoid(x)
        p = rn.softmax(np.stack([x, -x]), axis=1)
    assert s.dtype == dtype and p.dtype == dtype
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(p))
    ref = torch.sigmoid(torch.tensor(x)).numpy()
    np.testing.assert_allclose(s, ref, rtol=1e-6 if dtype == np.float32 else 1e-14)
    assert s[0] == 0.0 or s[0] < 1e-300
    assert s[-1] == 1.0
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p, torch.softmax(torch.tensor(np.stack([x, -x])), 1).numpy(),
                               rtol=1e-6)


def test_masked_softmax_gives_exact_zeros():
    x = np.array([[1.0, 2.0, 3.0], [5.0, -1.0, 0.0]])
    mask = np.array([[True, False, True], [False, True, True]])
    p = rn.softmax(x, axis=1, mask=mask)
    assert np.all(p[~mask] == 0.0)
    np.testing.assert_allclose(p[0, [0, 2]], rn.softmax(x[0, [0, 2]]))


def test_rnnlearn_numpy_needs_numpy_only():
    import subprocess
    import sys
    code = ("import sys, rnnlearn.numpy; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'matplotlib')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_names_are_exported():
    for name in rn.__all__:
        assert getattr(rn, name) is not None
    for fn in ["rnn_step_forward", "lstm_backward", "gru_forward", "clip_grad_norm",
               "additive_attention_backward", "numerical_gradient", "rel_error"]:
        assert fn in rn.__all__
        doc = getattr(rn, fn).__doc__
        assert "Shapes" in doc and "Returns" in doc, fn


@pytest.mark.parametrize("cell, blocks", [("rnn", 1), ("lstm", 4), ("gru", 3)])
def test_random_params_load_into_the_torch_cell(cell, blocks):
    """random_params has the keys and shapes of torch's cell and loads into it."""
    params = rn.random_params(cell, 3, 5, rng=np.random.default_rng(0))
    torch_cell = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[cell](3, 5)
    torch_cell.load_state_dict({k: torch.tensor(v) for k, v in params.items()})  # strict: same keys and shapes
    assert params["weight_ih"].shape == (blocks * 5, 3)
    assert all(v.dtype == np.float64 and np.all(v != 0) for v in params.values())
    again = rn.random_params(cell, 3, 5, rng=np.random.default_rng(0))
    assert all(np.array_equal(params[k], again[k]) for k in params)


def test_random_params_names_a_bad_cell():
    with pytest.raises(ValueError, match="random_params: argument 'cell'"):
        rn.random_params("transformer", 3, 5, rng=np.random.default_rng(0))


def test_numerical_gradient_of_a_params_dict_matches_autograd():
    """A dict point gives a dict of gradients, each entry perturbed on its own."""
    rng = np.random.default_rng(1)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    params = rn.random_params("rnn", 3, 4, rng=rng)
    df = rng.normal(size=(2, 4))
    numeric = rn.numerical_gradient(lambda p: rn.rnn_step_forward(x, h, p)[0], params, df)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    out = torch.tanh(torch.tensor(x) @ tp["weight_ih"].T + tp["bias_ih"]
                     + torch.tensor(h) @ tp["weight_hh"].T + tp["bias_hh"])
    out.backward(torch.tensor(df))
    assert numeric.keys() == params.keys()
    for k in params:
        assert rn.rel_error(numeric[k], tp[k].grad.numpy()) < 1e-7, k
