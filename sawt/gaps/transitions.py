"""The recommendation pipeline as data: which status may follow which, and who may move it."""

from __future__ import annotations

from sawt.core.access import API_WRITER, Role
from sawt.gaps.choices import RecommendationStatus as S

ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    S.PROPOSED: (S.APPROVED, S.REJECTED),
    S.APPROVED: (S.IN_PROGRESS, S.REJECTED),
    S.IN_PROGRESS: (S.IMPLEMENTED, S.REJECTED),
    S.IMPLEMENTED: (S.VERIFIED, S.IN_PROGRESS),
    S.VERIFIED: (),
    S.REJECTED: (S.PROPOSED,),
}


# The ministry (analysts, administrators) decides, rejects and verifies; the agency that owns a
# recommendation reports its own progress. sawt.core.access says whose recommendation it is.
AGENCY_MOVES: frozenset[tuple[str, str]] = frozenset(
    {(S.APPROVED, S.IN_PROGRESS), (S.IN_PROGRESS, S.IMPLEMENTED)}
)
ROLE_MOVES: dict[str, frozenset[tuple[str, str]] | None] = {
    Role.ADMINISTRATOR: None,  # None: every move of the pipeline
    Role.ANALYST: None,
    Role.AGENCY_MEMBER: AGENCY_MOVES,
    Role.VIEWER: frozenset(),
    # Another system (an API write token) reports progress as the owning agency would; deciding,
    # rejecting and verifying stay with the ministry's people, even for a token of all agencies.
    API_WRITER: AGENCY_MOVES,
}


def role_may_move(role: str | None, current: str, target: str) -> bool:
    """Whether a person with `role` may make the (allowed) move `current` → `target`."""
    if role is None or not can_move(current, target):
        return False
    moves = ROLE_MOVES.get(role, frozenset())
    return moves is None or (current, target) in moves


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
