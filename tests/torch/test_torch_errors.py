"""Bad input gets an InputError naming the function, the argument, the expected and the actual shape,
and for a size that disagrees, where that size came from (see ``rnnlearn.errors``)."""

import pytest
import torch

import rnnlearn.torch as rt
from rnnlearn.torch import InputError


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_layer_input_with_wrong_feature_size(kind):
    layer = getattr(rt, kind)(4, 3, batch_first=True)
    with pytest.raises(InputError, match=rf"^{kind}\.forward: argument 'x': expected shape \(N, T, D\).*D = 4; "
                                         r"got shape \(2, 4, 5\)\. D = 4 was fixed by the constructor's input_size\."):
        layer(torch.randn(2, 4, 5))


def test_layer_input_transposed_gets_a_hint():
    with pytest.raises(InputError, match=r"got shape \(7, 4, 10\)\..* Hint: .*features must be the last dimension"):
        rt.LSTM(4, 3)(torch.randn(7, 4, 10))


@pytest.mark.parametrize("kind", ["RNN", "GRU"])
def test_layer_hx_with_wrong_shape(kind):
    layer = getattr(rt, kind)(4, 3, num_layers=2, batch_first=True)
    with pytest.raises(InputError, match=r"argument 'hx': expected shape .*\(2, 5, 3\); got shape \(5, 2, 3\)\. "
                                         r".* N = 5 was fixed by argument 'x' \(shape \(5, 7, 4\)\)\."):
        layer(torch.randn(5, 7, 4), torch.zeros(5, 2, 3))


def test_lstm_hx_must_be_a_pair():
    with pytest.raises(InputError, match=r"^LSTM\.forward: argument 'hx': expected a tuple \(h_0, c_0\); got Tensor"):
        rt.LSTM(4, 3)(torch.randn(7, 2, 4), torch.zeros(1, 2, 3))


def test_cell_input_rank():
    with pytest.raises(InputError, match=r"^GRUCell\.forward: argument 'x': expected shape .*; got shape \(2, 3, 4\)"):
        rt.GRUCell(4, 3)(torch.randn(2, 3, 4))


def test_cell_state_shape():
    with pytest.raises(InputError, match=r"^LSTMCell\.forward: argument hx\[1\]: expected shape \(N, H\) = \(2, 3\); "
                                         r"got shape \(3, 2\)\. N = 2 was fixed by argument 'x' \(shape \(2, 4\)\)\. "
                                         r"H = 3 was fixed by the constructor's hidden_size\.$"):
        rt.LSTMCell(4, 3)(torch.randn(2, 4), (torch.zeros(2, 3), torch.zeros(3, 2)))


def test_attention_shapes():
    att = rt.AdditiveAttention(4, 6, 5)
    with pytest.raises(InputError, match=r"^AdditiveAttention\.forward: argument 'keys': expected shape "
                                         r"\(N, S, Hk\) = \(2, \?, 6\); got shape \(2, 5, 4\)\. "
                                         r"Hk = 6 was fixed by the constructor's key_size\.$"):
        att(torch.randn(2, 4), torch.randn(2, 5, 4))
    with pytest.raises(InputError, match=r"argument 'mask': expected a bool tensor .*; got dtype torch\.float32"):
        att(torch.randn(2, 4), torch.randn(2, 5, 6), torch.ones(2, 5))


def test_constructor_arguments():
    with pytest.raises(InputError, match=r"^RNN: argument 'nonlinearity': expected 'tanh' or 'relu'; got 'sigmoid'"):
        rt.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(InputError, match=r"^GRU: argument 'dropout': expected a probability in \[0, 1\]; got 1\.5"):
        rt.GRU(3, 4, num_layers=2, dropout=1.5)
    with pytest.raises(InputError, match=r"^AttentionDecoder: arguments 'hidden_size' and 'key_size': .*'dot'.*"
                                         r"got hidden_size=8, key_size=6\. Hint: use attention='general'"):
        rt.AttentionDecoder(9, 4, 8, 6, attention="dot")


def test_seq2seq_tokens_must_be_long():
    model = rt.Seq2Seq(rt.Encoder(9, 4, 8), rt.AttentionDecoder(9, 4, 8, 8))
    with pytest.raises(InputError, match=r"^Seq2Seq\.forward: argument 'src': expected token ids of shape \(N, S\) "
                                         r"and dtype torch\.long; got shape \(2, 3\) and dtype torch\.float32"):
        model(torch.ones(2, 3), torch.ones(2, 3, dtype=torch.long))
