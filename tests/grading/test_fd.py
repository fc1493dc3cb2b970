"""The finite-difference stage of backward questions does not depend on the reference backward."""

import numpy as np
import pytest

import rnnlearn.numpy as reference
from rnnlearn.grading import check
from rnnlearn.grading.finite_differences import dot, numeric_gradients

from .learner import bptt


def fd_part(result):
    return {p.name: p for p in result.parts}["finite differences"]


def test_numeric_gradients_of_the_forward_equal_the_backward():
    rng = np.random.default_rng(0)
    x, h, p = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), reference.random_params("rnn", 3, 4, rng=rng)
    dh = rng.normal(size=(2, 4))
    num = numeric_gradients(lambda x, h, p: dot(reference.rnn_step_forward(x, h, p)[:1], (dh,)), (x, h, p))
    dx, dh_prev, grads = reference.rnn_step_backward(dh, reference.rnn_step_forward(x, h, p)[1])
    np.testing.assert_allclose(num[0], dx, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(num[1], dh_prev, rtol=1e-6, atol=1e-8)
    for key in grads:
        np.testing.assert_allclose(num[2][key], grads[key], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("qid,n_outputs", [("rnn_step_backward", 3), ("rnn_backward", 3),
                                            ("lstm_step_backward", 4), ("gru_step_backward", 3)])
def test_every_backward_question_has_the_stage(qid, n_outputs):
    def stub(*args):
        return (0.0,) * n_outputs

    assert not fd_part(check(qid, stub)).ok


def test_a_wrong_gradient_is_told_it_disagrees_with_finite_differences():
    r = check("rnn_step_backward", lambda dh, cache: bptt.step_backward(dh, cache, "no_tanh_grad"))
    part = fd_part(r)
    assert not part.ok and "your dx: values differ from finite differences" in part.message
    assert "your dh_prev" in part.message and "reference backward" in part.message


def test_stage_catches_what_a_buggy_reference_backward_would_miss(monkeypatch):
    # Simulate a bug in the course's reference backward: bias_hh gradient zeroed.
    def buggy(dh_next, cache):
        dx, dh_prev, grads = bptt.step_backward(dh_next, cache)
        return dx, dh_prev, {**grads, "bias_hh": 0 * grads["bias_hh"]}

    monkeypatch.setattr(reference, "rnn_step_backward", buggy)
    copying_the_bug = check("rnn_step_backward", lambda dh, c: bptt.step_backward(dh, c, "no_db_hh"))
    assert not copying_the_bug.passed  # it agrees with the buggy reference, not with the forward
    assert "your grads['bias_hh']" in fd_part(copying_the_bug).message
    assert fd_part(check("rnn_step_backward", bptt.step_backward)).ok
