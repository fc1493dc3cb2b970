"""Catch an answer that is, or calls, the course's own reference implementation.

Self-contained on purpose (standard library only, no ``rnnlearn`` imports): the batch
grader sends this file's source into the submission's kernel, so that a notebook that
patches ``rnnlearn`` cannot patch the watcher too.

A *forbidden* entry is ``(path_fragment, function_name)``: a Python frame whose code
lives in a file whose path contains ``path_fragment`` (``/`` separators) and whose name
is ``function_name`` (``"*"``: any name) must not run while the answer is called.
"""

import inspect
import os
import sys

PACKAGE_PREFIXES = ("rnnlearn.numpy", "rnnlearn.grading", "rnnlearn.torch")


def answer_origin(answer):
    """Return why ``answer`` itself is package code, or ``""``.

    Looks through ``functools.wraps`` chains and ``functools.partial``.
    """
    fn = answer
    for _ in range(10):
        fn = getattr(fn, "func", fn)  # functools.partial
        try:
            fn = inspect.unwrap(fn)
        except ValueError:
            break
        if not hasattr(fn, "func"):
            break
    module = getattr(fn, "__module__", None) or ""
    if isinstance(module, str) and module.startswith(PACKAGE_PREFIXES):
        return f"the answer is {module}.{getattr(fn, '__name__', '?')} from the course package"
    code = getattr(fn, "__code__", None)
    filename = _norm(getattr(code, "co_filename", ""))
    for prefix in PACKAGE_PREFIXES:
        if "/" + prefix.replace(".", "/") + "/" in filename:
            return f"the answer's code lives in the course package ({prefix})"
    return ""


def _norm(path):
    return str(path).replace(os.sep, "/")


def call_watched(fn, args, forbidden):
    """Call ``fn(*args)`` and report any forbidden function that ran during the call.

    Returns ``(value, exception, reason)``: ``exception`` is the exception the call
    raised (or None), ``reason`` is ``""`` or a sentence saying which forbidden
    function ran, or that the answer switched the watcher off.
    """
    seen = []

    def hook(frame, event, arg):
        if event != "call" or seen:
            return
        code = frame.f_code
        filename = _norm(code.co_filename)
        for fragment, name in forbidden:
            if fragment in filename and name in ("*", code.co_name):
                seen.append(f"{code.co_name} from {fragment.strip('/').replace('/', '.')}")
                return

    previous = sys.getprofile()
    sys.setprofile(hook)
    value, error = None, None
    try:
        value = fn(*args)
    except (Exception, SystemExit) as exc:  # the answer's own failure is reported, not raised
        error = exc
    finally:
        still_ours = sys.getprofile() is hook
        sys.setprofile(previous)
    if seen:
        return value, error, f"while the answer ran, the course's reference {seen[0]} was called"
    if not still_ours:
        return value, error, "the answer switched off the grader's call watcher (sys.setprofile)"
    return value, error, ""
