"""The gradebook (CSV, one row per notebook) and the summary printed for the instructor."""

from __future__ import annotations

import csv


def write_gradebook(rows, ids, out):
    """One row per notebook: a column per question (points), total, max, notes."""
    writer = csv.writer(out)
    writer.writerow(["notebook"] + ids + ["total", "max_total", "notes"])
    for path, results, notes in rows:
        total = sum(r.score for r in results.values())
        maximum = sum(r.max_score for r in results.values())
        cells = [f"{round(results[q].score, 2):g}" if q in results else "" for q in ids]
        flagged = [f"{q}: {r.flags[0]}" for q, r in results.items() if r.flags]
        writer.writerow([str(path)] + cells + [f"{round(total, 2):g}", f"{maximum:g}", "; ".join(notes + flagged)])


def summary(path, results, notes) -> str:
    total = sum(r.score for r in results.values())
    maximum = sum(r.max_score for r in results.values())
    lines = [f"{path}: {round(total, 2):g}/{maximum:g}"]
    width = max((len(q) for q in results), default=0)
    for q, r in results.items():
        wrong = [line for line in r.feedback.splitlines() if line.strip() and not line.endswith(": ok")]
        lines.append(f"  {q:<{width}} {round(r.score, 2):>5g}/{r.max_score:g}  {r.status}"
                     + (f"  ({wrong[0]})" if wrong and not r.passed else ""))
    lines += [f"  note: {n}" for n in notes]
    return "\n".join(lines)
