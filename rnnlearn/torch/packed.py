"""``PackedSequence`` input for ``rnnlearn.torch.RNN`` / ``LSTM`` / ``GRU``, as ``torch.nn`` takes it.

A packed batch (``torch.nn.utils.rnn.pack_padded_sequence``) stores the sequences sorted
by length, longest first, time step by time step: ``data`` holds, for t = 0, 1, ..., the
``batch_sizes[t]`` sequences that are still running at step t. So the sequences alive at
step t are always the first ``batch_sizes[t]`` rows of the sorted batch, and between two
lengths of the batch the number of rows is constant. Each such stretch of time, a
*segment*, is a plain (T_seg, n, D) block of ``data`` (a view, no copy), which the padded
path's whole-sequence computation (``_RNNBase._direction``) runs as it is:

- forward direction: segments in time order. At the start of a segment the state of its
  n rows carries over from the previous one; the rows that have just ended keep their final
  state, which is their ``h_n``.
- reverse direction: segments from the last to the first. Each sequence starts at its own
  last element, from ``h_0``: entering a segment, the rows that were not running yet join
  with their initial state. After the first segment (t = 0) every row holds its ``h_n``.

Nothing is computed at padded positions: the cost follows the real lengths. ``h_0`` and
``h_n`` are in the caller's batch order (torch's convention: ``hx`` is reordered by
``sorted_indices`` on the way in and ``h_n`` by ``unsorted_indices`` on the way out), and
the output is a ``PackedSequence`` with the input's ``batch_sizes``, ``sorted_indices`` and
``unsorted_indices``.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as nnf
from torch.nn.utils.rnn import PackedSequence


class Segment(NamedTuple):
    """Time steps [t0, t1) with the same n running sequences: packed rows [start, stop)."""

    t0: int
    t1: int
    n: int
    start: int
    stop: int


def segments(batch_sizes) -> list[Segment]:
    """Split a packed batch into stretches of constant batch size, in time order."""
    sizes = [int(b) for b in batch_sizes]
    out, t0, start = [], 0, 0
    for t in range(1, len(sizes) + 1):
        if t == len(sizes) or sizes[t] != sizes[t0]:
            stop = start + (t - t0) * sizes[t0]
            out.append(Segment(t0, t, sizes[t0], start, stop))
            t0, start = t, stop
    return out


def _forward_direction(rnn, data, segs, h0, c0, layer):
    """Forward in time: returns the packed outputs (sum of lengths, H) and h_n, c_n (N, H)."""
    h, c, outputs = h0, c0, []
    for seg in segs:
        x = data[seg.start:seg.stop].view(seg.t1 - seg.t0, seg.n, -1)  # (T_seg, n, D)
        c_in = None if c is None else c[:seg.n]
        h_seq, h_T, c_T = rnn._direction(x, h[:seg.n], c_in, layer, 0)  # (T_seg, n, H), (n, H)
        outputs.append(h_seq.reshape(-1, h_seq.shape[-1]))  # packed rows of the segment
        # rows >= n ended before this segment: their final states stay
        h = torch.cat((h_T, h[seg.n:]))  # (N, H)
        c = None if c is None else torch.cat((c_T, c[seg.n:]))
    return torch.cat(outputs), h, c


def _reverse_direction(rnn, data, segs, h0, c0, layer):
    """Backward in time, each sequence from its own last element: packed outputs, h_n, c_n."""
    h, c = h0[:0], None if c0 is None else c0[:0]  # no row is running after the last step
    outputs = [None] * len(segs)
    for k in reversed(range(len(segs))):
        seg = segs[k]
        x = data[seg.start:seg.stop].view(seg.t1 - seg.t0, seg.n, -1)  # (T_seg, n, D)
        # the sequences whose last element is at t1 - 1 join here, from their initial state
        h = torch.cat((h, h0[h.shape[0]:seg.n]))  # (n, H)
        c = None if c is None else torch.cat((c, c0[c.shape[0]:seg.n]))
        h_seq, h, c = rnn._direction(x, h, c, layer, 1)  # (T_seg, n, H), then the state at t0
        outputs[k] = h_seq.reshape(-1, h_seq.shape[-1])
    return torch.cat(outputs), h, c


def run_packed(rnn, x: PackedSequence, h0, c0):
    """Every layer and direction of ``rnn`` over a packed batch.

    ``h0`` and ``c0`` (``c0`` None unless LSTM) are (L*dirs, N, H) in the caller's batch
    order. Returns ``(output, h_n, c_n)``: a PackedSequence like ``x`` with ``dirs*H``
    features, and the final states (L*dirs, N, H) in the caller's order (``c_n`` None
    unless LSTM).

    Shapes
    ------
    x.data (sum of lengths, D), h0 and c0 (L*dirs, N, H)
    -> output.data (sum of lengths, dirs*H), h_n and c_n (L*dirs, N, H)
    """
    if x.sorted_indices is not None:  # the caller's order -> sorted by length
        h0 = h0.index_select(1, x.sorted_indices)
        c0 = None if c0 is None else c0.index_select(1, x.sorted_indices)
    segs = segments(x.batch_sizes)
    h_n, c_n, layer_input = [], [], x.data
    for layer in range(rnn.num_layers):
        outs = []
        for direction in range(rnn.num_directions):
            k = layer * rnn.num_directions + direction
            run = _reverse_direction if direction == 1 else _forward_direction
            out, h_T, c_T = run(rnn, layer_input, segs, h0[k], None if c0 is None else c0[k], layer)
            outs.append(out)
            h_n.append(h_T)
            c_n.append(c_T)
        layer_input = torch.cat(outs, dim=1) if rnn.num_directions == 2 else outs[0]  # (sum len, dirs*H)
        # Dropout on the outputs of every layer except the last, as torch.nn does.
        if rnn.dropout > 0 and layer < rnn.num_layers - 1:
            layer_input = nnf.dropout(layer_input, rnn.dropout, rnn.training)
    h_n = torch.stack(h_n)  # (L*dirs, N, H), sorted order
    c_n = None if c0 is None else torch.stack(c_n)
    if x.unsorted_indices is not None:  # sorted -> the caller's order
        h_n = h_n.index_select(1, x.unsorted_indices)
        c_n = None if c_n is None else c_n.index_select(1, x.unsorted_indices)
    output = PackedSequence(layer_input, x.batch_sizes, x.sorted_indices, x.unsorted_indices)
    return output, h_n, c_n
