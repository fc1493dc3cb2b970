"""Sequence to sequence: an encoder and the model around a decoder (``decoders.py``), with or without attention.

Token conventions: ``pad_index`` marks padding and must differ from ``sos_index`` (the
start token that opens every decoder input); ``eos_index`` ends a sequence. Padding is
handled everywhere: the source mask (``src != pad_index``) keeps attention off padded
positions (their weights are exactly 0), the encoder's final state is taken at each
sequence's last real token, and :meth:`Seq2Seq.loss` ignores padded targets. So padding a
batch changes no real position's output (tested).

Teacher forcing (Williams & Zipser 1989) and scheduled sampling (Bengio et al. 2015): at
each decoder step t > 0, each sequence is fed the true previous token with probability p,
otherwise the model's own previous prediction (argmax, no gradient through the choice).
``p`` is ``teacher_forcing`` or, when that is None, ``schedule(step)``, for example
``functools.partial(rnnlearn.schedules.inverse_sigmoid_decay, k=10)``.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from ..errors import input_error, shape_str
from ._checks import check_tensor, from_arg, shape_error
from .decoders import AttentionDecoder, PlainDecoder, final_state
from .layers import GRU
from .losses import masked_cross_entropy


def _check_tokens(func, arg, tokens, expected="(N, S)"):
    check_tensor(func, arg, tokens, expected)
    if tokens.dim() != 2 or tokens.dtype != torch.long:
        raise input_error(func, arg, f"token ids of shape {expected} and dtype torch.long",
                          f"shape {shape_str(tokens.shape)} and dtype {tokens.dtype}")


class Encoder(nn.Module):
    """Embedding and a one-layer GRU over the source.

    Unidirectional on purpose: with right padding, a forward RNN's outputs at real positions
    never see the padding, so the keys and the final state are exact without packing.

    Shapes
    ------
    src (N, S) long, mask (N, S) bool -> keys (N, S, H), state (N, H) at the last real token
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, pad_index: int = 0):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=pad_index)
        self.rnn = GRU(embed_size, hidden_size, batch_first=True)

    def forward(self, src, mask):
        keys, _ = self.rnn(self.embedding(src))  # (N, S, H)
        return keys, final_state(keys, mask)  # (N, S, H), (N, H) at the last real token


class Seq2Seq(nn.Module):
    """Encoder, decoder, teacher forcing with a schedule hook, greedy decoding.

    The work that does not change from step to step (argument checks, the source mask,
    the decoder's ``memory``: projected keys or the fixed context) is done once per
    batch, outside the loop over decoder steps. Beam search: ``rnnlearn.torch.beam_search``.

    Parameters
    ----------
    encoder : Encoder
    decoder : AttentionDecoder or PlainDecoder, whose hidden size equals the encoder's
    sos_index, pad_index, eos_index : int, the start, padding and end tokens (pad != sos)
    schedule : callable, optional
        ``schedule(step) -> p``, the teacher-forcing probability used when ``forward`` gets
        ``teacher_forcing=None`` and a ``step``.

    Shapes
    ------
    src (N, S) long, tgt_in (N, T) long starting with sos_index -> logits (N, T, V)
    """

    def __init__(self, encoder: Encoder, decoder: AttentionDecoder | PlainDecoder, sos_index: int = 1,
                 pad_index: int = 0, eos_index: int = 2, schedule: Callable[[int], float] | None = None):
        super().__init__()
        if pad_index == sos_index:
            raise input_error("Seq2Seq", ("pad_index", "sos_index"), "two different token ids (the decoder "
                              "would treat its start token as padding)", f"both {pad_index}")
        self.encoder, self.decoder, self.schedule = encoder, decoder, schedule
        self.sos_index, self.pad_index, self.eos_index = sos_index, pad_index, eos_index

    def source_mask(self, src):
        """True at real source tokens, False at padding; src (N, S) -> mask (N, S) bool."""
        return src != self.pad_index

    def forward(self, src, tgt_in, teacher_forcing: float | None = 1.0, *, step: int | None = None,
                generator: torch.Generator | None = None):
        """Decoder logits for every target position.

        ``teacher_forcing`` = 1 feeds the true previous token at every step (so this equals
        a fully teacher-forced pass); 0 feeds the model's own argmax at every step after the
        first (so the argmax of the logits equals :meth:`greedy_decode`'s tokens). Coins are
        drawn per sequence and step from ``generator`` (torch's global RNG if None).
        """
        _check_tokens("Seq2Seq.forward", "src", src)
        _check_tokens("Seq2Seq.forward", "tgt_in", tgt_in, "(N, T)")
        if tgt_in.shape[0] != src.shape[0]:
            raise shape_error("Seq2Seq.forward", "tgt_in", f"(N, T) = ({src.shape[0]}, ?)", tgt_in,
                              fixed=[("N", src.shape[0], from_arg("src", src))])
        if teacher_forcing is None:
            if self.schedule is None or step is None:
                raise input_error("Seq2Seq.forward", ("teacher_forcing", "step"),
                                  "a 'step' and a model built with a 'schedule' when teacher_forcing=None",
                                  f"step={step!r}, schedule={self.schedule!r}")
            teacher_forcing = float(self.schedule(step))
        mask = self.source_mask(src)  # (N, S)
        keys, state = self.encoder(src, mask)  # (N, S, H), (N, H)
        memory = self.decoder.memory(keys, mask)  # once per batch, not once per step
        if teacher_forcing >= 1.0 and hasattr(self.decoder, "teacher_forced"):
            return self.decoder.teacher_forced(tgt_in, state, keys, mask, memory)  # no logit feeds back
        N, T = tgt_in.shape
        mixed = 0.0 < teacher_forcing < 1.0  # draw coins only when they can matter
        if mixed:
            use_truth = torch.rand(N, T, generator=generator, device=generator.device if generator else None)
            use_truth = use_truth.to(src.device) < teacher_forcing  # (N, T)
        logits, y_prev = [], tgt_in[:, 0]
        for t in range(T):
            if t > 0 and teacher_forcing >= 1.0:
                y_prev = tgt_in[:, t]  # (N,)
            elif t > 0 and not mixed:
                y_prev = logits[-1].argmax(dim=1)  # (N,)
            elif t > 0:
                y_prev = torch.where(use_truth[:, t], tgt_in[:, t], logits[-1].argmax(dim=1))  # (N,)
            step_logits, state, _ = self.decoder.step(y_prev, state, keys, mask, memory)  # (N, V)
            logits.append(step_logits)
        return torch.stack(logits, dim=1)  # (N, T, V)

    def loss(self, logits, tgt_out):
        """Mean cross-entropy over the real (non-pad) target tokens; logits (N, T, V), tgt_out (N, T).

        ``masked_cross_entropy`` with the mask ``tgt_out != pad_index``.
        """
        return masked_cross_entropy(logits, tgt_out, tgt_out != self.pad_index)

    @torch.no_grad()
    def greedy_decode(self, src, max_len: int):
        """Feed back the argmax token at every step, starting from sos_index.

        Returns tokens (N, max_len) long (the start token not included) and the attention
        weights (N, max_len, S), None for a decoder without attention. After a sequence
        emits ``eos_index`` its later tokens are ``pad_index``.
        """
        _check_tokens("Seq2Seq.greedy_decode", "src", src)
        mask = self.source_mask(src)  # (N, S)
        keys, state = self.encoder(src, mask)  # (N, S, H), (N, H)
        memory = self.decoder.memory(keys, mask)  # (N, S, A) or (N, Hk)
        y = torch.full((src.shape[0],), self.sos_index, dtype=torch.long, device=src.device)  # (N,)
        finished = torch.zeros_like(y, dtype=torch.bool)  # (N,)
        tokens, weights = [], []
        for _ in range(max_len):
            logits, state, w = self.decoder.step(y, state, keys, mask, memory)
            y = logits.argmax(dim=1)  # (N,)
            tokens.append(y.masked_fill(finished, self.pad_index))
            weights.append(w)
            finished = finished | (y == self.eos_index)
        return torch.stack(tokens, dim=1), (None if weights[0] is None else torch.stack(weights, dim=1))
