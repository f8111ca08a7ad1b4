"""XLM-RoBERTa's SentencePiece unigram tokenisation, from the tables in the model file.

The text is normalised code point by code point (the file's map), runs of spaces collapse to
one, a space is put in front unless there is one, and spaces become "▁". Then the most likely
split into known pieces (Viterbi over the pieces' log-probabilities); a character no piece
covers becomes <unk> on its own. Pieces never hold "▁" after their first character, so every
word splits independently of its neighbours: words are cached, which makes tokenising a
complaint a few dictionary look-ups.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sawt.textanalytics.deep.weights import TokenizerTables

SPACE = "▁"
QUERY = "query: "  # e5's prefix for a text to be compared or classified (not a document)
_SPACES = re.compile(" {2,}")


class Tokenizer:
    def __init__(self, tables: TokenizerTables) -> None:
        self.bos, self.eos, self.pad, self.unk = tables.bos, tables.eos, tables.pad, tables.unk
        self.vocab: dict[str, int] = {}
        for index, piece in enumerate(tables.pieces):
            # The first of duplicate pieces wins, as in the C engine's hash table; <unk> is
            # never matched as text.
            if piece and index != tables.unk:
                self.vocab.setdefault(piece, index)
        self.scores = [float(s) for s in tables.scores]
        self.unk_score = min(self.scores) - 10.0
        self.longest = max((len(p) for p in self.vocab), default=1)
        self.table = {code: out for code, out in tables.normalisation.items()}
        self._word = lru_cache(maxsize=200_000)(self._split)
        self.splits_words = not any(SPACE in p[1:] for p in self.vocab)

    def normalise(self, text: str) -> str:
        text = _SPACES.sub(" ", text.translate(self.table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", SPACE)

    def content(self, text: str) -> list[int]:
        """Piece ids of a text, without <s> and </s>."""
        normal = self.normalise(text)
        if not self.splits_words:
            return self._split(normal)
        ids: list[int] = []
        start = 0
        for at in range(1, len(normal) + 1):
            if at == len(normal) or normal[at] == SPACE:
                ids.extend(self._word(normal[start:at]))
                start = at
        return ids

    def encode(self, text: str, *, prefix: str = QUERY, max_length: int | None = None) -> list[int]:
        """<s>, the pieces of prefix + text (cut to fit `max_length`), </s>."""
        ids = self.content(prefix + text)
        if max_length is not None:
            ids = ids[: max_length - 2]
        return [self.bos, *ids, self.eos]

    def count(self, text: str, *, prefix: str = QUERY) -> int:
        return len(self.content(prefix + text)) + 2

    def _split(self, text: str) -> list[int]:
        n = len(text)
        best = [float("-inf")] * (n + 1)
        best[0] = 0.0
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        vocab, scores = self.vocab, self.scores
        for i in range(n):
            here = best[i]
            if here == float("-inf"):
                continue
            for end in range(i + 1, min(n, i + self.longest) + 1):
                index = vocab.get(text[i:end])
                if index is not None and here + scores[index] > best[end]:
                    best[end], piece[end], start[end] = here + scores[index], index, i
            if here + self.unk_score > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = here + self.unk_score, self.unk, i
        ids = []
        at = n
        while at > 0:
            ids.append(piece[at])
            at = start[at]
        return ids[::-1]
