"""Several workers draining one queue at the same moment: each job is taken exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from sawt.jobs.choices import JobStatus
from sawt.jobs.models import Job

WORKERS, JOBS = 4, 200

# One worker process: set up Django, wait for the starting shot, claim until the queue is empty.
CLAIMER = """
import json, sys
import django
django.setup()
from sawt.jobs.services import job_claim_next
print("ready", flush=True)
sys.stdin.readline()
ids = []
while (job := job_claim_next()) is not None:
    ids.append(job.pk)
print(json.dumps(ids), flush=True)
"""

# For SQLite: the test database lives in memory, out of other processes' reach, so the race
# runs on a database file of its own, set up as `sawt serve` would find it (WAL and all).
SQLITE_QUEUE = f"""
import django
django.setup()
from django.core.management import call_command
from sawt.jobs.models import Job
call_command("migrate", "jobs", verbosity=0)  # and what it depends on (users), nothing more
Job.objects.bulk_create(Job(kind="tests.echo", payload={{"n": n}}) for n in range({JOBS}))
"""


def _postgres_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def _queue(tmp_path: Path) -> dict[str, str]:
    """Fill a queue the claimers can reach; the environment that points them at it."""
    env = {**os.environ, "SAWT_HOME": str(tmp_path)}
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, "-c", SQLITE_QUEUE], env=env, check=True, timeout=60)
    else:
        env["DATABASE_URL"] = _postgres_url()
        Job.objects.bulk_create(Job(kind="tests.echo", payload={"n": n}) for n in range(JOBS))
    return env


@pytest.mark.django_db(transaction=True)
def test_racing_workers_never_take_the_same_job(tmp_path):
    env = _queue(tmp_path)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(WORKERS)
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:  # all start together, as far as the clock allows
            worker.stdin.write("go\n")
            worker.stdin.flush()
        claimed = [json.loads(worker.communicate(timeout=120)[0]) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()

    every = [pk for ids in claimed for pk in ids]
    assert len(every) == JOBS
    assert len(set(every)) == JOBS, "a job was claimed by two workers"
    if connection.vendor != "sqlite":
        assert Job.objects.filter(status=JobStatus.RUNNING, attempts=1).count() == JOBS
