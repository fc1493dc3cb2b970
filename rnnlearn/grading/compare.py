"""Grade a question's outputs case by case, with a diagnosis for every wrong part.

A question describes itself with ``Output`` entries (which returned values are graded,
their shape letters), a list of ``Case`` (inputs), a reference and, optionally, a
function that reproduces known mistakes. ``grade_outputs`` does the rest: one ``Part``
per graded output (per group of cases, when cases are grouped), failing on the first
case that disagrees, with the hint of the first mistake the answer reproduces.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .fd import fd_part
from .harness import AnswerCrashed, array_problem, diagnose, unpack
from .result import Part


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


def value_problem(value, expected, out: Output, against="the reference") -> str:
    """What is wrong with one returned value compared with ``against``, or ''."""
    if isinstance(expected, np.ndarray):
        return array_problem(value, expected, out.letters, rtol=out.rtol, atol=out.atol, against=against)
    if isinstance(expected, dict):
        if not isinstance(value, dict):
            return f"expected a dict with keys {sorted(expected)}; got {type(value).__name__}."
        if set(value) != set(expected):
            missing, extra = sorted(set(expected) - set(value)), sorted(set(value) - set(expected))
            return f"keys {sorted(value)}, expected {sorted(expected)} (missing {missing}, extra {extra})."
        for key in expected:
            problem = array_problem(value[key], expected[key], out.letters[key], rtol=out.rtol,
                                    atol=out.atol, against=against)
            if problem:
                return f"[{key!r}] {problem}"
        return ""
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(value, (bool, np.bool_)):
            return f"expected True or False; got {type(value).__name__}."
        return "" if bool(value) == bool(expected) else f"{bool(value)}, expected {bool(expected)}."
    if isinstance(expected, tuple):
        got = tuple(value) if isinstance(value, (tuple, list)) else value
        if not (isinstance(got, tuple) and all(isinstance(v, (int, np.integer)) for v in got)):
            return f"expected a tuple of ints like {expected}; got {value!r}."
        return "" if tuple(int(v) for v in got) == expected else f"{tuple(int(v) for v in got)}, expected {expected}."
    if isinstance(expected, (int, np.integer)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            return f"expected an int; got {type(value).__name__}."
        return "" if int(value) == int(expected) else f"{int(value)}, expected {int(expected)}."
    if isinstance(expected, (float, np.floating)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) \
                or np.ndim(value) != 0:
            return f"expected a number; got {type(value).__name__}."
        if not np.isclose(float(value), float(expected), rtol=out.rtol, atol=out.atol):
            return f"{float(value):.4g}, expected {float(expected):.4g}."
        return ""
    raise TypeError(f"grade_outputs: cannot compare a reference of type {type(expected).__name__}")


def grade_outputs(ctx, outputs, cases, reference: Callable, variant: Callable | None = None,
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
            value = unpack(ctx.call(*case.args), names)
        except AnswerCrashed as exc:
            if number == 0:
                raise  # nothing ran: the whole answer crashed
            hint = f" Hint: {ctx.crash_hint}" if ctx.crash_hint else ""
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
        parts.append(fd_part(ctx, outputs, fd))
    return parts + [ctx.mutation_part(any(p.ok for p in parts))]


def _hint(value, args, index, variant, hints, n_outputs) -> str:
    if variant is None:
        return ""

    def thunk(mistake):
        result = variant(*args, mistake)
        return result[index] if n_outputs > 1 else result

    return diagnose(value, [(hint, lambda m=m: thunk(m)) for m, hint in hints.items()])
