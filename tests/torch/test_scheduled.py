"""Scheduled sampling stack: model m of StackedGRUCell is torch.nn.GRUCell (float64, forward and
gradients); rollout is teacher forcing / free running / a mix exactly as written; coins per token
and per sequence; nothing flows back through what is fed back."""

import pytest
import torch

from rnnlearn.errors import InputError
from rnnlearn.torch.scheduled import (
    StackedForecaster,
    StackedGRUCell,
    StackedTokenDecoder,
    rollout,
    teacher_forcing_coins,
)

M, N, D, H, V, T = 3, 4, 2, 5, 6, 7
F64 = torch.float64


def test_each_model_is_torch_gru_cell_forward_and_backward():
    torch.manual_seed(0)
    stack = StackedGRUCell(M, D, H).double()
    x = torch.randn(M, N, D, dtype=F64, requires_grad=True)
    h = torch.randn(M, N, H, dtype=F64, requires_grad=True)
    out = stack(x, h)
    w = torch.randn(out.shape, dtype=F64)
    got = torch.autograd.grad((out * w).sum(), [x, h, stack.weight_ih, stack.weight_hh])
    for m in range(M):
        ref = torch.nn.GRUCell(D, H).double()
        ref.load_state_dict(stack.model_state_dict(m))
        xm, hm = x.detach()[m].clone().requires_grad_(), h.detach()[m].clone().requires_grad_()
        out_m = ref(xm, hm)
        torch.testing.assert_close(out[m], out_m, rtol=1e-12, atol=1e-12)
        want = torch.autograd.grad((out_m * w[m]).sum(), [xm, hm, ref.weight_ih, ref.weight_hh])
        for g, r in zip(got, want):
            torch.testing.assert_close(g[m], r, rtol=1e-10, atol=1e-12)


def test_gru_cell_gradient_matches_finite_differences():
    torch.manual_seed(1)
    stack = StackedGRUCell(2, D, H).double()
    x, h = torch.randn(2, N, D, dtype=F64), torch.randn(2, N, H, dtype=F64)
    assert torch.autograd.gradcheck(lambda a, b: stack(a, b), (x.requires_grad_(), h.requires_grad_()))


def _decoder_reference(model, m, inputs, use_truth):
    """The loop written for one model, one sequence and one step at a time, with torch.nn.GRUCell."""
    cell = torch.nn.GRUCell(model.embedding.shape[2], H).double()
    cell.load_state_dict(model.cell.model_state_dict(m))
    rows = []
    for n in range(inputs.shape[1]):
        h, y, out = torch.zeros(1, H, dtype=F64), inputs[m, n, 0], []
        for t in range(inputs.shape[2]):
            if t > 0:
                y = inputs[m, n, t] if use_truth[m, n, t] else out[-1].argmax()
            h = cell(model.embedding[m, y][None], h)
            out.append((h @ model.out_weight[m] + model.out_bias[m])[0])
        rows.append(torch.stack(out))
    return torch.stack(rows)  # (N, T, V)


@pytest.mark.parametrize("mode", ["teacher forcing", "free running", "mixed"])
def test_token_rollout_is_the_loop_written_out(mode):
    torch.manual_seed(2)
    model = StackedTokenDecoder(M, V, 3, H).double()
    inputs = torch.randint(0, V, (M, N, T))
    use = {"teacher forcing": torch.ones(M, N, T, dtype=torch.bool),
           "free running": torch.zeros(M, N, T, dtype=torch.bool).index_fill_(2, torch.tensor([0]), True),
           "mixed": teacher_forcing_coins([0.2, 0.5, 0.9], N, T, generator=torch.Generator().manual_seed(0))}[mode]
    logits, _ = rollout(model, inputs, torch.zeros(M, N, H, dtype=F64), use)
    for m in range(M):
        torch.testing.assert_close(logits[m], _decoder_reference(model, m, inputs, use), rtol=1e-10, atol=1e-12)
    if mode == "free running":  # the inputs after t = 0 are never read
        other = torch.randint(0, V, (M, N, T))
        other[:, :, 0] = inputs[:, :, 0]
        assert torch.equal(rollout(model, other, torch.zeros(M, N, H, dtype=F64), use)[0], logits)


def test_no_gradient_flows_through_the_fed_back_prediction():
    torch.manual_seed(3)
    model = StackedForecaster(1, H).double()
    inputs = torch.randn(1, N, 3, 1, dtype=F64)
    free = torch.tensor([True, False, False]).expand(1, N, 3)
    out, _ = rollout(model, inputs, torch.zeros(1, N, H, dtype=F64), free)
    (g_last,) = torch.autograd.grad(out[:, :, 2].sum(), [model.out_weight])
    # with the fed-back values replaced by constants (detached copies), the gradient is the same
    with torch.no_grad():
        fed = inputs.clone()
        fed[:, :, 1:] = out[:, :, :2]
    out_const, _ = rollout(model, fed, torch.zeros(1, N, H, dtype=F64), torch.ones(1, N, 3, dtype=torch.bool))
    torch.testing.assert_close(out_const, out.detach(), rtol=1e-12, atol=1e-12)
    (g_const,) = torch.autograd.grad(out_const[:, :, 2].sum(), [model.out_weight])
    torch.testing.assert_close(g_last, g_const, rtol=1e-12, atol=1e-12)


def test_coins_per_token_and_per_sequence():
    g = torch.Generator().manual_seed(0)
    coins = teacher_forcing_coins([0.0, 0.3, 1.0], 400, 50, prefix=2, generator=g)
    assert coins.shape == (3, 400, 50) and coins[:, :, :2].all()
    assert not coins[0, :, 2:].any() and coins[2].all()
    assert abs(coins[1, :, 2:].double().mean().item() - 0.3) < 0.02
    per_seq = teacher_forcing_coins([0.3], 400, 50, per="sequence", prefix=1, generator=g)
    rows = per_seq[0, :, 1:]
    assert torch.equal(rows.all(1), rows.any(1))  # every sequence all truth or all prediction
    assert abs(rows[:, 0].double().mean().item() - 0.3) < 0.07
    mixed = teacher_forcing_coins([0.5, 0.5], 300, 20, per=["token", "sequence"], generator=g)[:, :, 1:]
    assert not torch.equal(mixed[0].all(1), mixed[0].any(1)) and torch.equal(mixed[1].all(1), mixed[1].any(1))


@pytest.mark.parametrize("kwargs,fragment", [
    ({"p": [1.5]}, "in [0, 1]"), ({"per": "batch"}, "'token' or 'sequence'"), ({"per": ["token"] * 2}, "M = 1"),
    ({"prefix": 0}, "1 <= prefix")])
def test_bad_coin_arguments_are_named(kwargs, fragment):
    args = {"p": [0.5], "N": 2, "T": 3, **kwargs}
    with pytest.raises(InputError, match="teacher_forcing_coins") as err:
        teacher_forcing_coins(args.pop("p"), args.pop("N"), args.pop("T"), **args)
    assert fragment in str(err.value)


def test_rollout_rejects_a_missing_first_input():
    model = StackedForecaster(1, H)
    with pytest.raises(InputError, match="t = 0"):
        rollout(model, torch.zeros(1, 2, 3, 1), torch.zeros(1, 2, H), torch.zeros(1, 2, 3, dtype=torch.bool))
    with pytest.raises(InputError, match=r"\(M, N, D\)"):
        StackedGRUCell(2, 3, 4)(torch.zeros(2, 5, 2), torch.zeros(2, 5, 4))
