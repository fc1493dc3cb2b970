"""The shipped character corpora, and batching a text into parallel streams for a char LM."""

from __future__ import annotations

import gzip
from importlib import resources
from typing import NamedTuple

import numpy as np

from ..errors import input_error, shape_str
from ._checks import check_int
from .vocab import Vocab

#: Names accepted by ``char_corpus``; see ``rnnlearn/data/corpus/README.md`` for sources.
CORPORA = {
    "alice": "alice.txt.gz",                  # Carroll 1865, 148,463 characters
    "paradise_lost": "paradise_lost.txt.gz",  # Milton 1667, 456,856 characters
}


class CharCorpus(NamedTuple):
    """A text and its character vocabulary (no special tokens: id = index in sorted chars)."""

    text: str
    vocab: Vocab


def char_corpus(name="alice"):
    """Load a public-domain text shipped inside the package, with its character vocabulary.

    Parameters
    ----------
    name : str
        ``"alice"`` (Alice's Adventures in Wonderland, ~148 k characters, 73 distinct) or
        ``"paradise_lost"`` (~457 k characters, 78 distinct). Sources and licence are in
        ``rnnlearn/data/corpus/README.md``.

    Returns
    -------
    CharCorpus
        ``text`` (str) and ``vocab`` (``Vocab`` with no specials, V = number of distinct
        characters), so ``vocab.decode(vocab.encode(text)) == text``.

    Shapes
    ------
    text of L characters; ``np.array(vocab.encode(text))`` is (L,) with ids in [0, V).
    """
    if name not in CORPORA:
        raise input_error("char_corpus", "name", f"one of {sorted(CORPORA)}", repr(name))
    data = resources.files("rnnlearn.data").joinpath("corpus", CORPORA[name]).read_bytes()
    text = gzip.decompress(data).decode("utf-8")
    return CharCorpus(text, Vocab.from_texts(text, specials=()))


def char_stream(ids, batch_size):
    """Cut a long sequence of ids into ``batch_size`` contiguous parallel streams.

    Row j is the j-th slice of length L // N of the text; the tail that does not fill a
    row is dropped. Walking along the columns in chunks, carrying the hidden state from one
    chunk to the next, is how min-char-rnn and char-rnn train with truncated BPTT.

    Parameters
    ----------
    ids : array_like of int, shape (L,)
    batch_size : int
        Number N of parallel streams, 1 <= N <= L // 2.

    Returns
    -------
    ndarray of int64, shape (N, L // N)

    Shapes
    ------
    (L,) -> (N, L // N).
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise input_error("char_stream", "ids", "shape (L,)", f"shape {shape_str(ids.shape)}")
    n = check_int("char_stream", "batch_size", batch_size, minimum=1)
    width = len(ids) // n
    if width < 2:
        raise input_error("char_stream", ("ids", "batch_size"), "at least 2 ids per stream, "
                          f"L >= 2 * batch_size = {2 * n}", f"L = {len(ids)} ids for batch_size={n}")
    return ids[: n * width].astype(np.int64).reshape(n, width)  # (N, L // N)


def stream_chunks(stream, seq_len):
    """Consecutive (input, next-character target) chunks of a ``char_stream``.

    Chunk c is ``x = stream[:, c*k : (c+1)*k]`` and ``y = stream[:, c*k+1 : (c+1)*k+1]``
    (k = seq_len; the last chunk may be shorter), so ``y[:, t]`` is the character after
    ``x[:, t]`` and chunk c + 1 starts where chunk c ended: carry the hidden state over.

    Parameters
    ----------
    stream : ndarray, shape (N, W)
    seq_len : int
        Chunk length k >= 1.

    Yields
    ------
    x, y : ndarray of int64, shape (N, k)

    Shapes
    ------
    (N, W) -> ceil((W - 1) / k) chunks of (N, k).
    """
    stream = np.asarray(stream)
    if stream.ndim != 2:
        raise input_error("stream_chunks", "stream", "shape (N, W)", f"shape {shape_str(stream.shape)}")
    k = check_int("stream_chunks", "seq_len", seq_len, minimum=1)
    for start in range(0, stream.shape[1] - 1, k):
        stop = min(start + k, stream.shape[1] - 1)
        yield stream[:, start:stop], stream[:, start + 1:stop + 1]
