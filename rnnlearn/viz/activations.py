"""tanh and its derivative (chapter 3): where the slope that BPTT multiplies goes to zero."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..errors import input_error


def saturation_point(slope: float) -> float:
    """The ``|a|`` beyond which ``tanh'(a) = 1 - tanh(a)^2`` is below ``slope``.

    Parameters
    ----------
    slope : float
        A threshold in ``(0, 1)``.

    Returns
    -------
    float
        ``artanh(sqrt(1 - slope))``.

    Shapes
    ------
    Scalars.
    """
    if not 0 < slope < 1:
        raise input_error("saturation_point", "slope", "a number in (0, 1)", repr(slope))
    return float(np.arctanh(np.sqrt(1.0 - slope)))


def draw_tanh_saturation(a_max: float = 4.0, slope: float = 0.1) -> plt.Figure:
    """tanh(a) and its derivative ``1 - tanh(a)^2``, with the saturated range shaded.

    Parameters
    ----------
    a_max : float
        The plot spans ``-a_max <= a <= a_max``.
    slope : float
        Where ``tanh'`` is below this, the range is shaded as saturated.

    Returns
    -------
    matplotlib.figure.Figure

    Shapes
    ------
    No arrays: two curves over 401 points.
    """
    if not a_max > 0:
        raise input_error("draw_tanh_saturation", "a_max", "a positive number", repr(a_max))
    edge = saturation_point(slope)
    a = np.linspace(-a_max, a_max, 401)
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    ax.plot(a, np.tanh(a), color="C0", label=r"$\tanh(a)$")
    ax.plot(a, 1 - np.tanh(a) ** 2, color="C3", label=r"$\tanh'(a) = 1 - \tanh^2(a)$")
    for lo, hi in ((-a_max, -edge), (edge, a_max)):
        if hi > lo:
            ax.axvspan(lo, hi, color="0.9", zorder=0)
    ax.axhline(0, color="0.6", lw=0.5)
    ax.set(xlim=(-a_max, a_max), ylim=(-1.1, 1.1), xlabel="pre-activation $a$", ylabel="value",
           title=f"tanh saturates: its slope is below {slope:g} once $|a| > {edge:.2f}$ (shaded)")
    ax.title.set_fontsize(10)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig
