"""Job handlers for the tests, registered on import (as an app registers its own in ready())."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import OperationalError

from sawt.core.exceptions import ApplicationError
from sawt.jobs import registry
from sawt.jobs.errors import JobFailure, TransientError
from sawt.jobs.registry import Progress, register

ECHO = "tests.echo"
BOOM = "tests.boom"
NOT_JSON = "tests.not_json"
REFUSED = "tests.refused"
DETAILED = "tests.detailed"
FLAKY = "tests.flaky"
LOCKED = "tests.locked"
COUNTED = "tests.counted"
SLOW = "tests.slow"
PERIODIC = "tests.periodic"
ENDED: list[dict[str, Any]] = []


@register(ECHO)
def echo(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    progress(3, 3, "words")
    return {"echoed": payload, "words": len(str(payload.get("text", "")).split())}


@register(BOOM)
def boom(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    raise ValueError(f"cannot retrain on {payload.get('labels', 0)} labels")


@register(NOT_JSON)
def not_json(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    return {"model": object()}


@register(REFUSED)
def refused(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    raise ApplicationError("لا توجد تصنيفات كافية لإعادة التدريب.")


@register(DETAILED, on_end=ENDED.append)
def detailed(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    raise JobFailure("The file was not imported.", details={"problems": [[2, "e1", "bad"]]})


@register(FLAKY, max_attempts=3, on_end=ENDED.append)
def flaky(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Fails transiently until its `marker` file holds `succeed_on` lines (one per attempt)."""
    marker = Path(payload["marker"])
    with marker.open("a") as handle:
        handle.write("x\n")
    attempt = len(marker.read_text().splitlines())
    if attempt < payload.get("succeed_on", 99):
        raise TransientError(f"the service is away (attempt {attempt})")
    return {"attempt": attempt}


@register(LOCKED, max_attempts=2)
def locked(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    raise OperationalError("database is locked")


@register(COUNTED)
def counted(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Leaves one line per run in the payload's `log` file: a job run twice shows twice."""
    # O_APPEND writes of one short line land whole, whichever processes write at once.
    fd = os.open(payload["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{payload['n']} {os.getpid()}\n".encode())
    finally:
        os.close(fd)
    return {"n": payload["n"]}


@register(SLOW, max_attempts=2)
def slow(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Says it started (a file), then works for `seconds`, reporting progress."""
    Path(payload["started"]).write_text(str(os.getpid()))
    steps = int(payload.get("seconds", 30) * 10)
    for step in range(steps):
        progress(step, steps, "sleeping")
        time.sleep(0.1)
    return {"slept": payload.get("seconds", 30)}


def periodic(payload: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Periodic work of the tests (registered only by `periodic_registered`)."""
    return {"payload": payload}


def periodic_off() -> None:
    """Workers started by these tests run only what the tests queue: the periodic work other
    apps register (reminders, contact erasure…) is not theirs to count, nor are its tables
    always there (a worker's database may hold only the queue's)."""
    for name in registry.registered_kinds():
        known = registry.kind_for(name)
        if known is not None and known.every is not None:
            registry._KINDS[name] = dataclasses.replace(known, every=None)


@contextmanager
def no_periodic() -> Iterator[None]:
    """`periodic_off` while the block runs; the registry as it was afterwards."""
    saved = dict(registry._KINDS)
    periodic_off()
    try:
        yield
    finally:
        registry._KINDS.clear()
        registry._KINDS.update(saved)


@contextmanager
def periodic_registered(every: dt.timedelta = dt.timedelta(hours=1)) -> Iterator[str]:
    """Only PERIODIC is periodic while the block runs (every `every`)."""
    with no_periodic():
        register(PERIODIC, every=every, max_attempts=1)(periodic)
        yield PERIODIC
