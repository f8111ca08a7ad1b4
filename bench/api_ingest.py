"""Batch complaint ingestion: the API (POST /api/v1/complaints/, batches of 1,000, through the
Django test client with a write token) against the file import (`complaints_import` of the same
complaints as one CSV), in one run on a new SQLite database (or PostgreSQL with DATABASE_URL).

Both write the same N complaints, with the same parser and redaction (sawt/imports/items.py), into
two journeys of their own; the figure is complaints per second and the ratio API/file. Bounded:
20,000 complaints take some tens of seconds. `python bench/api_ingest.py [--complaints N]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
TEXTS = [
    "تأخر إصدار الرخصة أكثر من أسبوعين ولم يرد أحد على اتصالي على 0501234567",
    "الموقع لا يقبل رفع المستندات",
    "طلبت تعديل البيانات ولم يتغير شيء، راسلوني على ahmed@example.com",
    "الموظف كان متعاوناً لكن المدة طويلة جداً",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="sawt-bench-api-"))
    os.environ["SAWT_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings
    from rest_framework.test import APIClient

    from sawt.accounts.tokens import token_create
    from sawt.catalog.models import Journey
    from sawt.complaints.models import Complaint
    from sawt.complaints.services import complaints_import
    from sawt.testing.factories import JourneyFactory

    call_command("migrate", verbosity=0)
    rng = random.Random(11)
    items = [
        {
            "complaint_id": f"C-{n:06d}",
            "received_at": f"2022-06-{1 + n % 28:02d}T{n % 24:02d}:15:00+03:00",
            "channel": rng.choice(["app", "call", "web"]),
            "text": rng.choice(TEXTS) + f" ({n})",
        }
        for n in range(args.complaints)
    ]
    # factory_boy is typed as the factory, not the model it makes.
    by_file = cast(Journey, JourneyFactory(slug="bench-file"))
    by_api = cast(Journey, JourneyFactory(slug="bench-api"))
    path = home / "complaints.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(items[0]))
        writer.writeheader()
        writer.writerows(items)
    started = time.perf_counter()
    complaints_import(journey_slug=by_file.slug, path=path)
    file_seconds = time.perf_counter() - started
    _token, raw = token_create(
        name="bench", scope="write", agency_code=None, all_agencies=True, actor=None
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    # 20 requests stay far below the per-token rate limit.
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        started = time.perf_counter()
        for start in range(0, len(items), args.batch):
            batch = [{"journey": by_api.slug, **i} for i in items[start : start + args.batch]]
            response = client.post("/api/v1/complaints/", batch, format="json")
            if response.status_code != 200:
                raise SystemExit(f"{response.status_code}: {response.content[:500]!r}")
        api_seconds = time.perf_counter() - started
    assert Complaint.objects.filter(journey=by_api).count() == args.complaints
    assert Complaint.objects.filter(journey=by_file).count() == args.complaints
    from django.db import connection

    result = {
        "engine": connection.vendor,
        "complaints": args.complaints,
        "batch": args.batch,
        "file_seconds": round(file_seconds, 2),
        "file_per_second": round(args.complaints / file_seconds),
        "api_seconds": round(api_seconds, 2),
        "api_per_second": round(args.complaints / api_seconds),
        "api_over_file": round(file_seconds / api_seconds, 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
