"""Push status per target: what `GET /api/v1/sync/targets` answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from marshmallow import fields

from api.errors import preferred_locale
from registry.messages import render


class RejectedOut(ma.Schema):
    seq = fields.Integer(metadata={"description": "outbox sequence of the rejected record"})
    rejections = fields.Integer(metadata={"description": "how many times the target rejected it"})
    dead = fields.Boolean(metadata={"description": "true: left out of later batches (dead letter)"})
    status_code = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "the target's reason"})
    last_rejected_at = fields.DateTime()


class TargetStatusOut(ma.Schema):
    name = fields.String()
    configured = fields.Boolean(metadata={"description": "false: state is kept but the target is no longer configured"})
    url = fields.String(allow_none=True)
    schedule = fields.String(allow_none=True)
    cursor = fields.Integer(metadata={"description": "the last outbox sequence the target acknowledged"})
    head = fields.Integer(metadata={"description": "the newest outbox sequence"})
    lag_events = fields.Integer(metadata={"description": "outbox events after the cursor"})
    lag_seconds = fields.Float(
        allow_none=True, metadata={"description": "age of the oldest event after the cursor; null when caught up"}
    )
    inflight_first = fields.Integer(allow_none=True)
    inflight_last = fields.Integer(allow_none=True)
    inflight_key = fields.String(allow_none=True, metadata={"description": "Idempotency-Key of the batch in flight"})
    running = fields.Boolean(metadata={"description": "a runner holds the SQLite lease now"})
    healthy = fields.Boolean(
        metadata={
            "description": "false when a run recorded an error after the last success, or events have waited too long "
            "with nothing acknowledged (the target stopped moving); `problem` says which"
        }
    )
    problem = fields.String(allow_none=True, metadata={"description": "why the target is unhealthy; null when healthy"})
    last_attempt_at = fields.DateTime(allow_none=True)
    last_success_at = fields.DateTime(allow_none=True)
    last_error_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    batches_sent = fields.Integer()
    records_sent = fields.Integer()
    dead_letters = fields.Integer()
    rejected = fields.List(fields.Nested(RejectedOut))


class SyncStatusOut(ma.Schema):
    config_error = fields.Method(
        "_config_error",
        metadata={
            "type": "string",
            "nullable": True,
            "description": "why the targets file could not be read (the scheduler would refuse to start), in the "
            "language of Accept-Language (Chinese unless it asks for English); null when it was read",
        },
    )
    config_error_en = fields.Method(
        "_config_error_en",
        metadata={"type": "string", "nullable": True, "description": "the same, in English"},
    )
    targets = fields.List(fields.Nested(TargetStatusOut))

    def _config_error(self, status: Mapping[str, Any]) -> str | None:
        problem = status.get("config_error")
        return None if problem is None else render(problem, preferred_locale())

    def _config_error_en(self, status: Mapping[str, Any]) -> str | None:
        problem = status.get("config_error")
        return None if problem is None else render(problem, "en")
