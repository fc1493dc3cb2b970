"""Parameter accounting: what a recurrent cell costs, and the hidden size that fits a budget.

A cell with G row blocks (tanh RNN 1; GRU 3: r, z, n; LSTM 4: i, f, g, o) has, in
``torch.nn``'s layout with its two biases, ``G * (H * D + H * H + 2 * H)`` parameters; a
linear read-out of K outputs on ``h_t`` adds ``K * H + K``. Comparing cells "at equal
parameter budget" (Chung et al. 2014) means choosing each cell's H so these counts match.
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


def cell_param_count(cell, D, H, *, output_size=0):
    r"""Number of parameters of one ``torch.nn`` cell (one layer), plus an optional linear head.

    .. math::
        P(H) = G\,(H D + H^2 + 2H) + K\,(H + 1)

    with G = 1 (``"rnn"``), 3 (``"gru"``) or 4 (``"lstm"``) row blocks and K = ``output_size``.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    D, H : int
        Input and hidden sizes (>= 1).
    output_size : int
        Outputs of a linear head on ``h_t`` (0: no head).

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
    # P(H) = G (H D + H^2 + 2H) + K (H + 1), K = output_size
    return G * (H * D + H * H + 2 * H) + n_out * (H + 1)


def hidden_size_for_budget(cell, D, budget, *, output_size=0):
    r"""The hidden size H whose :func:`cell_param_count` is closest to ``budget``.

    Solves :math:`G H^2 + (G(D + 2) + K) H + K = P` for H and compares the two integers
    around the root; on a tie the smaller H wins. At least 1.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    D : int
        Input size.
    budget : int
        Target number of parameters (>= 1), e.g. ``cell_param_count("lstm", D, 32)``.
    output_size : int
        Outputs of a linear head, counted in the budget.

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
    b, c = G * (D + 2) + n_out, n_out - budget  # G H^2 + b H + c = 0
    root = (-b + math.sqrt(b * b - 4 * G * c)) / (2 * G)
    candidates = sorted({max(1, math.floor(root)), max(1, math.ceil(root))})
    return min(candidates, key=lambda H: abs(cell_param_count(cell, D, H, output_size=n_out) - budget))
