"""The NumPy character model (rnnlearn.numpy.char_rnn) against a PyTorch module in float64."""

import numpy as np
import pytest
import torch

from rnnlearn.errors import InputError
from rnnlearn.numpy import numerical_gradient, rel_error
from rnnlearn.numpy.char_rnn import (
    char_rnn_loss,
    char_rnn_loss_grads,
    char_rnn_params,
    split_params,
    train_char_rnn,
)


class TorchCharRNN(torch.nn.Module):
    """The same model from torch.nn: Embedding, RNNCell (tanh), Linear; its state_dict keys are ours."""

    def __init__(self, V, D, H):
        super().__init__()
        self.embedding, self.rnn, self.output = torch.nn.Embedding(V, D), torch.nn.RNNCell(D, H), torch.nn.Linear(H, V)

    def forward(self, x_ids, h):
        states = []
        for t in range(x_ids.shape[1]):
            h = self.rnn(self.embedding(x_ids[:, t]), h)
            states.append(h)
        return self.output(torch.stack(states, dim=1)), h


def _torch_model(params):
    V, D = params["embedding.weight"].shape
    model = TorchCharRNN(V, D, params["rnn.weight_hh"].shape[0]).double()
    model.load_state_dict({k: torch.tensor(v) for k, v in params.items()})
    return model


@pytest.mark.parametrize("N,T,V,D,H,max_norm", [(2, 5, 7, 3, 4, 0.05), (3, 4, 6, 4, 5, 100.0), (1, 1, 5, 2, 3, 0.1)])
def test_loss_grads_and_state_match_torch_with_global_clipping(N, T, V, D, H, max_norm):
    rng = np.random.default_rng(N * T + V)
    params = char_rnn_params(V, D, H, rng=rng, scale=0.5)
    x_ids, y_ids, h0 = rng.integers(0, V, (N, T)), rng.integers(0, V, (N, T)), rng.normal(size=(N, H))
    before = {k: v.copy() for k, v in params.items()}
    loss, grads, h_T = char_rnn_loss_grads(params, x_ids, y_ids, h0, max_norm)
    model = _torch_model(params)
    logits, th_T = model(torch.tensor(x_ids), torch.tensor(h0))
    tloss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), torch.tensor(y_ids).reshape(-1))
    tloss.backward()
    total = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    assert np.isclose(loss, tloss.item(), rtol=1e-12)
    np.testing.assert_allclose(h_T, th_T.detach().numpy(), rtol=1e-12)
    assert set(grads) == set(params)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(grads[name], p.grad.numpy(), rtol=1e-5, atol=1e-12, err_msg=name)
    if max_norm < 1:  # clipped: the global norm is max_norm (torch adds eps 1e-6)
        assert total > max_norm
        assert np.isclose(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())), max_norm, rtol=1e-5)
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_unclipped_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    params = char_rnn_params(5, 2, 3, rng=rng, scale=0.5)
    x_ids, y_ids, h0 = rng.integers(0, 5, (2, 4)), rng.integers(0, 5, (2, 4)), rng.normal(size=(2, 3))
    _, grads, _ = char_rnn_loss_grads(params, x_ids, y_ids, h0, 1e9)
    for key in ("rnn.weight_hh", "embedding.weight"):
        numeric = numerical_gradient(
            lambda w, key=key: char_rnn_loss_grads(dict(params, **{key: w}), x_ids, y_ids, h0, 1e9)[0], params[key])
        assert rel_error(grads[key], numeric) < 1e-7, key


def test_training_lowers_the_loss_and_leaves_params_alone():
    rng = np.random.default_rng(0)
    stream = np.tile(np.arange(4), 40).reshape(4, 40)  # 0 1 2 3 0 1 2 3 ...: easy to learn
    params = char_rnn_params(4, 3, 8, rng=rng)
    trained, losses = train_char_rnn(char_rnn_loss_grads, params, stream, seq_len=5, updates=30, lr=0.05,
                                     max_norm=5.0)
    assert losses.shape == (30,) and losses[-1] < 0.5 * losses[0]
    assert char_rnn_loss(trained, stream) < 0.5 * char_rnn_loss(params, stream)
    assert all(np.array_equal(params[k], v) for k, v in char_rnn_params(4, 3, 8, rng=np.random.default_rng(0)).items())


def test_bad_keys_are_named():
    with pytest.raises(InputError, match="split_params"):
        split_params({"decoder.weight": np.zeros(2)})
