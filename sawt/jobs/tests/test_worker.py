"""`sawt worker`: runs what is queued, says how much, and stops when told or orphaned."""

from __future__ import annotations

import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import nullcontext
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from sawt.jobs.choices import JobStatus
from sawt.jobs.inline import inline_worker_start, inline_worker_wanted
from sawt.jobs.models import Job
from sawt.jobs.services import job_enqueue
from sawt.jobs.tests.handlers import BOOM, ECHO, FLAKY, SLOW, no_periodic
from sawt.jobs.tests.procs import PRELUDE, popen, python, query, shared_env
from sawt.jobs.tests.redis import flush, redis_env, rq_settings


@pytest.fixture(autouse=True)
def only_what_the_test_queues():
    # These tests count what a worker runs; other apps' periodic work is not theirs.
    with no_periodic():
        yield


def _worker(*args: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("worker", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_worker_once_runs_every_queued_job_and_says_how_many():
    for n in range(2):
        job_enqueue(kind=ECHO, payload={"n": n})
    job_enqueue(kind=BOOM, payload={})

    out = _worker("--once")

    assert out.strip().endswith("Ran 3 jobs.")
    assert "failed after" in out and "ValueError: cannot retrain on 0 labels" in out
    statuses = sorted(Job.objects.values_list("status", flat=True))
    assert statuses == [JobStatus.FAILED, JobStatus.SUCCEEDED, JobStatus.SUCCEEDED]


@pytest.mark.django_db
def test_worker_once_on_rq_runs_every_queued_job(monkeypatch, tmp_path):
    from sawt.jobs import runner

    monkeypatch.setattr(runner, "retry_delay", lambda attempt: dt.timedelta(0))
    with rq_settings(f"sawt-test-{uuid.uuid4().hex[:8]}"):
        job_enqueue(kind=ECHO, payload={"n": 1})
        job_enqueue(kind=BOOM, payload={})
        flaky = job_enqueue(kind=FLAKY, payload={"marker": str(tmp_path / "m"), "succeed_on": 2})

        out = _worker("--once")

        assert "Ran 3 jobs." in out and "will be tried again" in out
        assert "ValueError: cannot retrain on 0 labels" in out
        # The retry is a task of its own, released by RQ's scheduler when due.
        assert _worker("--once").strip().endswith("Ran 1 job.")
    flaky.refresh_from_db()
    assert (flaky.status, flaky.attempts) == (JobStatus.SUCCEEDED, 2)


@pytest.mark.django_db(transaction=True)  # so the retry is handed over as it would be
def test_a_retry_on_rq_waits_for_its_time(tmp_path):
    import django_rq
    from rq.registry import ScheduledJobRegistry

    queue = f"sawt-test-{uuid.uuid4().hex[:8]}"
    with rq_settings(queue):
        flaky = job_enqueue(kind=FLAKY, payload={"marker": str(tmp_path / "m"), "succeed_on": 2})
        _worker("--once")
        flaky.refresh_from_db()
        assert flaky.status == JobStatus.QUEUED and flaky.run_after is not None
        scheduled = ScheduledJobRegistry(queue=django_rq.get_queue(queue))
        assert scheduled.get_job_ids() == [flaky.task_id]
        assert _worker("--once").strip().endswith("Ran 0 jobs.")


@pytest.mark.django_db
def test_worker_once_with_nothing_queued():
    assert _worker("--once").strip() == "Ran 0 jobs."


@pytest.mark.django_db
def test_worker_once_speaks_arabic_by_default():
    job_enqueue(kind=ECHO, payload={})
    out = io.StringIO()
    with translation.override("ar"):
        call_command("worker", "--once", "--verbosity", "0", stdout=out)
    assert out.getvalue().strip() == "نُفِّذت مهمة واحدة."


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # A throwaway SQLite home: a worker started here must never touch a real queue.
    env = {**os.environ, "SAWT_HOME": str(tmp_path), **extra}
    env.pop("DATABASE_URL", None)
    return env


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # exited, waiting for whoever adopted it to reap it


def _wait_gone(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.1)
    return False


def test_the_worker_stops_cleanly_on_sigterm(tmp_path):
    worker = subprocess.Popen(
        [sys.executable, "-m", "sawt.cli", "worker", "--sleep", "0.2"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        first = worker.stdout.readline()
        assert first.strip(), "the worker said nothing on start"
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    rest = worker.stdout.read()
    assert "Traceback" not in first + rest


def test_the_inline_worker_exits_with_the_server(tmp_path):
    # Stands in for `sawt serve`: start the inline worker, report its pid, exit.
    server = subprocess.run(
        [
            sys.executable,
            "-c",
            "from sawt.jobs.inline import inline_worker_start; print(inline_worker_start().pid)",
        ],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    # The worker shares the server's stdout: its own lines follow the pid.
    pid = int(server.stdout.splitlines()[0])
    if not _wait_gone(pid):
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the worker outlived the process that started it")


def test_the_inline_worker_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("SAWT_INLINE_WORKER", "0")
    assert not inline_worker_wanted()
    assert inline_worker_start() is None
    monkeypatch.setenv("SAWT_INLINE_WORKER", "1")
    assert inline_worker_wanted()
    monkeypatch.delenv("SAWT_INLINE_WORKER")
    assert inline_worker_wanted()


def test_the_dev_servers_reloaded_child_starts_no_second_worker(monkeypatch):
    monkeypatch.setenv("RUN_MAIN", "true")
    assert inline_worker_start() is None


KILLABLE = (
    PRELUDE
    + """
call_command("worker", "--sleep", "0.2")
"""
)
ONCE = (
    PRELUDE
    + """
call_command("worker", "--once")
"""
)
ENQUEUE_SLOW = (
    PRELUDE
    + """
from sawt.jobs.services import job_enqueue
job_enqueue(kind="tests.slow", payload={{"started": {started!r}, "seconds": 1}})
"""
)


def _wait_for(path: Path, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and (text := path.read_text()):
            return text
        time.sleep(0.05)
    pytest.fail(f"{path.name} did not appear within {seconds} s")


@pytest.mark.parametrize("backend", ["database", "rq"])
@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_job_is_run_by_the_next_worker(tmp_path, backend):
    # `kill -9` in the middle of a job: the next worker on this machine sees the process gone
    # and runs the job again at once (the attempt counts), instead of leaving it "running".
    extra = redis_env(f"sawt-test-{uuid.uuid4().hex[:8]}") if backend == "rq" else {}
    env = shared_env(tmp_path, **extra)
    started = tmp_path / "started"
    try:
        if connection.vendor == "sqlite":
            python(ENQUEUE_SLOW.format(started=str(started)), env)
        else:
            on_rq = backend == "rq"
            with rq_settings(env["SAWT_TASKS_QUEUE"], flushing=False) if on_rq else nullcontext():
                job_enqueue(kind=SLOW, payload={"started": str(started), "seconds": 1})
        # A session of its own: the kill takes its children too (RQ's scheduler runs in a
        # forked process), as a crash of the machine would.
        first = popen(
            KILLABLE,
            env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            assert int(_wait_for(started)) == first.pid
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        started.unlink()

        out = python(ONCE, env)

        assert "نُفِّذت مهمة واحدة." in out, out  # "Ran 1 job.", in the default language
        assert int(started.read_text()) != first.pid
        rows = query(env, "SELECT status, attempts, error FROM jobs_job")
        assert [(status, attempts) for status, attempts, _ in rows] == [("succeeded", 2)]
    finally:
        if backend == "rq":
            flush()


ENQUEUE_SLOW_FOR = (
    PRELUDE
    + """
from sawt.jobs.services import job_enqueue
job_enqueue(kind="tests.slow", payload={{"started": {started!r}, "seconds": {seconds}}})
"""
)


@pytest.mark.django_db(transaction=True)
def test_a_running_jobs_progress_reaches_the_row_while_it_runs(tmp_path):
    env = shared_env(tmp_path)
    started = tmp_path / "started"
    if connection.vendor == "sqlite":
        python(ENQUEUE_SLOW_FOR.format(started=str(started), seconds=4), env)
    else:
        job_enqueue(kind=SLOW, payload={"started": str(started), "seconds": 4})
    worker = popen(ONCE, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(started)
        deadline, seen = time.monotonic() + 3.5, []
        while time.monotonic() < deadline and not seen:
            seen = query(
                env,
                "SELECT progress_done, progress_total FROM jobs_job "
                "WHERE status = 'running' AND progress_stage = 'sleeping' "
                "AND progress_done > 0 AND heartbeat_at IS NOT NULL",
            )
            time.sleep(0.2)
        assert seen, "no progress was written while the job ran"
        assert seen[0][1] == 40
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    assert query(env, "SELECT status, progress_done FROM jobs_job") == [("succeeded", 39)]
