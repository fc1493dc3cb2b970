"""Figures the chapters draw with Matplotlib (imported lazily: no drawing on import)."""

from .lstm_cell import draw_lstm_cell

__all__ = ["draw_lstm_cell"]
