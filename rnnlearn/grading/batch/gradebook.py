"""The gradebook (CSV, one row per notebook) and the summary printed for the instructor.

Everything a submission can influence (notes, feedback, flags) passes through
``session.clean`` before it reaches a terminal line or a CSV cell. The CSV is rewritten
after every notebook into a temporary file that then replaces it, so an interrupted or
killed batch keeps every finished row and never leaves a half-written file.
"""

from __future__ import annotations

import csv
import io
import os
import pathlib
import tempfile
from typing import NamedTuple

from ..registry import QUESTIONS
from .session import clean


class Row(NamedTuple):
    """One graded notebook: its path, ``{question id: CheckResult}``, notes, and whether it was readable."""

    path: pathlib.Path
    results: dict
    notes: list
    readable: bool = True


def to_csv(rows) -> str:
    """One row per notebook: a column per question (points), total, max, notes."""
    ids = [q for q in QUESTIONS if any(q in row.results for row in rows)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["notebook"] + ids + ["total", "max_total", "notes"])
    for row in rows:
        total = sum(r.score for r in row.results.values())
        maximum = sum(r.max_score for r in row.results.values())
        cells = [f"{round(row.results[q].score, 2):g}" if q in row.results else "" for q in ids]
        flagged = [f"{q}: {r.flags[0]}" for q, r in row.results.items() if r.flags]
        notes = "; ".join(clean(n) for n in list(row.notes) + flagged)
        writer.writerow([str(row.path)] + cells + [f"{round(total, 2):g}", f"{maximum:g}", notes])
    return out.getvalue()


def save(rows, path) -> None:
    """Write the gradebook to ``path`` atomically (a temporary file in the same folder, then a rename)."""
    path = pathlib.Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            f.write(to_csv(rows))
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise


def summary(row) -> str:
    """A few lines for the terminal: total, each question's score and first problem, the notes."""
    total = sum(r.score for r in row.results.values())
    maximum = sum(r.max_score for r in row.results.values())
    lines = [f"{clean(row.path)}: {round(total, 2):g}/{maximum:g}"]
    width = max((len(q) for q in row.results), default=0)
    for q, r in row.results.items():
        wrong = [line for line in r.feedback.splitlines() if line.strip() and not line.endswith(": ok")]
        lines.append(f"  {q:<{width}} {round(r.score, 2):>5g}/{r.max_score:g}  {r.status}"
                     + (f"  ({clean(wrong[0], 160)})" if wrong and not r.passed else ""))
    lines += [f"  note: {clean(n)}" for n in row.notes]
    return "\n".join(lines)
