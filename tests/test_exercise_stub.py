"""The solution -> exercise transformation (pure text, no kernel)."""

import nbformat
import pytest

from rnnlearn.exercises import make_exercise, strip_solution_regions
from rnnlearn.exercises.stub import SolutionMarkerError

SOLVED = '''def f(x):
    """Double x."""
    ### BEGIN SOLUTION: multiply by two
    y = 2 * x
    return y
    ### END SOLUTION

print(f(3))'''


def test_region_becomes_indented_stub_with_hint():
    out = strip_solution_regions(SOLVED)
    assert "2 * x" not in out and "return y" not in out
    assert "    # YOUR CODE HERE\n    raise NotImplementedError('multiply by two')" in out
    assert out.startswith('def f(x):\n    """Double x."""') and out.endswith("print(f(3))")
    namespace = {}
    exec(out.replace("print(f(3))", ""), namespace)
    with pytest.raises(NotImplementedError, match="multiply by two"):
        namespace["f"](3)


def test_default_hint_and_several_regions():
    src = "a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\nc = 3\n  ### BEGIN SOLUTION\n  d = 4\n  ### END SOLUTION"
    out = strip_solution_regions(src)
    assert out.count("raise NotImplementedError('Replace this line with your code.')") == 2
    assert "b = 2" not in out and "d = 4" not in out and "a = 1" in out and "c = 3" in out


def test_markdown_region_becomes_a_prompt():
    out = strip_solution_regions("Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION", cell_type="markdown")
    assert out == "Why?\n_Write your answer here._"


@pytest.mark.parametrize("src, message", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "inside another"),
])
def test_unbalanced_markers_are_a_clear_error(src, message):
    with pytest.raises(SolutionMarkerError, match=message):
        strip_solution_regions(src, where="cell 3")


def test_make_exercise_clears_outputs_and_keeps_the_rest():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell(SOLVED, execution_count=1,
                                  outputs=[nbformat.v4.new_output("stream", text="6\n")]),
    ])
    ex = make_exercise(nb)
    assert ex.cells[0].source == "# Title"
    assert ex.cells[1].outputs == [] and ex.cells[1].execution_count is None
    assert nb.cells[1].source == SOLVED, "the solution notebook must not be modified"


def test_solutions_title_becomes_exercises_title():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Solutions: RNN equations\n\nText."),
                                         nbformat.v4.new_markdown_cell("# Solutions: not a title")])
    ex = make_exercise(nb)
    assert ex.cells[0].source == "# Exercises: RNN equations\n\nText."
    assert ex.cells[1].source == "# Solutions: not a title", "only the first Markdown cell is the title"
