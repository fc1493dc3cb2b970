"""What a training run leaves behind: losses per update and metrics per evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class History:
    """Losses and metrics of a ``fit`` run, as plain lists ready for Matplotlib.

    Attributes
    ----------
    step : list of int
        Update index (1, 2, ...) of each entry of ``loss`` and ``grad_norm``.
    loss : list of float
        Training loss of each update (one minibatch, or one TBPTT window).
    grad_norm : list of float
        Global gradient norm of each update, before clipping.
    eval_step : list of int
        Update index of each evaluation (0 = before training).
    metrics : dict of str -> list of float
        ``"val_loss"`` and every metric passed to ``fit``, one value per ``eval_step``.
    seconds : float
        Wall time of the run.
    """

    step: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    eval_step: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    seconds: float = 0.0

    def __repr__(self) -> str:
        last = {k: round(v[-1], 6) for k, v in self.metrics.items() if v}
        final = f"{self.loss[-1]:.6g}" if self.loss else "none"
        return (f"History({len(self.step)} updates, last loss {final}, "
                f"last eval {last}, {self.seconds:.1f} s)")

    def smoothed_loss(self, window: int = 50) -> np.ndarray:
        """Running mean of the training loss over the last ``window`` updates. Shape (len(loss),)."""
        loss = np.asarray(self.loss, dtype=float)
        csum = np.cumsum(np.insert(loss, 0, 0.0))
        lo = np.maximum(np.arange(1, len(loss) + 1) - window, 0)
        return (csum[1:] - csum[lo]) / (np.arange(1, len(loss) + 1) - lo)

    def plot(self, ax=None, *, logy: bool = True, window: int = 50):
        """Training loss (raw and smoothed) and every evaluated metric against the update index.

        Returns the Matplotlib axes, so a chapter can add its own lines (a baseline, say).
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        if self.loss:
            ax.plot(self.step, self.loss, color="C0", alpha=0.25, lw=0.8, label="train loss")
            ax.plot(self.step, self.smoothed_loss(window), color="C0", label="train (smoothed)")
        for j, (name, values) in enumerate(self.metrics.items()):
            ax.plot(self.eval_step, values, "o-", color=f"C{j + 1}", ms=3, label=name)
        ax.set_xlabel("update")
        if logy:
            ax.set_yscale("log")
        ax.legend()
        return ax
