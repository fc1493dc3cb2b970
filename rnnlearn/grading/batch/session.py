"""Run a submission in a fresh kernel and call its answers from the grader's process.

``KernelSession`` executes a *copy* of the notebook top to bottom (errors allowed, the
whole notebook bounded by one time budget; a cell that runs past it is interrupted and
the rest still runs), then keeps the kernel alive so that ``answer(name)`` can return a
``RemoteAnswer``: an ``Answer`` (the interface ``check`` calls) that sends arguments to
the kernel, calls the learner's function there, and brings back the outputs and the
arguments after the call (JSON + ``.npz``, never a pickle; see ``protocol``).
"""

from __future__ import annotations

import inspect
import json
import os
import pathlib
import secrets
import time

import nbformat
from nbclient import NotebookClient

from ..answer import Answer, AnswerCrashed, ReferenceUsed, Unfinished, bind_problem
from . import protocol

KERNEL = "python3"
GRACE = 1.0  # seconds for each cell left once the notebook's budget is spent
HERE = pathlib.Path(__file__).parent
# Run before the notebook's cells: the learner's own check() cells return at once
# (the grader scores in its own process, on fresh inputs).
SKIP_LEARNER_CHECKS = "import rnnlearn.grading.batch.in_kernel as _m; _m.skip_learner_checks(); del _m"


def _in_kernel_source() -> str:
    """``protocol``, ``watch`` and ``in_kernel``, as one source text for the kernel."""
    files = (HERE / "protocol.py", HERE.parent / "watch.py", HERE / "in_kernel.py")
    return "\n\n".join(f.read_text(encoding="utf-8") for f in files)


class KernelSession:
    """A submission's kernel, started in ``workdir`` on ``notebook`` (already a copy)."""

    def __init__(self, notebook, workdir, *, timeout=60.0, call_timeout=20.0):
        self.nb, self.workdir = notebook, pathlib.Path(workdir)
        self.timeout, self.call_timeout = float(timeout), float(call_timeout)
        self.notes: list[str] = []
        self.alive = True
        self.token = "_rnnlearn_grader_" + secrets.token_hex(8)
        self.client = NotebookClient(
            notebook, timeout=int(timeout), kernel_name=KERNEL, allow_errors=True,
            interrupt_on_timeout=True, record_timing=False, shutdown_kernel="immediate",
            error_on_timeout={"ename": "TimeoutError", "evalue": "cell interrupted by the grader"},
            resources={"metadata": {"path": str(self.workdir)}})
        self._calls = 0

    def __enter__(self):
        self._context = self.client.setup_kernel(env=dict(os.environ))
        self._context.__enter__()
        return self

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)

    def _run(self, source, timeout) -> dict | None:
        """Execute ``source`` as a hidden cell; return the cell's error output or None."""
        cell = nbformat.v4.new_code_cell(source)
        self.client.timeout = max(1, int(timeout))
        self.nb.cells.append(cell)  # nbclient wants the cell in the (temporary) notebook
        try:
            self.client.execute_cell(cell, len(self.nb.cells) - 1, store_history=False)
        except Exception as exc:  # the kernel died or stopped answering
            self.alive = False
            return {"ename": type(exc).__name__, "evalue": str(exc)}
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        return errors[0] if errors else None

    def run_notebook(self):
        """Execute every code cell in order; note what went wrong.

        The cells share ``timeout`` seconds; one cell may use at most a third of it (an
        infinite loop is interrupted and later cells still run). Once the budget is
        spent, each remaining cell still gets ``GRACE`` seconds, so that the functions
        it defines can be graded.
        """
        deadline, spent = time.monotonic() + self.timeout, False
        if self._run(SKIP_LEARNER_CHECKS, 30):
            self.notes.append("the learner's check() cells could not be switched off (they still ran)")
        for index, cell in enumerate(list(self.nb.cells)):
            if cell.cell_type != "code" or not self.alive:
                continue
            left = deadline - time.monotonic()
            if left <= 1 and not spent:
                spent = True
                self.notes.append(f"time budget of {self.timeout:g} s used up before cell {index}; "
                                  f"the remaining cells got {GRACE:g} s each")
            error = self._run(cell.source, GRACE if spent else min(left, max(self.timeout / 3, 1)))
            if error and error.get("ename") in ("TimeoutError", "KeyboardInterrupt"):
                self.notes.append(f"cell {index} interrupted after the time limit")
            elif error:
                self.notes.append(f"cell {index} raised {error.get('ename')}")
        source = json.dumps(_in_kernel_source())
        error = self._run(f"{self.token} = {{'__name__': 'rnnlearn_grader'}}\n"
                          f"exec(compile({source}, '<rnnlearn-grader>', 'exec'), {self.token})", 30)
        if error:
            self.alive = False
            self.notes.append("the grader could not start inside the kernel")

    def _stem(self, label):
        self._calls += 1
        return str(self.workdir / f"{self.token}_{label}_{self._calls}")

    def answer(self, name):
        """The learner's ``name`` as a ``RemoteAnswer``; or a str saying why there is none."""
        if not self.alive:
            return "the notebook's kernel died or hung, so it could not be called"
        stem = self._stem("describe")
        self._run(f"{self.token}['describe'](globals(), {name!r}, {stem!r})", 30)
        try:
            info = protocol.load(stem)["info"]
        except (OSError, ValueError, KeyError):
            return "the grader could not inspect the notebook's kernel"
        if not info["defined"]:
            return f"{name} is not defined in the notebook"
        if not info["callable"]:
            return f"{name} should be a function; in the notebook it is a {info.get('type')}"
        return RemoteAnswer(self, name, info)


class RemoteAnswer(Answer):
    """A learner's function that lives in the submission's kernel (see module docstring)."""

    def __init__(self, session, name, info):
        self.session, self.name = session, name
        self._origin = str(info.get("origin") or "")
        self._signature = None
        self.timed_out = False
        if info.get("params") is not None:
            params = [inspect.Parameter(n, kind, default=None if has_default else inspect.Parameter.empty)
                      for n, kind, has_default in info["params"]]
            self._signature = inspect.Signature(params)

    def origin(self) -> str:
        return self._origin

    def signature_problem(self, n_args: int, expected: str) -> str:
        return "" if self._signature is None else bind_problem(self._signature, n_args, expected)

    def invoke(self, args, forbidden):
        """Call the function in the kernel; return ``(value, args_after_the_call)``."""
        s = self.session
        if self.timed_out or not s.alive:
            raise AnswerCrashed(f"did not finish within {s.call_timeout:g} s (an infinite loop?)")
        in_stem, out_stem = s._stem("in"), s._stem("out")
        protocol.dump({"args": list(args)}, in_stem)
        error = s._run(f"{s.token}['call'](globals(), {self.name!r}, {in_stem!r}, {out_stem!r}, "
                       f"{[list(f) for f in forbidden]!r})", s.call_timeout)
        if error and error.get("ename") in ("TimeoutError", "KeyboardInterrupt"):
            self.timed_out = True
            raise AnswerCrashed(f"did not finish within {s.call_timeout:g} s (an infinite loop?)")
        try:
            out = protocol.load(out_stem)
        except (OSError, ValueError, KeyError):
            raise AnswerCrashed("the kernel sent no result back (did the notebook tamper with it?)") from None
        if out["reason"]:
            raise ReferenceUsed(out["reason"])
        if out["error"]:
            kind, message = out["error"]
            if kind == "NotImplementedError":
                raise Unfinished(message)
            raise AnswerCrashed(f"{kind}: {message}")
        return out["value"], tuple(out["after"])
