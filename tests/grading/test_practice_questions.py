"""The chapter-6 references beyond what test_checks.py proves for every question: each is
checked against PyTorch in float64 (autograd for the loss gradient, a packed bidirectional
``torch.nn.RNN`` for the last real state and the reversal) and against finite differences."""

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from rnnlearn.grading.chapters import practice
from rnnlearn.numpy import numerical_gradient


def _batch(seed, lengths, T, V):
    rng = np.random.default_rng(seed)
    mask = np.arange(T)[None, :] < np.asarray(lengths)[:, None]  # (N, T)
    targets = np.where(mask, rng.integers(1, V, mask.shape), 0)
    return rng.normal(size=(len(lengths), T, V)), targets, mask


def test_masked_loss_equals_torch_and_finite_differences():
    logits, targets, mask = _batch(0, [5, 2, 3], 6, 4)
    loss, dlogits = practice.masked_loss(logits, targets, mask)
    z = torch.tensor(logits, requires_grad=True)
    per_token = torch.nn.functional.cross_entropy(z.transpose(1, 2), torch.tensor(targets), reduction="none")
    m = torch.tensor(mask, dtype=torch.float64)
    expected = (per_token * m).sum() / m.sum()
    expected.backward()
    assert abs(loss - expected.item()) < 1e-12
    assert np.abs(dlogits - z.grad.numpy()).max() < 1e-12
    numeric = numerical_gradient(lambda v: practice.masked_loss(v, targets, mask)[0], logits)
    assert np.abs(dlogits - numeric).max() < 1e-7


def test_masked_loss_ignores_further_padding_and_the_wrong_means_do_not():
    logits, targets, mask = _batch(1, [4, 1], 4, 5)
    wide = (np.pad(logits, ((0, 0), (0, 3), (0, 0))), np.pad(targets, ((0, 0), (0, 3))),
            np.pad(mask, ((0, 0), (0, 3))))
    loss, grad = practice.masked_loss(logits, targets, mask)
    loss_wide, grad_wide = practice.masked_loss(*wide)
    assert abs(loss - loss_wide) < 1e-12 and np.abs(grad_wide[:, :4] - grad).max() < 1e-12
    assert np.abs(grad_wide[:, 4:]).max() == 0
    for mistake in ("mean_over_all", "divide_by_NT"):
        assert abs(practice.masked_loss(*wide, mistake=mistake)[0]
                   - practice.masked_loss(logits, targets, mask, mistake=mistake)[0]) > 1e-3


def _packed_birnn(seed, lengths, T, D=3, H=4):
    """A padded batch, the bidirectional RNN's unpacked output on it, and torch's h_n of the packed batch."""
    g = torch.Generator().manual_seed(seed)
    rnn = torch.nn.RNN(D, H, batch_first=True, bidirectional=True, dtype=torch.float64)
    x = torch.randn(len(lengths), T, D, generator=g, dtype=torch.float64)
    with torch.no_grad():
        out, _ = rnn(x)  # unpacked: the backward direction has read the padding first
        _, h_packed = rnn(pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False))
    return rnn, x, out, h_packed


def test_last_hidden_and_reverse_padded_rebuild_a_packed_bidirectional_rnn():
    lengths = np.array([3, 6, 1, 4])
    rnn, x, _, h_packed = _packed_birnn(2, lengths.tolist(), 6)
    H = rnn.hidden_size
    with torch.no_grad():
        fwd = torch.nn.RNN(3, H, batch_first=True, dtype=torch.float64)
        fwd.load_state_dict({k: v for k, v in rnn.state_dict().items() if not k.endswith("_reverse")})
        bwd = torch.nn.RNN(3, H, batch_first=True, dtype=torch.float64)
        bwd.load_state_dict({k.removesuffix("_reverse"): v for k, v in rnn.state_dict().items()
                             if k.endswith("_reverse")})
        out_f = fwd(x)[0].numpy()  # (N, T, H)
        x_rev = torch.from_numpy(practice.reverse_padded(x.numpy(), lengths))
        out_b_rev = bwd(x_rev)[0].numpy()  # reversed time: step t has read x_{L-1} .. x_{L-1-t}
        out_b = practice.reverse_padded(out_b_rev, lengths)  # back to the original order
    output = np.concatenate([out_f, out_b], axis=2)  # what a packed bidirectional RNN returns (at real steps)
    last = practice.last_hidden(output, lengths, True)  # (N, 2H)
    expected = torch.cat([h_packed[0], h_packed[1]], dim=1).numpy()
    assert np.abs(last - expected).max() < 1e-12
    assert np.abs(practice.last_hidden(out_f, lengths, False) - h_packed[0].numpy()).max() < 1e-12


def test_reverse_padded_is_its_own_inverse_and_keeps_the_padding():
    rng = np.random.default_rng(3)
    x, lengths = rng.normal(size=(3, 5, 2)), np.array([5, 2, 3])
    once = practice.reverse_padded(x, lengths)
    assert np.array_equal(practice.reverse_padded(once, lengths), x)
    assert np.array_equal(once[1, 2:], x[1, 2:]) and np.array_equal(once[1, :2], x[1, 1::-1])


def test_hints_differ():
    for table in (practice.LOSS, practice.LAST, practice.REVERSE):
        assert len(set(table.values())) == len(table) >= 3
