"""Serve an app with gunicorn on 127.0.0.1 and drive it with a bounded number of requests.

The client runs in the benchmark's own process: a fixed number of threads, each opening a
connection per request with `http.client` (gunicorn's sync workers close every connection),
until a fixed count of requests is sent or a time limit passes, whichever comes first.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


@dataclass
class HttpFigures:
    requests: int  # sent
    ok: int  # answered 2xx
    statuses: dict[str, int]
    seconds: float
    per_second: float  # 2xx answers per second of wall time
    p50_ms: float
    p99_ms: float
    concurrency: int
    subjects_per_request: int
    first_request_ms: float  # the first request after start-up (a lazily built index shows here)
    first_status: int
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    port: int
    log_path: str

    def log_tail(self, lines: int = 25) -> str:
        return _tail(self.log_path, lines)


@contextmanager
def gunicorn(
    app_spec: str, *, workers: int, env: dict[str, str], ready_path: str, start_timeout: float
) -> Iterator[Server]:
    """Run `gunicorn app_spec` with `workers` sync workers on 127.0.0.1 until the block ends."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115 (read after the server stops)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "900",
        "--graceful-timeout",
        "10",
        "--log-level",
        "warning",
        app_spec,
    ]
    # The registry's workers share a name-index file (docs/deployment.md): one per server, in a
    # directory of its own, so a run leaves nothing under the repository's instance/.
    index_dir = tempfile.TemporaryDirectory(prefix="bench-index-")
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "REGISTRY_INDEX_DIR": index_dir.name, **env}
    proc = subprocess.Popen(command, cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn {app_spec} exited ({proc.returncode}): {_tail(log.name)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {app_spec} not ready after {start_timeout:.0f} s: {_tail(log.name)}")
            try:
                status, _ = request(port, "GET", ready_path, None, {}, timeout=5)
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        yield Server(port, log.name)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        os.unlink(log.name)
        index_dir.cleanup()


def _tail(path: str, lines: int = 15) -> str:
    text = Path(path).read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def request(
    port: int, method: str, path: str, body: bytes | None, headers: dict[str, str], *, timeout: float
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _run(
    port: int,
    path: str,
    encoded: Sequence[bytes],
    headers: dict[str, str],
    *,
    count: int,
    concurrency: int,
    deadline: float,
    request_timeout: float,
) -> tuple[Counter[str], list[float], list[str]]:
    """`count` POSTs (or fewer if `deadline` passes) by `concurrency` threads; statuses, latencies, errors."""
    numbers = itertools.count()
    lock = threading.Lock()
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    errors: list[str] = []

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                n = next(numbers)
            if n >= count:
                return
            sent = time.perf_counter()
            try:
                code, payload = request(port, "POST", path, encoded[n % len(encoded)], headers, timeout=request_timeout)
                key = str(code)
            except OSError as exc:
                code, payload, key = 0, b"", type(exc).__name__
            took = (time.perf_counter() - sent) * 1000
            with lock:
                statuses[key] += 1
                latencies.append(took)
                if not 200 <= code < 300 and len(errors) < 3:
                    errors.append(f"{key}: {payload[:300].decode(errors='replace')}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses, latencies, errors


def drive(
    port: int,
    path: str,
    bodies: Sequence[dict[str, Any]],
    headers: dict[str, str],
    *,
    count: int,
    concurrency: int,
    time_limit: float,
    warmup: int,
    request_timeout: float = 600.0,
) -> HttpFigures:
    """POST `count` JSON bodies (cycling through `bodies`) with `concurrency` threads, within `time_limit`.

    First one request alone (its time is reported: a lazily built index shows there), then
    `warmup` requests with all threads, untimed: with at least as many threads as workers, every
    worker gets requests, so every worker has built what it builds on first use before timing.
    """
    headers = {"Content-Type": "application/json", **headers}
    encoded = [json.dumps(b, ensure_ascii=False).encode() for b in bodies]
    started = time.perf_counter()
    first_status, _ = request(port, "POST", path, encoded[0], headers, timeout=request_timeout)
    first_ms = (time.perf_counter() - started) * 1000
    _run(
        port,
        path,
        encoded,
        headers,
        count=warmup,
        concurrency=concurrency,
        deadline=time.monotonic() + request_timeout,
        request_timeout=request_timeout,
    )

    began = time.perf_counter()
    statuses, latencies, errors = _run(
        port,
        path,
        encoded,
        headers,
        count=count,
        concurrency=concurrency,
        deadline=time.monotonic() + time_limit,
        request_timeout=request_timeout,
    )
    seconds = time.perf_counter() - began
    ok = sum(n for s, n in statuses.items() if s.startswith("2"))
    ordered = sorted(latencies)
    subjects = len(bodies[0].get("subjects", [])) if bodies else 0
    return HttpFigures(
        requests=len(ordered),
        ok=ok,
        statuses=dict(statuses),
        seconds=seconds,
        per_second=ok / seconds if seconds else 0.0,
        p50_ms=statistics.median(ordered) if ordered else 0.0,
        p99_ms=ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else 0.0,
        concurrency=concurrency,
        subjects_per_request=subjects,
        first_request_ms=first_ms,
        first_status=first_status,
        errors=errors,
    )
