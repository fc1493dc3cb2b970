"""Decoders: Bahdanau's and Luong's query written out by hand, the plain decoder, the step cost."""

import pytest
import torch
from _torch_testutil import F64, assert_close, randomize

import rnnlearn.torch as rt

V, E, H, N, S = 9, 5, 8, 3, 6


def _inputs(seed=0):
    gen = torch.Generator().manual_seed(seed)
    y_prev = torch.randint(3, V, (N,), generator=gen)
    state = torch.randn(N, H, generator=gen, dtype=F64)
    keys = torch.randn(N, S, H, generator=gen, dtype=F64)
    mask = torch.arange(S)[None, :] < torch.tensor([[6], [2], [4]])
    return y_prev, state, keys, mask


@pytest.mark.parametrize("query", ["previous", "current"])
def test_query_is_the_state_each_paper_uses(query):
    dec = randomize(rt.AttentionDecoder(V, E, H, H, query=query).double(), seed=1)
    y_prev, s_prev, keys, mask = _inputs()
    logits, s_i, weights = dec(y_prev, s_prev, keys, mask)
    emb = dec.embedding(y_prev)
    if query == "previous":  # Bahdanau: c_i from s_{i-1}, then s_i = GRU([emb; c_i], s_{i-1})
        context, alpha = dec.attention(s_prev, keys, mask)
        s_expected = dec.cell(torch.cat((emb, context), 1), s_prev)
    else:  # Luong: s_i = GRU(emb, s_{i-1}), then c_i from s_i
        s_expected = dec.cell(emb, s_prev)
        context, alpha = dec.attention(s_expected, keys, mask)
    assert_close(s_i, s_expected, f"{query}: new state")
    assert_close(weights, alpha, f"{query}: attention weights")
    assert_close(logits, dec.out(torch.cat((s_expected, context, emb), 1)), f"{query}: logits")
    # and the weights really depend on the state the docstring names
    other = dec.attention(s_expected if query == "previous" else s_prev, keys, mask)[1]
    assert (other - weights).abs().max() > 1e-6


def test_plain_decoder_uses_the_final_encoder_state_only():
    dec = randomize(rt.PlainDecoder(V, E, H, H).double(), seed=2)
    y_prev, s_prev, keys, mask = _inputs()
    logits, state, weights = dec(y_prev, s_prev, keys, mask)
    assert weights is None
    scrambled = keys.clone()
    for n, length in enumerate(mask.sum(1)):  # change every key but the last real one
        scrambled[n, :length - 1] = torch.randn(int(length) - 1, H, dtype=F64)
        scrambled[n, length:] = 7.0
    logits2, state2, _ = dec(y_prev, s_prev, scrambled, mask)
    assert_close(logits2, logits, "plain decoder: only the last real key matters")
    assert_close(state2, state, "plain decoder state")


def test_plain_and_attention_share_everything_but_the_attention():
    plain = rt.PlainDecoder(V, E, H, H)
    attn = rt.AttentionDecoder(V, E, H, H)
    plain_shapes = {k: v.shape for k, v in plain.state_dict().items()}
    attn_shapes = {k: v.shape for k, v in attn.state_dict().items() if not k.startswith("attention.")}
    assert plain_shapes == attn_shapes


def test_query_must_be_known():
    with pytest.raises(ValueError, match="query"):
        rt.AttentionDecoder(V, E, H, H, query="next")


@pytest.mark.parametrize("attention", ["additive", "dot", "general"])
@pytest.mark.parametrize("query", ["previous", "current"])
def test_seq2seq_with_either_query_ignores_padding(attention, query):
    torch.manual_seed(0)
    model = rt.Seq2Seq(rt.Encoder(V, E, H), rt.AttentionDecoder(V, E, H, H, attention, query=query)).double()
    src = torch.tensor([[3, 4, 5, 6], [7, 8, 0, 0]])
    tgt = torch.tensor([[1, 3, 4], [1, 5, 6]])
    batch = model(src, tgt)
    alone = model(src[1:, :2], tgt[1:])
    assert_close(batch[1:], alone, f"{attention}/{query}: padded vs alone")


def test_plain_seq2seq_ignores_padding_and_returns_no_weights():
    torch.manual_seed(0)
    model = rt.Seq2Seq(rt.Encoder(V, E, H), rt.PlainDecoder(V, E, H, H)).double()
    src = torch.tensor([[3, 4, 5, 6], [7, 8, 0, 0]])
    tokens, weights = model.greedy_decode(src, max_len=5)
    assert weights is None and tokens.shape == (2, 5)
    alone, _ = model.greedy_decode(src[1:, :2], max_len=5)
    assert torch.equal(alone[0], tokens[1])


DECODERS = {
    "plain": lambda: rt.PlainDecoder(V, E, H, H),
    "additive, previous": lambda: rt.AttentionDecoder(V, E, H, H),
    "additive, current": lambda: rt.AttentionDecoder(V, E, H, H, query="current"),
    "dot": lambda: rt.AttentionDecoder(V, E, H, H, attention="dot"),
    "general": lambda: rt.AttentionDecoder(V, E, H, H, attention="general"),
}


@pytest.mark.parametrize("kind", DECODERS)
def test_teacher_forced_pass_equals_the_step_loop(kind):
    """The teacher-forced path gives the step loop's logits and every gradient (float64)."""
    dec = randomize(DECODERS[kind]().double(), seed=3)
    _, s0, keys, mask = _inputs(seed=4)
    keys.requires_grad_(True)
    tgt_in = torch.randint(0, V, (N, 7), generator=torch.Generator().manual_seed(5))
    fused = dec.teacher_forced(tgt_in, s0, keys, mask, dec.memory(keys, mask))  # (N, T, V)
    state, looped, memory = s0, [], dec.memory(keys, mask)
    for t in range(tgt_in.shape[1]):
        logits, state, _ = dec.step(tgt_in[:, t], state, keys, mask, memory)
        looped.append(logits)
    looped = torch.stack(looped, dim=1)
    assert_close(fused, looped, f"{kind}: teacher-forced logits")
    weights = torch.randn_like(fused)
    grads = [torch.autograd.grad((out * weights).sum(), [keys, *dec.parameters()]) for out in (fused, looped)]
    for name, g_fused, g_loop in zip(["keys", *dict(dec.named_parameters())], *grads):
        assert_close(g_fused, g_loop, f"{kind}: teacher-forced gradient of {name}")


@pytest.mark.parametrize("kind", ["plain", "additive, previous"])
def test_seq2seq_full_teacher_forcing_equals_the_step_loop(kind):
    torch.manual_seed(0)
    model = rt.Seq2Seq(rt.Encoder(V, E, H), DECODERS[kind]()).double()
    src = torch.randint(3, V, (N, S))
    tgt_in = torch.randint(3, V, (N, 5))
    fused = model(src, tgt_in, teacher_forcing=1.0)
    almost = model(src, tgt_in, teacher_forcing=1.0 - 1e-12, generator=torch.Generator().manual_seed(0))
    assert_close(fused, almost, "full teacher forcing: fused pass against the step loop")


@pytest.mark.parametrize("attention", ["additive", "dot", "general"])
def test_fused_teacher_forced_pass_equals_the_autograd_loop(attention):
    """AttentionGRUFunction against the autograd step loop: logits and every gradient, float64."""
    fused = randomize(rt.AttentionDecoder(V, E, H, H, attention, attn_size=4).double(), seed=6)
    loop = rt.AttentionDecoder(V, E, H, H, attention, attn_size=4, fused=False).double()
    loop.load_state_dict(fused.state_dict())
    _, s0, keys, mask = _inputs(seed=7)
    tgt_in = torch.randint(0, V, (N, 5), generator=torch.Generator().manual_seed(8))
    weights = torch.randn(N, 5, V, dtype=F64)
    grads = {}
    for name, dec in (("fused", fused), ("loop", loop)):
        k, s = keys.clone().requires_grad_(), s0.clone().requires_grad_()
        logits = dec.teacher_forced(tgt_in, s, k, mask, dec.memory(k, mask))
        grads[name] = (logits, *torch.autograd.grad((logits * weights).sum(), [k, s, *dec.parameters()]))
    names = ["logits", "keys", "initial state", *dict(fused.named_parameters())]
    for name, a, b in zip(names, grads["fused"], grads["loop"]):
        assert_close(a, b, f"{attention}: fused against the autograd loop, {name}")


@pytest.mark.parametrize("additive", [True, False], ids=["additive", "dot-or-general"])
@pytest.mark.parametrize("masked", [True, False], ids=["mask", "no-mask"])
def test_attention_gru_function_gradcheck(additive, masked):
    from rnnlearn.torch._fused_attention import AttentionGRUFunction
    gen = torch.Generator().manual_seed(9)
    T, n, S_, H_, A = 3, 2, 4, 3, 2

    def r(*shape):
        return (0.5 * torch.randn(*shape, generator=gen, dtype=F64)).requires_grad_()

    mask = torch.tensor([[True, True, True, True], [True, True, False, False]]) if masked else None
    args = (r(T, n, 3 * H_), r(n, H_), r(n, S_, H_), r(n, S_, A if additive else H_), mask, r(3 * H_, H_),
            r(3 * H_, H_), r(3 * H_), *((r(A, H_), r(1, A)) if additive else (None, None)))
    assert torch.autograd.gradcheck(AttentionGRUFunction.apply, args)
