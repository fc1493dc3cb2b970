"""Truncated backpropagation through time, TBPTT(k1, k2) (Williams & Peng 1990; Sutskever 2013).

Every k1 time steps, backpropagate the losses of those k1 steps at most k2 steps into the
past. The hidden state is carried across the whole sequence (it still remembers the far
past); only the gradient is cut. TBPTT(k, k) is the usual "split into chunks of k, carry the
detached state" of PyTorch and TensorFlow code; TBPTT(T, T) is full BPTT.
"""

from __future__ import annotations

import torch

from ..errors import input_error


def detach_state(state):
    """Detach a recurrent state from the graph: a tensor, ``None`` or a (named) tuple of them.

    The values are kept, so the next chunk starts where this one ended, but no gradient
    flows back through them: this is where truncated BPTT cuts.
    """
    if state is None:
        return None
    if isinstance(state, torch.Tensor):
        return state.detach()
    if isinstance(state, (tuple, list)):
        parts = [detach_state(s) for s in state]
        if hasattr(state, "_fields"):  # NamedTuple
            return type(state)(*parts)
        return type(state)(parts)
    raise input_error("detach_state", "state", "a tensor, None or a tuple of them", type(state).__name__)


def check_tbptt(func, tbptt):
    """Return ``(k1, k2)`` from an int k (meaning (k, k)) or a pair, or raise ValueError."""
    k1, k2 = (tbptt, tbptt) if isinstance(tbptt, int) else tuple(tbptt)
    for name, k in (("k1", k1), ("k2", k2)):
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise input_error(func, "tbptt", "k or (k1, k2) with positive integers", f"{name}={k!r}")
    if k2 < k1:
        raise input_error(func, "tbptt", "(k1, k2) with k2 >= k1, so that every step's loss reaches its own input",
                          f"k1={k1}, k2={k2}")
    return k1, k2


def tbptt_windows(model, x, y, *, k1, k2, state=None):
    """Walk a batch-first sequence in TBPTT(k1, k2) windows; yield what each update needs.

    For each block of k1 new steps ``[first, end)`` the model is run over the window
    ``[end - k2, end)`` (clipped at 0), starting from the state at the window start with the
    gradient cut there. Only the outputs of the k1 new steps are yielded, so the loss of step
    ``end - j`` backpropagates ``k2 - j`` steps. The caller computes the loss, calls
    ``backward`` and steps the optimiser between two items. When k2 > k1 the state at the
    window start is recomputed without gradient from the last saved block boundary, with
    the current weights.

    Parameters
    ----------
    model : callable
        ``model(x_window, state) -> (output, state)``, batch first: ``x_window`` (N, L, ...)
        gives ``output`` (N, L, ...). ``state=None`` means the model's initial state.
    x : tensor, shape (N, T, ...)
    y : tensor, shape (N, T, ...)
        Per-step targets.
    k1, k2 : int
        Steps between updates, and how far back each update reaches (k2 >= k1 >= 1).
    state : optional
        Initial state (detached before use).

    Yields
    ------
    output : tensor, shape (N, k, ...)
        The model's outputs for the k new steps (k = k1, or fewer for the last block).
    target : tensor, shape (N, k, ...)
        ``y[:, first:end]``.

    Shapes
    ------
    x (N, T, ...), y (N, T, ...) -> ceil(T / k1) pairs of (N, k, ...).
    """
    if x.dim() < 2 or y.dim() < 2 or x.shape[:2] != y.shape[:2]:
        raise input_error("tbptt_windows", ("x", "y"), "batch first with the same (N, T)",
                          f"x {tuple(x.shape)} and y {tuple(y.shape)}")
    T = x.shape[1]
    saved = {0: detach_state(state)}  # block boundary -> detached state there
    for first in range(0, T, k1):
        end = min(first + k1, T)
        start = max(0, end - k2)
        boundary = max(b for b in saved if b <= start)
        s = saved[boundary]
        if start > boundary:
            with torch.no_grad():
                _, s = model(x[:, boundary:start], s)
        output, s_end = model(x[:, start:end], detach_state(s))  # (N, end - start, ...)
        saved[end] = detach_state(s_end)
        yield output[:, first - start:], y[:, first:end]
