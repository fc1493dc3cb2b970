"""Offline, seeded data: synthetic tasks, a shipped character corpus, vocabularies, padding.

Everything is generated or shipped inside the package; nothing is downloaded. Every
generator takes a ``seed`` (anything ``numpy.random.default_rng`` accepts) and returns
NumPy arrays or lists of strings; convert with ``torch.as_tensor`` where needed. Bad
arguments raise :class:`InputError` (a ``ValueError``) in the one format of ``rnnlearn.errors``.
"""

from ..errors import InputError
from .adding import adding_problem
from .baselines import bigram_cross_entropy
from .corpus import CORPORA, CharCorpus, char_corpus, char_stream, stream_chunks
from .dates import DATE_FORMATS, date_normalisation, format_date
from .memory_tasks import IGNORE_INDEX, copy_memory, delayed_recall
from .padding import Padded, encode_batch, lengths_to_mask, pad_batch
from .seq2seq_tasks import copy_task, reversal_task
from .sine import noisy_sine
from .splits import split_text, train_val_split
from .vocab import BOS, EOS, PAD, UNK, Vocab

__all__ = [
    "InputError",
    "adding_problem",
    "copy_task", "reversal_task", "copy_memory", "delayed_recall", "IGNORE_INDEX",
    "noisy_sine",
    "date_normalisation", "format_date", "DATE_FORMATS",
    "char_corpus", "CharCorpus", "CORPORA", "char_stream", "stream_chunks",
    "bigram_cross_entropy",
    "Vocab", "PAD", "BOS", "EOS", "UNK",
    "pad_batch", "encode_batch", "lengths_to_mask", "Padded",
    "train_val_split", "split_text",
]
