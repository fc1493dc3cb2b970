"""The question registry: every gradable exercise, its points and its chapter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Question:
    """A gradable exercise.

    Attributes
    ----------
    id : str
        The question id, also the name the learner defines in the notebook.
    points : float
        Full marks.
    chapter : str
        The notebook it belongs to, e.g. ``"01_rnn_equations"``.
    signature : str
        How the answer is called, for messages, e.g. ``"rnn_step_forward(x, h_prev, params)"``.
    arg_names : tuple of str
        Positional arguments the check passes (for the signature and mutation checks).
    grade : callable
        ``grade(ctx) -> list[Part]``.
    forbidden : tuple of (str, str)
        Code the answer must not run: ``(path fragment, function name or "*")``.
    crash_hint : str
        Added to the feedback when the answer raises.
    """

    id: str
    points: float
    chapter: str
    signature: str
    arg_names: tuple
    grade: Callable
    forbidden: tuple
    crash_hint: str = ""


QUESTIONS: dict[str, Question] = {}

# Always forbidden: the course's reference code, the grader itself, the PyTorch modules.
_PACKAGE = (("/rnnlearn/grading/", "*"), ("/rnnlearn/torch/", "*"))


def question(qid, *, points, chapter, signature, arg_names, also_forbidden=(), crash_hint=""):
    """Register the decorated ``grade(ctx)`` function as question ``qid``.

    The answer may not run the reference of the same name in ``rnnlearn.numpy``, nor
    anything in ``also_forbidden``; helpers such as ``sigmoid`` or the learner's own
    earlier answers are allowed.
    """
    forbidden = (("/rnnlearn/numpy/", qid),) + _PACKAGE + tuple(also_forbidden)

    def register(grade):
        QUESTIONS[qid] = Question(qid, float(points), chapter, signature, tuple(arg_names),
                                  grade, forbidden, crash_hint)
        return grade

    return register
