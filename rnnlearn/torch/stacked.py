"""Many small LSTMs trained as one: M independent models, parameters stacked along a leading axis.

Seeds and variants of one experiment (an ablation, a seed study) are M separate LSTMs that
see batches of the same shape. Run one at a time, each variant pays a Python time loop with
autograd (``VariantLSTM``); stacked, the loop runs once and every step is a batched matrix
product (``torch.baddbmm``) over the M models.

Speed (``benchmarks/bench_stacked_lstm.py``, CPU, one thread): against M ``VariantLSTM``
runs the stack is several times faster; against M runs of ``torch.nn.LSTM``, whose time
loop is C++, it is about as fast for small models (chapter 4's ablation) and *slower* for
bigger ones (the work there is in the arithmetic, not in the per-step overhead that
stacking removes). Use it for variants, or where one training loop over M models is simpler.

Model ``m`` is exactly the single LSTM with parameters ``weight_ih[m]`` ...: no
number is shared between models, and the gradient of ``sum_m loss_m`` with respect to
model m's parameters is the gradient of ``loss_m`` alone. With an element-wise optimiser
(SGD, Adam) and :func:`clip_grad_norm_per_model_` instead of a global clip, training the
stack is training the M models separately.

Each model may be a variant of :mod:`rnnlearn.torch.lstm_variants` (no forget gate, no
output gate, coupled input and forget gates), through per-model masks::

    a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh = [a_i, a_f, a_g, a_o]    per model
    i = sigmoid(a_i),  g = tanh(a_g)
    f = keep_f * sigmoid(a_f) + (1 - keep_f) - coupled * i    (full: sigmoid(a_f); no gate: 1; CIFG: 1 - i)
    o = keep_o * sigmoid(a_o) + (1 - keep_o)                   (full: sigmoid(a_o); no gate: 1)
    c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)

Forward and backward are written by hand, as in ``_fused_lstm.py`` (whose docstring derives
the backward); the variants add ``da_i += dc_t * (-coupled * c_{t-1}) * i (1 - i)`` and
zero ``da_f`` / ``da_o`` where a gate is removed.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.autograd.function import once_differentiable

from ..errors import input_error

__all__ = ["StackedLSTM", "clip_grad_norm_per_model_"]


def _tanh(z, out):
    """``tanh(z) = 2 sigmoid(2 z) - 1`` into ``out``: on this CPU build ``torch.sigmoid`` is several
    times faster than ``torch.tanh`` (see ``benchmarks/bench_stacked_lstm.py``)."""
    return torch.sigmoid(torch.mul(z, 2, out=out), out=out).mul_(2).sub_(1)


class StackedLSTMFunction(torch.autograd.Function):
    """M single-layer LSTMs (variant masks optional) over a whole sequence, time first.

    Shapes
    ------
    x (T, M, N, D), h0 and c0 (M, N, H), w_ih (M, 4H, D), w_hh (M, 4H, H), biases (M, 4H),
    masks (M, 1, 1) or None -> h_seq (T, M, N, H), h_T (M, N, H), c_T (M, N, H)
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, keep_f, coupled, keep_o):
        T, M, N, D = x.shape
        H = w_hh.shape[2]
        # g = tanh(a_g) = 2 sigmoid(2 a_g) - 1: the g rows are doubled once, then one sigmoid per step
        double_g = torch.ones(4 * H, 1, dtype=x.dtype, device=x.device)
        double_g[2 * H:3 * H] = 2
        # W_ih x_t + b_ih + b_hh for all steps and models: one broadcast product
        a = torch.matmul(x, (double_g * w_ih).transpose(1, 2)).add_((double_g[:, 0] * (b_ih + b_hh)).unsqueeze(1))
        acts = torch.empty_like(a)  # (T, M, N, 4H): i, f, g, o after their nonlinearities (and the masks)
        h_all, c_all = x.new_empty(T + 1, M, N, H), x.new_empty(T + 1, M, N, H)  # h_0 .. h_T, c_0 .. c_T
        tanh_c = x.new_empty(T, M, N, H)
        h_all[0], c_all[0] = h0, c0
        w_hh_t = (double_g * w_hh).transpose(1, 2).contiguous()  # (M, H, 4H)
        for t in range(T):
            a_t, s_t = a[t], acts[t]  # (M, N, 4H)
            # a_t = (W_ih x_t + b) + W_hh h_{t-1}
            a_t.baddbmm_(h_all[t], w_hh_t)
            torch.sigmoid(a_t, out=s_t)  # i, f, (g + 1) / 2, o
            i, f, g, o = s_t.chunk(4, dim=2)  # 4 x (M, N, H)
            g.mul_(2).sub_(1)  # g = tanh(a_g)
            if keep_f is not None:
                # f = keep_f * sigmoid(a_f) + (1 - keep_f) - coupled * i
                f.mul_(keep_f).add_(1 - keep_f).addcmul_(coupled, i, value=-1)
            if keep_o is not None:
                # o = keep_o * sigmoid(a_o) + (1 - keep_o)
                o.mul_(keep_o).add_(1 - keep_o)
            # c_t = f * c_{t-1} + i * g
            c_t = torch.mul(f, c_all[t], out=c_all[t + 1]).addcmul_(i, g)
            # h_t = o * tanh(c_t)
            torch.mul(o, _tanh(c_t, out=tanh_c[t]), out=h_all[t + 1])
        ctx.save_for_backward(x, h_all, c_all, tanh_c, acts, w_ih, w_hh, keep_f, coupled, keep_o)
        return h_all[1:], h_all[T], c_all[T]

    @staticmethod
    @once_differentiable
    def backward(ctx, dh_seq, dh_T, dc_T):
        x, h_all, c_all, tanh_c, acts, w_ih, w_hh, keep_f, coupled, keep_o = ctx.saved_tensors
        T, M, N, D = x.shape
        H = w_hh.shape[2]
        dh_seq = dh_seq.contiguous()
        i, f, g, o = acts.chunk(4, dim=3)  # 4 x (T, M, N, H)
        c_prev = c_all[:-1]  # (T, M, N, H)
        # Factors independent of the recurrence, all steps at once.
        k_c = o * (1 - tanh_c * tanh_c)  # dc_t/dh_t
        k_o = tanh_c * o * (1 - o)  # da_o/dh_t
        di = i * (1 - i)
        k_i = di * g  # da_i/dc_t
        k_f = c_prev * f * (1 - f)  # da_f/dc_t
        if keep_f is not None:
            k_i -= di * coupled * c_prev  # f = 1 - i also depends on a_i
            k_f *= keep_f
        if keep_o is not None:
            k_o *= keep_o
        k_ifg = torch.stack((k_i, k_f, i * (1 - g * g)), dim=3)  # (T, M, N, 3, H)
        da = x.new_empty(T, M, N, 4, H)  # gradient of a_t, gate blocks i, f, g, o
        dh = dh_seq[T - 1] + dh_T  # (M, N, H)
        dc = dc_T
        for t in range(T - 1, -1, -1):
            # dc_t = dc + dh_t * o * (1 - tanh(c_t)^2)
            dc = torch.addcmul(dc, dh, k_c[t])
            # (da_i, da_f, da_g) = dc_t * (k_i, k_f, i (1 - g^2))
            torch.mul(dc.unsqueeze(2), k_ifg[t], out=da[t, :, :, :3])
            # da_o = dh_t * tanh(c_t) * o (1 - o)
            torch.mul(dh, k_o[t], out=da[t, :, :, 3])
            # dc_{t-1} = dc_t * f
            dc = dc * f[t]
            # dh_{t-1} = dL_{t-1}/dh_{t-1} + da_t W_hh
            da_t = da[t].view(M, N, 4 * H)
            dh = torch.baddbmm(dh_seq[t - 1], da_t, w_hh) if t > 0 else torch.bmm(da_t, w_hh)
        da = da.view(T, M, N, 4 * H)
        dx = torch.matmul(da, w_ih)  # (T, M, N, D): dX = dA W_ih
        da_m = da.permute(1, 3, 0, 2).reshape(M, 4 * H, T * N)  # one copy, model first
        dw_ih = torch.bmm(da_m, x.permute(1, 0, 2, 3).reshape(M, T * N, D))  # (M, 4H, D): sum_t da_t^T x_t
        dw_hh = torch.bmm(da_m, h_all[:-1].permute(1, 0, 2, 3).reshape(M, T * N, H))  # (M, 4H, H)
        db = da_m.sum(2)  # (M, 4H)
        return dx, dh, dc, dw_ih, dw_hh, db, db.clone(), None, None, None


def _options(name, value, M):
    """A per-model option: one bool for all models, or M bools."""
    values = [bool(value)] * M if isinstance(value, bool) else [bool(v) for v in value]
    if len(values) != M:
        raise input_error("StackedLSTM", name, f"a bool or M = {M} bools", f"{len(values)} values")
    return values


class StackedLSTM(nn.Module):
    """M independent batch-first LSTM layers (variants allowed per model), run as one.

    Parameters are ``weight_ih`` (M, 4H, D), ``weight_hh`` (M, 4H, H), ``bias_ih`` and
    ``bias_hh`` (M, 4H): model m's are ``torch.nn.LSTMCell``'s, row blocks i, f, g, o.
    Initialised like ``torch.nn.LSTM``, U(-1/sqrt(H), 1/sqrt(H)); :meth:`load_models` copies
    M trained or seeded ``torch.nn.LSTM`` / ``LSTMCell`` modules in, :meth:`model_state_dict`
    gives one back.

    Parameters
    ----------
    num_models : int
        M, the number of models.
    input_size, hidden_size : int
        D and H of every model.
    forget_gate, output_gate, coupled : bool or sequence of M bools, keyword only
        The options of :class:`rnnlearn.torch.lstm_variants.LSTMVariantCell`, per model.
    dtype, device : optional
        Of the parameters.

    Shapes
    ------
    x (M, N, T, D), or (N, T, D) for the same batch to every model; hx = (h_0, c_0), each
    (M, N, H), or None -> output (M, N, T, H), (h_n, c_n), each (M, N, H)
    """

    def __init__(self, num_models, input_size, hidden_size, *, forget_gate=True, output_gate=True, coupled=False,
                 dtype=None, device=None):
        super().__init__()
        M, D, H = int(num_models), int(input_size), int(hidden_size)
        self.num_models, self.input_size, self.hidden_size = M, D, H
        fg, og, cp = (_options(n, v, M) for n, v in (("forget_gate", forget_gate), ("output_gate", output_gate),
                                                          ("coupled", coupled)))
        if any(c and not f for c, f in zip(cp, fg)):
            raise input_error("StackedLSTM", ("coupled", "forget_gate"),
                              "forget_gate=True wherever coupled=True (the forget gate is then 1 - i)",
                              "a model with coupled=True and forget_gate=False")
        self.forget_gate, self.output_gate, self.coupled = fg, og, cp
        kw = {"dtype": dtype, "device": device}
        self.weight_ih = nn.Parameter(torch.empty(M, 4 * H, D, **kw))
        self.weight_hh = nn.Parameter(torch.empty(M, 4 * H, H, **kw))
        self.bias_ih = nn.Parameter(torch.empty(M, 4 * H, **kw))
        self.bias_hh = nn.Parameter(torch.empty(M, 4 * H, **kw))
        bound = 1 / math.sqrt(H)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)
        float_kw = {"dtype": dtype or torch.get_default_dtype(), "device": device}
        mask = lambda values: torch.tensor(values, **float_kw).view(M, 1, 1)  # noqa: E731
        # keep_f: the forget gate is sigmoid(a_f); off for a removed or coupled gate
        self.register_buffer("keep_f", mask([f and not c for f, c in zip(fg, cp)]), persistent=False)
        self.register_buffer("coupled_mask", mask(cp), persistent=False)
        self.register_buffer("keep_o", mask(og), persistent=False)
        self._plain_f, self._plain_o = all(fg) and not any(cp), all(og)

    def extra_repr(self) -> str:
        return f"{self.num_models}, {self.input_size}, {self.hidden_size}"

    def forward(self, x, hx=None):
        M, D, H = self.num_models, self.input_size, self.hidden_size
        if x.dim() == 3:
            x = x.unsqueeze(0).expand(M, *x.shape)
        if x.dim() != 4 or x.shape[0] != M or x.shape[3] != D:
            raise input_error("StackedLSTM.forward", "x", f"shape (M, N, T, D) = ({M}, N, T, {D}) or (N, T, D)",
                              f"shape {tuple(x.shape)}")
        N = x.shape[1]
        if hx is None:
            h0 = c0 = x.new_zeros(M, N, H)
        else:
            h0, c0 = hx
            for k, s in enumerate(hx):
                if tuple(s.shape) != (M, N, H):
                    raise input_error("StackedLSTM.forward", f"hx[{k}]", f"shape (M, N, H) = ({M}, {N}, {H})",
                                      f"shape {tuple(s.shape)}")
        keep_f, coupled = (None, None) if self._plain_f else (self.keep_f, self.coupled_mask)
        keep_o = None if self._plain_o else self.keep_o
        h_seq, h_n, c_n = StackedLSTMFunction.apply(x.permute(2, 0, 1, 3), h0, c0, self.weight_ih, self.weight_hh,
                                                     self.bias_ih, self.bias_hh, keep_f, coupled, keep_o)
        return h_seq.permute(1, 2, 0, 3), (h_n, c_n)  # (M, N, T, H)

    @torch.no_grad()
    def load_models(self, modules):
        """Copy the parameters of M single-layer ``torch.nn.LSTM`` / ``LSTMCell`` (or rnnlearn's) in.

        Shapes
        ------
        M modules, each with weight_ih (4H, D), weight_hh (4H, H), biases (4H,) (``_l0`` suffix allowed).
        """
        if len(modules) != self.num_models:
            raise input_error("StackedLSTM.load_models", "modules", f"M = {self.num_models} LSTMs",
                              f"{len(modules)}")
        for m, module in enumerate(modules):
            state = {k.removesuffix("_l0"): v for k, v in module.state_dict().items()}
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                if name not in state or state[name].shape != getattr(self, name).shape[1:]:
                    raise input_error("StackedLSTM.load_models", f"modules[{m}]",
                                      f"a one-layer LSTM({self.input_size}, {self.hidden_size}) with biases",
                                      type(module).__name__)
                getattr(self, name)[m] = state[name]
        return self

    def model_state_dict(self, m, suffix="_l0"):
        """Model m's parameters as a state_dict of ``torch.nn.LSTM`` (``suffix="_l0"``) or ``LSTMCell`` ("").

        Shapes
        ------
        -> weight_ih (4H, D), weight_hh (4H, H), bias_ih and bias_hh (4H,), detached copies.
        """
        return {name + suffix: getattr(self, name)[m].detach().clone()
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}


@torch.no_grad()
def clip_grad_norm_per_model_(parameters, max_norm):
    """``torch.nn.utils.clip_grad_norm_`` applied to each model of a stack on its own.

    Every parameter has the models along dim 0; model m's norm is taken over the slices
    ``p.grad[m]`` of all parameters, and only model m's slices are scaled (by
    ``max_norm / (norm + 1e-6)`` when that is below 1, as PyTorch does).

    Returns
    -------
    Tensor of the M norms before clipping.

    Shapes
    ------
    parameters: tensors with grads of shape (M, ...) -> (M,)
    """
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        raise input_error("clip_grad_norm_per_model_", "parameters", "tensors with gradients", "no gradients")
    M = grads[0].shape[0]
    norms = torch.stack([g.reshape(M, -1).pow(2).sum(1) for g in grads]).sum(0).sqrt()  # (M,)
    scale = (max_norm / (norms + 1e-6)).clamp(max=1.0)  # (M,)
    for g in grads:
        g.mul_(scale.view(M, *[1] * (g.dim() - 1)))
    return norms
