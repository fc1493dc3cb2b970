"""LSTM variants as options of one cell, for ablations (Greff et al. 2017), and the
forget-gate bias initialisation (Jozefowicz et al. 2015).

All variants keep ``torch.nn.LSTMCell``'s parameters (four row blocks i, f, g, o), so a
state_dict moves between them; a removed gate's block is simply not used (its gradient
is zero). With every option at its default the cell *is* ``torch.nn.LSTMCell``::

    a = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh = [a_i, a_f, a_g, a_o]
    i = sigmoid(a_i),  g = tanh(a_g)
    f = sigmoid(a_f)          forget_gate=True (default)
    f = 1                     forget_gate=False   (the 1997 LSTM: c_t = c_{t-1} + i * g)
    f = 1 - i                 coupled=True        (CIFG: input and forget gates coupled)
    o = sigmoid(a_o)          output_gate=True (default)
    o = 1                     output_gate=False   (h_t = tanh(c_t))
    c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import input_error
from .cells import LSTMCell, _affine


def lstm_variant_step(x, h_prev, c_prev, w_ih, w_hh, b_ih=None, b_hh=None, *, forget_gate=True,
                      output_gate=True, coupled=False):
    """One step of an LSTM variant; the defaults give ``torch.nn.LSTMCell``'s step.

    Parameters
    ----------
    x, h_prev, c_prev : Tensor
        Input, previous hidden and cell state.
    w_ih, w_hh, b_ih, b_hh : Tensor
        ``LSTMCell``'s parameters, row blocks i, f, g, o (biases may be None).
    forget_gate : bool
        False: ``f = 1``, the cell state is never scaled down.
    output_gate : bool
        False: ``o = 1``, ``h_t = tanh(c_t)``.
    coupled : bool
        True: ``f = 1 - i`` (the forget block is unused); needs ``forget_gate=True``.

    Returns
    -------
    h_next, c_next : Tensor

    Shapes
    ------
    x (N, D), h_prev and c_prev (N, H), w_ih (4H, D), w_hh (4H, H), biases (4H,)
    -> h_next (N, H), c_next (N, H)
    """
    a = _affine(x, w_ih, b_ih) + _affine(h_prev, w_hh, b_hh)  # (N, 4H)
    a_i, a_f, a_g, a_o = a.chunk(4, dim=1)  # 4 x (N, H)
    i, g = torch.sigmoid(a_i), torch.tanh(a_g)  # (N, H)
    if coupled:
        f = 1 - i  # (N, H)
    elif forget_gate:
        f = torch.sigmoid(a_f)  # (N, H)
    else:
        f = torch.ones_like(i)  # (N, H)
    o = torch.sigmoid(a_o) if output_gate else torch.ones_like(i)  # (N, H)
    # c_t = f * c_{t-1} + i * g
    c_next = f * c_prev + i * g  # (N, H)
    # h_t = o * tanh(c_t)
    return o * torch.tanh(c_next), c_next  # (N, H), (N, H)


class LSTMVariantCell(LSTMCell):
    """``LSTMCell`` with gates that can be removed or coupled (see the module docstring).

    Parameters
    ----------
    input_size, hidden_size, bias, device, dtype
        As ``torch.nn.LSTMCell``.
    forget_gate, output_gate, coupled : bool, keyword only
        The options of :func:`lstm_variant_step`.

    Shapes
    ------
    x (N, D) or (D,); hx = (h, c), each (N, H), or None -> (h', c'), each (N, H)
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, *, forget_gate=True,
                 output_gate=True, coupled=False):
        if coupled and not forget_gate:
            raise input_error("LSTMVariantCell", ("coupled", "forget_gate"),
                              "forget_gate=True with coupled=True (the forget gate is then 1 - i)",
                              "forget_gate=False")
        self.forget_gate, self.output_gate, self.coupled = bool(forget_gate), bool(output_gate), bool(coupled)
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def extra_repr(self) -> str:
        return (super().extra_repr() + f", forget_gate={self.forget_gate}, output_gate={self.output_gate}, "
                f"coupled={self.coupled}")

    def forward(self, x, hx=None):
        if hx is not None and not (isinstance(hx, tuple) and len(hx) == 2):
            raise input_error("LSTMVariantCell.forward", "hx", "a tuple (h, c) of two (N, H) tensors",
                              type(hx).__name__)
        x, (h, c), batched = self._check(x, hx if hx is not None else (None, None), "LSTMVariantCell")
        h, c = lstm_variant_step(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh,
                                 forget_gate=self.forget_gate, output_gate=self.output_gate, coupled=self.coupled)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class VariantLSTM(nn.Module):
    """One batch-first LSTM layer built from an :class:`LSTMVariantCell` stepped through time.

    Autograd through the step loop (slower than ``rnnlearn.torch.LSTM``, fine for small
    ablations; :class:`rnnlearn.torch.stacked.StackedLSTM` trains many variants and seeds in
    one pass, with a hand-written backward). Parameters are the cell's: ``cell.weight_ih`` ... .

    Parameters
    ----------
    input_size, hidden_size : int
    **options
        ``forget_gate``, ``output_gate``, ``coupled``, as :class:`LSTMVariantCell`.

    Shapes
    ------
    x (N, T, D); hx = (h_0, c_0), each (1, N, H), or None
    -> output (N, T, H), (h_n, c_n), each (1, N, H), as ``torch.nn.LSTM(batch_first=True)``
    """

    def __init__(self, input_size, hidden_size, **options):
        super().__init__()
        self.cell = LSTMVariantCell(input_size, hidden_size, **options)

    def forward(self, x, hx=None):
        if x.dim() != 3 or x.shape[2] != self.cell.input_size:
            raise input_error("VariantLSTM.forward", "x", f"shape (N, T, D) with D = {self.cell.input_size}",
                              f"shape {tuple(x.shape)}", fixed=[("D", self.cell.input_size, "argument 'input_size'")])
        state = None if hx is None else (hx[0][0], hx[1][0])
        outputs = []
        for t in range(x.shape[1]):
            state = self.cell(x[:, t], state)
            outputs.append(state[0])
        return torch.stack(outputs, dim=1), (state[0][None], state[1][None])


def init_forget_bias_(module: nn.Module, value: float = 1.0) -> nn.Module:
    """Make every LSTM forget gate's effective bias ``b_if + b_hf`` equal ``value``.

    PyTorch has no option for it (Jozefowicz et al. 2015 recommend 1). With gate blocks
    i, f, g, o the forget block is rows ``[H:2H]`` of each ``bias_ih*`` and ``bias_hh*``:
    this sets that slice of ``bias_ih*`` to ``value`` and of ``bias_hh*`` to 0, in every
    layer and direction of ``torch.nn.LSTM``/``LSTMCell`` or their ``rnnlearn.torch``
    counterparts found in ``module``. Returns ``module``.

    Shapes
    ------
    bias_ih, bias_hh (4H,): rows [H:2H] changed.
    """
    found = False
    with torch.no_grad():
        for m in module.modules():
            if not (isinstance(m, (nn.LSTMCell, LSTMCell)) or getattr(m, "mode", None) == "LSTM"):
                continue  # a GRU's or a Linear's biases are left alone
            for name, p in m.named_parameters(recurse=False):
                if name.startswith(("bias_ih", "bias_hh")):
                    H = p.shape[0] // 4
                    p[H:2 * H] = value if name.startswith("bias_ih") else 0.0
                    found = True
    if not found:
        raise input_error("init_forget_bias_", "module", "an LSTM with biases (bias_ih*, bias_hh* of shape (4H,))",
                          type(module).__name__)
    return module
