"""Decoder steps for ``Seq2Seq``: with attention (Bahdanau, Luong) and without (a plain encoder-decoder).

Both decoders share one interface, so that a comparison differs in attention alone:

- ``memory(keys, mask)``: the work done once per source sequence (for attention, the
  projected keys ``U_a h_j``; for the plain decoder, the final encoder state);
- ``step(y_prev, state, keys, mask, memory) -> (logits, state, weights)``: one decoder
  step, without argument checks (``Seq2Seq`` checks its inputs once, outside the loop);
- ``forward(y_prev, state, keys, mask)``: checks its arguments, then ``memory`` and ``step``.

Which decoder state asks the question (the query of the attention):

- ``query="previous"`` (Bahdanau et al. 2014): ``c_i = attend(s_{i-1})``, then
  ``s_i = GRU([emb(y_{i-1}); c_i], s_{i-1})``;
- ``query="current"`` (Luong et al. 2015, without input feeding):
  ``s_i = GRU(emb(y_{i-1}), s_{i-1})``, then ``c_i = attend(s_i)``.

Either way ``logits = W_out [s_i; c_i; emb(y_{i-1})]``.
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import input_error
from ._fused import project_inputs
from ._fused_attention import AttentionGRUFunction
from ._fused_gru import GRUFunction
from .attention import AdditiveAttention, DotAttention, GeneralAttention, _check
from .cells import GRUCell, gru_step


def final_state(keys, mask):
    """The encoder output at each sequence's last real token: keys (N, S, H), mask (N, S) or None -> (N, H)."""
    if mask is None:
        return keys[:, -1]  # (N, H)
    last = mask.long().sum(dim=1) - 1  # (N,)
    return keys[torch.arange(keys.shape[0], device=keys.device), last]  # (N, H)


class AttentionDecoder(nn.Module):
    """One decoder step with attention over the encoder states.

    ``attention`` is 'additive', 'dot' (needs hidden_size == key_size) or 'general';
    ``query`` is 'previous' (Bahdanau: score with ``s_{i-1}``) or 'current' (Luong:
    score with ``s_i``). ``fused`` (keyword only, default True): with ``query='previous'``
    the teacher-forced pass runs ``_fused_attention.AttentionGRUFunction`` (no autograd
    inside the loop, the backward written out); False keeps the autograd step loop, the
    reference it is tested against (and the path for double backward).

    Shapes
    ------
    y_prev (N,) long, state (N, H), keys (N, S, Hk), mask (N, S)
    -> logits (N, V), state (N, H), weights (N, S)
    """

    def __init__(self, vocab_size, embed_size, hidden_size, key_size, attention="additive", attn_size=None,
                 pad_index=0, query="previous", *, fused=True):
        super().__init__()
        if attention == "additive":
            self.attention = AdditiveAttention(hidden_size, key_size, attn_size or hidden_size)
        elif attention == "general":
            self.attention = GeneralAttention(hidden_size, key_size)
        elif attention == "dot":
            if hidden_size != key_size:
                raise input_error("AttentionDecoder", ("hidden_size", "key_size"),
                                  "hidden_size == key_size for attention='dot'",
                                  f"hidden_size={hidden_size}, key_size={key_size}",
                                  hint="use attention='general', which learns a (H, Hk) matrix.")
            self.attention = DotAttention()
        else:
            raise input_error("AttentionDecoder", "attention", "'additive', 'dot' or 'general'", repr(attention))
        if query not in ("previous", "current"):
            raise input_error("AttentionDecoder", "query", "'previous' (Bahdanau) or 'current' (Luong)", repr(query))
        self.query, self.hidden_size, self.key_size, self.fused = query, hidden_size, key_size, fused
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=pad_index)
        cell_input = embed_size + key_size if query == "previous" else embed_size
        self.cell = GRUCell(cell_input, hidden_size)
        self.out = nn.Linear(hidden_size + key_size + embed_size, vocab_size)

    def memory(self, keys, mask):
        """The keys projected once per source sequence (Bahdanau's ``U_a h_j``)."""
        return self.attention.project_keys(keys)  # (N, S, A)

    def step(self, y_prev, state, keys, mask, memory):
        """One step with the projected keys from :meth:`memory`; no argument checks."""
        emb = self.embedding(y_prev)  # (N, E)
        state, context, weights = self._advance(emb, state, keys, mask, memory)
        logits = self.out(torch.cat((state, context, emb), dim=1))  # (N, V)
        return logits, state, weights

    def _advance(self, emb, state, keys, mask, memory):
        """The new state, the context and the weights of one step: (N, H), (N, Hk), (N, S)."""
        cell = self.cell
        if self.query == "previous":
            # c_i = sum_j alpha_ij h_j, scored with the previous state s_{i-1}
            context, weights = self.attention.attend(state, keys, memory, mask)  # (N, Hk), (N, S)
            # s_i = GRU([emb(y_{i-1}); c_i], s_{i-1})
            state = gru_step(torch.cat((emb, context), dim=1), state, cell.weight_ih, cell.weight_hh, cell.bias_ih,
                             cell.bias_hh)  # (N, H)
        else:
            # s_i = GRU(emb(y_{i-1}), s_{i-1}), then c_i scored with the current state s_i
            state = gru_step(emb, state, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)  # (N, H)
            context, weights = self.attention.attend(state, keys, memory, mask)  # (N, Hk), (N, S)
        return state, context, weights

    def teacher_forced(self, tgt_in, state, keys, mask, memory):
        """Every step's logits when every input token is known (full teacher forcing).

        The same numbers as :meth:`step` along ``tgt_in``; the embeddings are looked up once
        and the read-out is one matrix product after the loop (no logit feeds back).

        Shapes
        ------
        tgt_in (N, T) long, state (N, H), keys (N, S, Hk), mask (N, S) -> logits (N, T, V)
        """
        emb = self.embedding(tgt_in)  # (N, T, E)
        if self.fused and self.query == "previous":  # the loop without autograd, its backward written out
            states, contexts = self._teacher_forced_fused(emb, state, keys, mask, memory)  # (N, T, H), (N, T, Hk)
        else:
            states, contexts = [], []
            for emb_t in emb.unbind(1):
                state, context, _ = self._advance(emb_t, state, keys, mask, memory)
                states.append(state)
                contexts.append(context)
            states, contexts = torch.stack(states, 1), torch.stack(contexts, 1)
        return self.out(torch.cat((states, contexts, emb), dim=2))  # (N, T, V)

    def _teacher_forced_fused(self, emb, state, keys, mask, memory):
        """Bahdanau's order through ``AttentionGRUFunction``: emb (N, T, E) -> states (N, T, H), contexts (N, T, Hk)."""
        cell, E = self.cell, emb.shape[2]
        # W_ih = [W_e | W_c]: the embedding's share of the GRU input, all steps in one product
        gx = project_inputs(emb.transpose(0, 1), cell.weight_ih[:, :E], cell.bias_ih)  # (T, N, 3H)
        attention = self.attention
        w_q, v = ((attention.query_proj.weight, attention.v.weight) if isinstance(attention, AdditiveAttention)
                  else (None, None))
        states, contexts = AttentionGRUFunction.apply(gx, state, keys, memory, mask, cell.weight_ih[:, E:],
                                                      cell.weight_hh, cell.bias_hh, w_q, v)  # (T, N, H), (T, N, Hk)
        return states.transpose(0, 1), contexts.transpose(0, 1)

    def forward(self, y_prev, state, keys, mask):
        _check("AttentionDecoder.forward", state, keys, mask, self.hidden_size, self.key_size)
        return self.step(y_prev, state, keys, mask, self.memory(keys, mask))


class PlainDecoder(nn.Module):
    """One decoder step without attention: the final encoder state is the only context.

    As Cho et al. (2014): the summary ``c`` (here the encoder's state at the last real
    token) starts the decoder and is fed at every step, ``s_i = GRU([emb(y_{i-1}); c],
    s_{i-1})``, ``logits = W_out [s_i; c; emb(y_{i-1})]``. The same parameters as
    :class:`AttentionDecoder` apart from the attention's, so a comparison of the two
    differs in attention alone. ``weights`` is None.

    Shapes
    ------
    y_prev (N,) long, state (N, H), keys (N, S, Hk), mask (N, S)
    -> logits (N, V), state (N, H), None
    """

    def __init__(self, vocab_size, embed_size, hidden_size, key_size, pad_index=0):
        super().__init__()
        self.hidden_size, self.key_size = hidden_size, key_size
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=pad_index)
        self.cell = GRUCell(embed_size + key_size, hidden_size)
        self.out = nn.Linear(hidden_size + key_size + embed_size, vocab_size)

    def memory(self, keys, mask):
        """The fixed context ``c``: the encoder state at each sequence's last real token."""
        return final_state(keys, mask)  # (N, Hk)

    def step(self, y_prev, state, keys, mask, memory):
        """One step with the context from :meth:`memory`; no argument checks."""
        emb = self.embedding(y_prev)  # (N, E)
        # s_i = GRU([emb(y_{i-1}); c], s_{i-1})
        cell = self.cell
        state = gru_step(torch.cat((emb, memory), dim=1), state, cell.weight_ih, cell.weight_hh, cell.bias_ih,
                         cell.bias_hh)  # (N, H)
        logits = self.out(torch.cat((state, memory, emb), dim=1))  # (N, V)
        return logits, state, None

    def forward(self, y_prev, state, keys, mask):
        _check("PlainDecoder.forward", state, keys, mask, self.hidden_size, self.key_size)
        return self.step(y_prev, state, keys, mask, self.memory(keys, mask))

    def teacher_forced(self, tgt_in, state, keys, mask, memory):
        """Every step at once when every input token is known (full teacher forcing).

        The same numbers as :meth:`step` applied along ``tgt_in``: the inputs
        ``[emb(y_{i-1}); c]`` do not depend on the decoder's states, so the GRU runs over the
        whole sequence in one fused call and the read-out is one matrix product.

        Shapes
        ------
        tgt_in (N, T) long, state (N, H), memory (N, Hk) from :meth:`memory` -> logits (N, T, V)
        """
        emb = self.embedding(tgt_in)  # (N, T, E)
        context = memory.unsqueeze(1).expand(-1, tgt_in.shape[1], -1)  # (N, T, Hk)
        inputs = torch.cat((emb, context), dim=2).transpose(0, 1)  # (T, N, E + Hk)
        cell = self.cell
        states, _ = GRUFunction.apply(inputs, state, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh,
                                      False)  # (T, N, H)
        return self.out(torch.cat((states.transpose(0, 1), context, emb), dim=2))  # (N, T, V)
