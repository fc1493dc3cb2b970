"""Generate ``exercises/`` from ``solutions/`` and store both notebooks' outputs."""

from __future__ import annotations

import pathlib

import nbformat
from nbclient import NotebookClient

from .install_cell import repository_url, stamp_install_cell
from .stub import make_exercise

KERNEL = "python3"


def tidy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Keep the JSON small and stable: no per-cell run metadata, a fixed kernelspec."""
    for cell in nb.cells:
        for key in ("execution", "collapsed", "scrolled", "ExecuteTime"):
            cell.metadata.pop(key, None)
    nb.metadata = nbformat.from_dict({
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": KERNEL},
        "language_info": {"name": "python"},
    })
    return nb


def execute_notebook(nb: nbformat.NotebookNode, cwd: pathlib.Path, *, timeout: int = 600) -> nbformat.NotebookNode:
    """Execute ``nb`` top to bottom in a fresh kernel started in ``cwd``; raise on any cell error."""
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, record_timing=False,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return tidy(nb)


def write_notebook(nb: nbformat.NotebookNode, path: pathlib.Path) -> None:
    """Write ``nb`` as nbformat 4 JSON (indent 1, sorted keys, trailing newline)."""
    nbformat.validate(nb)
    text = nbformat.writes(nb, version=4)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def stamp_chapters(root: pathlib.Path, url: str, *, log=print) -> list[pathlib.Path]:
    """Give every ``book/NN_topic.ipynb`` the install cell for ``url``; return the paths changed."""
    changed = []
    for chapter in sorted((root / "book").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(chapter, as_version=4)
        if stamp_install_cell(nb, url):
            log(f"install cell updated in {chapter}")
            write_notebook(tidy(nb), chapter)
            changed.append(chapter)
    return changed


def build(root: pathlib.Path = pathlib.Path("."), *, names: list[str] | None = None,
          execute: bool = True, log=print) -> list[pathlib.Path]:
    """Regenerate every ``exercises/NN_topic.ipynb`` from ``solutions/NN_topic.ipynb``.

    First the guarded-install cell (:mod:`rnnlearn.exercises.install_cell`) is made the
    first code cell of every chapter in ``book/`` (sources only: chapters are stored
    without outputs) and of every solution. With ``execute`` (the default), both notebooks
    are then executed in fresh kernels and written with their outputs, which nbval
    compares in ``make test``. Returns the paths written.
    """
    solutions, exercises = root / "solutions", root / "exercises"
    exercises.mkdir(exist_ok=True)
    url = repository_url(root)
    written = stamp_chapters(root, url, log=log)
    for solution_path in sorted(solutions.glob("*.ipynb")):
        if names and solution_path.stem not in names:
            continue
        solution = nbformat.read(solution_path, as_version=4)
        stamp_install_cell(solution, url)
        exercise = make_exercise(solution)
        exercise_path = exercises / solution_path.name
        if execute:
            log(f"executing {solution_path}")
            solution = execute_notebook(solution, solutions)
            log(f"executing {exercise_path}")
            exercise = execute_notebook(exercise, exercises)
        write_notebook(tidy(solution), solution_path)
        write_notebook(tidy(exercise), exercise_path)
        written += [solution_path, exercise_path]
    return written
