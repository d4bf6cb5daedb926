"""Alerts (预警) as the agency reads and acknowledges them.

An alert belongs to the agency that screened (its screening key): its people and its system see
it; administrators and the platform see all. Acknowledging says the agency has seen it and what
it did (the reason); an alert is never deleted, and never changes the screening it points to.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_role
from registry.database import utcnow
from registry.errors import Conflict, InvalidInput, NotFound
from registry.ledger import Actor, append_audit
from registry.messages import msg
from registry.models import Alert
from registry.monitoring.watches import agency_scope
from registry.records.common import Page, paginate

MAX_REASON = 2000


def _visible(actor: Actor) -> sa.ColumnElement[bool]:
    return agency_scope(actor, Alert.api_key_id)


def list_alerts(
    session: Session,
    actor: Actor,
    *,
    acknowledged: bool | None = None,
    screening_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[Alert]:
    """The agency's alerts, newest first; `acknowledged=False`: the open ones."""
    require_role(actor, "screener", "platform")
    stmt = sa.select(Alert).where(_visible(actor)).order_by(Alert.id.desc())
    if acknowledged is not None:
        stmt = stmt.where(Alert.acknowledged_at.is_not(None) if acknowledged else Alert.acknowledged_at.is_(None))
    if screening_id is not None:
        stmt = stmt.where(Alert.screening_id == screening_id)
    return paginate(session, stmt, page, per_page)


def get_alert(session: Session, alert_id: int, actor: Actor) -> Alert:
    require_role(actor, "screener", "platform")
    alert = session.scalar(sa.select(Alert).where(Alert.id == alert_id, _visible(actor)))
    if alert is None:
        raise NotFound(msg("alert {id} does not exist", id=alert_id))
    return alert


def acknowledge_alert(
    session: Session, alert_id: int, reason: str, actor: Actor, *, now: dt.datetime | None = None
) -> Alert:
    """The agency has seen the alert and says what it did (e.g. 已取消其中标候选人资格)."""
    require_role(actor, "screener")
    alert = get_alert(session, alert_id, actor)
    if alert.acknowledged_at is not None:
        raise Conflict(msg("alert {id} was acknowledged on {at}", id=alert_id, at=alert.acknowledged_at.isoformat()))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    if len(reason) > MAX_REASON:
        raise InvalidInput.field("reason", msg("must be at most {count} characters", count=MAX_REASON))
    before = alert.snapshot()
    alert.acknowledged_at = (now or utcnow()).astimezone(dt.UTC)
    alert.acknowledged_by = (actor.person or actor.name)[:200]
    alert.ack_reason = reason
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="acknowledge",
        record_type="alert",
        record_id=alert.id,
        before=before,
        after=alert.snapshot(),
        reason=reason,
        now=now,
    )
    return alert
