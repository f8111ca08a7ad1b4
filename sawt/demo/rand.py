"""Random draws that give the same demo on every machine and every Python version.

`random.Random.random()` is the one method whose sequence Python promises to keep for a given
seed; `choice`, `shuffle`, `gauss` and friends may change between versions. Everything here is
therefore built on `random()` alone, with plain arithmetic only (no libm calls whose last bit
could differ between platforms).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


class DemoRandom:
    """A seeded source of draws whose results never depend on the interpreter's version."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def random(self) -> float:
        """A float in [0, 1)."""
        return self._rng.random()

    def below(self, n: int) -> int:
        """An integer in [0, n)."""
        return min(int(self._rng.random() * n), n - 1)

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high], both ends included."""
        return low + self.below(high - low + 1)

    def chance(self, p: float) -> bool:
        """True with probability p."""
        return self._rng.random() < p

    def choice(self, items: Sequence[T]) -> T:
        """One item, each as likely as the others."""
        return items[self.below(len(items))]

    def weighted(self, weights: Mapping[T, float]) -> T:
        """One key, drawn in proportion to its weight (keys are tried in mapping order)."""
        point = self._rng.random() * sum(weights.values())
        for key, weight in weights.items():
            point -= weight
            if point < 0:
                return key
        return next(reversed(list(weights)))

    def shuffle(self, items: list[T]) -> None:
        """Fisher–Yates shuffle in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]

    def sample(self, items: Sequence[T], k: int) -> list[T]:
        """k distinct items, in draw order."""
        pool = list(items)
        self.shuffle(pool)
        return pool[:k]

    def normal(self) -> float:
        """An approximately standard normal draw (Irwin–Hall: twelve uniforms minus six)."""
        return sum(self._rng.random() for _ in range(12)) - 6.0


def allocate(total: int, weights: Mapping[T, float]) -> dict[T, int]:
    """Split `total` into whole counts proportional to `weights` (largest remainder method)."""
    norm = sum(weights.values())
    exact = {key: total * w / norm for key, w in weights.items()}
    counts = {key: int(value) for key, value in exact.items()}
    short = total - sum(counts.values())
    # Ties broken by mapping order, so the split is the same on every run.
    order = sorted(exact, key=lambda key: -(exact[key] - counts[key]))
    for key in order[:short]:
        counts[key] += 1
    return counts
