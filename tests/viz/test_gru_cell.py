"""The GRU cell diagram draws with Matplotlib alone, in chapter 1's colours."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from rnnlearn.viz import draw_gru_cell, gru_cell  # noqa: E402


def test_diagram_has_every_symbol_and_the_chapter_1_colours():
    fig, ax = plt.subplots()
    assert draw_gru_cell(ax) is ax
    texts = " ".join(t.get_text() for t in ax.texts)
    for symbol in ("$x_t$", "$h_{t-1}$", "$h_t$", "$r_t$", "$z_t$", "$n_t$", "$1-$", "W_{hn} h_{t-1} + b_{hn}"):
        assert symbol in texts
    edges = {matplotlib.colors.to_hex(p.get_edgecolor()) for p in ax.patches}
    assert {gru_cell.INPUT[1], gru_cell.HIDDEN[1]} <= edges
    plt.close(fig)


def test_gate_table_is_in_torch_order():
    assert [g[0] for g in gru_cell.GATES] == ["r", "z", "n"]
    assert dict((g[0], g[1]) for g in gru_cell.GATES)["n"] == "tanh"


def test_importing_draws_nothing():
    before = plt.get_fignums()
    import importlib

    importlib.reload(gru_cell)
    assert plt.get_fignums() == before
