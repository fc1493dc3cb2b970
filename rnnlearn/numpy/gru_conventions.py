"""The GRU conventions that disagree across papers and libraries, side by side.

Three GRUs share one parameter layout (``torch.nn.GRUCell``: row blocks r, z, n):

- **PyTorch / cuDNN** (``rnnlearn.numpy.gru_step_forward``): the reset gate multiplies
  ``W_hn h + b_hn``, *after* the product; z keeps the old state.
- **Cho et al. 2014** (Keras ``reset_after=False``): the reset gate multiplies ``h`` *before*
  ``W_hn``. A different function: no change of weights turns one into the other in general.
- **Chung et al. 2014**: ``h_t = (1 - z) * h_{t-1} + z * n``, z writes the new candidate.
  The same family: since ``1 - sigma(a) = sigma(-a)``, negating the z rows of both weights
  and both biases (:func:`flip_update_gate`) turns one convention's weights into the other's.
"""

import numpy as np

from ..errors import input_error
from ._validate import Sizes, check_array, check_params
from .activations import sigmoid
from .gru import gru_param_spec

RESETS = ("after", "before")  # PyTorch's placement first
UPDATES = ("keep", "write")  # z keeps the old state (PyTorch, Cho) / z writes the candidate (Chung)


def gru_convention_step(x, h_prev, params, *, reset="after", update="keep"):
    r"""One GRU step in any of the conventions (``reset="after", update="keep"`` is PyTorch's).

    .. math::
        r &= \sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}), \quad
        z = \sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz}) \\
        n &= \tanh(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn}))
             \quad\text{(reset="after": PyTorch, cuDNN)} \\
        n &= \tanh(W_{in} x + b_{in} + W_{hn} (r \odot h) + b_{hn})
             \quad\text{(reset="before": Cho et al. 2014)} \\
        h_t &= (1 - z) \odot n + z \odot h \quad\text{(update="keep")}, \qquad
        h_t = z \odot n + (1 - z) \odot h \quad\text{(update="write": Chung et al. 2014)}

    Parameters
    ----------
    x : ndarray
        Input at this step.
    h_prev : ndarray
        Hidden state :math:`h_{t-1}`.
    params : dict
        ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` (``torch.nn.GRUCell``), blocks r, z, n.
    reset : {"after", "before"}
        Where the reset gate acts: on ``W_hn h + b_hn`` or on ``h`` before ``W_hn``.
    update : {"keep", "write"}
        Whether z keeps the old state or writes the candidate.

    Returns
    -------
    h_next : ndarray

    Shapes
    ------
    x: (N, D); h_prev, h_next: (N, H); weight_ih: (3H, D); weight_hh: (3H, H); biases: (3H,).
    """
    fn, sizes = "gru_convention_step", Sizes()
    if reset not in RESETS:
        raise input_error(fn, "reset", f"one of {RESETS}", repr(reset))
    if update not in UPDATES:
        raise input_error(fn, "update", f"one of {UPDATES}", repr(update))
    check_array(fn, "x", x, ("N", "D"), sizes)
    check_array(fn, "h_prev", h_prev, ("N", "H"), sizes)
    check_params(fn, params, gru_param_spec(), sizes)
    gi_r, gi_z, gi_n = np.split(x @ params["weight_ih"].T + params["bias_ih"], 3, axis=1)  # (N, H) each
    W_hr, W_hz, W_hn = np.split(params["weight_hh"], 3, axis=0)  # (H, H) each
    b_hr, b_hz, b_hn = np.split(params["bias_hh"], 3)  # (H,) each
    r = sigmoid(gi_r + h_prev @ W_hr.T + b_hr)  # (N, H)
    z = sigmoid(gi_z + h_prev @ W_hz.T + b_hz)  # (N, H)
    if reset == "after":
        # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        n = np.tanh(gi_n + r * (h_prev @ W_hn.T + b_hn))  # (N, H)
    else:
        # n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)
        n = np.tanh(gi_n + (r * h_prev) @ W_hn.T + b_hn)  # (N, H)
    if update == "write":
        # h_t = z * n + (1 - z) * h_{t-1}
        return z * n + (1.0 - z) * h_prev  # (N, H)
    # h_t = (1 - z) * n + z * h_{t-1}
    return (1.0 - z) * n + z * h_prev  # (N, H)


def flip_update_gate(params):
    r"""Port GRU weights between the two update conventions (``update="keep"`` <-> ``"write"``).

    Negates the z rows ``[H, 2H)`` of ``weight_ih``, ``weight_hh``, ``bias_ih`` and
    ``bias_hh``: then :math:`z' = \sigma(-a_z) = 1 - z`, so a cell of the other convention
    computes the same :math:`h_t`. Its own inverse. The input is not modified.

    Parameters
    ----------
    params : dict
        ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``, blocks r, z, n.

    Returns
    -------
    dict
        New arrays; r and n rows copied unchanged.

    Shapes
    ------
    weight_ih: (3H, D); weight_hh: (3H, H); bias_ih, bias_hh: (3H,), in and out.
    """
    sizes = Sizes()
    check_params("flip_update_gate", params, gru_param_spec(), sizes)
    H = sizes["H"]
    out = {}
    for key in gru_param_spec():
        value = np.array(params[key], copy=True)
        value[H:2 * H] *= -1  # z block: sigma(-a) = 1 - sigma(a)
        out[key] = value
    return out
