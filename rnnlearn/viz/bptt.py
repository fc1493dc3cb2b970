"""Diagrams of backpropagation through time (chapter 2): the two gradient paths into a
hidden state, and the windows of truncated BPTT(k1, k2).

Each function draws a new figure and returns it; nothing is shown or saved here.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from ..errors import input_error
from .colors import ARROW, OUTPUT_EDGE, STATE_EDGE, STATE_FACE
from .diagrams import unrolled_grid

LOCAL = "#d62728"  # the gradient of the step's own loss
CARRIED = "#1f77b4"  # the gradient carried back from the future


def draw_gradient_paths(T: int = 4, t: int = 2) -> plt.Figure:
    """The unrolled RNN with a loss at every step, and the two paths of the gradient into ``h_t``.

    Forward arrows are grey. The gradient ``dh_t`` is the sum of two terms, drawn in colour
    and pointing backwards: ``dl_t/dh_t`` from the step's own loss (``dh_seq[:, t]`` in the
    code) and ``da_{t+1} W_hh`` carried back from step ``t + 1`` (and so from every later loss).

    Parameters
    ----------
    T : int
        Number of steps drawn (at least 2).
    t : int
        The state whose gradient is shown, ``1 <= t < T``.

    Returns
    -------
    matplotlib.figure.Figure

    Shapes
    ------
    No arrays: ``h_0`` and ``T`` columns of boxes (input, state, loss).
    """
    if isinstance(T, bool) or not isinstance(T, int) or T < 2:
        raise input_error("draw_gradient_paths", "T", "an integer >= 2", repr(T))
    if isinstance(t, bool) or not isinstance(t, int) or not 1 <= t < T:
        raise input_error("draw_gradient_paths", "t", f"an integer with 1 <= t < T = {T}", repr(t))
    fig, ax = plt.subplots(figsize=(7, 3.0))
    unrolled_grid(ax, T, "\\ell", lw=1, skip_top=(t,))  # the arrow h_t -> l_t is drawn as a gradient below
    gradient = dict(arrowstyle="->", lw=2.2)
    # path 1: the step's own loss, l_t -> h_t (backwards)
    ax.annotate("", (t, 1.2), (t, 1.8), arrowprops=dict(gradient, color=LOCAL))
    ax.text(t - 0.06, 1.5, "$\\partial \\ell_t / \\partial h_t$", color=LOCAL, ha="right", va="center", fontsize=10)
    # path 2: everything after step t, through h_{t+1} (backwards)
    ax.annotate("", (t + 0.2, 0.88), (t + 0.8, 0.88), arrowprops=dict(gradient, color=CARRIED))
    ax.text(t + 0.5, 0.62, "$da_{t+1} W_{hh}$", color=CARRIED, ha="center", va="center", fontsize=10)
    ax.annotate("", (t + 1.2, 0.88), (T + 0.45, 0.88), arrowprops=dict(gradient, color=CARRIED, alpha=0.35))
    ax.text(t, 2.55, f"$dh_{t}$ = red + blue", ha="center", fontsize=10)
    ax.set(xlim=(-0.5, T + 0.6), ylim=(-0.5, 2.8), xticks=range(T + 1), xlabel="time step",
           title=f"Two paths carry the gradient into $h_{t}$")
    ax.set_yticks([0, 1, 2], ["input", "hidden state", "loss"])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def tbptt_spans(T: int, k1: int, k2: int) -> list[tuple[int, int, int]]:
    """The windows of TBPTT(k1, k2) over ``T`` steps, as ``rnnlearn.train.tbptt_windows`` walks them.

    Parameters
    ----------
    T : int
        Sequence length.
    k1, k2 : int
        Steps between updates, and how far back each update reaches (``k2 >= k1 >= 1``).

    Returns
    -------
    list of (int, int, int)
        ``(start, first, end)`` per update, steps counted from 0: the update's losses are
        those of steps ``first .. end - 1``, and its gradient reaches back to ``start``.

    Shapes
    ------
    ``ceil(T / k1)`` triples.
    """
    for name, k in (("T", T), ("k1", k1), ("k2", k2)):
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise input_error("tbptt_spans", name, "a positive integer", repr(k))
    if k2 < k1:
        raise input_error("tbptt_spans", ("k1", "k2"), "k2 >= k1", f"k1={k1}, k2={k2}")
    spans = []
    for first in range(0, T, k1):
        end = min(first + k1, T)
        spans.append((max(0, end - k2), first, end))
    return spans


def draw_tbptt_windows(T: int = 32, configs=((8, 8), (8, 16))) -> plt.Figure:
    """One panel per TBPTT(k1, k2): a row per update, its losses and how far back its gradient reaches.

    In each row the dark bar marks the ``k1`` steps whose losses the update uses, the light
    bar the earlier steps its gradient still reaches (``k2`` steps in all), and the mark at
    the left end the state the window starts from, detached from the graph.

    Parameters
    ----------
    T : int
        Sequence length.
    configs : sequence of (int, int)
        The ``(k1, k2)`` pairs, one panel each.

    Returns
    -------
    matplotlib.figure.Figure

    Shapes
    ------
    No arrays: ``len(configs)`` panels of ``ceil(T / k1)`` rows.
    """
    configs = list(configs)
    if not configs:
        raise input_error("draw_tbptt_windows", "configs", "at least one (k1, k2) pair", "an empty sequence")
    spans = [tbptt_spans(T, k1, k2) for k1, k2 in configs]
    rows = max(len(s) for s in spans)
    fig, axes = plt.subplots(1, len(configs), figsize=(4.2 * len(configs), 0.45 * rows + 1.4), squeeze=False,
                             sharey=True)
    for ax, (k1, k2), windows in zip(axes[0], configs, spans):
        for row, (start, first, end) in enumerate(windows):
            ax.barh(row, first - start, left=start, height=0.6, color=STATE_FACE, ec=STATE_EDGE)
            ax.barh(row, end - first, left=first, height=0.6, color=OUTPUT_EDGE, ec=OUTPUT_EDGE)
            ax.plot([start], [row], marker="|", ms=12, mew=2, color=ARROW)
        ax.set(xlim=(0, T), xlabel="time step", title=f"TBPTT({k1}, {k2}): update every {k1}, "
                                                     f"backpropagate {k2}")
        ax.title.set_fontsize(9)
    axes[0][0].legend(handles=[Patch(fc=OUTPUT_EDGE, label="steps whose losses the update uses"),
                               Patch(fc=STATE_FACE, ec=STATE_EDGE, label="earlier steps its gradient reaches")],
                      loc="lower left", fontsize=7)
    axes[0][0].set(ylim=(rows - 0.5, -0.5), ylabel="update", yticks=range(rows),
                   yticklabels=[str(r + 1) for r in range(rows)])
    fig.tight_layout()
    return fig
