"""The course's models: shapes, and reading the final states of a bidirectional RNN correctly."""

import torch
from _torch_testutil import F64, assert_close, randn, randomize

import rnnlearn.torch as rt


def test_bidirectional_output_last_step_is_not_the_backward_summary():
    """output[:, -1, H:] is the backward direction after one step; its full summary is h_n[-1]."""
    H = 4
    lstm = randomize(rt.LSTM(3, H, num_layers=2, bidirectional=True, batch_first=True, dtype=F64), seed=1)
    output, (h_n, _) = lstm(randn(2, 6, 3, seed=2, requires_grad=False))
    assert_close(output[:, -1, :H], h_n[-2], "forward direction ends at the last step")
    assert_close(output[:, 0, H:], h_n[-1], "backward direction ends at the first step")
    assert (output[:, -1, H:] - h_n[-1]).abs().max() > 1e-3, "output[:, -1] would be the wrong summary"


def test_lstm_classifier_uses_both_final_states():
    model = randomize(rt.LSTMClassifier(vocab_size=11, embed_size=5, hidden_size=4, num_classes=3).double(), 3)
    tokens = torch.randint(1, 11, (2, 7), generator=torch.Generator().manual_seed(4))
    ref = torch.nn.LSTM(5, 4, num_layers=2, bidirectional=True, batch_first=True, dtype=F64)
    ref.load_state_dict(model.rnn.state_dict())
    _, (h_n, _) = ref(model.embedding(tokens))
    expected = model.head(torch.cat((h_n[-2], h_n[-1]), dim=1))
    assert_close(model(tokens), expected, "LSTMClassifier logits")


def test_rnn_text_classifier_shapes_and_gradients_reach_every_parameter():
    model = rt.RNNTextClassifier(vocab_size=20, embed_size=6, hidden_size=5, num_classes=4, num_layers=2)
    tokens = torch.randint(1, 20, (3, 9), generator=torch.Generator().manual_seed(0))
    logits = model(tokens)
    assert logits.shape == (3, 4)
    logits.sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, f"no gradient reached {name}"


def test_gru_regressor_reads_h_n_of_the_last_layer():
    model = randomize(rt.GRURegressor(input_size=2, hidden_size=6, num_layers=2).double(), seed=5)
    x = randn(4, 8, 2, seed=6, requires_grad=False)
    y = model(x)
    assert y.shape == (4,)
    output, _ = model.rnn(x)
    assert_close(y, model.head(output[:, -1]).squeeze(1), "unidirectional: h_n[-1] is output[:, -1]")
    assert rt.GRURegressor(2, 6, output_size=3)(x.float()).shape == (4, 3)


def test_bilstm_sequence_classifier_shapes():
    model = rt.BiLSTMSequenceClassifier(input_size=3, hidden_size=5, num_classes=2)
    assert model.rnn.num_layers == 2 and model.rnn.bidirectional
    assert model(torch.randn(4, 10, 3)).shape == (4, 2)
