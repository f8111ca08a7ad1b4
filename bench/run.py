"""`make bench`: import speed and summary time of sawt on SQLite and PostgreSQL, next to raw loads.

For each engine, in a fresh database: migrate, import the journey, then time the imports of
responses and complaints (each right after a raw load of the same file, so the ratio is taken
under the same load of this shared machine), the summary (whole command and the selector
alone), VACUUM/ANALYZE, the summary again, and a re-import of the same responses (which must
change nothing). Prints a table, saves bench/out/results-*.json and, for a full-size run or
with --out, rewrites the generated part of docs/benchmarks.md.

    .venv/bin/python bench/run.py                                 # the full run (1 M / 200 k)
    .venv/bin/python bench/run.py --responses 20000 --complaints 4000 --engines sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline
import generate
import machine
import report
from engines import CommandFailed, Engine, Timed, postgres_engine, sqlite_engine

FULL = {"responses": 1_000_000, "complaints": 200_000}
PG_URL = os.environ.get("SAWT_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SUMMARY_ARGS = ["--journey", generate.JOURNEY, "--period", generate.PERIOD]
COMMAND_REPEAT = 3
# Progress bars would only add writes to a captured stderr.
QUIET = ["--no-progress"]


class Recorder:
    """The steps and findings of one engine, as plain data (for the JSON file and the doc)."""

    def __init__(self, name: str) -> None:
        self.data: dict[str, Any] = {"engine": name, "steps": [], "checks": [], "summary": {}}

    def step(
        self, name: str, seconds: float, rows: int | None = None, baseline: str | None = None
    ) -> dict[str, Any]:
        row = {"step": name, "seconds": seconds, "rows": rows, "baseline": baseline}
        self.data["steps"].append(row)
        rate = f", {rows / seconds:,.0f} rows/s" if rows else ""
        print(f"  {self.data['engine']:<8} {name:<44} {seconds:8.2f} s{rate}", file=sys.stderr)
        return row

    def command(self, name: str, out: Timed, **kwargs: Any) -> None:
        row = self.step(name, out.seconds, **kwargs)
        row.update(cpu_seconds=out.cpu_seconds, peak_mib=out.peak_mib)

    def check(self, what: str, ok: bool, detail: str) -> None:
        self.data["checks"].append({"check": what, "ok": ok, "detail": detail})
        if not ok:
            print(f"  CHECK FAILED ({self.data['engine']}): {what}: {detail}", file=sys.stderr)


def _raw_load(
    engine: Engine, kind: str, path: Path, integers: set[str], times: set[str]
) -> tuple[float, int]:
    """The engine's raw load of a CSV into a bare table (dropped afterwards): (seconds, rows)."""
    table = f"bench_raw_{kind}"
    if engine.dsn:
        return baseline.pg_copy(engine.dsn, table, path, integers=integers, times=times)
    db = engine.home / "raw.sqlite3"
    try:
        return baseline.sqlite_executemany(db, table, path, integers=integers, times=times)
    finally:
        for leftover in engine.home.glob("raw.sqlite3*"):
            leftover.unlink()


def _summary(engine: Engine, rec: Recorder, phase: str, repeat: int, manifest: dict) -> None:
    """The summary command (median of a few runs) and the selector alone (median of `repeat`)."""
    runs = [
        engine.sawt("summary", *SUMMARY_ARGS, "--format", "json") for _ in range(COMMAND_REPEAT)
    ]
    probe = engine.probe("summary", *SUMMARY_ARGS, "--repeat", str(repeat))
    probe["command_median"] = statistics.median(r.seconds for r in runs)
    rec.data["summary"][phase] = probe
    printed = json.loads(runs[-1].stdout)["sample"]
    expected = (manifest["responses"], manifest["complaints"], _scored(manifest))
    found = (printed["responses"], printed["complaints"], probe["scored_answers"])
    rec.check(f"summary ({phase}) counts every row", found == expected, f"{found} vs {expected}")
    print(
        f"  {engine.name:<8} summary ({phase}): command {probe['command_median']:.2f} s, "
        f"journey_summary {probe['median']:.3f} s",
        file=sys.stderr,
    )


def _scored(manifest: dict) -> int:
    return sum(manifest["answers"][code] for code in manifest["scored"])


def _check_counts(rec: Recorder, counts: dict, manifest: dict) -> None:
    stored = (counts["responses"], counts["answers"], counts["complaints"])
    expected = (manifest["responses"], sum(manifest["answers"].values()), manifest["complaints"])
    rec.check("import stored every row", stored == expected, f"{stored} vs {expected}")
    categorised = counts["complaints_categorised"]
    rec.check(
        "complaints keep the file's categories",
        categorised >= manifest["complaints_categorised"],
        f"{categorised} categorised, {manifest['complaints_categorised']} in the file",
    )


def measure(engine: Engine, data: Path, manifest: dict, repeat: int) -> dict[str, Any]:
    """Every step for one engine; an error stops this engine, not the run."""
    rec = Recorder(engine.name)
    try:
        _measure(engine, rec, data, manifest, repeat)
    except CommandFailed as exc:
        rec.data["error"] = str(exc)
        print(f"  {engine.name}: {exc}", file=sys.stderr)
    return rec.data


def _imports(engine: Engine, rec: Recorder, data: Path, manifest: dict) -> None:
    """Each import right after the raw load it is compared with; on PostgreSQL the floor."""
    n, m = manifest["responses"], manifest["complaints"]
    responses, complaints = data / "responses.csv", data / "complaints.csv"
    scored, times = set(manifest["scored"]), {"submitted_at", "received_at"}
    raw = "COPY" if engine.dsn else "executemany"
    seconds, rows = _raw_load(engine, "responses", responses, scored, times)
    rec.step(f"{raw} responses CSV → bare table", seconds, rows)
    out = engine.sawt("import-responses", *QUIET, "--survey", generate.SURVEY, str(responses))
    rec.command("sawt import-responses", out, rows=n, baseline=f"{raw} responses CSV → bare table")
    seconds, rows = _raw_load(engine, "complaints", complaints, set(), times)
    rec.step(f"{raw} complaints CSV → bare table", seconds, rows)
    out = engine.sawt("import-complaints", *QUIET, "--journey", generate.JOURNEY, str(complaints))
    rec.command(
        "sawt import-complaints", out, rows=m, baseline=f"{raw} complaints CSV → bare table"
    )
    if engine.dsn:
        texts = [c for c in manifest["answers"] if c not in scored]
        long_form = data / "answers-long.csv"
        baseline.write_long_form(responses, long_form, manifest["scored"], texts)
        seconds, rows = baseline.pg_copy_answers(engine.dsn, long_form)
        # Compared with the raw COPY of the same file: what one row per answer costs.
        rec.step(
            "COPY answers (long form) → clone of surveys_answer",
            seconds,
            rows,
            baseline=f"{raw} responses CSV → bare table",
        )


def _measure(engine: Engine, rec: Recorder, data: Path, manifest: dict, repeat: int) -> None:
    start_up = [engine.sawt("summary", "--help").seconds for _ in range(COMMAND_REPEAT)]
    rec.step("start-up (`sawt summary --help`)", statistics.median(start_up))
    rec.command("sawt migrate", engine.sawt("migrate", "--no-input", "--verbosity", "0"))
    rec.command("sawt import-survey", engine.sawt("import-survey", str(data / "journey.yaml")))
    _imports(engine, rec, data, manifest)

    before = engine.probe("counts")
    rec.data["counts_after_import"] = before
    _check_counts(rec, before, manifest)
    _summary(engine, rec, "as imported", repeat, manifest)
    rec.step("VACUUM (ANALYZE)" if engine.dsn else "ANALYZE", engine.probe("maintain")["seconds"])
    _summary(engine, rec, "after vacuum/analyze", repeat, manifest)
    rec.data["explain"] = engine.probe("explain", *SUMMARY_ARGS)

    responses = str(data / "responses.csv")
    out = engine.sawt("import-responses", *QUIET, "--survey", generate.SURVEY, responses)
    rec.command("sawt import-responses again (no change)", out, rows=manifest["responses"])
    after = engine.probe("counts")
    rec.data["counts_after_reimport"] = after
    # Rows and ids must match; file size and statistics are physical and reported apart.
    same = all(after[k] == before[k] for k in before if k not in report.PHYSICAL)
    rec.check("re-import changed nothing", same, report.count_changes(before, after))
    _summary(engine, rec, "after re-import", repeat, manifest)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=FULL["responses"])
    parser.add_argument("--complaints", type=int, default=FULL["complaints"])
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated")
    parser.add_argument("--pg-url", default=PG_URL, help="a database to create the bench DB from")
    parser.add_argument("--repeat", type=int, default=5, help="journey_summary calls per phase")
    parser.add_argument("--workdir", type=Path, help="where the SQLite files go (default: /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
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


def run_all(args: argparse.Namespace, engines: list[str], command: str) -> dict[str, Any]:
    """Generate (or reuse) the files, measure every engine, and return the whole run."""
    started, wall = dt.datetime.now().astimezone(), time.perf_counter()
    run: dict[str, Any] = {"started": started.isoformat(timespec="seconds"), "engines": []}
    run.update(command=command, load_start=machine.load(), code=machine.code_version())
    t0 = time.perf_counter()
    data = generate.generate(args.responses, args.complaints, args.seed)
    run["generate_seconds"] = time.perf_counter() - t0
    run["manifest"] = json.loads((data / "manifest.json").read_text())
    pg_url = args.pg_url if "postgres" in engines else None
    run["machine"] = machine.describe(args.workdir or Path(tempfile.gettempdir()), pg_url)
    for name in engines:
        if name == "sqlite":
            context = sqlite_engine(args.workdir, args.keep)
        else:
            context = postgres_engine(args.pg_url, args.workdir, args.keep)
        with context as engine:
            run["engines"].append(measure(engine, data, run["manifest"], args.repeat))
    run["load_end"] = machine.load()
    run["total_seconds"] = time.perf_counter() - wall
    return run


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.render:
        report.update_doc(
            args.out or report.DOC, report.markdown(json.loads(args.render.read_text()))
        )
        return
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for name in engines:
        if name not in ("sqlite", "postgres"):
            parser.error(f"unknown engine {name!r} (sqlite, postgres)")
    command = shlex.join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    run = run_all(args, engines, command)

    stamp = dt.datetime.fromisoformat(run["started"])
    saved = generate.OUT_ROOT / f"results-{stamp:%Y%m%d-%H%M%S}.json"
    saved.write_text(json.dumps(run, ensure_ascii=False, indent=2, default=str))
    print(report.text_table(run))
    print(f"results: {saved}", file=sys.stderr)
    is_full = args.responses == FULL["responses"] and args.complaints == FULL["complaints"]
    out = args.out or (report.DOC if is_full else None)
    if out:
        report.update_doc(out, report.markdown(run))
        print(f"updated {out}", file=sys.stderr)
    if any(e.get("error") or not all(c["ok"] for c in e["checks"]) for e in run["engines"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
