"""Padding variable-length sequences into a batch, with lengths and masks."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..errors import input_error, shape_str


class Padded(NamedTuple):
    """A padded batch. ``mask[j, t]`` is True at real positions, False at padding."""

    tokens: np.ndarray   # (N, T) int64
    lengths: np.ndarray  # (N,) int64
    mask: np.ndarray     # (N, T) bool


def lengths_to_mask(lengths, T=None):
    """Boolean mask that is True at the first ``lengths[j]`` positions of row j.

    Parameters
    ----------
    lengths : array_like of int, shape (N,)
    T : int, optional
        Width of the mask; defaults to ``max(lengths)``.

    Returns
    -------
    mask : ndarray of bool, shape (N, T)

    Shapes
    ------
    lengths (N,) -> mask (N, T).
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer) or (lengths < 0).any():
        raise input_error("lengths_to_mask", "lengths", "non-negative integers of shape (N,)",
                          f"dtype {lengths.dtype} and shape {shape_str(lengths.shape)}"
                          + (", with a negative entry" if lengths.ndim == 1 and lengths.size
                             and np.issubdtype(lengths.dtype, np.integer) else ""))
    T = int(lengths.max(initial=0)) if T is None else T
    if lengths.size and lengths.max() > T:
        raise input_error("lengths_to_mask", ("T", "lengths"), "T >= max(lengths)",
                          f"T={T} and max(lengths)={int(lengths.max())}")
    return np.arange(T)[None, :] < lengths[:, None]  # (N, T)


def pad_batch(seqs, *, pad_index, length=None):
    """Stack sequences of token ids into one (N, T) array, filling with ``pad_index``.

    Parameters
    ----------
    seqs : sequence of sequences of int
        N sequences of ids (lists, arrays), of lengths L_j >= 0.
    pad_index : int
        The id that fills the tail of the shorter sequences (``vocab.pad_index``).
    length : int, optional
        Width T of the batch; defaults to ``max(L_j)``. Longer sequences raise ValueError
        (truncate them yourself if that is what you want).

    Returns
    -------
    Padded
        ``tokens`` (N, T) int64, ``lengths`` (N,) int64, ``mask`` (N, T) bool with True at
        real positions: ``mask == (arange(T) < lengths[:, None])``.

    Shapes
    ------
    N sequences of length L_j -> tokens (N, T), lengths (N,), mask (N, T).
    """
    seqs = [np.asarray(s, dtype=np.int64).reshape(-1) for s in seqs]
    if not seqs:
        raise input_error("pad_batch", "seqs", "at least one sequence", "an empty sequence of sequences")
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)  # (N,)
    T = int(lengths.max()) if length is None else int(length)
    if lengths.max() > T:
        raise input_error("pad_batch", ("length", "seqs"), "a length no shorter than the longest sequence",
                          f"length={T} and a sequence of {int(lengths.max())} tokens",
                          hint="truncate the sequences yourself if that is what you want.")
    tokens = np.full((len(seqs), T), pad_index, dtype=np.int64)  # (N, T)
    for j, s in enumerate(seqs):
        tokens[j, :len(s)] = s
    return Padded(tokens, lengths, lengths_to_mask(lengths, T))


def encode_batch(vocab, texts, *, add_bos=False, add_eos=False, length=None):
    """Encode strings with ``vocab`` and pad them: ``pad_batch([vocab.encode(t) ...])``.

    Shapes
    ------
    N strings -> tokens (N, T), lengths (N,), mask (N, T); see ``pad_batch``.
    """
    if vocab.pad_index is None:
        raise input_error("encode_batch", "vocab", "a Vocab with a <pad> token",
                          f"a Vocab with specials {vocab.specials}",
                          hint="build it with the default specials to pad a batch.")
    ids = [vocab.encode(t, add_bos=add_bos, add_eos=add_eos) for t in texts]
    return pad_batch(ids, pad_index=vocab.pad_index, length=length)
