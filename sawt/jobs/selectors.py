"""Reads of the job queue, for pages that show how a piece of background work is going."""

from __future__ import annotations

from sawt.jobs.models import Job


def job_latest(*, kind: str, dedupe_key: str = "") -> Job | None:
    """The most recently enqueued job of `kind` with exactly this `dedupe_key`, or None.

    Pages show it as "queued", "running", "done at …" or "failed: …"; a queued job deduplicated
    into an earlier one is that earlier job, so the latest row is the one the button produced.
    """
    return (
        Job.objects.filter(kind=kind, dedupe_key=dedupe_key)
        .select_related("created_by")
        .order_by("-created_at", "-id")
        .first()
    )
