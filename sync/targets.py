"""Push targets (推送目标) read from a TOML file: where, how often, how big, and with which secret.

The file is named by `REGISTRY_SYNC_TARGETS`; its format is in docs/sync.md. Everything is checked
when it is read, and every problem names the target and the setting, because a scheduler that
starts with a typo in a URL would fail quietly every minute for days.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from registry.errors import Refusal
from registry.messages import Text, msg

FORMATS = ("json", "json-zh")
# What a target receives: the credit platform's records (the outbox in the national format), or
# one agency's alerts (预警, registry/monitoring), on the same cursor, lease, retry and dead letters.
STREAMS = ("platform", "alerts")
ALERTS_SCHEDULE = "every 5s"
MAX_BATCH = 5000
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_EVERY = re.compile(r"^every\s+(\d+)\s*(s|sec|seconds?|m|min|minutes?|h|hours?)$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
_KNOWN = {
    "url",
    "secret",
    "secret_env",
    "schedule",
    "batch_size",
    "format",
    "timeout_seconds",
    "attempts",
    "reject_limit",
    "backoff_initial_seconds",
    "backoff_max_seconds",
    "heartbeat_seconds",
    "stream",
    "agency",
}


class TargetConfigError(Refusal):
    """The targets file cannot be used; the message (a catalogue message) names the file, the target
    and the setting. A ValueError, as a schedule that cannot be read is one."""


@dataclass(frozen=True)
class Target:
    """One credit platform endpoint the outbox is pushed to."""

    name: str
    url: str
    secret: str
    schedule: str = "every 60s"
    batch_size: int = 500
    format: str = "json"
    timeout_seconds: float = 30.0
    attempts: int = 5
    reject_limit: int = 3
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    # With nothing to push, a run sends the audit chain head alone once this long has passed since
    # the last acknowledged POST (0: never; for a platform that does not take heartbeats).
    heartbeat_seconds: int = 60
    stream: str = "platform"
    # For an alerts target: the agency whose alerts it receives, named as its screening key's holder.
    agency: str | None = None

    def trigger(self) -> BaseTrigger:
        """The APScheduler 3 trigger for `schedule` ("every 60s" or a crontab line), in UTC."""
        return parse_schedule(self.schedule)

    @property
    def lease_seconds(self) -> float:
        """How long a SQLite lease lasts without renewal: longer than one POST with its retries."""
        return self.attempts * (self.timeout_seconds + self.backoff_max_seconds) + 60


def parse_schedule(schedule: str) -> BaseTrigger:
    text = schedule.strip().lower()
    every = _EVERY.match(text)
    if every:
        seconds = int(every.group(1)) * _UNIT_SECONDS[every.group(2)[0]]
        if seconds < 1:
            raise TargetConfigError("an interval must be at least 1 second")
        return IntervalTrigger(seconds=seconds, timezone="UTC")
    try:
        return CronTrigger.from_crontab(schedule.strip(), timezone="UTC")
    except ValueError as exc:
        raise TargetConfigError(msg("is neither 'every N s|m|h' nor a crontab line ({error})", error=str(exc))) from exc


def load_targets(path: str | os.PathLike[str], environ: dict[str, str] | None = None) -> list[Target]:
    """Read and check the targets file; raises TargetConfigError naming what is wrong."""
    env = os.environ if environ is None else environ
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise TargetConfigError(
            msg("{file}: cannot read the sync targets file ({error})", file=str(file), error=exc.strerror or "")
        ) from exc
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TargetConfigError(msg("{file}: not valid TOML ({error})", file=str(file), error=str(exc))) from exc
    tables = document.get("targets")
    if not isinstance(tables, dict) or not tables:
        raise TargetConfigError(msg("{file}: no [targets.NAME] table", file=str(file)))
    unknown_top = set(document) - {"targets"}
    if unknown_top:
        raise TargetConfigError(
            msg("{file}: unknown top-level setting(s) {names}", file=str(file), names=", ".join(sorted(unknown_top)))
        )
    return [_target(file, name, table, env) for name, table in tables.items()]


def _target(file: Path, name: str, table: Any, env: os._Environ[str] | dict[str, str]) -> Target:
    def fail(setting: str, reason: Text) -> TargetConfigError:
        return TargetConfigError(
            msg(
                "{file}: target {name!r}, {setting}: {reason}",
                file=str(file),
                name=name,
                setting=setting,
                reason=reason,
            )
        )

    if not _NAME.match(name):
        raise fail("name", "use 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit")
    if not isinstance(table, dict):
        raise fail("table", "must be a [targets.NAME] table")
    unknown = set(table) - _KNOWN
    if unknown:
        raise fail(", ".join(sorted(unknown)), msg("unknown setting (known: {known})", known=", ".join(sorted(_KNOWN))))

    url = table.get("url")
    if not isinstance(url, str) or not url:
        raise fail("url", "is required")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail("url", "must be an http:// or https:// address")

    secret: str | None
    if "secret" in table and "secret_env" in table:
        raise fail("secret", "give secret or secret_env, not both")
    if "secret_env" in table:
        variable = table["secret_env"]
        if not isinstance(variable, str) or not variable:
            raise fail("secret_env", "must name an environment variable")
        secret = env.get(variable)
        if not secret:
            raise fail("secret_env", msg("environment variable {variable} is not set", variable=variable))
    else:
        secret = table.get("secret")
        if not isinstance(secret, str) or not secret:
            raise fail("secret", "is required (or secret_env)")
        if _readable_by_others(file):
            raise fail(
                "secret",
                msg(
                    "{file} holds a secret and is readable by other users: chmod 600 it, or use secret_env",
                    file=str(file),
                ),
            )
    if len(secret) < 16:
        raise fail("secret", "must be at least 16 characters")

    # An agency's alerts are urgent (an award may be days away): every 5 s unless the file says otherwise.
    schedule = table.get("schedule", ALERTS_SCHEDULE if table.get("stream") == "alerts" else Target.schedule)
    if not isinstance(schedule, str):
        raise fail("schedule", "must be a string")
    try:
        parse_schedule(schedule)
    except TargetConfigError as exc:
        raise fail("schedule", exc.text) from exc

    fmt = table.get("format", Target.format)
    if fmt not in FORMATS:
        raise fail("format", msg("must be one of {values}", values=", ".join(FORMATS)))
    stream = table.get("stream", Target.stream)
    if stream not in STREAMS:
        raise fail("stream", msg("must be one of {values}", values=", ".join(STREAMS)))
    agency = table.get("agency")
    if stream == "alerts" and (not isinstance(agency, str) or not agency.strip()):
        raise fail("agency", "is required for an alerts target: the agency's name as its screening key holds it")
    if stream == "platform" and agency is not None:
        raise fail("agency", 'belongs to an alerts target (stream = "alerts") only')
    if stream == "alerts" and fmt != "json":
        raise fail("format", "an alerts target receives json")
    # An agency's receiver has no use for the audit chain head alone: no heartbeat unless asked.
    heartbeat_default = Target.heartbeat_seconds if stream == "platform" else 0

    return Target(
        name=name,
        url=url,
        secret=secret,
        schedule=schedule,
        format=fmt,
        batch_size=_int(table, "batch_size", Target.batch_size, 1, MAX_BATCH, fail),
        timeout_seconds=_number(table, "timeout_seconds", Target.timeout_seconds, 0.1, 600, fail),
        attempts=_int(table, "attempts", Target.attempts, 1, 20, fail),
        reject_limit=_int(table, "reject_limit", Target.reject_limit, 1, 100, fail),
        backoff_initial_seconds=_number(table, "backoff_initial_seconds", Target.backoff_initial_seconds, 0, 600, fail),
        backoff_max_seconds=_number(table, "backoff_max_seconds", Target.backoff_max_seconds, 0, 3600, fail),
        heartbeat_seconds=_int(table, "heartbeat_seconds", heartbeat_default, 0, 86400, fail),
        stream=stream,
        agency=agency.strip() if isinstance(agency, str) else None,
    )


def _int(table: dict[str, Any], key: str, default: int, low: int, high: int, fail: Any) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise fail(key, msg("must be a whole number from {low} to {high}", low=low, high=high))
    return value


def _number(table: dict[str, Any], key: str, default: float, low: float, high: float, fail: Any) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise fail(key, msg("must be a number from {low:g} to {high:g}", low=low, high=high))
    return float(value)


def _readable_by_others(file: Path) -> bool:
    return bool(file.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))


def configured_targets(config: Mapping[str, Any]) -> list[Target]:
    """The targets the app's configuration names (REGISTRY_SYNC_TARGETS, a targets file); raises
    TargetConfigError when unset or wrong. Shared by the CLI and the status endpoint."""
    path = config.get("SYNC_TARGETS")
    if not path:
        raise TargetConfigError("no push targets: set REGISTRY_SYNC_TARGETS to a targets file (docs/sync.md)")
    return load_targets(path)
