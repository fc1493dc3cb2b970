"""LayerNormLSTMCell and LayerNormLSTM (Ba et al. 2016): the paper's equations written out here,
layer-norm statistics, invariance to the scale of the weights, gradcheck in float64, the
sequence module against the cell looped, its fast path (hand-written BPTT) against the paper's
equations looped and against the autograd reference path, and errors."""

import pytest
import torch
from _torch_testutil import F64, assert_close, randn, randomize, weighted_sum

import rnnlearn.torch as rt
from rnnlearn.torch import InputError

N, D, H = 3, 4, 5


def _ln(z, gain, shift, eps):
    """LN(z) = gain * (z - mean) / sqrt(var + eps) + shift, over the last axis (biased variance)."""
    mean = z.mean(-1, keepdim=True)
    var = ((z - mean) ** 2).mean(-1, keepdim=True)
    return gain * (z - mean) / torch.sqrt(var + eps) + (0 if shift is None else shift)


def _paper_step(cell, x, h, c):
    """Ba et al. (2016), gates reordered to i, f, g, o, the LN shifts as LSTMCell's two biases."""
    eps = cell.ln_c.eps
    b_ih, b_hh = (0 if b is None else b for b in (cell.bias_ih, cell.bias_hh))  # bias=False: none
    a = (_ln(x @ cell.weight_ih.t(), cell.ln_ih.weight, None, eps) + b_ih
         + _ln(h @ cell.weight_hh.t(), cell.ln_hh.weight, None, eps) + b_hh)
    i, f, g, o = a.chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(_ln(c, cell.ln_c.weight, cell.ln_c.bias, eps)), c


def _cell(seed=0, **kw):
    return randomize(rt.LayerNormLSTMCell(D, H, dtype=F64, **kw), seed)  # gains and shifts random too


def test_cell_is_the_papers_equations():
    cell = _cell()
    x, h, c = randn(N, D, seed=1), randn(N, H, seed=2), randn(N, H, seed=3)
    ours, ref = cell(x, (h, c)), _paper_step(cell, x, h, c)
    for name, a, b in zip(("h", "c"), ours, ref):
        assert_close(a, b, f"forward {name}")
    inputs = [x, h, c, *cell.parameters()]
    for k, (a, b) in enumerate(zip(torch.autograd.grad(weighted_sum(ours, 4), inputs),
                                   torch.autograd.grad(weighted_sum(ref, 4), inputs))):
        assert_close(a, b, f"gradient of input {k}")


def test_parameters_are_lstmcells_plus_the_gains():
    cell = rt.LayerNormLSTMCell(D, H)
    assert {k: tuple(v.shape) for k, v in cell.state_dict().items()} == {
        "weight_ih": (4 * H, D), "weight_hh": (4 * H, H), "bias_ih": (4 * H,), "bias_hh": (4 * H,),
        "ln_ih.weight": (4 * H,), "ln_hh.weight": (4 * H,), "ln_c.weight": (H,), "ln_c.bias": (H,)}
    assert (cell.ln_ih.weight == 1).all() and (cell.ln_c.bias == 0).all(), "LN starts as gain 1, shift 0"
    result = cell.load_state_dict(torch.nn.LSTMCell(D, H).state_dict(), strict=False)
    assert not result.unexpected_keys and len(result.missing_keys) == 4
    assert set(rt.LayerNormLSTMCell(D, H, bias=False).state_dict()) == {
        "weight_ih", "weight_hh", "ln_ih.weight", "ln_hh.weight", "ln_c.weight"}


def test_normalised_summed_inputs_have_mean_zero_and_variance_one():
    cell = rt.LayerNormLSTMCell(D, H, dtype=F64)  # gains 1, shifts 0
    seen = {}
    for name in ("ln_ih", "ln_hh", "ln_c"):
        getattr(cell, name).register_forward_hook(lambda m, args, out, name=name: seen.__setitem__(name, out))
    cell(randn(N, D, seed=5), (randn(N, H, seed=6), randn(N, H, seed=7)))
    for name, out in seen.items():
        assert_close(out.mean(-1), torch.zeros(N, dtype=F64), f"{name}: mean over the units", atol=1e-12)
        assert_close(out.var(-1, unbiased=False), torch.ones(N, dtype=F64), f"{name}: variance", atol=1e-3)


def test_invariant_to_the_scale_of_the_weights():
    """LN(a W x) = LN(W x) for a > 0: the gates do not see the size of W_ih or W_hh."""
    cell = _cell(seed=8)
    for ln in (cell.ln_ih, cell.ln_hh, cell.ln_c):
        ln.eps = 0.0  # exact invariance
    x, state = randn(N, D, seed=9), (randn(N, H, seed=10), randn(N, H, seed=11))
    before = cell(x, state)
    with torch.no_grad():
        cell.weight_ih.mul_(7.0)
        cell.weight_hh.mul_(0.1)
    for name, a, b in zip(("h", "c"), cell(x, state), before):
        assert_close(a, b, f"{name} after scaling the weights")


def test_gradcheck_float64():
    cell = _cell(seed=12)
    x, h, c = randn(2, D, seed=13), randn(2, H, seed=14), randn(2, H, seed=15)
    assert torch.autograd.gradcheck(lambda *a: cell(a[0], (a[1], a[2])), (x, h, c))
    layer = randomize(rt.LayerNormLSTM(2, 2, dtype=F64), seed=16)  # tiny: every parameter is an input
    names = [n for n, _ in layer.named_parameters()]

    def run(xs, *params):
        output, (h_n, c_n) = torch.func.functional_call(layer, dict(zip(names, params)), (xs,))
        return output, c_n

    assert torch.autograd.gradcheck(run, (randn(3, 1, 2, seed=17), *layer.parameters()))


@pytest.mark.parametrize("batch_first", [False, True])
def test_layer_is_the_cell_looped(batch_first):
    T = 4
    layer = rt.LayerNormLSTM(D, H, batch_first=batch_first, dtype=F64)
    randomize(layer, seed=17)
    x = randn(*((N, T, D) if batch_first else (T, N, D)), seed=18)
    h0, c0 = randn(1, N, H, seed=19), randn(1, N, H, seed=20)
    out, (h_n, c_n) = layer(x, (h0, c0))
    h, c, steps = h0[0], c0[0], []
    for t in range(T):
        h, c = layer.cell(x[:, t] if batch_first else x[t], (h, c))
        steps.append(h)
    assert_close(out, torch.stack(steps, dim=1 if batch_first else 0), "output")
    assert_close(h_n, h[None], "h_n")
    assert_close(c_n, c[None], "c_n")
    zero = layer(x, (torch.zeros_like(h0), torch.zeros_like(c0)))
    assert_close(layer(x)[0], zero[0], "hx=None means zeros")
    unbatched_out, (h1, _) = layer(x[0] if batch_first else x[:, 0])
    assert unbatched_out.shape == (T, H) and h1.shape == (1, H)
    assert_close(unbatched_out, zero[0][0] if batch_first else zero[0][:, 0], "unbatched x")


@pytest.mark.parametrize("bias, batch_first", [(True, False), (True, True), (False, False)])
def test_fused_path_is_the_papers_equations_and_the_reference_path(bias, batch_first):
    """Outputs, final states and every gradient (input, initial states, each parameter) in float64."""
    T = 5
    fast = randomize(rt.LayerNormLSTM(D, H, batch_first=batch_first, bias=bias, dtype=F64), seed=21)
    slow = rt.LayerNormLSTM(D, H, batch_first=batch_first, bias=bias, dtype=F64, fused=False)
    slow.load_state_dict(fast.state_dict())
    assert fast.fused and not slow.fused and "fused=False" in repr(slow)
    x = randn(*((N, T, D) if batch_first else (T, N, D)), seed=22)
    hx = (randn(1, N, H, seed=23), randn(1, N, H, seed=24))
    inputs = [x, *hx, *fast.parameters()]

    def paper(x, hx):  # the equations of Ba et al. written out above, looped over time
        (h, c), steps = (hx[0][0], hx[1][0]), []
        for t in range(T):
            h, c = _paper_step(fast.cell, x[:, t] if batch_first else x[t], h, c)
            steps.append(h)
        return torch.stack(steps, dim=1 if batch_first else 0), (h[None], c[None])

    results = {}
    for name, run in (("fused", fast), ("fused=False", slow), ("paper", None)):
        out, (h_n, c_n) = run(x, hx) if run is not None else paper(x, hx)
        params = [*run.parameters()] if run is not None else [*fast.parameters()]
        grads = torch.autograd.grad(weighted_sum((out, h_n, c_n), 25), [x, *hx, *params])
        results[name] = (out, h_n, c_n, *grads)
    names = ["output", "h_n", "c_n", "dx", "dh_0", "dc_0", *(f"d{n}" for n, _ in fast.named_parameters())]
    assert len(names) == len(results["fused"]) == 3 + len(inputs)
    for ref in ("fused=False", "paper"):
        for what, a, b in zip(names, results["fused"], results[ref]):
            assert_close(a, b, f"fused against {ref}: {what}")


def test_fused_path_gradcheck_float64_without_biases():
    layer = randomize(rt.LayerNormLSTM(2, 2, bias=False, dtype=F64), seed=26)
    names = [n for n, _ in layer.named_parameters()]

    def run(xs, h0, c0, *params):
        output, (h_n, c_n) = torch.func.functional_call(layer, dict(zip(names, params)), (xs, (h0, c0)))
        return output, h_n, c_n

    assert torch.autograd.gradcheck(run, (randn(3, 2, 2, seed=27), randn(1, 2, 2, seed=28), randn(1, 2, 2, seed=29),
                                          *layer.parameters()))


def test_bad_input_gets_a_clear_error():
    cell, layer = rt.LayerNormLSTMCell(D, H), rt.LayerNormLSTM(D, H, batch_first=True)
    with pytest.raises(InputError, match=r"^LayerNormLSTMCell\.forward: argument 'x': expected shape \(N, D\) = "
                                         r"\(\?, 4\) or \(D,\); got shape \(3, 5\)\. D = 4 was fixed by the "
                                         r"constructor's input_size\."):
        cell(torch.zeros(3, 5))
    with pytest.raises(InputError, match=r"^LayerNormLSTMCell\.forward: argument 'hx': expected a tuple \(h, c\)"):
        cell(torch.zeros(3, D), torch.zeros(3, H))
    with pytest.raises(InputError, match=r"^LayerNormLSTM\.forward: argument 'x': expected shape \(N, T, D\) or "
                                         r"unbatched \(T, D\), with D = 4; got shape \(2, 6, 3\)"):
        layer(torch.zeros(2, 6, 3))
    with pytest.raises(InputError, match=r"^LayerNormLSTM\.forward: argument hx\[0\]: expected shape \(1, N, H\) = "
                                         r"\(1, 2, 5\); got shape \(2, 5\)\. N = 2 was fixed by argument 'x'"):
        layer(torch.zeros(2, 6, D), (torch.zeros(2, H), torch.zeros(2, H)))
