"""Start-up stays light: `sawt --help`, every `sawt COMMAND --help` and the web server's start
(Django set up, the WSGI application, the whole URL map with every view) load none of the heavy
libraries. They load in the code that uses them, so a command starts in a fraction of a second.

Checked on what is imported, not on a clock: a fresh interpreter runs each step, and the test
names the step that first brought a heavy library in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("sklearn", "scipy", "numpy", "joblib", "openpyxl", "weasyprint")

PROBE = r"""
import contextlib, io, json, sys

HEAVY = {heavy!r}
from sawt.cli import COMMANDS, main

steps = [[]] + [[name] for name in COMMANDS]
steps += [["classifier", action] for action in ("train", "predict", "evaluate", "list")]
loaded, seen = {{}}, set()
def note(step):
    new = sorted(m for m in HEAVY if m in sys.modules and m not in seen)
    seen.update(new)
    loaded[step] = new

for args in steps:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main([*args, "--help"])
        except SystemExit as leaving:
            if leaving.code not in (0, None):
                raise
    note(" ".join(["sawt", *args, "--help"]))

# What a web server loads before and at its first request: the application, then the URL map.
from django.urls import get_resolver
from sawt.config.wsgi import application
note("sawt.config.wsgi")
get_resolver().url_patterns
note("the URL map")
print(json.dumps(loaded))
"""


def test_commands_and_the_web_server_start_without_heavy_libraries(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sawt.config.settings",
        "SAWT_HOME": str(tmp_path),
    }
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    assert "sawt summary --help" in loaded and "the URL map" in loaded  # every step ran
    assert {step: mods for step, mods in loaded.items() if mods} == {}
