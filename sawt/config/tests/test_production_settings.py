"""Production settings pass Django's deployment checklist with no warning at all."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def deploy_check(settings_module: str, home: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "SAWT_HOME": str(home),
        "SAWT_SECRET_KEY": secrets.token_urlsafe(50),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    run = deploy_check("sawt.config.settings_production", tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues (0 silenced)" in run.stdout


def test_check_deploy_does_report_warnings(tmp_path):
    # The base settings serve plain HTTP on a laptop: the same check must fail there, which
    # shows the test above would notice a warning.
    run = deploy_check("sawt.config.settings", tmp_path)
    assert run.returncode != 0 and "security.W004" in run.stderr
