"""Faults the receiver can be told to inject (`/_control`): dropped connections, delays, error answers, drawn
by rate from a seeded random source, so an integration test can prove the push survives them.
"""

from __future__ import annotations

import errno
import random
import socket
import threading
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import NoReturn, TypeGuard
from wsgiref.types import WSGIEnvironment

Clock = Callable[[], float]

# Set on the WSGI environ by a view that wants the connection dropped instead of answered.
DROP = "tools.receiver.drop"


class DropUnsupported(RuntimeError):
    """A drop fault was asked for, but the server gives the app no client socket to close."""


class ConnectionDropped(ConnectionAbortedError):
    """Raised to the WSGI server after the receiver closed the client's socket on purpose.

    werkzeug's server treats any ConnectionError as a client gone and writes nothing; gunicorn
    logs ENOTCONN at debug level only. Either way no response is written to the closed socket.
    """


@dataclass(frozen=True)
class FaultSettings:
    """Faults injected into `/receive`, for tests; every one is off by default."""

    fail_rate: float = 0.0  # fraction of requests answered `fail_status` without applying
    fail_status: int = 503
    delay_seconds: float = 0.0  # slept before each request is handled
    drop_rate: float = 0.0  # fraction of requests whose connection is closed before applying
    drop_after_apply_rate: float = 0.0  # fraction of newly applied batches whose answer is lost
    reject_seqs: tuple[int, ...] = ()  # a batch holding any of these is answered 422
    down: bool = False  # 503 to everything but /_control
    seed: int | None = None  # seeds the draws so a test's faults repeat


@dataclass(frozen=True)
class Draw:
    """What the faults hold for one request."""

    fail: bool
    drop: bool
    drop_after_apply: bool


class InvalidSetting(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def is_int(value: object) -> TypeGuard[int]:
    # bool is an int to Python, but `true` is not a sequence number
    return isinstance(value, int) and not isinstance(value, bool)


def _rate(field: str, value: object) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise InvalidSetting(field, "must be a number from 0 to 1")
    return float(value)


def _checked_setting(field: str, value: object) -> object:
    if field in ("fail_rate", "drop_rate", "drop_after_apply_rate"):
        return _rate(field, value)
    if field == "fail_status":
        if not is_int(value) or not 400 <= value <= 599:
            raise InvalidSetting(field, "must be an HTTP status from 400 to 599")
        return value
    if field == "delay_seconds":
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise InvalidSetting(field, "must be a number of seconds, 0 or more")
        return float(value)
    if field == "reject_seqs":
        if not isinstance(value, list) or not all(is_int(seq) for seq in value):
            raise InvalidSetting(field, "must be a list of sequence numbers")
        return tuple(sorted(set(value)))
    if field == "down":
        if not isinstance(value, bool):
            raise InvalidSetting(field, "must be true or false")
        return value
    if field == "seed":
        if value is not None and not is_int(value):
            raise InvalidSetting(field, "must be an integer or null")
        return value
    raise InvalidSetting(field, "is not a setting; known: " + ", ".join(FaultSettings.__dataclass_fields__))


class Faults:
    """The current fault settings and the seeded draws, shared by the server's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.settings = FaultSettings()
        self._random = self._new_random(None)

    @staticmethod
    def _new_random(seed: int | None) -> random.Random:
        # Fault injection needs repeatable draws, not unpredictable ones: not a security use.
        return random.Random(seed)  # noqa: S311

    def update(self, changes: Mapping[str, object]) -> FaultSettings:
        """Apply the named settings (all checked first, so a bad one changes nothing).

        `reset: true` first restores every default. Naming `seed` (even to the same value)
        restarts the draws, so the same seed gives the same faults again.
        """
        changes = dict(changes)
        reset = changes.pop("reset", False)
        if not isinstance(reset, bool):
            raise InvalidSetting("reset", "must be true or false")
        checked = {field: _checked_setting(field, value) for field, value in changes.items()}
        with self._lock:
            base = FaultSettings() if reset else self.settings
            # Each value was checked against its field above; mypy cannot follow that per key.
            self.settings = replace(base, **checked)  # type: ignore[arg-type]
            if reset or "seed" in checked:
                self._random = self._new_random(self.settings.seed)
            return self.settings

    def draw(self) -> tuple[FaultSettings, Draw]:
        """The settings now and one request's outcome.

        Three numbers are drawn for every request whatever the rates, so with a given seed the
        n-th request meets the same fate however the rates are combined.
        """
        with self._lock:
            settings = self.settings
            fail, drop, after = (self._random.random() for _ in range(3))
        return settings, Draw(
            fail=fail < settings.fail_rate,
            drop=drop < settings.drop_rate,
            drop_after_apply=after < settings.drop_after_apply_rate,
        )


def client_socket(environ: WSGIEnvironment) -> socket.socket:
    """The client's socket, as werkzeug's server (`werkzeug.socket`) or gunicorn
    (`gunicorn.socket`) hands it to the app; DropUnsupported under any other server."""
    found = environ.get("werkzeug.socket") or environ.get("gunicorn.socket")
    if not isinstance(found, socket.socket):
        raise DropUnsupported(
            "cannot drop the connection: the WSGI server gives no client socket (werkzeug.socket "
            "or gunicorn.socket); run the receiver with `python -m tools.receiver` or gunicorn "
            "to use drop_rate or drop_after_apply_rate"
        )
    return found


def drop_connection(environ: WSGIEnvironment) -> NoReturn:
    sock = client_socket(environ)
    with suppress(OSError):  # the client is gone already: dropped all the same
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
    # ENOTCONN: gunicorn ignores it quietly, and as a ConnectionError werkzeug writes nothing.
    raise ConnectionDropped(errno.ENOTCONN, "connection dropped by the receiver's fault injection")
