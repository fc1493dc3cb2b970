"""The fit loop: learns, is deterministic, records a history, shows (or hides) progress."""

import time

import numpy as np
import pytest
import torch
from torch import nn

from rnnlearn.data import adding_problem, delayed_recall
from rnnlearn.train import History, default_device, fit


class AddingLSTM(nn.Module):
    """LSTM regressor on the last hidden state, forget-gate bias 1 (as in PAPERS 1.5)."""

    def __init__(self, H=32):
        super().__init__()
        self.lstm = nn.LSTM(2, H, batch_first=True)
        self.head = nn.Linear(H, 1)
        with torch.no_grad():
            self.lstm.bias_ih_l0[H:2 * H].fill_(1.0)  # gate order i, f, g, o
            self.lstm.bias_hh_l0[H:2 * H].zero_()

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1]).squeeze(-1)


class BitTagger(nn.Module):
    """Per-step logits over a bit stream; state in and out for truncated BPTT."""

    def __init__(self, H=16):
        super().__init__()
        self.gru = nn.GRU(1, H, batch_first=True)
        self.head = nn.Linear(H, 2)

    def forward(self, x, state=None):
        out, state = self.gru(x.unsqueeze(-1).float(), state)
        return self.head(out), state


def bits_loss(logits, y):
    return nn.functional.cross_entropy(logits.reshape(-1, 2), y.reshape(-1), ignore_index=-100)


@pytest.mark.slow
def test_lstm_fits_adding_problem():
    """fit trains an LSTM from the baseline (MSE ~ 1/6) to below 0.01 on a fresh stream of
    adding problems, T = 20 (one marker in each half: at least 10 steps to remember).
    Calibrated under load on the shared 2-core CPU: seeds 0-2 cross 0.01 by update 350 of
    these 500 (about 3-5 s; the T = 50, 700-update version took 12-14 s). Chapter 3 shows
    the T = 50 problem with ``fit``."""
    torch.manual_seed(1)
    model = AddingLSTM(H=32)
    start = time.perf_counter()
    history = fit(model, nn.functional.mse_loss,
                  lambda i: adding_problem(64, 20, seed=(1, i)),
                  steps=500, lr=1e-2, clip=1.0, seed=1, device="cpu", progress=False,
                  val_data=adding_problem(1000, 20, seed=10_000), eval_every=100)
    seconds = time.perf_counter() - start
    x_test, y_test = adding_problem(2000, 20, seed=20_000)
    with torch.no_grad():
        mse = nn.functional.mse_loss(model(torch.as_tensor(x_test)), torch.as_tensor(y_test))
    baseline = float(np.mean((y_test - 1.0) ** 2))
    print(f"adding T=20: test MSE {float(mse):.5f} (baseline {baseline:.4f}), "
          f"{len(history.step)} updates in {seconds:.1f} s")
    assert float(mse) < 0.01
    assert history.metrics["val_loss"][0] > 0.1 and history.metrics["val_loss"][-1] < 0.01


def small_run(seed, **kwargs):
    torch.manual_seed(0)
    model = AddingLSTM(H=8)
    x, y = adding_problem(96, 10, seed=0)
    kwargs = dict(epochs=3, batch_size=32, clip=1.0, seed=seed, device="cpu", progress=False,
                  val_data=adding_problem(50, 10, seed=1), eval_every=4) | kwargs
    return fit(model, nn.functional.mse_loss, (x, y), **kwargs), model


def test_same_seed_same_history_other_seed_other_shuffle():
    a, model_a = small_run(seed=3)
    b, model_b = small_run(seed=3)
    c, _ = small_run(seed=4)
    assert a.loss == b.loss and a.metrics == b.metrics and a.grad_norm == b.grad_norm
    for p, q in zip(model_a.parameters(), model_b.parameters()):
        assert torch.equal(p, q)
    assert a.loss != c.loss


def test_fit_leaves_the_global_rng_alone():
    model = AddingLSTM(H=4)
    data = adding_problem(32, 6, seed=0)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    fit(model, nn.functional.mse_loss, data, steps=2, batch_size=8, device="cpu", progress=False)
    assert torch.equal(torch.rand(3), expected)


def test_history_contents_and_plot():
    history, _ = small_run(seed=0, metrics={"mae": lambda out, y: (out - y).abs().mean()})
    assert isinstance(history, History)
    assert history.step == list(range(1, 10))  # 3 epochs x ceil(96 / 32) batches
    assert len(history.loss) == len(history.grad_norm) == 9
    assert history.eval_step == [0, 4, 8, 9]
    assert set(history.metrics) == {"val_loss", "mae"}
    assert all(len(v) == 4 for v in history.metrics.values())
    assert history.seconds > 0 and "9 updates" in repr(history)
    assert history.smoothed_loss(2)[1] == pytest.approx(np.mean(history.loss[:2]))
    import matplotlib
    matplotlib.use("Agg")
    ax = history.plot()
    assert len(ax.lines) == 4
    matplotlib.pyplot.close("all")


def test_progress_bar_shown_or_silenced(capsys):
    small_run(seed=0, progress=False, steps=3)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""
    small_run(seed=0, progress=True, steps=3, desc="adding")
    captured = capsys.readouterr()
    assert "adding" in captured.err and "3/3" in captured.err


def test_fit_with_tbptt_over_a_stream():
    x, y = delayed_recall(32, 200, delay=3, seed=0)
    torch.manual_seed(0)
    model = BitTagger()
    history = fit(model, bits_loss, [(x, y)], epochs=8, tbptt=10, lr=1e-2, clip=1.0,
                  val_data=delayed_recall(32, 100, delay=3, seed=1), device="cpu",
                  progress=False, metrics={"acc": lambda out, t: (out.argmax(-1) == t)[:, 3:]
                                           .float().mean()})
    assert len(history.step) == 8 * 20  # 200 steps in windows of 10, eight epochs
    assert history.metrics["acc"][0] < 0.7 and history.metrics["acc"][-1] > 0.95


def test_default_device_and_bad_arguments():
    assert default_device().type == ("cuda" if torch.cuda.is_available() else "cpu")
    model = AddingLSTM(H=4)
    data = adding_problem(8, 6, seed=0)
    with pytest.raises(ValueError, match="fit: arguments 'steps' and 'epochs'"):
        fit(model, nn.functional.mse_loss, data)
    with pytest.raises(ValueError, match="fit: arguments 'train_data' and 'steps'"):
        fit(model, nn.functional.mse_loss, lambda i: data, epochs=1)
    with pytest.raises(ValueError, match="fit: argument 'tbptt'.*k2 >= k1"):
        fit(model, nn.functional.mse_loss, data, steps=1, tbptt=(5, 2))
