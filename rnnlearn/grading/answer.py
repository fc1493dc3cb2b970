"""A learner's answer as the checks see it, wherever it lives.

``check`` and every question talk to an ``Answer``: ask where it comes from
(``origin``), whether it takes the question's arguments (``signature_problem``), and
call it (``invoke``), which returns the value and the arguments after the call, or
raises one of the exceptions below. ``LocalAnswer`` wraps a function in this process
(a learner's notebook); the batch grader has its own ``Answer`` for a function that
lives in a submission's kernel. The checks cannot tell the two apart.
"""

from __future__ import annotations

import copy
import inspect

from .watch import answer_origin, call_watched


class Unfinished(Exception):
    """The answer raised ``NotImplementedError`` (or is not defined)."""


class AnswerCrashed(Exception):
    """The answer raised an exception other than ``NotImplementedError``."""


class ReferenceUsed(Exception):
    """The answer ran the course's own reference for this question."""


class Answer:
    """The interface every answer offers the checks (see the module docstring)."""

    def origin(self) -> str:
        """Why the answer itself is the course's code, or ``""``."""
        raise NotImplementedError

    def signature_problem(self, n_args: int, expected: str) -> str:
        """Why the answer cannot be called with ``n_args`` positional arguments, or ``""``."""
        raise NotImplementedError

    def invoke(self, args: tuple, forbidden: tuple) -> tuple:
        """Call the answer on ``args``; return ``(value, args_after_the_call)``.

        Raises ``Unfinished``, ``AnswerCrashed`` or ``ReferenceUsed`` (a function of
        ``forbidden``, see ``watch.call_watched``, ran during the call).
        """
        raise NotImplementedError


class LocalAnswer(Answer):
    """A function in this process, called on deep copies of the arguments."""

    def __init__(self, fn):
        self.fn = fn

    def origin(self) -> str:
        return answer_origin(self.fn)

    def signature_problem(self, n_args: int, expected: str) -> str:
        return signature_problem(self.fn, n_args, expected)

    def invoke(self, args: tuple, forbidden: tuple) -> tuple:
        after = copy.deepcopy(args)
        value, error, reason = call_watched(self.fn, after, forbidden)
        if reason:
            raise ReferenceUsed(reason)
        if isinstance(error, NotImplementedError):
            raise Unfinished(str(error))
        if error is not None:
            raise AnswerCrashed(f"{type(error).__name__}: {error}")
        return value, after


def as_answer(answer) -> Answer:
    """``answer`` itself when it is an ``Answer``, else a ``LocalAnswer`` around it."""
    return answer if isinstance(answer, Answer) else LocalAnswer(answer)


def signature_problem(fn, n_args: int, expected: str) -> str:
    """Return why ``fn`` cannot be called with ``n_args`` positional arguments, or ''."""
    if not callable(fn):
        return f"expected a function {expected}; got {type(fn).__name__}."
    try:
        sig = inspect.signature(fn)
    except Exception:  # no signature (a builtin), or a forged __signature__ that raises
        return ""
    return bind_problem(sig, n_args, expected)


def bind_problem(sig: inspect.Signature, n_args: int, expected: str) -> str:
    """Why a function with signature ``sig`` cannot take ``n_args`` positional arguments, or ''."""
    try:
        sig.bind(*range(n_args))
    except Exception:  # TypeError; anything else from a forged signature is the same verdict
        return f"expected a function {expected}; yours is {sig}."
    return ""
