"""The exercise pipeline, proved on the committed notebooks.

nbval (``make test``) re-executes every notebook in exercises/ and solutions/ and compares
the result with the stored outputs. These tests make that comparison meaningful:

1. the committed exercises are exactly what the generator makes from the solutions;
2. every check stored in a solution passed with full marks;
3. every check stored in an exercise reports "not done yet" (not passed, not crashed);
4. no notebook is stored without outputs (nbval would compare nothing).
"""

import pathlib
import re

import nbformat
import pytest

from rnnlearn.exercises import make_exercise

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
HEADLINE = re.compile(r"^(?P<name>\w+): (?P<label>passed|partly right|not yet right|not done yet|crashed) "
                      r"\((?P<score>[\d.]+)/(?P<max>[\d.]+) points\)")
CHECK_CALL = re.compile(r"^check\(\s*[\"'](\w+)[\"']", re.MULTILINE)


def _read(path):
    return nbformat.read(path, as_version=4)


def _check_results(nb):
    """(question id, headline match) for every check cell, from its stored outputs."""
    results = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for name in CHECK_CALL.findall(cell.source):
            texts = [o.get("data", {}).get("text/plain", "") for o in cell.get("outputs", [])]
            match = next((HEADLINE.match(t) for t in texts if HEADLINE.match(t) and
                          HEADLINE.match(t)["name"] == name), None)
            results.append((name, match))
    return results


def test_there_are_solution_notebooks():
    assert SOLUTIONS, "solutions/ holds no notebook"


@pytest.mark.parametrize("solution_path", SOLUTIONS, ids=lambda p: p.stem)
def test_committed_exercise_is_generated_from_solution(solution_path):
    exercise_path = ROOT / "exercises" / solution_path.name
    assert exercise_path.exists(), f"{exercise_path} is missing: run `make exercises`"
    expected, committed = make_exercise(_read(solution_path)), _read(exercise_path)
    assert [(c.cell_type, c.source) for c in committed.cells] == \
           [(c.cell_type, c.source) for c in expected.cells], \
        f"{exercise_path.name} differs from what `make exercises` generates from {solution_path.name}"
    assert "BEGIN SOLUTION" not in "".join(c.source for c in committed.cells)


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_notebooks_are_stored_with_outputs(folder):
    for path in sorted((ROOT / folder).glob("*.ipynb")):
        code = [c for c in _read(path).cells if c.cell_type == "code" and c.source.strip()]
        unrun = [i for i, c in enumerate(code) if c.execution_count is None]
        assert not unrun, f"{path.name}: code cells {unrun} have no stored execution (run `make exercises`)"


@pytest.mark.parametrize("solution_path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_check_passes_in_the_solution(solution_path):
    results = _check_results(_read(solution_path))
    assert len(results) >= 3, f"{solution_path.name}: at least three graded checks expected, found {len(results)}"
    bad = [(name, m.group(0) if m else "no stored check result") for name, m in results
           if not m or m["label"] != "passed" or m["score"] != m["max"]]
    assert not bad, f"{solution_path.name}: checks that do not pass with full marks: {bad}"


@pytest.mark.parametrize("solution_path", SOLUTIONS, ids=lambda p: p.stem)
def test_every_check_reports_not_done_in_the_exercise(solution_path):
    exercise = ROOT / "exercises" / solution_path.name
    results = _check_results(_read(exercise))
    assert len(results) == len(_check_results(_read(solution_path)))
    bad = [(name, m.group(0) if m else "no stored check result") for name, m in results
           if not m or m["label"] != "not done yet"]
    assert not bad, f"{exercise.name}: checks that do not report 'not done yet': {bad}"


def test_every_graded_question_of_a_notebook_is_checked_in_it():
    from rnnlearn.grading import questions

    checked = {name for path in SOLUTIONS for name, _ in _check_results(_read(path))}
    unknown = checked - set(dict(_question_ids(questions())))
    assert not unknown, f"check() is called with ids that questions() does not list: {sorted(unknown)}"


def _question_ids(listing):
    """questions() may return a dict {id: points} or a sequence of objects/tuples."""
    if isinstance(listing, dict):
        return listing.items()
    return [(getattr(q, "name", None) or getattr(q, "id", None) or q[0], q) for q in listing]


@pytest.mark.parametrize("path", sorted((ROOT / "book").glob("*.ipynb")), ids=lambda p: p.stem)
def test_chapters_are_stored_tidy_without_outputs(path):
    """Chapters are executed by the book build; their JSON holds sources only."""
    nb = _read(path)
    with_outputs = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not with_outputs, f"{path.name}: cells {with_outputs} hold outputs; clear them before committing"
    assert set(nb.metadata) <= {"kernelspec", "language_info"}, f"{path.name}: stray metadata {sorted(nb.metadata)}"


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_exercise_notebooks_have_tidy_metadata(folder):
    for path in sorted((ROOT / folder).glob("*.ipynb")):
        nb = _read(path)
        assert set(nb.metadata) <= {"kernelspec", "language_info"}, f"{path.name}: stray metadata"
        noisy = [i for i, c in enumerate(nb.cells) if "execution" in c.metadata]
        assert not noisy, f"{path.name}: cells {noisy} carry run-time metadata (use `make exercises`)"
