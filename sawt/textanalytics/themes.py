"""Theme discovery: cluster the feedback no category covers into candidate themes an analyst
can name and promote into the taxonomy. No Django: lists of strings in, themes out."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from sawt.textanalytics.arabic import normalize_arabic, tokenize_normalized
from sawt.textanalytics.classifier import char_grams
from sawt.textanalytics.stopwords import is_stopword

TOP_TERMS = 8
EXAMPLES = 3
# Reduced dimensions before clustering when there are many texts and terms: k-means on a few
# hundred dense dimensions is faster and steadier than on tens of thousands of sparse ones.
SVD_DIMENSIONS = 100
# k is chosen by silhouette on at most this many texts (it is quadratic in them).
SILHOUETTE_SAMPLE = 2_000
MAX_AUTO_THEMES = 12

_PLACEHOLDER = re.compile(r"\[[^\]\s]+\]")  # [جوال], [رقم_هوية] …: where a number was, not a theme
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Theme:
    members: tuple[int, ...]  # indices into the texts, most central first
    top_terms: tuple[str, ...]  # in the writers' own spelling
    examples: tuple[int, ...]  # up to three central members with different texts
    size: int


def _terms(normalized: str) -> list[str]:
    words = [t for t in tokenize_normalized(normalized) if not t.isdigit() and not is_stopword(t)]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def _surfaces(texts: Sequence[str]) -> dict[str, Counter]:
    """How each normalised word was actually written (الفاتوره ← الفاتورة), to display terms
    the way people wrote them rather than in the folded form the model uses."""
    seen: dict[str, Counter] = defaultdict(Counter)
    token_of: dict[str, str | None] = {}  # each distinct written word is normalised once
    for text in texts:
        for word in _WORD.findall(_PLACEHOLDER.sub(" ", text)):
            word = word.strip("،؛؟.,;:!?\"'()«»")
            if word not in token_of:
                tokens = tokenize_normalized(normalize_arabic(word))
                token_of[word] = tokens[0] if len(tokens) == 1 else None
            token = token_of[word]
            if token is not None:
                seen[token][word] += 1
    return seen


def _display(term: str, surfaces: dict[str, Counter]) -> str:
    return " ".join(
        surfaces[w].most_common(1)[0][0] if surfaces.get(w) else w for w in term.split(" ")
    )


def _choose_k(points: Any, n: int, min_size: int, random_state: int) -> int:
    """The number of themes with the best silhouette among the sensible ones."""
    most = min(MAX_AUTO_THEMES, n // min_size)
    if most <= 2:
        return max(1, most)
    rng = np.random.default_rng(random_state)
    sample = rng.choice(n, size=min(n, SILHOUETTE_SAMPLE), replace=False)
    scores = {}
    for k in range(2, most + 1):
        labels = KMeans(n_clusters=k, n_init=3, random_state=random_state).fit_predict(points)
        if len(set(labels[sample])) >= 2:
            scores[k] = silhouette_score(points[sample], labels[sample], metric="cosine")
    if not scores:
        return 1
    # Silhouette creeps up as short texts are split ever finer; an analyst is better served by
    # fewer, broader themes, so take the smallest k within 5 % of the best score.
    best = max(scores.values())
    return min(k for k, score in scores.items() if score >= best - 0.05 * abs(best))


def discover_themes(
    texts: Sequence[str],
    *,
    max_themes: int | None = None,
    min_size: int = 3,
    random_state: int = 0,
) -> list[Theme]:
    """Candidate themes among `texts`, largest first; a text may belong to none.

    TF-IDF over the texts' content words and word pairs (stopwords, numbers and redaction
    placeholders dropped), reduced with SVD when large, clustered with k-means on unit vectors
    (so distances are cosine). k-means rather than a topic model: every text gets one theme,
    which is what promoting a theme into a category needs, and it is fast and deterministic
    with a fixed seed. Themes smaller than `min_size` are dropped."""
    normalized = [normalize_arabic(_PLACEHOLDER.sub(" ", t)) for t in texts]
    docs = [_terms(n) for n in normalized]
    keep = [i for i, d in enumerate(docs) if d]
    if len(keep) < max(min_size, 2):
        return []
    vectorizer = TfidfVectorizer(
        analyzer=lambda terms: terms,
        sublinear_tf=True,
        min_df=2 if len(keep) >= 50 else 1,
    )
    try:
        matrix = vectorizer.fit_transform([docs[i] for i in keep])
    except ValueError:  # no term left (every term seen once in a large set)
        return []
    if matrix.shape[1] == 0 or matrix.nnz == 0:
        return []
    # Clustered on words and on character n-grams of the words side by side: the n-grams bring
    # دخول and الدخول, اسجل and تسجيل together where words alone see nothing in common. The
    # top terms are read from the words only.
    grams = TfidfVectorizer(analyzer=char_grams, sublinear_tf=True).fit_transform(
        [" ".join(w for w in docs[i] if " " not in w) for i in keep]
    )
    points = normalize(sparse.hstack([matrix, grams]).tocsr())
    if len(keep) > 200:
        svd = TruncatedSVD(n_components=SVD_DIMENSIONS, random_state=random_state)
        points = normalize(svd.fit_transform(points))
    if max_themes is not None:
        k = max(1, min(max_themes, len(keep) // min_size))
    else:
        k = _choose_k(points, len(keep), min_size, random_state)
    labels = KMeans(n_clusters=k, n_init=5, random_state=random_state).fit_predict(points)
    terms = np.asarray(vectorizer.get_feature_names_out())
    surfaces = _surfaces(texts)
    themes = []
    for cluster in range(k):
        rows = np.flatnonzero(labels == cluster)
        if len(rows) < min_size:
            continue
        centre = np.asarray(matrix[rows].mean(axis=0)).ravel()
        closeness = np.asarray(matrix[rows] @ centre).ravel()
        order = rows[np.argsort(-closeness, kind="stable")]
        members = tuple(keep[r] for r in order)
        examples, shown = [], set()
        for index in members:
            if normalized[index] not in shown:
                shown.add(normalized[index])
                examples.append(index)
            if len(examples) == EXAMPLES:
                break
        top = [terms[i] for i in np.argsort(-centre, kind="stable")[: TOP_TERMS * 2] if centre[i]]
        themes.append(
            Theme(
                members=members,
                top_terms=tuple(_display(t, surfaces) for t in _distinct(top)[:TOP_TERMS]),
                examples=tuple(examples),
                size=len(members),
            )
        )
    return sorted(themes, key=lambda t: (-t.size, t.members[0]))


def _distinct(terms: list[str]) -> list[str]:
    """Drop a word already shown inside a pair ranked above it (and a pair whose words both
    appear above it), so eight terms say eight things."""
    out: list[str] = []
    for term in terms:
        words = set(term.split(" "))
        if any(words <= set(t.split(" ")) for t in out):
            continue
        out.append(term)
    return out
