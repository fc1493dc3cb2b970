"""``rnnlearn grade NOTEBOOK... [--csv FILE] [--timeout SECONDS] [--jobs N] [--no-sandbox]``.

For each submission: copy it to a scratch folder (the submitted file is only read),
execute the copy top to bottom in a fresh kernel, sandboxed (``sandbox``) and importing
a build of ``rnnlearn`` without the graded references (``grading_build``), then grade
every question of its chapter with the same ``check`` as instant feedback, computed in
this process on fresh random inputs; the learner's functions are called inside the
kernel through a proxy. ``--timeout`` is one wall-clock budget per notebook, for its
cells and every graded call. Each notebook is graded inside its own failure boundary;
the gradebook (one row per notebook, one column per question, a total) is rewritten
after every notebook, so a batch that is interrupted keeps every finished row.

Exit status: 0 when every notebook was graded (whatever the scores); 1 when a file
could not be read as a notebook (it gets a row with 0 points and a note); 2 on usage
errors, and when no sandbox can be started and ``--no-sandbox`` was not given.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import pathlib
import secrets
import stat
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

import nbformat
from tqdm.auto import tqdm

from .. import result
from ..check import check
from ..registry import QUESTIONS
from . import grading_build, integrity
from .gradebook import Row, save, summary, to_csv
from .sandbox import INSTALL_HINT, Limits, bwrap_problem, kernel_argv, write_kernelspec
from .session import KernelSession, clean

MAX_NOTEBOOK_BYTES = 50_000_000


@dataclass(frozen=True)
class Settings:
    """How every notebook of a batch is graded (sent to worker processes with ``--jobs``)."""

    budget: float
    build: str
    sandbox: bool = True
    chapter: str | None = None
    limits: Limits = field(default_factory=Limits)


def chapter_questions(path: pathlib.Path, sources: list[str], chapter: str | None) -> list[str]:
    """The questions a notebook is graded on.

    ``--chapter`` if given; else every chapter whose tag (e.g. ``01_rnn_equations``)
    is part of the file name; else the question ids the notebook defines or checks.
    """
    chapters = sorted({q.chapter for q in QUESTIONS.values()})
    wanted = [chapter] if chapter else [c for c in chapters if c in path.stem]
    if wanted:
        return [q.id for q in QUESTIONS.values() if q.chapter in wanted]
    text = "\n".join(sources)
    return [q for q in QUESTIONS if f"def {q}(" in text or f'"{q}"' in text or f"'{q}'" in text]


def read_submission(path: pathlib.Path) -> bytes:
    """The submitted file's bytes: a regular file (not a FIFO or a device) of bounded size."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise ValueError("not a regular file")
        data = f.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"larger than {MAX_NOTEBOOK_BYTES} bytes")
    return data


def code_sources(nb) -> list[str]:
    """The source of every code cell, tolerating cells without (or with odd) ``source``."""
    sources = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.append("".join(source) if isinstance(source, list) else str(source))
            cell["source"] = sources[-1]
    return sources


def grade_notebook(path, settings: Settings) -> Row:
    """Grade one submission inside its own failure boundary: whatever happens, a ``Row``."""
    path = pathlib.Path(path)
    try:
        data = read_submission(path)
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
        sources = code_sources(nb)
    except Exception as exc:  # not JSON, not a notebook, unreadable, a FIFO
        return Row(path, {}, [f"could not read the notebook: {type(exc).__name__}"], False)
    try:
        return _grade(path, data, nb, sources, settings)
    except Exception as exc:  # a bug of the grader, or a submission that found a hole: this row only
        return Row(path, {}, [f"the grader failed on this notebook ({type(exc).__name__}: {clean(exc, 200)}); "
                              f"it scores 0 until an instructor looks at it"])


def _grade(path, data, nb, sources, settings: Settings) -> Row:
    ids = chapter_questions(path, sources, settings.chapter)
    flags, notes = integrity.scan(sources, ids)
    if not any(source.strip() for source in sources):  # nothing to run: no kernel needed
        return Row(path, {qid: result.unfinished(qid, QUESTIONS[qid].points,
                                                 f"{qid} is not defined in the notebook (it has no code)")
                          for qid in ids}, notes)
    results = {}
    with tempfile.TemporaryDirectory(prefix="rnnlearn-grade-") as tmp:
        scratch, control = pathlib.Path(tmp, "scratch"), pathlib.Path(tmp, "control")
        scratch.mkdir()
        control.mkdir()
        (scratch / "submission.ipynb").write_bytes(data)
        argv, env = kernel_argv(scratch=scratch, control=control, build=settings.build,
                                limits=settings.limits, sandbox=settings.sandbox)
        kernels = write_kernelspec(pathlib.Path(tmp, "spec"), argv, env)
        call_timeout = max(2.0, min(20.0, settings.budget / 3))
        with open(pathlib.Path(tmp, "kernel.log"), "wb") as log, \
                KernelSession(nb, scratch, budget=settings.budget, kernels=kernels, control=control, env=env,
                              log=log, call_timeout=call_timeout) as session:
            session.run_notebook()
            notes += session.notes
            for qid in ids:
                points = QUESTIONS[qid].points
                if qid in flags:
                    results[qid] = result.flagged(qid, points, f"scored 0: {flags[qid]}; write {qid} yourself.")
                    continue
                answer = session.answer(qid)
                if isinstance(answer, str):
                    results[qid] = result.unfinished(qid, points, answer)
                else:
                    results[qid] = check(qid, answer, seed=secrets.randbits(32))
    return Row(path, results, notes)


def grade_all(paths, settings: Settings, jobs: int, on_row) -> list[Row]:
    """Grade ``paths`` with ``jobs`` processes; ``on_row(rows_so_far, row)`` after each notebook."""
    rows: list[Row | None] = [None] * len(paths)
    bar = tqdm(total=len(paths), desc="grading", unit="notebook", file=sys.stderr, disable=None)

    def finish(index, row):
        rows[index] = row
        bar.update()
        on_row([r for r in rows if r is not None], row)

    if jobs <= 1 or len(paths) <= 1:
        for index, path in enumerate(paths):
            finish(index, grade_notebook(path, settings))
    else:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(grade_notebook, path, settings): i for i, path in enumerate(paths)}
            for future in as_completed(futures):
                index = futures[future]
                try:
                    row = future.result()
                except Exception as exc:  # the worker process itself died
                    row = Row(pathlib.Path(paths[index]), {}, [f"the grading process died ({type(exc).__name__})"])
                finish(index, row)
    bar.close()
    return rows


def main(argv: list[str]) -> int:
    """Entry point of ``rnnlearn grade``; returns the exit status (see module docstring)."""
    parser = argparse.ArgumentParser(prog="rnnlearn grade", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path, help="submitted .ipynb files")
    parser.add_argument("--csv", type=pathlib.Path, help="write the gradebook here (default: stdout only)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds each notebook may take in all: its cells and every graded call (default 120)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks graded at once, each in its own sandbox (default: the number of cores)")
    parser.add_argument("--chapter", choices=sorted({q.chapter for q in QUESTIONS.values()}),
                        help="grade these questions, whatever the file names say")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run the submissions' code with your own permissions (only for code you trust)")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error(f"--timeout must be positive; got {args.timeout}")
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1; got {args.jobs}")
    if args.no_sandbox:
        print("rnnlearn grade: WARNING: --no-sandbox: each submission's code runs with your permissions "
              "and can read or change your files.", file=sys.stderr)
    else:
        problem = bwrap_problem()
        if problem:
            print(f"rnnlearn grade: refusing to grade: no sandbox can be started here ({problem}). "
                  f"Without one, each submission's code runs with your permissions. To fix: {INSTALL_HINT}.",
                  file=sys.stderr)
            return 2
    start = time.monotonic()

    def on_row(rows, row):
        tqdm.write(summary(row), file=sys.stdout)
        if args.csv:
            save(rows, args.csv)

    with tempfile.TemporaryDirectory(prefix="rnnlearn-build-") as build:
        grading_build.build(build)
        settings = Settings(budget=args.timeout, build=build, sandbox=not args.no_sandbox, chapter=args.chapter)
        rows = grade_all(args.notebooks, settings, min(args.jobs, len(args.notebooks)), on_row)
    if not args.csv:
        sys.stdout.write(to_csv(rows))
    unreadable = sum(not row.readable for row in rows)
    print(f"graded {len(rows) - unreadable} of {len(rows)} notebooks in {time.monotonic() - start:.0f} s "
          f"with {min(args.jobs, len(rows))} job(s)", file=sys.stderr)
    return 1 if unreadable else 0
