"""`make bench-pages`: the server time of sawt's web pages on PostgreSQL with the bench data.

In a throwaway PostgreSQL database `sawt_pages_<pid>` (dropped at the end unless --keep):
`sawt migrate`, `sawt collectstatic` (as `sawt serve` does before serving), then the imports a
person runs of the files bench/generate.py writes (`import-survey`, `import-responses`,
`import-complaints`). Then, in one Python process with Django set up against that database: an
analyst is created through `user_create`, a `django.test.Client` is logged in with
`force_login`, and each page is requested --warmup times, then timed --requests times. Server
time is the wall time of `Client.get()`: middleware, view, queries and template, without a
network or a WSGI server. One more request of each page runs under CaptureQueriesContext (its
queries, then each run again alone with its rows fetched) and one of the journey page under
cProfile. Prints a table, saves bench/out/pages-*.json and, for a full-size run or with --out,
rewrites the generated part of the "Pages" section of docs/benchmarks.md.

    .venv/bin/python bench/pages.py                                      # full run, 1 M / 200 k
    .venv/bin/python bench/pages.py --responses 20000 --complaints 4000  # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate
import machine
import report
from engines import BENCH, CommandFailed, Engine

FULL = {"responses": 1_000_000, "complaints": 200_000}
PG_URL = os.environ.get("SAWT_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DOC = BENCH.parent / "docs" / "benchmarks.md"
START = "<!-- bench/pages.py writes from here -->"
END = "<!-- bench/pages.py writes up to here -->"
# The Pages section goes above the heading of bench/run.py's generated part.
BEFORE = "## Figures of the last `make bench`"
AIM: dict[str, Any] = {"page": "journey", "p95": 0.150}  # the aim: journey page p95 < 150 ms
QUIET = ["--no-progress"]
ANALYST = "bench-analyst"


def _pages(top_category: str) -> dict[str, tuple[str, str]]:
    """name → (label, URL), in the order they are timed."""
    journey = f"/journeys/{generate.JOURNEY}/{generate.PERIOD}/"
    return {
        "journey": ("journey page", journey),
        "home": ("portfolio (home)", "/"),
        "period": ("portfolio of the period", f"/periods/{generate.PERIOD}/"),
        "gaps": ("gap register", "/gaps/"),
        "category": (
            "drill-down: top complaint category",
            f"{journey}categories/{top_category}/?source=complaints",
        ),
    }


# ---------------------------------------------------------------------------------------------
# The child process: Django set up against the bench database, every page timed.


def _percentile(times: list[float], pct: int) -> float:
    """The pct-th percentile, interpolated between the two nearest ranks (inclusive method)."""
    return statistics.quantiles(times, n=100, method="inclusive")[pct - 1]


def _rerun(sql: str) -> float:
    """One query run again alone with every row fetched (as bench/probe.py does)."""
    from django.db import connection

    # `QuerySet.iterator()` on PostgreSQL runs its query as a server-side cursor: what was
    # captured is `DECLARE "…" NO SCROLL CURSOR WITH HOLD FOR SELECT …`; time the SELECT.
    declared = re.match(r"DECLARE\s+\S+\s+.*?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+", sql, re.S)
    if declared:
        sql = sql[declared.end() :]
    with connection.cursor() as cur:
        started = time.perf_counter()
        cur.execute(sql)
        cur.fetchall()
        return time.perf_counter() - started


def _time_page(client: Any, url: str, requests: int, warmup: int) -> dict[str, Any]:
    """Warm-up requests, timed requests, then one request with its queries captured."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> tuple[float, Any]:
        started = time.perf_counter()
        response = client.get(url)
        return time.perf_counter() - started, response

    warm = [get()[0] for _ in range(warmup)]
    times, statuses = [], set()
    for _ in range(requests):
        seconds, response = get()
        times.append(seconds)
        statuses.add(response.status_code)
    clock: list[float] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            clock.append(time.perf_counter() - started)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        captured_seconds, response = get()
    statuses.add(response.status_code)
    rerun = [(_rerun(q["sql"]), q["sql"]) for q in captured.captured_queries]
    queries = [{"seconds": s, "sql": text} for s, text in sorted(rerun, key=lambda t: -t[0])]
    return {
        "url": url,
        "warmup": warm,
        "times": times,
        "median": statistics.median(times),
        "p95": _percentile(times, 95),
        "max": max(times),
        "statuses": sorted(statuses),
        "bytes": len(response.content),
        "queries": len(queries),
        "captured_request": captured_seconds,
        # Wall time inside `execute`: with psycopg's client-side cursors it includes the rows.
        "sql_seconds": sum(clock),
        "slowest": queries[:6],
        "html": response.content.decode(errors="replace"),
    }


def _profile(client: Any, url: str, limit: int = 12) -> list[dict[str, Any]]:
    """One request under cProfile: sawt's functions (and Django's `render`) by cumulative time."""
    import cProfile
    import pstats

    import sawt

    root = str(Path(sawt.__file__).resolve().parent.parent) + os.sep
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    rows = []
    for (filename, line, name), entry in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        calls, cumulative = entry[1], entry[3]
        ours = filename.startswith(root + "sawt" + os.sep)
        render = filename.endswith(os.path.join("django", "shortcuts.py")) and name == "render"
        if ours or render:
            where = filename[len(root) :] if ours else "django/shortcuts.py"
            rows.append(
                {"function": f"{where}:{line} {name}", "calls": calls, "seconds": cumulative}
            )
    return sorted(rows, key=lambda r: -r["seconds"])[:limit]


def measure(config: dict[str, Any]) -> dict[str, Any]:
    """Child side: create the analyst, log in, time every page; the answer as plain data."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")
    import secrets

    import django

    django.setup()
    code = machine.code_version()
    from django.conf import settings
    from django.test import Client

    from sawt.accounts.services import user_create
    from sawt.metrics.selectors import journey_summary

    # The test client sends Host: testserver; nothing else in the settings changes.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    password = secrets.token_urlsafe(24)
    user = user_create(username=ANALYST, password=password, role="analyst", actor=None)
    client = Client()
    client.force_login(user)

    summary = journey_summary(journey_slug=generate.JOURNEY, period=generate.PERIOD)
    top = summary["gap_categories"]["complaints"][0]
    mean = summary["overall"]["mean"]
    result: dict[str, Any] = {
        # The code this process imported: the tree may move while the imports run.
        "code_measured": code,
        "overall_mean": mean,
        "sample": summary["sample"],
        "top_category": {"code": top["code"], "count": top["count"]},
        "pages": {},
    }
    for name, (label, url) in _pages(top["code"]).items():
        page = _time_page(client, url, config["requests"], config["warmup"])
        page["label"] = label
        result["pages"][name] = page
        print(
            f"  {label:<36} median {page['median'] * 1000:7.1f} ms, p95 "
            f"{page['p95'] * 1000:7.1f} ms, {page['queries']} queries",
            file=sys.stderr,
        )
    result["profile"] = _profile(client, result["pages"]["journey"]["url"])

    checks = []
    for name, page in result["pages"].items():
        ok = page["statuses"] == [200]
        checks.append((f"{name}: every response is 200 ({page['statuses']})", ok))
    shown = f'<dd class="value">{mean:.1f}</dd>'
    journey_html = result["pages"]["journey"]["html"]
    checks.append(
        (f"the journey page shows the overall mean {mean:.1f} ({mean:.4f})", shown in journey_html)
    )
    expected = (config["responses"], config["complaints"])
    found = (summary["sample"]["responses"], summary["sample"]["complaints"])
    checks.append(
        (f"the journey holds every imported row {found} vs {expected}", found == expected)
    )
    result["checks"] = checks
    for page in result["pages"].values():
        del page["html"]
    return result


# ---------------------------------------------------------------------------------------------
# The parent process: database, imports, the child, the table and the doc.


@contextmanager
def postgres(admin_url: str, workdir: Path | None, keep: bool) -> Iterator[Engine]:
    """A new database `sawt_pages_<pid>` and SAWT_HOME, dropped afterwards unless `keep`."""
    import psycopg
    from psycopg import sql

    name = f"sawt_pages_{os.getpid()}"
    home = Path(tempfile.mkdtemp(prefix="sawt-bench-pages-", dir=workdir))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    try:
        yield Engine("postgres", home, url, dsn=url)
    finally:
        if keep:
            print(f"kept: DATABASE_URL={url} SAWT_HOME={home}", file=sys.stderr)
        else:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                conn.execute(drop.format(sql.Identifier(name)))
            shutil.rmtree(home, ignore_errors=True)


def _setup(engine: Engine, data: Path) -> list[dict[str, Any]]:
    """Migrate, collect static files, import the three files; each step timed."""
    steps = [
        ("sawt migrate", ["migrate", "--no-input", "--verbosity", "0"]),
        ("sawt collectstatic", ["collectstatic", "--no-input", "--verbosity", "0"]),
        ("sawt import-survey", ["import-survey", str(data / "journey.yaml")]),
        (
            "sawt import-responses",
            ["import-responses", *QUIET, "--survey", generate.SURVEY, str(data / "responses.csv")],
        ),
        (
            "sawt import-complaints",
            [
                "import-complaints",
                *QUIET,
                "--journey",
                generate.JOURNEY,
                str(data / "complaints.csv"),
            ],
        ),
    ]
    done = []
    for label, args in steps:
        out = engine.sawt(*args)
        done.append({"step": label, "seconds": out.seconds, "peak_mib": out.peak_mib})
        print(f"  {label:<36} {out.seconds:8.2f} s", file=sys.stderr)
    return done


def _measure_child(engine: Engine, config: dict[str, Any]) -> dict[str, Any]:
    """Run `pages.py measure` in the engine's environment; its progress goes to our stderr."""
    command = [sys.executable, str(BENCH / "pages.py"), "measure", json.dumps(config)]
    proc = subprocess.run(
        command, env=engine.env, cwd=BENCH.parent, stdout=subprocess.PIPE, check=False
    )
    if proc.returncode != 0:
        raise CommandFailed(f"{shlex.join(command)} exited with {proc.returncode} (see above)")
    return json.loads(proc.stdout)


def run_all(args: argparse.Namespace, command: str) -> dict[str, Any]:
    started, wall = dt.datetime.now().astimezone(), time.perf_counter()
    run: dict[str, Any] = {"started": started.isoformat(timespec="seconds"), "command": command}
    run.update(code=machine.code_version(), load_start=machine.load())
    run.update(requests=args.requests, warmup=args.warmup)
    t0 = time.perf_counter()
    data = generate.generate(args.responses, args.complaints, args.seed)
    run["generate_seconds"] = time.perf_counter() - t0
    run["manifest"] = json.loads((data / "manifest.json").read_text())
    described = machine.describe(args.workdir or Path(tempfile.gettempdir()), args.pg_url)
    # No SQLite here: its library version says nothing, and the bench files' disk is just that.
    described.pop("SQLite (library Python uses)", None)
    run["machine"] = {
        k.replace("bench files, SQLite", "bench files"): v for k, v in described.items()
    }
    with postgres(args.pg_url, args.workdir, args.keep) as engine:
        run["steps"] = _setup(engine, data)
        config = {
            "requests": args.requests,
            "warmup": args.warmup,
            "responses": run["manifest"]["responses"],
            "complaints": run["manifest"]["complaints"],
        }
        run.update(_measure_child(engine, config))
    run["load_end"] = machine.load()
    run["total_seconds"] = time.perf_counter() - wall
    return run


HEADER = [
    "page",
    "URL",
    "median",
    "p95",
    "max",
    "first (cold)",
    "queries",
    "SQL in one request",
    "HTML",
    "aim",
]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _rows(run: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, p in run["pages"].items():
        verdict = ""
        if name == AIM["page"]:
            met = p["p95"] < AIM["p95"]
            verdict = f"p95 < {AIM['p95'] * 1000:.0f} ms: {'met' if met else 'MISSED'}"
        first = _ms(p["warmup"][0]) if p["warmup"] else ""
        rows.append(
            [
                p["label"],
                f"`{p['url']}`",
                *(_ms(p[k]) for k in ("median", "p95", "max")),
                first,
                str(p["queries"]),
                f"{_ms(p['sql_seconds'])} of {_ms(p['captured_request'])}",
                f"{p['bytes'] / 1024:,.0f} KiB",
                verdict,
            ]
        )
    return rows


def text_table(run: dict[str, Any]) -> str:
    rows = [[x.replace("`", "") for x in row] for row in _rows(run)]
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = ["  ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)) for r in [HEADER, *rows]]
    journey = run["pages"]["journey"]
    lines += ["", "journey page, slowest queries (each run again alone):"]
    lines += [f"  {q['seconds'] * 1000:8.1f} ms  {q['sql'][:110]}" for q in journey["slowest"]]
    lines += ["", "journey page under cProfile (cumulative):"]
    lines += [
        f"  {r['seconds'] * 1000:8.1f} ms  {r['calls']:>6}×  {r['function']}"
        for r in run["profile"]
    ]
    lines += ["", *(f"{'ok  ' if ok else 'FAIL'} {what}" for what, ok in run["checks"])]
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(row) + " |" for row in rows]


def markdown(run: dict[str, Any]) -> str:
    """The generated part of the Pages section."""
    m = run["manifest"]
    answers = sum(m["answers"].values())
    generated = (
        f"files generated in {run['generate_seconds']:.0f} s"
        if run["generate_seconds"] >= 1
        else "files reused from bench/out"
    )
    journey = run["pages"]["journey"]
    top = run["top_category"]
    code = run.get("code_measured", run["code"])
    if code != run["code"]:
        code += f" (the set-up ran on {run['code']})"
    lines = [
        f"Run {run['started']} on sawt {code}: `{run['command']}`, "
        f"{run['total_seconds'] / 60:.1f} min in all ({generated}). Data: {m['responses']:,} "
        f"responses ({answers:,} answers), {m['complaints']:,} complaints, one journey and "
        f"period ({generate.JOURNEY}, {generate.PERIOD}). Each page: {run['warmup']} warm-up "
        f'requests (the first is the "first (cold)" column), then {run["requests"]} timed; '
        f"p95 interpolated between ranks. The drill-down is of `{top['code']}` "
        f"({top['count']:,} complaints, 50 to a page). Load average (1/5/15 min) at start "
        f"{run['load_start']}, at end {run['load_end']}.",
        "",
        *_md_table(HEADER, _rows(run)),
        "",
        "Set-up, each step a `sawt` command: "
        + ", ".join(f"{s['step'].removeprefix('sawt ')} {s['seconds']:.1f} s" for s in run["steps"])
        + ".",
        "",
        f"The journey page's {journey['queries']} queries, slowest first, each run again alone "
        "with its rows fetched:",
        "",
    ]
    for q in journey["slowest"]:
        sql = q["sql"].replace("`", "'")
        lines.append(f"- {q['seconds'] * 1000:,.1f} ms — `{sql[:150]}…`")
    lines += [
        "",
        "One journey page request under cProfile (which slows Python down, not the database), "
        "sawt's functions by cumulative time:",
        "",
        *_md_table(
            ["cumulative", "calls", "function"],
            [[_ms(r["seconds"]), str(r["calls"]), f"`{r['function']}`"] for r in run["profile"]],
        ),
        "",
        "Machine:",
        "",
        *_md_table(["", ""], [[k, v] for k, v in run["machine"].items()]),
        "",
        *(f"- {what}: {'ok' if ok else '**FAILED**'}" for what, ok in run["checks"]),
    ]
    return "\n".join(lines)


def update_doc(path: Path, generated: str) -> None:
    """Replace the generated Pages figures, or add a Pages section above `BEFORE`."""
    report.update_section(path, generated, start=START, end=END, before=BEFORE, title="Pages")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=FULL["responses"])
    parser.add_argument("--complaints", type=int, default=FULL["complaints"])
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--pg-url", default=PG_URL, help="a database to create the bench DB from")
    parser.add_argument("--workdir", type=Path, help="where SAWT_HOME goes (default: /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the database and SAWT_HOME")
    parser.add_argument(
        "--out", type=Path, help="markdown to update (default docs/benchmarks.md, full runs only)"
    )
    parser.add_argument(
        "--render",
        type=Path,
        metavar="RESULTS_JSON",
        help="only rewrite the doc from saved results",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["measure"]:
        print(json.dumps(measure(json.loads(argv[1])), ensure_ascii=False, default=str))
        return
    parser = _parser()
    args = parser.parse_args(argv)
    if args.render:
        update_doc(args.out or DOC, markdown(json.loads(args.render.read_text())))
        return
    if args.requests < 2 or args.warmup < 0:
        parser.error("--requests must be at least 2 and --warmup at least 0")
    run = run_all(args, shlex.join(["bench/pages.py", *argv]))
    stamp = dt.datetime.fromisoformat(run["started"])
    saved = generate.OUT_ROOT / f"pages-{stamp:%Y%m%d-%H%M%S}.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(run, ensure_ascii=False, indent=2, default=str))
    print(text_table(run))
    print(f"results: {saved}", file=sys.stderr)
    is_full = args.responses == FULL["responses"] and args.complaints == FULL["complaints"]
    out = args.out or (DOC if is_full else None)
    if out:
        update_doc(out, markdown(run))
        print(f"updated {out}", file=sys.stderr)
    if not all(ok for _, ok in run["checks"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
