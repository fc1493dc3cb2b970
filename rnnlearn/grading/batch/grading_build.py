"""The copy of ``rnnlearn`` a submission's kernel imports while it is graded.

References absent at grading time: every function of the package whose name is a
graded question (``rnn_step_forward``, ``clip_grad_norm``, ...) has its body replaced
by an error, and ``rnnlearn.grading`` (whose chapter files compute every right answer)
is replaced by a stand-in whose ``check`` only says that grading happens elsewhere. So
calling, copying (``inspect.getsource``, ``marshal``), re-running in another process or
serialising lazily the course's reference yields nothing but the error. The rest of the
package (``rnnlearn.torch``, ``rnnlearn.data``, the non-graded NumPy functions) is an
exact copy, so a notebook's experiments still import what they use.
"""

from __future__ import annotations

import ast
import pathlib
import shutil

import rnnlearn

from ..registry import QUESTIONS

ABSENT = ("the course's reference {name} is not available while grading (rnnlearn grade): "
          "your answer must compute it itself")

STAND_IN = '''"""rnnlearn.grading while a submission is graded: the checks run in the grader's process."""

from .result import CheckResult, Part

QUESTIONS = {questions!r}
SKIPPED = ("not checked here: the batch grader (rnnlearn grade) scores {{id}} in its own "
           "process and ignores this cell.")


def questions():
    return {{qid: dict(info) for qid, info in QUESTIONS.items()}}


def check(name, answer, *, seed=None):
    points = QUESTIONS.get(name, {{}}).get("points", 0.0)
    return CheckResult(name, False, 0.0, float(points), SKIPPED.format(id=name), "unfinished")


__all__ = ["check", "questions", "CheckResult", "Part"]
'''


def remove_references(source: str, names) -> tuple[str, list[str]]:
    """``source`` with the body of every top-level function in ``names`` replaced by an error.

    Returns the new source and the names replaced.
    """
    lines = source.splitlines(keepends=True)
    nodes = [node for node in ast.parse(source).body
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names]
    for node in sorted(nodes, key=lambda n: n.lineno, reverse=True):
        indent = " " * node.body[0].col_offset
        message = ABSENT.format(name=node.name)
        lines[node.body[0].lineno - 1:node.end_lineno] = [f"{indent}raise RuntimeError({message!r})\n"]
    return "".join(lines), sorted(node.name for node in nodes)


def build(dest) -> list[str]:
    """Write the grading build of ``rnnlearn`` into ``dest/rnnlearn``; return the names removed."""
    source = pathlib.Path(rnnlearn.__file__).parent
    target = pathlib.Path(dest) / "rnnlearn"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "grading"))
    removed = []
    for path in sorted(target.rglob("*.py")):
        text, names = remove_references(path.read_text(encoding="utf-8"), set(QUESTIONS))
        if names:
            path.write_text(text, encoding="utf-8")
            removed += names
    grading = target / "grading"
    grading.mkdir()
    shutil.copyfile(source / "grading" / "result.py", grading / "result.py")
    questions = {q.id: {"points": q.points, "chapter": q.chapter, "signature": q.signature}
                 for q in QUESTIONS.values()}
    (grading / "__init__.py").write_text(STAND_IN.format(questions=questions), encoding="utf-8")
    return sorted(removed)
