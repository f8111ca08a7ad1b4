"""Drawing a survey's sample from the service users a file lists: simple random, or stratified.

The method (docs/formats.md, "Sample file"):
- Every person gets a random number from SHA-256 of the seed and their reference id (a
  "permanent random number"); a simple random sample of n is the n people with the smallest
  numbers. Taking the n smallest of independent uniform numbers gives every set of n people the
  same chance, which is what a simple random sample is; because the number depends on the seed
  and the person only, the same file and seed draw the same people in any row order, and a
  person added to or dropped from the file changes the draw by at most that one person.
- Stratified: the n places are shared among the strata in proportion to their sizes
  (proportional allocation), each stratum's share rounded down and the places left over given
  to the largest remainders (ties: the larger stratum, then the stratum's value), so the shares
  always add up to n; then each stratum's share is drawn as above within it. A stratum whose
  share is below one place may get none.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

# Seeds a person can retype; any whole number from 0 to SEED_MAX is accepted.
SEED_MAX = 2**63 - 1
_DRAWN_SEED_BELOW = 10**9

K = TypeVar("K")


@dataclass(frozen=True)
class Candidate:
    """A person who could be asked: their reference id, their stratum ('' if none), a tag."""

    reference_id: str
    stratum: str
    index: int  # the caller's position of this person (a row), returned by the draw


def new_seed() -> int:
    """A seed for a draw that was given none (recorded, so the draw can be repeated)."""
    return secrets.randbelow(_DRAWN_SEED_BELOW)


def random_number(seed: int, reference_id: str) -> int:
    """The person's permanent random number under this seed (a 64-bit whole number)."""
    digest = hashlib.sha256(f"{seed}\x1f{reference_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def allocate(sizes: dict[K, int], n: int) -> dict[K, int]:
    """Proportional allocation of `n` places among strata of these sizes, largest remainder.

    `n` must not exceed the total; every stratum appears in the result (0 places possibly)."""
    total = sum(sizes.values())
    if n >= total:
        return dict(sizes)
    shares = {key: divmod(n * size, total) for key, size in sizes.items()}
    places = {key: whole for key, (whole, _rest) in shares.items()}
    left = n - sum(places.values())
    order = sorted(sizes, key=lambda key: (-shares[key][1], -sizes[key], str(key)))
    for key in order[:left]:
        places[key] += 1
    return places


def draw(candidates: Sequence[Candidate], n: int, seed: int, stratified: bool) -> list[int]:
    """The indexes of the people drawn (n of them, or everyone when n ≥ len(candidates))."""
    if n >= len(candidates):
        return [c.index for c in candidates]
    ordered = sorted(candidates, key=lambda c: (random_number(seed, c.reference_id), c.index))
    if not stratified:
        return sorted(c.index for c in ordered[:n])
    sizes: dict[str, int] = {}
    for candidate in candidates:
        sizes[candidate.stratum] = sizes.get(candidate.stratum, 0) + 1
    places = allocate(sizes, n)
    chosen: list[int] = []
    for candidate in ordered:
        if places[candidate.stratum] > 0:
            places[candidate.stratum] -= 1
            chosen.append(candidate.index)
    return sorted(chosen)
