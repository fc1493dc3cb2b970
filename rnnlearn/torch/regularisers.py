"""Variational ("locked") dropout: one mask per sequence, the same at every time step.

Ordinary dropout (``torch.nn.Dropout``) draws a new mask for every element, so each time
step of a sequence sees a different set of features dropped. Gal and Ghahramani (2016)
derive dropout for RNNs as approximate Bayesian inference, where the dropped weights stay
dropped for the whole sequence: one Bernoulli mask per sequence and feature, shared by all
time steps::

    m_{n,d} ~ Bernoulli(1 - p)                      one draw per sequence n and feature d
    y_{t,n,d} = x_{t,n,d} * m_{n,d} / (1 - p)       for every t

Scaling by ``1 / (1 - p)`` keeps the expectation: ``E[y] = x``. In eval mode, and for
``p = 0``, the module is the identity. Applied to a layer's inputs or outputs (between
stacked layers, to embeddings, before the head); dropout *between* stacked layers with a
new mask per element is ``torch.nn.LSTM(dropout=)`` (Zaremba et al. 2014), which
``rnnlearn.torch.LSTM`` also has.
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import input_error
from ._checks import check_tensor, shape_error


class LockedDropout(nn.Module):
    """Dropout with one mask per sequence and feature, the same at every step (Gal and Ghahramani 2016).

    ``y_t = x_t * m / (1 - p)`` with ``m ~ Bernoulli(1 - p)`` of shape (N, D), drawn once per call.

    Parameters
    ----------
    p : float
        Probability of dropping a feature, in [0, 1]. ``p = 1`` drops everything (zeros).
    batch_first : bool
        False: x is (T, N, D); True: x is (N, T, D).

    Shapes
    ------
    x (T, N, D), or (N, T, D) with batch_first -> y, the same shape
    """

    def __init__(self, p: float = 0.5, batch_first: bool = False):
        super().__init__()
        try:
            prob = None if isinstance(p, (bool, str)) else float(p)
        except (TypeError, ValueError):
            prob = None
        if prob is None or not 0.0 <= prob <= 1.0:
            raise input_error("LockedDropout", "p", "a probability in [0, 1]", repr(p))
        self.p, self.batch_first = prob, bool(batch_first)

    def extra_repr(self) -> str:
        return f"p={self.p}" + (", batch_first=True" if self.batch_first else "")

    def forward(self, x, *, generator: torch.Generator | None = None):
        """Return ``x * m / (1 - p)`` in training mode, ``x`` in eval mode or for ``p = 0``.

        ``generator`` draws the mask (torch's global RNG when None).
        """
        layout = "(N, T, D)" if self.batch_first else "(T, N, D)"
        check_tensor("LockedDropout.forward", "x", x, layout)
        if x.dim() != 3:
            hint = "one mask per sequence needs a time axis and a batch axis." if x.dim() == 2 else ""
            raise shape_error("LockedDropout.forward", "x", layout, x, hint)
        if not x.is_floating_point():
            raise input_error("LockedDropout.forward", "x", "a floating-point tensor", f"dtype {x.dtype}")
        if not self.training or self.p == 0.0:
            return x
        # one mask per sequence and feature, broadcast over the time axis
        shape = (x.shape[0], 1, x.shape[2]) if self.batch_first else (1, x.shape[1], x.shape[2])
        if self.p == 1.0:
            return x * x.new_zeros(shape)
        # m_{n,d} ~ Bernoulli(1 - p), scaled by 1 / (1 - p)
        mask = x.new_empty(shape).bernoulli_(1.0 - self.p, generator=generator) / (1.0 - self.p)  # (1, N, D)
        # y_t = x_t * m / (1 - p), the same m at every t
        return x * mask
