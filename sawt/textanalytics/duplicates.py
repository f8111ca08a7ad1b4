"""Near-duplicate texts: one complaint that arrived twice (e-mail and web, a forwarded copy)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import HashingVectorizer

from sawt.textanalytics.arabic import tokenize
from sawt.textanalytics.stopwords import is_stopword

# Redaction placeholders ([جوال], [رقم_هوية] …) say nothing about the problem and sit wherever
# the writer put the number, so they are dropped before comparing.
_PLACEHOLDER = re.compile(r"\[\w+\]")
# Short labels before a colon that open a text ("إلحاقاً لشكواي السابقة:", "Fwd: RE:",
# "الموضوع:"): exactly what a forwarded or re-sent copy adds, so they are dropped too. At most
# six words each and no sentence punctuation in them (a form's "الجهة: … . الوصف:" is kept
# after its first label); a colon between digits (10:30) is not a label.
_LEAD_LABELS = re.compile(r"^\s*(?:(?:[^\s:.،؛!?؟]+\s+){0,5}[^\s:.،؛!?؟]+\s*:(?!\d)\s*)+")
# Hashed features keep memory proportional to the texts (no vocabulary of every n-gram seen);
# at 2**20 columns two n-grams of one pair of texts rarely share a column.
_FEATURES = 2**20
# Rows whose candidates are sought at once: memory is bounded by this many rows' products.
_ROWS_PER_CHUNK = 1000
# Prefixes stop where the rest of a row has norm <= this share of the threshold. Nearer 1,
# prefixes are shorter and their product cheaper but the bounds looser; 0.97 was fastest on
# bench/textanalytics_groups.py (0.9 and 0.95 within 20 %).
_BUDGET = 0.97
_PAIRS_PER_CHECK = 50_000


def comparison_text(text: str) -> str:
    """The text as compared: normalised words, without placeholders and opening labels."""
    cleaned = _PLACEHOLDER.sub(" ", text)
    words = tokenize(_LEAD_LABELS.sub("", cleaned)) or tokenize(cleaned)
    return " ".join(words)


def near_duplicate_groups(texts: Sequence[str], *, threshold: float = 0.8) -> list[int]:
    """For each text, the index of the first text of its group of near-duplicates.

    Texts are together when their comparison texts (`comparison_text`) are equal, or when the
    cosine similarity of the TF-IDF vectors of the character 3–5-grams (char_wb) of their
    content words (stopwords dropped) is at least `threshold`; and transitively so. Texts with
    no words stay alone.

    At the default 0.8, copies that differ by spacing, punctuation, spelling variants, digits,
    a forwarding label, a greeting or a signature, or a word or two score 0.9 and more, and
    different complaints that share a letter template or a form header stay under 0.75. A
    template far longer than the problem it carries (a line of substance in a page of
    courtesies) can still pass: the vectors see how much is shared, not which part matters."""
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    # Equal comparison texts are one row: repeats cost nothing and do not skew the IDF.
    rows: dict[str, int] = {}
    row_of = [rows.setdefault(key, len(rows)) if key else -1 for key in map(comparison_text, texts)]
    first_index = np.zeros(len(rows), dtype=np.int64)
    for i, row in reversed(list(enumerate(row_of))):
        if row >= 0:
            first_index[row] = i
    content = [" ".join(w for w in key.split() if not is_stopword(w)) for key in rows]
    left, right = similar_pairs(content, threshold)
    # Groups are the connected components of the pairs (what union-find would give).
    ones = np.ones(len(left), dtype=np.int8)
    graph = sparse.coo_matrix((ones, (left, right)), shape=(len(rows),) * 2)
    _, component = connected_components(graph, directed=False)
    group_first = np.full(component.max(initial=-1) + 1, len(texts), dtype=np.int64)
    np.minimum.at(group_first, component, first_index)
    return [int(group_first[component[row]]) if row >= 0 else i for i, row in enumerate(row_of)]


def group_sizes(groups: list[int]) -> dict[int, int]:
    """How many texts each group holds, keyed by the group's first index."""
    return dict(Counter(groups))


def similar_pairs(texts: list[str], threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs i < j of (normalised) texts whose TF-IDF char_wb 3–5-gram cosine is >=
    threshold: exactly those a comparison of every pair would find, found without one."""
    none = np.zeros(0, dtype=np.int64)
    if len(texts) < 2:
        return none, none
    vectors = _rarest_first(_tfidf(texts))
    if vectors.nnz == 0:
        return none, none
    prefixes = _Prefixes(vectors, _BUDGET * threshold)
    found_i, found_j = [none], [none]
    for start in range(0, vectors.shape[0], _ROWS_PER_CHUNK):
        i, j, partial = prefixes.candidates(start, _ROWS_PER_CHUNK, threshold)
        # The prefixes' product is part of the cosine: at the threshold already, it is enough.
        unsure = partial < threshold
        keep = ~unsure
        keep[unsure] = _cosines(vectors, i[unsure], j[unsure]) >= threshold - 1e-6
        found_i.append(i[keep])
        found_j.append(j[keep])
    return np.concatenate(found_i), np.concatenate(found_j)


def _tfidf(texts: list[str]) -> sparse.csr_matrix:
    """TF-IDF rows (see `_weigh`) of each text's char_wb 3–5-grams, hashed."""
    # char_wb n-grams never cross a space, so a text's counts are the sum of its words' counts:
    # each distinct word is cut into n-grams once, however many texts use it.
    words: dict[str, int] = {}
    word_ids = [[words.setdefault(w, len(words)) for w in text.split()] for text in texts]
    indptr = np.concatenate(([0], np.cumsum([len(ids) for ids in word_ids])))
    columns = np.fromiter((w for ids in word_ids for w in ids), dtype=np.int32, count=indptr[-1])
    ones = np.ones(len(columns), dtype=np.float32)
    usage = sparse.csr_matrix((ones, columns, indptr), shape=(len(texts), len(words)))
    usage.sum_duplicates()
    if not words:  # only stopwords: nothing to compare but the texts themselves
        return sparse.csr_matrix((len(texts), _FEATURES), dtype=np.float32)
    ngrams = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        n_features=_FEATURES,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    ).transform(list(words))
    return _weigh((usage @ ngrams).tocsr())


def _weigh(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Unit rows of (1 + log tf) × sqrt(idf), in place.

    The square root damps IDF: at full strength a rare n-gram (a typo, a name, a signature, a
    template seen in few texts) outweighs the shared body, which split e-mail copies from their
    web originals and joined rare letter templates in tests; at half strength common n-grams
    still count for less."""
    weights = counts.data
    np.log(weights, out=weights)
    weights += 1
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.sqrt(np.log((1 + counts.shape[0]) / (1 + frequency)) + 1).astype(np.float32)
    weights *= idf[counts.indices]
    nonempty = np.diff(counts.indptr) > 0
    norms = np.ones(counts.shape[0], dtype=np.float32)
    norms[nonempty] = np.sqrt(np.add.reduceat(weights**2, counts.indptr[:-1][nonempty]))
    weights /= np.repeat(norms, np.diff(counts.indptr))
    return counts


def _rarest_first(vectors: sparse.csr_matrix) -> sparse.csr_matrix:
    """The same rows with columns renumbered rarest first, and n-grams of one text dropped
    (reusing the arrays of `vectors`, which is not to be used after).

    An n-gram found in one text only never adds to a cosine, so it can go (rows keep their
    norm: cosines are unchanged). In rarity order each row's sorted entries start with its
    rarest n-grams, which is what the prefixes below take."""
    frequency = np.bincount(vectors.indices, minlength=vectors.shape[1])
    shared = np.flatnonzero(frequency >= 2)
    order = shared[np.lexsort((shared, frequency[shared]))]
    rank = np.zeros(vectors.shape[1], dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    vectors.data[frequency[vectors.indices] < 2] = 0
    vectors.indices = rank[vectors.indices]
    vectors.eliminate_zeros()
    out = sparse.csr_matrix(
        (vectors.data, vectors.indices, vectors.indptr), shape=(vectors.shape[0], len(order))
    )
    out.sort_indices()
    return out


def _running_norms(vectors: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Per entry, the norm² of its row's entries before it; and each row's norm².

    Summed in float64 a block of rows at a time (one running sum over all rows would lose the
    small terms), kept in float32."""
    before = np.empty(vectors.nnz, dtype=np.float32)
    total = np.empty(vectors.shape[0], dtype=np.float32)
    for first in range(0, vectors.shape[0], _ROWS_PER_CHUNK):
        rows = slice(first, first + _ROWS_PER_CHUNK + 1)
        indptr = vectors.indptr[rows]
        squares = vectors.data[indptr[0] : indptr[-1]].astype(np.float64) ** 2
        running = np.concatenate(([0.0], np.cumsum(squares)))
        starts = running[indptr[:-1] - indptr[0]]
        total[first : first + len(indptr) - 1] = running[indptr[1:] - indptr[0]] - starts
        before[indptr[0] : indptr[-1]] = running[:-1] - np.repeat(starts, np.diff(indptr))
    return before, total


def _row_counts(flags: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """The indptr of a CSR matrix keeping the flagged entries of one with `indptr`."""
    running = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))
    return running[indptr]


class _Prefixes:
    """Prefix filtering, as in all-pairs similarity search, on rows whose entries run rarest
    first (`_rarest_first`).

    Each row's prefix is its first entries, up to where the rest of the row has norm <= budget.
    If x's prefix ends first (at rank b), every shared n-gram outside both prefixes lies at or
    after b, so x·y <= (product of the prefixes) + |x after b| · |y after b|. As the budget is
    below the threshold, a pair that reaches it shares a prefix n-gram: only pairs found in the
    prefixes' product are candidates, and those under the bound are dropped. Rare n-grams
    first keep prefixes short and their product sparse."""

    def __init__(self, vectors: sparse.csr_matrix, budget: float) -> None:
        n_rows, n_cols = vectors.shape
        self.vectors, self.n_cols = vectors, n_cols
        lengths = np.diff(vectors.indptr)
        self.longest = lengths.max(initial=0)
        self.before, self.total = _running_norms(vectors)
        # Prefix: entries while what is left from them on is above the budget.
        take = np.repeat(self.total, lengths) - self.before > budget**2
        indptr = _row_counts(take, vectors.indptr)
        prefix_len = np.diff(indptr)
        self.prefix = sparse.csr_matrix(
            (vectors.data[take], vectors.indices[take], indptr), shape=vectors.shape
        )
        first_after = vectors.indptr[:-1] + prefix_len
        self.rest = self._tail_from(np.arange(n_rows), first_after)
        self.rest_max = self.rest.max(initial=0)
        # Rank where each row's prefix stops (n_cols when the whole row is prefix).
        self.cut = np.where(
            prefix_len < lengths, np.append(vectors.indices, 0)[first_after], n_cols
        )
        # Each row's norm from a few ranks on (0 and quantiles of where prefixes stop): the one
        # at the mark just before b bounds |y after b| from above with a lookup, so most pairs
        # are dropped before the exact search.
        marks = np.quantile(self.cut, np.linspace(0, 1, 33)).astype(np.int64)
        self.marks = np.unique(np.concatenate(([0], marks)))
        everyone = np.arange(n_rows)
        self.tails = np.stack(
            [self._tail(everyone, np.full(n_rows, mark)) for mark in self.marks], axis=1
        )

    def candidates(
        self, start: int, size: int, threshold: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pairs (i, j), i in rows start… start + size and j > i, that may reach the threshold,
        with the product of their prefixes."""
        # Only rows from the chunk on: pairs with earlier rows were found with their chunk.
        block = self.prefix[start : start + size] @ self.prefix[start:].T
        # Bounds from loose to exact, each on the pairs the one before left: no rest exceeds
        # the largest (one comparison per product entry), then the two rests, then the marks;
        # the exact bound needs a search per pair.
        keep = np.flatnonzero(block.data + self.rest_max + 1e-4 >= threshold)
        partial = block.data[keep]
        i = np.searchsorted(block.indptr, keep, side="right") - 1 + start
        j = block.indices[keep].astype(np.int64) + start
        keep = (j > i) & (partial + np.maximum(self.rest[i], self.rest[j]) + 1e-4 >= threshold)
        i, j, partial = i[keep], j[keep], partial[keep]
        early = np.where(self.cut[i] <= self.cut[j], i, j)
        other = i + j - early
        mark = np.searchsorted(self.marks, self.cut[early], side="right") - 1
        keep = partial + self.rest[early] * self.tails[other, mark] + 1e-4 >= threshold
        i, j, partial, early, other = i[keep], j[keep], partial[keep], early[keep], other[keep]
        bound = partial + self.rest[early] * self._tail(other, self.cut[early]) + 1e-4
        keep = bound >= threshold
        return i[keep], j[keep], partial[keep]

    def _tail(self, rows: np.ndarray, ranks: np.ndarray) -> np.ndarray:
        """Norm of each row's entries of rank >= the given one."""
        return self._tail_from(rows, self._first_at_or_after(rows, ranks))

    def _tail_from(self, rows: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Norm of each row's entries from a position in `vectors.data` on."""
        inside = positions < self.vectors.indptr[rows + 1]
        before = self.before[np.where(inside, positions, 0)]
        return np.sqrt(np.clip(np.where(inside, self.total[rows] - before, 0), 0, None))

    def _first_at_or_after(self, rows: np.ndarray, ranks: np.ndarray) -> np.ndarray:
        """Position of each row's first entry of rank >= the given one (a binary search in
        every row at once: rows are short, so a few passes over the arrays)."""
        low = self.vectors.indptr[rows].astype(np.int64)
        high = self.vectors.indptr[rows + 1].astype(np.int64)
        for _ in range(int(self.longest).bit_length()):
            open_ = low < high
            middle = np.where(open_, (low + high) // 2, 0)
            below = open_ & (self.vectors.indices[middle] < ranks)
            low = np.where(below, middle + 1, low)
            high = np.where(open_ & ~below, middle, high)
        return low


def _cosines(vectors: sparse.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Cosine of each pair of rows (rows are unit length), a slice of pairs at a time."""
    out = np.empty(len(i), dtype=np.float32)
    for s in range(0, len(i), _PAIRS_PER_CHECK):
        a = vectors[i[s : s + _PAIRS_PER_CHECK]]
        b = vectors[j[s : s + _PAIRS_PER_CHECK]]
        out[s : s + _PAIRS_PER_CHECK] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return out
