"""Diagrams of an RNN's structure (chapter 1): the unrolled network, the five configurations.

Each function draws a new figure and returns it; nothing is shown or saved here.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from .colors import ARROW, INPUT_EDGE, INPUT_FACE, OUTPUT_EDGE, OUTPUT_FACE, STATE_EDGE, STATE_FACE

# (title, number of steps, steps that read an input, steps that emit an output)
CONFIGURATIONS = [
    ("one-to-one", 1, [0], [0]),
    ("one-to-many", 4, [0], [0, 1, 2, 3]),
    ("many-to-one", 4, [0, 1, 2, 3], [3]),
    ("many-to-many\n(aligned)", 4, [0, 1, 2, 3], [0, 1, 2, 3]),
    ("many-to-many\n(encoder-decoder)", 6, [0, 1, 2], [3, 4, 5]),
]


def _bare(ax):
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def unrolled_grid(ax, T: int, top: str, *, lw: float = 1.2, skip_top=()) -> None:
    """Draw ``h_0`` and ``T`` columns ``x_t -> h_t -> top_t`` with the recurrent arrows.

    The boxes sit at heights 0 (input), 1 (state) and 2 (``top``, e.g. ``"y"`` or
    ``"\\ell"``) and x positions ``1 .. T``; ``h_0`` at x = 0. No ``h_t -> top_t`` arrow is
    drawn at the steps in ``skip_top`` (a figure that draws its own there).
    """
    style = dict(ha="center", va="center", fontsize=11)
    box = dict(boxstyle="round,pad=0.35", fc=STATE_FACE, ec=STATE_EDGE)
    arrow = dict(arrowstyle="->", color=ARROW, lw=lw)
    ax.text(0, 1, "$h_0$", bbox=dict(box, fc="white"), **style)
    for t in range(1, T + 1):
        ax.text(t, 0, f"$x_{t}$", bbox=dict(box, fc=INPUT_FACE, ec=INPUT_EDGE), **style)
        ax.text(t, 1, f"$h_{t}$", bbox=box, **style)
        ax.text(t, 2, f"${top}_{t}$", bbox=dict(box, fc=OUTPUT_FACE, ec=OUTPUT_EDGE), **style)
        ax.annotate("", (t, 0.8), (t, 0.2), arrowprops=arrow)  # x_t -> h_t
        ax.annotate("", (t - 0.2, 1), (t - 0.8, 1), arrowprops=arrow)  # h_{t-1} -> h_t
        if t not in skip_top:
            ax.annotate("", (t, 1.8), (t, 1.2), arrowprops=arrow)  # h_t -> top_t


def draw_unrolled(T: int = 4) -> plt.Figure:
    """The RNN unrolled over ``T`` steps: ``x_t`` below, ``h_t`` in the middle, ``y_t`` above.

    The arrows carry the labels of the weights they apply (``W_ih``, ``W_hh``, ``W_ho``),
    the same at every step.

    Parameters
    ----------
    T : int
        Number of steps drawn (at least 1).

    Returns
    -------
    matplotlib.figure.Figure

    Shapes
    ------
    No arrays: a diagram of ``h_0`` and ``T`` columns of boxes.
    """
    if T < 1:
        raise ValueError(f"draw_unrolled: argument 'T' must be at least 1; got {T}")
    fig, ax = plt.subplots(figsize=(7, 2.6))
    unrolled_grid(ax, T, "y", lw=1.2)
    for t in range(1, T + 1):
        ax.text(t - 0.5, 1.12, "$W_{hh}$", ha="center", fontsize=9)
        ax.text(t + 0.06, 0.5, "$W_{ih}$", ha="left", fontsize=9)
        ax.text(t + 0.06, 1.5, "$W_{ho}$", ha="left", fontsize=9)
    ax.set(xlim=(-0.5, T + 0.6), ylim=(-0.5, 2.5), xticks=range(T + 1), xlabel="time step t",
           title="The RNN unrolled in time: the same weights at every step")
    ax.set_yticks([0, 1, 2], ["input", "hidden state", "output"])
    _bare(ax)
    fig.tight_layout()
    return fig


def draw_configurations(configurations=CONFIGURATIONS) -> plt.Figure:
    """One panel per input/output configuration: which steps read an input, which emit.

    Parameters
    ----------
    configurations : list of (str, int, list of int, list of int)
        ``(title, steps, reading steps, emitting steps)`` per panel, steps counted from 0;
        the default is the five classic ones.

    Returns
    -------
    matplotlib.figure.Figure

    Shapes
    ------
    No arrays: one panel per configuration, ``steps`` columns each.
    """
    widths = [max(steps, 1.4) for _, steps, _, _ in configurations]
    fig, axes = plt.subplots(1, len(configurations), figsize=(9.5, 2.6), squeeze=False,
                             gridspec_kw={"width_ratios": widths})
    axes = axes[0]
    arrow = dict(arrowstyle="->", color=ARROW, lw=1)
    for ax, (title, steps, reads, emits) in zip(axes, configurations):
        for t in range(steps):
            ax.add_patch(plt.Rectangle((t - 0.3, 0.7), 0.6, 0.6, fc=STATE_FACE, ec=STATE_EDGE))  # h_t
            if t > 0:
                ax.annotate("", (t - 0.3, 1), (t - 0.7, 1), arrowprops=arrow)  # h_{t-1} -> h_t
            if t in reads:
                ax.add_patch(plt.Rectangle((t - 0.3, -0.3), 0.6, 0.6, fc=INPUT_FACE, ec=INPUT_EDGE))  # x_t
                ax.annotate("", (t, 0.7), (t, 0.3), arrowprops=arrow)
            if t in emits:
                ax.add_patch(plt.Rectangle((t - 0.3, 1.7), 0.6, 0.6, fc=OUTPUT_FACE, ec=OUTPUT_EDGE))  # y_t
                ax.annotate("", (t, 1.7), (t, 1.3), arrowprops=arrow)
        ax.set(xlim=(-0.6, max(steps, 1.6) - 0.4), ylim=(-0.5, 2.5), xticks=range(steps), yticks=[])
        ax.set_title(title, fontsize=9)
        ax.set_xticklabels([str(t + 1) for t in range(steps)], fontsize=8)
        ax.set_xlabel("step t", fontsize=8)
        _bare(ax)
    axes[0].set_yticks([0, 1, 2], ["input $x_t$", "state $h_t$", "output $y_t$"], fontsize=8)
    fig.suptitle("Output configurations of an RNN", fontsize=10)
    fig.tight_layout()
    return fig
