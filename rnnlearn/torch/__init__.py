"""PyTorch modules written from the book's equations, with ``torch.nn``'s names and layouts.

- ``cells.py``: ``RNNCell``, ``LSTMCell``, ``GRUCell`` and the step functions they call.
- ``layers.py``: ``RNN``, ``LSTM``, ``GRU`` (multi-layer, bidirectional, batch_first,
  dropout); a ``torch.nn`` state_dict loads into them and back. Fast path with a
  hand-written BPTT backward (``_fused*.py``), autograd reference path with ``fused=False``.
- ``attention.py``: ``AdditiveAttention``, ``DotAttention``, ``GeneralAttention``, ``masked_softmax``.
- ``seq2seq.py``: ``Encoder``, ``Seq2Seq`` (teacher forcing, schedule hook, greedy decoding,
  masked loss); ``decoders.py``: ``AttentionDecoder`` (Bahdanau's or Luong's query) and
  ``PlainDecoder`` (no attention); ``beam.py``: ``beam_search``, ``sequence_log_prob``.
- ``schedules.py``: teacher-forcing probability schedules for that hook (public name
  ``rnnlearn.schedules``).
- ``models.py``: ``RNNTextClassifier``, ``LSTMClassifier``, ``GRURegressor``,
  ``BiLSTMSequenceClassifier``, ``final_hidden``.
- ``stacked.py``: ``StackedLSTM``, M independent LSTMs (variants per model) trained in one
  pass, and ``clip_grad_norm_per_model_`` (imported from ``rnnlearn.torch.stacked``).
- ``losses.py``: ``masked_mean``, ``masked_cross_entropy``: means over the real positions of a
  padded batch (padding it further changes no loss and no gradient).
- ``regularisers.py``: ``LockedDropout``, variational dropout with one mask per sequence
  (Gal and Ghahramani 2016).
- ``layer_norm_lstm.py``: ``LayerNormLSTMCell``, ``LayerNormLSTM`` (Ba et al. 2016).

Bad arguments raise :class:`InputError` (a ``ValueError``) in the one format of ``rnnlearn.errors``.
"""

from ..errors import InputError
from .attention import AdditiveAttention, DotAttention, GeneralAttention, masked_softmax
from .beam import beam_search, sequence_log_prob
from .cells import GRUCell, LSTMCell, RNNCell, gru_step, lstm_step, rnn_step
from .decoders import PlainDecoder
from .layer_norm_lstm import LayerNormLSTM, LayerNormLSTMCell
from .layers import GRU, LSTM, RNN
from .losses import masked_cross_entropy, masked_mean
from .models import BiLSTMSequenceClassifier, GRURegressor, LSTMClassifier, RNNTextClassifier, final_hidden
from .regularisers import LockedDropout
from .seq2seq import AttentionDecoder, Encoder, Seq2Seq

__all__ = [
    "InputError",
    "RNNCell", "LSTMCell", "GRUCell", "rnn_step", "lstm_step", "gru_step",
    "RNN", "LSTM", "GRU",
    "AdditiveAttention", "DotAttention", "GeneralAttention", "masked_softmax",
    "Encoder", "AttentionDecoder", "Seq2Seq",
    "RNNTextClassifier", "LSTMClassifier", "GRURegressor", "BiLSTMSequenceClassifier", "final_hidden",
    "PlainDecoder", "beam_search", "sequence_log_prob",
    "masked_mean", "masked_cross_entropy", "LockedDropout", "LayerNormLSTMCell", "LayerNormLSTM",
]
