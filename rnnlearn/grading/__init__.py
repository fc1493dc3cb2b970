"""Instant feedback for the exercises and the batch grader.

``check(name, answer)`` grades one answer in the learner's own kernel and returns a
``CheckResult``; ``questions()`` lists the question ids with their points. The batch
grader (``rnnlearn grade NOTEBOOK...``, ``rnnlearn.grading.batch.main``) runs the same
checks in its own process, calling each answer inside the submission's kernel through
a proxy.
"""

# registers the questions, in course order
from . import q_rnn_equations, q_bptt, q_vanishing, q_lstm, q_gru, q_attention  # noqa: F401, I001
from .check import check, questions
from .result import CheckResult, Part

__all__ = ["check", "questions", "CheckResult", "Part"]
