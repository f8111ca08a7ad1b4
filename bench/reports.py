"""`make bench-reports`: how long the demo journey's PDF, the portfolio PDF and the XLSX take.

In a new SQLite database under a temporary SAWT_HOME: load the demo, import eighteen generated
journeys of 2022-06 (bench/portfolio.py) so the period holds twenty, then time as the user runs
them (each the median of --repeat runs of the whole command, Python start-up included):
`sawt report` of the demo journey in Arabic and in English, `sawt report` of the period's
portfolio, and `sawt export` of the demo journey; then the same commands in one process, which
leaves out the start-up (the first call apart: it also pays for the renderer's imports and
fonts). Prints a table, saves bench/out/reports-*.json and, for a full run or with --out,
rewrites the "Reports" figures in docs/benchmarks.md.

    .venv/bin/python bench/reports.py               # the full run
    .venv/bin/python bench/reports.py --repeat 1    # a quick look
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate
import machine
import portfolio
import report
from engines import BENCH, CommandFailed, Engine, sqlite_engine, timed

DEMO = "contractor-classification"
PERIOD = portfolio.PERIOD
JOURNEYS = 20
DOC = BENCH.parent / "docs" / "benchmarks.md"
START = "<!-- bench/reports.py writes from here -->"
END = "<!-- bench/reports.py writes up to here -->"
BEFORE = "<!-- bench/run.py writes from here -->"  # the Reports section goes above run.py's part
# The aims, on the whole command as a person runs it.
AIMS = {"demo-ar": 3.0, "portfolio": 30.0}


def _cases(out: Path) -> dict[str, tuple[str, list[str], Path]]:
    """name → (label, `sawt` arguments, file written)."""
    journey = ["--journey", DEMO, "--period", PERIOD]
    return {
        "demo-ar": ("demo journey PDF (Arabic)", ["report", *journey], out / "demo-ar.pdf"),
        "demo-en": (
            "demo journey PDF (English)",
            ["report", *journey, "--lang", "en"],
            out / "demo-en.pdf",
        ),
        "portfolio": (
            f"portfolio PDF ({JOURNEYS} journeys)",
            ["report", "--period", PERIOD],
            out / "portfolio.pdf",
        ),
        "export": ("demo journey XLSX", ["export", *journey], out / "demo.xlsx"),
    }


def _pages(path: Path) -> int | None:
    if path.suffix != ".pdf" or not path.exists():
        return None
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def _report_available(engine: Engine, out: Path) -> str | None:
    """None if `sawt report` exists and writes the demo's PDF; else why not."""
    try:
        engine.sawt("report", "--help")
        probe = out / "probe.pdf"
        engine.sawt("report", "--journey", DEMO, "--period", PERIOD, "--out", str(probe))
    except CommandFailed as exc:
        return str(exc).splitlines()[-1]
    return None if probe.exists() else "`sawt report` wrote no file"


def _in_process(engine: Engine, runs: list[list[str]], repeat: int) -> list[list[float]]:
    """Each command run `repeat` times in one Python process that has Django set up."""
    script = BENCH / "reports.py"
    out = timed(
        [sys.executable, str(script), "in-process", str(repeat), json.dumps(runs)], engine.env
    )
    return json.loads(out.stdout)


def measure(engine: Engine, out: Path, repeat: int, skip_report: bool) -> dict[str, Any]:
    """Start-up, then every case as a command (median) and in one process (first, median)."""
    result: dict[str, Any] = {"cases": {}, "checks": []}
    start_up = [engine.sawt("export", "--help").seconds for _ in range(repeat)]
    result["start_up"] = statistics.median(start_up)
    why = "skipped (--skip-report)" if skip_report else _report_available(engine, out)
    result["report_missing"] = why
    cases = {k: v for k, v in _cases(out).items() if k == "export" or why is None}
    for name, (label, args, path) in cases.items():
        runs = [engine.sawt(*args, "--out", str(path)) for _ in range(repeat)]
        result["cases"][name] = {
            "label": label,
            "command": "sawt " + " ".join([*args, "--out", path.name]),
            "median": statistics.median(r.seconds for r in runs),
            "times": [r.seconds for r in runs],
            "cpu": statistics.median(r.cpu_seconds for r in runs),
            "peak_mib": max(r.peak_mib for r in runs),
            "pages": _pages(path),
            "bytes": path.stat().st_size,
        }
        print(f"  {label:<34} {result['cases'][name]['median']:6.2f} s", file=sys.stderr)
    # In one process the files go elsewhere, so the pages counted above are the commands'.
    commands = [[*cases[n][1], "--out", str(out / f"in-process-{cases[n][2].name}")] for n in cases]
    for name, times in zip(cases, _in_process(engine, commands, max(repeat, 2)), strict=True):
        case = result["cases"][name]
        case.update(first=times[0], warm=statistics.median(times[1:]))
    _check(result, out)
    return result


def _check(result: dict[str, Any], out: Path) -> None:
    from openpyxl import load_workbook

    summary = load_workbook(out / "demo.xlsx").worksheets[0]
    figures = [value.value for _, value in summary.iter_rows(min_row=2)]
    result["checks"].append(
        ("the XLSX holds the demo's overall mean 3.890625", 3.890625 in figures)
    )
    for name, case in result["cases"].items():
        if case["pages"] is not None:
            result["checks"].append((f"{name}: the PDF has pages", case["pages"] > 0))


def _setup(engine: Engine, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    engine.sawt("demo", "--load-only")
    portfolio.write(data, args.respondents, args.complaints, args.seed)
    out = timed([sys.executable, str(BENCH / "portfolio.py"), "load", str(data)], engine.env)
    counts = json.loads(out.stdout)
    counts["seconds"] = time.perf_counter() - started
    print(f"  data: {counts}", file=sys.stderr)
    return counts


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    """Set up the period's twenty journeys, time every case, describe the machine."""
    started, wall = dt.datetime.now().astimezone(), time.perf_counter()
    run: dict[str, Any] = {"started": started.isoformat(timespec="seconds"), "repeat": args.repeat}
    run.update(code=machine.code_version(), load_start=machine.load(), command=" ".join(sys.argv))
    with sqlite_engine(args.workdir, args.keep) as engine:
        data, out = engine.home / "inputs", engine.home / "out"
        out.mkdir()
        run["data"] = _setup(engine, data, args)
        run.update(measure(engine, out, args.repeat, args.skip_report))
        found = run["data"]["journeys"]
        run["checks"].append((f"the period holds {JOURNEYS} journeys ({found})", found == JOURNEYS))
        run["machine"] = {**machine.describe(engine.home, None), **_renderer()}
    run["load_end"] = machine.load()
    run["total_seconds"] = time.perf_counter() - wall
    return run


def _renderer() -> dict[str, str]:
    from importlib import metadata

    from weasyprint.text.ffi import pango

    v = pango.pango_version()
    pango_version = f"{v // 10000}.{v // 100 % 100}.{v % 100}"
    return {
        "WeasyPrint / Pango": f"{metadata.version('weasyprint')} / {pango_version}",
        "openpyxl": metadata.version("openpyxl"),
    }


HEADER = [
    "what",
    "command (median)",
    "in one process: first",
    "warm (median)",
    "pages",
    "CPU s",
    "peak MiB",
    "aim",
]


def _rows(run: dict[str, Any]) -> list[list[str]]:
    rows = [["start-up (`sawt export --help`)", f"{run['start_up']:.2f} s", "", "", "", "", "", ""]]
    for name, c in run["cases"].items():
        aim = AIMS.get(name)
        verdict = f"< {aim:.0f} s: {'met' if c['median'] < aim else 'MISSED'}" if aim else ""
        times = [f"{c[k]:.2f} s" for k in ("median", "first", "warm")]
        pages = str(c["pages"] or "")
        rows.append(
            [c["label"], *times, pages, f"{c['cpu']:.1f}", f"{c['peak_mib']:,.0f}", verdict]
        )
    return rows


def text_table(run: dict[str, Any]) -> str:
    rows = _rows(run)
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = ["  ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)) for r in [HEADER, *rows]]
    if run["report_missing"]:
        lines.append(f"sawt report not measured: {run['report_missing']}")
    lines += [f"{'ok  ' if ok else 'FAIL'} {what}" for what, ok in run["checks"]]
    return "\n".join(lines)


def markdown(run: dict[str, Any]) -> str:
    """The generated part of the Reports section."""
    d = run["data"]
    lines = [
        f"Run {run['started']} on sawt {run['code']}: `bench/reports.py`, "
        f"{run['total_seconds'] / 60:.1f} min in all (set-up {d['seconds']:.0f} s). Data: "
        f"{d['journeys']} journeys in {PERIOD} with {d['responses']:,} responses (the demo's two "
        f"and {len(portfolio.JOURNEYS)} generated, with {d['generated_gaps']} gaps and "
        f"{d['generated_recommendations']} recommendations among the generated ones). Command "
        f"times are the median of {run['repeat']}; in one process, the first call and the "
        f"median of the others. Load average (1/5/15 min) at start {run['load_start']}, "
        f"at end {run['load_end']}.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
        *("| " + " | ".join(r) + " |" for r in _rows(run)),
        "",
    ]
    if run["report_missing"]:
        lines += [f"`sawt report` was not measured: {run['report_missing']}.", ""]
    lines += ["Machine:", "", "|  |  |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in run["machine"].items()]
    lines += ["", *(f"- {what}: {'ok' if ok else '**FAILED**'}" for what, ok in run["checks"])]
    return "\n".join(lines)


def update_doc(path: Path, generated: str) -> None:
    """Replace the generated Reports figures, or add a Reports section above `BEFORE`."""
    report.update_section(path, generated, start=START, end=END, before=BEFORE, title="Reports")


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    # The commands print the path they wrote; stdout carries only the JSON answer.
    real, sys.stdout = sys.stdout, sys.stderr
    try:
        yield
    finally:
        sys.stdout = real


def in_process(repeat: int, runs: list[list[str]]) -> None:
    """Child side of `_in_process`: time each command `repeat` times via call_command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    times = []
    with _quiet_stdout():
        for args in runs:
            command = args[0].replace("-", "_")
            case = []
            for _ in range(repeat):
                started = time.perf_counter()
                call_command(command, *args[1:])
                case.append(time.perf_counter() - started)
            times.append(case)
    print(json.dumps(times))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command")
    parser.add_argument("--respondents", type=int, default=250, help="per generated journey")
    parser.add_argument("--complaints", type=int, default=500, help="per generated journey")
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--workdir", type=Path, help="where the temporary SAWT_HOME goes")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    parser.add_argument("--skip-report", action="store_true", help="time the export only")
    parser.add_argument("--out", type=Path, help="markdown to update (default: full runs only)")
    parser.add_argument(
        "--render",
        type=Path,
        metavar="RESULTS_JSON",
        help="only rewrite the doc from saved results",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["in-process"]:
        in_process(int(argv[1]), json.loads(argv[2]))
        return
    args = _parser().parse_args(argv)
    if args.render:
        update_doc(args.out or DOC, markdown(json.loads(args.render.read_text())))
        return
    run = run_all(args)
    stamp = dt.datetime.fromisoformat(run["started"])
    saved = generate.OUT_ROOT / f"reports-{stamp:%Y%m%d-%H%M%S}.json"
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(run, ensure_ascii=False, indent=2, default=str))
    print(text_table(run))
    print(f"results: {saved}", file=sys.stderr)
    full = args.repeat >= 3 and not args.skip_report and not run["report_missing"]
    if args.out or full:
        update_doc(args.out or DOC, markdown(run))
        print(f"updated {args.out or DOC}", file=sys.stderr)
    if not all(ok for _, ok in run["checks"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
