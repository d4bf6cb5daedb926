"""Questions tests ask of the ledgers and of list responses."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from registry.models import AuditLog, ChangeEvent


def ledger_size(session: Any) -> tuple[int, int]:
    """(outbox events, audit rows): a failed request must change neither."""
    return (
        session.scalar(sa.select(sa.func.count()).select_from(ChangeEvent)),
        session.scalar(sa.select(sa.func.count()).select_from(AuditLog)),
    )


def events_of(session: Any, record_type: str, record_id: int) -> list[ChangeEvent]:
    return list(
        session.scalars(
            sa.select(ChangeEvent)
            .where(ChangeEvent.record_type == record_type, ChangeEvent.record_id == record_id)
            .order_by(ChangeEvent.seq)
        )
    )


def audits_of(session: Any, record_type: str, record_id: int) -> list[AuditLog]:
    return list(
        session.scalars(
            sa.select(AuditLog)
            .where(AuditLog.record_type == record_type, AuditLog.record_id == record_id)
            .order_by(AuditLog.seq)
        )
    )


def ids(response: Any) -> set[int]:
    """The ids on one page of a list response (which must be a 200)."""
    assert response.status_code == 200, response.json
    return {item["id"] for item in response.json["items"]}
