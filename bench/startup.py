"""Start-up: how long `sawt` takes before it does any work, and which heavy libraries it loads.

    .venv/bin/python bench/startup.py [--repeat 15] [--before DIR --before-label LABEL] [--no-write]

Each case runs as a person runs it, a new process each time (median and fastest of --repeat):
`sawt --help`, `sawt summary --help`, `sawt import-responses --help`, `sawt classifier --help`,
and the web server's start (Django set up, the WSGI application and the whole URL map, which
imports every view). One more run of each lists the heavy libraries (scikit-learn, SciPy, NumPy,
joblib, openpyxl, WeasyPrint) it loaded. With --before DIR, the same cases also run on the sawt
package under DIR (an older commit unpacked with `git archive COMMIT | tar -x -C DIR`), for a
before and after. Writes its section of docs/benchmarks.md unless --no-write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import machine  # noqa: E402
import report  # noqa: E402
from engines import SAWT, timed  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START = "<!-- bench/startup.py writes from here -->"
END = "<!-- bench/startup.py writes up to here -->"
BEFORE = "## Redaction"
HEAVY = ("sklearn", "scipy", "numpy", "joblib", "openpyxl", "weasyprint")
WEB = (
    "import django; django.setup(); "
    "from sawt.config.wsgi import application; "
    "from django.urls import get_resolver; get_resolver().url_patterns"
)
# -P: the working directory stays off sys.path, so with --before the `sawt` imported is DIR's.
PYTHON = [sys.executable, "-P", "-c"]
# label → the command, as a list of arguments after the interpreter or the `sawt` script.
CASES: dict[str, list[str]] = {
    "`sawt --help`": [*SAWT, "--help"],
    "`sawt summary --help`": [*SAWT, "summary", "--help"],
    "`sawt import-responses --help`": [*SAWT, "import-responses", "--help"],
    "`sawt classifier --help`": [*SAWT, "classifier", "--help"],
    "web server start (setup, WSGI app, URL map)": [*PYTHON, WEB],
}
# Prints the heavy modules loaded once the command is done (run apart from the timed runs).
PROBE = (
    "import atexit, json, sys\n"
    "atexit.register(lambda: print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)),"
    " file=sys.stderr))\n"
    "{body}\n"
)


@dataclass(frozen=True)
class Startup:
    """One case's figures: median and fastest wall time, heavy libraries it loaded."""

    median: float
    fastest: float
    heavy: list[str]


def _env(code: Path | None, home: Path) -> dict[str, str]:
    env = {**os.environ, "SAWT_HOME": str(home), "DJANGO_SETTINGS_MODULE": "sawt.config.settings"}
    if code is not None:
        # Ahead of the editable install: this directory's `sawt` package is the one imported.
        env["PYTHONPATH"] = str(code)
    return env


def _heavy(command: list[str], env: dict[str, str]) -> list[str]:
    if command[: len(PYTHON)] == PYTHON:
        body = command[len(PYTHON)].replace("; ", "\n")
    else:
        args = command[len(SAWT) :]
        body = f"import sys\nfrom sawt.cli import main\nsys.argv = ['sawt', *{args!r}]\nmain()"
    run = subprocess.run(
        [*PYTHON, PROBE.format(heavy=HEAVY, body=body)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    return json.loads(run.stderr.strip().splitlines()[-1])


def measure(codes: list[Path | None], repeat: int) -> list[dict[str, Startup]]:
    """For each code tree (None: this one), label → its figures. The trees take turns run by
    run, so a busy moment of the shared machine falls on both alike."""
    results: list[dict[str, Startup]] = [{} for _ in codes]
    with tempfile.TemporaryDirectory(prefix="sawt-startup-") as home:
        envs = [_env(code, Path(home)) for code in codes]
        for label, command in CASES.items():
            seconds: list[list[float]] = [[] for _ in codes]
            for env in envs:
                timed(command, env)  # once unmeasured: byte-code compiled, files in page cache
            for _ in range(repeat):
                for i, env in enumerate(envs):
                    seconds[i].append(timed(command, env).seconds)
            for i, env in enumerate(envs):
                results[i][label] = Startup(
                    statistics.median(seconds[i]), min(seconds[i]), _heavy(command, env)
                )
    return results


def _cell(figures: Startup | None) -> str:
    if figures is None:
        return ""
    heavy = ", ".join(figures.heavy) or "none"
    return f"{figures.median:.2f} s ({figures.fastest:.2f} s); heavy: {heavy}"


def markdown(
    now: dict[str, Startup],
    before: dict[str, Startup] | None,
    before_label: str,
    started: dt.datetime,
    repeat: int,
) -> str:
    """The generated part of the section: the table, then the machine."""
    lines = [
        f"Run {started:%Y-%m-%d %H:%M} UTC on sawt {machine.code_version()}: the median of "
        f"{repeat} runs of each (the fastest in brackets), a new process each time. Load "
        f"average (1/5/15 min) at the end {machine.load()}.",
        "",
    ]
    if before is not None:
        lines += [f"| what | before ({before_label}) | now |", "|---|---|---|"]
        lines += [f"| {k} | {_cell(before.get(k))} | {_cell(v)} |" for k, v in now.items()]
    else:
        lines += ["| what | now |", "|---|---|"]
        lines += [f"| {k} | {_cell(v)} |" for k, v in now.items()]
    lines += ["", "Machine:", "", "|  |  |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine.describe(ROOT, None).items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--before", type=Path, help="a directory holding an older sawt package")
    parser.add_argument("--before-label", default="before")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    if args.before:
        before, now = measure([args.before, None], args.repeat)
    else:
        before, now = None, measure([None], args.repeat)[0]
    text = markdown(now, before, args.before_label, started, args.repeat)
    print(text)
    if not args.no_write:
        report.update_section(DOC, text, start=START, end=END, before=BEFORE, title="Start-up")


if __name__ == "__main__":
    main()
