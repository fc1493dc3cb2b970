"""Masked losses: equal to torch's cross_entropy on the real tokens alone (float64), and padding a
batch further changes neither the loss nor any gradient, whatever the padded positions hold."""

import pytest
import torch
import torch.nn.functional as nnf
from _torch_testutil import F64, assert_close, randn, randomize

import rnnlearn.torch as rt
from rnnlearn.torch import InputError

LENGTHS = [5, 2, 4]  # N = 3 sequences, T = 5
V = 7


def _mask(lengths, T):
    return torch.arange(T)[None, :] < torch.tensor(lengths)[:, None]  # (N, T)


def _batch(T, seed, garbage=0.0):
    """logits (N, T, V) and targets (N, T): the same real tokens for any T >= max(LENGTHS);
    the padded positions get ``garbage`` (values, and the target id V, out of range)."""
    gen = torch.Generator().manual_seed(seed)
    real_logits = torch.randn(len(LENGTHS), max(LENGTHS), V, generator=gen, dtype=F64)
    real_targets = torch.randint(0, V, (len(LENGTHS), max(LENGTHS)), generator=gen)
    logits = torch.full((len(LENGTHS), T, V), garbage, dtype=F64)
    targets = torch.full((len(LENGTHS), T), V)  # an id out of range: it must never be read
    mask = _mask(LENGTHS, T)
    logits[:, :max(LENGTHS)] = real_logits
    targets[:, :max(LENGTHS)] = real_targets
    logits[~mask], targets[~mask] = garbage, V
    return logits.requires_grad_(), targets, mask


def test_masked_cross_entropy_equals_torch_on_the_real_tokens():
    logits, targets, mask = _batch(5, seed=0)
    ours = rt.masked_cross_entropy(logits, targets, mask)
    real = [(n, t) for n, length in enumerate(LENGTHS) for t in range(length)]
    ref_logits = torch.stack([logits[n, t] for n, t in real])
    ref = nnf.cross_entropy(ref_logits, torch.stack([targets[n, t] for n, t in real]))
    assert_close(ours, ref, "loss")
    (g_ours,) = torch.autograd.grad(ours, logits)
    (g_ref,) = torch.autograd.grad(ref, logits)
    assert_close(g_ours, g_ref, "gradient of the logits")
    assert (g_ours[~mask] == 0).all(), "padded logits must get exactly zero gradient"


@pytest.mark.parametrize("garbage", [0.0, 50.0, float("nan")])
def test_padding_further_changes_no_loss_and_no_logit_gradient(garbage):
    losses, grads = [], []
    for T in (5, 6, 9):
        logits, targets, mask = _batch(T, seed=1, garbage=garbage)
        mask = mask.to(torch.float32) if T == 9 else mask  # 0/1 masks work too
        loss = rt.masked_cross_entropy(logits, targets, mask)
        losses.append(loss)
        grads.append(torch.autograd.grad(loss, logits)[0][:, :5])
    for T, loss, grad in zip((6, 9), losses[1:], grads[1:]):
        assert_close(loss, losses[0], f"loss padded to T = {T}")
        assert_close(grad, grads[0], f"logit gradients padded to T = {T}")


def _model_grads(T, loss_fn, seed=3):
    """A tiny token model (embedding, GRU, linear) on a batch padded to T: its loss and every gradient."""
    torch.manual_seed(0)
    model = torch.nn.ModuleDict({"emb": torch.nn.Embedding(V + 1, 4), "rnn": rt.GRU(4, 5, batch_first=True),
                                 "head": torch.nn.Linear(5, V)}).double()
    randomize(model, seed)
    _, targets, mask = _batch(T, seed=4)
    tokens = torch.cat((torch.zeros_like(targets[:, :1]), targets[:, :-1]), dim=1)  # the previous target
    garbage = torch.randint(0, V + 1, (int((~mask).sum()),), generator=torch.Generator().manual_seed(T))
    tokens[~mask] = garbage  # any ids at the pads
    out, _ = model["rnn"](model["emb"](tokens))
    loss = loss_fn(model["head"](out), targets, mask)
    return loss, torch.autograd.grad(loss, list(model.parameters()))


def _mean_over_all_positions(logits, targets, mask):
    """The classic bug: per-token losses zeroed at the pads, then averaged over all N * T positions."""
    per_token = nnf.cross_entropy(logits.transpose(1, 2), targets.clamp(max=V - 1), reduction="none")
    return (per_token * mask).mean()


def test_padding_further_changes_no_parameter_gradient_and_the_classic_bug_does():
    loss5, grads5 = _model_grads(5, rt.masked_cross_entropy)
    for T in (6, 10):
        loss, grads = _model_grads(T, rt.masked_cross_entropy)
        assert_close(loss, loss5, f"loss padded to T = {T}")
        for k, (a, b) in enumerate(zip(grads, grads5)):
            assert_close(a, b, f"gradient of parameter {k} padded to T = {T}")
    # The same experiment catches the bug (so the test above can fail): padding to T = 10
    # divides by 30 positions instead of 15, halving the loss and every gradient.
    bug5, bug_grads5 = _model_grads(5, _mean_over_all_positions)
    bug10, bug_grads10 = _model_grads(10, _mean_over_all_positions)
    assert_close(bug10, bug5 * 15 / 30, "the buggy loss shrinks with the padding")
    assert_close(bug_grads10[0], bug_grads5[0] * 15 / 30, "and so do its gradients")


def test_masked_mean_in_both_layouts_and_against_a_loop():
    values, mask = randn(3, 5, seed=5), _mask(LENGTHS, 5)
    expected = sum(values[n, t] for n, length in enumerate(LENGTHS) for t in range(length)) / sum(LENGTHS)
    assert_close(rt.masked_mean(values, mask), expected, "masked mean, (N, T)")
    assert_close(rt.masked_mean(values.t(), mask.t().to(torch.int64)), expected, "masked mean, (T, N), 0/1 mask")
    (grad,) = torch.autograd.grad(rt.masked_mean(values, mask), values)
    assert_close(grad, mask.to(F64) / sum(LENGTHS), "gradient: 1/count at real positions, 0 at the pads")


def test_masked_mean_ignores_nan_at_the_pads():
    values, mask = randn(3, 5, seed=6), _mask(LENGTHS, 5)
    poisoned = values.detach().clone().masked_fill(~mask, float("nan")).requires_grad_()
    assert_close(rt.masked_mean(poisoned, mask), rt.masked_mean(values, mask), "NaN at the pads")
    (grad,) = torch.autograd.grad(rt.masked_mean(poisoned, mask), poisoned)
    assert not grad.isnan().any()


def test_bad_input_gets_a_clear_error():
    logits, targets, mask = _batch(5, seed=0)
    with pytest.raises(InputError, match=r"^masked_mean: argument 'mask': expected shape \(N, T\) = \(3, 5\); "
                                         r"got shape \(5, 3\)"):
        rt.masked_mean(targets.double(), mask.t())
    with pytest.raises(InputError, match=r"argument 'mask': expected a bool tensor, or 0/1 values"):
        rt.masked_mean(targets.double(), mask * 2.0)
    with pytest.raises(InputError, match=r"argument 'mask': expected at least one real position"):
        rt.masked_mean(targets.double(), torch.zeros_like(mask))
    with pytest.raises(InputError, match=r"^masked_cross_entropy: argument 'targets': expected ids of shape "
                                         r"\(N, T\) = \(3, 5\) and dtype torch.long; got shape \(3, 5, 7\).*Hint"):
        rt.masked_cross_entropy(logits, logits.softmax(-1), mask)
    with pytest.raises(InputError, match=r"argument 'targets': expected ids in \[0, V\) = \[0, 7\) at every real "
                                         r"position; got id 7\. Hint: is the mask False at the padding\?"):
        rt.masked_cross_entropy(logits, targets, torch.ones_like(mask))
    with pytest.raises(InputError, match=r"argument 'logits': expected floating-point scores of shape \(N, T, V\)"):
        rt.masked_cross_entropy(logits[..., 0], targets, mask)
