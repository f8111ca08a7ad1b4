"""Survey responses for the demo: realistic answers whose item means land on given targets.

Each respondent's overall score comes from fixed counts; every other item follows that
respondent's standardised overall score plus noise, so items correlate with overall as they do
in real surveys. Single answers are then moved by one point until the item's mean sits close
to its target, so the published figure comes out of the records, not out of a table.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sawt.demo.rand import DemoRandom

# How strongly an item follows overall satisfaction, and how much it wanders on its own.
LOADING, NOISE = 0.75, 0.7
# Item means are aimed at target ± this much, never more: far from the ±0.05 rounding edge.
TARGET_JITTER = 0.015
# Unhappy respondents are the likeliest to write why (weights by overall score).
WRITE_WEIGHTS = {1: 6.0, 2: 5.0, 3: 3.0, 4: 1.0, 5: 0.25}


@dataclass
class Respondent:
    """One generated respondent: scores and texts by question code, and attributes."""

    respondent_id: str
    submitted_at: str
    overall: int
    latent: float
    answers: dict[str, int | str] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)


def _submitted_at(rng: DemoRandom, year: int, month: int, days: int) -> str:
    # Invitations go out as requests close, so answers arrive all month long, in waking hours.
    day = rng.between(1, days)
    stamp = dt.datetime(year, month, day, rng.between(7, 23), rng.below(60), rng.below(60))
    return stamp.isoformat() + "+03:00"


def _overall_scores(rng: DemoRandom, counts: dict[int, int]) -> list[int]:
    scores = [int(score) for score, c in counts.items() for _ in range(c)]
    rng.shuffle(scores)
    return scores


def make_respondents(rng: DemoRandom, spec: dict[str, Any], period: str) -> list[Respondent]:
    """The respondents with their overall score, submission time and attributes."""
    year, month = (int(part) for part in period.split("-"))
    days = calendar.monthrange(year, month)[1]
    overall = spec["overall"]
    scores = _overall_scores(rng, overall["counts"])
    if len(scores) != spec["count"]:
        raise ValueError(f"overall counts add up to {len(scores)}, not {spec['count']}")
    mean = sum(scores) / len(scores)
    sd = (sum((s - mean) ** 2 for s in scores) / (len(scores) - 1)) ** 0.5
    people = []
    for n, score in enumerate(scores, start=1):
        person = Respondent(
            respondent_id=spec["id_format"].format(n=n),
            submitted_at=_submitted_at(rng, year, month, days),
            overall=score,
            latent=(score - mean) / sd,
            answers={overall["question"]: score},
        )
        for name, weights in spec.get("attributes", {}).items():
            person.attributes[name] = str(rng.weighted(weights))
        people.append(person)
    return people


def _nudge(scores: list[int], raws: list[float], goal_sum: int, scale: tuple[int, int]) -> None:
    """Move single answers by one point until they add up to `goal_sum`.

    The answer moved is always the one whose underlying value was nearest to rounding the
    other way, so the nudges disturb the correlation with overall as little as possible."""
    low, high = scale
    total = sum(scores)
    while total != goal_sum:
        up = total < goal_sum
        candidates = [i for i, s in enumerate(scores) if (s < high if up else s > low)]
        if not candidates:
            raise ValueError("the target mean lies outside the scale")
        if up:
            pick = max(candidates, key=lambda i: (raws[i] - scores[i], -i))
        else:
            pick = min(candidates, key=lambda i: (raws[i] - scores[i], i))
        scores[pick] += 1 if up else -1
        total += 1 if up else -1


def answer_item(
    rng: DemoRandom,
    people: list[Respondent],
    code: str,
    item: dict[str, Any],
    scale: tuple[int, int],
) -> None:
    """Give each respondent who does not skip it an answer to one item, aimed at its target."""
    low, high = scale
    answering = [p for p in people if not rng.chance(item["skip"])]
    raws = [item["target"] + LOADING * p.latent + NOISE * rng.normal() for p in answering]
    scores = [min(high, max(low, round(raw))) for raw in raws]
    goal = item["target"] + (2 * rng.random() - 1) * TARGET_JITTER
    _nudge(scores, raws, round(goal * len(scores)), scale)
    for person, score in zip(answering, scores, strict=True):
        person.answers[code] = score


def _writers(rng: DemoRandom, people: list[Respondent], k: int) -> list[Respondent]:
    """k distinct respondents, the unhappy ones likelier (weighted draws without replacement)."""
    pool = {i: WRITE_WEIGHTS[p.overall] for i, p in enumerate(people)}
    chosen = []
    for _ in range(k):
        i = rng.weighted(pool)
        del pool[i]
        chosen.append(people[i])
    return chosen


def answer_open_text(
    rng: DemoRandom, people: list[Respondent], spec: dict[str, Any]
) -> dict[str, str]:
    """Write the open-text answers; return respondent id → category an analyst files it under."""
    reasons = [code for code, c in spec["counts"].items() for _ in range(c)]
    rng.shuffle(reasons)
    labels: dict[str, str] = {}
    for person, reason in zip(_writers(rng, people, len(reasons)), reasons, strict=True):
        # "السبب: لا يوجد" reads oddly, so only real reasons get an intro.
        intro = rng.choice(spec["intros"]) if reason != "none" else ""
        text = intro + rng.choice(spec["phrases"][reason])
        person.answers[spec["question"]] = text
        if reason != "none":
            labels[person.respondent_id] = reason
    return labels
