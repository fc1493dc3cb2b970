"""RNN, LSTM and GRU cells written from the book's equations, with ``torch.nn``'s names and layouts.

The step functions (``rnn_step``, ``lstm_step``, ``gru_step``) are the single source of the
equations: the Cell modules call them, and so does the plain-autograd reference path of
``rnnlearn.torch.RNN`` / ``LSTM`` / ``GRU``. Autograd differentiates them; the fast path in
``_fused_*.py`` has a hand-written backward that the tests check against this one.

Parameters are laid out as in ``torch.nn``: ``weight_ih`` (G*H, D), ``weight_hh`` (G*H, H),
``bias_ih`` and ``bias_hh`` (G*H,), with G = 1 (RNN), 4 (LSTM: i, f, g, o) or 3 (GRU: r, z, n).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ..errors import input_error
from ._checks import check_last_dim, check_tensor, from_arg, shape_error


def init_uniform_(module: nn.Module, hidden_size: int) -> None:
    """PyTorch's recurrent initialisation: every parameter ~ U(-1/sqrt(H), 1/sqrt(H))."""
    bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for p in module.parameters():
        nn.init.uniform_(p, -bound, bound)



def _affine(x, w, b):
    # x W^T + b
    return x @ w.t() if b is None else torch.addmm(b, x, w.t())


def rnn_step(x, h_prev, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity="tanh"):
    """One Elman RNN step: ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``.

    Shapes
    ------
    x (N, D), h_prev (N, H), w_ih (H, D), w_hh (H, H), biases (H,) -> h_next (N, H)
    """
    # a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    a = _affine(x, w_ih, b_ih) + _affine(h_prev, w_hh, b_hh)  # (N, H)
    # h_t = tanh(a_t)   (or relu(a_t))
    return torch.tanh(a) if nonlinearity == "tanh" else torch.relu(a)  # (N, H)


def lstm_step(x, h_prev, c_prev, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step, gates in torch's order i, f, g, o.

    i, f, o = sigmoid(.), g = tanh(.) of ``W_ih x_t + b_ih + W_hh h_{t-1} + b_hh``;
    ``c_t = f * c_{t-1} + i * g``; ``h_t = o * tanh(c_t)``.

    Shapes
    ------
    x (N, D), h_prev and c_prev (N, H), w_ih (4H, D), w_hh (4H, H), biases (4H,)
    -> h_next (N, H), c_next (N, H)
    """
    a = _affine(x, w_ih, b_ih) + _affine(h_prev, w_hh, b_hh)  # (N, 4H)
    a_i, a_f, a_g, a_o = a.chunk(4, dim=1)  # 4 x (N, H)
    i, f, o = torch.sigmoid(a_i), torch.sigmoid(a_f), torch.sigmoid(a_o)  # (N, H)
    g = torch.tanh(a_g)  # (N, H)
    # c_t = f * c_{t-1} + i * g
    c_next = f * c_prev + i * g  # (N, H)
    # h_t = o * tanh(c_t)
    h_next = o * torch.tanh(c_next)  # (N, H)
    return h_next, c_next


def gru_step(x, h_prev, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step in torch's (cuDNN) form, gates in the order r, z, n.

    ``r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)``, ``z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)``,
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`` (reset applied after the product),
    ``h_t = (1 - z) * n + z * h_{t-1}``.

    Shapes
    ------
    x (N, D), h_prev (N, H), w_ih (3H, D), w_hh (3H, H), biases (3H,) -> h_next (N, H)
    """
    gx_r, gx_z, gx_n = _affine(x, w_ih, b_ih).chunk(3, dim=1)  # 3 x (N, H)
    gh_r, gh_z, gh_n = _affine(h_prev, w_hh, b_hh).chunk(3, dim=1)  # 3 x (N, H)
    r = torch.sigmoid(gx_r + gh_r)  # (N, H)
    z = torch.sigmoid(gx_z + gh_z)  # (N, H)
    # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    n = torch.tanh(gx_n + r * gh_n)  # (N, H)
    # h_t = (1 - z) * n + z * h_{t-1}
    return (1 - z) * n + z * h_prev  # (N, H)


class _CellBase(nn.Module):
    """Parameters, init and input checks shared by the three cells."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        kw = {"device": device, "dtype": dtype}
        G = self.gates
        self.weight_ih = nn.Parameter(torch.empty(G * hidden_size, input_size, **kw))
        self.weight_hh = nn.Parameter(torch.empty(G * hidden_size, hidden_size, **kw))
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(G * hidden_size, **kw))
            self.bias_hh = nn.Parameter(torch.empty(G * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias, as ``torch.nn`` (uses torch's RNG)."""
        init_uniform_(self, self.hidden_size)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias}"

    def _check(self, x, hx, name):
        """Return (x, hx, batched) with a batch dimension added to unbatched input."""
        func, x_given = f"{name}.forward", x
        check_tensor(func, "x", x, "(N, D)")
        if x.dim() not in (1, 2):
            raise shape_error(func, "x", "(N, D) or (D,)", x)
        check_last_dim(func, "x", x, self.input_size, f"(N, D) = (?, {self.input_size}) or (D,)",
                       fixed=[("D", self.input_size, "the constructor's input_size")])
        batched = x.dim() == 2
        x = x if batched else x.unsqueeze(0)
        states = hx if isinstance(hx, tuple) else (hx,)
        out = []
        for k, s in enumerate(states):
            arg = "hx" if len(states) == 1 else f"hx[{k}]"
            if s is None:
                s = x.new_zeros(x.shape[0], self.hidden_size)
            else:
                check_tensor(func, arg, s, "(N, H)" if batched else "(H,)")
                want = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
                if tuple(s.shape) != want:
                    expected = f"(N, H) = {want}" if batched else f"(H,) = {want} for an unbatched x"
                    raise shape_error(func, arg, expected, s, fixed=self._state_sources(s, want, x_given))
                s = s if batched else s.unsqueeze(0)
            out.append(s)
        return x, out, batched

    def _state_sources(self, state, want, x_given):
        """Where the N and H that ``state`` disagrees with came from (x and the constructor)."""
        fixed = []
        if state.dim() != len(want):
            return fixed
        if state.dim() == 2 and state.shape[0] != want[0]:
            fixed.append(("N", want[0], from_arg("x", x_given)))
        if state.shape[-1] != self.hidden_size:
            fixed.append(("H", self.hidden_size, "the constructor's hidden_size"))
        return fixed


class RNNCell(_CellBase):
    """Elman RNN cell with ``torch.nn.RNNCell``'s constructor, parameters and forward.

    ``h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`` (or relu).

    Shapes
    ------
    x (N, D) or (D,); hx (N, H) or None (zeros) -> h' (N, H)
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise input_error("RNNCell", "nonlinearity", "'tanh' or 'relu'", repr(nonlinearity))
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, x, hx=None):
        x, (h,), batched = self._check(x, hx, "RNNCell")
        h = rnn_step(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity)
        return h if batched else h.squeeze(0)


class LSTMCell(_CellBase):
    """LSTM cell with ``torch.nn.LSTMCell``'s constructor, parameters and forward (gates i, f, g, o).

    Shapes
    ------
    x (N, D) or (D,); hx = (h, c), each (N, H), or None -> (h', c'), each (N, H)
    """

    gates = 4

    def forward(self, x, hx=None):
        if hx is not None and not (isinstance(hx, tuple) and len(hx) == 2):
            raise input_error("LSTMCell.forward", "hx", "a tuple (h, c) of two (N, H) tensors",
                              type(hx).__name__ if not isinstance(hx, tuple) else f"a tuple of {len(hx)}")
        x, (h, c), batched = self._check(x, hx if hx is not None else (None, None), "LSTMCell")
        h, c = lstm_step(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(_CellBase):
    """GRU cell with ``torch.nn.GRUCell``'s constructor, parameters and forward (gates r, z, n).

    Shapes
    ------
    x (N, D) or (D,); hx (N, H) or None (zeros) -> h' (N, H)
    """

    gates = 3

    def forward(self, x, hx=None):
        x, (h,), batched = self._check(x, hx, "GRUCell")
        h = gru_step(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)
