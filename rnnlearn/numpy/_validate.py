"""Input checks shared by every public function in ``rnnlearn.numpy``.

Errors teach: each raises :class:`rnnlearn.errors.InputError` in the package's one format
(function, argument, expected, got, which argument fixed a size, hint; see
``rnnlearn.errors``), with shapes in the letters of ``API.md`` (N, T, D, H, S, A, V),
and a hint when the shapes suggest a common mistake (time-major input, CS231n-style
transposed weights, ``torch.nn.LSTM`` parameter names with an ``_l0`` suffix).

A shape spec is a tuple of entries such as ``("N", "T", "D")`` or ``("4H", "D")``: a
letter with an optional integer multiplier, or a plain int. ``sizes`` is a
:class:`Sizes`, a dict that binds letters to sizes and remembers which argument bound
each one: the first array that carries a letter binds it, later arrays must agree, and
when one does not, the message names the argument that fixed the size.
"""

import numbers
from collections.abc import Mapping

import numpy as np

from ..errors import InputError, argument, input_error, shape_str

__all__ = ["InputError", "Sizes", "check_array", "check_params", "check_cache",
           "check_optional", "check_positive", "time_major_hint"]


class Sizes(dict):
    """Letter -> size, and in ``source`` where each letter's size came from.

    ``Sizes()`` starts empty (a forward function: its arguments bind the letters);
    ``Sizes.from_cache(N=2, H=5)`` starts from sizes a backward's cache fixed.
    """

    def __init__(self, source=None, **letters):
        super().__init__(letters)
        self.source = dict.fromkeys(letters, source)

    @classmethod
    def from_cache(cls, **letters):
        """Sizes that the forward pass fixed, read from the ``cache`` argument."""
        return cls("argument 'cache' (from the forward pass)", **letters)


def _parse(entry):
    """Split a spec entry ``"4H"`` into ``(4, "H")``, ``"Hq"`` into ``(1, "Hq")``,
    an int ``1`` into ``(1, None)``."""
    if isinstance(entry, int):
        return entry, None
    digits = entry[:len(entry) - len(entry.lstrip("0123456789"))]
    return (int(digits) if digits else 1), entry[len(digits):]


def _spec_str(spec):
    return "(" + ", ".join(str(e) for e in spec) + ("," if len(spec) == 1 else "") + ")"


def _expected(spec, sizes):
    """The expected shape with known letters filled in, e.g. ``(3, ?)``."""
    out = []
    for entry in spec:
        mult, letter = _parse(entry)
        if letter is None:
            out.append(str(mult))
        else:
            out.append(str(mult * sizes[letter]) if letter in sizes else "?")
    return "(" + ", ".join(out) + ("," if len(out) == 1 else "") + ")"


def _known_shape(spec, sizes):
    """The full expected shape as ints, or None while a letter is still unbound."""
    shape = []
    for entry in spec:
        mult, letter = _parse(entry)
        if letter is not None and letter not in sizes:
            return None
        shape.append(mult if letter is None else mult * sizes[letter])
    return tuple(shape)


def _bad_axes(spec, shape, sizes, source):
    """Check each axis against ``spec``, binding new letters; return the bad axes."""
    bad = []
    for axis, (entry, size) in enumerate(zip(spec, shape)):
        mult, letter = _parse(entry)
        if letter is None:
            good = size == mult
        elif letter in sizes:
            good = size == mult * sizes[letter]
        else:
            good = size % mult == 0
            if good:
                sizes[letter] = size // mult
                if hasattr(sizes, "source"):
                    sizes.source[letter] = source
        if not good:
            bad.append(axis)
    return bad


def check_array(fn, name, arr, spec, sizes, hint=None, kind="f"):
    """Check that ``arr`` is an ndarray of dtype kind ``kind`` and shape ``spec``.

    ``kind`` is ``"f"`` (floating), ``"i"`` (integer) or ``"b"`` (bool). New letters
    are bound in ``sizes`` (a :class:`Sizes`). Raises :class:`InputError` naming ``fn``
    and ``name``, and for a size that disagrees, the argument that fixed it.
    """
    want = {"f": "a floating", "i": "an integer", "b": "a bool"}[kind]
    expected = _spec_str(spec)
    if any(_parse(e)[1] in sizes or _parse(e)[1] is None for e in spec):
        expected += f" = {_expected(spec, sizes)}"
    if not isinstance(arr, np.ndarray):
        raise input_error(fn, name, f"a NumPy array of shape {expected}", type(arr).__name__, hint=hint)
    if arr.dtype.kind not in ("iu" if kind == "i" else kind):
        raise input_error(fn, name, f"{want} dtype", f"dtype {arr.dtype} (shape {shape_str(arr.shape)})",
                          hint=hint)
    if arr.ndim != len(spec):
        raise input_error(fn, name, f"shape {expected} ({len(spec)}-D)",
                          f"shape {shape_str(arr.shape)} ({arr.ndim}-D)", hint=hint)
    if 0 in arr.shape:
        raise input_error(fn, name, f"shape {expected} with no empty axis",
                          f"shape {shape_str(arr.shape)}", hint=hint)
    known = _known_shape(spec, sizes)
    if known is not None and len(known) == 2 and arr.shape == known[::-1] != known:
        hint = hint or (f"{name} looks transposed (CS231n-style {_spec_str(spec[::-1])}); "
                        f"rnnlearn uses PyTorch's layout {_spec_str(spec)}: pass {name}.T.")
    source = f"argument {argument(name)} (shape {shape_str(arr.shape)})"
    bad = _bad_axes(spec, arr.shape, sizes, source)
    if bad:
        got = f"shape {shape_str(arr.shape)}"
        fixed = []
        for axis in bad:
            mult, letter = _parse(spec[axis])
            if letter is not None and letter in sizes and getattr(sizes, "source", {}).get(letter):
                fixed.append((letter, sizes[letter], sizes.source[letter]))
            elif letter is not None and letter not in sizes:
                got += f" (axis {axis} is {arr.shape[axis]}, not a multiple of {mult})"
        raise input_error(fn, name, f"shape {expected}", got, fixed=fixed, hint=hint)
    return arr


def time_major_hint(x, state):
    """A hint when ``x`` (N, T, D) looks time-major next to a state of shape (N, H)."""
    if (isinstance(x, np.ndarray) and isinstance(state, np.ndarray)
            and x.ndim == 3 and state.ndim == 2
            and x.shape[0] != state.shape[0] and x.shape[1] == state.shape[0]):
        return (f"x has shape {x.shape}; if it is time-major (T, N, D), make it "
                "batch-first (N, T, D) with x.transpose(1, 0, 2).")
    return None


def check_params(fn, params, spec, sizes):
    """Check a parameter dict: every key of ``spec`` present with its shape."""
    if not isinstance(params, Mapping):
        raise input_error(fn, "params", f"a dict with keys {list(spec)}", type(params).__name__)
    missing = [k for k in spec if k not in params]
    if missing:
        hint = None
        if any(f"{k}_l0" in params for k in missing):
            hint = ("keys like 'weight_ih_l0' come from torch.nn.LSTM/GRU/RNN; "
                    "use the Cell's names ('weight_ih', ...) or strip the '_l0' suffix.")
        raise input_error(fn, "params", f"keys {list(spec)}",
                          f"keys {sorted(params)}, missing {missing}", hint=hint)
    for key, shape in spec.items():
        check_array(fn, f"params['{key}']", params[key], shape, sizes)
    return params


def check_cache(fn, cache, cls):
    """Check that ``cache`` is the NamedTuple the matching forward returns."""
    if not isinstance(cache, cls):
        raise input_error(fn, "cache", f"the {cls.__name__} returned by the matching forward function",
                          type(cache).__name__)
    return cache


def check_optional(fn, name, arr, spec, sizes, like):
    """``arr`` or, when it is None, zeros shaped like ``like``."""
    if arr is None:
        return np.zeros_like(like)
    return check_array(fn, name, arr, spec, sizes)


def check_positive(fn, name, value):
    """Check a finite positive real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not np.isfinite(value) or value <= 0:
        raise input_error(fn, name, "a finite positive number", repr(value))
    return value
