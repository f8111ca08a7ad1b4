"""`sawt serve` stays up for everyone while clients send their headers a byte at a time.

The real server (gunicorn, as `sawt serve` starts it) on a free port, with fewer threads than
slow clients: each slow client would hold a thread (or a whole sync worker) for as long as it
trickles, so the normal request below would wait behind them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sawt.web.gunicorn_worker import MAX_HEAD
from sawt.web.management.commands.serve import gunicorn_argv

SLOW_CLIENTS = 12
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float) -> tuple[int, float]:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        response.read()
        return response.status, time.monotonic() - started


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("serve-home")
    env = {
        **os.environ,
        "SAWT_HOME": str(home),
        # The test settings: plain static files, so `collectstatic` copies (in a second)
        # instead of compressing every font again (tens of seconds on a busy machine).
        "DJANGO_SETTINGS_MODULE": "sawt.config.settings_test",
        "SAWT_INLINE_WORKER": "0",
    }
    for name in ("DATABASE_URL", "SAWT_DEBUG"):
        env.pop(name, None)
    port = _free_port()
    log = (home / "serve.log").open("w")
    # One worker with two threads: twelve slow clients are six times what it has.
    server = subprocess.Popen(
        [str(BIN / "sawt"), "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # gunicorn's master and worker stop together at the end
    )
    url = f"http://127.0.0.1:{port}/accounts/login/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (home / "serve.log").read_text()
            try:
                if _get(url, timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "sawt serve did not answer within 60 s"
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def _trickle(sock: socket.socket, stop: threading.Event) -> None:
    """A request head sent a byte every 0.1 s, never finished."""
    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    while not stop.is_set():
        try:
            sock.sendall(b"X")
        except OSError:
            return
        stop.wait(0.1)


def test_slow_header_clients_do_not_starve_the_server(served):
    stop = threading.Event()
    port = urlsplit(served).port
    sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(SLOW_CLIENTS)]
    trickles = [threading.Thread(target=_trickle, args=(s, stop), daemon=True) for s in sockets]
    try:
        for trickle in trickles:
            trickle.start()
        time.sleep(1.0)  # every slow client has started its head

        status, seconds = _get(served, timeout=10)
        again, seconds_again = _get(served, timeout=10)

        # Normally some tens of milliseconds; a starved server never answers within 10 s.
        assert (status, again) == (200, 200)
        assert seconds < 3 and seconds_again < 3, (seconds, seconds_again)
    finally:
        stop.set()
        for sock in sockets:
            sock.close()


def test_an_oversized_head_is_refused_at_once(served):
    with socket.create_connection(("127.0.0.1", urlsplit(served).port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (MAX_HEAD + 1024))
        try:
            assert sock.recv(1024) == b""  # closed, without waiting for the rest
        except ConnectionResetError:
            pass


def test_serve_runs_the_threaded_head_first_worker():
    argv = gunicorn_argv(bind="127.0.0.1:8000", workers=3, threads=8)
    assert argv[argv.index("--worker-class") + 1] == "sawt.web.gunicorn_worker.HeadFirstWorker"
    assert argv[argv.index("--threads") + 1] == "8"
