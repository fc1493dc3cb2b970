"""Figures the chapters share (Matplotlib only; the core packages never import this one).

- :mod:`rnnlearn.viz.colors`: the colours of inputs, states and outputs (chapter 1's).
- :mod:`rnnlearn.viz.diagrams`: the unrolled RNN and its input/output configurations.
- :mod:`rnnlearn.viz.animation`: interactive figures that work in the static book.
"""

from .animation import animate
from .colors import ARROW, INPUT_EDGE, INPUT_FACE, OUTPUT_EDGE, OUTPUT_FACE, STATE_EDGE, STATE_FACE
from .diagrams import CONFIGURATIONS, draw_configurations, draw_unrolled

__all__ = ["animate", "draw_configurations", "draw_unrolled", "CONFIGURATIONS",
           "ARROW", "INPUT_EDGE", "INPUT_FACE", "OUTPUT_EDGE", "OUTPUT_FACE", "STATE_EDGE", "STATE_FACE"]
