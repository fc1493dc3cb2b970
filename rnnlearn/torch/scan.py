"""The linear recurrence ``h_t = a_t * h_{t-1} + b_t``, by a loop and by a parallel scan.

Every linear recurrent layer (LRU, S4/S5 in recurrent form, Mamba's selective scan) runs
this element-wise recurrence; ``a`` and ``b`` depend on the inputs, never on ``h``. Two
ways to compute all of ``h_1 .. h_T``:

- :func:`linear_recurrence_loop`: T sequential steps, as an RNN runs.
- :func:`linear_recurrence_scan`: an associative (prefix) scan in ``ceil(log2 T)`` rounds
  of whole-sequence tensor operations (Blelloch 1990; Martin and Cundy 2018). Each step is a
  pair ``(a_t, b_t)``, the map ``h -> a_t h + b_t``; two maps compose into one,

      (a_2, b_2) o (a_1, b_1) = (a_2 a_1,  a_2 b_1 + b_2)        (:func:`combine_steps`)

  and composition is associative, so the prefixes ``(a_t ... a_1, h_t)`` can be formed in
  any grouping. This is the Hillis-Steele scan: round k combines every position t with
  position t - 2^k (O(T log T) work, log2 T depth); Blelloch's work-efficient scan does
  O(T) work in 2 log2 T rounds. Both give the loop's numbers up to float rounding.

Shapes: ``a`` and ``b`` are (N, T, H), batch first; ``h0`` is (N, H) or None (zeros).
Real or complex dtypes (a diagonal complex recurrence is a real rotation-and-decay).
"""

from __future__ import annotations

import torch

from ..errors import input_error
from ._checks import check_tensor, shape_error

__all__ = ["combine_steps", "linear_recurrence_loop", "linear_recurrence_scan"]


def combine_steps(a1, b1, a2, b2):
    """Compose two steps of ``h -> a h + b``: first ``(a1, b1)``, then ``(a2, b2)``.

    ``a2 (a1 h + b1) + b2 = (a2 a1) h + (a2 b1 + b2)``.

    Parameters
    ----------
    a1, b1 : Tensor
        The earlier step.
    a2, b2 : Tensor
        The later step; all four broadcast together.

    Returns
    -------
    a, b : Tensor
        The composed step, ``(a2 * a1, a2 * b1 + b2)``.

    Shapes
    ------
    Any shapes that broadcast; element-wise.
    """
    return a2 * a1, a2 * b1 + b2


def _check(func, a, b, h0):
    check_tensor(func, "a", a, "(N, T, H)")
    check_tensor(func, "b", b, "(N, T, H)")
    if a.dim() != 3:
        raise shape_error(func, "a", "(N, T, H)", a, hint="a holds one multiplier per step and unit: "
                          "expand a per-unit vector with a.expand(N, T, H)" if a.dim() == 1 else "")
    if b.shape != a.shape:
        raise shape_error(func, "b", f"(N, T, H) = {tuple(a.shape)}", b,
                          fixed=[("(N, T, H)", tuple(a.shape), f"argument 'a' (shape {tuple(a.shape)})")])
    for name, value in (("a", a), ("b", b)):
        if not (value.is_floating_point() or value.is_complex()):
            raise input_error(func, name, "a floating or complex dtype", f"dtype {value.dtype}")
    if a.shape[1] == 0:
        raise shape_error(func, "a", "(N, T, H) with T >= 1", a)
    if h0 is not None:
        check_tensor(func, "h0", h0, "(N, H)")
        expected = (a.shape[0], a.shape[2])
        if h0.shape != expected:
            raise shape_error(func, "h0", f"(N, H) = {expected}", h0,
                              fixed=[("(N, H)", expected, f"argument 'a' (shape {tuple(a.shape)})")])


def linear_recurrence_loop(a, b, h0=None):
    """``h_t = a_t * h_{t-1} + b_t`` for t = 1..T, one step at a time.

    Parameters
    ----------
    a, b : Tensor
        Multipliers and inputs of every step.
    h0 : Tensor or None
        The state before the first step; None means zeros.

    Returns
    -------
    Tensor
        ``h_1 .. h_T``.

    Shapes
    ------
    a (N, T, H), b (N, T, H), h0 (N, H) or None -> h (N, T, H)
    """
    _check("linear_recurrence_loop", a, b, h0)
    h = torch.zeros_like(b[:, 0]) if h0 is None else h0  # (N, H)
    states = []
    for t in range(a.shape[1]):
        # h_t = a_t * h_{t-1} + b_t
        h = a[:, t] * h + b[:, t]  # (N, H)
        states.append(h)
    return torch.stack(states, dim=1)  # (N, T, H)


def linear_recurrence_scan(a, b, h0=None):
    """``h_t = a_t * h_{t-1} + b_t`` for t = 1..T by a parallel (Hillis-Steele) scan.

    After round k, position t holds the composition of steps ``max(1, t - 2^(k+1) + 1) .. t``;
    after ``ceil(log2 T)`` rounds it holds steps ``1 .. t``, whose ``b`` part is ``h_t``.
    ``h0`` enters as ``b_1 <- a_1 h_0 + b_1``. Differentiable (out-of-place operations only).

    Parameters
    ----------
    a, b : Tensor
        Multipliers and inputs of every step.
    h0 : Tensor or None
        The state before the first step; None means zeros.

    Returns
    -------
    Tensor
        ``h_1 .. h_T``, equal to :func:`linear_recurrence_loop`'s up to float rounding.

    Shapes
    ------
    a (N, T, H), b (N, T, H), h0 (N, H) or None -> h (N, T, H)
    """
    _check("linear_recurrence_scan", a, b, h0)
    if h0 is not None:
        # (a_1, b_1) o (0, h_0): the first step starts from h_0
        b = torch.cat([(a[:, 0] * h0 + b[:, 0]).unsqueeze(1), b[:, 1:]], dim=1)  # (N, T, H)
    T, d = a.shape[1], 1
    while d < T:
        # position t takes in position t - d: (a_t, b_t) o (a_{t-d}, b_{t-d})
        a_new, b_new = combine_steps(a[:, :-d], b[:, :-d], a[:, d:], b[:, d:])  # (N, T - d, H) each
        a = torch.cat([a[:, :d], a_new], dim=1)  # (N, T, H)
        b = torch.cat([b[:, :d], b_new], dim=1)  # (N, T, H)
        d *= 2
    return b  # (N, T, H)
