"""train_seq2seq: trimming padding changes no update, checkpoints are called, bad data is named; exact_match."""

import pytest
import torch

import rnnlearn.torch as rt
from rnnlearn.train import exact_match, train_seq2seq

V = 9


def _model(seed=0):
    torch.manual_seed(seed)
    return rt.Seq2Seq(rt.Encoder(V, 4, 6), rt.AttentionDecoder(V, 4, 6, 6, attn_size=3)).double()


def _pairs(extra_pad=0):
    gen = torch.Generator().manual_seed(1)
    lengths = torch.randint(2, 6, (40,), generator=gen)
    src = torch.randint(3, V, (40, 5), generator=gen) * (torch.arange(5) < lengths[:, None])
    tgt = torch.cat([src.flip(1), torch.zeros(40, 1, dtype=torch.long)], 1)  # any targets will do
    tgt[torch.arange(40), 5] = 2
    pad = torch.zeros(40, extra_pad, dtype=torch.long)
    return torch.cat([src, pad], 1), torch.cat([tgt, pad], 1)


def test_extra_padding_changes_no_update():
    trained = []
    for extra in (0, 7):
        model = _model()
        train_seq2seq(model, _pairs(extra), 3, batch_size=8, lr=1e-2, seed=2)
        trained.append(torch.cat([p.detach().flatten() for p in model.parameters()]))
    assert not torch.equal(trained[0], torch.cat([p.detach().flatten() for p in _model().parameters()]))
    torch.testing.assert_close(trained[0], trained[1], rtol=1e-12, atol=1e-12)


def test_checkpoints_are_called_every_k_updates_and_cpu_time_is_returned():
    seen = []
    seconds = train_seq2seq(_model(), _pairs(), 7, batch_size=8, seed=0, every=3,
                            call=lambda model, step: seen.append(step))
    assert seen == [3, 6] and seconds > 0


def test_bad_data_is_named():
    src, tgt = _pairs()
    with pytest.raises(ValueError, match="train_seq2seq.*data"):
        train_seq2seq(_model(), (src.float(), tgt), 1)
    with pytest.raises(ValueError, match="train_seq2seq.*data"):
        train_seq2seq(_model(), (src, tgt[:5]), 1)


def test_exact_match_needs_every_token_up_to_the_end():
    tgt = torch.tensor([[4, 5, 2, 0], [4, 5, 2, 0], [6, 2, 0, 0]])
    tokens = torch.tensor([[4, 5, 2, 0, 0], [4, 5, 3, 0, 0], [6, 2, 0, 0, 0]])
    assert exact_match(tokens, tgt).tolist() == [True, False, True]
    with pytest.raises(ValueError, match="exact_match"):
        exact_match(tokens[:, :3], tgt)
