"""Figures the chapters share (Matplotlib only; the core packages never import this one).

- :mod:`rnnlearn.viz.colors`: the colours of inputs, states and outputs (chapter 1's).
- :mod:`rnnlearn.viz.diagrams`: the unrolled RNN and its input/output configurations.
- :mod:`rnnlearn.viz.animation`: interactive figures that work in the static book.
- :mod:`rnnlearn.viz.bptt`: the two gradient paths of BPTT and the TBPTT(k1, k2) windows (chapter 2).
- :mod:`rnnlearn.viz.activations`: tanh and its derivative, saturation (chapter 3).
- :mod:`rnnlearn.viz.lstm_cell`: the LSTM cell diagram (chapter 4).
- :mod:`rnnlearn.viz.gru_cell`: the GRU cell diagram (chapter 5).
"""

from .activations import draw_tanh_saturation, saturation_point
from .animation import animate
from .bptt import draw_gradient_paths, draw_tbptt_windows
from .colors import ARROW, INPUT_EDGE, INPUT_FACE, OUTPUT_EDGE, OUTPUT_FACE, STATE_EDGE, STATE_FACE
from .diagrams import draw_configurations, draw_unrolled
from .gru_cell import draw_gru_cell
from .lstm_cell import draw_lstm_cell

__all__ = ["animate", "draw_configurations", "draw_unrolled", "draw_lstm_cell", "draw_gru_cell",
           "draw_gradient_paths", "draw_tbptt_windows", "draw_tanh_saturation", "saturation_point",
           "ARROW", "INPUT_EDGE", "INPUT_FACE", "OUTPUT_EDGE", "OUTPUT_FACE", "STATE_EDGE", "STATE_FACE"]
