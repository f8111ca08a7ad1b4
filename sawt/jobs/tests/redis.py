"""The Redis the RQ tests run against: database 11 of this machine's server (SAWT_TEST_REDIS_URL
overrides it), each test on a queue of its own, the database emptied around each test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import override_settings

REDIS_URL = os.environ.get("SAWT_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def redis_or_skip() -> None:
    """Skip the test, saying why, when no Redis answers at REDIS_URL."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"no Redis at {REDIS_URL} ({exc}): the RQ backend is not tested here")


def flush() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def redis_env(queue: str) -> dict[str, str]:
    """Environment variables that put a `sawt` process on RQ, on `queue`."""
    redis_or_skip()
    flush()
    return {"SAWT_TASKS_BACKEND": "rq", "SAWT_REDIS_URL": REDIS_URL, "SAWT_TASKS_QUEUE": queue}


@contextmanager
def rq_settings(queue: str, *, flushing: bool = True) -> Iterator[None]:
    """This process on RQ, on `queue`, as SAWT_TASKS_BACKEND=rq would configure it."""
    redis_or_skip()
    if flushing:
        flush()
    rq_queue = {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}
    with override_settings(
        SAWT_TASKS_BACKEND="rq",
        SAWT_TASKS_QUEUE=queue,
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue]}},
        RQ_QUEUES={"default": rq_queue, queue: rq_queue},
    ):
        try:
            yield
        finally:
            if flushing:
                flush()
