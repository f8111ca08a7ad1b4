"""Several worker processes draining one queue at the same moment, on the database backend and
on RQ: every job runs exactly once."""

from __future__ import annotations

import subprocess
import uuid
from contextlib import nullcontext
from pathlib import Path

import pytest
from django.db import connection

from sawt.jobs.services import job_enqueue
from sawt.jobs.tests.handlers import COUNTED
from sawt.jobs.tests.procs import PRELUDE, popen, python, query, shared_env
from sawt.jobs.tests.redis import flush, redis_env, rq_settings

WORKERS, JOBS = 4, 60

ENQUEUE = (
    PRELUDE
    + """
from sawt.jobs.services import job_enqueue
for n in range({jobs}):
    job_enqueue(kind="tests.counted", payload={{"n": n, "log": {log!r}}})
"""
)
# One worker process: wait for the starting shot, then drain the queue with the real worker.
WORKER = (
    PRELUDE
    + """
from sawt.jobs.services import jobs_run_pending
print("ready", flush=True)
sys.stdin.readline()
print(jobs_run_pending(), flush=True)
"""
)


def _race(env: dict[str, str], log: Path) -> None:
    if connection.vendor == "sqlite":
        python(ENQUEUE.format(jobs=JOBS, log=str(log)), env)
    else:
        on_rq = env.get("SAWT_TASKS_BACKEND") == "rq"
        with rq_settings(env["SAWT_TASKS_QUEUE"], flushing=False) if on_rq else nullcontext():
            for n in range(JOBS):
                job_enqueue(kind=COUNTED, payload={"n": n, "log": str(log)})

    workers = [
        popen(WORKER, env, stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(WORKERS)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
        for worker in workers:  # all start together, as far as the clock allows
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        ran = [int(worker.communicate(timeout=180)[0].split()[-1]) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()

    runs = [line.split()[0] for line in log.read_text().splitlines()]
    assert len(runs) == JOBS, "a job ran twice, or not at all"
    assert len(set(runs)) == JOBS
    assert sum(ran) == JOBS
    statuses = query(env, "SELECT status, attempts, COUNT(*) FROM jobs_job GROUP BY 1, 2")
    assert statuses == [("succeeded", 1, JOBS)]


@pytest.mark.django_db(transaction=True)
def test_racing_database_workers_run_every_job_once(tmp_path):
    _race(shared_env(tmp_path), tmp_path / "runs.log")


@pytest.mark.django_db(transaction=True)
def test_racing_rq_workers_run_every_job_once(tmp_path):
    env = shared_env(tmp_path, **redis_env(f"sawt-test-{uuid.uuid4().hex[:8]}"))
    try:
        _race(env, tmp_path / "runs.log")
    finally:
        flush()
