"""The RQ worker `sawt worker` runs when SAWT_TASKS_BACKEND=rq (imported only then)."""

from __future__ import annotations

import logging
import time
from typing import Any

from rq.worker import SimpleWorker

logger = logging.getLogger(__name__)


class SawtRQWorker(SimpleWorker):
    """RQ's SimpleWorker (the job runs in the worker's process, as with the database backend:
    no fork per job under a Django that holds database connections), which also keeps sawt's
    house between jobs: jobs of dead workers taken back, lost tasks handed over again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept_house_at = 0.0

    def subscribe(self) -> None:
        # RQ listens for "stop this job" commands in a thread that waits up to 60 s per read;
        # redis-py 8.2 joins that thread when the worker stops, so a worker could take a minute
        # to exit. One second per read keeps stopping prompt at the cost of an idle poll.
        self.log.debug("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=1.0, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    @property
    def dequeue_timeout(self) -> int:
        # Wake from Redis's blocking pop at least this often to keep house.
        from sawt.jobs.workers import HOUSEKEEPING_EVERY

        return max(1, min(super().dequeue_timeout, int(HOUSEKEEPING_EVERY)))

    def _house_due(self) -> bool:
        from sawt.jobs.workers import HOUSEKEEPING_EVERY

        return time.monotonic() - self._kept_house_at >= HOUSEKEEPING_EVERY

    @property
    def should_run_maintenance_tasks(self) -> bool:
        return self._house_due() or bool(super().should_run_maintenance_tasks)

    def run_maintenance_tasks(self) -> None:
        if self._house_due():
            self._kept_house_at = time.monotonic()
            from django.db import DatabaseError

            from sawt.jobs.workers import housekeeping

            try:
                housekeeping()
            except DatabaseError:
                logger.warning("Worker cannot use the database; will try again", exc_info=True)
        if super().should_run_maintenance_tasks:
            super().run_maintenance_tasks()
