"""Argument checks that teach: name the function, the argument, the expected and the actual shape.

Shape letters follow ``API.md``: N batch, T time, D input features, H hidden units,
S source length, A attention size, V vocabulary size.
"""

from __future__ import annotations

import torch


def shape_error(func: str, arg: str, expected: str, got: torch.Tensor | tuple, hint: str = "") -> ValueError:
    """Build the ValueError every check in ``rnnlearn.torch`` raises."""
    shape = tuple(got.shape) if isinstance(got, torch.Tensor) else tuple(got)
    message = f"{func}: argument '{arg}' must have shape {expected}, got {shape}"
    return ValueError(message + (f". {hint}" if hint else ""))


def check_tensor(func: str, arg: str, value, expected: str) -> None:
    """Raise if ``value`` is not a tensor."""
    if not isinstance(value, torch.Tensor):
        raise ValueError(f"{func}: argument '{arg}' must be a torch.Tensor of shape {expected}, "
                         f"got {type(value).__name__}")


def check_last_dim(func: str, arg: str, value: torch.Tensor, size: int, expected: str, hint: str = "") -> None:
    """Raise if the last dimension of ``value`` is not ``size``."""
    if value.shape[-1] != size:
        raise shape_error(func, arg, expected, value, hint)
