"""Turn a solution notebook into an exercise notebook (pure text transformation)."""

from __future__ import annotations

import copy
import re

import nbformat

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION(?:[ \t]*:[ \t]*(?P<hint>.*\S))?[ \t]*$")
END = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
DEFAULT_HINT = "Replace this line with your code."
MARKDOWN_STUB = "_Write your answer here._"
# A solution notebook is titled "# Solutions: topic"; its exercise "# Exercises: topic".
SOLUTIONS_TITLE = re.compile(r"^#[ \t]+Solutions:")


class SolutionMarkerError(ValueError):
    """A solution notebook has unbalanced or nested ``### BEGIN/END SOLUTION`` markers."""


def strip_solution_regions(source: str, *, cell_type: str = "code", where: str = "cell") -> str:
    """Replace every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region of ``source``.

    In code, the region becomes ``raise NotImplementedError("<hint>")`` at the marker's
    indentation; the hint is the text after ``### BEGIN SOLUTION:`` if given. In
    Markdown, the region becomes a prompt for the learner's answer.
    """
    out, inside = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if inside is not None:
                raise SolutionMarkerError(f"{where}, line {number}: BEGIN SOLUTION inside another region")
            inside = begin
        elif end:
            if inside is None:
                raise SolutionMarkerError(f"{where}, line {number}: END SOLUTION without BEGIN SOLUTION")
            out.append(_stub(inside, cell_type))
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise SolutionMarkerError(f"{where}: BEGIN SOLUTION is never closed")
    return "\n".join(out)


def _stub(begin: re.Match, cell_type: str) -> str:
    indent, hint = begin["indent"], begin["hint"] or DEFAULT_HINT
    if cell_type == "markdown":
        return MARKDOWN_STUB
    return f"{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError({hint!r})"


def make_exercise(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the exercise notebook for a solution notebook: regions stubbed, outputs cleared.

    The title "# Solutions: topic" of the first Markdown cell becomes "# Exercises: topic".
    """
    exercise = copy.deepcopy(solution)
    title = next((cell for cell in exercise.cells if cell.cell_type == "markdown"), None)
    if title is not None:
        title.source = SOLUTIONS_TITLE.sub("# Exercises:", title.source, count=1)
    for index, cell in enumerate(exercise.cells):
        if cell.cell_type in ("code", "markdown"):
            cell.source = strip_solution_regions(cell.source, cell_type=cell.cell_type, where=f"cell {index}")
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return exercise
