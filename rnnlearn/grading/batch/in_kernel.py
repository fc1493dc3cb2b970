"""Code the batch grader runs inside a submission's kernel (sent as source text).

It is executed together with ``protocol.py`` and ``watch.py`` in a private namespace,
so the names below (``dump``, ``load``, ``call_watched``, ``answer_origin``) come from
those files. Nothing here decides a score: it only calls the learner's function on
inputs the grader chose and sends back the outputs and the arguments after the call.
"""

import importlib
import inspect


def resolve(cls, fields):
    """Rebuild the course's NamedTuple caches from their class name (rnnlearn only)."""
    module_name, _, qualname = cls.partition(":")
    if not module_name.startswith("rnnlearn."):
        return None
    try:
        found = getattr(importlib.import_module(module_name), qualname)
    except (ImportError, AttributeError):
        return None
    return found if getattr(found, "_fields", None) == fields else None


def describe(user_ns, name, stem):
    """Write whether ``name`` is defined, callable, its parameters and its origin."""
    info = {"defined": name in user_ns, "callable": False, "params": None, "origin": ""}
    fn = user_ns.get(name)
    if callable(fn):
        info["callable"] = True
        info["type"] = type(fn).__name__
        info["origin"] = answer_origin(fn)
        try:
            info["params"] = [[p.name, int(p.kind), p.default is not p.empty]
                              for p in inspect.signature(fn).parameters.values()]
        except (TypeError, ValueError):
            info["params"] = None
    elif name in user_ns:
        info["type"] = type(fn).__name__
    dump({"info": info}, stem)


def call(user_ns, name, in_stem, out_stem, forbidden):
    """Call the learner's ``name`` on the grader's inputs; write outputs and arguments."""
    args = tuple(load(in_stem, resolve)["args"])
    value, error, reason = call_watched(user_ns[name], args, [tuple(f) for f in forbidden])
    failure = None if error is None else [type(error).__name__, str(error)[:2000]]
    dump({"value": value, "after": args, "error": failure, "reason": reason}, out_stem)
