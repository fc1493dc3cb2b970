"""A vocabulary: tokens <-> integer ids, with special tokens for padding and decoding."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import input_error

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"


class Vocab:
    """Map tokens (characters by default) to ids and back.

    Special tokens come first, in the order given, so with the default specials
    ``pad_index == 0``, ``bos_index == 1``, ``eos_index == 2`` and ``unk_index == 3``; the
    pad index is distinct from the start token, as a masked loss needs. The other tokens
    follow in the order given (``Vocab.from_texts`` sorts them, so the ids do not depend on
    the order of the data).

    Parameters
    ----------
    tokens : iterable of str
        The ordinary tokens, without duplicates.
    specials : tuple of str
        Special tokens; any of ``"<pad>"``, ``"<bos>"``, ``"<eos>"``, ``"<unk>"`` present
        sets the matching ``*_index`` attribute (``None`` when absent). Pass ``()`` for a
        plain character vocabulary such as a language model's.

    Attributes
    ----------
    itos : list of str
        Token of each id.
    stoi : dict
        Id of each token.

    Shapes
    ------
    ``encode`` returns a list of L ids; ``decode`` takes any sequence of ids, V = len(vocab).
    """

    def __init__(self, tokens: Iterable[str], *, specials: tuple = (PAD, BOS, EOS, UNK)):
        self.itos = list(specials) + [t for t in tokens]
        self.stoi = {t: i for i, t in enumerate(self.itos)}
        if len(self.stoi) != len(self.itos):
            seen, dup = set(), None
            for t in self.itos:
                if t in seen:
                    dup = t
                    break
                seen.add(t)
            raise input_error("Vocab", ("tokens", "specials"), "unique tokens that differ from the specials",
                              f"{dup!r} twice")
        self.specials = tuple(specials)
        self.pad_index = self.stoi.get(PAD)
        self.bos_index = self.stoi.get(BOS)
        self.eos_index = self.stoi.get(EOS)
        self.unk_index = self.stoi.get(UNK)

    @classmethod
    def from_texts(cls, texts: Iterable[str], *, specials: tuple = (PAD, BOS, EOS, UNK)):
        """Character vocabulary of ``texts`` (a list of strings, or one string), sorted."""
        if isinstance(texts, str):
            texts = [texts]
        chars = sorted(set().union(*map(set, texts)))
        return cls([c for c in chars if c not in specials], specials=specials)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token) -> bool:
        return token in self.stoi

    def __repr__(self) -> str:
        preview = "".join(t for t in self.itos[len(self.specials):][:20])
        return f"Vocab(size={len(self)}, specials={self.specials}, tokens={preview!r}...)"

    def encode(self, tokens, *, add_bos: bool = False, add_eos: bool = False) -> list[int]:
        """Ids of ``tokens`` (a string is split into characters).

        Unknown tokens map to ``<unk>`` if the vocabulary has one, else raise ValueError.
        ``add_bos`` / ``add_eos`` wrap the ids in the start and end tokens.
        """
        ids = []
        if add_bos:
            ids.append(self._special("encode", "add_bos", self.bos_index, BOS))
        for t in tokens:
            i = self.stoi.get(t, self.unk_index)
            if i is None:
                raise input_error("Vocab.encode", "tokens", f"tokens in the vocabulary (it has no {UNK} "
                                  "token to stand for the others)", f"{t!r}")
            ids.append(i)
        if add_eos:
            ids.append(self._special("encode", "add_eos", self.eos_index, EOS))
        return ids

    def decode(self, ids, *, strip_specials: bool = True, sep: str = "") -> str:
        """Tokens of ``ids`` joined by ``sep``.

        With ``strip_specials`` (default) decoding stops at the first ``<eos>`` and drops
        ``<pad>`` and ``<bos>``, so ``decode(encode(s, add_bos=True, add_eos=True)) == s``.
        Accepts lists, NumPy arrays and 1-D tensors.
        """
        out = []
        for i in (int(i) for i in ids):
            if not 0 <= i < len(self.itos):
                raise input_error("Vocab.decode", "ids", f"ids in [0, V) = [0, {len(self.itos)})", f"id {i}")
            if strip_specials and i == self.eos_index:
                break
            if strip_specials and i in (self.pad_index, self.bos_index):
                continue
            out.append(self.itos[i])
        return sep.join(out)

    def _special(self, func, arg, index, token):
        if index is None:
            raise input_error(f"Vocab.{func}", arg, f"False for a vocabulary without a {token} token",
                              f"{arg}=True with specials {self.specials}")
        return index
