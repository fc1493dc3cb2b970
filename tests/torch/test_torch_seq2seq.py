"""Seq2Seq: padding invariance, teacher forcing 1 vs 0, the schedule hook, masked loss, greedy decoding."""

import pytest
import torch
from _torch_testutil import F64, assert_close

import rnnlearn.torch as rt

V, PAD, SOS, EOS = 9, 0, 1, 2


def _model(attention="additive", seed=0):
    torch.manual_seed(seed)
    model = rt.Seq2Seq(rt.Encoder(V, 5, 8), rt.AttentionDecoder(V, 5, 8, 8, attention=attention))
    return model.double()


def _ragged(seed=0):
    gen = torch.Generator().manual_seed(seed)
    srcs = [torch.randint(3, V, (n,), generator=gen) for n in (5, 2, 4)]
    tgts = [torch.cat([torch.tensor([SOS]), torch.randint(3, V, (n,), generator=gen)]) for n in (3, 6, 1)]
    return srcs, tgts


def _pad(seqs, length=None):
    length = length or max(len(s) for s in seqs)
    return torch.stack([torch.cat([s, torch.full((length - len(s),), PAD)]) for s in seqs])


@pytest.mark.parametrize("attention", ["additive", "dot", "general"])
def test_padding_does_not_change_any_real_position(attention):
    model = _model(attention)
    srcs, tgts = _ragged()
    batch = model(_pad(srcs, 7), _pad(tgts, 8))  # extra padding on top of the ragged lengths
    for n, (src, tgt) in enumerate(zip(srcs, tgts)):
        alone = model(src[None], tgt[None])
        assert_close(batch[n, :len(tgt)], alone[0], f"{attention}: sequence {n} padded vs alone")


def test_greedy_attention_ignores_padding_exactly():
    model = _model()
    srcs, _ = _ragged()
    src = _pad(srcs, 7)
    tokens, weights = model.greedy_decode(src, max_len=4)
    assert weights.shape == (3, 4, 7)
    pad = (src == PAD)[:, None, :].expand_as(weights)
    assert torch.equal(weights[pad], torch.zeros_like(weights[pad]))
    for n, s in enumerate(srcs):
        alone, _ = model.greedy_decode(s[None], max_len=4)
        assert torch.equal(alone[0], tokens[n])


def test_pad_index_must_differ_from_start_token():
    with pytest.raises(ValueError, match="pad_index"):
        rt.Seq2Seq(rt.Encoder(V, 4, 8), rt.AttentionDecoder(V, 4, 8, 8), sos_index=0, pad_index=0)


def _teacher_forced_by_hand(model, src, tgt_in):
    """The decoder fed the true previous token at every step, written out step by step."""
    mask = src != PAD
    keys, state = model.encoder(src, mask)
    logits = []
    for t in range(tgt_in.shape[1]):
        step_logits, state, _ = model.decoder(tgt_in[:, t], state, keys, mask)
        logits.append(step_logits)
    return torch.stack(logits, dim=1)


def test_teacher_forcing_one_feeds_the_truth():
    model = _model()
    srcs, tgts = _ragged()
    src, tgt_in = _pad(srcs), _pad(tgts)
    expected = _teacher_forced_by_hand(model, src, tgt_in)
    for seed in (0, 1):
        got = model(src, tgt_in, teacher_forcing=1.0, generator=torch.Generator().manual_seed(seed))
        assert_close(got, expected, "teacher_forcing=1")


def test_teacher_forcing_zero_is_greedy_decoding():
    model = _model()
    srcs, tgts = _ragged()
    src, tgt_in = _pad(srcs), _pad(tgts)
    free = model(src, tgt_in, teacher_forcing=0.0).argmax(dim=2)
    tokens, _ = model.greedy_decode(src, max_len=tgt_in.shape[1])
    for n in range(3):  # greedy_decode pads after EOS; compare up to and including the first EOS
        stop = int((tokens[n] == EOS).nonzero()[0]) + 1 if (tokens[n] == EOS).any() else tokens.shape[1]
        assert torch.equal(free[n, :stop], tokens[n, :stop])
    forced = model(src, tgt_in, teacher_forcing=1.0)
    assert (forced - model(src, tgt_in, teacher_forcing=0.0)).abs().max() > 1e-6


def test_intermediate_probability_is_seeded_and_mixes():
    model = _model()
    srcs, tgts = _ragged()
    src, tgt_in = _pad(srcs), _pad(tgts)
    run = lambda p, seed: model(src, tgt_in, p, generator=torch.Generator().manual_seed(seed))  # noqa: E731
    assert torch.equal(run(0.5, 3), run(0.5, 3))
    assert any(not torch.equal(run(0.5, s), run(1.0, 0)) for s in range(5))


def test_schedule_hook():
    model = _model()
    srcs, tgts = _ragged()
    src, tgt_in = _pad(srcs), _pad(tgts)
    with pytest.raises(ValueError, match="schedule"):
        model(src, tgt_in, teacher_forcing=None, step=0)
    model.schedule = lambda step: 1.0 if step < 10 else 0.0
    assert torch.equal(model(src, tgt_in, None, step=3), model(src, tgt_in, 1.0))
    assert torch.equal(model(src, tgt_in, None, step=30), model(src, tgt_in, 0.0))


def test_loss_ignores_padded_targets():
    model = _model()
    logits = torch.randn(2, 4, V, dtype=F64)
    target = torch.tensor([[3, 4, EOS, PAD], [5, 6, 7, EOS]])
    other = logits.clone()
    other[0, 3] = 100 * torch.randn(V, dtype=F64)
    assert_close(model.loss(other, target), model.loss(logits, target), "loss with other logits at padding")
    real = target != PAD
    expected = torch.nn.functional.cross_entropy(logits[real], target[real])
    assert_close(model.loss(logits, target), expected, "mean over the real tokens")


def test_greedy_decoding_learns_to_reverse():
    """A tiny model trained 100 steps with teacher forcing reverses 4 symbols under greedy decoding."""
    torch.manual_seed(0)
    model = rt.Seq2Seq(rt.Encoder(8, 16, 32), rt.AttentionDecoder(8, 16, 32, 32))
    gen = torch.Generator().manual_seed(0)

    def batch(n):
        src = torch.randint(3, 8, (n, 4), generator=gen)
        tgt = torch.cat([src.flip(1), torch.full((n, 1), EOS)], dim=1)
        return src, torch.cat([torch.full((n, 1), SOS), tgt[:, :-1]], dim=1), tgt

    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(100):
        src, tgt_in, tgt = batch(64)
        loss = model.loss(model(src, tgt_in), tgt)
        opt.zero_grad()
        loss.backward()
        opt.step()
    src, _, tgt = batch(200)
    tokens, _ = model.greedy_decode(src, max_len=5)
    accuracy = (tokens == tgt).all(dim=1).double().mean().item()
    assert accuracy > 0.9, f"exact-match accuracy {accuracy:.3f} after 100 steps (chance is 5^-4)"
