"""What one ``fit`` run does, update by update: the batches and TBPTT windows it trains on,
when it stops, when it evaluates, and the update itself against a hand-written loop."""

import contextlib
import math
import signal

import numpy as np
import pytest
import torch
from torch import nn

from rnnlearn.train import fit


class Recorder:
    """A mean-squared-error loss that remembers the targets of every update."""

    def __init__(self):
        self.targets = []

    def __call__(self, output, target):
        self.targets.append(target.detach().clone())
        return ((output - target) ** 2).mean()


class Regressor(nn.Module):
    """x (N, D) -> (N,)."""

    def __init__(self, D=2):
        super().__init__()
        self.linear = nn.Linear(D, 1)

    def forward(self, x):
        return self.linear(x).squeeze(-1)


class StatefulTagger(nn.Module):
    """Per-step outputs, state in and out (the TBPTT contract); remembers the states it got."""

    def __init__(self, H=3):
        super().__init__()
        self.rnn = nn.RNN(1, H, batch_first=True)
        self.head = nn.Linear(H, 1)
        self.states_in = []

    def forward(self, x, state=None):
        self.states_in.append(state)
        out, state = self.rnn(x.unsqueeze(-1), state)
        return self.head(out).squeeze(-1), state


@contextlib.contextmanager
def deadline(seconds):
    """Fail, instead of hanging the suite, when the block runs longer than ``seconds``."""
    def fail(*_):
        raise TimeoutError(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def ids_dataset(n=10, D=2):
    """x random, y = the example's index, so a target names the example it came from."""
    x = np.random.default_rng(0).normal(size=(n, D))
    return x, np.arange(n, dtype=np.float64)


def run(train_data, model=None, **kwargs):
    loss = Recorder()
    kwargs = dict(device="cpu", progress=False, lr=1e-3) | kwargs
    history = fit(model or Regressor(), loss, train_data, **kwargs)
    return history, loss.targets


def test_every_epoch_is_a_shuffle_of_every_example():
    history, targets = run(ids_dataset(10), epochs=3, batch_size=4, seed=0)
    assert [len(t) for t in targets] == [4, 4, 2] * 3 and history.step == list(range(1, 10))
    epochs = [torch.cat(targets[3 * e:3 * e + 3]).long().tolist() for e in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(10))
    assert len({tuple(order) for order in epochs}) > 1  # reshuffled, not one fixed order


@pytest.mark.parametrize("steps, epochs, updates", [
    (5, None, 5),     # steps stop in the middle of the second epoch
    (100, 2, 6),      # epochs stop first: 2 x ceil(10 / 4)
    (6, 2, 6),
])
def test_steps_and_epochs_stop_the_run(steps, epochs, updates):
    history, targets = run(ids_dataset(10), steps=steps, epochs=epochs, batch_size=4)
    assert len(targets) == len(history.step) == updates


def test_a_list_of_batches_is_one_epoch_and_an_exhausted_iterator_ends_the_run():
    x, y = ids_dataset(6)
    batches = [(x[:3], y[:3]), (x[3:], y[3:])]
    _, targets = run(batches, steps=5)
    assert [int(t[0]) for t in targets] == [0, 3, 0, 3, 0]  # in order, epoch after epoch
    with deadline(60):  # (it used to loop for ever)
        history, targets = run(iter(batches), steps=5)  # a second pass yields nothing
    assert len(targets) == len(history.step) == 2


def test_a_callable_is_asked_for_batches_0_to_steps_minus_1():
    x, y = ids_dataset(4)
    asked = []

    def stream(i):
        asked.append(i)
        return x, y

    history, _ = run(stream, steps=7)
    assert asked == list(range(7)) and len(history.step) == 7


def test_tbptt_trains_on_windows_in_order_from_a_fresh_state_per_batch():
    N, T, k = 2, 10, 3
    steps_in_time = np.tile(np.arange(T, dtype=np.float64), (N, 1))  # y[:, t] = t
    x = np.random.default_rng(0).normal(size=(N, T))
    batches = [(x, steps_in_time), (x, steps_in_time + 100)]
    model = StatefulTagger()
    history, targets = run(batches, model=model, epochs=1, tbptt=k,
                           val_data=(x, steps_in_time), eval_every=1000)
    windows = [t[0].long().tolist() for t in targets[1:-1]]  # first and last: evaluations
    assert windows == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9],
                       [100, 101, 102], [103, 104, 105], [106, 107, 108], [109]]
    assert len(history.step) == 2 * math.ceil(T / k)
    # model calls: eval at 0; per batch 5 (the short last window [9, 10) runs over [7, 10),
    # its state at 7 recomputed from 6 without gradient); final eval. Each batch starts
    # from the initial state (None), every later call from a carried one.
    batch = [True, False, False, False, False]
    assert [s is None for s in model.states_in] == [True] + batch + batch + [True]
    _, targets = run(batches, model=StatefulTagger(), steps=6, tbptt=k)
    assert [t[0].long().tolist() for t in targets][-2:] == [[100, 101, 102], [103, 104, 105]]


@pytest.mark.parametrize("data, kwargs, shown", [
    (ids_dataset(10), dict(epochs=2, batch_size=4), "6/6"),
    (ids_dataset(10), dict(epochs=2, batch_size=4, steps=4), "4/4"),
])
def test_progress_bar_length(capsys, data, kwargs, shown):
    run(data, progress=True, **kwargs)
    assert shown in capsys.readouterr().err


def test_tbptt_progress_bar_counts_windows(capsys):
    x = np.zeros((4, 10))
    run((x, x), model=StatefulTagger(), epochs=1, batch_size=2, tbptt=4, progress=True)
    assert "6/6" in capsys.readouterr().err  # 2 batches x ceil(10 / 4) windows


@pytest.mark.parametrize("steps, eval_every, expected", [
    (8, 4, [0, 4, 8]),      # the last update was just evaluated: not twice
    (9, 4, [0, 4, 8, 9]),   # otherwise the end is evaluated too
    (3, 100, [0, 3]),
])
def test_evaluations(steps, eval_every, expected):
    data = ids_dataset(10)
    history, _ = run(data, steps=steps, batch_size=4, val_data=data, eval_every=eval_every)
    assert history.eval_step == expected
    assert all(len(v) == len(expected) for v in history.metrics.values())


def test_without_val_data_nothing_is_evaluated():
    history, _ = run(ids_dataset(10), steps=3, batch_size=4)
    assert history.eval_step == [] and history.metrics == {}


def test_float_data_takes_the_model_dtype_integer_targets_stay():
    x = np.zeros((4, 2), dtype=np.float32)
    _, targets = run((x, np.zeros(4, dtype=np.float32)), model=Regressor().double(), steps=1)
    assert targets[0].dtype == torch.float64
    seen = []
    fit(Regressor().double(), lambda out, y: seen.append(y.dtype) or out.sum(),
        (x, np.zeros(4, dtype=np.int64)), steps=1, device="cpu", progress=False)
    assert seen == [torch.int64]


def hand_written_sgd(model, batches, lr, clip):
    """Plain SGD with Pascanu et al.'s Algorithm 1: if ||g|| > clip, g <- clip g / ||g||."""
    params = list(model.parameters())
    losses, norms = [], []
    for x, y in batches:
        loss = nn.functional.mse_loss(model(x), y)
        grads = torch.autograd.grad(loss, params)
        norm = torch.sqrt(sum((g ** 2).sum() for g in grads))
        scale = 1.0 if clip is None or norm <= clip else clip / norm
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= lr * scale * g
        losses.append(loss.item())
        norms.append(float(norm))
    return losses, norms


@pytest.mark.parametrize("clip", [None, 0.05])
def test_update_is_sgd_with_global_norm_clipping(clip):
    """fit with SGD equals the hand-written loop, clipping included, and records the
    gradient norm before clipping and the loss before the update."""
    torch.manual_seed(0)
    ref = Regressor(D=3).double()
    model = Regressor(D=3).double()
    model.load_state_dict(ref.state_dict())
    gen = torch.Generator().manual_seed(1)
    batches = [(torch.randn(8, 3, generator=gen, dtype=torch.float64),
                3 * torch.randn(8, generator=gen, dtype=torch.float64)) for _ in range(4)]
    losses, norms = hand_written_sgd(ref, batches, lr=0.1, clip=clip)
    history = fit(model, nn.functional.mse_loss, batches, epochs=1, clip=clip, device="cpu",
                  optimizer=torch.optim.SGD(model.parameters(), lr=0.1), progress=False)
    np.testing.assert_allclose(history.loss, losses, rtol=1e-5)
    np.testing.assert_allclose(history.grad_norm, norms, rtol=1e-5)
    for p, q in zip(model.parameters(), ref.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-7)
    if clip == 0.05:
        assert min(norms) > clip  # every update was clipped: the test exercises Algorithm 1
