"""``rnnlearn grade NOTEBOOK... [--csv FILE] [--timeout SECONDS] [--chapter CHAPTER]``.

For each submission: copy it to a temporary folder (the submitted file is only read),
execute the copy top to bottom in a fresh kernel, then grade every question of its
chapter with the same checks as ``check()``, computed in this process on fresh random
inputs; the learner's functions are called inside the kernel through a proxy. Writes a
gradebook (one row per notebook, one column per question, a total) and prints a summary.

Exit status: 0 when every notebook was graded (whatever the scores); 1 when a file
could not be read as a notebook (it gets a row with 0 points and a note); 2 on usage
errors (argparse).
"""

from __future__ import annotations

import argparse
import pathlib
import secrets
import shutil
import sys
import tempfile
import time

import nbformat

from .. import result
from ..check import check
from ..registry import QUESTIONS
from . import integrity
from .gradebook import summary, write_gradebook
from .session import KernelSession


def chapter_questions(path: pathlib.Path, nb, chapter: str | None) -> list[str]:
    """The questions a notebook is graded on.

    ``--chapter`` if given; else every chapter whose tag (e.g. ``01_rnn_equations``)
    is part of the file name; else the question ids the notebook defines or checks.
    """
    chapters = sorted({q.chapter for q in QUESTIONS.values()})
    wanted = [chapter] if chapter else [c for c in chapters if c in path.stem]
    if wanted:
        return [q.id for q in QUESTIONS.values() if q.chapter in wanted]
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "code") if nb else ""
    return [q for q in QUESTIONS if f"def {q}(" in text or f'"{q}"' in text or f"'{q}'" in text]


def grade_notebook(path: pathlib.Path, *, timeout: float, chapter: str | None = None):
    """Grade one submission; return ``(results, notes, readable)``."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, unreadable
        return {}, [f"could not read the notebook: {type(exc).__name__}"], False
    ids = chapter_questions(path, nb, chapter)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    flags, notes = integrity.scan(sources, ids)
    results = {}
    if not any(source.strip() for source in sources):  # nothing to run: no kernel needed
        for qid in ids:
            results[qid] = result.unfinished(qid, QUESTIONS[qid].points,
                                             f"{qid} is not defined in the notebook (it has no code)")
        return results, notes, True
    with tempfile.TemporaryDirectory(prefix="rnnlearn-grade-") as tmp:
        copy = pathlib.Path(tmp) / "submission.ipynb"
        shutil.copyfile(path, copy)
        work = nbformat.read(copy, as_version=4)
        with KernelSession(work, tmp, timeout=timeout, call_timeout=max(2.0, min(20.0, timeout / 3))) as s:
            s.run_notebook()
            notes += s.notes
            for qid in ids:
                points = QUESTIONS[qid].points
                if qid in flags:
                    results[qid] = result.flagged(qid, points, f"scored 0: {flags[qid]}; write {qid} yourself.")
                    continue
                answer = s.answer(qid)
                if isinstance(answer, str):
                    results[qid] = result.unfinished(qid, points, answer)
                else:
                    results[qid] = check(qid, answer, seed=secrets.randbits(32))
    return results, notes, True


def main(argv: list[str]) -> int:
    """Entry point of ``rnnlearn grade``; returns the exit status (see module docstring)."""
    parser = argparse.ArgumentParser(prog="rnnlearn grade", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=pathlib.Path, help="submitted .ipynb files")
    parser.add_argument("--csv", type=pathlib.Path, help="write the gradebook here (default: stdout only)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds for executing each notebook (default 120)")
    parser.add_argument("--chapter", choices=sorted({q.chapter for q in QUESTIONS.values()}),
                        help="grade these questions, whatever the file names say")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error(f"--timeout must be positive; got {args.timeout}")
    rows, unreadable, start = [], 0, time.monotonic()
    for path in args.notebooks:
        results, notes, readable = grade_notebook(path, timeout=args.timeout, chapter=args.chapter)
        unreadable += not readable
        rows.append((path, results, notes))
        print(summary(path, results, notes), flush=True)
    ids = [q for q in QUESTIONS if any(q in r for _, r, _ in rows)]
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as out:
            write_gradebook(rows, ids, out)
    else:
        write_gradebook(rows, ids, sys.stdout)
    print(f"graded {len(rows) - unreadable} of {len(rows)} notebooks in "
          f"{time.monotonic() - start:.0f} s", file=sys.stderr)
    return 1 if unreadable else 0
