"""A diagonal linear recurrent layer in the manner of the LRU (Orvieto et al. 2023).

    lambda = exp(-exp(nu) + i exp(theta))            (H,) complex, abs(lambda) = exp(-exp(nu)) < 1
    h_t    = lambda * h_{t-1} + gamma * (B x_t)      (N, H) complex, element-wise recurrence
    y_t    = Re(C h_t) + D x_t                       (N, O) real

``gamma = exp(gamma_log)``, initialised to ``sqrt(1 - abs(lambda)**2)`` so that a unit that
remembers long (``abs(lambda)`` near 1) does not blow up its input. The parameterisation keeps
every ``abs(lambda) < 1`` whatever the optimiser does (stable by construction); ``nu`` is
initialised so that ``abs(lambda)`` lies in the ring [r_min, r_max] (uniform in ``abs(lambda)**2``, as the
paper does) and the phase ``exp(theta)`` uniform in [0, max_phase].

There is no nonlinearity inside the recurrence, so ``forward`` computes all steps at once
with the parallel scan of :mod:`rnnlearn.torch.scan` (or the loop, ``scan=False``), and
``step`` runs one step, for generation, with a state of fixed size. Nonlinearity goes
between layers (an MLP on ``y_t``), as in the paper's deep model.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ._checks import check_last_dim, check_tensor, shape_error
from .scan import linear_recurrence_loop, linear_recurrence_scan

__all__ = ["LinearRecurrentLayer"]


class LinearRecurrentLayer(nn.Module):
    """Diagonal complex linear recurrence with input and output maps (LRU-style).

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        D, H (complex units) and O.
    r_min, r_max : float
        Ring of the initial ``abs(lambda)``, 0 <= r_min < r_max < 1.
    max_phase : float
        Initial phases are uniform in [0, max_phase].
    real : bool
        A real diagonal (``lambda = exp(-exp(nu))`` in (0, 1), B and C real, no ``theta_log``,
        ``B_im``, ``C_im``): cheaper, and enough where no oscillation is needed.
    scan : bool
        ``forward`` uses the parallel scan (True) or the sequential loop (False).
    generator : torch.Generator, optional
        Source of the initial values (the global RNG when None).

    Attributes
    ----------
    nu_log, theta_log, gamma_log : Parameter (H,) (no ``theta_log`` when real)
    B_re, B_im : Parameter (H, D) (no ``B_im`` when real)
    C_re, C_im : Parameter (O, H) (no ``C_im`` when real)
    D : Parameter (O, D)

    Shapes
    ------
    forward: x (N, T, D), h0 (N, H) complex or None -> y (N, T, O) real, h (N, T, H) complex (real when real)
    step: x (N, D), h (N, H) -> y (N, O), h_next (N, H)
    """

    def __init__(self, input_size, hidden_size, output_size, *, r_min=0.4, r_max=0.99, max_phase=2 * math.pi,
                 real=False, scan=True, generator=None):
        super().__init__()
        D, H, K = int(input_size), int(hidden_size), int(output_size)  # K: O, which ruff reads as a zero
        self.input_size, self.hidden_size, self.output_size, self.scan = D, H, K, scan
        self.complex = not real
        u1, u2 = torch.rand(H, generator=generator), torch.rand(H, generator=generator)
        # |lambda|^2 uniform in [r_min^2, r_max^2]; |lambda| = exp(-exp(nu))
        nu = torch.log(-0.5 * torch.log(u1 * (r_max ** 2 - r_min ** 2) + r_min ** 2))
        modulus = torch.exp(-torch.exp(nu))
        self.nu_log = nn.Parameter(nu)
        self.gamma_log = nn.Parameter(torch.log(torch.sqrt(1 - modulus ** 2)))
        normal = lambda *shape, std: nn.Parameter(std * torch.randn(*shape, generator=generator))  # noqa: E731
        parts = 2 if self.complex else 1  # the variance of B x and C h is split over re and im
        self.B_re = normal(H, D, std=1 / math.sqrt(parts * D))
        self.C_re = normal(K, H, std=1 / math.sqrt(H))
        if self.complex:
            self.theta_log = nn.Parameter(torch.log(max_phase * u2 + 1e-8))
            self.B_im = normal(H, D, std=1 / math.sqrt(parts * D))
            self.C_im = normal(K, H, std=1 / math.sqrt(H))
        self.D = normal(K, D, std=1 / math.sqrt(D))

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, {self.output_size}, complex={self.complex}, scan={self.scan}"

    def eigenvalues(self):
        """``lambda = exp(-exp(nu) + i exp(theta))`` (H,), complex; ``exp(-exp(nu))`` when real."""
        if not self.complex:
            return torch.exp(-torch.exp(self.nu_log))
        return torch.exp(torch.complex(-torch.exp(self.nu_log), torch.exp(self.theta_log)))

    def _input(self, x):
        """``gamma * (B x)`` for (..., D) -> (..., H), complex when the layer is."""
        B = torch.complex(self.B_re, self.B_im).to(x.dtype.to_complex()) if self.complex else self.B_re  # (H, D)
        return torch.exp(self.gamma_log).to(x.dtype) * (x.to(B.dtype) @ B.T)  # (..., H)

    def _output(self, h, x):
        """``Re(C h) + D x`` for (..., H) and (..., D) -> (..., O)."""
        if not self.complex:
            return h @ self.C_re.T + x @ self.D.T  # (..., O)
        C = torch.complex(self.C_re, self.C_im).to(h.dtype)  # (O, H)
        return (h @ C.T).real + x @ self.D.T  # (..., O)

    def forward(self, x, h0=None):
        check_tensor("LinearRecurrentLayer.forward", "x", x, "(N, T, D)")
        if x.dim() != 3:
            raise shape_error("LinearRecurrentLayer.forward", "x", f"(N, T, D) = (?, ?, {self.input_size})", x)
        check_last_dim("LinearRecurrentLayer.forward", "x", x, self.input_size,
                       f"(N, T, D) = (?, ?, {self.input_size})",
                       fixed=[("D", self.input_size, "the constructor's input_size")])
        b = self._input(x)  # (N, T, H) complex
        a = self.eigenvalues().to(b.dtype).expand_as(b)  # (N, T, H)
        # h_t = lambda * h_{t-1} + gamma * (B x_t)
        h = (linear_recurrence_scan if self.scan else linear_recurrence_loop)(a, b, h0)  # (N, T, H)
        # y_t = Re(C h_t) + D x_t
        return self._output(h, x), h  # (N, T, O), (N, T, H)

    def step(self, x, h):
        """One step for generation: ``(y_t, h_t)`` from x_t (N, D) and h_{t-1} (N, H) complex."""
        check_tensor("LinearRecurrentLayer.step", "x", x, "(N, D)")
        if x.dim() != 2 or x.shape[1] != self.input_size:
            raise shape_error("LinearRecurrentLayer.step", "x", f"(N, D) = (?, {self.input_size})", x)
        b = self._input(x)  # (N, H)
        if h.shape != b.shape:
            raise shape_error("LinearRecurrentLayer.step", "h", f"(N, H) = {tuple(b.shape)}", h)
        # h_t = lambda * h_{t-1} + gamma * (B x_t)
        h_next = self.eigenvalues().to(b.dtype) * h + b  # (N, H)
        return self._output(h_next, x), h_next  # (N, O), (N, H)
