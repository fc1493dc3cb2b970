"""The LSTM cell as a diagram, drawn with Matplotlib in the colours of chapter 1's figures.

The picture follows the equations of ``rnnlearn.numpy.lstm_step_forward`` (gate blocks
i, f, g, o): the cell state runs along the top (the "highway" ``c_{t-1} -> c_t``, touched
only by one product and one sum), the four gate pre-activations are computed from
``[h_{t-1}, x_t]`` at the bottom, and ``h_t = o * tanh(c_t)`` leaves on the right.
"""

from __future__ import annotations

from .colors import INPUT_EDGE, INPUT_FACE, STATE_EDGE, STATE_FACE

# Chapter 1's colours (face, edge): inputs yellow, hidden state blue.
INPUT = (INPUT_FACE, INPUT_EDGE)
HIDDEN = (STATE_FACE, STATE_EDGE)
# The cell state gets one more colour of the same palette; gates are neutral grey.
CELL = ("#fce8e6", "#d93025")
GATE = ("#f1f3f4", "#5f6368")

# The gate table: (symbol, activation, range, role), in PyTorch's block order i, f, g, o.
GATES = (
    ("i", "sigmoid", "(0, 1)", "input gate: how much of the candidate g is written"),
    ("f", "sigmoid", "(0, 1)", "forget gate: how much of c_{t-1} is kept"),
    ("g", "tanh", "(-1, 1)", "candidate: the value that may be written"),
    ("o", "sigmoid", "(0, 1)", "output gate: how much of tanh(c_t) is shown as h_t"),
)


def _box(ax, x, y, text, colours, *, w=0.55, h=0.42, fontsize=11, round_=True):
    import matplotlib.patches as mpatches

    style = "round,pad=0.02,rounding_size=0.08" if round_ else "square,pad=0.02"
    ax.add_patch(mpatches.FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=style,
                                         fc=colours[0], ec=colours[1], lw=1.5, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def _op(ax, x, y, text, colours):
    import matplotlib.patches as mpatches

    ax.add_patch(mpatches.Circle((x, y), 0.2, fc=colours[0], ec=colours[1], lw=1.5, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=12, zorder=4)


def _arrow(ax, start, end, colour="0.3", lw=1.3):
    ax.annotate("", end, start, arrowprops=dict(arrowstyle="-|>", color=colour, lw=lw,
                                                shrinkA=0, shrinkB=0), zorder=2)


def draw_lstm_cell(ax=None):
    """Draw one LSTM step: the cell-state path on top, the gates below.

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new 7.5 x 3.8 inch figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (axis lines hidden).

    Shapes
    ------
    A diagram: no arrays in or out.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.8))
    top, gate_y, bottom = 3.0, 1.35, 0.2
    gx = {"f": 2.0, "i": 3.2, "g": 4.2, "o": 5.6}  # gate columns
    # inputs: [h_{t-1}, x_t] enter at the bottom and feed all four gates
    _box(ax, 0.3, 0.75, "$h_{t-1}$", HIDDEN)
    _box(ax, 1.2, bottom - 0.05, "$x_t$", INPUT)
    ax.plot([0.58, 5.6], [0.75, 0.75], color="0.3", lw=1.3, zorder=1)
    _arrow(ax, (1.2, bottom + 0.16), (1.2, 0.75))
    labels = {"f": r"$\sigma$", "i": r"$\sigma$", "g": r"$\tanh$", "o": r"$\sigma$"}
    for name, x in gx.items():
        _arrow(ax, (x, 0.75), (x, gate_y - 0.21))
        _box(ax, x, gate_y, labels[name], GATE, w=0.62, fontsize=10, round_=False)
        ax.text(x + 0.36, gate_y - 0.32, f"${name}_t$", fontsize=10, color=GATE[1])
    # the cell-state highway: c_{t-1} -> (x f) -> (+ i*g) -> c_t
    _box(ax, 0.3, top, "$c_{t-1}$", CELL)
    _box(ax, 7.4, top, "$c_t$", CELL)
    _op(ax, gx["f"], top, r"$\times$", CELL)
    _op(ax, 3.7, top, "$+$", CELL)
    _arrow(ax, (0.58, top), (gx["f"] - 0.2, top), CELL[1], 2.5)
    _arrow(ax, (gx["f"] + 0.2, top), (3.5, top), CELL[1], 2.5)
    _arrow(ax, (3.9, top), (7.12, top), CELL[1], 2.5)
    _arrow(ax, (gx["f"], gate_y + 0.21), (gx["f"], top - 0.2))
    # i * g joins the sum
    _op(ax, 3.7, 2.2, r"$\times$", GATE)
    _arrow(ax, (gx["i"], gate_y + 0.21), (3.55, 2.07))
    _arrow(ax, (gx["g"], gate_y + 0.21), (3.85, 2.07))
    _arrow(ax, (3.7, 2.4), (3.7, top - 0.2))
    # h_t = o * tanh(c_t)
    _box(ax, 6.3, 2.3, r"$\tanh$", GATE, w=0.62, fontsize=10, round_=False)
    _arrow(ax, (6.3, top), (6.3, 2.51))
    _op(ax, 6.3, 1.35, r"$\times$", GATE)
    _arrow(ax, (6.3, 2.09), (6.3, 1.55))
    _arrow(ax, (gx["o"] + 0.31, gate_y), (6.1, 1.35))
    _box(ax, 7.4, 1.35, "$h_t$", HIDDEN)
    _arrow(ax, (6.5, 1.35), (7.12, 1.35))
    ax.text(4.9, top + 0.28, r"cell state: $c_t = f_t \odot c_{t-1} + i_t \odot g_t$",
            ha="center", fontsize=9, color=CELL[1])
    ax.text(7.1, 0.72, r"$h_t = o_t \odot \tanh(c_t)$", ha="center", fontsize=9, color=HIDDEN[1])
    ax.text(3.4, 0.45, r"each gate: $W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}$, its block",
            ha="center", fontsize=8, color="0.35")
    ax.set(xlim=(-0.2, 7.9), ylim=(-0.25, 3.55), aspect="equal")
    ax.axis("off")
    return ax
