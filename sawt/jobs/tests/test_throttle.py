"""The shared throttle: turns of one name are spaced 1/R apart whoever takes them, in one process
or in several at once, so N turns span at least (N - 1)/R seconds."""

from __future__ import annotations

import itertools
import time

import pytest
from django.utils import timezone

from sawt.jobs.models import RateSlot
from sawt.jobs.tests.procs import PRELUDE, popen, shared_env
from sawt.jobs.throttle import MAX_AHEAD, throttle_turn


@pytest.mark.django_db
def test_turns_in_one_process_keep_the_pace():
    started = time.monotonic()
    waits = [throttle_turn("tests.sms", 20) for _ in range(9)]
    elapsed = time.monotonic() - started
    assert elapsed >= 8 / 20 - 0.01  # (N - 1)/R; a little slack for the clocks' rounding
    assert elapsed < 8 / 20 + 2.0  # and no slower than the pace, by a generous margin
    assert waits[0] == 0.0


@pytest.mark.django_db
def test_no_limit_means_no_wait_and_no_row():
    assert throttle_turn("tests.free", 0) == 0.0
    assert not RateSlot.objects.filter(name="tests.free").exists()


@pytest.mark.django_db
def test_names_have_paces_of_their_own():
    throttle_turn("tests.sms", 1)
    started = time.monotonic()
    throttle_turn("tests.email", 1)  # another name: no wait behind the SMS
    assert time.monotonic() - started < 0.5


@pytest.mark.django_db
def test_a_slot_set_by_a_clock_far_ahead_is_not_waited_for():
    RateSlot.objects.create(name="tests.sms", next_at=timezone.now() + MAX_AHEAD * 10)
    assert throttle_turn("tests.sms", 1, sleep=lambda seconds: None) == 0.0


TAKE_TURNS = (
    PRELUDE
    + """
from sawt.jobs.throttle import throttle_turn
while not os.path.exists({go!r}):
    time.sleep(0.01)
for _ in range({n}):
    throttle_turn("tests.shared", {rate})
    print(time.time(), flush=True)
"""
)


@pytest.mark.django_db(transaction=True)
def test_processes_share_one_pace(tmp_path):
    # Two workers at once, four turns each, at 8 a second: eight turns spaced 1/8 s apart.
    env = shared_env(tmp_path)
    go = tmp_path / "go"
    script = TAKE_TURNS.format(go=str(go), n=4, rate=8)
    workers = [popen(script, env, stdout=-1, stderr=-1) for _ in range(2)]
    try:
        time.sleep(0.5)
        go.touch()
        outputs = [worker.communicate(timeout=60) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    assert all(worker.returncode == 0 for worker in workers), outputs
    times = sorted(float(line) for out, _err in outputs for line in out.split())
    assert len(times) == 8
    assert times[-1] - times[0] >= 7 / 8 - 0.05
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 1 / 8 - 0.05, gaps
