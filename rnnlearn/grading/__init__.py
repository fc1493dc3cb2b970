"""Instant feedback for the exercises; the batch grader lives in ``rnnlearn.grading.batch``.

``check(name, answer)`` grades one answer and returns a ``CheckResult``; ``questions()``
lists the question ids with their points. Importing this package registers every
question (``rnnlearn.grading.chapters``, one module per chapter); it never imports the
batch grader.
"""

from . import chapters  # noqa: F401  (registers the questions, in course order)
from .check import check, questions
from .result import CheckResult, Part

__all__ = ["check", "questions", "CheckResult", "Part"]
