"""Beam search: width 1 is greedy, scores are the model's log-probabilities, end tokens and lengths."""

import pytest
import torch
from _torch_testutil import assert_close, randomize

import rnnlearn.torch as rt

V, PAD, SOS, EOS = 7, 0, 1, 2


def _model(seed, decoder="attention", scale=1.0):
    torch.manual_seed(seed)
    dec = rt.AttentionDecoder(V, 4, 8, 8) if decoder == "attention" else rt.PlainDecoder(V, 4, 8, 8)
    return randomize(rt.Seq2Seq(rt.Encoder(V, 4, 8), dec).double(), seed=seed, scale=scale)


def _src(seed, n=6):
    gen = torch.Generator().manual_seed(seed)
    src = torch.randint(3, V, (n, 5), generator=gen)
    src[1, 3:] = PAD
    src[2, 1:] = PAD
    return src


@pytest.mark.parametrize("decoder", ["attention", "plain"])
def test_width_one_is_greedy(decoder):
    for seed in range(3):
        model, src = _model(seed, decoder), _src(seed)
        greedy, _ = model.greedy_decode(src, max_len=8)
        beam, scores = rt.beam_search(model, src, beam_width=1, max_len=8)
        assert torch.equal(beam, greedy)
        assert_close(scores, rt.sequence_log_prob(model, src, greedy), "width-1 score")


def test_scores_are_the_model_log_probability():
    model, src = _model(0), _src(0)
    tokens, scores = rt.beam_search(model, src, beam_width=3, max_len=8)
    assert_close(scores, rt.sequence_log_prob(model, src, tokens), "beam scores vs sequence_log_prob")
    # sequence_log_prob written out: teacher-forced log-softmax, summed up to the first end token
    for n in range(src.shape[0]):
        y = tokens[n].tolist()
        y = y[:y.index(EOS) + 1] if EOS in y else y
        logits = model(src[n:n + 1], torch.tensor([[SOS] + y[:-1]]))[0]
        expected = torch.log_softmax(logits, 1)[torch.arange(len(y)), torch.tensor(y)].sum()
        assert_close(scores[n], expected.detach(), f"log p of sequence {n}")


def test_wider_beams_score_at_least_greedy_on_random_models():
    """Not a theorem (see the module docstring), so measured: 15 models x 6 sources, widths 2 and 5."""
    worse = 0
    for seed in range(15):
        model, src = _model(seed, scale=1.5), _src(seed)
        greedy, _ = model.greedy_decode(src, max_len=6)
        g = rt.sequence_log_prob(model, src, greedy)
        for width in (2, 5):
            _, scores = rt.beam_search(model, src, beam_width=width, max_len=6)
            worse += int((scores < g - 1e-9).sum())
    assert worse == 0, f"{worse} of 180 beams scored below greedy"


def test_a_wider_beam_finds_better_sequences_somewhere():
    better = 0
    for seed in range(10):
        model, src = _model(seed, scale=1.5), _src(seed)
        greedy, _ = model.greedy_decode(src, max_len=6)
        _, scores = rt.beam_search(model, src, beam_width=4, max_len=6)
        better += int((scores > rt.sequence_log_prob(model, src, greedy) + 1e-9).sum())
    assert better > 0  # otherwise the beam would be greedy in disguise


def test_end_tokens_and_lengths():
    model, src = _model(3), _src(3)
    for max_len in (1, 4, 9):
        tokens, scores = rt.beam_search(model, src, beam_width=3, max_len=max_len)
        assert tokens.shape == (src.shape[0], max_len) and scores.shape == (src.shape[0],)
        for row in tokens.tolist():
            if EOS in row:  # after the end token: padding only
                assert all(t == PAD for t in row[row.index(EOS) + 1:])


def test_an_end_token_stops_the_hypothesis():
    """A model that always says EOS first: every beam returns [EOS, PAD, ...] with score log p(EOS)."""
    model = _model(0)
    with torch.no_grad():
        model.decoder.out.bias.zero_()
        model.decoder.out.weight.zero_()
        model.decoder.out.bias[EOS] = 5.0
    src = _src(0)
    tokens, scores = rt.beam_search(model, src, beam_width=4, max_len=5)
    assert torch.equal(tokens[:, 0], torch.full((src.shape[0],), EOS)) and (tokens[:, 1:] == PAD).all()
    expected = torch.log_softmax(torch.tensor([5.0] + [0.0] * (V - 1), dtype=torch.float64), 0)[0]
    assert_close(scores, expected.expand(src.shape[0]), "score of [EOS]")


def test_bad_arguments():
    model, src = _model(0), _src(0)
    for kw in ({"beam_width": 0, "max_len": 3}, {"beam_width": 2, "max_len": 0}, {"beam_width": 2.0, "max_len": 3}):
        with pytest.raises(ValueError, match="beam_search"):
            rt.beam_search(model, src, **kw)
    with pytest.raises(ValueError, match="beam_search.*src"):
        rt.beam_search(model, src.float(), beam_width=2, max_len=3)
