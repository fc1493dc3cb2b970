"""Vocabulary, padding and masks, splits, the shipped corpora and the bigram baseline."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlearn.data import (
    CORPORA,
    InputError,
    Vocab,
    bigram_cross_entropy,
    char_corpus,
    char_stream,
    encode_batch,
    lengths_to_mask,
    pad_batch,
    split_text,
    stream_chunks,
    train_val_split,
)

ALPHABET = "abcdefghij -.,"


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_vocab_round_trip(text):
    vocab = Vocab(sorted(ALPHABET))
    ids = vocab.encode(text, add_bos=True, add_eos=True)
    assert ids[0] == vocab.bos_index and ids[-1] == vocab.eos_index
    assert len(ids) == len(text) + 2
    assert vocab.decode(ids) == text
    assert vocab.decode(vocab.encode(text) + [vocab.eos_index, vocab.encode("a")[0]]) == text


def test_vocab_specials_and_unknowns():
    vocab = Vocab.from_texts(["hello", "world"])
    assert vocab.itos[:4] == ["<pad>", "<bos>", "<eos>", "<unk>"]
    assert (vocab.pad_index, vocab.bos_index, vocab.eos_index, vocab.unk_index) == (0, 1, 2, 3)
    assert vocab.pad_index != vocab.bos_index
    assert len(vocab) == 4 + len(set("helloworld"))
    assert vocab.itos[4:] == sorted(set("helloworld"))
    assert vocab.encode("hz") == [vocab.stoi["h"], vocab.unk_index]
    assert vocab.decode([0, 1, vocab.stoi["h"], 0], strip_specials=False) == "<pad><bos>h<pad>"
    plain = Vocab.from_texts("abc", specials=())
    assert plain.encode("cab") == [2, 0, 1] and plain.pad_index is None
    with pytest.raises(InputError, match=r"Vocab\.encode: argument 'tokens': .*<unk>.*; got 'z'"):
        plain.encode("z")
    with pytest.raises(InputError, match=r"Vocab\.encode: argument 'add_bos': .*<bos>.*; got add_bos=True"):
        plain.encode("a", add_bos=True)
    with pytest.raises(InputError, match=r"Vocab\.decode: argument 'ids': expected ids in \[0, V\) = \[0, 3\); "
                                         r"got id 7"):
        plain.decode([7])
    with pytest.raises(InputError, match=r"Vocab: arguments 'tokens' and 'specials': .*got 'a' twice"):
        Vocab(["a", "b", "a"])


def test_pad_batch_masks_and_lengths():
    padded = pad_batch([[5, 6, 7], [8], []], pad_index=0)
    np.testing.assert_array_equal(padded.tokens, [[5, 6, 7], [8, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(padded.lengths, [3, 1, 0])
    np.testing.assert_array_equal(padded.mask, [[1, 1, 1], [1, 0, 0], [0, 0, 0]])
    assert padded.tokens.dtype == np.int64 and padded.mask.dtype == bool
    wide = pad_batch([[1, 2]], pad_index=9, length=4)
    np.testing.assert_array_equal(wide.tokens, [[1, 2, 9, 9]])
    with pytest.raises(InputError, match=r"pad_batch: arguments 'length' and 'seqs': expected .*shorter.*"
                                         r"got length=2 and a sequence of 3 tokens"):
        pad_batch([[1, 2, 3]], pad_index=0, length=2)
    with pytest.raises(InputError, match=r"lengths_to_mask: argument 'lengths': expected .*shape \(N,\); "
                                         r"got dtype int64 and shape \(2, 2\)"):
        lengths_to_mask(np.ones((2, 2), dtype=int))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet="abc", max_size=9), min_size=1, max_size=6))
def test_encode_batch_real_positions_round_trip(texts):
    vocab = Vocab.from_texts("abc")
    batch = encode_batch(vocab, texts, add_eos=True)
    assert batch.tokens.shape == (len(texts), max(len(t) for t in texts) + 1)
    for row, mask, n, t in zip(batch.tokens, batch.mask, batch.lengths, texts):
        assert n == len(t) + 1 and mask.sum() == n
        assert np.all(row[~mask] == vocab.pad_index) and np.all(row[mask] != vocab.pad_index)
        assert vocab.decode(row) == t


def test_train_val_split_keeps_pairs():
    x = np.arange(100) * 10
    y = list(range(100))
    (x_tr, y_tr), (x_va, y_va) = train_val_split(x, y, val_fraction=0.2, seed=0)
    assert len(x_va) == len(y_va) == 20 and len(x_tr) == 80
    np.testing.assert_array_equal(x_tr, np.array(y_tr) * 10)
    assert sorted(np.concatenate([x_tr, x_va])) == list(x)
    again = train_val_split(x, y, val_fraction=0.2, seed=0)
    np.testing.assert_array_equal(again[1][0], x_va)
    with pytest.raises(InputError, match=r"train_val_split: argument arrays\[1\]: expected the same length N = 100"
                                         r".*; got length 5\. N = 100 was fixed by argument arrays\[0\]"):
        train_val_split(x, y[:5], seed=0)
    with pytest.raises(InputError, match=r"train_val_split: argument 'val_fraction': .*; got 1\.5"):
        train_val_split(x, val_fraction=1.5, seed=0)


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_shipped_corpus(name):
    text, vocab = char_corpus(name)
    assert 100_000 < len(text) < 600_000
    assert "gutenberg" not in text.lower() and "\r" not in text
    assert vocab.specials == () and len(vocab) == len(set(text))
    ids = vocab.encode(text)
    assert vocab.decode(ids) == text
    assert max(ids) == len(vocab) - 1


def test_corpus_name_is_checked():
    with pytest.raises(InputError, match=r"char_corpus: argument 'name': expected one of \[.*'alice'.*\]; "
                                         r"got 'shakespeare'"):
        char_corpus("shakespeare")


def test_split_text_is_contiguous():
    train, val = split_text("abcdefghij", val_fraction=0.2)
    assert (train, val) == ("abcdefgh", "ij")


def test_char_stream_and_chunks_walk_the_text_in_order():
    ids = np.arange(103)
    stream = char_stream(ids, 4)
    assert stream.shape == (4, 25)
    np.testing.assert_array_equal(stream[1], np.arange(25, 50))  # contiguous rows
    chunks = list(stream_chunks(stream, 10))
    assert [c[0].shape[1] for c in chunks] == [10, 10, 4]
    np.testing.assert_array_equal(np.concatenate([x for x, _ in chunks], 1), stream[:, :-1])
    np.testing.assert_array_equal(np.concatenate([y for _, y in chunks], 1), stream[:, 1:])
    with pytest.raises(InputError, match=r"char_stream: argument 'ids': expected shape \(L,\); got shape \(2, 3\)"):
        char_stream(np.zeros((2, 3)), 2)


def test_bigram_baseline_against_direct_count():
    rng = np.random.default_rng(0)
    V = 5
    train, val = rng.integers(0, V, 400), rng.integers(0, V, 100)
    alpha = 0.5
    total = 0.0
    for a, b in zip(val[:-1], val[1:]):
        pairs = sum(1 for u, v in zip(train[:-1], train[1:]) if u == a and v == b)
        starts = sum(1 for u in train[:-1] if u == a)
        total -= math.log((pairs + alpha) / (starts + alpha * V))
    assert bigram_cross_entropy(train, val, V, alpha=alpha) == pytest.approx(total / 99, rel=1e-12)


def test_bigram_baseline_on_alice_beats_uniform():
    text, vocab = char_corpus("alice")
    train, val = split_text(np.array(vocab.encode(text)))
    h = bigram_cross_entropy(train, val, len(vocab))
    assert 2.0 < h < math.log(len(vocab)) - 1.0
