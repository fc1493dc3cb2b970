"""rnnlearn.viz: the shared figures draw what they say, and the player has a slider."""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import pytest  # noqa: E402

from rnnlearn import viz  # noqa: E402
from rnnlearn.viz.diagrams import CONFIGURATIONS  # noqa: E402


def _face_colors(fig):
    return {matplotlib.colors.to_hex(p.get_facecolor()) for ax in fig.axes for p in ax.patches}


def test_unrolled_diagram_has_one_column_per_step_in_the_course_colours():
    fig = viz.draw_unrolled(T=3)
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.texts]
    assert [f"$x_{t}$" in labels for t in (1, 2, 3)] == [True] * 3 and "$x_4$" not in labels
    boxes = {matplotlib.colors.to_hex(t.get_bbox_patch().get_facecolor()) for t in ax.texts if t.get_bbox_patch()}
    assert {viz.INPUT_FACE, viz.STATE_FACE, viz.OUTPUT_FACE} <= boxes
    assert ax.get_xlabel() and ax.get_title()
    plt.close(fig)


def test_configurations_panel_per_configuration():
    fig = viz.draw_configurations()
    assert [ax.get_title() for ax in fig.axes] == [c[0] for c in CONFIGURATIONS]
    # many-to-one: four states, four inputs, one output
    counts = {}
    for patch in fig.axes[2].patches:
        key = matplotlib.colors.to_hex(patch.get_facecolor())
        counts[key] = counts.get(key, 0) + 1
    assert counts == {viz.STATE_FACE: 4, viz.INPUT_FACE: 4, viz.OUTPUT_FACE: 1}
    assert {viz.INPUT_FACE, viz.STATE_FACE, viz.OUTPUT_FACE} <= _face_colors(fig)
    plt.close(fig)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="draw_unrolled: argument 'T'"):
        viz.draw_unrolled(T=0)
    with pytest.raises(ValueError, match="animate: argument 'frames'"):
        viz.animate(plt.figure(), lambda i: None, [], alt="nothing")
    with pytest.raises(ValueError, match="animate: argument 'alt'"):
        viz.animate(plt.figure(), lambda i: None, [0], alt=" ")


def test_animate_renders_every_frame_with_a_slider_and_closes_the_figure():
    fig, ax = plt.subplots(dpi=30)
    (line,) = ax.plot([], [])
    seen = []

    def update(i):
        seen.append(i)
        line.set_data(range(i + 2), range(i + 2))

    html = viz.animate(fig, update, [0, 1, 2, 3], alt='a line that grows, "step" by step')
    assert set(seen) == {0, 1, 2, 3}
    assert re.search(r'<input[^>]*type="range"', html), "a slider"
    assert len(re.findall(r'frames\[\d+\] = "data:image/png;base64', html)) == 4
    assert not plt.fignum_exists(fig.number), "the figure is closed so it is not shown twice"
    assert '<img alt="a line that grows, &quot;step&quot; by step" id="_anim_img' in html


def test_animate_needs_no_network():
    fig, ax = plt.subplots(dpi=30)
    html = viz.animate(fig, lambda i: None, [0, 1], alt="two frames")
    assert not re.search(r"https?://", html), "the player must not load anything from the web"
    assert 'class="fa' not in html, "icon-font buttons would render empty offline"
    assert 'title="Next frame"' in html
