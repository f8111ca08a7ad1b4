"""One signed POST to a hook: the body, its signature, and what came back.

The request goes to an address `targets.addresses_check` has just checked, not to whatever the
name resolves to when the socket opens; TLS still checks the certificate against the host's
name. Redirects are never followed (http.client does not): a 3xx is an answer like any other.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any

from sawt.webhooks.targets import Target

# Seconds to connect, then to wait for each read: a receiver should answer at once and do its
# work later.
TIMEOUT = 10.0
# And for the whole exchange: a receiver dripping its answer a byte at a time, each within
# TIMEOUT, would otherwise hold a worker for days.
DEADLINE = 30.0
USER_AGENT = "sawt-webhooks/1"


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8, Arabic left as it is."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature_of(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256, keyed with the secret, of "<timestamp>.<body>"."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Answer:
    """What one request got: an HTTP status, or an error (connection, timeout, TLS)."""

    status: int | None
    error: str
    duration_ms: int


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, target: Target, address: str) -> None:
        super().__init__(target.host, target.port, timeout=TIMEOUT)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, target: Target, address: str) -> None:
        super().__init__(
            target.host, target.port, timeout=TIMEOUT, context=ssl.create_default_context()
        )
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        # SNI and the certificate check use the host's name, not the address.
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def _cut(connection: http.client.HTTPConnection, cut: threading.Event) -> None:
    cut.set()
    if connection.sock is not None:
        with contextlib.suppress(OSError):
            connection.sock.shutdown(socket.SHUT_RDWR)


def post(*, target: Target, address: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to the target through `address`; never raises for network trouble."""
    connection_class = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    connection = connection_class(target, address)
    started = time.monotonic()
    status: int | None = None
    error = ""
    # Shutting the socket down wakes a read blocked in another thread (closing it would not).
    cut = threading.Event()
    watchdog = threading.Timer(DEADLINE, _cut, args=(connection, cut))
    watchdog.daemon = True
    watchdog.start()
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        response = connection.getresponse()
        status = response.status
        response.read(64 * 1024)  # the answer's body does not matter; a bounded read frees it
    except (OSError, http.client.HTTPException) as exc:
        error = (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)[:500]
    finally:
        watchdog.cancel()
        connection.close()
    if cut.is_set():
        # Whatever was read before the cut (even a status line) is no answer: try again later.
        status, error = None, f"no complete answer within {DEADLINE:g} s"
    return Answer(status, error, int((time.monotonic() - started) * 1000))
