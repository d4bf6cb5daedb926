"""Watches (持续监测): an agency asks that the subjects of a screening be watched until a date.

Between 资格审查 and the award or contract a bidder that was clear may be listed or fined. Every
subject of a watched screening is watched by its name and code until `watch_until` (at most a
year ahead; the page offers the expected award date); a watch may be ended early. The agency that
screened (its screening key), or an administrator, watches and ends; an agency sees its own.

A subject's persons given with an ID number (its legal representative, or itself: an expert) are
followed too (`WatchPerson`): by the keyed hash the screening row keeps beside its document
(`Screening.person_fingerprints`), never the number; a person given by name alone is not followed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import QueryableAttribute, Session, selectinload

from registry.access import require_role
from registry.database import utcnow
from registry.errors import Conflict, InvalidInput, NotFound
from registry.ledger import Actor, append_audit
from registry.messages import msg
from registry.models import Screening, Watch, WatchPerson
from registry.records.common import Page, paginate
from registry.screening.evidence import get_screening

MAX_AHEAD_DAYS = 366  # "at most one year ahead": a year from today, a leap day included


def latest_until(today: dt.date) -> dt.date:
    """The furthest day a watch may run to: the same day a year on (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def check_until(until: dt.date, today: dt.date) -> None:
    if until < today:
        raise InvalidInput.field("watch_until", msg("must not be before today ({today})", today=today.isoformat()))
    if until > latest_until(today):
        raise InvalidInput.field(
            "watch_until", msg("must be at most one year ahead (until {last})", last=latest_until(today).isoformat())
        )


def watch_screening(
    session: Session, screening_id: int, until: dt.date, actor: Actor, today: dt.date, *, now: dt.datetime | None = None
) -> list[Watch]:
    """Watch every subject of a screening until `until` (inclusive). Watching it again moves the end
    of the watches still running; an ended watch stays ended."""
    require_role(actor, "screener")
    try:
        screening = get_screening(session, screening_id, actor)
    except NotFound:  # a reference in the body: the field is wrong, not the address
        raise InvalidInput.field("screening_id", msg("screening {id} does not exist", id=screening_id)) from None
    check_until(until, today)
    existing = {w.subject_index: w for w in session.scalars(sa.select(Watch).where(Watch.screening_id == screening.id))}
    moment = (now or utcnow()).astimezone(dt.UTC)
    watches = []
    for subject in screening.document.get("subjects", []):
        watch = existing.get(subject["index"])
        if watch is None:
            watch = _new_watch(screening, subject, until, actor, moment)
            watch.persons = _persons(screening, subject)
            session.add(watch)
        elif watch.ended_at is None:
            watch.watch_until = until
        watches.append(watch)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="watch",
        record_type="screening",
        record_id=screening.id,
        before=None,
        after={"watch_until": until.isoformat(), "watches": [w.id for w in watches]},
        reason=None,
        now=now,
    )
    return watches


def _new_watch(screening: Screening, subject: dict[str, Any], until: dt.date, actor: Actor, at: dt.datetime) -> Watch:
    return Watch(
        screening_id=screening.id,
        subject_index=subject["index"],
        api_key_id=screening.api_key_id,
        agency=screening.document.get("requested_by", {}).get("name") or screening.requested_by,
        subject_name=subject.get("name"),
        subject_code=subject.get("uscc"),  # as given (normalised); the index uses it when valid
        domain=screening.domain,
        project_code=screening.project_code,
        decision_then=subject["own_decision"],
        watch_until=until,
        created_by=(actor.person or actor.name)[:200],
        created_at=at,
    )


def _persons(screening: Screening, subject: dict[str, Any]) -> list[WatchPerson]:
    """The subject's persons given with an ID number, as the screening saw them: the masked number
    and the name from its document, the keyed hash from beside it (a screening stored before the
    hashes were kept has none: its persons are not followed)."""
    shown = {"legal_representative": subject.get("legal_representative") or {}, "self": subject}
    return [
        WatchPerson(
            capacity=given["capacity"],
            name=shown[given["capacity"]].get("name"),
            id_type=shown[given["capacity"]].get("id_type"),
            id_number_masked=shown[given["capacity"]].get("id_number_masked"),
            fingerprint=given["fingerprint"],
        )
        for given in screening.person_fingerprints or []
        if given["subject_index"] == subject["index"] and given["capacity"] in shown
    ]


def agency_scope(actor: Actor, key_column: QueryableAttribute[int | None]) -> sa.ColumnElement[bool]:
    """What an agency sees of its own watches and alerts: those filed under its screening key;
    administrators and the platform see all."""
    if actor.role in ("admin", "platform"):
        return sa.true()
    return key_column == actor.key_id if actor.key_id is not None else sa.false()


def _visible(actor: Actor) -> sa.ColumnElement[bool]:
    return agency_scope(actor, Watch.api_key_id)


def list_watches(
    session: Session,
    actor: Actor,
    today: dt.date,
    *,
    screening_id: int | None = None,
    active: bool | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[Watch]:
    """The agency's watches, newest first; `active`: only those running today (or only the others)."""
    require_role(actor, "screener", "platform")
    stmt = sa.select(Watch).where(_visible(actor)).order_by(Watch.id.desc()).options(selectinload(Watch.persons))
    if screening_id is not None:
        stmt = stmt.where(Watch.screening_id == screening_id)
    running = sa.and_(Watch.ended_at.is_(None), Watch.watch_until >= today)
    if active is not None:
        stmt = stmt.where(running if active else sa.not_(running))
    return paginate(session, stmt, page, per_page)


def get_watch(session: Session, watch_id: int, actor: Actor) -> Watch:
    require_role(actor, "screener", "platform")
    watch = session.scalar(sa.select(Watch).where(Watch.id == watch_id, _visible(actor)))
    if watch is None:
        raise NotFound(msg("watch {id} does not exist", id=watch_id))
    return watch


def end_watch(session: Session, watch_id: int, reason: str, actor: Actor, *, now: dt.datetime | None = None) -> Watch:
    """End a watch before its day (the award was made, the bidder withdrew …), with the reason."""
    require_role(actor, "screener")
    watch = get_watch(session, watch_id, actor)
    if watch.ended_at is not None:
        raise Conflict(msg("watch {id} was ended on {at}", id=watch_id, at=watch.ended_at.isoformat()))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    before = watch.snapshot()
    watch.ended_at = (now or utcnow()).astimezone(dt.UTC)
    watch.ended_by = (actor.person or actor.name)[:200]
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="end",
        record_type="watch",
        record_id=watch.id,
        before=before,
        after=watch.snapshot(),
        reason=reason,
        now=now,
    )
    return watch
