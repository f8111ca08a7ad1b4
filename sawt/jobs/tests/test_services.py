"""The job queue as a user of it sees it: work is queued once, handed to the task backend once
committed, run once, retried when the failure was transient, taken back when its worker died,
and its outcome kept."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sawt.core.exceptions import ApplicationError
from sawt.core.models import AuditEvent
from sawt.jobs import runner
from sawt.jobs.choices import JobStatus
from sawt.jobs.models import Job
from sawt.jobs.registry import handler_for, register
from sawt.jobs.runner import job_execute, retry_delay
from sawt.jobs.selectors import job_latest
from sawt.jobs.services import (
    HOST,
    job_enqueue,
    jobs_dispatch_pending,
    jobs_recover,
    jobs_redispatch_lost,
    jobs_run_pending,
    process_alive,
)
from sawt.jobs.tests.handlers import (
    BOOM,
    DETAILED,
    ECHO,
    ENDED,
    FLAKY,
    LOCKED,
    NOT_JSON,
    REFUSED,
    echo,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in English, whatever the project's default language is.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def forget_ended():
    ENDED.clear()


@pytest.fixture
def analyst():
    return get_user_model().objects.create_user("analyst", password="x")


@pytest.fixture
def no_wait(monkeypatch):
    """Retries come due at once (the back-off itself is tested on its own)."""
    monkeypatch.setattr(runner, "retry_delay", lambda attempt: dt.timedelta(0))


def _dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def test_a_queued_job_runs_and_keeps_its_result(analyst):
    job = job_enqueue(kind=ECHO, payload={"text": "الخدمة بطيئة جدا"}, actor=analyst)
    assert (job.status, job.created_by, job.attempts, job.max_attempts) == (
        JobStatus.QUEUED,
        analyst,
        0,
        3,
    )

    assert jobs_run_pending() == 1

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"echoed": {"text": "الخدمة بطيئة جدا"}, "words": 3}
    assert job.error == ""
    assert job.attempts == 1
    assert job.started_at <= job.finished_at
    assert (job.progress_done, job.progress_total, job.progress_stage) == (3, 3, "words")
    assert (job.worker_host, job.worker_pid) != ("", None)
    audit = AuditEvent.objects.get(action="job.enqueue")
    assert (audit.actor, audit.object_id, audit.data["kind"]) == (analyst, str(job.pk), ECHO)


def test_the_job_goes_to_the_task_backend_only_when_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_enqueue(kind=ECHO, payload={})
        assert not DBTaskResult.objects.exists()  # not before the commit
    assert len(callbacks) == 1
    job.refresh_from_db()
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.args_kwargs["args"]) == (
        "sawt.jobs.tasks.run_job",
        [job.pk, job.token],
    )
    assert str(task.id) == job.task_id and job.dispatched_at is not None


def test_work_queued_in_a_rolled_back_transaction_is_not_queued():
    with pytest.raises(RuntimeError), transaction.atomic():
        job_enqueue(kind=ECHO, payload={})
        raise RuntimeError("the request failed")
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()


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
    assert failing.attempts == 1  # a bug is not retried
    assert fine.status == JobStatus.SUCCEEDED


def test_a_refusal_meant_for_people_is_kept_as_written():
    job = job_enqueue(kind=REFUSED, payload={})
    jobs_run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error_summary == "لا توجد تصنيفات كافية لإعادة التدريب."


def test_a_failure_with_details_keeps_them_and_ends_the_job():
    job = job_enqueue(kind=DETAILED, payload={"file": "x"})
    jobs_run_pending()
    job.refresh_from_db()
    assert (job.status, job.error_summary) == (JobStatus.FAILED, "The file was not imported.")
    assert job.result == {"problems": [[2, "e1", "bad"]]}
    assert ENDED == [{"file": "x"}]


def test_a_result_that_is_not_json_fails_the_job_not_the_worker():
    job = job_enqueue(kind=NOT_JSON, payload={})
    jobs_run_pending()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("TypeError: ")


def test_a_transient_failure_is_retried_after_a_back_off(tmp_path):
    job = job_enqueue(kind=FLAKY, payload={"marker": str(tmp_path / "m"), "succeed_on": 2})
    before = timezone.now()

    assert jobs_run_pending() == 1

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    assert job.is_retrying
    assert job.error_summary == "TransientError: the service is away (attempt 1)"
    # Not before its back-off: 10 s for the first retry, half of it jitter.
    assert (
        before + dt.timedelta(seconds=5)
        <= job.run_after
        <= timezone.now() + dt.timedelta(seconds=10)
    )
    assert jobs_run_pending() == 0  # not due yet
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1
    assert ENDED == []


def test_a_retried_job_succeeds_and_keeps_its_attempts(tmp_path, no_wait):
    job = job_enqueue(kind=FLAKY, payload={"marker": str(tmp_path / "m"), "succeed_on": 2})
    jobs_run_pending()
    jobs_run_pending()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result, job.error) == (
        JobStatus.SUCCEEDED,
        2,
        {"attempt": 2},
        "",
    )
    assert len(ENDED) == 1


def test_a_job_that_keeps_failing_fails_after_its_last_attempt(tmp_path, no_wait):
    job = job_enqueue(kind=FLAKY, payload={"marker": str(tmp_path / "m")})
    for _ in range(5):
        jobs_run_pending()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
    assert job.error_summary == "TransientError: the service is away (attempt 3)"
    assert len((tmp_path / "m").read_text().splitlines()) == 3
    assert len(ENDED) == 1


def test_a_busy_database_counts_as_transient(no_wait):
    job = job_enqueue(kind=LOCKED, payload={})
    jobs_run_pending()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    jobs_run_pending()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 2)
    assert job.error_summary == "OperationalError: database is locked"


def test_the_back_off_doubles_up_to_a_ceiling_with_jitter():
    rng = random.Random(7)
    delays = [retry_delay(n, rng=rng).total_seconds() for n in range(1, 12)]
    for n, delay in enumerate(delays, start=1):
        ceiling = min(10 * 2 ** (n - 1), 900)
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 900


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
    Job.objects.filter(pk=first.pk).update(status=JobStatus.RUNNING)
    again = job_enqueue(kind=ECHO, payload={}, dedupe_key="journey:1")
    assert again.pk != first.pk and again.status == JobStatus.QUEUED


def test_jobs_without_a_key_are_never_merged():
    job_enqueue(kind=ECHO, payload={})
    job_enqueue(kind=ECHO, payload={})
    assert Job.objects.filter(status=JobStatus.QUEUED).count() == 2


def test_a_delay_gathers_a_burst_into_one_run():
    first = job_enqueue(kind=ECHO, payload={}, dedupe_key="k", delay=dt.timedelta(minutes=1))
    again = job_enqueue(kind=ECHO, payload={}, dedupe_key="k", delay=dt.timedelta(minutes=1))
    assert again.pk == first.pk and first.run_after > timezone.now()
    assert jobs_run_pending() == 0


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


def test_a_job_runs_once_however_often_its_task_is_delivered():
    job = job_enqueue(kind=ECHO, payload={})
    assert job_execute(job.pk, job.token)["outcome"] == "succeeded"
    # The same task delivered again (a backend's at-least-once), or a stale one: nothing.
    assert job_execute(job.pk, job.token)["outcome"] == "skipped"
    assert job_execute(job.pk, "an-old-token")["outcome"] == "skipped"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 1)


def test_a_job_handed_over_twice_runs_once():
    job = job_enqueue(kind=ECHO, payload={})
    jobs_dispatch_pending()
    Job.objects.filter(pk=job.pk).update(dispatched_at=None)
    jobs_dispatch_pending()
    assert DBTaskResult.objects.count() == 2
    assert jobs_run_pending() == 1
    job.refresh_from_db()
    assert job.attempts == 1


def test_a_job_whose_task_was_lost_is_handed_over_again():
    job = job_enqueue(kind=ECHO, payload={})
    jobs_dispatch_pending()
    DBTaskResult.objects.all().delete()  # e.g. a Redis that lost its data
    assert jobs_redispatch_lost() == 0  # too recent to tell
    Job.objects.filter(pk=job.pk).update(dispatched_at=timezone.now() - dt.timedelta(hours=1))
    assert jobs_redispatch_lost() == 1
    assert jobs_run_pending() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


def _running(job: Job, **fields) -> Job:
    defaults = {
        "status": JobStatus.RUNNING,
        "attempts": 1,
        "started_at": timezone.now() - dt.timedelta(minutes=1),
        "heartbeat_at": timezone.now(),
        "worker_host": HOST,
    }
    Job.objects.filter(pk=job.pk).update(**{**defaults, **fields})
    job.refresh_from_db()
    return job


def test_a_job_whose_worker_died_on_this_host_is_queued_again_at_once():
    job = _running(job_enqueue(kind=ECHO, payload={}), worker_pid=_dead_pid())
    old_token = job.token

    (recovered,) = jobs_recover()

    job.refresh_from_db()
    assert recovered.requeued and job.status == JobStatus.QUEUED
    assert job.attempts == 1 and job.token != old_token
    assert "stopped during attempt 1" in job.error
    assert jobs_run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)


def test_a_job_whose_worker_died_on_its_last_attempt_fails():
    job = _running(job_enqueue(kind=DETAILED, payload={"f": 1}), attempts=3, worker_pid=_dead_pid())
    jobs_recover()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "last attempt (3 of 3)" in job.error
    assert ENDED == [{"f": 1}]


def test_a_job_whose_worker_lives_is_left_alone():
    import os

    job = _running(
        job_enqueue(kind=ECHO, payload={}), worker_pid=os.getpid(), started_at=timezone.now()
    )
    assert jobs_recover() == []
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


@override_settings(SAWT_JOBS_LEASE_SECONDS=60)
def test_a_job_on_another_host_is_taken_back_after_a_silent_lease():
    quiet = _running(
        job_enqueue(kind=ECHO, payload={}),
        worker_host="elsewhere",
        worker_pid=1,
        heartbeat_at=timezone.now() - dt.timedelta(seconds=61),
    )
    beating = _running(job_enqueue(kind=ECHO, payload={}), worker_host="elsewhere", worker_pid=1)
    assert [r.job.pk for r in jobs_recover()] == [quiet.pk]
    beating.refresh_from_db()
    assert beating.status == JobStatus.RUNNING


def test_a_job_taken_back_while_its_twin_is_queued_fails_saying_so():
    first = _running(job_enqueue(kind=ECHO, payload={}, dedupe_key="k"), worker_pid=_dead_pid())
    twin = job_enqueue(kind=ECHO, payload={}, dedupe_key="k")
    jobs_recover()
    first.refresh_from_db()
    assert first.status == JobStatus.FAILED
    assert first.error_summary == f"The same work was queued again meanwhile (job {twin.pk})."


def test_a_killed_workers_task_is_marked_failed_on_the_backend_too():
    from sawt.jobs.workers import housekeeping

    job = job_enqueue(kind=ECHO, payload={})
    jobs_dispatch_pending()
    task = DBTaskResult.objects.get()
    task.claim("gone")
    job.refresh_from_db()
    _running(job, worker_pid=_dead_pid())
    housekeeping(lost=False)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED


def test_the_process_check_knows_the_living_and_the_dead():
    import os

    assert process_alive(os.getpid())
    assert not process_alive(_dead_pid())
    # A process that started after the job did is not the job's worker (the pid was reused).
    assert not process_alive(os.getpid(), since=timezone.now() - dt.timedelta(days=3650))


def test_the_latest_job_tells_a_page_how_the_work_stands():
    assert job_latest(kind=ECHO, dedupe_key="journey:1") is None
    job_enqueue(kind=ECHO, payload={}, dedupe_key="journey:1")
    jobs_run_pending()
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
        def another(payload, progress):
            return {}

    assert handler_for(ECHO) is echo
