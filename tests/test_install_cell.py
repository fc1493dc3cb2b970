"""The guarded-install first cell of every notebook, and the solutions' titles.

The cell must install rnnlearn in Colab or Binder (where it is missing) and do nothing
in a local checkout; every chapter, exercise and solution must start with it, with the
repository URL of ``_config.yml`` (the one place it is written).
"""

import importlib.util
import pathlib
import subprocess

import nbformat
import pytest

from rnnlearn.exercises import install_cell_source, make_exercise, repository_url, stamp_install_cell
from rnnlearn.exercises.install_cell import MARKER, TAGS

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(ROOT.glob("book/[0-9][0-9]_*.ipynb")) + sorted(ROOT.glob("exercises/*.ipynb")) \
    + sorted(ROOT.glob("solutions/*.ipynb"))
URL = repository_url(ROOT)


def _run_cell(monkeypatch, *, installed):
    """Execute the cell's source with pip replaced by a recorder; return the recorded calls."""
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: calls.append((args, kwargs)))
    if not installed:
        real = importlib.util.find_spec
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name, *a: None if name == "rnnlearn" else real(name, *a))
    exec(compile(install_cell_source(URL), "install-cell", "exec"), {})
    return calls


def test_cell_does_nothing_in_a_local_checkout(monkeypatch):
    assert importlib.util.find_spec("rnnlearn") is not None
    assert _run_cell(monkeypatch, installed=True) == []


def test_cell_installs_from_the_configured_repository_when_missing(monkeypatch):
    calls = _run_cell(monkeypatch, installed=False)
    assert len(calls) == 1, calls
    (command,), kwargs = calls[0]
    assert command[1:4] == ["-m", "pip", "install"] and command[-1] == f"rnnlearn @ git+{URL}"
    assert kwargs == {"check": True}, "a failed install must stop the notebook"


def test_repository_url_is_configured_once():
    assert URL.startswith("https://"), URL
    mentions = [p for p in ROOT.glob("*.yml") if URL in p.read_text()]
    assert mentions == [ROOT / "_config.yml"], f"the repository URL is written in {mentions}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_notebook_starts_with_the_install_cell(path):
    first = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert first.source == install_cell_source(URL), \
        f"{path.relative_to(ROOT)}: the first code cell is not the install cell (run `make exercises`)"
    assert first.metadata.get("tags") == TAGS and not first.get("outputs")


def test_stamp_inserts_once_then_updates_in_place():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"),
                                         nbformat.v4.new_code_cell("x = 1")])
    assert stamp_install_cell(nb, "https://example.org/a")
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    assert not stamp_install_cell(nb, "https://example.org/a"), "stamping twice changes nothing"
    assert stamp_install_cell(nb, "https://example.org/b") and len(nb.cells) == 3
    assert nb.cells[1].source.startswith(MARKER) and "git+https://example.org/b" in nb.cells[1].source


@pytest.mark.parametrize("path", sorted(ROOT.glob("solutions/*.ipynb")), ids=lambda p: p.stem)
def test_solutions_and_exercises_are_titled_apart(path):
    solution = nbformat.read(path, as_version=4)
    assert solution.cells[0].source.startswith("# Solutions: "), f"{path.name}: title it '# Solutions: topic'"
    exercise = nbformat.read(ROOT / "exercises" / path.name, as_version=4)
    assert exercise.cells[0].source.startswith("# Exercises: ")
    assert make_exercise(solution).cells[0].source.replace("# Exercises: ", "# Solutions: ", 1) \
        == solution.cells[0].source, "only the title's first word differs"
