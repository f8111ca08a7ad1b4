"""Writes of stored candidate themes: compute a period's themes once per change of the data
they come from, and queue that work in the background so no page waits for the clustering.

A page serves the stored themes (`selectors.theme_set_for`) and compares their fingerprint
with the data's (`selectors.theme_fingerprint`, a few aggregates); only when they differ is a
recomputation queued. Imports, classification, settles and promotes queue one for every stored
set of the journey, so the next reader usually finds them fresh.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sawt.catalog.models import Journey
from sawt.classification.models import ThemeSet
from sawt.classification.selectors import theme_candidates, theme_fingerprint, theme_set_for
from sawt.classification.tasks import THEMES_JOB, THEMES_REFRESH_JOB
from sawt.jobs.choices import JobStatus
from sawt.jobs.models import Job
from sawt.jobs.selectors import job_latest
from sawt.jobs.services import job_enqueue

# Changes come in bursts (an analyst settles fifty complaints in a sitting): a refresh waits
# this long, and every change meanwhile joins the one already queued.
REFRESH_DELAY = dt.timedelta(seconds=30)


def _themes_data(rows: list[tuple], themes: list[Any]) -> list[dict[str, Any]]:
    data = []
    for theme in themes:
        members = [rows[i] for i in theme.members]
        data.append(
            {
                "size": theme.size,
                "top_terms": list(theme.top_terms),
                "examples": [rows[i][2] for i in theme.examples],
                "complaint_ids": [pk for kind, pk, _t in members if kind == "complaint"],
                "answer_ids": [pk for kind, pk, _t in members if kind == "answer"],
            }
        )
    return data


def theme_set_compute(*, journey: Journey, period: str, source: str) -> tuple[ThemeSet, bool]:
    """The period's candidate themes, computed again only if the data changed since they were
    stored; (the stored set, whether it was computed now)."""
    fingerprint = theme_fingerprint(journey=journey, period=period, source=source)
    stored = theme_set_for(journey=journey, period=period, source=source)
    if stored is not None and stored.fingerprint == fingerprint:
        return stored, False
    # Heavy (scikit-learn, SciPy): loaded in the worker that computes, never at start-up.
    from sawt.textanalytics.themes import discover_themes

    started = time.perf_counter()
    # The fingerprint was taken first: data that changes while this runs leaves the stored
    # set stale, and the next look at it computes again.
    rows = theme_candidates(journey, period, source)
    themes = discover_themes([text for _kind, _pk, text in rows])
    values = {
        "fingerprint": fingerprint,
        "themes": _themes_data(rows, themes),
        "computed_at": timezone.now(),
        "seconds": time.perf_counter() - started,
    }
    key: dict[str, Any] = {"journey": journey, "period": period, "source": source}
    try:
        with transaction.atomic():
            theme_set, _created = ThemeSet.objects.update_or_create(**key, defaults=values)
    except IntegrityError:
        # Another worker stored the same set at the same moment: ours is as new as theirs.
        ThemeSet.objects.filter(**key).update(**values)
        theme_set = ThemeSet.objects.get(**key)
    return theme_set, True


def theme_sets_refresh(*, journey: Journey) -> int:
    """Compute again every stored theme set of the journey whose data changed; how many."""
    computed = 0
    for period, source in ThemeSet.objects.filter(journey=journey).values_list("period", "source"):
        computed += theme_set_compute(journey=journey, period=period, source=source)[1]
    return computed


def themes_compute_enqueue(
    *, journey: Journey, period: str, source: str, fingerprint: str, actor: Any
) -> Job:
    """Queue computing a period's themes, unless that is already queued or running, or
    already failed on this very data (it failed after its retries: a page view that queued it
    again would only fail again, every few seconds)."""
    key = f"{journey.slug}:{period}:{source}"
    latest = job_latest(kind=THEMES_JOB, dedupe_key=key)
    if latest is not None and (
        latest.status in (JobStatus.QUEUED, JobStatus.RUNNING)
        or (latest.status == JobStatus.FAILED and latest.payload.get("data") == fingerprint)
    ):
        return latest
    payload = {"journey": journey.slug, "period": period, "source": source, "data": fingerprint}
    return job_enqueue(kind=THEMES_JOB, payload=payload, actor=actor, dedupe_key=key)


def themes_refresh_later(*, journey: Journey, actor: Any = None) -> Job | None:
    """After a change to the journey's feedback or reasons: queue refreshing its stored theme
    sets (one run for a burst of changes). None when it has none stored yet."""
    if not ThemeSet.objects.filter(journey=journey).exists():
        return None
    return job_enqueue(
        kind=THEMES_REFRESH_JOB,
        payload={"journey": journey.slug},
        actor=actor,
        dedupe_key=journey.slug,
        delay=REFRESH_DELAY,
    )
