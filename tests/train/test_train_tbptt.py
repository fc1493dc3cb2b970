"""Truncated BPTT: (T, T) is full BPTT; (k, k) carries the state but cuts the gradient."""

import pytest
import torch
from torch import nn

from rnnlearn.train import detach_state, tbptt_windows


class Tagger(nn.Module):
    """Per-step outputs from a GRU, state in and out: the TBPTT model contract."""

    def __init__(self, D=3, H=5):
        super().__init__()
        self.rnn = nn.GRU(D, H, batch_first=True)
        self.head = nn.Linear(H, 2)

    def forward(self, x, state=None):
        out, state = self.rnn(x, state)
        return self.head(out), state


def make(T=12, seed=0):
    torch.manual_seed(seed)
    model = Tagger().double()
    x = torch.randn(4, T, 3, dtype=torch.float64)
    y = torch.randn(4, T, 2, dtype=torch.float64)
    return model, x, y


def grads(model):
    return [p.grad.clone() for p in model.parameters()]


@pytest.mark.parametrize("k", [12, 20])
def test_tbptt_with_k_at_least_T_is_full_bptt(k):
    model, x, y = make()
    out, _ = model(x)
    ((out - y) ** 2).mean().backward()
    full = grads(model)
    model.zero_grad()
    windows = list(tbptt_windows(model, x, y, k1=k, k2=k))
    assert len(windows) == 1
    out_w, y_w = windows[0]
    ((out_w - y_w) ** 2).mean().backward()
    for a, b in zip(grads(model), full):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_chunks_carry_state_but_cut_gradient():
    model, x, y = make()
    x.requires_grad_(True)
    full_out, _ = model(x)
    windows = list(tbptt_windows(model, x, y, k1=4, k2=4))
    assert [w[0].shape[1] for w in windows] == [4, 4, 4]
    # forward: the state is carried, so the chunked outputs are the full-sequence outputs
    torch.testing.assert_close(torch.cat([w[0] for w in windows], 1), full_out)
    fresh, _ = model(x[:, 4:8])  # a chunk that started from zero state would differ
    assert not torch.allclose(fresh, windows[1][0])
    # backward: chunk 2's loss reaches its own inputs only
    windows[1][0].sum().backward()
    assert torch.all(x.grad[:, :4] == 0) and torch.all(x.grad[:, 8:] == 0)
    assert torch.all(x.grad[:, 4:8].abs().sum(-1) > 0)


def test_k2_larger_than_k1_reaches_further_back():
    model, x, y = make()
    x.requires_grad_(True)
    windows = list(tbptt_windows(model, x, y, k1=3, k2=7))
    assert [w[0].shape[1] for w in windows] == [3, 3, 3, 3]
    full_out, _ = model(x)
    torch.testing.assert_close(torch.cat([w[0] for w in windows], 1), full_out)
    windows[2][0].sum().backward()  # new steps [6, 9), window [2, 9)
    assert torch.all(x.grad[:, :2] == 0) and torch.all(x.grad[:, 9:] == 0)
    assert torch.all(x.grad[:, 2:9].abs().sum(-1) > 0)


def test_detach_state_keeps_values_and_structure():
    h = torch.ones(2, requires_grad=True) * 2
    state = (h, [h])
    out = detach_state(state)
    assert isinstance(out, tuple) and isinstance(out[1], list)
    assert not out[0].requires_grad and torch.equal(out[0], h)
    assert detach_state(None) is None
    with pytest.raises(ValueError, match="detach_state"):
        detach_state("h")
