"""The chapter 2 and 3 figures draw what they say: the TBPTT windows are the ones ``fit`` walks,
the gradient-path diagram marks both terms of dh_t, the saturation figure shades where tanh' is small."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnnlearn import viz  # noqa: E402
from rnnlearn.train import tbptt_windows  # noqa: E402


class _Recorder:
    """A stand-in model that records which steps each call reads (x holds the step index)."""

    def __init__(self):
        self.calls = []

    def __call__(self, x, state):
        self.calls.append((int(x[0, 0]), int(x[0, -1]) + 1, torch.is_grad_enabled()))
        return x.float(), state


@pytest.mark.parametrize("T, k1, k2", [(32, 8, 8), (32, 8, 16), (30, 7, 10), (5, 8, 8), (17, 1, 3)])
def test_spans_are_the_windows_fit_walks(T, k1, k2):
    x = torch.arange(T)[None].repeat(2, 1)  # (N, T): each entry is its own step index
    model = _Recorder()
    walked = []
    for output, target in tbptt_windows(model, x, x, k1=k1, k2=k2):
        start = model.calls[-1][0]  # the last call is the one with gradient: the window
        assert model.calls[-1][2]
        walked.append((start, int(target[0, 0]), int(target[0, -1]) + 1))
        assert torch.equal(output[0].long(), target[0])  # the outputs yielded are the new steps
    assert viz.bptt.tbptt_spans(T, k1, k2) == walked
    assert len(walked) == math.ceil(T / k1)


def test_windows_figure_one_panel_per_config_one_row_per_update():
    fig = viz.draw_tbptt_windows(T=20, configs=[(5, 5), (5, 10)])
    assert len(fig.axes) == 2
    for ax, (k1, k2) in zip(fig.axes, [(5, 5), (5, 10)]):
        assert f"TBPTT({k1}, {k2})" in ax.get_title()
        bars = [(p.get_x(), p.get_x() + p.get_width()) for p in ax.patches]
        spans = viz.bptt.tbptt_spans(20, k1, k2)
        # two bars per update: reached-but-no-loss [start, first), losses [first, end)
        assert bars == [b for s, f, e in spans for b in ((s, f), (f, e))]
        assert ax.get_xlabel()
    assert fig.axes[0].get_ylabel()
    plt.close(fig)


def test_gradient_paths_marks_both_terms_of_dh_t():
    fig = viz.draw_gradient_paths(T=5, t=3)
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    assert "$h_3$" in texts and "$h_5$" in texts and "$h_6$" not in texts
    assert any("\\partial \\ell_t" in s for s in texts) and any("W_{hh}" in s for s in texts)
    colours = {matplotlib.colors.to_hex(a.arrow_patch.get_edgecolor()) for a in ax.texts
               if getattr(a, "arrow_patch", None) is not None}
    assert {viz.bptt.LOCAL, viz.bptt.CARRIED} <= colours
    assert ax.get_title()
    plt.close(fig)


def test_saturation_point_and_shading():
    edge = viz.saturation_point(0.1)
    assert 1 - np.tanh(edge) ** 2 == pytest.approx(0.1)
    fig = viz.draw_tanh_saturation(a_max=4, slope=0.1)
    (ax,) = fig.axes
    shaded = sorted((p.get_x(), p.get_x() + p.get_width()) for p in ax.patches)
    assert shaded == [pytest.approx((-4, -edge)), pytest.approx((edge, 4))]
    tanh, slope = ax.lines[0].get_ydata(), ax.lines[1].get_ydata()
    np.testing.assert_allclose(slope, 1 - tanh ** 2)
    assert ax.get_xlabel() and f"{edge:.2f}" in ax.get_title()
    plt.close(fig)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="draw_gradient_paths: argument 't'"):
        viz.draw_gradient_paths(T=4, t=4)
    with pytest.raises(ValueError, match="draw_gradient_paths: argument 'T'"):
        viz.draw_gradient_paths(T=1, t=1)
    with pytest.raises(ValueError, match="tbptt_spans: arguments 'k1' and 'k2'"):
        viz.bptt.tbptt_spans(10, 4, 2)
    with pytest.raises(ValueError, match="draw_tbptt_windows: argument 'configs'"):
        viz.draw_tbptt_windows(10, [])
    with pytest.raises(ValueError, match="saturation_point: argument 'slope'"):
        viz.saturation_point(1.5)
