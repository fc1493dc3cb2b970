"""The GRU cell as a diagram, in the style and colours of chapter 4's LSTM cell.

The picture follows the equations of ``rnnlearn.numpy.gru_step_forward`` (PyTorch's
convention, row blocks r, z, n): the hidden state runs along the top (``h_{t-1} -> h_t``,
touched by one product with z and one sum), the gates are computed from ``[h_{t-1}, x_t]``
at the bottom, and the reset gate multiplies ``W_hn h_{t-1} + b_hn`` before the tanh.
"""

from __future__ import annotations

from .lstm_cell import GATE, HIDDEN, INPUT, _arrow, _box, _op

# The gate table: (symbol, activation, range, role), in PyTorch's block order r, z, n.
GATES = (
    ("r", "sigmoid", "(0, 1)", "reset gate: how much of W_hn h_{t-1} + b_hn enters the candidate"),
    ("z", "sigmoid", "(0, 1)", "update gate: how much of h_{t-1} is kept"),
    ("n", "tanh", "(-1, 1)", "candidate: the new value, written with weight 1 - z"),
)


def draw_gru_cell(ax=None):
    """Draw one GRU step: the hidden-state path on top, the gates below.

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
    top, gate_y, bus, bottom = 3.0, 1.35, 0.75, 0.2
    gx = {"z": 2.2, "r": 3.2, "n": 5.4}  # gate columns
    # inputs: h_{t-1} comes down from the top-left, x_t up from the bottom; both feed every gate
    _box(ax, 0.3, top, "$h_{t-1}$", HIDDEN)
    _box(ax, 1.5, bottom - 0.05, "$x_t$", INPUT)
    ax.plot([0.9, 0.9, 5.4], [top, bus, bus], color="0.3", lw=1.3, zorder=1)
    _arrow(ax, (1.5, bottom + 0.16), (1.5, bus))
    for name in ("z", "r"):
        _arrow(ax, (gx[name], bus), (gx[name], gate_y - 0.21))
        _box(ax, gx[name], gate_y, r"$\sigma$", GATE, w=0.62, fontsize=10, round_=False)
        ax.text(gx[name] + 0.36, gate_y - 0.32, f"${name}_t$", fontsize=10, color=GATE[1])
    # the reset gate multiplies W_hn h_{t-1} + b_hn, then the tanh adds W_in x_t + b_in
    _op(ax, 4.3, gate_y, r"$\times$", GATE)
    _arrow(ax, (4.3, bus), (4.3, gate_y - 0.2))
    ax.text(4.3, 0.5, r"$W_{hn} h_{t-1} + b_{hn}$", ha="center", fontsize=7, color="0.35")
    _arrow(ax, (gx["r"] + 0.31, gate_y), (4.1, gate_y))
    _box(ax, gx["n"], gate_y, r"$\tanh$", GATE, w=0.62, fontsize=10, round_=False)
    _arrow(ax, (4.5, gate_y), (gx["n"] - 0.31, gate_y))
    _arrow(ax, (gx["n"], bus), (gx["n"], gate_y - 0.21))
    ax.text(gx["n"] + 0.36, gate_y - 0.32, "$n_t$", fontsize=10, color=GATE[1])
    # the hidden-state highway: h_{t-1} -> (x z) -> (+ (1 - z) * n) -> h_t
    _op(ax, gx["z"], top, r"$\times$", HIDDEN)
    _op(ax, gx["n"], top, "$+$", HIDDEN)
    _box(ax, 7.4, top, "$h_t$", HIDDEN)
    _arrow(ax, (0.58, top), (gx["z"] - 0.2, top), HIDDEN[1], 2.5)
    _arrow(ax, (gx["z"] + 0.2, top), (gx["n"] - 0.2, top), HIDDEN[1], 2.5)
    _arrow(ax, (gx["n"] + 0.2, top), (7.12, top), HIDDEN[1], 2.5)
    _arrow(ax, (gx["z"], gate_y + 0.21), (gx["z"], top - 0.2))
    # (1 - z) * n joins the sum
    _op(ax, 3.6, 2.2, "", GATE)
    ax.text(3.6, 2.2, "$1-$", ha="center", va="center", fontsize=8, zorder=4)
    _arrow(ax, (gx["z"], 2.2), (3.4, 2.2))
    _op(ax, gx["n"], 2.2, r"$\times$", GATE)
    _arrow(ax, (3.8, 2.2), (gx["n"] - 0.2, 2.2))
    _arrow(ax, (gx["n"], gate_y + 0.21), (gx["n"], 2.0))
    _arrow(ax, (gx["n"], 2.4), (gx["n"], top - 0.2))
    ax.text(4.0, top + 0.28, r"hidden state: $h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}$",
            ha="center", fontsize=9, color=HIDDEN[1])
    ax.text(3.6, -0.5, r"each gate: $W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}$, its block "
            r"(for $n_t$: $W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})$)",
            ha="center", fontsize=7.5, color="0.35")
    ax.set(xlim=(-0.2, 7.9), ylim=(-0.65, 3.55), aspect="equal")
    ax.axis("off")
    return ax
