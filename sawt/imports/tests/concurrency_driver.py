"""The other side of test_concurrent_writers.py: a person saving comments during an import.

`python -m sawt.imports.tests.concurrency_driver prepare OUT.json` loads the small survey and
makes an analyst and a gap; `... comments OUT.json --gap G --user U --count N --db PATH` waits
until an import holds SQLite's write lock, then posts N comments through the whole Django stack
(middleware included), a quarter second apart, and writes what each got back. DATABASE_URL and
SAWT_HOME point at the test's file database.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

DEFINITION = Path(__file__).resolve().parents[2] / "surveys/tests/fixtures/definition/valid.yaml"


def _write_lock_held(path: str) -> bool:
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        probe.close()


def prepare() -> dict[str, Any]:
    from sawt.surveys.services import survey_definition_import
    from sawt.testing.factories import GapFactory, user_with_role

    survey = survey_definition_import(path=DEFINITION).survey
    # The definition's population (4,000) is smaller than the 100,000 responses imported here,
    # which sawt refuses; this test is about writers taking turns, so the population is unknown.
    survey.population_size = None
    survey.save(update_fields=["population_size"])
    analyst = user_with_role("analyst")
    gap = GapFactory(journey=survey.journey)
    return {"gap": gap.pk, "user": analyst.pk}


def comments(gap: int, user: int, count: int, database: str, wait: float) -> dict[str, Any]:
    """Once the import writes, one person's `count` saves, a quarter second apart, each in its
    own thread (as a server's threads would take them), each waiting as long as it must."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(get_user_model().objects.get(pk=user))
    connection.close()
    deadline = time.monotonic() + wait
    while not _write_lock_held(database):
        if time.monotonic() > deadline:
            return {"lock_seen": False, "saves": []}
        time.sleep(0.02)
    saves: list[dict[str, Any]] = [{} for _ in range(count)]

    def save(number: int) -> None:
        # Outside the test runner, ALLOWED_HOSTS holds the real names only.
        client = Client(raise_request_exception=False, HTTP_HOST="localhost")
        client.cookies = signed_in.cookies
        client.cookies["django_language"] = "en"
        text = f"تعليق رقم {number} أثناء الاستيراد"
        started = time.monotonic()
        locked = _write_lock_held(database)
        try:
            response = client.post(f"/gaps/{gap}/comments/", {"text": text})
        finally:
            connection.close()
        page = response.content.decode()
        saves[number] = {
            "text": text,
            "status": response.status_code,
            "seconds": round(time.monotonic() - started, 2),
            "lock_held_before": locked,
            "text_kept": text in page,
            "page": page[:300] if response.status_code >= 500 else "",
        }

    threads = []
    for number in range(count):
        thread = threading.Thread(target=save, args=(number,))
        thread.start()
        threads.append(thread)
        time.sleep(0.25)
    for thread in threads:
        thread.join()
    return {"lock_seen": True, "saves": saves}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["prepare", "comments"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--gap", type=int)
    parser.add_argument("--user", type=int)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--db")
    parser.add_argument("--wait", type=float, default=120.0)
    args = parser.parse_args()

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")
    django.setup()
    if args.action == "prepare":
        result = prepare()
    else:
        result = comments(args.gap, args.user, args.count, args.db, args.wait)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
