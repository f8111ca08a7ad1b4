"""In-process measurements, run by bench/run.py with DATABASE_URL and SAWT_HOME set.

`python bench/probe.py ACTION --journey SLUG --period YYYY-MM` prints one JSON object:
- `summary`  times `journey_summary` alone (no start-up, no rendering), and lists its queries;
- `counts`   rows per table, the highest ids (a re-import that replaces rows moves them), and on
             PostgreSQL the table statistics (inserts, updates, dead rows, size, all-visible pages);
- `explain`  EXPLAIN (ANALYZE, BUFFERS) of the summary's slowest query, as Django sends it;
- `maintain` VACUUM (ANALYZE) on PostgreSQL, ANALYZE on SQLite, timed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from sawt.complaints.models import Complaint  # noqa: E402
from sawt.metrics.selectors import journey_summary  # noqa: E402
from sawt.surveys.models import Answer, Response  # noqa: E402

TABLES = {
    "responses": Response,
    "answers": Answer,
    "complaints": Complaint,
}


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _timed_query(sql: str) -> float:
    """One query run alone with every row fetched. The times Django records stop when
    `execute` returns, which on SQLite is before the rows are computed."""
    with connection.cursor() as cur:
        started = time.perf_counter()
        cur.execute(sql)
        cur.fetchall()
        return time.perf_counter() - started


def summary(journey: str, period: str, repeat: int) -> dict[str, Any]:
    """Median of `repeat` calls, the first call apart (cold caches), and one call's queries."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = journey_summary(journey_slug=journey, period=period)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        journey_summary(journey_slug=journey, period=period)
    timed = [(_timed_query(q["sql"]), q["sql"]) for q in captured.captured_queries]
    queries = [{"seconds": s, "sql": text} for s, text in sorted(timed, key=lambda t: -t[0])]
    items = [result["overall"], *(i for s in result["stages"] for i in s["items"])]
    return {
        "first": times[0],
        "median": statistics.median(times),
        "times": times,
        "queries": len(queries),
        "slowest": queries[:5],
        # What the import must have produced, for run.py to check against the manifest.
        "responses": result["sample"]["responses"],
        "complaints": result["sample"]["complaints"],
        "scored_answers": sum(i["n"] for i in items if i),
    }


def _pg_tables() -> dict[str, Any]:
    names = [model._meta.db_table for model in TABLES.values()]
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT s.relname, s.n_tup_ins, s.n_tup_upd, s.n_tup_del, s.n_live_tup, s.n_dead_tup,
                   pg_total_relation_size(s.relid), c.relpages, c.relallvisible,
                   s.last_autovacuum IS NOT NULL, s.last_autoanalyze IS NOT NULL
            FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
            WHERE s.relname = ANY(%s)
            """,
            [names],
        )
        keys = ["inserted", "updated", "deleted", "live", "dead", "bytes", "pages",
                "all_visible_pages", "autovacuumed", "autoanalyzed"]  # fmt: skip
        return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in cur.fetchall()}


def counts() -> dict[str, Any]:
    """Rows and highest id per table; physical statistics where the engine keeps them."""
    result: dict[str, Any] = {}
    for name, model in TABLES.items():
        result[name] = model._default_manager.count()
        result[f"{name}_max_id"] = model._default_manager.aggregate(m=Max("id"))["m"]
    result["complaints_categorised"] = Complaint.objects.filter(category__isnull=False).count()
    if _is_postgres():
        result["tables"] = _pg_tables()
    else:
        with connection.cursor() as cur:
            cur.execute("PRAGMA page_count")
            pages = cur.fetchone()[0]
            cur.execute("PRAGMA page_size")
            result["file_bytes"] = pages * cur.fetchone()[0]
    return result


def _slowest_sql(journey: str, period: str) -> str:
    """The summary's slowest query, exactly as the selector sends it (captured, not rebuilt).

    Since the score distribution is read from the stored counts, no query of the summary
    touches every answer; the slowest one is what a plan is worth looking at."""
    with CaptureQueriesContext(connection) as captured:
        journey_summary(journey_slug=journey, period=period)
    queries = [q for q in captured.captured_queries if q["sql"].lstrip().startswith("SELECT")]
    if not queries:
        raise SystemExit("the summary sent no query")
    return max(queries, key=lambda q: float(q["time"]))["sql"]


def _pg_explain(sql: str) -> tuple[list[str], float]:
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cur.fetchall()]
    execution = next(line for line in plan if line.startswith("Execution Time"))
    return plan, float(execution.split(":")[1].split()[0]) / 1000


def explain(journey: str, period: str) -> dict[str, Any]:
    """The plan of the summary's slowest query, with its run time measured by the database.

    On PostgreSQL also the plan with sequential scans disabled, to show whether an index
    would have served it faster."""
    sql = _slowest_sql(journey, period)
    if _is_postgres():
        plan, seconds = _pg_explain(sql)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL enable_seqscan = off")
            forced, forced_seconds = _pg_explain(sql)
        return {
            "sql": sql,
            "plan": plan,
            "seconds": seconds,
            "forced_index": forced,
            "forced_index_seconds": forced_seconds,
        }
    with connection.cursor() as cur:
        cur.execute("EXPLAIN QUERY PLAN " + sql)
        plan = [row[-1] for row in cur.fetchall()]
        started = time.perf_counter()
        cur.execute(sql)
        cur.fetchall()
    return {"sql": sql, "plan": plan, "seconds": time.perf_counter() - started}


def maintain() -> dict[str, Any]:
    """What an operator (or the import) would run after a large load, timed."""
    started = time.perf_counter()
    with connection.cursor() as cur:
        # VACUUM sets the visibility map, without which the GROUP BY cannot be index-only;
        # ANALYZE gives the planner the row counts. Neither may run inside a transaction,
        # and Django's default autocommit keeps this cursor outside one.
        cur.execute("VACUUM (ANALYZE)" if _is_postgres() else "ANALYZE")
    return {"seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["summary", "counts", "explain", "maintain"])
    parser.add_argument("--journey", default="bench-journey")
    parser.add_argument("--period", default="2022-06")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.action == "summary":
        out = summary(args.journey, args.period, args.repeat)
    elif args.action == "explain":
        out = explain(args.journey, args.period)
    elif args.action == "counts":
        out = counts()
    else:
        out = maintain()
    print(json.dumps(out, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
