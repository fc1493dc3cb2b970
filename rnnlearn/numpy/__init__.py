"""RNN, LSTM, GRU and attention in NumPy, with hand-written backward passes.

Pure functions over NumPy arrays (float64 in, float64 out; batch first; nothing is
mutated). Parameters and gradients are dicts laid out like the matching ``torch.nn``
cell's ``named_parameters()``, so weights move between PyTorch and NumPy with no
transposes. Every forward returns a ``NamedTuple`` cache; every backward reads only
that cache. Bad input raises :class:`InputError` (a ``ValueError``) in the one
format of ``rnnlearn.errors``. This package imports NumPy only.
"""

from ..errors import InputError
from .activations import sigmoid, softmax
from .attention import AttentionCache, additive_attention_backward, additive_attention_forward
from .budget import cell_param_count, hidden_size_for_budget
from .char_rnn import char_rnn_loss, char_rnn_loss_grads, char_rnn_params, split_params, train_char_rnn
from .gru import GRUCache, GRUStepCache, gru_backward, gru_forward, gru_step_backward, gru_step_forward
from .gru_conventions import flip_update_gate, gru_convention_step
from .layers import EmbeddingCache, OutputCache, embedding_backward, embedding_forward, output_backward, output_forward
from .loss import softmax_cross_entropy
from .lstm import LSTMCache, LSTMStepCache, lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from .optim import AdamState, adam_init, adam_step, sgd_step
from .params import random_params
from .rnn import RNNCache, RNNStepCache, rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward
from .utils import clip_grad_norm, numerical_gradient, rel_error

__all__ = [
    "InputError",
    "sigmoid", "softmax",
    "RNNStepCache", "RNNCache",
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
    "LSTMStepCache", "LSTMCache",
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
    "GRUStepCache", "GRUCache",
    "gru_step_forward", "gru_step_backward", "gru_forward", "gru_backward",
    "AttentionCache", "additive_attention_forward", "additive_attention_backward",
    "EmbeddingCache", "embedding_forward", "embedding_backward",
    "OutputCache", "output_forward", "output_backward",
    "softmax_cross_entropy",
    "sgd_step", "AdamState", "adam_init", "adam_step",
    "clip_grad_norm", "numerical_gradient", "rel_error",
    "random_params",
    "char_rnn_params", "split_params", "char_rnn_loss_grads", "char_rnn_loss", "train_char_rnn",
    "gru_convention_step", "flip_update_gate", "cell_param_count", "hidden_size_for_budget",
]
