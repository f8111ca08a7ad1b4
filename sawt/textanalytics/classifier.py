"""Reason classification with no Django: TF-IDF over character and word n-grams of normalised
Arabic, a linear model, calibrated confidences, and honest cross-validated scores.

Why this model: complaints are short and written in every variety of Arabic. Character
n-grams (inside word boundaries) survive what changes between writers and dialects — clitics
(وبطاقتي، للبطاقة), hamza and taa-marbuta spellings, dialect morphology — while word n-grams
carry the phrases. A linear SVM over both trains on 50,000 texts in seconds and predicts
thousands of texts a second on one core; Platt scaling over internal folds turns its scores
into probabilities an analyst can read as "how sure" (docs/benchmarks.md has the figures,
including what else was tried).
"""

from __future__ import annotations

import io
import math
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

import joblib
import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from sawt.textanalytics.arabic import normalize_arabic, tokenize, tokenize_normalized
from sawt.textanalytics.dialect import dialect_copies as _dialect_copies
from sawt.textanalytics.dialect import msa_tokens, standard_form

# Reading a stored curve lives apart, light, for the pages; offered here beside the curve.
from sawt.textanalytics.thresholds import TARGET_PRECISION
from sawt.textanalytics.thresholds import coverage_at as coverage_at
from sawt.textanalytics.thresholds import threshold_for as threshold_for

# Fewer labelled examples than this per class and the scores mean little; said in the report.
FEW_EXAMPLES = 5


class Normalise(TransformerMixin, BaseEstimator):
    """First step of the pipeline: `normalize_arabic` once per text, shared by both feature
    kinds (it is a good part of the cost of a prediction)."""

    def fit(self, texts: Sequence[str], y: Any = None) -> Normalise:
        return self

    def transform(self, texts: Sequence[str]) -> list[str]:
        return [normalize_arabic(t) for t in texts]


@lru_cache(maxsize=500_000)
def _word_grams(word: str) -> tuple[str, ...]:
    # Character 2- to 5-grams of one word between spaces (so prefixes and suffixes are marked).
    # Cached per word: complaints reuse a small vocabulary, and cutting n-grams in Python is
    # most of the time of a prediction.
    padded = f" {word} "
    size = len(padded)
    return tuple(padded[i : i + n] for n in (2, 3, 4, 5) for i in range(size - n + 1))


@lru_cache(maxsize=500_000)
def _standard_word_grams(word: str) -> tuple[str, ...]:
    # The grams of the word as a formal writer would have written it: a dialect word we know
    # (كرتي، بفلوسي، ماقدرت) is cut as its standard form (بطاقتي، باموالي، ما استطعت). Replacing
    # measured better than adding the standard grams beside the writer's (ArBanking77, trained
    # on its MSA rows: Palestinian 0.705 vs 0.694 macro-F1, Moroccan 0.591 vs 0.587); the
    # writer's own word still reaches the model as a word feature.
    tokens = tokenize_normalized(word)
    if len(tokens) == 1:
        found = standard_form(tokens[0])
        if found is not None:
            return tuple(
                g for w in word.replace(tokens[0], found.full).split() for g in _word_grams(w)
            )
    return _word_grams(word)


def char_grams(normalized: str) -> list[str]:
    grams: list[str] = []
    for word in normalized.split():
        grams.extend(_standard_word_grams(word))
    return grams


def word_grams(normalized: str) -> list[str]:
    """Words and word pairs. The words come with their Modern Standard equivalents (وش → ماذا,
    ابغى → اريد, وكرتي → وبطاقتي and بطاقتي) so a model trained on one variety still finds its
    features in another; the pairs are the writer's own."""
    tokens = tokenize_normalized(normalized)
    return msa_tokens(tokens) + [f"{a} {b}" for a, b in pairwise(tokens)]


def make_pipeline(
    *, c: float = 0.5, calibration_folds: int = 3, temperature: float | None = None
) -> Pipeline:
    """Features and calibrated linear model, untrained."""
    features = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer=char_grams, sublinear_tf=True, dtype=np.float32)),
            ("words", TfidfVectorizer(analyzer=word_grams, sublinear_tf=True, dtype=np.float32)),
        ]
    )
    return Pipeline(
        [
            ("normalise", Normalise()),
            ("features", features),
            ("model", ScaledSVC(c=c, folds=calibration_folds, temperature=temperature)),
        ]
    )


class ScaledSVC(ClassifierMixin, BaseEstimator):
    """A linear SVM whose scores become probabilities through one fitted temperature.

    Platt scaling per class (sklearn's CalibratedClassifierCV) fits two numbers for each of
    many classes from a few examples each, and averages models trained on parts of the data;
    with 20 classes and 40 examples each it left confidences 20 points below accuracy.
    One temperature, fitted on out-of-fold scores, keeps the full-data SVM and its ranking and
    only sets how peaked the softmax is, which is what "90 % sure" needs."""

    def __init__(self, c: float = 0.5, folds: int = 3, temperature: float | None = None) -> None:
        self.c = c
        self.folds = folds
        # Known already (fitted on the out-of-fold scores of `train`'s cross-validation):
        # then no folds are needed here.
        self.temperature = temperature

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.c, class_weight="balanced")

    def fit(self, x: Any, y: Any, copies_of: np.ndarray | None = None) -> ScaledSVC:
        """`copies_of`: when the last rows of `x` are dialect copies (`_with_dialect_copies`),
        the row of each one's original. The temperature is fitted on the originals only, each
        copy in its original's fold (a copy beside its original in a test fold would leak)."""
        y = np.asarray(y)
        self.svm_ = self._svm().fit(x, y)
        self.classes_ = self.svm_.classes_
        self.temperature_ = self.temperature or 1.0
        if self.temperature is None and self.folds >= 2:
            copies_of = np.zeros(0, dtype=int) if copies_of is None else copies_of
            real = len(y) - len(copies_of)
            scores = np.zeros((real, len(self.classes_)))
            splitter = StratifiedKFold(n_splits=self.folds, shuffle=True, random_state=0)
            for train_idx, test_idx in _split(splitter, y[:real], y[:real]):
                rows = _and_copies(train_idx, copies_of, real)
                if _one_class(y[rows]):
                    continue  # see _one_class: these rows keep no information (equal scores)
                part = self._svm().fit(x[rows], y[rows])
                scores[test_idx] = _aligned(
                    part.decision_function(x[test_idx]), part.classes_, self.classes_
                )
            truth = np.searchsorted(self.classes_, y[:real])
            self.temperature_ = _fit_temperature(scores, truth)
        return self

    def decision_function(self, x: Any) -> np.ndarray:
        return _as_matrix(self.svm_.decision_function(x))

    def predict_proba(self, x: Any) -> np.ndarray:
        return _softmax(self.decision_function(x) / self.temperature_)

    def predict(self, x: Any) -> np.ndarray:
        return self.classes_[self.decision_function(x).argmax(axis=1)]


def _one_class(labels: Any) -> bool:
    """Whether a fold's training part holds a single label. It happens when a label has one
    example (a journey's first labels): the folds put it in a test part, and the rest is all
    one other label. An SVM cannot be fitted on it; the fold's test texts then get no
    information from it, which the out-of-fold scores count honestly as unsure."""
    return len(set(np.asarray(labels).tolist())) < 2


def _aligned(scores: np.ndarray, fold_classes: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """A fold model's scores in the columns of all `classes`; a class the fold never saw (a rare
    one) gets a score below every other."""
    scores = _as_matrix(scores)
    filled = np.full((scores.shape[0], len(classes)), scores.min() - 1)
    filled[:, np.searchsorted(classes, fold_classes)] = scores
    return filled


def _as_matrix(scores: np.ndarray) -> np.ndarray:
    if scores.ndim == 1:  # two classes: one margin, for the second class
        return np.column_stack([-scores, scores])
    return scores


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature minimising the log loss of out-of-fold scores (searched in log space).

    The targets are smoothed by one example's worth (ε = 1/n): when cross-validation made no
    mistake at all, plain log loss drives the temperature to zero and every confidence to 1.0,
    even for a complaint about something the taxonomy has never seen. With ε, confidence stays
    below 1 − ε — "as sure as n right answers in a row allow" — and where the model does make
    mistakes, ε is too small to matter."""
    smoothing = 1.0 / max(scores.shape[0], 1)
    rows = np.arange(len(truth))

    def loss(log_t: float) -> float:
        z = scores / math.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        right = log_p[rows, truth].mean()
        spread = log_p.mean()  # the ε mass shared evenly over every class
        return float(-((1 - smoothing) * right + smoothing * spread))

    best = minimize_scalar(loss, bounds=(math.log(0.01), math.log(100)), method="bounded")
    return float(math.exp(best.x))


def _calibration_folds(labels: Sequence[str]) -> int:
    smallest = min(Counter(labels).values())
    return min(3, smallest)


@dataclass
class Prediction:
    labels: list[str]
    confidences: list[float]


@dataclass
class TrainedModel:
    """A fitted pipeline with what is needed to trust it: its labels, size and scores."""

    pipeline: Pipeline
    labels: list[str]
    training_size: int
    train_seconds: float
    threshold: float = 1.0  # until cross-validation sets it, a person reviews everything
    report: dict = field(default_factory=dict)
    # Which engine made it (sawt.textanalytics.engines); models stored before there was a
    # choice unpickle without the attribute and read this class default.
    engine: str = "fast"

    def predict(self, texts: Sequence[str]) -> Prediction:
        return predict(self.pipeline, texts)

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=3)
        return buffer.getvalue()

    @staticmethod
    def loads(data: bytes) -> TrainedModel:
        # Artefacts come only from our own database or files sawt wrote: pickles are code, so
        # never load one a user uploaded.
        return joblib.load(io.BytesIO(bytes(data)))


def check_training_data(texts: Sequence[str], labels: Sequence[str]) -> None:
    """Raise ValueError naming what makes these examples untrainable."""
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    classes = set(labels)
    if len(classes) < 2:
        raise ValueError(f"at least two different labels are needed to train; found {len(classes)}")


def fit(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    c: float = 0.5,
    dialect_copies: bool | None = None,
    seed: int = 0,
    calibrate: bool = True,
) -> Pipeline:
    """Train features and model on labelled texts (and a dialect-flavoured copy of each, seeded
    by `seed`, as `copies_wanted` decides). Without `calibrate` the confidences are the SVM's raw
    softmax (no temperature folds): for callers that only need the labels."""
    check_training_data(texts, labels)
    folds = _calibration_folds(labels) if calibrate else 0
    pipeline = make_pipeline(c=c, calibration_folds=folds)
    texts, labels = list(texts), list(labels)
    copies_of = np.zeros(0, dtype=int)
    if copies_wanted(dialect_copies, len(texts)):
        texts, labels, copies_of = _with_dialect_copies(texts, labels, seed)
    pipeline.fit(texts, labels, model__copies_of=copies_of)
    return pipeline


# Dialect copies are made for training sets up to this size. Measured on ArBanking77: trained
# on 800 formal texts they lift Saudi macro-F1 by 2.5 points (0.873 → 0.898), on 21,559 by 0.2
# (0.751 → 0.753), and they double the rows the SVM trains on (50,000 texts: 36 s → 67 s).
# Few labels is where a journey starts, and where they help.
DIALECT_COPIES_UP_TO = 10_000


def copies_wanted(asked: bool | None, size: int) -> bool:
    """Whether to train with dialect copies: as asked, or (None) up to DIALECT_COPIES_UP_TO."""
    return size <= DIALECT_COPIES_UP_TO if asked is None else asked


def _with_dialect_copies(
    texts: list[str], labels: list[str], seed: int
) -> tuple[list[str], list[str], np.ndarray]:
    """The texts followed by their dialect-flavoured copies (`dialect.dialect_copies`: standard
    words swapped for Saudi/Gulf ones at random, seeded), the labels likewise, and the row of
    each copy's original. Training on both teaches the model the dialect words themselves, not
    only their standard equivalents: complaints are mostly in dialect, examples mostly not."""
    copies = _dialect_copies([normalize_arabic(t) for t in texts], seed=seed)
    copies_of = np.asarray([i for i, _ in copies], dtype=int)
    return (
        texts + [copy for _, copy in copies],
        labels + [labels[i] for i in copies_of],
        copies_of,
    )


def _and_copies(rows: np.ndarray, copies_of: np.ndarray, real: int) -> np.ndarray:
    """`rows` (of original texts) and the rows of their copies, which follow the `real`
    originals: a copy trains only where its original does."""
    if not len(copies_of):
        return rows
    return np.concatenate([rows, real + np.flatnonzero(np.isin(copies_of, rows))])


def predict(pipeline: Pipeline, texts: Sequence[str]) -> Prediction:
    """The most likely label of each text and its probability."""
    if not texts:
        return Prediction([], [])
    model = pipeline.named_steps["model"]
    proba = pipeline.predict_proba(list(texts))
    best = proba.argmax(axis=1)
    classes = model.classes_
    return Prediction(
        [str(classes[i]) for i in best], [float(proba[r, i]) for r, i in enumerate(best)]
    )


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


# --- scores ---------------------------------------------------------------------------------


def scores(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict:
    """Macro-F1, accuracy, per-class precision/recall/F1/support and the confusion matrix."""
    labels = list(labels)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    correct = sum(1 for a, b in zip(y_true, y_pred, strict=True) if a == b)
    return {
        "macro_f1": _round(float(np.mean(f)) if labels else 0.0),
        "accuracy": _round(correct / len(y_true) if y_true else 0.0),
        "per_class": {
            label: {
                "precision": _round(float(p[i])),
                "recall": _round(float(r[i])),
                "f1": _round(float(f[i])),
                "support": int(s[i]),
            }
            for i, label in enumerate(labels)
        },
        "confusion_matrix": {"labels": labels, "matrix": matrix.tolist()},
    }


def _round(value: float) -> float:
    return round(value, 4)


def _cuts(
    confidences: Sequence[float], correct: Sequence[bool]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The confidences from the highest, the precision of accepting everything down to each,
    and the positions where a cut may fall: between distinct confidences only, so everything at
    a chosen value is accepted (ties in any order give the same precision there)."""
    conf = np.asarray(confidences, dtype=float)
    order = np.argsort(-conf, kind="stable")
    conf = conf[order]
    ok = np.asarray(correct, dtype=float)[order]
    precision = np.cumsum(ok) / np.arange(1, len(ok) + 1)
    cuts = np.flatnonzero(np.append(conf[1:] < conf[:-1], True)) if len(conf) else conf
    return conf, precision, cuts.astype(int)


def choose_threshold(
    confidences: Sequence[float], correct: Sequence[bool], target: float = TARGET_PRECISION
) -> float:
    """The lowest confidence above which predictions were right at least `target` of the time
    (out of fold). Everything below it is reviewed by a person. 1.0 when no threshold reaches
    the target: then every prediction is reviewed."""
    conf, precision, cuts = _cuts(confidences, correct)
    reaching = cuts[precision[cuts] >= target]
    best = float(conf[reaching[-1]]) if len(reaching) else 1.0
    # Rounded down, so the confidences it was chosen at still reach it.
    return math.floor(best * 10_000) / 10_000


# At most this many points of the precision curve are kept in a model's report: enough to
# find the threshold of any precision an analyst asks for, small enough for a JSON column.
CURVE_POINTS = 200


def precision_curve(
    confidences: Sequence[float], correct: Sequence[bool], points: int = CURVE_POINTS
) -> list[list[float]]:
    """[threshold, precision, coverage] at cut points between distinct confidences, highest
    threshold first: accepting every prediction at or above `threshold`, out of fold, was right
    `precision` of the time and settled `coverage` of the texts. Thinned evenly to `points`,
    always keeping the lowest cut (accept everything)."""
    conf, precision, cuts = _cuts(confidences, correct)
    if len(cuts) > points:
        cuts = cuts[np.unique(np.linspace(0, len(cuts) - 1, points).round().astype(int))]
    n = len(conf)
    return [
        [math.floor(conf[i] * 10_000) / 10_000, _round(precision[i]), _round((i + 1) / n)]
        for i in cuts.tolist()
    ]


def calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """Expected calibration error: how far "90 % sure" is from being right 90 % of the time."""
    conf = np.asarray(confidences, dtype=float)
    ok = np.asarray(correct, dtype=float)
    if not len(conf):
        return 0.0
    edges = np.linspace(0, 1, bins + 1)
    error = 0.0
    for lo, hi in pairwise(edges):
        inside = (conf > lo) & (conf <= hi)
        if inside.any():
            error += inside.mean() * abs(conf[inside].mean() - ok[inside].mean())
    return _round(error)


# --- baselines --------------------------------------------------------------------------------


class MajorityBaseline:
    """Always the most frequent label: what a model must beat to be worth anything."""

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> MajorityBaseline:
        self.label = Counter(labels).most_common(1)[0][0]
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.label] * len(texts)


class KeywordBaseline:
    """Keyword lists per label, as an analyst with a spreadsheet would write them: each label's
    most telling words in training, and a text goes to the label whose words it holds most."""

    def __init__(self, per_label: int = 10) -> None:
        self.per_label = per_label

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> KeywordBaseline:
        self.fallback = Counter(labels).most_common(1)[0][0]
        in_label: dict[str, Counter] = {}
        overall: Counter = Counter()
        for text, label in zip(texts, labels, strict=True):
            words = set(tokenize(text))
            in_label.setdefault(label, Counter()).update(words)
            overall.update(words)
        self.keywords: dict[str, set[str]] = {}
        for label, counts in in_label.items():
            # How much more often than elsewhere the word occurs here, seen at least twice.
            ranked = sorted(
                (w for w, n in counts.items() if n >= 2),
                key=lambda w: (-counts[w] / overall[w], -counts[w], w),
            )
            self.keywords[label] = set(ranked[: self.per_label])
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        out = []
        for text in texts:
            words = set(tokenize(text))
            hits = {label: len(words & kws) for label, kws in self.keywords.items()}
            best = max(hits.values(), default=0)
            if best == 0:
                out.append(self.fallback)
            else:
                out.append(min(label for label, n in hits.items() if n == best))
        return out


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class Evaluation:
    report: dict
    out_of_fold: Prediction


def _folds_for(labels: Sequence[str], folds: int) -> int:
    smallest = min(Counter(labels).values())
    return max(2, min(folds, smallest)) if smallest >= 2 else 2


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 5,
    random_state: int = 0,
    baselines: bool = True,
) -> Evaluation:
    """Stratified k-fold scores of the model (and the baselines beside it), with the speed of
    training and predicting measured on the way."""
    check_training_data(texts, labels)
    texts, labels = list(texts), list(labels)
    classes = sorted(set(labels))
    k = _folds_for(labels, folds)
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state)
    predicted: list[str] = [""] * len(texts)
    confidence = [0.0] * len(texts)
    base_pred = {"majority": [""] * len(texts), "keyword": [""] * len(texts)}
    train_seconds, predict_seconds = [], 0.0
    y = np.asarray(labels)
    # A class with a single example cannot be split; StratifiedKFold still places it.
    for train_idx, test_idx in _split(splitter, texts, y):
        train_texts = [texts[i] for i in train_idx]
        train_labels = [labels[i] for i in train_idx]
        test_texts = [texts[i] for i in test_idx]
        if _one_class(train_labels):
            # Nothing to learn from one label: the fold's texts count as guesses of it, at
            # the confidence of a guess among all the labels.
            for i in test_idx:
                predicted[i], confidence[i] = train_labels[0], 1 / len(classes)
            continue
        started = time.perf_counter()
        pipeline = fit(train_texts, train_labels)
        train_seconds.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = predict(pipeline, test_texts)
        predict_seconds += time.perf_counter() - started
        for i, label, conf in zip(test_idx, result.labels, result.confidences, strict=True):
            predicted[i], confidence[i] = label, conf
        if baselines:
            for name, baseline in (
                ("majority", MajorityBaseline()),
                ("keyword", KeywordBaseline()),
            ):
                baseline.fit(train_texts, train_labels)
                for i, label in zip(test_idx, baseline.predict(test_texts), strict=True):
                    base_pred[name][i] = label
    report = _report(labels, predicted, confidence, classes)
    report.update(
        {
            "folds": k,
            "examples": len(texts),
            "train_seconds": round(float(np.mean(train_seconds)), 3) if train_seconds else 0.0,
            "texts_per_second": round(len(texts) / predict_seconds) if predict_seconds else None,
        }
    )
    if baselines:
        report["baselines"] = {
            name: _headline(scores(labels, pred, classes)) for name, pred in base_pred.items()
        }
    report["warnings"] = _warnings(labels, folds, k)
    return Evaluation(report, Prediction(predicted, confidence))


def _split(splitter: Any, texts: Sequence[str], y: np.ndarray) -> Iterator[Any]:
    if Counter(y.tolist()).most_common(1)[0][1] < splitter.n_splits:
        # No label has as many examples as there are folds (two texts, two labels): nothing
        # to stratify, so plain folds.
        splitter = KFold(n_splits=splitter.n_splits, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        # "The least populated class has only N members": said in our own warnings instead.
        warnings.simplefilter("ignore", UserWarning)
        yield from splitter.split(np.zeros(len(y)), y)


def evaluate_split(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    test_texts: Sequence[str],
    test_labels: Sequence[str],
    *,
    baselines: bool = True,
) -> Evaluation:
    """Train on one set and score on another, e.g. Modern Standard Arabic → Saudi dialect."""
    check_training_data(train_texts, train_labels)
    started = time.perf_counter()
    pipeline = fit(train_texts, train_labels)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = predict(pipeline, test_texts)
    predict_seconds = time.perf_counter() - started
    classes = sorted(set(train_labels) | set(test_labels))
    report = _report(list(test_labels), result.labels, result.confidences, classes)
    report.update(
        {
            "examples": len(train_texts),
            "test_examples": len(test_texts),
            "train_seconds": round(train_seconds, 3),
            "texts_per_second": round(len(test_texts) / predict_seconds)
            if predict_seconds
            else None,
        }
    )
    if baselines:
        report["baselines"] = {}
        for name, baseline in (("majority", MajorityBaseline()), ("keyword", KeywordBaseline())):
            baseline.fit(train_texts, train_labels)
            report["baselines"][name] = _headline(
                scores(list(test_labels), baseline.predict(test_texts), classes)
            )
    unseen = sorted(set(test_labels) - set(train_labels))
    report["warnings"] = (
        [f"labels in the test file never seen in training: {', '.join(unseen)}"] if unseen else []
    )
    return Evaluation(report, result)


def _report(
    labels: Sequence[str],
    predicted: Sequence[str],
    confidence: Sequence[float],
    classes: Sequence[str],
) -> dict:
    report = scores(labels, predicted, classes)
    correct = [a == b for a, b in zip(labels, predicted, strict=True)]
    threshold = choose_threshold(confidence, correct)
    above = [c >= threshold for c in confidence]
    accepted = sum(above)
    report["calibration_error"] = calibration_error(confidence, correct)
    report["threshold_curve"] = precision_curve(confidence, correct)
    report["threshold"] = {
        "value": threshold,
        "target_precision": TARGET_PRECISION,
        # Share of texts the model would settle alone, and how often it was right on them.
        "coverage": _round(accepted / len(labels)) if labels else 0.0,
        "precision": _round(sum(c for c, a in zip(correct, above, strict=True) if a) / accepted)
        if accepted
        else None,
    }
    return report


def _headline(report: dict) -> dict:
    return {"macro_f1": report["macro_f1"], "accuracy": report["accuracy"]}


def _warnings(labels: Sequence[str], asked: int, used: int) -> list[str]:
    out = []
    if used < asked:
        out.append(f"{used} folds instead of {asked}: the smallest label has too few examples")
    few = sorted(label for label, n in Counter(labels).items() if n < FEW_EXAMPLES)
    if few:
        out.append(
            f"labels with fewer than {FEW_EXAMPLES} examples (scores unreliable): {', '.join(few)}"
        )
    return out


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 5,
    random_state: int = 0,
    dialect_copies: bool | None = None,
) -> TrainedModel:
    """Cross-validate for the scores, the temperature and the review threshold, then train on
    everything (with dialect copies as `copies_wanted` decides).

    Two shortcuts keep this near the cost of one model (`cross_validate`, what `evaluate`
    reports, takes neither): the outer folds' scores set the temperature, so no inner folds;
    and the texts are vectorised once, so the folds only fit SVMs. The vocabulary and IDF then
    include each fold's test texts — their words, never their labels — which flatters the
    scores very slightly (on ArBanking77, by less than the run-to-run noise)."""
    check_training_data(texts, labels)
    texts, labels = list(texts), list(labels)
    classes = np.asarray(sorted(set(labels)))
    k = _folds_for(labels, folds)
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=random_state)
    y = np.asarray(labels)
    started = time.perf_counter()
    pipeline = make_pipeline(calibration_folds=0)
    # Dialect copies follow the originals; the folds split the originals, and each copy goes
    # where its original goes, so no test text has its copy in training.
    all_texts, all_labels, copies_of = (
        _with_dialect_copies(texts, labels, random_state)
        if copies_wanted(dialect_copies, len(texts))
        else (texts, labels, np.zeros(0, dtype=int))
    )
    # One pass: the steps are fitted in place (they are the pipeline's own objects).
    x_all = Pipeline(pipeline.steps[:-1]).fit_transform(all_texts)
    y_all = np.asarray(all_labels)
    x = x_all[: len(texts)]
    vectorise_seconds = time.perf_counter() - started
    scores = np.zeros((len(texts), len(classes)))
    fold_seconds = []
    for train_idx, test_idx in _split(splitter, texts, y):
        started = time.perf_counter()
        rows = _and_copies(train_idx, copies_of, len(texts))
        if _one_class(y_all[rows]):
            continue  # see _one_class: these texts keep equal scores over every label
        part = ScaledSVC(folds=0).fit(x_all[rows], y_all[rows])
        fold_seconds.append(time.perf_counter() - started)
        scores[test_idx] = _aligned(part.decision_function(x[test_idx]), part.classes_, classes)
    temperature = _fit_temperature(scores, np.searchsorted(classes, y))
    proba = _softmax(scores / temperature)
    predicted = [str(classes[i]) for i in proba.argmax(axis=1)]
    report = _report(labels, predicted, proba.max(axis=1).tolist(), list(classes))
    started = time.perf_counter()
    model = ScaledSVC(temperature=temperature).fit(x_all, y_all)
    model_seconds = time.perf_counter() - started
    pipeline.steps[-1] = ("model", model)  # the fitted vectorisers are already in its steps
    report.update(
        {
            "folds": k,
            "examples": len(texts),
            "train_seconds": round(
                vectorise_seconds + (float(np.mean(fold_seconds)) if fold_seconds else 0.0), 3
            ),
            "temperature": round(temperature, 4),
            "warnings": _warnings(labels, folds, k),
        }
    )
    return TrainedModel(
        pipeline=pipeline,
        labels=[str(c) for c in classes],
        training_size=len(texts),
        train_seconds=round(vectorise_seconds + model_seconds, 3),
        threshold=report["threshold"]["value"],
        report=report,
    )
