"""The machinery every question shares: call the answer safely, compare, diagnose.

A question's grading function receives a ``Ctx`` and returns a list of ``Part``. It
calls the answer with ``ctx.call(*args)``, which gives the answer copies of the
arguments (so in-place changes are seen, never suffered), and raises ``Unfinished`` or
``AnswerCrashed`` for the caller (``check``) to turn into a result.
"""

from __future__ import annotations

import copy
import inspect

import numpy as np

from .watch import call_watched


class Unfinished(Exception):
    """The answer raised ``NotImplementedError`` (or is not defined)."""


class AnswerCrashed(Exception):
    """The answer raised an exception other than ``NotImplementedError``."""


class ReferenceUsed(Exception):
    """The answer ran the course's own reference for this question."""


class Ctx:
    """Everything a question's grading function needs for one answer.

    Parameters
    ----------
    name : str
        The question id.
    answer : callable
        The learner's function, or a batch-mode proxy into the submission's kernel.
    rng : numpy.random.Generator
        Source of the random test inputs (fixed seed for instant feedback).
    arg_names : tuple of str
        Names of the positional arguments, for messages about mutated inputs.
    forbidden : tuple of (str, str)
        Reference functions the answer must not run (see ``watch.call_watched``).
    """

    def __init__(self, name, answer, rng, arg_names, forbidden):
        self.name, self.answer, self.rng = name, answer, rng
        self.arg_names, self.forbidden = tuple(arg_names), tuple(forbidden)
        self.mutated: list[str] = []
        self.crash_hint = ""

    def call(self, *args):
        """Call the answer on copies of ``args``; record any argument it modified."""
        invoke = getattr(self.answer, "rnnlearn_invoke", None)
        if invoke is not None and getattr(self.answer, "rnnlearn_remote", False):
            value, after = invoke(args, self.forbidden)  # raises the same exceptions
        else:
            after = copy.deepcopy(args)
            value, error, reason = call_watched(self.answer, after, self.forbidden)
            if reason:
                raise ReferenceUsed(reason)
            if isinstance(error, NotImplementedError):
                raise Unfinished(str(error))
            if error is not None:
                raise AnswerCrashed(f"{type(error).__name__}: {error}")
        for arg_name, before, now in zip(self.arg_names, args, after):
            if not same(before, now) and arg_name not in self.mutated:
                self.mutated.append(arg_name)
        return value

    def mutation_part(self, earned: bool) -> "Part":
        """The 'leaves its inputs unchanged' part; only earned alongside a right output."""
        from .result import Part

        if self.mutated:
            names = ", ".join(self.mutated)
            return Part("inputs unchanged", 1, False,
                        f"your function modified its input(s) {names} in place (e.g. `+=` or "
                        f"`*=` on an argument, or writing into it); work on new arrays instead.")
        return Part("inputs unchanged", 1, earned, "" if earned else "not scored until an output is right")


def same(a, b) -> bool:
    """Exact equality of nested arrays / tuples / dicts (NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (tuple, list)):
        return (isinstance(b, (tuple, list)) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b)))
    if isinstance(a, dict):
        return (isinstance(b, dict) and a.keys() == b.keys()
                and all(same(a[k], b[k]) for k in a))
    try:
        return bool(a == b)
    except Exception:  # exotic objects: compare identity
        return a is b


def signature_problem(answer, n_args: int, expected: str) -> str:
    """Return why ``answer`` cannot be called with ``n_args`` positional arguments, or ''."""
    if not callable(answer):
        return f"expected a function {expected}; got {type(answer).__name__}."
    try:
        sig = inspect.signature(answer)
    except (TypeError, ValueError):
        return ""
    try:
        sig.bind(*range(n_args))
    except TypeError:
        return f"expected a function {expected}; yours is {inspect.signature(answer)}."
    return ""


def unpack(value, names: tuple[str, ...]):
    """Check the answer returned a tuple of ``len(names)``; return it, or raise WrongOutput."""
    n, wanted = len(names), "(" + ", ".join(names) + ")"
    if n == 1:
        return (value,)
    if not isinstance(value, (tuple, list)):
        raise WrongOutput(f"should return a tuple {wanted}; got a single {_kind(value)}.")
    if len(value) != n:
        raise WrongOutput(f"should return {n} values {wanted}; got {len(value)}.")
    return tuple(value)


class WrongOutput(Exception):
    """The answer returned something of the wrong kind (not a value mismatch)."""


def _kind(value) -> str:
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}"
    return type(value).__name__


def array_problem(value, expected, letters: str, *, rtol=1e-6, atol=1e-9,
                  against="the reference") -> str:
    """Compare one output array with the reference; return the problem or ''.

    Stages: a NumPy array, the right shape (named with ``letters``, e.g. ``"(N, H)"``),
    a floating dtype that follows the inputs, finite, then values within tolerance.
    ``against`` names what ``expected`` is, for the message.
    """
    if not isinstance(value, np.ndarray):
        return f"expected a NumPy array {letters}; got {_kind(value)}."
    if value.shape != expected.shape:
        return f"shape {value.shape}, expected {letters} = {expected.shape}."
    if value.dtype != expected.dtype:
        return f"dtype {value.dtype}, expected {expected.dtype} (the dtype follows the inputs)."
    if not np.all(np.isfinite(value)):
        return "contains NaN or inf."
    if not np.allclose(value, expected, rtol=rtol, atol=atol):
        err = float(np.max(np.abs(value - expected)))
        return f"values differ from {against} (largest difference {err:.1e})."
    return ""


def matches(value, candidate, *, rtol=1e-6, atol=1e-9) -> bool:
    """Does ``value`` equal a wrong variant's output (same shape, close values)?"""
    if isinstance(candidate, (tuple, list)):
        return (isinstance(value, (tuple, list)) and len(value) == len(candidate)
                and all(matches(v, c, rtol=rtol, atol=atol) for v, c in zip(value, candidate)))
    if isinstance(candidate, dict):
        return (isinstance(value, dict) and value.keys() == candidate.keys()
                and all(matches(value[k], candidate[k], rtol=rtol, atol=atol) for k in candidate))
    try:
        v, c = np.asarray(value, dtype=float), np.asarray(candidate, dtype=float)
    except (TypeError, ValueError):
        return False
    return v.shape == c.shape and bool(np.allclose(v, c, rtol=rtol, atol=atol))


def diagnose(value, variants) -> str:
    """Return the hint of the first wrong variant whose output ``value`` reproduces, or ''.

    ``variants`` is a list of ``(hint, thunk)``; each thunk computes the variant's output
    on the same inputs (a variant that cannot run on these inputs is skipped).
    """
    for hint, thunk in variants:
        try:
            candidate = thunk()
        except Exception:  # a variant that does not apply to these shapes
            continue
        if matches(value, candidate):
            return hint
    return ""
