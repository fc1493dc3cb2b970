"""Chapter 06_rnns_in_practice: the masked sequence loss, the last real state, reversing within lengths.

Every question here with its cases, its reference and its known-wrong variants (each
variant function is right with ``mistake=None`` and reproduces one classic mistake
otherwise). All three work on a right-padded batch: sequence j is real at steps
``t < L_j`` and padding after, ``mask[j, t] = t < lengths[j]``.

    loss = sum_{j,t} mask_jt * l_jt / sum_{j,t} mask_jt,   l_jt = -log softmax(z_jt)[y_jt]
    dloss/dz_jt = mask_jt * (softmax(z_jt) - onehot(y_jt)) / sum(mask)
"""

from __future__ import annotations

import numpy as np

from ..registry import question
from ..scoring import Case, Output, grade_outputs

CHAPTER = "06_rnns_in_practice"

LOSS = {
    "mean_over_all": "the loss averages over every position, padding included: the padded steps "
                     "are not data. Multiply the per-token losses by the mask and divide by the "
                     "number of real tokens, mask.sum().",
    "divide_by_NT": "the masked sum is divided by N * T; divide by the number of real tokens, "
                    "mask.sum(), or the loss (and its gradient) shrinks with the amount of padding.",
    "per_sequence_mean": "this is the mean of each sequence's mean loss, which weighs a token of a "
                         "short sequence more than one of a long sequence; average over all real "
                         "tokens of the batch at once.",
    "grad_unmasked": "the gradient is not zero at the padded positions: the loss does not depend on "
                     "them, so dlogits must be multiplied by the mask too.",
    "grad_not_normalised": "dlogits is missing the 1 / mask.sum() of the mean: the gradient of "
                           "sum(mask * l) / mask.sum() is mask * (softmax - onehot) / mask.sum().",
}

LAST = {
    "padded_last": "this is the output at the last padded step, output[:, -1] (what h_n holds for a "
                   "padded batch); sequence j ends at step lengths[j] - 1.",
    "at_length": "sequence j's last real step is lengths[j] - 1 (steps count from 0), not lengths[j].",
    "backward_at_end": "the backward direction's final state is at step 0, where it finished reading "
                       "the sequence backwards: take output[j, 0, H:], not output[j, L_j - 1, H:].",
    "halves_swapped": "keep torch's order: the forward half (the first H features) first, then the "
                      "backward half.",
}

REVERSE = {
    "flip_all": "reversing the whole padded row moves the padding to the front; reverse only the first "
                "lengths[j] steps of row j and leave the padding where it is.",
    "off_by_one": "step t of the reversed sequence is step L_j - 1 - t of the original (steps count "
                  "from 0), not L_j - t.",
    "feature_axis": "the time axis is axis 1 of (N, T, D); this reverses the features (axis 2).",
    "batch_axis": "the time axis is axis 1 of (N, T, D); this reverses the order of the sequences "
                  "in the batch (axis 0).",
}


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def masked_loss(logits, targets, mask, mistake=None):
    """``(loss, dlogits)`` of the mean cross-entropy over real tokens; ``mistake`` from ``LOSS``."""
    N, T, V = logits.shape
    log_p = _log_softmax(logits)  # (N, T, V)
    # l_jt = -log p_jt[y_jt]
    per_token = -np.take_along_axis(log_p, targets[..., None], axis=2)[..., 0]  # (N, T)
    m = mask.astype(logits.dtype)  # (N, T)
    count = m.sum()
    if mistake == "mean_over_all":
        m, count = np.ones_like(m), N * T
    elif mistake == "divide_by_NT":
        count = N * T
    if mistake == "per_sequence_mean":
        weight = m / m.sum(axis=1, keepdims=True) / N  # (N, T): 1 / (N L_j) at real steps
    else:
        weight = m / count  # (N, T)
    loss = float((weight * per_token).sum())
    # dl_jt/dz_jt = softmax(z_jt) - onehot(y_jt)
    dz = np.exp(log_p)  # (N, T, V)
    np.put_along_axis(dz, targets[..., None], np.take_along_axis(dz, targets[..., None], axis=2) - 1, axis=2)
    if mistake == "grad_unmasked":
        weight = np.ones_like(m) / count
    elif mistake == "grad_not_normalised":
        weight = m
    return loss, dz * weight[..., None]  # (N, T, V)


def _loss_case(rng, lengths, T, V):
    N = len(lengths)
    mask = np.arange(T)[None, :] < np.asarray(lengths)[:, None]  # (N, T)
    targets = np.where(mask, rng.integers(1, V, (N, T)), 0)  # the pad id 0 at the padding
    return rng.normal(0, 2.0, (N, T, V)), targets, mask


@question("masked_sequence_loss", points=3, chapter=CHAPTER,
          signature="masked_sequence_loss(logits, targets, mask)",
          arg_names=("logits", "targets", "mask"),
          crash_hint="logits is (N, T, V), targets (N, T) ints, mask (N, T) bool with True at real "
                     "steps; return (loss, dlogits) with loss a float and dlogits (N, T, V).")
def _masked_sequence_loss(attempt):
    rng = attempt.rng
    cases = [Case("N=3, T=5, V=4, lengths 5, 2, 3", _loss_case(rng, [5, 2, 3], 5, 4)),
             Case("N=2, T=7, V=6, lengths 3, 1 (padded past the longest)", _loss_case(rng, [3, 1], 7, 6)),
             Case("N=4, T=4, V=3, lengths 4, 4, 1, 2", _loss_case(rng, [4, 4, 1, 2], 4, 3)),
             Case("N=2, T=3, V=5, no padding", _loss_case(rng, [3, 3], 3, 5))]
    outputs = (Output("loss", "()"), Output("dlogits", "(N, T, V)"))
    return grade_outputs(attempt, outputs, cases, masked_loss, masked_loss, LOSS)


def last_hidden(output, lengths, bidirectional, mistake=None):
    """The state after each sequence's last real step, ``(N, dirs*H)``; ``mistake`` from ``LAST``."""
    N, T, width = output.shape
    rows = np.arange(N)
    last = lengths - 1  # (N,)
    if mistake == "padded_last":
        last = np.full(N, T - 1)
    elif mistake == "at_length":
        last = np.minimum(lengths, T - 1)
    if not bidirectional:
        return output[rows, last]  # (N, H)
    H = width // 2
    forward = output[rows, last, :H]  # (N, H): after reading x_0 .. x_{L-1}
    # the backward direction reads x_{L-1} .. x_0 and ends at step 0
    backward = output[rows, last, H:] if mistake in ("backward_at_end", "padded_last") else output[:, 0, H:]
    if mistake == "halves_swapped":
        return np.concatenate([backward, forward], axis=1)  # (N, 2H)
    return np.concatenate([forward, backward], axis=1)  # (N, 2H)


def _padded_output(rng, lengths, T, width):
    """An RNN-like output (N, T, width) with non-zero values at the padding, as an unpacked RNN leaves."""
    return rng.normal(size=(len(lengths), T, width)), np.asarray(lengths, dtype=np.int64)


@question("last_hidden", points=2, chapter=CHAPTER, signature="last_hidden(output, lengths, bidirectional)",
          arg_names=("output", "lengths", "bidirectional"),
          crash_hint="output is (N, T, H) or (N, T, 2H) when bidirectional, lengths (N,) ints in "
                     "[1, T]; index step lengths[j] - 1 of row j, e.g. with output[np.arange(N), ...].")
def _last_hidden(attempt):
    rng = attempt.rng
    cases = [Case("N=3, T=6, H=4, lengths 4, 2, 5", _padded_output(rng, [4, 2, 5], 6, 4) + (False,), "one direction"),
             Case("N=2, T=5, H=3, lengths 5, 1", _padded_output(rng, [5, 1], 5, 3) + (False,), "one direction"),
             Case("N=3, T=6, H=2 (2H=4), lengths 3, 5, 2", _padded_output(rng, [3, 5, 2], 6, 4) + (True,),
                  "bidirectional"),
             Case("N=2, T=4, H=3 (2H=6), lengths 4, 2", _padded_output(rng, [4, 2], 4, 6) + (True,),
                  "bidirectional")]
    outputs = (Output("last", "(N, dirs*H)"),)
    return grade_outputs(attempt, outputs, cases, last_hidden, last_hidden, LAST)


def reverse_padded(x, lengths, mistake=None):
    """Each row's first ``lengths[j]`` steps reversed, the padding left in place; ``mistake`` from ``REVERSE``."""
    N, T = x.shape[:2]
    if mistake == "flip_all":
        return x[:, ::-1].copy()
    if mistake == "feature_axis":
        return x[:, :, ::-1].copy()
    if mistake == "batch_axis":
        return x[::-1].copy()
    t = np.arange(T)[None, :]  # (1, T)
    L = lengths[:, None]  # (N, 1)
    # step t of row j reads step L_j - 1 - t of the original while t < L_j, else stays
    source = np.where(t < L, L - (0 if mistake == "off_by_one" else 1) - t, t)  # (N, T)
    source = np.minimum(source, T - 1)
    return np.take_along_axis(x, source[..., None], axis=1)  # (N, T, D)


@question("reverse_padded", points=2, chapter=CHAPTER, signature="reverse_padded(x, lengths)",
          arg_names=("x", "lengths"),
          crash_hint="x is (N, T, D) and lengths (N,) ints in [1, T]; return an (N, T, D) array.")
def _reverse_padded(attempt):
    rng = attempt.rng
    cases = [Case("N=3, T=5, D=2, lengths 5, 3, 1", (rng.normal(size=(3, 5, 2)), np.array([5, 3, 1]))),
             Case("N=2, T=6, D=3, lengths 4, 6", (rng.normal(size=(2, 6, 3)), np.array([4, 6]))),
             Case("N=4, T=3, D=1, lengths 2, 3, 3, 1", (rng.normal(size=(4, 3, 1)), np.array([2, 3, 3, 1])))]
    outputs = (Output("reversed", "(N, T, D)"),)
    return grade_outputs(attempt, outputs, cases, reverse_padded, reverse_padded, REVERSE)
