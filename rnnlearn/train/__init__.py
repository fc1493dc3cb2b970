"""A small, readable training loop: any model and loss, Adam, clipping, truncated BPTT,
a progress bar and a history to plot. Needs only PyTorch (never ``rnnlearn.torch``)."""

from .history import History
from .loop import default_device, evaluate, fit
from .seq2seq import exact_match, train_seq2seq
from .tbptt import detach_state, tbptt_windows

__all__ = ["fit", "evaluate", "History", "tbptt_windows", "detach_state", "default_device", "train_seq2seq",
           "exact_match"]
