"""What crosses the boundary between the grader and a submission's kernel.

Values travel as a JSON tree plus one ``.npz`` of arrays, never as a pickle: a pickle
from the kernel would run the submission's code inside the grader. The JSON holds
``None``, bools, ints, floats, strings, tuples, lists, dicts and NamedTuples (by class
name); arrays are referenced by key in the ``.npz`` and read with
``allow_pickle=False``. Anything else arrives as an ``Opaque`` naming its type.

Standard library and NumPy only: the batch grader also sends this file's source into
the kernel.
"""

import json

import numpy as np


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
    if isinstance(value, (tuple, list)):
        return {"k": type(value).__name__, "items": [encode(v, arrays) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, (str, int)) for k in value):
        return {"k": "dict", "items": [[k, encode(v, arrays)] for k, v in value.items()]}
    cls = type(value)
    return {"k": "opaque", "type": f"{cls.__module__}.{cls.__qualname__}"}


def decode(tree, arrays, resolve=None):
    """Rebuild a value from its JSON tree. ``resolve(cls, fields)`` may return a NamedTuple class."""
    kind = tree["k"]
    if kind in ("atom", "int", "float"):
        return tree["v"]
    if kind == "array":
        array = arrays[tree["ref"]]
        return array[()] if tree.get("scalar") else array
    if kind in ("tuple", "list", "namedtuple"):
        items = [decode(t, arrays, resolve) for t in tree["items"]]
        if kind == "namedtuple" and resolve is not None:
            cls = resolve(tree["cls"], tuple(tree["fields"]))
            if cls is not None:
                return cls(*items)
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        return {k: decode(t, arrays, resolve) for k, t in tree["items"]}
    return Opaque(str(tree.get("type", "?")))


def dump(payload, stem):
    """Write ``payload`` (a dict of values) to ``stem.json`` and ``stem.npz``."""
    arrays = {}
    tree = {key: encode(value, arrays) for key, value in payload.items()}
    np.savez(stem + ".npz", **arrays)
    with open(stem + ".json", "w", encoding="utf-8") as f:
        json.dump(tree, f)


def load(stem, resolve=None, max_bytes=200_000_000):
    """Read what ``dump`` wrote; no pickles are ever loaded."""
    with open(stem + ".json", encoding="utf-8") as f:
        text = f.read(max_bytes)
    tree = json.loads(text)
    with np.load(stem + ".npz", allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    return {key: decode(t, arrays, resolve) for key, t in tree.items()}
