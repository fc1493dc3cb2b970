"""Every check: the right answer gets full marks, the stub is 'unfinished', and known
mistakes fail with the matching hint."""

import numpy as np
import pytest

from rnnlearn.grading import check, questions
from .learner import A, B, G, L, Q, V, W

# question id -> (right answer, {mistake: wrong answer}, hint table)
def _with(f, m):
    return lambda *a: f(*a, mistake=m)


CASES = {
    "rnn_step_forward": (lambda x, h, p: (W.step_forward(x, h, p), None),
                         {m: (lambda m: lambda x, h, p: (W.step_forward(x, h, p, m), None))(m)
                          for m in W.STEP_FORWARD if m != "transposed"}, W.STEP_FORWARD),
    "rnn_forward": (lambda x, h0, p: W.seq_forward(x, h0, p) + (None,),
                    {m: (lambda m: lambda x, h0, p: W.seq_forward(x, h0, p, m) + (None,))(m)
                     for m in ("off_by_one", "h0_every_step", "h_T_first", "reversed", "no_bias_hh", "sigmoid")},
                    W.SEQ_FORWARD),
    "rnn_shapes": (Q.shapes, {m: _with(Q.shapes, m) for m in Q.SHAPES}, Q.SHAPES),
    "rnn_num_params": (Q.num_params, {m: _with(Q.num_params, m) for m in Q.NUM_PARAMS}, Q.NUM_PARAMS),
    "rnn_step_backward": (W.step_backward, {m: _with(W.step_backward, m) for m in W.STEP_BACKWARD},
                          W.STEP_BACKWARD),
    "rnn_backward": (W.seq_backward, {m: _with(W.seq_backward, m) for m in
                                      ("no_recurrent", "grads_overwritten", "ignore_dh_T", "off_by_one",
                                       "skip_first", "no_tanh_grad", "dW_transposed")}, W.SEQ_BACKWARD),
    "clip_grad_norm": (B.clip, {m: _with(B.clip, m) for m in B.CLIP}, B.CLIP),
    "tbptt_backward": (B.tbptt, {m: _with(B.tbptt, m) for m in B.TBPTT}, B.TBPTT),
    "hidden_grad_norms": (V.hidden_grad_norms, {m: _with(V.hidden_grad_norms, m) for m in V.NORMS}, V.NORMS),
    "vanishing_condition": (V.vanishing_condition, {m: _with(V.vanishing_condition, m) for m in V.CONDITION},
                            V.CONDITION),
    "scaled_orthogonal": (V.scaled_orthogonal, {m: _with(V.scaled_orthogonal, m) for m in V.ORTHOGONAL},
                          V.ORTHOGONAL),
    "lstm_step_forward": (lambda x, h, c, p: L.step_forward(x, h, c, p) + (None,),
                          {m: (lambda m: lambda x, h, c, p: L.step_forward(x, h, c, p, m) + (None,))(m)
                           for m in L.STEP_FORWARD}, L.STEP_FORWARD),
    "lstm_step_backward": (L.step_backward, {m: _with(L.step_backward, m) for m in L.STEP_BACKWARD},
                           L.STEP_BACKWARD),
    "gru_step_forward": (lambda x, h, p: (G.step_forward(x, h, p), None),
                         {m: (lambda m: lambda x, h, p: (G.step_forward(x, h, p, m), None))(m)
                          for m in G.STEP_FORWARD}, G.STEP_FORWARD),
    "gru_step_backward": (G.step_backward, {m: _with(G.step_backward, m) for m in G.STEP_BACKWARD},
                          G.STEP_BACKWARD),
    "additive_attention_forward": (lambda q, k, m, p: A.forward(q, k, m, p) + (None,),
                                   {m: (lambda m: lambda q, k, mask, p: A.forward(q, k, mask, p, m) + (None,))(m)
                                    for m in A.FORWARD}, A.FORWARD),
}


def test_every_question_is_tested():
    from .test_lstm_questions import LSTM_CASES  # chapter 4's sequence question is tested there

    assert set(CASES) | set(LSTM_CASES) == set(questions())
    assert all(len(wrong) >= 3 for _, wrong, _ in CASES.values())


@pytest.mark.parametrize("qid", sorted(CASES))
def test_right_answer_gets_full_marks(qid):
    r = check(qid, CASES[qid][0])
    assert r.passed and r.status == "passed" and r.score == r.max_score == questions()[qid]["points"], str(r)


@pytest.mark.parametrize("qid", sorted(CASES))
def test_stub_is_unfinished(qid):
    def stub(*args):
        raise NotImplementedError("Replace this line with your code.")

    r = check(qid, stub)
    assert r.status == "unfinished" and not r.passed and r.score == 0
    assert "not done yet" in str(r) and "not done yet" in r._repr_html_()


@pytest.mark.parametrize("qid,mistake", [(q, m) for q in sorted(CASES) for m in CASES[q][1]])
def test_known_mistake_fails_with_its_hint(qid, mistake):
    r = check(qid, CASES[qid][1][mistake])
    assert not r.passed and r.score < r.max_score and r.status in ("failed", "partial", "error")
    assert CASES[qid][2][mistake] in r.feedback, str(r)


def test_transposed_weights_are_diagnosed_even_when_they_crash():
    r = check("rnn_step_forward", lambda x, h, p: (W.step_forward(x, h, p, "transposed"), None))
    assert r.status == "failed" and "weights look transposed" in r.feedback, str(r)


def test_hand_written_cs231n_style_step_is_told_the_layout():
    def rnn_step_forward(x, h_prev, params):  # CS231n: Wx is (D, H)
        return np.tanh(x @ params["weight_ih"] + h_prev @ params["weight_hh"] + params["bias_ih"]), None

    r = check("rnn_step_forward", rnn_step_forward)
    assert not r.passed and "weight_ih is (H, D)" in r.feedback


def test_transposed_jacobian_is_not_false_flagged():
    def hidden_grad_norms(cache, ks):
        steps, out = cache.steps, []
        for k in ks:
            J = np.eye(steps[0].h_next.shape[1])
            for t in range(len(steps) - 1, len(steps) - 1 - k, -1):
                # W^T diag(1 - h_t^2): the transposed factor, so J is (dh_T/dh_{T-k})^T
                J = (steps[0].params["weight_hh"].T * (1 - steps[t].h_next[0] ** 2)[None, :]) @ J
            out.append(np.linalg.norm(J, 2))
        return np.array(out)

    assert check("hidden_grad_norms", hidden_grad_norms).passed


def test_mutating_inputs_costs_points_and_says_so():
    def clip_grad_norm(grads, max_norm):
        total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
        for g in grads.values():
            g *= min(1.0, max_norm / total)
        return grads, float(total)

    r = check("clip_grad_norm", clip_grad_norm)
    assert r.status == "partial" and "modified its input(s) grads in place" in r.feedback, str(r)


def test_crash_is_reported_not_raised():
    r = check("rnn_backward", lambda dh_seq, cache, dh_T=None: cache.nope)
    assert r.status == "error" and "AttributeError" in r.feedback and "steps" in r.feedback


def test_wrong_signature_and_non_function():
    assert "expected a function" in check("rnn_step_forward", lambda x: x).feedback
    assert check("rnn_step_forward", 3).status == "failed"
    with pytest.raises(ValueError, match="question id"):
        check("no_such_question", print)


def test_feedback_is_deterministic_for_nbval():
    wrong = CASES["rnn_forward"][1]["off_by_one"]
    a, b = check("rnn_forward", wrong), check("rnn_forward", wrong)
    assert str(a) == str(b) and a._repr_html_() == b._repr_html_() and "0x" not in repr(a)


def test_reference_itself_or_a_wrapper_scores_zero_but_own_loop_over_it_is_allowed():
    from rnnlearn.numpy import rnn_forward, rnn_step_forward

    for answer in (rnn_step_forward, lambda x, h, p: rnn_step_forward(x, h, p)):
        r = check("rnn_step_forward", answer)
        assert r.score == 0 and r.flags and "reference" in r.feedback
    assert check("rnn_forward", lambda x, h0, p: rnn_forward(x, h0, p)).flags

    def my_forward(x, h0, params):  # the learner's loop over the reference step: allowed
        h, states = h0, []
        for t in range(x.shape[1]):
            h, _ = rnn_step_forward(x[:, t], h, params)
            states.append(h)
        return np.stack(states, 1), h, None

    assert check("rnn_forward", my_forward).passed


def test_learner_check_cells_are_skipped_inside_a_batch_grading_kernel(monkeypatch):
    monkeypatch.setenv("RNNLEARN_BATCH_GRADING", "1")
    r = check("rnn_step_forward", CASES["rnn_step_forward"][0])
    assert r.status == "unfinished" and r.score == 0 and "batch grader" in r.feedback
