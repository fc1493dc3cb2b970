"""Small models the chapters train: text classifiers, a sequence classifier and a regressor.

The pitfall these models avoid. For a bidirectional RNN, ``output[:, -1]`` (batch first)
is *not* a summary of the sequence: its first H features are the forward direction after
all T steps, but its last H are the backward direction after **one** step (it has read
only x_T). The backward direction's summary of the whole sequence is at ``output[:, 0, H:]``,
and it is what ``h_n[-1]`` holds. So the models here read the final states from ``h_n``:
``cat(h_n[-2], h_n[-1])`` = (last layer forward, last layer backward).

Padding: these models read ``h_n``, which runs through every time step, so batch sequences
of equal length (bucket by length); the seq2seq model in ``seq2seq.py`` handles padding.
"""

from __future__ import annotations

import torch
from torch import nn

from .layers import GRU, LSTM, RNN


def final_hidden(h_n, bidirectional: bool):
    """The last layer's final state: ``h_n[-1]``, or ``cat(h_n[-2], h_n[-1])`` when bidirectional.

    Shapes
    ------
    h_n (L*dirs, N, H) -> (N, dirs*H)
    """
    if bidirectional:
        # h_n[-2]: last layer forward after x_T; h_n[-1]: last layer backward after x_1
        return torch.cat((h_n[-2], h_n[-1]), dim=1)  # (N, 2H)
    return h_n[-1]  # (N, H)


class _TokenClassifier(nn.Module):
    """Embedding -> recurrent layers -> linear head on the final states."""

    rnn_class = RNN

    def __init__(self, vocab_size, embed_size, hidden_size, num_classes, num_layers=2, bidirectional=True,
                 dropout=0.0, pad_index=0):
        super().__init__()
        self.bidirectional = bidirectional
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=pad_index)
        self.rnn = self.rnn_class(embed_size, hidden_size, num_layers=num_layers, batch_first=True,
                                  dropout=dropout, bidirectional=bidirectional)
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    def forward(self, tokens):
        _, state = self.rnn(self.embedding(tokens))  # state: h_n, or (h_n, c_n) for an LSTM
        h_n = state[0] if isinstance(state, tuple) else state  # (L*dirs, N, H)
        return self.head(final_hidden(h_n, self.bidirectional))  # (N, C)


class RNNTextClassifier(_TokenClassifier):
    """Embedding, bidirectional multi-layer tanh RNN, linear head on ``cat(h_n[-2], h_n[-1])``.

    Shapes
    ------
    tokens (N, T) long -> logits (N, C)
    """


class LSTMClassifier(_TokenClassifier):
    """Embedding, (bidirectional) LSTM, linear head on ``cat(h_n[-2], h_n[-1])``.

    The concatenation of the last forward and backward hidden states, not ``output[:, -1]``
    (see the module docstring for why).

    Shapes
    ------
    tokens (N, T) long -> logits (N, C)
    """

    rnn_class = LSTM


class GRURegressor(nn.Module):
    """GRU over real-valued sequences, a linear head on the last layer's final state ``h_n[-1]``.

    Shapes
    ------
    x (N, T, D) -> y (N,) when output_size == 1, else (N, output_size)
    """

    def __init__(self, input_size, hidden_size, output_size=1, num_layers=1, dropout=0.0):
        super().__init__()
        self.rnn = GRU(input_size, hidden_size, num_layers=num_layers, batch_first=True, dropout=dropout)
        self.head = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        _, h_n = self.rnn(x)  # (L, N, H)
        y = self.head(h_n[-1])  # (N, output_size)
        return y.squeeze(1) if y.shape[1] == 1 else y


class BiLSTMSequenceClassifier(nn.Module):
    """Two-layer bidirectional LSTM over real-valued sequences, head on ``cat(h_n[-2], h_n[-1])``.

    Shapes
    ------
    x (N, T, D) -> logits (N, C)
    """

    def __init__(self, input_size, hidden_size, num_classes, num_layers=2, dropout=0.0):
        super().__init__()
        self.rnn = LSTM(input_size, hidden_size, num_layers=num_layers, batch_first=True, dropout=dropout,
                        bidirectional=True)
        self.head = nn.Linear(2 * hidden_size, num_classes)

    def forward(self, x):
        _, (h_n, _) = self.rnn(x)  # (2L, N, H)
        return self.head(final_hidden(h_n, bidirectional=True))  # (N, C)
