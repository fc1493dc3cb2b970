"""Bad input gets a ValueError naming the function, the argument, the expected and the actual shape."""

import pytest
import torch

import rnnlearn.torch as rt


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_layer_input_with_wrong_feature_size(kind):
    layer = getattr(rt, kind)(4, 3, batch_first=True)
    with pytest.raises(ValueError, match=rf"{kind}\.forward: argument 'x' must have shape \(N, T, D\).*D=4.*\(2, 4, 5\)"):
        layer(torch.randn(2, 4, 5))


def test_layer_input_transposed_gets_a_hint():
    with pytest.raises(ValueError, match="features must be the last dimension"):
        rt.LSTM(4, 3)(torch.randn(7, 4, 10))


@pytest.mark.parametrize("kind", ["RNN", "GRU"])
def test_layer_hx_with_wrong_shape(kind):
    layer = getattr(rt, kind)(4, 3, num_layers=2, batch_first=True)
    with pytest.raises(ValueError, match=r"argument 'hx' must have shape .*\(2, 5, 3\), got \(5, 2, 3\)"):
        layer(torch.randn(5, 7, 4), torch.zeros(5, 2, 3))


def test_lstm_hx_must_be_a_pair():
    with pytest.raises(ValueError, match=r"LSTM\.forward: argument 'hx' must be a tuple"):
        rt.LSTM(4, 3)(torch.randn(7, 2, 4), torch.zeros(1, 2, 3))


def test_cell_input_rank():
    with pytest.raises(ValueError, match=r"GRUCell\.forward: argument 'x' must have shape .*got \(2, 3, 4\)"):
        rt.GRUCell(4, 3)(torch.randn(2, 3, 4))


def test_cell_state_shape():
    with pytest.raises(ValueError, match=r"LSTMCell\.forward: argument 'hx\[1\]' must have shape \(N, H\)"):
        rt.LSTMCell(4, 3)(torch.randn(2, 4), (torch.zeros(2, 3), torch.zeros(3, 2)))


def test_attention_shapes():
    att = rt.AdditiveAttention(4, 6, 5)
    with pytest.raises(ValueError, match=r"AdditiveAttention\.forward: argument 'keys' must have shape \(N, S, Hk\)"):
        att(torch.randn(2, 4), torch.randn(2, 5, 4))
    with pytest.raises(ValueError, match=r"argument 'mask' must be a bool tensor"):
        att(torch.randn(2, 4), torch.randn(2, 5, 6), torch.ones(2, 5))


def test_constructor_arguments():
    with pytest.raises(ValueError, match="nonlinearity"):
        rt.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout"):
        rt.GRU(3, 4, num_layers=2, dropout=1.5)
    with pytest.raises(ValueError, match="dot"):
        rt.AttentionDecoder(9, 4, 8, 6, attention="dot")


def test_seq2seq_tokens_must_be_long():
    model = rt.Seq2Seq(rt.Encoder(9, 4, 8), rt.AttentionDecoder(9, 4, 8, 8))
    with pytest.raises(ValueError, match=r"Seq2Seq\.forward: argument 'src' must have shape \(N, S\)"):
        model(torch.ones(2, 3), torch.ones(2, 3, dtype=torch.long))
