"""Input checks shared by every public function in ``rnnlearn.numpy``.

Errors teach: each message names the function, the argument, the expected shape in
the letters of ``API.md`` (N, T, D, H, S, A, V) and the shape that arrived, and adds a
hint when the shapes suggest a common mistake (time-major input, CS231n-style
transposed weights, ``torch.nn.LSTM`` parameter names with an ``_l0`` suffix).

A shape spec is a tuple of entries such as ``("N", "T", "D")`` or ``("4H", "D")``: a
letter with an optional integer multiplier, or a plain int. ``sizes`` is a dict that
binds letters to sizes; the first array that carries a letter binds it, later arrays
must agree.
"""

import numbers
from collections.abc import Mapping

import numpy as np


class InputError(ValueError):
    """Bad input to an ``rnnlearn.numpy`` function (a ``ValueError``)."""


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


def _fail(fn, name, message, hint=None):
    shown = name if "[" in name else f"'{name}'"
    text = f"{fn}: argument {shown} {message}"
    if hint:
        text += f" Hint: {hint}"
    raise InputError(text)


def _known_shape(spec, sizes):
    """The full expected shape as ints, or None while a letter is still unbound."""
    shape = []
    for entry in spec:
        mult, letter = _parse(entry)
        if letter is not None and letter not in sizes:
            return None
        shape.append(mult if letter is None else mult * sizes[letter])
    return tuple(shape)


def check_array(fn, name, arr, spec, sizes, hint=None, kind="f"):
    """Check that ``arr`` is an ndarray of dtype kind ``kind`` and shape ``spec``.

    ``kind`` is ``"f"`` (floating), ``"i"`` (integer) or ``"b"`` (bool). New letters
    are bound in ``sizes``. Raises :class:`InputError` naming ``fn`` and ``name``.
    """
    want = {"f": "a floating", "i": "an integer", "b": "a bool"}[kind]
    expected = _spec_str(spec)
    if any(_parse(e)[1] in sizes or _parse(e)[1] is None for e in spec):
        expected += f" = {_expected(spec, sizes)}"
    if not isinstance(arr, np.ndarray):
        _fail(fn, name, f"must be a NumPy array of shape {expected}; "
              f"got {type(arr).__name__}.", hint)
    ok_kind = arr.dtype.kind in ("iu" if kind == "i" else kind)
    if not ok_kind:
        _fail(fn, name, f"must have {want} dtype; got dtype {arr.dtype} "
              f"with shape {arr.shape}.", hint)
    if arr.ndim != len(spec):
        _fail(fn, name, f"must have shape {expected} ({len(spec)}-D); "
              f"got shape {arr.shape} ({arr.ndim}-D).", hint)
    known = _known_shape(spec, sizes)
    if known is not None and len(known) == 2 and arr.shape == known[::-1] != known:
        hint = hint or (f"{name} looks transposed (CS231n-style {_spec_str(spec[::-1])}); "
                        f"rnnlearn uses PyTorch's layout {_spec_str(spec)}: pass {name}.T.")
    for axis, (entry, size) in enumerate(zip(spec, arr.shape)):
        mult, letter = _parse(entry)
        if size < 1:
            _fail(fn, name, f"must have shape {expected} with no empty axis; "
                  f"got shape {arr.shape}.", hint)
        if letter is None:
            good = size == mult
        elif letter in sizes:
            good = size == mult * sizes[letter]
        else:
            good = size % mult == 0
            if good:
                sizes[letter] = size // mult
        if not good:
            _fail(fn, name, f"must have shape {expected}; got shape {arr.shape} "
                  f"(axis {axis} is {size}).", hint)
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
        _fail(fn, "params", f"must be a dict with keys {sorted(spec)}; "
              f"got {type(params).__name__}.")
    missing = [k for k in spec if k not in params]
    if missing:
        hint = None
        if any(f"{k}_l0" in params for k in missing):
            hint = ("keys like 'weight_ih_l0' come from torch.nn.LSTM/GRU/RNN; "
                    "use the Cell's names ('weight_ih', ...) or strip the '_l0' suffix.")
        _fail(fn, "params", f"is missing key(s) {missing}; expected keys "
              f"{list(spec)}, got {sorted(params)}.", hint)
    for key, shape in spec.items():
        check_array(fn, f"params['{key}']", params[key], shape, sizes)
    return params


def check_cache(fn, cache, cls):
    """Check that ``cache`` is the NamedTuple the matching forward returns."""
    if not isinstance(cache, cls):
        _fail(fn, "cache", f"must be the {cls.__name__} returned by the matching "
              f"forward function; got {type(cache).__name__}.")
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
        _fail(fn, name, f"must be a finite positive number; got {value!r}.")
    return value
