"""Argument checks shared by the data generators, in the one format of ``rnnlearn.errors``."""

from __future__ import annotations

import numbers

from ..errors import input_error


def check_int(func: str, name: str, value, *, minimum: int, minimum_from: str | None = None) -> int:
    """Return ``value`` as an int, or raise InputError naming ``func`` and ``name``.

    ``minimum_from`` names the argument that fixed ``minimum`` (for instance ``"min_len"``),
    so that a message about two arguments names both.
    """
    expected = f"an integer >= {minimum}"
    if minimum_from:
        expected = f"an integer >= {minimum_from} = {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise input_error(func, name, expected, f"{value!r} of type {type(value).__name__}")
    if value < minimum:
        raise input_error(func, name, expected, repr(value))
    return int(value)


def check_fraction(func: str, name: str, value, *, low: float = 0.0, high: float = 1.0) -> float:
    """Return ``value`` as a float in the open interval (low, high), or raise InputError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low < value < high:
        raise input_error(func, name, f"a number in the open interval ({low}, {high})", repr(value))
    return float(value)
