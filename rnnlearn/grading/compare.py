"""Compare a returned value with what was expected, and recognise known mistakes.

Pure functions of values (no calls to the answer): exact equality for the "did it
modify its inputs" check (``same``), tolerant comparison with a message saying what is
wrong (``array_problem``, ``value_problem``), and ``diagnose``, which finds the known
mistake whose output the answer reproduces.
"""

from __future__ import annotations

import numpy as np


class WrongOutput(Exception):
    """The answer returned something of the wrong kind (not a value mismatch)."""


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


def _keys(keys) -> list:
    """Dict keys of any types, in a stable order (``sorted`` fails on mixed types)."""
    return sorted(keys, key=repr)


def _show(value, limit=200) -> str:
    """``repr(value)``, shortened; never raises (a learner's object may have a broken repr)."""
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


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
        v, c = np.asarray(value), np.asarray(candidate)
        kind = complex if np.iscomplexobj(v) or np.iscomplexobj(c) else float  # complex: both parts count
        v, c = v.astype(kind), c.astype(kind)
    except (TypeError, ValueError, OverflowError):
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


def value_problem(value, expected, out, against="the reference") -> str:
    """What is wrong with one returned value compared with ``against``, or ''.

    ``out`` is the ``scoring.Output`` describing the value (shape letters, tolerances).
    """
    if isinstance(expected, np.ndarray):
        return array_problem(value, expected, out.letters, rtol=out.rtol, atol=out.atol, against=against)
    if isinstance(expected, dict):
        if not isinstance(value, dict):
            return f"expected a dict with keys {sorted(expected)}; got {type(value).__name__}."
        if set(value) != set(expected):  # keys of any type: sorted by their repr
            missing, extra = _keys(set(expected) - set(value)), _keys(set(value) - set(expected))
            return f"keys {_keys(value)}, expected {sorted(expected)} (missing {missing}, extra {extra})."
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
            return f"expected a tuple of ints like {expected}; got {_show(value)}."
        return "" if tuple(int(v) for v in got) == expected else f"{tuple(int(v) for v in got)}, expected {expected}."
    if isinstance(expected, (int, np.integer)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            return f"expected an int; got {type(value).__name__}."
        return "" if int(value) == int(expected) else f"{_show(int(value), 24)}, expected {int(expected)}."
    if isinstance(expected, (float, np.floating)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) \
                or np.ndim(value) != 0:
            return f"expected a number; got {type(value).__name__}."
        try:
            number = float(value)
        except OverflowError:
            return f"a number too large for a float, expected {float(expected):.4g}."
        if not np.isclose(number, float(expected), rtol=out.rtol, atol=out.atol):
            return f"{number:.4g}, expected {float(expected):.4g}."
        return ""
    raise TypeError(f"grade_outputs: cannot compare a reference of type {type(expected).__name__}")
