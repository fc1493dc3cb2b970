"""Score a question's outputs case by case, with a diagnosis for every wrong part.

A question's grading function receives an ``Attempt`` (the answer, the source of
random inputs, the question's metadata) and returns a list of ``Part``. Most questions
describe themselves with ``Output`` entries (which returned values are graded, their
shape letters), a list of ``Case`` (inputs), a reference and, optionally, a function
that reproduces known mistakes; ``grade_outputs`` does the rest: one ``Part`` per graded
output (per group of cases, when cases are grouped), failing on the first case that
disagrees, with the hint of the first mistake the answer reproduces.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from .answer import AnswerCrashed
from .compare import diagnose, same, unpack, value_problem
from .finite_differences import fd_part
from .result import Part


class Attempt:
    """One answer being checked against one question.

    Parameters
    ----------
    question : registry.Question
        What is asked (id, argument names, forbidden references, crash hint).
    answer : answer.Answer
        The learner's function, wherever it lives.
    rng : numpy.random.Generator
        Source of the random test inputs.
    """

    def __init__(self, question, answer, rng):
        self.name, self.answer, self.rng = question.id, answer, rng
        self.arg_names, self.forbidden = question.arg_names, question.forbidden
        self.crash_hint = question.crash_hint
        self.mutated: list[str] = []

    def call(self, *args):
        """Call the answer; record any argument it modified (the caller's ``args`` never change)."""
        value, after = self.answer.invoke(args, self.forbidden)
        for arg_name, before, now in zip(self.arg_names, args, after):
            if not same(before, now) and arg_name not in self.mutated:
                self.mutated.append(arg_name)
        return value

    def mutation_part(self, earned: bool) -> Part:
        """The 'leaves its inputs unchanged' part; only earned alongside a right output."""
        if self.mutated:
            names = ", ".join(self.mutated)
            return Part("inputs unchanged", 1, False,
                        f"your function modified its input(s) {names} in place (e.g. `+=` or "
                        f"`*=` on an argument, or writing into it); work on new arrays instead.")
        return Part("inputs unchanged", 1, earned, "" if earned else "not scored until an output is right")


class Output(NamedTuple):
    """A returned value: its name, shape letters (``None``: not graded) and tolerance."""

    name: str
    letters: object = None  # str, or dict key -> str for a dict of arrays; None: ungraded
    rtol: float = 1e-6
    atol: float = 1e-9


class Case(NamedTuple):
    """One set of inputs, a label for messages, and an optional group for partial credit."""

    label: str
    args: tuple
    group: str = ""


def grade_outputs(attempt, outputs, cases, reference: Callable, variant: Callable | None = None,
                  hints: dict | None = None, fd=None) -> list[Part]:
    """Call the answer on every case and score each graded output.

    ``reference(*args)`` returns the right outputs (a tuple in the order of ``outputs``);
    ``variant(*args, mistake)`` the outputs with ``mistake`` (a key of ``hints``).
    ``fd`` (an ``fd.FDCase``, backward questions) adds the finite-difference part.
    """
    names = tuple(o.name for o in outputs)
    groups = list(dict.fromkeys(c.group for c in cases))
    failures: dict = {}
    for number, case in enumerate(cases):
        try:
            value = unpack(attempt.call(*case.args), names)
        except AnswerCrashed as exc:
            if number == 0:
                raise  # nothing ran: the whole answer crashed
            hint = f" Hint: {attempt.crash_hint}" if attempt.crash_hint else ""
            crash = f"raised {exc} (case {case.label}).{hint}"
            for out in outputs:
                key = (out.name, case.group)
                if key not in failures:
                    failures[key] = crash
                elif "Hint:" not in failures[key]:  # a wrong value, then a crash: say both
                    failures[key] += f" Then it {crash}"
            continue
        expected = reference(*case.args)
        expected = expected if len(outputs) > 1 else (expected,)
        for i, out in enumerate(outputs):
            key = (out.name, case.group)
            if out.letters is None or key in failures:
                continue
            problem = value_problem(value[i], expected[i], out)
            if problem:
                hint = _hint(value[i], case.args, i, variant, hints or {}, len(outputs))
                failures[key] = f"{problem} (case {case.label})" + (f" Hint: {hint}" if hint else "")
    parts = []
    for out in outputs:
        if out.letters is None:
            continue
        for group in groups:
            name = f"{out.name} ({group})" if group else out.name
            message = failures.get((out.name, group), "")
            parts.append(Part(name, 1, not message, message))
    if fd is not None:
        parts.append(fd_part(attempt, outputs, fd))
    return parts + [attempt.mutation_part(any(p.ok for p in parts))]


def _hint(value, args, index, variant, hints, n_outputs) -> str:
    if variant is None:
        return ""

    def thunk(mistake):
        result = variant(*args, mistake)
        return result[index] if n_outputs > 1 else result

    return diagnose(value, [(hint, lambda m=m: thunk(m)) for m, hint in hints.items()])
