"""The chapter-7 references checked against independent code: beam_step against rnnlearn.torch.beam_search."""

import numpy as np
import torch

import rnnlearn.torch as rt
from rnnlearn.grading.chapters.attention import beam_step


def _numpy_beam(model, src, K, max_len):
    """Beam search written with the grader's beam_step and the model's decoder step."""
    N = src.shape[0]
    mask = model.source_mask(src)
    keys, state = model.encoder(src, mask)
    keys, mask, state = (x.repeat_interleave(K, 0) for x in (keys, mask, state))
    memory = model.decoder.memory(keys, mask)
    scores = np.tile(np.r_[0.0, np.full(K - 1, -np.inf)], (N, 1))
    finished, tokens = np.zeros((N, K), bool), np.zeros((N, K, 0), np.int64)
    y = torch.full((N * K,), model.sos_index)
    for _ in range(max_len):
        logits, state, _ = model.decoder.step(y, state, keys, mask, memory)
        log_probs = torch.log_softmax(logits, 1).view(N, K, -1).numpy()
        scores, parents, new = beam_step(scores, log_probs, finished, model.pad_index)
        tokens = np.concatenate([np.take_along_axis(tokens, parents[:, :, None], 1), new[:, :, None]], 2)
        finished = np.take_along_axis(finished, parents, 1) | (new == model.eos_index)
        state = state[torch.from_numpy((parents + np.arange(N)[:, None] * K).reshape(-1))]
        y = torch.from_numpy(new.reshape(-1))
    return tokens[:, 0], scores[:, 0]


@torch.no_grad()
def test_beam_step_reference_agrees_with_the_package_beam_search():
    for seed in range(3):
        torch.manual_seed(seed)
        model = rt.Seq2Seq(rt.Encoder(7, 4, 8), rt.AttentionDecoder(7, 4, 8, 8)).double()
        for p in model.parameters():
            p.mul_(3.0)  # sharper distributions: more end tokens, more reordering in the beam
        src = torch.randint(3, 7, (4, 5), generator=torch.Generator().manual_seed(seed))
        tokens, scores = _numpy_beam(model, src, K=3, max_len=6)
        expected_tokens, expected_scores = rt.beam_search(model, src, beam_width=3, max_len=6)
        np.testing.assert_array_equal(tokens, expected_tokens.numpy())
        np.testing.assert_allclose(scores, expected_scores.numpy(), rtol=1e-10)
