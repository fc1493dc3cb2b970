"""Argument checks that teach, in the package's one format (see ``rnnlearn.errors``).

Each raises :class:`rnnlearn.errors.InputError` naming the function, the argument, the
expected and the actual shape, and for a size that another argument or the constructor
fixed, where it came from. Shape letters follow ``API.md``: N batch, T time, D input
features, H hidden units, S source length, A attention size, V vocabulary size.
"""

from __future__ import annotations

import torch

from ..errors import InputError, input_error, shape_str


def from_arg(name: str, value: torch.Tensor) -> str:
    """The source of a size fixed by a tensor argument: ``argument 'x' (shape (2, 4))``."""
    return f"argument '{name}' (shape {shape_str(value.shape)})"


def shape_error(func: str, arg: str, expected: str, got: torch.Tensor | tuple, hint: str = "",
                fixed=()) -> InputError:
    """Build the InputError for a tensor ``got`` whose shape is not ``expected``."""
    shape = got.shape if isinstance(got, torch.Tensor) else got
    return input_error(func, arg, f"shape {expected}", f"shape {shape_str(shape)}", fixed=fixed,
                       hint=hint or None)


def check_tensor(func: str, arg: str, value, expected: str) -> None:
    """Raise if ``value`` is not a tensor."""
    if not isinstance(value, torch.Tensor):
        raise input_error(func, arg, f"a torch.Tensor of shape {expected}", type(value).__name__)


def check_last_dim(func: str, arg: str, value: torch.Tensor, size: int, expected: str, hint: str = "",
                   fixed=()) -> None:
    """Raise if the last dimension of ``value`` is not ``size``."""
    if value.shape[-1] != size:
        raise shape_error(func, arg, expected, value, hint, fixed)
