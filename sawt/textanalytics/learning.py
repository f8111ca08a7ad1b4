"""How fast a model learns a new variety from an analyst's first labels: the learning curve of
`sawt classifier evaluate FILE --test FILE2 --learning-curve 1,2,5,10`. No Django.

The simulation: an analyst labels k examples of every label from the new data (FILE2); the
model is trained on FILE plus those, and scored on what is left of FILE2. Each seed draws one
random order of FILE2's examples within each label; the k-sets are the first k of that order,
so a larger k adds examples to a smaller one (as an analyst's labels accumulate), and every k
of a seed is scored on the same texts — those past the largest k — so the points of a curve
differ by the labels added, not by a different test. The seeds' spread is shown beside the
mean: with few examples, which ones the analyst happened to label matters.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sawt.textanalytics import classifier as ml

# A trainer takes texts and labels and returns something that predicts labels.
Fitter = Callable[[Sequence[str], Sequence[str]], Callable[[Sequence[str]], list[str]]]


def parse_ks(value: str) -> list[int]:
    """ "1,2,5,10" → [1, 2, 5, 10]; ValueError naming the first part that is not a whole number
    of at least 1."""
    ks: list[int] = []
    for part in value.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise ValueError(part or "(empty)")
        ks.append(int(part))
    return sorted(set(ks))


@dataclass(frozen=True)
class CurvePoint:
    k: int  # labelled examples per label taken from the new data (0: none)
    macro_f1: float  # mean over seeds
    macro_f1_min: float
    macro_f1_max: float
    accuracy: float  # mean over seeds
    added: int  # new-data examples in training (mean over seeds, rounded)


def fast_fitter(
    texts: Sequence[str], labels: Sequence[str]
) -> Callable[[Sequence[str]], list[str]]:
    """The fast model as `train` builds it, without the cross-validation and temperature that
    only confidences need: a learning curve scores labels."""
    pipeline = ml.fit(texts, labels, calibrate=False)

    def predict(batch: Sequence[str]) -> list[str]:
        return [str(label) for label in pipeline.predict(list(batch))] if batch else []

    return predict


def learning_curve(
    train_texts: Sequence[str],
    train_labels: Sequence[str],
    new_texts: Sequence[str],
    new_labels: Sequence[str],
    ks: Sequence[int],
    *,
    seeds: int = 3,
    fitter: Fitter = fast_fitter,
) -> tuple[list[CurvePoint], dict]:
    """The curve at k = 0 and each of `ks`, and facts about the run (scored texts, warnings)."""
    ks = sorted({0, *ks})
    largest = ks[-1]
    classes = sorted(set(train_labels) | set(new_labels))
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(new_labels):
        by_label[label].append(i)
    # A label needs one example left to score once `largest` are drawn.
    short = sorted(label for label, rows in by_label.items() if len(rows) <= largest)
    results: dict[int, list[tuple[float, float, int]]] = {k: [] for k in ks}
    scored = 0
    for seed in range(seeds):
        rng = random.Random(seed)
        order = {label: rng.sample(rows, len(rows)) for label, rows in sorted(by_label.items())}
        # Labels with too few examples give what they can but always keep one to score.
        drawn = {label: rows[: min(largest, len(rows) - 1)] for label, rows in order.items()}
        held = sorted(i for label, rows in order.items() for i in rows[len(drawn[label]) :])
        scored = len(held)
        test_texts = [new_texts[i] for i in held]
        test_labels = [new_labels[i] for i in held]
        for k in ks:
            added = [i for rows in drawn.values() for i in rows[:k]]
            texts = [*train_texts, *(new_texts[i] for i in added)]
            labels = [*train_labels, *(new_labels[i] for i in added)]
            predicted = fitter(texts, labels)(test_texts)
            report = ml.scores(test_labels, predicted, classes)
            results[k].append((report["macro_f1"], report["accuracy"], len(added)))
    points = []
    for k in ks:
        f1s = [f for f, _a, _n in results[k]]
        points.append(
            CurvePoint(
                k=k,
                macro_f1=round(float(np.mean(f1s)), 4),
                macro_f1_min=round(min(f1s), 4),
                macro_f1_max=round(max(f1s), 4),
                accuracy=round(float(np.mean([a for _f, a, _n in results[k]])), 4),
                added=round(float(np.mean([n for _f, _a, n in results[k]]))),
            )
        )
    facts = {
        "examples": len(train_texts),
        "test_examples": len(new_texts),
        "scored_examples": scored,
        "seeds": seeds,
        "short_labels": short,
    }
    return points, facts
