"""Browser tests: the demo served by gunicorn (`sawt serve`) and driven by Debian's Chromium.

One server for the session, on a temporary SAWT_HOME loaded with `sawt demo --load-only`
(SQLite); each test gets a fresh browser context, so cookies (session, language) never leak
from one test into the next.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
# Independent of SAWT_HOME and of settings: where CI keeps what people look at.
ARTIFACTS = ROOT / "var" / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "sawt-demo"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def sawt_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of the served demo: its own SAWT_HOME, always SQLite, plain settings."""
    home = tmp_path_factory.mktemp("sawt-home")
    env = {**os.environ, "SAWT_HOME": str(home), "DJANGO_SETTINGS_MODULE": "sawt.config.settings"}
    for name in ("DATABASE_URL", "SAWT_DEBUG", "SAWT_SECURE_COOKIES"):
        env.pop(name, None)
    # The review tests' settles queue retraining; with the deep engine installed (the dev
    # extras include it) the served worker would fine-tune a transformer for minutes on the
    # two cores the browser needs. The deep path has its own tests (textanalytics/tests).
    env["SAWT_CLASSIFIER_ENGINE"] = "fast"
    return env


def sawt(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    run = subprocess.run(
        [str(BIN / "sawt"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def orm(env: dict[str, str], code: str) -> Any:
    """Evaluate Python against the served database (in a subprocess); `code` prints JSON."""
    return json.loads(sawt(env, "shell", "--no-imports", "-c", code).strip().splitlines()[-1])


def _wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sawt serve exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url + "accounts/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"sawt serve did not answer at {url} within {seconds} s")


@pytest.fixture(scope="session")
def server(sawt_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo, loaded and served by gunicorn on a free port; its base URL (ending in /)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
        # CI sets SAWT_E2E_REQUIRED: there a missing browser is a failure, never a silent skip.
        if os.environ.get("SAWT_E2E_REQUIRED"):
            pytest.fail(reason)
        pytest.skip(reason)
    sawt(sawt_env, "demo", "--load-only")
    port = _free_port()
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "sawt"), "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=sawt_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        # Its own process group: gunicorn's master and workers stop together at the end.
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


@pytest.fixture(scope="session")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any, server: str) -> Iterator[Any]:
    """A factory of pages, each in its own context: `new_page(lang="en", viewport=PHONE)`."""
    contexts: list[Any] = []

    def make(lang: str = "ar", viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(base_url=server, viewport=viewport or DESKTOP)
        context.set_default_timeout(15_000)
        if lang != "ar":
            context.add_cookies([{"name": "django_language", "value": lang, "url": server}])
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page: Any, username: str) -> Any:
    """Sign in through the login form, as a person would; returns the page on the portfolio."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_password) [type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    return page


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
