"""Shared helpers for the rnnlearn.numpy tests, handed to tests as the ``nph`` fixture.

Parity checks record the worst relative error seen per function; the terminal summary
prints them (that table is what the closing note of issue 3 reports).
"""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from rnnlearn.numpy import rel_error

# name -> (worst array-scale relative error, worst element-wise rel_error) vs PyTorch
WORST = {}

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
TORCH_CELL = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}
TORCH_SEQ = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}

# The shapes every parity test runs on: N=1, T=1, D != H, D == H.
SHAPES = [(1, 1, 1, 1), (1, 3, 2, 5), (3, 1, 4, 2), (4, 5, 3, 6), (2, 4, 5, 5)]


def random_params(kind, D, H, rng, scale=0.6):
    """A params dict with torch's cell names, every entry random (biases too)."""
    k = GATES[kind]
    return {"weight_ih": rng.uniform(-scale, scale, (k * H, D)),
            "weight_hh": rng.uniform(-scale, scale, (k * H, H)),
            "bias_ih": rng.uniform(-scale, scale, (k * H,)),
            "bias_hh": rng.uniform(-scale, scale, (k * H,))}


def tt(a, grad=True):
    """A float64 torch leaf tensor copied from a NumPy array."""
    return torch.tensor(np.array(a), dtype=torch.float64, requires_grad=grad)


def torch_cell(kind, params):
    """``torch.nn.<Kind>Cell`` in float64 holding ``params``."""
    H, D = params["weight_ih"].shape[0] // GATES[kind], params["weight_ih"].shape[1]
    cell = TORCH_CELL[kind](D, H).double()
    cell.load_state_dict({k: torch.tensor(v) for k, v in params.items()})
    return cell


def torch_seq(kind, params):
    """``torch.nn.<Kind>`` (one layer, batch first) in float64 holding ``params``."""
    H, D = params["weight_ih"].shape[0] // GATES[kind], params["weight_ih"].shape[1]
    net = TORCH_SEQ[kind](D, H, batch_first=True).double()
    net.load_state_dict({f"{k}_l0": torch.tensor(v) for k, v in params.items()})
    return net


def torch_grads(module):
    """Parameter gradients of a torch module, keyed like the cell (no ``_l0``)."""
    return {n.removesuffix("_l0"): p.grad.numpy() for n, p in module.named_parameters()}


def norm_rel_error(ours, ref):
    """max|ours - ref| / max(|ours|, |ref|): relative to the array's scale."""
    ours, ref = np.asarray(ours, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    scale = max(np.max(np.abs(ours), initial=0.0), np.max(np.abs(ref), initial=0.0))
    return 0.0 if scale == 0 else float(np.max(np.abs(ours - ref)) / scale)


def check_close(name, ours, ref, tol=1e-10, elementwise_tol=1e-7):
    """Assert ``ours`` matches ``ref``; record the errors; print both sides on failure.

    Two measures: the array-scale relative error (``norm_rel_error``, must be <= tol,
    1e-10 by default), and CS231n's element-wise ``rel_error`` (must be <=
    elementwise_tol). The element-wise one is noisier: an entry that is a sum of
    terms cancelling to ~1e-6 of their size legitimately loses digits in float64.
    """
    ref = ref.detach().numpy() if isinstance(ref, torch.Tensor) else np.asarray(ref)
    assert np.shape(ours) == ref.shape, f"{name}: shape {np.shape(ours)} vs {ref.shape}"
    err, elem = norm_rel_error(ours, ref), rel_error(ours, ref)
    fn = name.split(":")[0]
    old = WORST.get(fn, (0.0, 0.0))
    WORST[fn] = (max(old[0], err), max(old[1], elem))
    assert err <= tol and elem <= elementwise_tol, (
        f"{name}: relative error {err:.3e} (tol {tol:.0e}), element-wise rel_error "
        f"{elem:.3e} (tol {elementwise_tol:.0e})\nours:\n{np.asarray(ours)}\n"
        f"reference:\n{ref}")


def check_grads(name, ours, ref, tol=1e-10):
    """check_close over two dicts of gradients with the same keys."""
    assert set(ours) == set(ref), f"{name}: keys {sorted(ours)} vs {sorted(ref)}"
    for k in ref:
        check_close(f"{name}:{k}", ours[k], ref[k], tol)


def snapshot(*objs):
    """Deep copies of arrays (and dicts of arrays) to check later that nothing mutated."""
    def copy(o):
        return {k: copy(v) for k, v in o.items()} if isinstance(o, dict) else np.copy(o)
    return [copy(o) for o in objs]


def assert_unchanged(before, *objs):
    """Assert every object equals its snapshot, bit for bit."""
    def same(a, b):
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        return np.array_equal(a, b, equal_nan=True)
    for i, (a, b) in enumerate(zip(before, objs)):
        assert same(a, b), f"argument {i} was mutated"


@pytest.fixture(scope="session")
def nph():
    """The helpers above, as one namespace (no fragile ``import conftest``)."""
    return SimpleNamespace(norm_rel_error=norm_rel_error, random_params=random_params, tt=tt, torch_cell=torch_cell,
                           torch_seq=torch_seq, torch_grads=torch_grads,
                           check_close=check_close, check_grads=check_grads,
                           snapshot=snapshot, assert_unchanged=assert_unchanged,
                           SHAPES=SHAPES, GATES=GATES)


def pytest_terminal_summary(terminalreporter):
    if WORST:
        terminalreporter.write_sep("-", "rnnlearn.numpy: worst errors vs PyTorch")
        terminalreporter.write_line(f"{'function':34s} {'max|d|/max|ref|':>16s} "
                                    f"{'rel_error':>10s}")
        for fn in sorted(WORST):
            err, elem = WORST[fn]
            terminalreporter.write_line(f"{fn:34s} {err:16.2e} {elem:10.2e}")


def pytest_collection_modifyitems(items):
    """NumPy overflow / invalid-value warnings fail every test in this folder."""
    for item in items:
        if "tests/numpy" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.filterwarnings("error::RuntimeWarning"))
