"""LockedDropout (Gal and Ghahramani 2016): identity in eval mode and for p = 0; in training, one
mask per sequence and feature, the same at every time step, scaled by 1 / (1 - p)."""

import pytest
import torch
from _torch_testutil import F64, assert_close, randn

import rnnlearn.torch as rt
from rnnlearn.torch import InputError


@pytest.mark.parametrize("batch_first", [False, True])
def test_eval_mode_and_p_zero_are_the_identity(batch_first):
    x = randn(6, 4, 5, seed=0)
    assert rt.LockedDropout(0.5, batch_first).eval()(x) is x
    assert rt.LockedDropout(0.0, batch_first).train()(x) is x


@pytest.mark.parametrize("batch_first", [False, True])
def test_the_same_mask_at_every_step_a_new_one_per_sequence(batch_first):
    p, T, N, D = 0.4, 7, 50, 30
    x = randn(*((N, T, D) if batch_first else (T, N, D)), seed=1, requires_grad=False) + 3.0  # no zeros
    y = rt.LockedDropout(p, batch_first).train()(x, generator=torch.Generator().manual_seed(0))
    ratio = y / x  # the mask, scaled
    ratio = ratio.transpose(0, 1) if batch_first else ratio  # (T, N, D)
    assert_close(ratio, ratio[:1].expand_as(ratio), "the mask is the same at every time step")
    kept = ratio[0] != 0
    assert_close(ratio[0][kept], torch.full((int(kept.sum()),), 1 / (1 - p), dtype=F64), "kept: scaled by 1/(1-p)")
    assert (ratio[0][~kept] == 0).all()
    assert not (kept == kept[:1]).all(dim=0).all(), "sequences must get different masks"
    # the fraction dropped is p: 1500 draws, standard deviation sqrt(p (1-p) / 1500) = 0.013
    assert abs((~kept).float().mean().item() - p) < 0.05


def test_the_expectation_is_kept_and_the_gradient_is_the_mask():
    p = 0.3
    x = torch.ones(1, 20000, 1, dtype=F64, requires_grad=True)  # T = 1, N = 20000 sequences
    y = rt.LockedDropout(p).train()(x, generator=torch.Generator().manual_seed(2))
    # E[y] = x: the mean of 20000 draws of m / (1-p), standard deviation sqrt(p / (1-p) / 20000) = 0.0046
    assert abs(y.mean().item() - 1.0) < 0.02
    (grad,) = torch.autograd.grad((y * 2).sum(), x)
    assert_close(grad, 2 * y.detach(), "dy/dx is the scaled mask")


def test_generator_makes_it_reproducible_and_p_one_drops_everything():
    x = randn(3, 2, 4, seed=3, requires_grad=False)
    drop = rt.LockedDropout(0.5).train()
    a = drop(x, generator=torch.Generator().manual_seed(7))
    b = drop(x, generator=torch.Generator().manual_seed(7))
    assert torch.equal(a, b)
    assert (rt.LockedDropout(1.0).train()(x) == 0).all()


def test_bad_input_gets_a_clear_error():
    with pytest.raises(InputError, match=r"^LockedDropout: argument 'p': expected a probability in \[0, 1\]; got 1\.5"):
        rt.LockedDropout(1.5)
    with pytest.raises(InputError, match=r"argument 'p': expected a probability in \[0, 1\]; got '0\.5'"):
        rt.LockedDropout("0.5")
    assert rt.LockedDropout(torch.tensor(0.25)).p == 0.25
    with pytest.raises(InputError, match=r"^LockedDropout\.forward: argument 'x': expected shape \(T, N, D\); "
                                         r"got shape \(4, 5\)\. Hint: one mask per sequence"):
        rt.LockedDropout(0.5)(torch.zeros(4, 5))
    with pytest.raises(InputError, match=r"argument 'x': expected a floating-point tensor; got dtype torch\.int64"):
        rt.LockedDropout(0.5)(torch.zeros(4, 5, 2, dtype=torch.long))
