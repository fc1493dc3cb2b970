"""Parameter accounting against torch.nn's own counts, and the equal-budget hidden size."""

import pytest
import torch

from rnnlearn.numpy import InputError, cell_param_count, hidden_size_for_budget

TORCH = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}


def _torch_count(cell, D, H, n_out=0):
    n = sum(p.numel() for p in TORCH[cell](D, H).parameters())
    return n + (sum(p.numel() for p in torch.nn.Linear(H, n_out).parameters()) if n_out else 0)


@pytest.mark.parametrize("cell", sorted(TORCH))
@pytest.mark.parametrize("D, H, n_out", [(1, 1, 0), (2, 32, 1), (7, 13, 5), (10, 20, 0)])
def test_count_matches_torch(cell, D, H, n_out):
    assert cell_param_count(cell, D, H, output_size=n_out) == _torch_count(cell, D, H, n_out)


@pytest.mark.parametrize("cell", sorted(TORCH))
@pytest.mark.parametrize("D, budget, n_out", [(2, 4_500, 1), (10, 4_500, 10), (1, 20_000, 0), (3, 50, 0)])
def test_budget_size_is_the_closest_integer(cell, D, budget, n_out):
    H = hidden_size_for_budget(cell, D, budget, output_size=n_out)
    # brute force over the closed form, which test_count_matches_torch ties to torch.nn
    best = min(range(1, 400), key=lambda h: (abs(cell_param_count(cell, D, h, output_size=n_out) - budget), h))
    assert H == best
    assert _torch_count(cell, D, H, n_out) == cell_param_count(cell, D, H, output_size=n_out)


def test_an_lstm_budget_gives_a_gru_a_bigger_and_an_rnn_a_much_bigger_layer():
    budget = cell_param_count("lstm", 2, 32, output_size=1)
    assert hidden_size_for_budget("lstm", 2, budget, output_size=1) == 32
    assert 32 < hidden_size_for_budget("gru", 2, budget, output_size=1) < hidden_size_for_budget("rnn", 2, budget,
                                                                                                 output_size=1)


def test_tiny_budget_gives_one_unit_and_bad_input_is_named():
    assert hidden_size_for_budget("lstm", 5, 1) == 1
    with pytest.raises(InputError, match="cell_param_count: argument 'cell'"):
        cell_param_count("transformer", 2, 3)
    with pytest.raises(InputError, match="hidden_size_for_budget: argument 'budget'"):
        hidden_size_for_budget("gru", 2, 0)
    with pytest.raises(InputError, match="cell_param_count: argument 'H'"):
        cell_param_count("gru", 2, 2.5)


@pytest.mark.parametrize("cell", sorted(TORCH))
@pytest.mark.parametrize("D, H, n_out, L", [(3, 5, 0, 2), (32, 48, 40, 2), (1, 7, 2, 3)])
def test_stacked_count_matches_torch(cell, D, H, n_out, L):
    n = sum(p.numel() for p in TORCH[cell](D, H, num_layers=L).parameters())
    n += sum(p.numel() for p in torch.nn.Linear(H, n_out).parameters()) if n_out else 0
    assert cell_param_count(cell, D, H, output_size=n_out, num_layers=L) == n


@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("D, budget, n_out", [(32, 40_000, 40), (2, 4_500, 1), (3, 50, 0)])
def test_stacked_budget_size_is_the_closest_integer(L, D, budget, n_out):
    H = hidden_size_for_budget("lstm", D, budget, output_size=n_out, num_layers=L)
    best = min(range(1, 400), key=lambda h: (abs(cell_param_count("lstm", D, h, output_size=n_out, num_layers=L)
                                                 - budget), h))
    assert H == best
    with pytest.raises(InputError, match="hidden_size_for_budget: argument 'num_layers'"):
        hidden_size_for_budget("lstm", D, budget, num_layers=0)
