"""Losses over padded batches: the mean over real positions only.

A padded batch holds ``N`` sequences of different lengths in one ``(N, T)`` grid; the
mask is True (or 1) at real positions and False (0) at padding. The loss of the batch is
the mean over the real positions::

    loss = sum_{n,t} m_{n,t} * l_{n,t} / sum_{n,t} m_{n,t}

The classic bug is ``l.mean()``, the mean over all ``N * T`` positions: padded positions
then add their (meaningless) losses, and even when those are zeroed the divisor counts
them, so the loss and every gradient shrink as the batch is padded further. Here padding a
batch further changes neither the loss nor any gradient, whatever the padded positions
hold (NaN included): they never enter the computation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as nnf

from ..errors import input_error, shape_str
from ._checks import check_tensor, from_arg, shape_error


def _bool_mask(func, mask, like, like_name, layout):
    """``mask`` as a bool tensor of ``like``'s shape, or an InputError; at least one True."""
    check_tensor(func, "mask", mask, layout)
    if mask.shape != like.shape:
        fixed = [(layout, shape_str(like.shape), from_arg(like_name, like))]
        raise shape_error(func, "mask", f"{layout} = {shape_str(like.shape)}", mask, fixed=fixed)
    if mask.dtype != torch.bool:
        if mask.is_complex() or not ((mask == 0) | (mask == 1)).all():
            raise input_error(func, "mask", "a bool tensor, or 0/1 values (1 = a real position)",
                              f"values other than 0 and 1 (dtype {mask.dtype})")
        mask = mask != 0
    if not mask.any():
        raise input_error(func, "mask", "at least one real position (a True or 1)", "no real position",
                          hint="the mean over zero positions is undefined; drop empty batches.")
    return mask


def masked_mean(values, mask):
    """Mean of ``values`` over the positions where ``mask`` is True: ``sum(m * v) / sum(m)``.

    The padded positions never enter the computation: their values may be anything (even NaN)
    and their gradient is exactly 0.

    Parameters
    ----------
    values : torch.Tensor
        Per-position values, e.g. per-token losses.
    mask : torch.Tensor
        Same shape; bool, or 0/1 values of any dtype; True (1) at real positions.

    Returns
    -------
    torch.Tensor
        A scalar: the mean over the real positions.

    Shapes
    ------
    values (N, T) or (T, N) (any shape), mask the same shape -> scalar
    """
    func = "masked_mean"
    check_tensor(func, "values", values, "(N, T)")
    if not values.is_floating_point():
        raise input_error(func, "values", "a floating-point tensor", f"dtype {values.dtype}")
    m = _bool_mask(func, mask, values, "values", "(N, T)")
    # sum_{n,t} m * v / sum_{n,t} m, with the padded positions left out (not multiplied by 0: NaN * 0 = NaN)
    total = torch.where(m, values, values.new_zeros(())).sum()
    return total / m.sum()


def masked_cross_entropy(logits, targets, mask):
    """Mean cross-entropy over the real tokens of a padded batch.

    ``loss = sum_{n,t} m_{n,t} * CE(logits_{n,t}, targets_{n,t}) / sum_{n,t} m_{n,t}`` with
    ``CE(z, y) = -log softmax(z)_y``. Equal to ``torch.nn.functional.cross_entropy`` over the
    real tokens alone. The padded positions never enter: their logits and targets may be anything
    (a pad id, -100, NaN logits) and their gradient is exactly 0.

    Parameters
    ----------
    logits : torch.Tensor
        Unnormalised scores, floating point.
    targets : torch.Tensor
        Target ids, dtype torch.long, in [0, V) at the real positions.
    mask : torch.Tensor
        Bool, or 0/1 values; True (1) at real positions.

    Returns
    -------
    torch.Tensor
        A scalar.

    Shapes
    ------
    logits (N, T, V), targets (N, T), mask (N, T) -> scalar
    (time-first (T, N, V), (T, N), (T, N) works the same)
    """
    func = "masked_cross_entropy"
    check_tensor(func, "logits", logits, "(N, T, V)")
    if logits.dim() != 3 or not logits.is_floating_point():
        raise input_error(func, "logits", "floating-point scores of shape (N, T, V)",
                          f"shape {shape_str(logits.shape)} and dtype {logits.dtype}")
    check_tensor(func, "targets", targets, "(N, T)")
    if targets.shape != logits.shape[:2] or targets.dtype != torch.long:
        raise input_error(func, "targets", f"ids of shape (N, T) = {shape_str(logits.shape[:2])} and dtype torch.long",
                          f"shape {shape_str(targets.shape)} and dtype {targets.dtype}",
                          hint="targets are class ids, not one-hot vectors or probabilities." if
                          targets.shape == logits.shape else None)
    m = _bool_mask(func, mask, targets, "targets", "(N, T)")
    real_logits, real_targets = logits[m], targets[m]  # (n_real, V), (n_real,)
    V = logits.shape[2]
    if (real_targets < 0).any() or (real_targets >= V).any():
        bad = real_targets[(real_targets < 0) | (real_targets >= V)][0].item()
        raise input_error(func, "targets", f"ids in [0, V) = [0, {V}) at every real position", f"id {bad}",
                          hint="is the mask False at the padding?")
    # sum over real tokens of -log softmax(z)_y, divided by their number
    return nnf.cross_entropy(real_logits, real_targets, reduction="sum") / m.sum()
