"""The LSTM cell diagram draws with Matplotlib alone, in chapter 1's colours."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from rnnlearn.viz import (
    draw_lstm_cell,  # noqa: E402
    lstm_cell,  # noqa: E402
)


def test_diagram_has_every_symbol_and_the_chapter_1_colours():
    fig, ax = plt.subplots()
    assert draw_lstm_cell(ax) is ax
    texts = " ".join(t.get_text() for t in ax.texts)
    for symbol in ("$x_t$", "$h_{t-1}$", "$c_{t-1}$", "$c_t$", "$h_t$", "$f_t$", "$i_t$", "$g_t$", "$o_t$"):
        assert symbol in texts
    edges = {matplotlib.colors.to_hex(p.get_edgecolor()) for p in ax.patches}
    assert {lstm_cell.INPUT[1], lstm_cell.HIDDEN[1], lstm_cell.CELL[1]} <= edges
    plt.close(fig)


def test_gate_table_is_in_torch_order():
    assert [g[0] for g in lstm_cell.GATES] == ["i", "f", "g", "o"]
    assert dict((g[0], g[1]) for g in lstm_cell.GATES)["g"] == "tanh"


def test_importing_draws_nothing():
    before = plt.get_fignums()
    import importlib

    importlib.reload(lstm_cell)
    assert plt.get_fignums() == before
