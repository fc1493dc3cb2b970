"""Scheduled sampling for M small models at once: a stacked GRU cell, two read-outs, one rollout loop.

A model that predicts its next input (a forecaster of a signal, a decoder of tokens) can be
fed, at step t, either the true previous value (teacher forcing) or its own previous
prediction (free running). Scheduled sampling (Bengio et al. 2015) flips a coin at every
step of every sequence: the truth with probability ``p``, the model's prediction otherwise,
with no gradient through the choice or the prediction fed back.

For seed studies and regime comparisons, M independent models (seeds, regimes) are stacked
along a leading axis and run in one Python loop: every step is a batched matrix product
(``torch.baddbmm``) over the models. Model m is exactly one ``torch.nn.GRUCell`` with
parameters ``weight_ih[m]`` ... and a read-out (tested), and each model gets its own
teacher-forcing probability ``p[m]``.

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr),  z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as nnf
from torch import nn

from ..errors import input_error

__all__ = ["StackedGRUCell", "StackedForecaster", "StackedTokenDecoder", "teacher_forcing_coins", "rollout"]


def _uniform(*shape, bound):
    return nn.Parameter(torch.empty(*shape).uniform_(-bound, bound))


class StackedGRUCell(nn.Module):
    """M independent copies of ``torch.nn.GRUCell`` run as one (row blocks r, z, n, torch's layout).

    Parameters
    ----------
    num_models, input_size, hidden_size : int
        M, D and H. Initialised like ``torch.nn.GRUCell``, U(-1/sqrt(H), 1/sqrt(H)).

    Shapes
    ------
    x (M, N, D), h (M, N, H) -> h' (M, N, H)
    """

    def __init__(self, num_models, input_size, hidden_size):
        super().__init__()
        M, D, H = int(num_models), int(input_size), int(hidden_size)
        self.num_models, self.input_size, self.hidden_size = M, D, H
        bound = 1 / math.sqrt(H)
        self.weight_ih, self.weight_hh = _uniform(M, 3 * H, D, bound=bound), _uniform(M, 3 * H, H, bound=bound)
        self.bias_ih, self.bias_hh = _uniform(M, 1, 3 * H, bound=bound), _uniform(M, 1, 3 * H, bound=bound)

    def forward(self, x, h):
        M, D, H = self.num_models, self.input_size, self.hidden_size
        if x.dim() != 3 or x.shape[0] != M or x.shape[2] != D:
            raise input_error("StackedGRUCell.forward", "x", f"shape (M, N, D) = ({M}, N, {D})",
                              f"shape {tuple(x.shape)}")
        if tuple(h.shape) != (M, x.shape[1], H):
            raise input_error("StackedGRUCell.forward", "h", f"shape (M, N, H) = ({M}, {x.shape[1]}, {H})",
                              f"shape {tuple(h.shape)}")
        gi = torch.baddbmm(self.bias_ih, x, self.weight_ih.transpose(1, 2))  # (M, N, 3H)
        gh = torch.baddbmm(self.bias_hh, h, self.weight_hh.transpose(1, 2))  # (M, N, 3H)
        i_r, i_z, i_n = gi.chunk(3, dim=2)
        h_r, h_z, h_n = gh.chunk(3, dim=2)
        r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)  # (M, N, H) each
        # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        n = torch.tanh(i_n + r * h_n)  # (M, N, H)
        # h' = (1 - z) * n + z * h
        return n + z * (h - n)  # (M, N, H)

    def model_state_dict(self, m):
        """Model m's parameters as a ``torch.nn.GRUCell`` state_dict (detached copies).

        Shapes
        ------
        -> weight_ih (3H, D), weight_hh (3H, H), bias_ih and bias_hh (3H,)
        """
        return {"weight_ih": self.weight_ih[m].detach().clone(), "weight_hh": self.weight_hh[m].detach().clone(),
                "bias_ih": self.bias_ih[m, 0].detach().clone(), "bias_hh": self.bias_hh[m, 0].detach().clone()}


class StackedForecaster(nn.Module):
    """M one-step forecasters of a scalar signal: ``h_t = GRU(x_t, h_{t-1})``, ``x_hat_{t+1} = w . h_t + b``.

    What is fed back in free running is the prediction itself (:meth:`feedback`).

    Shapes
    ------
    step: x (M, N, 1), h (M, N, H) -> prediction (M, N, 1), h (M, N, H)
    """

    def __init__(self, num_models, hidden_size):
        super().__init__()
        self.cell = StackedGRUCell(num_models, 1, hidden_size)
        bound = 1 / math.sqrt(hidden_size)
        self.out_weight, self.out_bias = _uniform(num_models, hidden_size, 1, bound=bound), _uniform(
            num_models, 1, 1, bound=bound)

    def step(self, x, h):
        h = self.cell(x, h)  # (M, N, H)
        return torch.baddbmm(self.out_bias, h, self.out_weight), h  # (M, N, 1), (M, N, H)

    @staticmethod
    def feedback(prediction):
        """The next input in free running: the predicted value, detached (M, N, 1)."""
        return prediction.detach()


class StackedTokenDecoder(nn.Module):
    """M token decoders: ``h_t = GRU(E[y_{t-1}], h_{t-1})``, ``logits_t = W h_t + b``.

    What is fed back in free running is the argmax token (:meth:`feedback`), never a gradient.

    Shapes
    ------
    step: tokens (M, N) long, h (M, N, H) -> logits (M, N, V), h (M, N, H)
    """

    def __init__(self, num_models, vocab_size, embed_size, hidden_size):
        super().__init__()
        M = num_models
        self.embedding = nn.Parameter(torch.randn(M, vocab_size, embed_size))  # like nn.Embedding: N(0, 1)
        self.cell = StackedGRUCell(M, embed_size, hidden_size)
        bound = 1 / math.sqrt(hidden_size)
        self.out_weight, self.out_bias = (_uniform(M, hidden_size, vocab_size, bound=bound),
                                          _uniform(M, 1, vocab_size, bound=bound))

    def step(self, tokens, h):
        one_hot = nnf.one_hot(tokens, self.embedding.shape[1]).to(self.embedding.dtype)  # (M, N, V)
        emb = torch.bmm(one_hot, self.embedding)  # (M, N, E): row y_{t-1} of each model's table
        h = self.cell(emb, h)  # (M, N, H)
        return torch.baddbmm(self.out_bias, h, self.out_weight), h  # (M, N, V), (M, N, H)

    @staticmethod
    def feedback(logits):
        """The next input in free running: the argmax token (M, N) long (no gradient)."""
        return logits.detach().argmax(dim=2)


def teacher_forcing_coins(p, N, T, *, per="token", prefix=1, generator=None):
    """Which inputs are the truth: True with probability ``p[m]``, drawn per token or per sequence.

    Positions ``t < prefix`` are always True (the first input, and any conditioning prefix,
    is given, never predicted). ``per="token"`` (Bengio et al.) draws one coin per model,
    sequence and step; ``per="sequence"`` one per model and sequence, used at every step.

    Parameters
    ----------
    p : sequence of float or Tensor (M,)
        Teacher-forcing probability of each model, in [0, 1].
    N, T : int
        Sequences and steps.
    per : {"token", "sequence"} or a sequence of M of them (one mode per model)
    prefix : int
        Leading positions that are always the truth, >= 1.
    generator : torch.Generator, optional

    Returns
    -------
    Tensor of bool (M, N, T)

    Shapes
    ------
    p (M,) -> (M, N, T)
    """
    p = torch.as_tensor(p, dtype=torch.float64)
    if p.dim() != 1 or (p < 0).any() or (p > 1).any():
        raise input_error("teacher_forcing_coins", "p", "M probabilities in [0, 1], shape (M,)", repr(p.tolist()))
    M = p.shape[0]
    modes = [per] * M if isinstance(per, str) else list(per)
    if len(modes) != M or any(mode not in ("token", "sequence") for mode in modes):
        raise input_error("teacher_forcing_coins", "per", f"'token' or 'sequence', or M = {M} of them", repr(per))
    if not 1 <= prefix <= T:
        raise input_error("teacher_forcing_coins", "prefix", f"1 <= prefix <= T = {T}", repr(prefix))
    per_token = torch.rand(M, N, T, generator=generator, dtype=torch.float64)  # (M, N, T)
    per_sequence = torch.rand(M, N, 1, generator=generator, dtype=torch.float64).expand(M, N, T)
    sequence_models = torch.tensor([mode == "sequence" for mode in modes])[:, None, None]
    draws = torch.where(sequence_models, per_sequence, per_token)  # (M, N, T)
    use_truth = draws < p[:, None, None]  # (M, N, T)
    use_truth[:, :, :prefix] = True
    return use_truth


def rollout(model, inputs, h0, use_truth):
    """Run ``model.step`` along a sequence, feeding the truth or the model's own last output.

    Input t is ``inputs[:, :, t]`` where ``use_truth[:, :, t]`` and ``model.feedback`` of
    output t - 1 elsewhere (detached: no gradient flows through what was fed back).
    ``use_truth`` all True is teacher forcing; True only at t = 0 (or a prefix) is free running.

    Parameters
    ----------
    model : StackedForecaster or StackedTokenDecoder (anything with ``step`` and ``feedback``)
    inputs : Tensor (M, N, T, ...) the teacher-forcing inputs
    h0 : Tensor (M, N, H)
    use_truth : Tensor of bool (M, N, T), column 0 all True

    Returns
    -------
    outputs : Tensor (M, N, T, ...), the output of every step
    h : Tensor (M, N, H), the last state

    Shapes
    ------
    inputs (M, N, T, ...), h0 (M, N, H), use_truth (M, N, T) -> outputs (M, N, T, ...), h (M, N, H)
    """
    if tuple(use_truth.shape) != tuple(inputs.shape[:3]):
        raise input_error("rollout", "use_truth", f"shape (M, N, T) = {tuple(inputs.shape[:3])}",
                          f"shape {tuple(use_truth.shape)}")
    if not bool(use_truth[:, :, 0].all()):
        raise input_error("rollout", "use_truth", "True at t = 0 (there is no prediction to feed yet)",
                          "a False in column 0")
    outputs, h, x = [], h0, inputs[:, :, 0]
    for t in range(inputs.shape[2]):
        if t > 0:
            own = model.feedback(outputs[-1])  # (M, N, ...)
            keep = use_truth[:, :, t].view(*use_truth.shape[:2], *([1] * (own.dim() - 2)))
            x = torch.where(keep, inputs[:, :, t], own)
        out, h = model.step(x, h)
        outputs.append(out)
    return torch.stack(outputs, dim=2), h
