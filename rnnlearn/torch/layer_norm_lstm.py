"""The layer-normalised LSTM of Ba, Kiros and Hinton (2016), gates in torch's order i, f, g, o.

Layer normalisation of a vector ``z`` of size K, over its K entries (not over the batch)::

    LN(z; gamma, beta) = gamma * (z - mean(z)) / sqrt(var(z) + eps) + beta

The paper normalises the input and the recurrent contributions to the gate
pre-activations separately, and the cell state before the output nonlinearity::

    a_t = LN(W_ih x_t; gamma_ih) + b_ih + LN(W_hh h_{t-1}; gamma_hh) + b_hh      (N, 4H)
    i, f, o = sigmoid(a_i, a_f, a_o);  g = tanh(a_g)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(LN(c_t; gamma_c, beta_c))

Each LN of ``W x`` and ``W h`` is over all 4H gate pre-activations at once, as in the paper's
equations (some implementations normalise each gate separately). The paper's two LN shifts
and its bias ``b`` add up, so here they are ``torch.nn.LSTMCell``'s two biases ``b_ih`` and
``b_hh``; the weights and biases have LSTMCell's names and shapes, so an LSTMCell's
state_dict loads with ``strict=False`` (the gains start at 1 and the shift at 0). The cell
state ``c_t`` itself is carried unnormalised.

Why: the normalised pre-activations do not change when ``W_ih`` or ``W_hh`` is scaled, so the
size of the recurrent weights can no longer blow up or shrink the gates step after step.
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import input_error
from ._checks import check_tensor, from_arg, shape_error
from ._fused_ln_lstm import LayerNormLSTMFunction
from .cells import _CellBase, init_uniform_


def _gates_to_state(a, c_prev, ln_c):
    """From the pre-activations ``a`` (N, 4H) and c_{t-1} to (h_t, c_t)."""
    a_i, a_f, a_g, a_o = a.chunk(4, dim=1)  # 4 x (N, H)
    i, f, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.sigmoid(a_o)  # (N, H)
    g = torch.tanh(a_g)  # (N, H)
    # c_t = f * c_{t-1} + i * g
    c = f * c_prev + i * g  # (N, H)
    # h_t = o * tanh(LN(c_t))
    h = o * torch.tanh(ln_c(c))  # (N, H)
    return h, c


class LayerNormLSTMCell(_CellBase):
    """One layer-normalised LSTM step (Ba et al. 2016); the equations are in the module docstring.

    Parameters
    ----------
    input_size, hidden_size : int
        D and H.
    bias : bool
        With ``bias_ih``, ``bias_hh`` and the shift of ``ln_c`` (default), or none of them.
    device, dtype
        As for ``torch.nn.LSTMCell``.

    Attributes
    ----------
    weight_ih, weight_hh, bias_ih, bias_hh : torch.nn.Parameter
        As ``torch.nn.LSTMCell``: (4H, D), (4H, H), (4H,) and (4H,).
    ln_ih, ln_hh : torch.nn.LayerNorm
        Over the 4H gate pre-activations, with a gain only.
    ln_c : torch.nn.LayerNorm
        Over the H units of the cell state, with a gain and a shift.

    Shapes
    ------
    x (N, D) or (D,); hx = (h, c), each (N, H), or None (zeros) -> (h', c'), each (N, H)
    """

    gates = 4

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, device, dtype)  # weight_ih, weight_hh, bias_ih, bias_hh
        kw = {"device": device, "dtype": dtype}
        self.ln_ih = nn.LayerNorm(4 * hidden_size, bias=False, **kw)  # gain gamma_ih, initialised to 1
        self.ln_hh = nn.LayerNorm(4 * hidden_size, bias=False, **kw)  # gain gamma_hh
        self.ln_c = nn.LayerNorm(hidden_size, bias=bias, **kw)  # gain gamma_c and shift beta_c

    def reset_parameters(self) -> None:
        """Weights and biases U(-1/sqrt(H), 1/sqrt(H)) as ``torch.nn``; LN gains 1, shift 0."""
        init_uniform_(self, self.hidden_size)
        for ln in self.children():  # none yet while _CellBase.__init__ runs
            ln.reset_parameters()

    def input_part(self, x):
        """``LN(W_ih x; gamma_ih) + b_ih``, for any number of leading dimensions: (..., D) -> (..., 4H)."""
        a_x = self.ln_ih(x @ self.weight_ih.t())  # (..., 4H)
        return a_x if self.bias_ih is None else a_x + self.bias_ih

    def step(self, a_x, h_prev, c_prev):
        """One step from the input part ``a_x`` (N, 4H) of :meth:`input_part`: returns (h_t, c_t), (N, H)."""
        # a_t = [LN(W_ih x_t) + b_ih] + LN(W_hh h_{t-1}) + b_hh
        a_h = self.ln_hh(h_prev @ self.weight_hh.t())  # (N, 4H)
        a = a_x + (a_h if self.bias_hh is None else a_h + self.bias_hh)  # (N, 4H)
        return _gates_to_state(a, c_prev, self.ln_c)

    def forward(self, x, hx=None):
        """Return ``(h', c')``, as ``torch.nn.LSTMCell``."""
        if hx is not None and not (isinstance(hx, tuple) and len(hx) == 2):
            raise input_error("LayerNormLSTMCell.forward", "hx", "a tuple (h, c) of two (N, H) tensors",
                              type(hx).__name__ if not isinstance(hx, tuple) else f"a tuple of {len(hx)}")
        x, (h, c), batched = self._check(x, hx if hx is not None else (None, None), "LayerNormLSTMCell")
        h, c = self.step(self.input_part(x), h, c)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class LayerNormLSTM(nn.Module):
    """A :class:`LayerNormLSTMCell` run over a sequence, with ``torch.nn.LSTM``'s forward for one layer.

    The input part ``LN(W_ih x_t) + b_ih`` of every step is computed in one call before the
    loop over time; the recurrent part is computed step by step: by default in
    ``_fused_ln_lstm.LayerNormLSTMFunction`` (a loop with ``out=`` buffers and a hand-written
    BPTT backward), with ``fused=False`` by :meth:`LayerNormLSTMCell.step` looped and
    differentiated by autograd (the reference path; it also supports double backward).

    Parameters
    ----------
    input_size, hidden_size : int
        D and H.
    batch_first : bool
        As ``torch.nn.LSTM``: x (N, T, D) instead of (T, N, D); the states stay (1, N, H).
    bias, device, dtype
        As :class:`LayerNormLSTMCell` (its parameters are under ``cell.``).
    fused : bool, keyword only
        The fast path with the hand-written backward (default), or the autograd reference path.

    Shapes
    ------
    x (T, N, D), or (N, T, D) with batch_first, or unbatched (T, D);
    hx = (h_0, c_0), each (1, N, H) (unbatched (1, H)), or None (zeros)
    -> output (T, N, H) (batch_first: (N, T, H); unbatched (T, H)), (h_n, c_n), each (1, N, H)
    """

    def __init__(self, input_size: int, hidden_size: int, batch_first: bool = False, bias: bool = True,
                 device=None, dtype=None, *, fused: bool = True):
        super().__init__()
        self.input_size, self.hidden_size, self.batch_first = input_size, hidden_size, batch_first
        self.fused = fused
        self.cell = LayerNormLSTMCell(input_size, hidden_size, bias=bias, device=device, dtype=dtype)

    def extra_repr(self) -> str:
        return ", ".join(["batch_first=True"] * self.batch_first + ["fused=False"] * (not self.fused))

    def _check(self, x, hx):
        """Return x as (T, N, D), the states as (N, H), and whether x was batched."""
        func, x_given = "LayerNormLSTM.forward", x
        layout = "(N, T, D)" if self.batch_first else "(T, N, D)"
        check_tensor(func, "x", x, layout)
        if x.dim() not in (2, 3) or x.shape[-1] != self.input_size:
            fixed = [("D", self.input_size, "the constructor's input_size")] if x.dim() in (2, 3) else []
            raise shape_error(func, "x", f"{layout} or unbatched (T, D), with D = {self.input_size}", x,
                              fixed=fixed)
        batched = x.dim() == 3
        x = (x.transpose(0, 1) if self.batch_first else x) if batched else x.unsqueeze(1)  # (T, N, D)
        N, H = x.shape[1], self.hidden_size
        if hx is None:
            return x, x.new_zeros(N, H), x.new_zeros(N, H), batched
        if not (isinstance(hx, tuple) and len(hx) == 2):
            raise input_error(func, "hx", "a tuple (h_0, c_0)",
                              type(hx).__name__ if not isinstance(hx, tuple) else f"a tuple of {len(hx)}")
        want = (1, N, H) if batched else (1, H)
        states = []
        for k, s in enumerate(hx):
            check_tensor(func, f"hx[{k}]", s, "(1, N, H)")
            if tuple(s.shape) != want:
                fixed = [("N", N, from_arg("x", x_given))] if batched else []
                raise shape_error(func, f"hx[{k}]", f"(1, N, H) = {want}" if batched else f"(1, H) = {want}", s,
                                  "one layer, one direction: the first dimension is 1.", fixed)
            states.append(s[0] if batched else s)  # (N, H)
        return x, states[0], states[1], batched

    def forward(self, x, hx=None):
        """Return ``(output, (h_n, c_n))``; see the class docstring for shapes."""
        x, h, c, batched = self._check(x, hx)
        a_x = self.cell.input_part(x)  # (T, N, 4H), all steps at once
        if self.fused:
            cell = self.cell
            a_x = (a_x if cell.bias_hh is None else a_x + cell.bias_hh).contiguous()  # b_hh joins; (T, N, 4H) in memory
            output, h, c = LayerNormLSTMFunction.apply(a_x, h, c, cell.weight_hh, cell.ln_hh.weight,
                                                       cell.ln_c.weight, cell.ln_c.bias, cell.ln_hh.eps,
                                                       cell.ln_c.eps)  # (T, N, H), (N, H), (N, H)
        else:
            outputs = []
            for t in range(x.shape[0]):
                h, c = self.cell.step(a_x[t], h, c)  # (N, H), (N, H)
                outputs.append(h)
            output = torch.stack(outputs)  # (T, N, H)
        if not batched:
            return output.squeeze(1), (h, c)  # (T, H), (1, H) each
        output = output.transpose(0, 1) if self.batch_first else output
        return output, (h.unsqueeze(0), c.unsqueeze(0))  # (1, N, H) each
