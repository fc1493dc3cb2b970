"""LSTM variants as options of one cell: the full cell is torch.nn.LSTMCell (forward and
gradients, float64), and each option does exactly what it says."""

import pytest
import torch
from _torch_testutil import F64, assert_close, randn, randomize, weighted_sum

from rnnlearn.torch import GRU, LSTM
from rnnlearn.torch.lstm_variants import LSTMVariantCell, VariantLSTM, init_forget_bias_, lstm_variant_step

N, D, H = 3, 4, 5


def _pair(seed, **options):
    ours = randomize(LSTMVariantCell(D, H, dtype=F64, **options), seed)
    ref = torch.nn.LSTMCell(D, H, dtype=F64)
    ref.load_state_dict(ours.state_dict())
    return ours, ref


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_full_variant_is_torch_lstm_cell_forward_and_backward(seed):
    ours, ref = _pair(seed)
    x, h, c = randn(N, D, seed=seed + 10), randn(N, H, seed=seed + 20), randn(N, H, seed=seed + 30)
    out, want = ours(x, (h, c)), ref(x, (h, c))
    assert_close(out[0], want[0], "h'")
    assert_close(out[1], want[1], "c'")
    g_ours = torch.autograd.grad(weighted_sum(out, 7), [x, h, c, *ours.parameters()])
    g_ref = torch.autograd.grad(weighted_sum(want, 7), [x, h, c, *ref.parameters()])
    for name, a, b in zip(["x", "h", "c", "weight_ih", "weight_hh", "bias_ih", "bias_hh"], g_ours, g_ref):
        assert_close(a, b, f"d{name}")


def _gates(cell, x, h):
    a = x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
    a_i, a_f, a_g, a_o = a.chunk(4, dim=1)
    return torch.sigmoid(a_i), torch.sigmoid(a_f), torch.tanh(a_g), torch.sigmoid(a_o)


@pytest.mark.parametrize("option,f_of,o_of", [
    ({"forget_gate": False}, lambda i, f: torch.ones_like(f), lambda o: o),
    ({"output_gate": False}, lambda i, f: f, lambda o: torch.ones_like(o)),
    ({"coupled": True}, lambda i, f: 1 - i, lambda o: o),
])
def test_each_option_does_what_it_says(option, f_of, o_of):
    cell = randomize(LSTMVariantCell(D, H, dtype=F64, **option), 3)
    x, h, c = randn(N, D, seed=1), randn(N, H, seed=2), randn(N, H, seed=3)
    i, f, g, o = _gates(cell, x, h)
    c_want = f_of(i, f) * c + i * g
    h_got, c_got = cell(x, (h, c))
    assert_close(c_got, c_want, "c'")
    assert_close(h_got, o_of(o) * torch.tanh(c_want), "h'")
    full_h, _ = _pair(3)[0](x, (h, c))
    assert not torch.allclose(h_got, full_h), "the option changed nothing"


@pytest.mark.parametrize("option,unused", [({"forget_gate": False}, 1), ({"output_gate": False}, 3),
                                           ({"coupled": True}, 1)])
def test_a_removed_gate_gets_no_gradient(option, unused):
    cell = randomize(LSTMVariantCell(D, H, dtype=F64, **option), 4)
    h, c = cell(randn(N, D, seed=5), (randn(N, H, seed=6), randn(N, H, seed=7)))
    weighted_sum((h, c), 8).backward()
    block = slice(unused * H, (unused + 1) * H)
    assert cell.weight_ih.grad[block].abs().max() == 0 and cell.bias_hh.grad[block].abs().max() == 0
    assert cell.weight_ih.grad.abs().max() > 0


def test_without_forget_gate_the_cell_state_only_accumulates():
    cell = randomize(LSTMVariantCell(D, H, dtype=F64, forget_gate=False), 5)
    with torch.no_grad():
        cell.bias_ih[2 * H:3 * H] = 5.0  # g close to +1: every step adds i * g > 0
        h, c = torch.zeros(N, H, dtype=F64), torch.zeros(N, H, dtype=F64)
        for _ in range(50):
            c_before = c
            h, c = cell(torch.zeros(N, D, dtype=F64), (h, c))
            assert (c > c_before).all()


def test_variant_layer_matches_torch_lstm_batch_first():
    layer = VariantLSTM(D, H)
    layer.cell.double()
    randomize(layer, 9)
    ref = torch.nn.LSTM(D, H, batch_first=True, dtype=F64)
    ref.load_state_dict({f"{k}_l0": v for k, v in layer.cell.state_dict().items()})
    x = randn(N, 7, D, seed=11)
    h0, c0 = randn(1, N, H, seed=12), randn(1, N, H, seed=13)
    out, (h_n, c_n) = layer(x, (h0, c0))
    want, (wh, wc) = ref(x, (h0, c0))
    assert_close(out, want, "output")
    assert_close(h_n, wh, "h_n")
    assert_close(c_n, wc, "c_n")


def test_bad_options_and_input_are_named():
    with pytest.raises(ValueError, match="LSTMVariantCell.*coupled.*forget_gate"):
        LSTMVariantCell(D, H, forget_gate=False, coupled=True)
    with pytest.raises(ValueError, match=r"VariantLSTM.forward: argument .x.: expected shape \(N, T, D\).*\(7, 4\)"):
        VariantLSTM(D, H)(torch.zeros(7, 4))


def test_step_function_defaults_are_lstm_cell():
    cell = randomize(torch.nn.LSTMCell(D, H, dtype=F64), 6)
    x, h, c = randn(N, D, seed=1), randn(N, H, seed=2), randn(N, H, seed=3)
    got = lstm_variant_step(x, h, c, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    for a, b, what in zip(got, cell(x, (h, c)), ("h'", "c'")):
        assert_close(a, b, what)


@pytest.mark.parametrize("make", [lambda: torch.nn.LSTM(D, H, num_layers=2, bidirectional=True),
                                  lambda: LSTM(D, H, num_layers=2, bidirectional=True),
                                  lambda: torch.nn.LSTMCell(D, H), lambda: LSTMVariantCell(D, H)])
def test_forget_bias_sets_the_effective_forget_bias_everywhere(make):
    module = init_forget_bias_(make(), 1.0)
    biases = dict(module.named_parameters())
    ih = [k for k in biases if k.startswith("bias_ih")]
    assert ih
    for k in ih:
        effective = biases[k] + biases[k.replace("bias_ih", "bias_hh")]
        assert torch.equal(effective[H:2 * H], torch.ones(H))
        assert not torch.equal(effective[:H], torch.ones(H))  # only the forget block


def test_forget_bias_leaves_other_modules_alone_and_needs_an_lstm():
    model = torch.nn.ModuleDict({"lstm": torch.nn.LSTM(D, H), "gru": GRU(D, H), "head": torch.nn.Linear(H, 4)})
    before = {k: v.clone() for k, v in model.state_dict().items()}
    init_forget_bias_(model, 1.0)
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before if not k.startswith("lstm."))
    with pytest.raises(ValueError, match="init_forget_bias_.*module.*GRU"):
        init_forget_bias_(GRU(D, H), 1.0)
