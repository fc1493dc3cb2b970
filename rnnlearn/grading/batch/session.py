"""Run a submission in a fresh kernel and call its answers from the grader's process.

``KernelSession`` executes a *copy* of the notebook top to bottom (errors allowed) in a
kernel started as ``sandbox.kernel_argv`` says, then keeps the kernel alive so that
``answer(name)`` can return a ``RemoteAnswer``: an ``Answer`` (the interface ``check``
calls) that sends arguments to the kernel, calls the learner's function there, and
brings back the outputs and the arguments after the call (JSON + ``.npz``, never a
pickle; see ``protocol``).

One wall-clock budget covers everything a notebook costs: its cells get at most
``RUN_SHARE`` of it (a cell at most a third), the graded calls the rest. A kernel that
does not answer a probe after an interrupted cell (it ignores interrupts) is shut down
and counted dead, so it costs nothing more.
"""

from __future__ import annotations

import inspect
import json
import pathlib
import secrets
import time

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.util import run_sync

from ..answer import Answer, AnswerCrashed, ReferenceUsed, Unfinished, bind_problem
from . import protocol
from .sandbox import KERNEL_NAME

HERE = pathlib.Path(__file__).parent
RUN_SHARE = 0.75   # of the budget, for executing the notebook's cells
PROBE = 5.0        # seconds a kernel gets to answer after an interrupt
TIMED_OUT = ("TimeoutError", "KeyboardInterrupt")


def _in_kernel_source() -> str:
    """``protocol``, ``watch`` and ``in_kernel``, as one source text for the kernel."""
    files = (HERE / "protocol.py", HERE.parent / "watch.py", HERE / "in_kernel.py")
    return "\n\n".join(f.read_text(encoding="utf-8") for f in files)


def clean(text, limit=300) -> str:
    """Text from a submission, safe for a terminal line and a CSV cell: one line, printable."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return text if len(text) <= limit else text[:limit] + "..."


class KernelSession:
    """A submission's kernel on ``notebook`` (a copy in ``scratch``), for ``budget`` seconds in all.

    ``kernels`` is the folder of the kernel spec written by ``sandbox.write_kernelspec``;
    ``control`` a folder the kernel may read (its connection file) and ``log`` the file
    that receives its stdout and stderr.
    """

    def __init__(self, notebook, scratch, *, budget, kernels, control, env, log, call_timeout=20.0):
        self.nb, self.scratch = notebook, pathlib.Path(scratch)
        self.budget, self.call_timeout = float(budget), float(call_timeout)
        self.start = time.monotonic()
        self.deadline = self.start + self.budget
        self.notes: list[str] = []
        self.alive = True
        self.token = "_rnnlearn_grader_" + secrets.token_hex(8)
        km = AsyncKernelManager(kernel_name=KERNEL_NAME,
                                kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
        km.connection_file = str(pathlib.Path(control) / "connection.json")
        self.client = NotebookClient(
            notebook, km=km, timeout=1, allow_errors=True, interrupt_on_timeout=True,
            record_timing=False, shutdown_kernel="immediate",
            # a kernel slow to start is the machine's load, not the learner's doing (the budget starts after it);
            # nbclient's 60 s failed once, with grading jobs beside other work on two cores
            startup_timeout=180,
            error_on_timeout={"ename": "TimeoutError", "evalue": "cell interrupted by the grader"},
            resources={"metadata": {"path": str(self.scratch)}})
        self._env, self._log = env, log
        self._calls = 0

    def __enter__(self):
        self._context = self.client.setup_kernel(env=self._env, stdout=self._log, stderr=self._log,
                                                 cleanup_kc=True)
        self._context.__enter__()
        self.start = time.monotonic()  # the budget is the notebook's: starting the kernel is the grader's cost
        self.deadline = self.start + self.budget
        return self

    def __exit__(self, *exc):
        try:
            return self._context.__exit__(*exc)
        except Exception:  # a kernel that is already gone
            return False

    def left(self) -> float:
        """Seconds left of the budget."""
        return self.deadline - time.monotonic()

    def _run(self, source, timeout) -> dict | None:
        """Execute ``source`` as a hidden cell; return the cell's error output or None."""
        cell = nbformat.v4.new_code_cell(source)
        self.client.timeout = max(1, int(timeout))
        self.nb.cells.append(cell)  # nbclient wants the cell in the (temporary) notebook
        started = time.monotonic()
        try:
            self.client.execute_cell(cell, len(self.nb.cells) - 1, store_history=False)
        except Exception as exc:  # the kernel died or stopped answering
            self.alive = False
            return {"ename": type(exc).__name__, "evalue": str(exc)}
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if time.monotonic() - started >= self.client.timeout:  # timed out, whether the interrupt worked or not
            self._probe()
            return {"ename": "TimeoutError", "evalue": "cell interrupted by the grader"}
        return errors[0] if errors else None

    def _probe(self):
        """After an interrupt: a kernel that cannot run ``pass`` within ``PROBE`` s is shut down."""
        cell = nbformat.v4.new_code_cell("pass")
        self.client.timeout = int(PROBE)
        self.nb.cells.append(cell)
        started = time.monotonic()
        try:
            self.client.execute_cell(cell, len(self.nb.cells) - 1, store_history=False)
            answered = time.monotonic() - started < PROBE
        except Exception:
            answered = False
        if not answered:
            self.alive = False
            self.notes.append("the kernel ignored an interrupt and was shut down")
            try:
                run_sync(self.client.km.shutdown_kernel)(now=True)
            except Exception:
                pass

    def run_notebook(self):
        """Execute every code cell in order, within ``RUN_SHARE`` of the budget; note what went wrong.

        One cell may use at most a third of the budget (an infinite loop is interrupted
        and later cells still run); cells left when the share is spent are not run.
        """
        run_deadline = self.start + RUN_SHARE * self.budget
        for index, cell in enumerate(list(self.nb.cells)):
            if cell.get("cell_type") != "code" or not self.alive:
                continue
            left = run_deadline - time.monotonic()
            if left < 1:
                self.notes.append(f"the time for running the notebook ({RUN_SHARE * self.budget:.0f} s) was "
                                  f"used up before cell {index}; later cells were not run")
                break
            error = self._run(cell.source, min(left, max(self.budget / 3, 1)))
            if error and error.get("ename") in TIMED_OUT:
                self.notes.append(f"cell {index} interrupted after the time limit")
            elif error:
                self.notes.append(f"cell {index} raised {clean(error.get('ename'), 80)}")
        if not self.alive:
            return
        source = json.dumps(_in_kernel_source())
        error = self._run(f"{self.token} = {{'__name__': 'rnnlearn_grader'}}\n"
                          f"exec(compile({source}, '<rnnlearn-grader>', 'exec'), {self.token})",
                          max(1, min(30, self.left())))
        if error:
            self.alive = False
            self.notes.append("the grader could not start inside the kernel")

    def _stem(self, label):
        self._calls += 1
        return str(self.scratch / f"{self.token}_{label}_{self._calls}")

    def answer(self, name):
        """The learner's ``name`` as a ``RemoteAnswer``; or a str saying why there is none."""
        if not self.alive:
            return "the notebook's kernel died or hung, so it could not be called"
        if self.left() < 1:
            return f"not graded: the notebook used up its time budget of {self.budget:g} s"
        stem = self._stem("describe")
        self._run(f"{self.token}['describe'](globals(), {name!r}, {stem!r})", min(30, self.left()))
        try:
            info = protocol.load(stem)["info"]
            defined, is_callable, kind = bool(info["defined"]), bool(info["callable"]), clean(info.get("type"), 80)
        except Exception:
            return "the grader could not inspect the notebook's kernel"
        if not defined:
            return f"{name} is not defined in the notebook"
        if not is_callable:
            return f"{name} should be a function; in the notebook it is a {kind}"
        return RemoteAnswer(self, name, info)


class RemoteAnswer(Answer):
    """A learner's function that lives in the submission's kernel (see module docstring)."""

    def __init__(self, session, name, info):
        self.session, self.name = session, name
        self._origin = str(info.get("origin") or "")
        self._signature = None
        self.timed_out = False
        try:
            params = [inspect.Parameter(str(n), inspect._ParameterKind(int(kind)),
                                        default=None if has_default else inspect.Parameter.empty)
                      for n, kind, has_default in info["params"]]
            self._signature = inspect.Signature(params)
        except Exception:  # no parameters sent (a builtin), or a description that makes no sense
            self._signature = None

    def origin(self) -> str:
        return self._origin

    def signature_problem(self, n_args: int, expected: str) -> str:
        return "" if self._signature is None else bind_problem(self._signature, n_args, expected)

    def invoke(self, args, forbidden):
        """Call the function in the kernel; return ``(value, args_after_the_call)``."""
        s = self.session
        if self.timed_out or not s.alive:
            raise AnswerCrashed(f"did not finish within {s.call_timeout:g} s (an infinite loop?)")
        if s.left() < 1:
            raise AnswerCrashed(f"was not called: the notebook used up its time budget of {s.budget:g} s")
        in_stem, out_stem = s._stem("in"), s._stem("out")
        protocol.dump({"args": list(args)}, in_stem)
        error = s._run(f"{s.token}['call'](globals(), {self.name!r}, {in_stem!r}, {out_stem!r}, "
                       f"{[list(f) for f in forbidden]!r})", min(s.call_timeout, s.left()))
        if error and error.get("ename") in TIMED_OUT:
            self.timed_out = True
            raise AnswerCrashed(f"did not finish within {s.call_timeout:g} s (an infinite loop?)")
        try:
            out = protocol.load(out_stem)
            reason, failure, value, after = out["reason"], out["error"], out["value"], tuple(out["after"])
            kind, message = (clean(failure[0], 80), clean(failure[1], 2000)) if failure else ("", "")
        except Exception as exc:  # no reply, or one the protocol rejects
            raise AnswerCrashed(f"the kernel sent no usable result back ({clean(exc, 120)})") from None
        if reason:
            raise ReferenceUsed(clean(reason, 200))
        if failure:
            if kind == "NotImplementedError":
                raise Unfinished(message)
            raise AnswerCrashed(f"{kind}: {message}")
        return value, after
