"""Multi-layer, optionally bidirectional RNN, LSTM and GRU with ``torch.nn``'s interface.

Same constructor, forward, output layouts and state_dict keys as ``torch.nn.RNN`` /
``LSTM`` / ``GRU``, so a state_dict saved from one loads into the other and both give the
same outputs and gradients. Two interchangeable computations:

- ``fused=True`` (default): per layer and direction, one ``torch.autograd.Function``
  (``_fused*.py``) with the input projection for all steps in one product and a
  hand-written BPTT backward. Fast; no double backward.
- ``fused=False``: the step functions of ``cells.py`` looped over time, differentiated by
  autograd. Slow, but it is the book's equations verbatim: the reference the tests use.

``PackedSequence`` input (``torch.nn.utils.rnn.pack_padded_sequence``) is taken and
returned as ``torch.nn`` does; ``packed.py`` runs it, with no work at padded positions.
Not supported (unlike ``torch.nn``): ``proj_size``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as nnf
from torch import nn

from ..errors import input_error
from ._checks import check_tensor, from_arg, shape_error
from ._fused import RNNFunction
from ._fused_gru import GRUFunction
from ._fused_lstm import LSTMFunction
from .cells import gru_step, init_uniform_, lstm_step, rnn_step
from .packed import run_packed

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class _RNNBase(nn.Module):
    """Parameters (``weight_ih_l{k}[_reverse]`` ...), checks and the layer/direction loop."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, *, fused=True):
        super().__init__()
        name = type(self).__name__
        if not 0.0 <= float(dropout) <= 1.0:
            raise input_error(name, "dropout", "a probability in [0, 1]", repr(dropout))
        if int(num_layers) < 1:
            raise input_error(name, "num_layers", "an integer >= 1", repr(num_layers))
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = int(num_layers), bias, batch_first
        self.dropout, self.bidirectional, self.fused = float(dropout), bidirectional, fused
        self.num_directions = 2 if bidirectional else 1
        G, kw = _GATES[mode], {"device": device, "dtype": dtype}
        for layer in range(self.num_layers):
            layer_in = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in ("", "_reverse")[: self.num_directions]:
                shapes = {"weight_ih": (G * hidden_size, layer_in), "weight_hh": (G * hidden_size, hidden_size)}
                if bias:
                    shapes.update(bias_ih=(G * hidden_size,), bias_hh=(G * hidden_size,))
                for kind, shape in shapes.items():
                    self.register_parameter(f"{kind}_l{layer}{suffix}", nn.Parameter(torch.empty(shape, **kw)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias, as ``torch.nn`` (uses torch's RNG)."""
        init_uniform_(self, self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}"
        for key, default in (("bias", True), ("batch_first", False), ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, key) != default:
                s += f", {key}={getattr(self, key)}"
        return s

    def _weights(self, layer, direction):
        suffix = "_reverse" if direction == 1 else ""
        get = lambda kind: getattr(self, f"{kind}_l{layer}{suffix}", None)  # noqa: E731
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    def _check_input(self, x):
        """Return x time first (T, N, D) and whether it was batched."""
        name = f"{type(self).__name__}.forward"
        layout = "(N, T, D)" if self.batch_first else "(T, N, D)"
        check_tensor(name, "x", x, layout)
        if x.dim() not in (2, 3) or x.shape[-1] != self.input_size:
            hint, fixed = "", []
            if x.dim() in (2, 3):
                fixed = [("D", self.input_size, "the constructor's input_size")]
            if x.dim() == 3 and x.shape[1] == self.input_size:
                hint = "is it (N, D, T)? The features must be the last dimension."
            raise shape_error(name, "x", f"{layout} or unbatched (T, D), with D = {self.input_size}", x, hint,
                              fixed)
        if x.dim() == 2:
            return x.unsqueeze(1), False
        return (x.transpose(0, 1) if self.batch_first else x), True

    def _check_state(self, state, arg, N, batched, like, n_source):
        """Return a state as (L*dirs, N, H): zeros when None. ``n_source`` says what fixed N."""
        L, H = self.num_layers * self.num_directions, self.hidden_size
        if state is None:
            return like.new_zeros(L, N, H)
        name = f"{type(self).__name__}.forward"
        expected = f"(num_layers * num_directions, N, H) = ({L}, {N}, {H})" if batched else f"({L}, {H})"
        check_tensor(name, arg, state, expected)
        given = state
        state = state if batched else state.unsqueeze(1) if state.dim() == 2 else state
        if tuple(state.shape) != (L, N, H):
            hint = "hx is always (layers*dirs, N, H), even with batch_first=True." if batched else ""
            sources = [("num_layers * num_directions", L, f"the constructor's num_layers={self.num_layers} "
                        f"and bidirectional={self.bidirectional}"),
                       ("N", N, n_source), ("H", H, "the constructor's hidden_size")]
            fixed = [src for src, got, size in zip(sources, state.shape, (L, N, H)) if got != size]
            if state.dim() != 3 or given.dim() == 3 and not batched:
                fixed = []
            raise shape_error(name, arg, expected, given, hint, fixed)
        return state

    def _direction(self, x, h0, c0, layer, direction):
        """One layer in one direction over the whole sequence: (h_seq (T, N, H), h_T, c_T)."""
        w = self._weights(layer, direction)
        reverse = direction == 1
        if self.fused:
            if self.mode == "LSTM":
                return LSTMFunction.apply(x, h0, c0, *w, reverse)
            if self.mode == "GRU":
                return (*GRUFunction.apply(x, h0, *w, reverse), None)
            return (*RNNFunction.apply(x, h0, *w, self.mode == "RNN_RELU", reverse), None)
        h, c, outputs = h0, c0, [None] * x.shape[0]
        for t in (reversed(range(x.shape[0])) if reverse else range(x.shape[0])):
            if self.mode == "LSTM":
                h, c = lstm_step(x[t], h, c, *w)
            elif self.mode == "GRU":
                h = gru_step(x[t], h, *w)
            else:
                h = rnn_step(x[t], h, *w, nonlinearity="relu" if self.mode == "RNN_RELU" else "tanh")
            outputs[t] = h
        return torch.stack(outputs), h, c

    def _initial_states(self, hx, N, batched, like, n_source):
        """h_0 and c_0 (None unless LSTM) as (L*dirs, N, H), checked; zeros when hx is None."""
        is_lstm = self.mode == "LSTM"
        if is_lstm and hx is not None and not (isinstance(hx, tuple) and len(hx) == 2):
            raise input_error(f"{type(self).__name__}.forward", "hx", "a tuple (h_0, c_0)",
                              type(hx).__name__ if not isinstance(hx, tuple) else f"a tuple of {len(hx)}")
        h0 = self._check_state(hx[0] if is_lstm and hx is not None else hx, "hx[0]" if is_lstm else "hx", N,
                               batched, like, n_source)
        c0 = (self._check_state(hx[1] if hx is not None else None, "hx[1]", N, batched, like, n_source)
              if is_lstm else None)
        return h0, c0

    def _run_packed(self, x, hx):
        """A PackedSequence in, a PackedSequence out (see ``packed.py``); hx and h_n in the caller's order."""
        name = f"{type(self).__name__}.forward"
        data = x.data
        if data.dim() != 2 or data.shape[1] != self.input_size:
            raise shape_error(name, "x.data", f"(sum of lengths, D) with D = {self.input_size}", data,
                              fixed=[("D", self.input_size, "the constructor's input_size")] if data.dim() == 2 else [])
        N = int(x.batch_sizes[0])
        h0, c0 = self._initial_states(hx, N, True, data, f"argument 'x' (a PackedSequence of {N} sequences)")
        output, h_n, c_n = run_packed(self, x, h0, c0)
        return (output, (h_n, c_n)) if self.mode == "LSTM" else (output, h_n)

    def _run(self, x, hx):
        if isinstance(x, nn.utils.rnn.PackedSequence):
            return self._run_packed(x, hx)
        x_given = x
        x, batched = self._check_input(x)
        is_lstm = self.mode == "LSTM"
        h0, c0 = self._initial_states(hx, x.shape[1], batched, x, from_arg("x", x_given))
        h_n, c_n, layer_input = [], [], x
        for layer in range(self.num_layers):
            outs = []
            for direction in range(self.num_directions):
                k = layer * self.num_directions + direction
                h_seq, h_T, c_T = self._direction(layer_input, h0[k], c0[k] if is_lstm else None, layer, direction)
                outs.append(h_seq)
                h_n.append(h_T)
                c_n.append(c_T)
            layer_input = torch.cat(outs, dim=2) if self.num_directions == 2 else outs[0]  # (T, N, dirs*H)
            # Dropout on the outputs of every layer except the last, as torch.nn does.
            if self.dropout > 0 and layer < self.num_layers - 1:
                layer_input = nnf.dropout(layer_input, self.dropout, self.training)
        output = layer_input
        output = output.squeeze(1) if not batched else output.transpose(0, 1) if self.batch_first else output
        h_n = torch.stack(h_n) if batched else torch.stack(h_n).squeeze(1)  # (L*dirs, N, H)
        if not is_lstm:
            return output, h_n
        c_n = torch.stack(c_n) if batched else torch.stack(c_n).squeeze(1)  # (L*dirs, N, H)
        return output, (h_n, c_n)


class RNN(_RNNBase):
    """Elman RNN layer(s), ``torch.nn.RNN``'s interface, from ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``.

    Parameters
    ----------
    input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, dropout, bidirectional, device, dtype
        As ``torch.nn.RNN`` (``nonlinearity`` is ``'tanh'`` or ``'relu'``).
    fused : bool, keyword only
        True: hand-written BPTT (fast). False: autograd through the step loop (reference).

    Shapes
    ------
    x (T, N, D), or (N, T, D) with batch_first, or unbatched (T, D); hx (L*dirs, N, H) or None
    -> output (T, N, dirs*H) (batch_first: (N, T, dirs*H)), h_n (L*dirs, N, H);
    x a PackedSequence -> output a PackedSequence like x (hx and h_n in the batch's own order)
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, *, fused=True):
        if nonlinearity not in ("tanh", "relu"):
            raise input_error("RNN", "nonlinearity", "'tanh' or 'relu'", repr(nonlinearity))
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, device, dtype, fused=fused)

    def forward(self, x, hx=None):
        """Return ``(output, h_n)``; see the class docstring for shapes."""
        return self._run(x, hx)


class LSTM(_RNNBase):
    """LSTM layer(s) with ``torch.nn.LSTM``'s interface; the equations are in ``cells.lstm_step``.

    Parameters are ``torch.nn.LSTM``'s (no ``proj_size``), plus ``fused`` as in :class:`RNN`.

    Shapes
    ------
    x (T, N, D), or (N, T, D) with batch_first, or unbatched (T, D);
    hx = (h_0, c_0), each (L*dirs, N, H), or None
    -> output (T, N, dirs*H) (batch_first: (N, T, dirs*H)), (h_n, c_n), each (L*dirs, N, H);
    x a PackedSequence -> output a PackedSequence like x (hx and h_n in the batch's own order)
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None, *, fused=True):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device, dtype, fused=fused)

    def forward(self, x, hx=None):
        """Return ``(output, (h_n, c_n))``; see the class docstring for shapes."""
        return self._run(x, hx)


class GRU(_RNNBase):
    """GRU layer(s) with ``torch.nn.GRU``'s interface; the equations are in ``cells.gru_step``.

    Parameters are ``torch.nn.GRU``'s, plus ``fused`` as in :class:`RNN`.

    Shapes
    ------
    x (T, N, D), or (N, T, D) with batch_first, or unbatched (T, D); hx (L*dirs, N, H) or None
    -> output (T, N, dirs*H) (batch_first: (N, T, dirs*H)), h_n (L*dirs, N, H);
    x a PackedSequence -> output a PackedSequence like x (hx and h_n in the batch's own order)
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None, *, fused=True):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device, dtype, fused=fused)

    def forward(self, x, hx=None):
        """Return ``(output, h_n)``; see the class docstring for shapes."""
        return self._run(x, hx)
