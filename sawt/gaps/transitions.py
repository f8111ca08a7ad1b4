"""The recommendation pipeline as data: which status may follow which."""

from __future__ import annotations

from sawt.gaps.choices import RecommendationStatus as S

ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    S.PROPOSED: (S.APPROVED, S.REJECTED),
    S.APPROVED: (S.IN_PROGRESS, S.REJECTED),
    S.IN_PROGRESS: (S.IMPLEMENTED, S.REJECTED),
    S.IMPLEMENTED: (S.VERIFIED, S.IN_PROGRESS),
    S.VERIFIED: (),
    S.REJECTED: (S.PROPOSED,),
}


def can_move(current: str, target: str) -> bool:
    """Whether `target` may directly follow `current`."""
    return target in ALLOWED_MOVES.get(current, ())


def path_to(target: str) -> list[str]:
    """The shortest chain of moves from `proposed` to `target` (for loaders and tests)."""
    frontier: list[list[str]] = [[S.PROPOSED]]
    seen = {S.PROPOSED.value}
    while frontier:
        path = frontier.pop(0)
        if path[-1] == target:
            return path[1:]
        for nxt in ALLOWED_MOVES[path[-1]]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append([*path, nxt])
    raise ValueError(f"unknown status {target!r}")
