"""Stand-ins for the outside world, on 127.0.0.1: an SMTP server (aiosmtpd) and an HTTP SMS
gateway, each keeping what it received and answering as the test scripts it."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- SMS gateway ------------------------------------------------------------------------------


@dataclass
class Gateway:
    """What the gateway received, and the statuses it answers with, in order (then 200)."""

    url: str = ""
    script: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        with self.lock:
            return self.script.pop(0) if self.script else 200

    @property
    def texts(self) -> list[str]:
        return [r["json"]["text"] for r in self.received]


@contextmanager
def sms_gateway(*statuses: int) -> Iterator[Gateway]:
    """An HTTP gateway answering `statuses` in turn (200 once they run out)."""
    gateway = Gateway(script=list(statuses))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with gateway.lock:
                gateway.received.append(
                    {
                        "at": time.monotonic(),
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "content_type": self.headers.get("Content-Type"),
                        "json": json.loads(body),
                    }
                )
            status = gateway.next_status()
            answer = json.dumps({"status": status, "error": "scripted"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet tests

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/api/sms"
    # A short poll: shutdown() waits for the loop to notice (0.5 s by default).
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()


# --- SMTP ---------------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """What the SMTP server accepted, and its scripted answers."""

    port: int = 0
    # Answers to DATA, in order (then "250 OK"), e.g. "451 4.3.0 try again later".
    data_script: list[str] = field(default_factory=list)
    # Addresses refused at RCPT TO with a 550 for good.
    unknown: set[str] = field(default_factory=set)
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    data_tries: int = 0


@contextmanager
def smtp_server(
    *, data_script: list[str] | None = None, unknown: set[str] | None = None
) -> Iterator[Mailbox]:
    """aiosmtpd on 127.0.0.1 keeping every accepted message."""
    from aiosmtpd.controller import Controller

    box = Mailbox(port=free_port(), data_script=list(data_script or []), unknown=set(unknown or ()))

    class Handler:
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if address in box.unknown:
                return "550 5.1.1 No such user here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.data_tries += 1
            if box.data_script:
                return box.data_script.pop(0)
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            box.messages.append(message)  # type: ignore[arg-type]
            box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            return "250 Message accepted"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
