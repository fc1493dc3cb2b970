"""The chapter-4 sequence question ``lstm_backward`` beyond what test_checks.py proves for every
question (reference passes, stub unfinished, each known mistake diagnosed): the grader's
variant family is right without a mistake (against rnnlearn.numpy and torch autograd), and a
learner's loop over the reference step is allowed where the reference itself is not."""

import numpy as np
import torch

from rnnlearn.grading import check
from rnnlearn.grading.chapters import lstm
from rnnlearn.numpy import lstm_backward, lstm_forward, random_params


def test_hints_teach_and_differ():
    hints = list(lstm.SEQ_BACKWARD.values())
    assert len(set(hints)) == len(hints)


def test_learners_loop_over_their_own_step_is_allowed_and_the_reference_is_not():
    assert check("lstm_backward", lstm_backward).score == 0

    def my_backward(dh_seq, cache, dh_T=None, dc_T=None):  # a loop over the (allowed) reference step
        from rnnlearn.numpy import lstm_step_backward

        N, H = cache.steps[0].h_next.shape
        dh = np.zeros((N, H)) if dh_T is None else dh_T
        dc = np.zeros((N, H)) if dc_T is None else dc_T
        dxs, total = [None] * len(cache.steps), None
        for t in reversed(range(len(cache.steps))):
            dxs[t], dh, dc, g = lstm_step_backward(dh_seq[:, t] + dh, dc, cache.steps[t])
            total = g if total is None else {k: total[k] + g[k] for k in g}
        return np.stack(dxs, 1), dh, dc, total

    assert check("lstm_backward", my_backward).passed


def test_variant_family_without_a_mistake_equals_numpy_and_torch_autograd():
    rng = np.random.default_rng(4)
    N, T, D, H = 2, 6, 3, 4
    x, h0, c0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    params = random_params("lstm", D, H, rng=rng)
    dh_seq, dh_T, dc_T = rng.normal(size=(N, T, H)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    cache = lstm_forward(x, h0, c0, params)[3]
    ours = lstm.seq_backward(dh_seq, cache, dh_T, dc_T)
    ref = lstm_backward(dh_seq, cache, dh_T, dc_T)

    cell = torch.nn.LSTMCell(D, H, dtype=torch.float64)
    cell.load_state_dict({k: torch.tensor(v) for k, v in params.items()})
    xt, h, c = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    h_start, c_start, loss = h, c, 0.0
    for t in range(T):
        h, c = cell(xt[:, t], (h, c))
        loss = loss + (h * torch.tensor(dh_seq[:, t])).sum()
    loss = loss + (h * torch.tensor(dh_T)).sum() + (c * torch.tensor(dc_T)).sum()
    loss.backward()
    autograd = (xt.grad.numpy(), h_start.grad.numpy(), c_start.grad.numpy(),
                {k: p.grad.numpy() for k, p in cell.named_parameters()})
    for want in (ref, autograd):
        for got, expected in zip(ours, want):
            for key in (expected if isinstance(expected, dict) else [None]):
                g, e = (got, expected) if key is None else (got[key], expected[key])
                np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-12, err_msg=str(key))
