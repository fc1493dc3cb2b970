"""Beam search beside greedy decoding, and the score both are judged by.

The score of an output ``y_1 .. y_L`` (``y_L`` the end token, or the ``max_len``-th token
when no end came) is its log-probability under the model,
``log p(y | x) = sum_i log p(y_i | y_<i, x)``, summed up to and including the first end
token. Greedy decoding keeps the single best prefix at every step; beam search keeps the
``beam_width`` best prefixes (Sutskever et al. 2014 used a beam, and so did Bahdanau et
al. 2014). A prefix that has emitted the end token is finished: it stays in the beam with
its score unchanged and competes with the unfinished ones, whose scores can only fall.

Beam width 1 is greedy decoding. A wider beam usually finds a higher score than greedy,
but that is not a theorem: the greedy prefix can be pushed out of the beam by prefixes
that later turn out worse (the tests measure how often it does on random models).
The raw log-probability favours short outputs; no length normalisation is applied.
"""

from __future__ import annotations

import torch
import torch.nn.functional as nnf

from ..errors import input_error
from .seq2seq import _check_tokens


def sequence_log_prob(model, src, tokens):
    """Log-probability under ``model`` of each output, up to and including its first end token.

    Parameters
    ----------
    model : Seq2Seq
    src : torch.Tensor
        Source token ids, padded with ``model.pad_index``.
    tokens : torch.Tensor
        Outputs as :meth:`Seq2Seq.greedy_decode` returns them (no start token; anything
        after the first ``eos_index`` is ignored).

    Returns
    -------
    torch.Tensor
        ``log p(y | x)``, float.

    Shapes
    ------
    src (N, S) long, tokens (N, L) long -> (N,)
    """
    _check_tokens("sequence_log_prob", "src", src)
    _check_tokens("sequence_log_prob", "tokens", tokens, "(N, L)")
    if tokens.shape[0] != src.shape[0]:
        raise input_error("sequence_log_prob", "tokens", f"shape (N, L) = ({src.shape[0]}, ?)",
                          f"shape {tuple(tokens.shape)}")
    sos = torch.full_like(tokens[:, :1], model.sos_index)  # (N, 1)
    with torch.no_grad():
        logits = model(src, torch.cat((sos, tokens[:, :-1]), dim=1), teacher_forcing=1.0)  # (N, L, V)
    logp = nnf.log_softmax(logits, dim=2).gather(2, tokens.unsqueeze(2)).squeeze(2)  # (N, L)
    is_end = (tokens == model.eos_index).long()  # (N, L)
    counted = (is_end.cumsum(dim=1) - is_end) == 0  # up to and including the first end token
    return (logp * counted).sum(dim=1)  # (N,)


@torch.no_grad()
def beam_search(model, src, beam_width: int, max_len: int):
    """Decode with a beam of ``beam_width`` prefixes per source sequence.

    Parameters
    ----------
    model : Seq2Seq
    src : torch.Tensor
        Source token ids, padded with ``model.pad_index``.
    beam_width : int
        Prefixes kept per source sequence; 1 is greedy decoding.
    max_len : int
        Most output tokens; an output without an end token is cut there.

    Returns
    -------
    tokens : torch.Tensor
        The highest-scoring output of each beam, as :meth:`Seq2Seq.greedy_decode`:
        no start token, ``pad_index`` after the first ``eos_index``.
    scores : torch.Tensor
        Its log-probability (equal to :func:`sequence_log_prob` of ``tokens``).

    Shapes
    ------
    src (N, S) long -> tokens (N, max_len) long, scores (N,)
    """
    _check_tokens("beam_search", "src", src)
    for name, value in (("beam_width", beam_width), ("max_len", max_len)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise input_error("beam_search", name, "an integer >= 1", repr(value))
    N, K = src.shape[0], beam_width
    mask = model.source_mask(src)  # (N, S)
    keys, state = model.encoder(src, mask)  # (N, S, H), (N, H)
    # row n * K + k holds hypothesis k of source n
    keys, mask, state = (x.repeat_interleave(K, dim=0) for x in (keys, mask, state))
    memory = model.decoder.memory(keys, mask)  # once per source, as in greedy decoding
    scores = torch.full((N, K), float("-inf"), dtype=keys.dtype, device=src.device)  # (N, K)
    scores[:, 0] = 0.0  # one live hypothesis at the start: the empty prefix
    finished = torch.zeros(N, K, dtype=torch.bool, device=src.device)  # (N, K)
    tokens = torch.zeros(N, K, 0, dtype=torch.long, device=src.device)  # (N, K, t)
    y = torch.full((N * K,), model.sos_index, dtype=torch.long, device=src.device)  # (N K,)
    offsets = torch.arange(N, device=src.device).unsqueeze(1) * K  # (N, 1)
    for _ in range(max_len):
        logits, new_state, _ = model.decoder.step(y, state, keys, mask, memory)  # (N K, V)
        logp = nnf.log_softmax(logits, dim=1).view(N, K, -1)  # (N, K, V)
        V = logp.shape[2]
        # a finished hypothesis continues with padding only, at no cost
        after_end = torch.full_like(logp, float("-inf"))
        after_end[:, :, model.pad_index] = 0.0
        logp = torch.where(finished.unsqueeze(2), after_end, logp)  # (N, K, V)
        # score(prefix + y) = score(prefix) + log p(y | prefix, x); keep the K best
        scores, index = (scores.unsqueeze(2) + logp).view(N, K * V).topk(K, dim=1)  # (N, K)
        parent, y_new = index // V, index % V  # (N, K) each
        tokens = torch.cat((tokens.gather(1, parent.unsqueeze(2).expand(-1, -1, tokens.shape[2])),
                            y_new.unsqueeze(2)), dim=2)  # (N, K, t + 1)
        finished = finished.gather(1, parent) | (y_new == model.eos_index)  # (N, K)
        state = new_state[(parent + offsets).view(-1)]  # (N K, H)
        y = y_new.view(-1)  # (N K,)
        if finished[:, 0].all():  # every best hypothesis has ended: no other can overtake it
            break
    best = tokens[:, 0]  # (N, t): topk sorts, so hypothesis 0 is the best
    out = torch.full((N, max_len), model.pad_index, dtype=torch.long, device=src.device)
    out[:, :best.shape[1]] = best
    return out, scores[:, 0]
