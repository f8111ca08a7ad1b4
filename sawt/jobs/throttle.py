"""A rate shared by every worker: at most R pieces of work of one name per second (messages sent
through one channel), however many worker processes, on however many machines, do the work.

One row per name holds the next free moment ("slot"). Taking a turn is one short transaction:
lock the row, take the slot (now, if it lies in the past), move it on by 1/R, commit; then sleep
until the slot taken. So turns are spaced 1/R apart whoever takes them, and N turns span at
least (N - 1)/R seconds: a steady pace rather than bursts, which is what gateways and mail
servers that count per second accept. The row is locked for a moment, never while sleeping or
sending. Each process reads its own clock: machines sharing a rate keep their clocks in step
(NTP), as they must for the job queue's leases anyway.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from sawt.jobs.models import RateSlot

# A slot further ahead than this was set by a clock far ahead of ours, not by a queue of
# turns: it is not waited for (a few hundred processes at one message a second stay below it).
MAX_AHEAD = dt.timedelta(minutes=5)


def _row(name: str) -> None:
    if RateSlot.objects.filter(name=name).exists():
        return
    try:
        with transaction.atomic():
            RateSlot.objects.create(name=name, next_at=timezone.now())
    except IntegrityError:
        pass  # another process created it first


def throttle_turn(
    name: str, per_second: float, *, sleep: Callable[[float], None] = time.sleep
) -> float:
    """Wait for this process's turn at `per_second` turns of `name` a second (0: no limit);
    the seconds waited."""
    if per_second <= 0:
        return 0.0
    interval = dt.timedelta(seconds=1.0 / per_second)
    _row(name)
    with transaction.atomic():
        row = RateSlot.objects.select_for_update().get(name=name)
        now = timezone.now()
        slot = now if row.next_at <= now or row.next_at > now + MAX_AHEAD else row.next_at
        RateSlot.objects.filter(pk=row.pk).update(next_at=slot + interval)
        due = time.monotonic() + (slot - now).total_seconds()
    wait = max(0.0, due - time.monotonic())
    if wait > 0:
        sleep(wait)
    return wait
