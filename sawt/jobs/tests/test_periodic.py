"""Periodic work (`register(kind, every=…)`): a worker keeping house queues a job of the kind
when none is queued or running and the last one started longer ago than `every`, on both task
backends; nothing else queues it."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from sawt.jobs.choices import JobStatus
from sawt.jobs.models import Job
from sawt.jobs.registry import register
from sawt.jobs.services import jobs_run_pending, jobs_schedule_periodic
from sawt.jobs.tests.handlers import PERIODIC, periodic_registered
from sawt.jobs.tests.redis import rq_settings
from sawt.jobs.workers import housekeeping

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_hour():
    with periodic_registered(dt.timedelta(hours=1)) as kind:
        yield kind


def _worker_once() -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("worker", "--once", stdout=out)
    return out.getvalue()


def _jobs() -> list[tuple[str, dict]]:
    return list(Job.objects.order_by("id").values_list("status", "payload"))


def test_due_periodic_work_is_queued_once_and_not_again_before_its_time(every_hour):
    assert [job.kind for job in jobs_schedule_periodic()] == [PERIODIC]  # never ran: due
    assert jobs_schedule_periodic() == []  # one is queued already
    assert jobs_run_pending() == 1
    assert _jobs() == [(JobStatus.SUCCEEDED, {})]

    assert jobs_schedule_periodic() == []  # started a moment ago
    later = timezone.now() + dt.timedelta(minutes=59)
    assert jobs_schedule_periodic(now=later) == []
    due = timezone.now() + dt.timedelta(hours=1, seconds=1)
    assert [job.kind for job in jobs_schedule_periodic(now=due)] == [PERIODIC]


def test_a_running_periodic_job_is_not_queued_again_however_long_it_runs(every_hour):
    (job,) = jobs_schedule_periodic()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=5)
    )
    assert jobs_schedule_periodic() == []


def test_jobs_run_pending_queues_no_periodic_work(every_hour):
    # Tests and scripts count what they queued themselves.
    assert jobs_run_pending() == 0
    assert not Job.objects.exists()


def test_housekeeping_queues_what_is_due(every_hour):
    housekeeping(lost=False)
    assert [(job.kind, job.status) for job in Job.objects.all()] == [(PERIODIC, JobStatus.QUEUED)]


def test_worker_once_queues_due_periodic_work_and_runs_it(every_hour):
    assert _worker_once().strip().endswith("Ran 1 job.")
    assert _worker_once().strip().endswith("Ran 0 jobs.")  # not due again for an hour
    assert _jobs() == [(JobStatus.SUCCEEDED, {})]


def test_worker_once_on_rq_queues_due_periodic_work_and_runs_it(every_hour):
    with rq_settings(f"sawt-test-{uuid.uuid4().hex[:8]}"):
        assert _worker_once().strip().endswith("Ran 1 job.")
        assert _worker_once().strip().endswith("Ran 0 jobs.")
    assert _jobs() == [(JobStatus.SUCCEEDED, {})]


def test_every_must_be_a_positive_duration():
    with pytest.raises(ValueError, match="positive"):
        register("tests.never", every=dt.timedelta(0))
