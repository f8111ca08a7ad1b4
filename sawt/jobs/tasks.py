"""The one Django Task sawt enqueues: run the job that a `Job` row describes.

Everything about a piece of work (its kind, payload, attempts, progress, outcome) is on the row;
the task carries only the row's id and the dispatch token of this attempt, two scalars any
backend can store. Moving to Django 6's `django.tasks` changes the import below and the TASKS
setting, nothing else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

try:  # Django ≥ 6 ships the Tasks API itself
    from django.tasks import task  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # Django 5.2: the backport
    from django_tasks import task  # type: ignore[no-redef,unused-ignore]


@task(queue_name=settings.SAWT_TASKS_QUEUE)
def run_job(job_id: int, token: str) -> dict[str, Any]:
    """Claim job `job_id` if `token` is still its current one, run its handler, record how it
    went (succeeded, failed, or queued again for a retry). Never raises for the job's failure:
    the row records it, and the backend's own record only says that the task ran."""
    from sawt.jobs.runner import job_execute

    return job_execute(job_id, token)
