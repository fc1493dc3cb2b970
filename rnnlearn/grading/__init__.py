"""Instant feedback for the exercises and the batch grader.

``check(name, answer)`` grades one answer in the learner's own kernel and returns a
``CheckResult``; ``questions()`` lists the question ids with their points. The batch
grader (``rnnlearn grade NOTEBOOK...``, ``rnnlearn.grading.batch.main``) runs the same
checks in its own process, calling each answer inside the submission's kernel through
a proxy.
"""

from . import q_bptt, q_rnn_equations, q_vanishing  # noqa: F401  (registers the questions)
from .check import check, questions
from .result import CheckResult, Part

__all__ = ["check", "questions", "CheckResult", "Part"]
