"""The grading package a maintainer can follow: no import cycles, instant feedback apart
from the batch grader, one file per chapter's questions."""

import ast
import pathlib
import subprocess
import sys

from rnnlearn.grading.registry import QUESTIONS

GRADING = pathlib.Path(__file__).resolve().parents[2] / "rnnlearn" / "grading"


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(GRADING.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the ``rnnlearn.grading`` modules it imports, anywhere in its source (function bodies too)."""
    modules = {_module_name(p): p for p in GRADING.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                # ``from . import result`` imports the module result; ``from .check import check``
                # imports the module check (a name in a package is the package itself)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            edges |= {t for t in targets if t in modules and t != name}
        graph[name] = edges
    return graph


def find_cycle(graph):
    """A list of modules forming a cycle, or None (depth-first search)."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_graph_sees_relative_and_function_level_imports():
    graph = import_graph()
    assert "rnnlearn.grading.scoring" in graph["rnnlearn.grading.check"]
    assert "rnnlearn.grading.registry" in graph["rnnlearn.grading.chapters.lstm"]
    assert "rnnlearn.grading.answer" in graph["rnnlearn.grading.batch.session"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_grading_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle)


def test_instant_feedback_never_imports_the_batch_grader():
    graph = import_graph()
    instant = [m for m in graph if not m.startswith("rnnlearn.grading.batch")]
    leaks = {m: sorted(t for t in graph[m] if t.startswith("rnnlearn.grading.batch")) for m in instant}
    assert not any(leaks.values()), leaks
    code = ("import sys, numpy as np; from rnnlearn.grading import check\n"
            "check('rnn_step_forward', lambda x, h, p: (np.tanh(x @ p['weight_ih'].T), None))\n"
            "print(sorted(m for m in sys.modules if m.startswith('rnnlearn.grading.batch')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr + out.stdout


def test_each_chapter_keeps_its_questions_in_one_file():
    files = {}
    for q in QUESTIONS.values():
        module = q.grade.__module__
        assert module.startswith("rnnlearn.grading.chapters."), (q.id, module)
        files.setdefault(q.chapter, set()).add(module)
    assert all(len(modules) == 1 for modules in files.values()), files
