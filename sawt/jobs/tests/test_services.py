"""The job queue as a user of it sees it: work is queued once, run once, and its outcome kept."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.jobs.choices import JobStatus
from sawt.jobs.models import Job
from sawt.jobs.registry import handler_for, register
from sawt.jobs.selectors import job_latest
from sawt.jobs.services import job_claim_next, job_enqueue, job_run, jobs_run_pending
from sawt.jobs.tests.handlers import BOOM, ECHO, NOT_JSON, REFUSED, echo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in English, whatever the project's default language is.
    with translation.override("en"):
        yield


@pytest.fixture
def analyst():
    return get_user_model().objects.create_user("analyst", password="x")


def test_a_queued_job_runs_and_keeps_its_result(analyst):
    job = job_enqueue(kind=ECHO, payload={"text": "الخدمة بطيئة جدا"}, actor=analyst)
    assert (job.status, job.created_by, job.attempts) == (JobStatus.QUEUED, analyst, 0)

    claimed = job_claim_next()
    assert claimed.pk == job.pk and claimed.status == JobStatus.RUNNING
    done = job_run(claimed)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"echoed": {"text": "الخدمة بطيئة جدا"}, "words": 3}
    assert job.error == ""
    assert job.attempts == 1
    assert job.started_at <= job.finished_at
    assert done.pk == job.pk
    audit = AuditEvent.objects.get(action="job.enqueue")
    assert (audit.actor, audit.object_id, audit.data["kind"]) == (analyst, str(job.pk), ECHO)


def test_a_failing_job_is_recorded_and_the_next_job_still_runs():
    failing = job_enqueue(kind=BOOM, payload={"labels": 3})
    fine = job_enqueue(kind=ECHO, payload={"text": "شكرا"})

    assert jobs_run_pending() == 2

    failing.refresh_from_db()
    fine.refresh_from_db()
    assert failing.status == JobStatus.FAILED
    assert failing.error.startswith("ValueError: cannot retrain on 3 labels\n")
    # Where it failed: the traceback's last frame, inside the handler.
    assert "handlers.py" in failing.error and "in boom" in failing.error
    assert failing.result is None and failing.finished_at is not None
    assert failing.error_summary == "ValueError: cannot retrain on 3 labels"
    assert fine.status == JobStatus.SUCCEEDED


def test_a_refusal_meant_for_people_is_kept_as_written():
    job = job_enqueue(kind=REFUSED, payload={})
    job_run(job)
    assert job.status == JobStatus.FAILED
    assert job.error_summary == "لا توجد تصنيفات كافية لإعادة التدريب."


def test_a_result_that_is_not_json_fails_the_job_not_the_worker():
    job = job_enqueue(kind=NOT_JSON, payload={})
    job_run(job_claim_next())
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("TypeError: ")


def test_the_same_work_queued_twice_is_one_job():
    first = job_enqueue(kind=ECHO, payload={"journey": 1}, dedupe_key="journey:1")
    again = job_enqueue(kind=ECHO, payload={"journey": 1}, dedupe_key="journey:1")
    other = job_enqueue(kind=ECHO, payload={"journey": 2}, dedupe_key="journey:2")

    assert again.pk == first.pk
    assert other.pk != first.pk
    assert Job.objects.count() == 2
    assert AuditEvent.objects.filter(action="job.enqueue").count() == 2


def test_work_queued_again_while_running_is_queued_anew():
    # Labels corrected while retraining runs need another retraining afterwards.
    first = job_enqueue(kind=ECHO, payload={}, dedupe_key="journey:1")
    job_claim_next()
    again = job_enqueue(kind=ECHO, payload={}, dedupe_key="journey:1")
    assert again.pk != first.pk and again.status == JobStatus.QUEUED


def test_jobs_without_a_key_are_never_merged():
    job_enqueue(kind=ECHO, payload={})
    job_enqueue(kind=ECHO, payload={})
    assert Job.objects.filter(status=JobStatus.QUEUED).count() == 2


def test_an_unknown_kind_is_refused_and_nothing_is_written():
    with pytest.raises(ApplicationError) as refused:
        job_enqueue(kind="classification.retrian", payload={})
    assert "“classification.retrian”" in refused.value.message
    assert "No handler is registered" in refused.value.message
    assert Job.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_payload_that_is_not_json_is_refused_and_nothing_is_written():
    with pytest.raises(ApplicationError, match="cannot be stored as JSON"):
        job_enqueue(kind=ECHO, payload={"when": object()})
    assert Job.objects.count() == 0


def test_a_job_is_claimed_once():
    job = job_enqueue(kind=ECHO, payload={})
    assert job_claim_next().pk == job.pk
    assert job_claim_next() is None
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)


def test_jobs_are_claimed_oldest_first():
    jobs = [job_enqueue(kind=ECHO, payload={"n": n}) for n in range(3)]
    assert [job_claim_next().pk for _ in jobs] == [j.pk for j in jobs]


def test_running_a_job_another_worker_took_is_refused():
    job = job_enqueue(kind=ECHO, payload={})
    stale = Job.objects.get(pk=job.pk)  # as read before the other worker claimed it
    job_run(job)
    with pytest.raises(ApplicationError, match="already taken by another worker"):
        job_run(stale)
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_finished_job_is_not_run_again():
    job = job_enqueue(kind=ECHO, payload={})
    job_run(job)
    with pytest.raises(ApplicationError):
        job_run(job)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1)


def test_run_pending_stops_at_the_limit():
    for n in range(3):
        job_enqueue(kind=ECHO, payload={"n": n})
    assert jobs_run_pending(limit=2) == 2
    assert Job.objects.filter(status=JobStatus.QUEUED).count() == 1
    assert jobs_run_pending() == 1
    assert jobs_run_pending() == 0


def test_the_latest_job_tells_a_page_how_the_work_stands():
    assert job_latest(kind=ECHO, dedupe_key="journey:1") is None
    job_enqueue(kind=ECHO, payload={}, dedupe_key="journey:1")
    job_run(job_claim_next())
    job_enqueue(kind=BOOM, payload={}, dedupe_key="journey:1")
    newest = job_enqueue(kind=ECHO, payload={}, dedupe_key="journey:1")
    job_enqueue(kind=ECHO, payload={}, dedupe_key="journey:2")

    latest = job_latest(kind=ECHO, dedupe_key="journey:1")
    assert latest.pk == newest.pk and latest.status == JobStatus.QUEUED
    jobs_run_pending()
    latest = job_latest(kind=ECHO, dedupe_key="journey:1")
    assert latest.status == JobStatus.SUCCEEDED and latest.finished_at is not None
    assert job_latest(kind=BOOM, dedupe_key="journey:1").status == JobStatus.FAILED
    assert job_latest(kind=ECHO) is None  # keys match exactly


def test_status_labels_are_translated():
    with translation.override("ar"):
        assert str(JobStatus.FAILED.label) != "failed"


def test_a_kind_has_one_handler():
    assert handler_for(ECHO) is echo
    with pytest.raises(ValueError, match="already has a handler"):

        @register(ECHO)
        def another(payload):
            return {}

    assert handler_for(ECHO) is echo
