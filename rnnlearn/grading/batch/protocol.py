"""What crosses the boundary between the grader and a submission's kernel.

Values travel as a JSON tree plus one ``.npz`` of arrays, never as a pickle: a pickle
from the kernel would run the submission's code inside the grader. The JSON holds
``None``, bools, ints, floats, strings, tuples, lists, dicts and NamedTuples (by class
name); arrays are referenced by key in the ``.npz`` and read with
``allow_pickle=False``. Anything else arrives as an ``Opaque`` naming its type.

Standard library and NumPy only: the batch grader also sends this file's source into
the kernel.

The grader reads what the kernel wrote as untrusted input: regular files only (never a
FIFO or a link), bounded in size (the JSON text, and the arrays *after* decompression),
in nesting depth and in shape; anything else is a ``ValueError``.
"""

import json
import os
import stat
import zipfile

import numpy as np

MAX_JSON_BYTES = 20_000_000
MAX_ARRAY_BYTES = 100_000_000  # all arrays of one reply, uncompressed (a right answer needs kilobytes)
MAX_DEPTH = 64


class Opaque:
    """Stands for a value of a type that cannot cross the boundary (e.g. a torch.Tensor)."""

    def __init__(self, type_name):
        self.type_name = type_name

    def __repr__(self):
        return f"<{self.type_name}>"


def encode(value, arrays):
    """Return the JSON tree of ``value``; arrays are added to the dict ``arrays``."""
    if value is None or isinstance(value, (bool, str)):
        return {"k": "atom", "v": value}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"k": "int" if isinstance(value, int) else "float", "v": value}
    if isinstance(value, (np.ndarray, np.generic)) and np.asarray(value).dtype.kind in "biufc":
        key = f"a{len(arrays)}"
        arrays[key] = np.asarray(value)
        return {"k": "array", "ref": key, "scalar": isinstance(value, np.generic)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        cls = type(value)
        return {"k": "namedtuple", "cls": f"{cls.__module__}:{cls.__qualname__}",
                "fields": list(value._fields), "items": [encode(v, arrays) for v in value]}
    if isinstance(value, (tuple, list)):  # subclasses (torch.Size, ...) travel as what they are
        return {"k": "tuple" if isinstance(value, tuple) else "list", "items": [encode(v, arrays) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, (str, int)) for k in value):
        return {"k": "dict", "items": [[k, encode(v, arrays)] for k, v in value.items()]}
    cls = type(value)
    return {"k": "opaque", "type": f"{cls.__module__}.{cls.__qualname__}"}


def decode(tree, arrays, resolve=None, depth=0):
    """Rebuild a value from its JSON tree. ``resolve(cls, fields)`` may return a NamedTuple class.

    Raises ``ValueError`` on a tree ``encode`` cannot have written (malformed or too deep).
    """
    if depth > MAX_DEPTH:
        raise ValueError(f"the reply is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(tree, dict) or not isinstance(tree.get("k"), str):
        raise ValueError("malformed reply")
    kind = tree["k"]
    if kind in ("atom", "int", "float"):
        value = tree.get("v")
        if not (value is None or isinstance(value, (bool, str, int, float))):
            raise ValueError("malformed reply")
        return value
    if kind == "array":
        array = arrays.get(tree.get("ref"))
        if array is None:
            raise ValueError("malformed reply: missing array")
        return array[()] if tree.get("scalar") and array.ndim == 0 else array
    if kind in ("tuple", "list", "namedtuple", "dict"):
        items = tree.get("items")
        if not isinstance(items, list):
            raise ValueError("malformed reply")
    if kind in ("tuple", "list", "namedtuple"):
        items = [decode(t, arrays, resolve, depth + 1) for t in items]
        if kind == "namedtuple" and resolve is not None:
            fields = tree.get("fields")
            cls = resolve(str(tree.get("cls")), tuple(fields)) if isinstance(fields, list) else None
            if cls is not None and len(items) == len(fields):
                return cls(*items)
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in items):
            raise ValueError("malformed reply")
        return {k: decode(t, arrays, resolve, depth + 1) for k, t in items}
    return Opaque(str(tree.get("type", "?"))[:200])


def dump(payload, stem):
    """Write ``payload`` (a dict of values) to ``stem.json`` and ``stem.npz``."""
    arrays = {}
    tree = {key: encode(value, arrays) for key, value in payload.items()}
    np.savez(stem + ".npz", **arrays)
    with open(stem + ".json", "w", encoding="utf-8") as f:
        json.dump(tree, f)


def _open_regular(path):
    """A binary file object for ``path``, which must be a regular file (no FIFO, no link)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ValueError(f"{os.path.basename(path)} is not a regular file")
    return os.fdopen(fd, "rb")


def load(stem, resolve=None):
    """Read what ``dump`` wrote, as untrusted input (see the module docstring); no pickles."""
    with _open_regular(stem + ".json") as f:
        text = f.read(MAX_JSON_BYTES + 1)
    if len(text) > MAX_JSON_BYTES:
        raise ValueError(f"the reply is larger than {MAX_JSON_BYTES} bytes")
    try:
        tree = json.loads(text)
    except RecursionError:
        raise ValueError("the reply is nested too deeply") from None
    if not isinstance(tree, dict):
        raise ValueError("malformed reply")
    with _open_regular(stem + ".npz") as f:
        try:
            with zipfile.ZipFile(f) as archive:
                if sum(info.file_size for info in archive.infolist()) > MAX_ARRAY_BYTES:
                    raise ValueError(f"the reply's arrays exceed {MAX_ARRAY_BYTES} bytes")
            f.seek(0)
            with np.load(f, allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
        except zipfile.BadZipFile:
            raise ValueError("the reply's arrays are not a valid .npz") from None
    return {key: decode(t, arrays, resolve) for key, t in tree.items()}
