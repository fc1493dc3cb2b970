"""Every check: the right answer gets full marks, the stub is 'unfinished', and known
mistakes fail with the matching hint."""

import numpy as np
import pytest

from rnnlearn.grading import check, questions

from .learner import attention, beyond, bptt, gru, lstm, practice, rnn_equations, teacher_forcing, vanishing


def _answer(variant, mistake, with_cache):
    """A learner's answer made from a variant function; ``with_cache`` appends a ``None`` cache."""
    def answer(*args):
        out = variant(*args, mistake=mistake)
        return (out if isinstance(out, tuple) else (out,)) + (None,) if with_cache else out
    return answer


def _family(variant, hints, *, with_cache=False, mistakes=None):
    """``(right answer, {mistake: wrong answer}, hint table)`` for one question."""
    mistakes = hints if mistakes is None else mistakes
    return (_answer(variant, None, with_cache), {m: _answer(variant, m, with_cache) for m in mistakes}, hints)


# question id -> (right answer, {mistake: wrong answer}, hint table)
CASES = {
    "rnn_step_forward": _family(rnn_equations.step_forward, rnn_equations.STEP_FORWARD, with_cache=True,
                                mistakes=[m for m in rnn_equations.STEP_FORWARD if m != "transposed"]),
    "rnn_forward": _family(rnn_equations.seq_forward, rnn_equations.SEQ_FORWARD, with_cache=True,
                           mistakes=("off_by_one", "h0_every_step", "h_T_first", "reversed", "no_bias_hh",
                                     "sigmoid")),
    "rnn_shapes": _family(rnn_equations.shapes, rnn_equations.SHAPES),
    "rnn_num_params": _family(rnn_equations.num_params, rnn_equations.NUM_PARAMS),
    "rnn_step_backward": _family(bptt.step_backward, bptt.STEP_BACKWARD),
    "rnn_backward": _family(bptt.seq_backward, bptt.SEQ_BACKWARD,
                            mistakes=("no_recurrent", "grads_overwritten", "ignore_dh_T", "off_by_one",
                                      "skip_first", "no_tanh_grad", "dW_transposed")),
    "clip_grad_norm": _family(bptt.clip, bptt.CLIP),
    "tbptt_backward": _family(bptt.tbptt, bptt.TBPTT),
    "hidden_grad_norms": _family(vanishing.hidden_grad_norms, vanishing.NORMS),
    "vanishing_condition": _family(vanishing.vanishing_condition, vanishing.CONDITION),
    "recurrent_init": _family(vanishing.recurrent_init, vanishing.INIT),
    "lstm_step_forward": _family(lstm.step_forward, lstm.STEP_FORWARD, with_cache=True),
    "lstm_step_backward": _family(lstm.step_backward, lstm.STEP_BACKWARD),
    "lstm_backward": _family(lstm.seq_backward, lstm.SEQ_BACKWARD),
    "gru_step_forward": _family(gru.step_forward, gru.STEP_FORWARD, with_cache=True),
    "gru_step_backward": _family(gru.step_backward, gru.STEP_BACKWARD),
    "additive_attention_forward": _family(attention.forward, attention.FORWARD, with_cache=True),
    "char_rnn_loss_grads": _family(bptt.char_rnn_loss_grads, bptt.CHAR_RNN),
    "gru_backward": _family(gru.seq_backward, gru.SEQ_BACKWARD),
    "flip_update_gate": _family(gru.flip, gru.FLIP),
    "additive_attention_backward": _family(attention.backward, attention.BACKWARD),
    "beam_step": _family(attention.beam_step, attention.BEAM),
    "inverse_sigmoid_schedule": _family(teacher_forcing.inverse_sigmoid, teacher_forcing.SCHEDULE),
    "scheduled_sampling_decode": _family(teacher_forcing.decode, teacher_forcing.DECODE),
    "exposure_gap": _family(teacher_forcing.gap, teacher_forcing.GAP),
    "combine": _family(beyond.combine, beyond.COMBINE),
    "linear_scan": _family(beyond.linear_scan, beyond.SCAN),
    "kv_cache_bytes": _family(beyond.kv_cache_bytes, beyond.KV),
    "lru_step": _family(beyond.lru_step, beyond.LRU),
    "masked_sequence_loss": _family(practice.masked_loss, practice.LOSS),
    "last_hidden": _family(practice.last_hidden, practice.LAST),
    "reverse_padded": _family(practice.reverse_padded, practice.REVERSE),
}


def test_every_question_is_tested():
    assert set(CASES) == set(questions())
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
    r = check("rnn_step_forward", _answer(rnn_equations.step_forward, "transposed", True))
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
    with pytest.raises(ValueError, match="check: argument .name.: expected a question id"):
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


@pytest.mark.parametrize("qid, answer, words", [
    ("rnn_num_params", lambda D, H, cell="rnn", num_layers=1, bidirectional=False: 10 ** 400, "(401 characters)"),
    ("clip_grad_norm", lambda grads, max_norm: ({0: 1.0, **grads}, 1.0), "extra [0]"),
    ("vanishing_condition", lambda W_hh, nonlinearity: (10 ** 400, 1.0, True), "too large for a float"),
])
def test_check_reports_values_no_comparison_foresaw(qid, answer, words):
    r = check(qid, answer)
    assert not r.passed and r.score == 0 and words in r.feedback, str(r)


def test_check_never_raises_on_odd_callables():
    class ForgedSignature:
        @property
        def __signature__(self):
            raise RuntimeError("no signature for you")

        def __call__(self, *args):
            return BadLength()

    class BadLength(tuple):
        def __len__(self):
            raise RuntimeError("no length either")

    r = check("rnn_step_forward", ForgedSignature())
    assert not r.passed and r.status in ("failed", "error"), str(r)


def test_torch_size_is_a_right_answer_for_rnn_shapes():
    import torch

    def rnn_shapes(N, T, D, H, num_layers=1, bidirectional=False, batch_first=False):
        out, h_n = rnn_equations.shapes(N, T, D, H, num_layers, bidirectional, batch_first)
        return torch.Size(out), torch.Size(h_n)

    assert check("rnn_shapes", rnn_shapes).passed


@pytest.mark.parametrize("seed", range(10))
def test_fresh_cases_still_diagnose_every_mistake(seed):
    """rnn_shapes and rnn_num_params draw new sizes on every run: every mistake stays recognisable."""
    for qid in ("rnn_shapes", "rnn_num_params"):
        right, wrong, hints = CASES[qid]
        assert check(qid, right, seed=seed).passed
        for mistake, answer in wrong.items():
            assert hints[mistake] in check(qid, answer, seed=seed).feedback, (qid, mistake, seed)


def test_char_rnn_training_part_fails_a_model_that_cannot_learn():
    # the embedding never learns: the trained model stays above the bigram baseline
    r = check("char_rnn_loss_grads", CASES["char_rnn_loss_grads"][1]["no_embedding_grad"])
    trained = [line for line in r.feedback.splitlines() if line.lstrip().startswith("trained")]
    assert trained and "should beat it" in trained[0], str(r)


def test_recurrent_init_accepts_the_identity_and_refuses_float32():
    assert check("recurrent_init", lambda H, seed: np.eye(H)).passed
    r = check("recurrent_init", lambda H, seed: np.eye(H, dtype=np.float32))
    assert not r.passed and "float64" in r.feedback, str(r)
