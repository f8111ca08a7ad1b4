"""The gunicorn worker `sawt serve` runs: gthread, except that a thread is given a connection
only once the request's head (request line and headers) has arrived whole.

Why (read in gunicorn 27's `workers/gthread.py`): the threaded worker hands a connection to a
thread as soon as its first byte arrives, and that thread then reads the rest of the head with
a blocking socket and no deadline. A client that sends its headers a byte at a time holds a
thread for as long as it likes; `workers × threads` such clients, with no login, hold them all
and the site stops answering (the sync worker is worse: one client per worker). Timeouts do not
help: `timeout` watches the worker's main loop, which stays alive; `keepalive` only applies
between requests.

So here the worker's main loop reads heads itself, without blocking, the way a buffering proxy
(nginx) does: bytes are gathered as they come, a head must be complete within HEAD_TIMEOUT and
smaller than MAX_HEAD, and only then does a thread take the request. A slow client then costs a
file descriptor and a little memory, not a thread. Reading a body, and writing the response,
stop after IO_TIMEOUT seconds without progress. Behind a proxy (docs/deployment.md) the proxy
does all this first, and this remains a second line.
"""

from __future__ import annotations

import errno
import selectors
import socket
import struct
import time
from functools import partial
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

# A whole request head must arrive within this many seconds of the connection (or, between
# requests on a kept-alive connection, within the keep-alive time plus this).
HEAD_TIMEOUT = 10.0
# A head larger than this is refused (browsers send a few KiB, cookies included).
MAX_HEAD = 64 * 1024
# A body read or a response write that makes no progress for this long fails.
IO_TIMEOUT = 60
_HEAD_END = (b"\r\n\r\n", b"\n\n")


class HeadFirstWorker(ThreadWorker):
    """gthread, with request heads read by the main loop before any thread is involved."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Connections whose head is still arriving: conn → (bytes so far, deadline).
        self.heads: dict[Any, tuple[bytearray, float]] = {}

    def enqueue_req(self, conn: Any) -> None:
        # Upstream calls this for a new connection, a kept-alive one that became readable, and
        # one with a pipelined request already buffered. Only a complete head goes to a thread.
        if getattr(conn, "sawt_head_ready", False):
            conn.sawt_head_ready = False
            super().enqueue_req(conn)
            return
        self._await_head(conn)

    def _await_head(self, conn: Any) -> None:
        if not getattr(conn, "sawt_timeouts", False):
            _set_io_timeouts(conn.sock)
            conn.sawt_timeouts = True
        buffered = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        deadline = time.monotonic() + HEAD_TIMEOUT + (self.cfg.keepalive if conn.parser else 0)
        self.heads[conn] = (bytearray(buffered), deadline)
        if self._head_complete(conn):
            return
        conn.sock.setblocking(False)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_head_readable, conn))

    def _on_head_readable(self, conn: Any, _sock: Any) -> None:
        try:
            data = conn.sock.recv(MAX_HEAD)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:  # the client went away
            self._drop(conn)
            return
        self.heads[conn][0].extend(data)
        self._head_complete(conn)

    def _head_complete(self, conn: Any) -> bool:
        """Hand the connection to a thread if its head is whole; drop it if too large."""
        head = self.heads[conn][0]
        if any(end in head for end in _HEAD_END):
            del self.heads[conn]
            self._unpoll(conn)
            conn.sock.setblocking(True)
            conn.init()  # the parser, which reads what we read first
            conn.parser.unreader.unread(bytes(head))
            conn.data_ready = True
            conn.sawt_head_ready = True
            self.enqueue_req(conn)
            return True
        if len(head) > MAX_HEAD:
            self._drop(conn)
            return True
        return False

    def _unpoll(self, conn: Any) -> None:
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass  # not registered (yet)

    def _drop(self, conn: Any) -> None:
        self.heads.pop(conn, None)
        self._unpoll(conn)
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        super().murder_pending()
        now = time.monotonic()
        for conn in [c for c, (_head, deadline) in self.heads.items() if deadline <= now]:
            self._drop(conn)


def _set_io_timeouts(sock: socket.socket) -> None:
    """Per-call limits the kernel enforces even on a blocking socket (gunicorn's threads read
    bodies and write responses with blocking calls, no timeout of their own)."""
    limit = struct.pack("ll", IO_TIMEOUT, 0)  # struct timeval
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, limit)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, limit)
    except OSError as exc:  # pragma: no cover - every POSIX system has both
        if exc.errno not in (errno.ENOPROTOOPT, errno.EINVAL):
            raise
