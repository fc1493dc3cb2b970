"""Parameter accounting: what a recurrent cell costs, and the hidden size that fits a budget.

A cell with G row blocks (tanh RNN 1; GRU 3: r, z, n; LSTM 4: i, f, g, o) has, in
``torch.nn``'s layout with its two biases, ``G * (H * D + H * H + 2 * H)`` parameters; a
linear read-out of K outputs on ``h_t`` adds ``K * H + K``. Each further stacked layer reads
the H outputs of the layer below, so it costs ``G * (2 * H * H + 2 * H)``. Comparing cells
(Chung et al. 2014), or depths, "at equal parameter budget" means choosing each model's H so
these counts match.
"""

import math
import numbers

from ..errors import input_error
from .params import GATES


def _check_int(fn, name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise input_error(fn, name, f"an integer >= {minimum}", repr(value))
    return int(value)


def _check_cell(fn, cell):
    if cell not in GATES:
        raise input_error(fn, "cell", f"one of {sorted(GATES)}", repr(cell))
    return GATES[cell]


def cell_param_count(cell, D, H, *, output_size=0, num_layers=1):
    r"""Number of parameters of a ``torch.nn`` recurrent layer (L stacked), plus an optional linear head.

    .. math::
        P(H) = G\,(H D + H^2 + 2H) + (L - 1)\,G\,(2H^2 + 2H) + K\,(H + 1)

    with G = 1 (``"rnn"``), 3 (``"gru"``) or 4 (``"lstm"``) row blocks, K = ``output_size`` and
    L = ``num_layers`` (``torch.nn.LSTM(D, H, num_layers=L)``: layers above the first read H inputs).

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    D, H : int
        Input and hidden sizes (>= 1).
    output_size : int
        Outputs of a linear head on ``h_t`` (0: no head).
    num_layers : int
        Stacked layers L (>= 1), one direction.

    Returns
    -------
    int

    Shapes
    ------
    Sizes in, a count out: D and H as in ``API.md``, K outputs.
    """
    fn = "cell_param_count"
    G = _check_cell(fn, cell)
    D, H = _check_int(fn, "D", D, 1), _check_int(fn, "H", H, 1)
    n_out = _check_int(fn, "output_size", output_size, 0)
    L = _check_int(fn, "num_layers", num_layers, 1)
    # P(H) = G (H D + H^2 + 2H) + (L - 1) G (2H^2 + 2H) + K (H + 1), K = output_size
    return G * (H * D + H * H + 2 * H) + (L - 1) * G * (2 * H * H + 2 * H) + n_out * (H + 1)


def hidden_size_for_budget(cell, D, budget, *, output_size=0, num_layers=1):
    r"""The hidden size H whose :func:`cell_param_count` is closest to ``budget``.

    Solves :math:`G(2L - 1) H^2 + (G(D + 2L) + K) H + K = P` for H and compares the two
    integers around the root; on a tie the smaller H wins. At least 1.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    D : int
        Input size.
    budget : int
        Target number of parameters (>= 1), e.g. ``cell_param_count("lstm", D, 32)``.
    output_size : int
        Outputs of a linear head, counted in the budget.
    num_layers : int
        Stacked layers L (>= 1): the depth whose width is wanted.

    Returns
    -------
    int

    Shapes
    ------
    Sizes in, a size out.
    """
    fn = "hidden_size_for_budget"
    G = _check_cell(fn, cell)
    D = _check_int(fn, "D", D, 1)
    budget = _check_int(fn, "budget", budget, 1)
    n_out = _check_int(fn, "output_size", output_size, 0)
    L = _check_int(fn, "num_layers", num_layers, 1)
    a, b, c = G * (2 * L - 1), G * (D + 2 * L) + n_out, n_out - budget  # a H^2 + b H + c = 0
    root = (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    candidates = sorted({max(1, math.floor(root)), max(1, math.ceil(root))})
    return min(candidates, key=lambda H: abs(cell_param_count(cell, D, H, output_size=n_out, num_layers=L) - budget))
