"""gunicorn's settings for the registry: `gunicorn wsgi:app` reads this file from the working
directory (the repository root), so the plain command is the production one. Flags on the command
line win over this file (`--workers 2`, `--bind …`); docs/deployment.md explains each choice.

Slow clients. A sync worker reads a request's head itself, with no time limit: four connections
that sent half a request line held four sync workers, and the health check waited 45 s. gunicorn's
gthread worker hands each connection to a thread; it waits (5 s) for a client that sends nothing
without taking a thread, but a client that sends part of a request line and stops holds the thread
until it hangs up. `HeadTimeoutThreadWorker` is gthread with a deadline on the head: a connection
that has not sent its request line and headers within REGISTRY_HEADER_TIMEOUT seconds (default 10)
of being handed to a thread is answered 408 and closed; while every thread of the worker is busy,
the deadline is REGISTRY_HEADER_TIMEOUT_BUSY (default 1 s), so slow heads cannot starve the
requests queued behind them. The request body and the response are not bounded here (an upload or
an export may rightly take minutes): the reverse proxy in front buffers both (docs/deployment.md).
Measured in tests/integration/test_slow_clients.py; figures in docs/reliability.md.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

HEADER_TIMEOUT = float(os.environ.get("REGISTRY_HEADER_TIMEOUT", "10"))
HEADER_TIMEOUT_BUSY = float(os.environ.get("REGISTRY_HEADER_TIMEOUT_BUSY", "1"))
SWEEP_INTERVAL = 0.25  # seconds between checks of the deadlines
REQUEST_TIMEOUT_408 = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


class HeadTimeoutThreadWorker(ThreadWorker):
    """gthread with a deadline on reading each request's head (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._heads_lock = threading.Lock()
        self._heads: dict[Any, float] = {}  # connection → when its thread started reading the head
        self._busy = 0  # connections a thread is handling

    def handle(self, conn: Any) -> Any:
        with self._heads_lock:
            self._heads[conn] = time.monotonic()
            self._busy += 1
        try:
            return super().handle(conn)
        finally:
            with self._heads_lock:
                self._heads.pop(conn, None)
                self._busy -= 1

    def handle_request(self, req: Any, conn: Any) -> Any:
        with self._heads_lock:
            self._heads.pop(conn, None)  # the head is read: the deadline no longer applies
        return super().handle_request(req, conn)

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        # The main loop waits up to 1 s for events; a shorter wait checks the deadlines more often.
        super().wait_for_and_dispatch_events(min(timeout, SWEEP_INTERVAL))

    def murder_keepalived(self, *args: Any, **kwargs: Any) -> None:
        # The main loop calls this after every wait, also while the worker stops.
        super().murder_keepalived(*args, **kwargs)
        self._cut_slow_heads()

    def _cut_slow_heads(self) -> None:
        now = time.monotonic()
        with self._heads_lock:
            limit = HEADER_TIMEOUT_BUSY if self._busy >= self.cfg.threads else HEADER_TIMEOUT
            late = [
                conn
                for conn, started in self._heads.items()
                if now - started >= limit and not getattr(conn, "is_http2", False)
            ]
            for conn in late:
                # Under the lock: the thread cannot start the request meanwhile. Its blocked
                # read returns end-of-file, gthread closes the connection and frees the thread.
                del self._heads[conn]
                with contextlib.suppress(OSError):
                    if not self.cfg.is_ssl:  # a TLS socket must not be written from two threads
                        conn.sock.send(REQUEST_TIMEOUT_408, socket.MSG_DONTWAIT)
                with contextlib.suppress(OSError):
                    conn.sock.shutdown(socket.SHUT_RDWR)
        for conn in late:
            self.log.info("closed %s: no complete request head within %.0f s (408)", conn.client, limit)


worker_class = HeadTimeoutThreadWorker
workers = 4  # processes; they map one name-index file (docs/deployment.md, "Workers")
threads = 8  # per worker; at most this many requests use the worker's database pool (5 + 10) at once
timeout = 120  # a worker whose main loop is silent this long is restarted (not a request limit: gthread)
graceful_timeout = 30  # on a restart or stop, requests in flight get this long to finish
keepalive = 5  # seconds an idle kept-alive connection (or one that sent nothing yet) stays open
limit_request_line = 4094  # bytes; the longest real request line (a search in Chinese) is far shorter
limit_request_fields = 50  # headers per request
limit_request_field_size = 8190  # bytes per header
