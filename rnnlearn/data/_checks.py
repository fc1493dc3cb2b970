"""Argument checks shared by the data generators: errors that name the function and argument."""

from __future__ import annotations

import numbers


def check_int(func: str, name: str, value, *, minimum: int) -> int:
    """Return ``value`` as an int, or raise ValueError naming ``func`` and ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"{func}: `{name}` must be an integer >= {minimum}, got {value!r} "
            f"of type {type(value).__name__}"
        )
    if value < minimum:
        raise ValueError(f"{func}: `{name}` must be an integer >= {minimum}, got {value}")
    return int(value)


def check_fraction(func: str, name: str, value, *, low: float = 0.0, high: float = 1.0) -> float:
    """Return ``value`` as a float in the open interval (low, high), or raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low < value < high:
        raise ValueError(f"{func}: `{name}` must be a number in ({low}, {high}), got {value!r}")
    return float(value)
