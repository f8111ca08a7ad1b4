"""A receiver on 127.0.0.1 that records what it is sent and answers as told."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from sawt.webhooks import deliveries


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)

    def signed_by(self, secret: str) -> bool:
        """How a receiver checks a delivery (docs/api.md): HMAC of "<timestamp>.<body>"."""
        timestamp = self.headers["X-Sawt-Timestamp"]
        expected = hmac.new(
            secret.encode(), timestamp.encode() + b"." + self.body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(self.headers["X-Sawt-Signature"], "sha256=" + expected)


@dataclass
class Receiver:
    url: str
    answers: list[int] = field(default_factory=list)  # statuses to answer, in turn; then 200
    got: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.SAWT_WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    state: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.got.append(Received(self.path, dict(self.headers.items()), body))
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", state.url + "elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook/")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def quick_retries(monkeypatch) -> None:
    """Retries due at once, so a second run of the pending jobs makes the next attempt."""
    import datetime as dt

    monkeypatch.setattr(deliveries, "RETRY_FIRST", dt.timedelta(0))
