"""The public form under load: 1,000 people send their answers, 100 at once, to `sawt serve`.

For each engine (a new SQLite file; a throwaway PostgreSQL database) it migrates, imports the
example journey (docs/examples/contractor-classification.yaml, survey cc-2022-07), and gives it
N invitees with an invitation each and a link token made by sawt.distribution.links
(bench/form_load_data.py). It then starts `sawt serve` on 127.0.0.1 with bench-only settings
(bench/form_load_settings.py), which add a bare Django view beside sawt's URLs as the baseline,
and drives it from threads with http.client, never more than `--concurrency` at once:

1. warm-up: 20 visits of the bare view, 10 GETs of form links;
2. baseline: N visits of the bare view (GET a form with its CSRF token, POST it, 303);
3. the form: N visits of `/s/<token>/`, each link once (GET the form, POST every answer, 303);
4. duplicates: the first `--concurrency` links posted again, all at once (nothing may change);
5. the database is read: N invitations completed, N responses, one per invitee, every answer.

Each request has a timeout, nothing is retried (a retry would hide a lost or doubled answer),
and the server listens on the loopback only. The figures go to bench/out/form-load-*.json and,
unless --no-write, between the markers of docs/benchmarks.md's "The public form under load".
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import machine
import psycopg
import report
from engines import BENCH, ROOT, SAWT, Engine, sqlite_engine, timed
from psycopg import sql

DOC = ROOT / "docs" / "benchmarks.md"
START = "<!-- bench/form_load.py writes from here -->"
END = "<!-- bench/form_load.py writes up to here -->"
BEFORE = "## Redaction"
DEFINITION = ROOT / "docs" / "examples" / "contractor-classification.yaml"
SURVEY = "cc-2022-07"
HOST = "127.0.0.1"
# Generous: a request this slow is a failure to report, not a figure.
REQUEST_TIMEOUT = 60.0
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OPEN_TEXTS = ("تأخر الرد على طلبي أسبوعين", "الموقع لا يقبل المرفقات", "الخدمة ممتازة")


@dataclass
class Visit:
    """One person's visit: the form fetched, then posted (the POST is the submission)."""

    get_seconds: float | None = None
    post_seconds: float | None = None
    get_status: int | None = None
    post_status: int | None = None
    error: str = ""


class _Client(threading.local):
    """One keep-alive connection per driver thread, opened again after an error."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> tuple[int, str, list[str], float]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except Exception:
            self.conn.close()
            self.conn = None
            raise
        seconds = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response.status, text, response.headers.get_all("Set-Cookie") or [], seconds


def _csrf_cookie(cookies: list[str]) -> str | None:
    for cookie in cookies:
        name, _, rest = cookie.partition("=")
        if name.strip() == "csrftoken":
            return rest.split(";", 1)[0]
    return None


def _visit(client: _Client, path: str, answers: dict[str, str]) -> Visit:
    """GET the form (a new visitor: no cookie), then POST the answers with its CSRF token."""
    visit = Visit()
    try:
        status, html, cookies, visit.get_seconds = client.request("GET", path, None, {})
        visit.get_status = status
        cookie, hidden = _csrf_cookie(cookies), CSRF_INPUT.search(html)
        if status != 200 or cookie is None or hidden is None:
            visit.error = f"GET {status}: no form with a CSRF token"
            return visit
        body = urlencode({"csrfmiddlewaretoken": hidden.group(1), **answers})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
        }
        visit.post_status, _, _, visit.post_seconds = client.request("POST", path, body, headers)
    except Exception as error:
        visit.error = f"{type(error).__name__}: {error}"
    return visit


def _post_only(client: _Client, path: str, answers: dict[str, str], csrf: tuple[str, str]) -> Visit:
    """POST answers again to a link already used, with a CSRF pair fetched beforehand."""
    visit = Visit()
    body = urlencode({"csrfmiddlewaretoken": csrf[1], **answers})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf[0]}",
    }
    try:
        visit.post_status, _, _, visit.post_seconds = client.request("POST", path, body, headers)
    except Exception as error:
        visit.error = f"{type(error).__name__}: {error}"
    return visit


def answers_for(questions: list[dict[str, Any]], index: int) -> dict[str, str]:
    """A person's answers, the same for the same index: every scored item, an open answer for
    one in ten."""
    rng = random.Random(index)
    answers = {}
    for q in questions:
        if q["kind"] == "text":
            if index % 10 == 0:
                answers[q["code"]] = rng.choice(OPEN_TEXTS)
        else:
            answers[q["code"]] = str(rng.randint(q["scale_min"], q["scale_max"]))
    return answers


def _phase(
    port: int, jobs: Sequence[Callable[[_Client], Visit]], concurrency: int
) -> tuple[list[Visit], float]:
    """Run every job on `concurrency` threads; (visits in job order, wall seconds)."""
    client = _Client(port)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        started = time.perf_counter()
        visits = list(pool.map(lambda job: job(client), jobs))
        seconds = time.perf_counter() - started
    return visits, seconds


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def _figures(visits: list[Visit], seconds: float, expected_post: int) -> dict[str, Any]:
    """Latencies (ms) of the GETs and the POSTs, statuses, errors and throughput."""

    def ms(values: list[float | None]) -> dict[str, float | None]:
        present = [v * 1000 for v in values if v is not None]
        return {
            "median": statistics.median(present) if present else None,
            "p95": _quantile(present, 0.95),
            "max": max(present) if present else None,
        }

    ok = sum(1 for v in visits if v.post_status == expected_post and not v.error)
    return {
        "visits": len(visits),
        "seconds": seconds,
        "submissions_per_second": ok / seconds if seconds else None,
        "ok": ok,
        "get_ms": ms([v.get_seconds for v in visits]),
        "post_ms": ms([v.post_seconds for v in visits]),
        "get_statuses": dict(Counter(str(v.get_status) for v in visits if v.get_status)),
        "post_statuses": dict(Counter(str(v.post_status) for v in visits if v.post_status)),
        "errors": dict(Counter(v.error.split(":")[0] for v in visits if v.error)),
        "first_errors": [v.error for v in visits if v.error][:5],
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _sizes(workers: int, threads: int) -> list[str]:
    return ["--workers", str(workers), "--threads", str(threads)]


@contextmanager
def serving(engine: Engine, workers: int, threads: int, log: Path) -> Iterator[int]:
    """`sawt serve` with the bench settings on a free loopback port; stopped at the end."""
    port = _free_port()
    env = {
        **engine.env,
        "DJANGO_SETTINGS_MODULE": "form_load_settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH), engine.env.get("PYTHONPATH")])),
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [*SAWT, "serve", "--host", HOST, "--port", str(port), *_sizes(workers, threads)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # gunicorn's master, workers and job worker stop together
        )
        try:
            _wait_until_up(port, process)
            yield port
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _wait_until_up(port: int, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sawt serve exited with status {process.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"sawt serve did not answer on port {port} within {seconds} s")


@contextmanager
def postgres(admin_url: str, name: str, workdir: Path | None) -> Iterator[Engine]:
    """Database `name` on the server of `admin_url`, made anew for the run; dropped at the end,
    or left empty again when it existed before (a database someone gave the bench to use)."""
    home = Path(tempfile.mkdtemp(prefix="sawt-form-pg-", dir=workdir))
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        conn.execute(drop)
        conn.execute(create)
    url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    try:
        yield Engine("postgres", home, url, dsn=url)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(drop)
            if found:
                conn.execute(create)
        shutil.rmtree(home, ignore_errors=True)


def _data(engine: Engine, *args: str) -> dict[str, Any]:
    """bench/form_load_data.py ACTION in the engine's environment; its JSON answer."""
    command = [sys.executable, str(BENCH / "form_load_data.py"), *args]
    result: dict[str, Any] = json.loads(timed(command, engine.env).stdout)
    return result


def run_engine(engine: Engine, args: argparse.Namespace) -> dict[str, Any]:
    """Set up, serve, drive and check one engine; its figures and checks."""
    result: dict[str, Any] = {"engine": engine.name, "checks": []}
    engine.sawt("migrate", "--no-input", "--verbosity", "0")
    engine.sawt("import-survey", str(DEFINITION))
    links = engine.home / "links.json"
    result["setup"] = _data(
        engine, "setup", "--survey", SURVEY, "--count", str(args.submissions), "--out", str(links)
    )
    data = json.loads(links.read_text())
    tokens, questions = data["tokens"], data["questions"]
    answers = [answers_for(questions, i) for i in range(len(tokens))]
    n, c = len(tokens), args.concurrency
    # Kept in bench/out/ (git-ignored): the server's errors, if any, are read there.
    log = BENCH / "out" / f"form-load-{engine.name}-serve.log"
    log.parent.mkdir(exist_ok=True)
    with serving(engine, args.workers, args.threads, log) as port:
        _phase(
            port,
            [partial(_visit, path=f"/bench/bare/warm-{i}/", answers={}) for i in range(20)],
            10,
        )
        _phase(port, [partial(_get_only, path=f"/s/{t}/") for t in tokens[:10]], 10)
        bare = [partial(_visit, path=f"/bench/bare/b{i}/", answers=answers[i]) for i in range(n)]
        result["bare"] = _figures(*_phase(port, bare, c), expected_post=303)
        form = [partial(_visit, path=f"/s/{tokens[i]}/", answers=answers[i]) for i in range(n)]
        result["form"] = _figures(*_phase(port, form, c), expected_post=303)
        csrf = _csrf_pair(port)
        again = [
            partial(_post_only, path=f"/s/{tokens[i]}/", answers=answers[i], csrf=csrf)
            for i in range(min(c, n))
        ]
        result["duplicates"] = _figures(*_phase(port, again, c), expected_post=200)
    result["database"] = _data(engine, "check", "--survey", SURVEY)
    expected_answers = sum(len(a) for a in answers)
    result["checks"] = _checks(result, n, expected_answers)
    return result


def _get_only(client: _Client, path: str) -> Visit:
    visit = Visit()
    try:
        visit.get_status, _, _, visit.get_seconds = client.request("GET", path, None, {})
    except Exception as error:
        visit.error = f"{type(error).__name__}: {error}"
    return visit


def _csrf_pair(port: int) -> tuple[str, str]:
    """(cookie, form value) of one CSRF token, from the bare view."""
    client = _Client(port)
    status, html, cookies, _ = client.request("GET", "/bench/bare/csrf/", None, {})
    cookie, hidden = _csrf_cookie(cookies), CSRF_INPUT.search(html)
    if status != 200 or cookie is None or hidden is None:
        raise RuntimeError(f"no CSRF token from the bare view (status {status})")
    return cookie, hidden.group(1)


def _checks(result: dict[str, Any], n: int, answers: int) -> list[dict[str, Any]]:
    db, form, dup = result["database"], result["form"], result["duplicates"]

    def check(name: str, ok: bool, detail: Any) -> dict[str, Any]:
        return {"check": name, "ok": bool(ok), "detail": str(detail)}

    return [
        check(
            "every form GET answered 200", form["get_statuses"] == {"200": n}, form["get_statuses"]
        ),
        check(
            "every submission answered 303",
            form["post_statuses"] == {"303": n},
            form["post_statuses"],
        ),
        check("no request failed or timed out", not form["errors"], form["errors"] or "none"),
        check(
            f"{n} invitations completed, each with its time and response",
            db["states"] == {"completed": n}
            and db["completed_with_time"] == db["completed_with_response"] == n,
            db["states"],
        ),
        check(
            f"{n} responses, one per invitee (none lost, none doubled)",
            db["responses"] == db["respondents"] == db["respondents_invited"] == n,
            f"{db['responses']} responses, {db['respondents']} respondents",
        ),
        check(f"every answer stored ({answers})", db["answers"] == answers, db["answers"]),
        check(
            "links posted again change nothing (no 5xx)",
            not any(s.startswith("5") for s in dup["post_statuses"]) and not dup["errors"],
            dup["post_statuses"],
        ),
        check(
            "the bare view answered every visit", result["bare"]["ok"] == n, result["bare"]["ok"]
        ),
    ]


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def markdown(run: dict[str, Any]) -> str:
    """The generated part of docs/benchmarks.md's "The public form under load"."""
    lines = [
        f"Run {run['started']} on sawt {run['version']}: `bench/form_load.py`, "
        f"{run['submissions']:,} submissions, {run['concurrency']} at once, `sawt serve` with "
        f"{run['workers']} workers × {run['threads']} threads on 127.0.0.1. Load average "
        f"(1/5/15 min) at start {run['load_start']}, at end {run['load_end']}.",
        "",
        "| engine | what | submissions/s | POST median | POST p95 | POST max | GET p95 "
        "| p95 × bare | throughput × bare |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for e in run["engines"]:
        if "form" not in e:
            lines.append(f"| {e['engine']} | failed: {e.get('error', '?')} | | | | | | | |")
            continue
        bare, form = e["bare"], e["form"]
        for label, f in (("bare Django view", bare), ("the public form `/s/<token>/`", form)):
            ratio_p95 = (
                f"{f['post_ms']['p95'] / bare['post_ms']['p95']:.1f}×"
                if f is form and bare["post_ms"]["p95"]
                else ""
            )
            ratio_tp = (
                f"{f['submissions_per_second'] / bare['submissions_per_second']:.2f}×"
                if f is form and bare["submissions_per_second"]
                else ""
            )
            lines.append(
                f"| {e['engine']} | {label} | {f['submissions_per_second']:,.1f} "
                f"| {_ms(f['post_ms']['median'])} | {_ms(f['post_ms']['p95'])} "
                f"| {_ms(f['post_ms']['max'])} | {_ms(f['get_ms']['p95'])} | {ratio_p95} "
                f"| {ratio_tp} |"
            )
    lines += ["", "Checks (a failed check makes the command fail):", ""]
    for e in run["engines"]:
        for c in e.get("checks", []):
            lines.append(
                f"- {e['engine']}: {c['check']}: {'ok' if c['ok'] else 'FAILED'} ({c['detail']})"
            )
    lines += ["", "Machine:", "", "|  |  |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in run["machine"].items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("SAWT_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a database URL with the right to create databases (the default is local)",
    )
    parser.add_argument("--pg-database", default=f"sawt_formload_{os.getpid()}")
    parser.add_argument("--workers", type=int, default=3, help="sawt serve's default")
    parser.add_argument("--threads", type=int, default=8, help="sawt serve's default")
    parser.add_argument("--workdir", type=Path, help="where the temporary homes go")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args()
    if not 0 < args.concurrency <= 200 or not 0 < args.submissions <= 20_000:
        parser.error("keep it bounded: 1-200 at once, 1-20,000 submissions")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    run: dict[str, Any] = {
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": machine.code_version(),
        "submissions": args.submissions,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "threads": args.threads,
        "load_start": machine.load(),
        "engines": [],
    }
    for name in engines:
        print(f"{name}: setting up, then {args.submissions} submissions…", flush=True)
        context = (
            sqlite_engine(args.workdir, keep=False)
            if name == "sqlite"
            else postgres(args.pg_url, args.pg_database, args.workdir)
        )
        with context as engine:
            try:
                figures = run_engine(engine, args)
            except Exception as error:
                figures = {
                    "engine": name,
                    "error": f"{type(error).__name__}: {error}",
                    "checks": [],
                }
        run["engines"].append(figures)
        for c in figures["checks"]:
            print(f"  {'ok  ' if c['ok'] else 'FAIL'} {c['check']} ({c['detail']})", flush=True)
    run["load_end"] = machine.load()
    run["machine"] = machine.describe(ROOT, args.pg_url if "postgres" in engines else None)
    out = BENCH / "out" / f"form-load-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({**run, "visits": None}, indent=2, default=str))
    text = markdown(run)
    print(text)
    if not args.no_write:
        report.update_section(
            DOC, text, start=START, end=END, before=BEFORE, title="The public form under load"
        )
    failed = [e for e in run["engines"] if e.get("error") or not all(c["ok"] for c in e["checks"])]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
