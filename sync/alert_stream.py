"""The alerts stream (预警推送): an agency's alerts on the push's machinery.

An alert is written with an outbox event of its own (record type `alert`; internal to the
platform: the platform's feed lists it as `internal` with no record, and its push never sends it).
An alerts target (`stream = "alerts"`, `agency = …` in the targets file) claims, in the outbox's
order, only the alert events of its agency — the alerts of the screenings filed under that agency's
screening keys — and sends each as a record with its outbox sequence, so the cursor, the in-flight
batch, the idempotency key, the retries, the lease and the dead letters are the platform push's,
and so are its guarantees: delivered once, in order, across a receiver down for hours and a
worker killed mid-batch.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.models import Alert, ApiKey, ChangeEvent
from registry.monitoring.detect import ALERT_RECORD
from sync.push_batches import PLATFORM_EVENTS
from sync.targets import Target


def target_events(target: Target) -> sa.ColumnElement[bool]:
    """The outbox events a target claims: all of them for the platform (its batches carry its own
    records and skip the internal ones), its agency's alert events for an alerts target."""
    if target.stream != "alerts":
        return sa.true()
    agency_alerts = (
        sa.select(Alert.id)
        .join(ApiKey, ApiKey.id == Alert.api_key_id)
        .where(ApiKey.name == target.agency, ApiKey.role == "screener")
    )
    return sa.and_(ChangeEvent.record_type == ALERT_RECORD, ChangeEvent.record_id.in_(agency_alerts))


def sent_events(target: Target) -> sa.ColumnElement[bool]:
    """Of a claimed range, the events whose records a batch carries."""
    return PLATFORM_EVENTS if target.stream != "alerts" else target_events(target)


def alert_records(session: Session, seqs: dict[int, int]) -> list[dict[str, Any]]:
    """Each alert (outbox seq → alert id) as the agency's receiver gets it, in seq order."""
    alerts = {a.id: a for a in session.scalars(sa.select(Alert).where(Alert.id.in_(set(seqs.values()))))}
    records = []
    for seq, alert_id in sorted(seqs.items()):
        alert = alerts[alert_id]
        records.append(
            {
                "seq": seq,
                "record_type": ALERT_RECORD,
                "alert_id": alert.id,
                "screening_id": alert.screening_id,
                "subject_index": alert.subject_index,
                "subject": (alert.details or {}).get("subject"),
                "decision_then": alert.decision_then,
                "decision_now": alert.decision_now,
                "entity_id": alert.entity_id,
                "change_seq": alert.change_seq,
                "raised_at": alert.created_at.isoformat(),
                "details": alert.details,
            }
        )
    return records
