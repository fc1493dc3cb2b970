"""Teacher-forced training of an encoder-decoder on random batches, timed in CPU seconds, and exact match.

``train_seq2seq`` is chapter 7's loop: each update draws ``batch_size`` random pairs, trims
the columns that are padding in the whole batch (a masked model gives the same loss and
gradients with or without them, and shorter batches are cheaper), feeds
``<bos> y_1 ... y_{T-1}`` and scores ``y_1 ... y_T`` with ``model.loss``, then Adam with the
gradient norm clipped. It returns the CPU time the updates took (process time, which other
programs on a shared machine distort less than wall time), not counting ``call``.

The model is any ``rnnlearn.torch.Seq2Seq``-like module: ``model(src, tgt_in)`` -> logits,
``model.loss(logits, tgt)``, and the attributes ``sos_index`` and ``pad_index``.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np
import torch

from ..errors import input_error, shape_str
from .loop import tqdm


def _check_pairs(data):
    ok = (isinstance(data, tuple) and len(data) == 2 and all(isinstance(a, torch.Tensor) for a in data)
          and all(a.dim() == 2 and a.dtype == torch.long for a in data) and len(data[0]) == len(data[1]))
    if not ok:
        got = (", ".join(f"{type(a).__name__} {shape_str(a.shape)} {a.dtype}" if isinstance(a, torch.Tensor)
                         else type(a).__name__ for a in data) if isinstance(data, tuple) else type(data).__name__)
        raise input_error("train_seq2seq", "data", "a pair (src (M, S), tgt (M, T)) of torch.long tensors "
                          "with the same number of rows M", got)


def train_seq2seq(model, data, updates: int, *, batch_size: int = 64, lr: float = 1e-3, seed: int = 0,
                  clip: float = 1.0, every: int | None = None, call: Callable | None = None,
                  desc: str | None = None) -> float:
    """Train ``model`` for ``updates`` teacher-forced Adam updates; return their CPU seconds.

    Parameters
    ----------
    model : Seq2Seq-like module (see the module docstring)
    data : (src, tgt)
        Token ids padded with ``model.pad_index``; each target ends with its end token.
    updates, batch_size, lr, clip : the number of updates, pairs per batch, Adam's learning
        rate, and the largest gradient norm.
    seed : int
        Seeds the batches (the model's initialisation is the caller's).
    every, call : optional
        ``call(model, update)`` after every ``every``-th update, outside the timing (for
        checkpoints).
    desc : str, optional
        Label of the progress bar.

    Shapes
    ------
    src (M, S) long, tgt (M, T) long -> CPU seconds (float)
    """
    _check_pairs(data)
    src_all, tgt_all = data
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    pad, cpu = model.pad_index, 0.0
    for step in tqdm(range(1, updates + 1), desc=desc, leave=False, mininterval=1.0):
        idx = torch.randint(0, len(src_all), (batch_size,), generator=gen)
        start = time.process_time()
        src, tgt = src_all[idx], tgt_all[idx]  # (N, S), (N, T)
        src = src[:, :int((src != pad).sum(1).max())]  # drop the columns that are padding in every row
        tgt = tgt[:, :int((tgt != pad).sum(1).max())]
        tgt_in = torch.cat([torch.full_like(tgt[:, :1], model.sos_index), tgt[:, :-1]], dim=1)  # <bos> y_1 ..
        loss = model.loss(model(src, tgt_in), tgt)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        cpu += time.process_time() - start
        if every and call is not None and step % every == 0:
            call(model, step)
    return cpu


def exact_match(tokens, tgt) -> np.ndarray:
    """Per example: every target token, up to and including the end token and the padding after it, right.

    Shapes
    ------
    tokens (N, L) with L >= T (greedy or beam output), tgt (N, T) -> (N,) bool NumPy array
    """
    if tokens.dim() != 2 or tgt.dim() != 2 or len(tokens) != len(tgt) or tokens.shape[1] < tgt.shape[1]:
        raise input_error("exact_match", ("tokens", "tgt"), "tokens (N, L) and tgt (N, T) with L >= T",
                          f"tokens {shape_str(tokens.shape)}, tgt {shape_str(tgt.shape)}")
    return (tokens[:, :tgt.shape[1]] == tgt).all(dim=1).cpu().numpy()
