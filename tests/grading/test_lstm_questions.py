"""The chapter-4 sequence question ``lstm_backward``: the reference passes, the stub is
'not done yet', every known mistake fails with its own hint, and the grader's variant
family is right without a mistake (against rnnlearn.numpy and torch autograd)."""

import numpy as np
import pytest
import torch

from rnnlearn.grading import check, questions
from rnnlearn.grading import wrong_lstm
from rnnlearn.grading.q_rnn_equations import cell_params
from rnnlearn.numpy import lstm_backward, lstm_forward
from .learner import L

#: question id -> (right answer, {mistake: wrong answer}, hint table); test_checks.py covers the rest
LSTM_CASES = {
    "lstm_backward": (L.seq_backward,
                      {m: (lambda m: lambda dh_seq, cache, dh_T=None, dc_T=None:
                           L.seq_backward(dh_seq, cache, dh_T, dc_T, mistake=m))(m) for m in L.SEQ_BACKWARD},
                      L.SEQ_BACKWARD),
}


def test_lstm_backward_is_a_chapter_4_question_with_enough_mistakes():
    assert questions()["lstm_backward"]["chapter"] == "04_lstm"
    assert len(LSTM_CASES["lstm_backward"][1]) >= 3


@pytest.mark.parametrize("qid", sorted(LSTM_CASES))
def test_right_answer_gets_full_marks(qid):
    r = check(qid, LSTM_CASES[qid][0])
    assert r.passed and r.status == "passed" and r.score == r.max_score == questions()[qid]["points"], str(r)


@pytest.mark.parametrize("qid", sorted(LSTM_CASES))
def test_stub_is_unfinished(qid):
    def stub(*args):
        raise NotImplementedError("Replace this line with your code.")

    r = check(qid, stub)
    assert r.status == "unfinished" and not r.passed and r.score == 0
    assert "not done yet" in str(r) and "not done yet" in r._repr_html_()


@pytest.mark.parametrize("qid,mistake", [(q, m) for q in sorted(LSTM_CASES) for m in LSTM_CASES[q][1]])
def test_known_mistake_fails_with_its_hint(qid, mistake):
    r = check(qid, LSTM_CASES[qid][1][mistake])
    assert not r.passed and r.score < r.max_score and r.status in ("failed", "partial", "error")
    assert LSTM_CASES[qid][2][mistake] in r.feedback, str(r)


def test_hints_teach_and_differ():
    hints = list(wrong_lstm.SEQ_BACKWARD.values())
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
    x, h0, c0, params = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H)), \
        cell_params(rng, D, H, 4)
    dh_seq, dh_T, dc_T = rng.normal(size=(N, T, H)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    cache = lstm_forward(x, h0, c0, params)[3]
    ours = wrong_lstm.seq_backward(dh_seq, cache, dh_T, dc_T)
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
