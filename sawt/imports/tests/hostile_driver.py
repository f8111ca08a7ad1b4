"""Run every hostile file through the import commands, each in a forked child, and measure it.

`python -m sawt.imports.tests.hostile_driver DIR OUT.json [--timeout SECONDS] [--migrate]`,
with DATABASE_URL and SAWT_HOME pointing at a throwaway database. Django starts once; each file is
imported by a child forked from this process (so start-up is paid once), whose wall time, peak
resident memory (from wait4) and exit status are written to OUT.json with the messages and the
table counts after it. A child that outlives the timeout is killed and reported as such.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import signal
import sys
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

DEFINITION = Path(__file__).resolve().parents[2] / "surveys/tests/fixtures/definition/valid.yaml"


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child(command: tuple[str, ...], out: Path, err: Path) -> None:
    from django.core.management import call_command

    code = 0
    with out.open("w") as stdout, err.open("w") as stderr:
        try:
            with redirect_stdout(stdout), redirect_stderr(stderr):
                call_command(*command, "--lang", "en", stdout=stdout, stderr=stderr)
        except SystemExit as leaving:
            code = int(leaving.code or 0)
        except BaseException:
            traceback.print_exc(file=stderr)
            code = 99
        stdout.flush()
        stderr.flush()
    os._exit(code)


def _wait(pid: int, timeout: float) -> tuple[int | None, Any, bool]:
    deadline = time.monotonic() + timeout
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), usage, False
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            return None, usage, True
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--migrate", action="store_true", help="create the tables first")
    args = parser.parse_args()

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from sawt.imports.tests.helpers import counts
    from sawt.imports.tests.hostile import hostile_files
    from sawt.surveys.services import survey_definition_import

    if args.migrate:
        call_command("migrate", verbosity=0, interactive=False)
    if not counts()["surveys.Survey"]:
        survey_definition_import(path=DEFINITION)
    cases = hostile_files(args.directory, only=args.only)
    results = []
    for case in cases:
        before = counts()
        connections.close_all()  # a child must open its own connection, never share ours
        out, err = args.directory / f"{case.name}.out", args.directory / f"{case.name}.err"
        base = _rss_kib()
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            _child(case.command, out, err)
        code, usage, killed = _wait(pid, args.timeout)
        seconds = time.monotonic() - started
        after = counts()
        results.append(
            {
                "name": case.name,
                "expect": case.expect,
                "accepted": case.accepted,
                "code": code,
                "killed": killed,
                "seconds": round(seconds, 2),
                "peak_mib": round(usage.ru_maxrss / 1024, 1),
                "base_mib": round(base / 1024, 1),
                "stdout": out.read_text()[:4000] if out.exists() else "",
                "stderr": err.read_text()[:4000] if err.exists() else "",
                "changed": {k: after[k] - before[k] for k in after if after[k] != before[k]},
            }
        )
        print(json.dumps(results[-1], ensure_ascii=False)[:300], file=sys.stderr, flush=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8")
    main()
