"""Dispositions (误报 / 确认): a screener's judgement on one subject/entity pair, shown beside the hit
the next time the same pair is screened by the same organisation; never hiding a hit nor changing a
decision.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.access import require_role
from registry.database import utcnow
from registry.errors import InvalidInput
from registry.ledger import Actor, append_audit
from registry.messages import msg
from registry.models import ApiKey, HitDisposition
from registry.screening.evidence import get_screening

DISPOSITIONS = {
    "false_positive": "误报: the subject is not the listed entity",
    "confirmed": "确认: the subject is the listed entity",
}
_CHUNK = 500


# --- what the registry holds about the hits -----------------------------------------------------


def _chunks(values: Iterable[Any]) -> list[list[Any]]:
    ordered = sorted(set(values))
    return [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


_DISPOSITIONS = cast(sa.Table, HitDisposition.__table__)
_KEYS = cast(sa.Table, ApiKey.__table__)
# The keys of the organisation the actor screens for (its key holder's name, same role): an agency
# sees its own earlier dispositions, never another agency's (their names and reasons). A subquery,
# so a screening with hits asks the database once, not twice.
_HOLDER_KEYS = sa.select(_KEYS.c.id).where(
    _KEYS.c.name == sa.bindparam("holder_name"), _KEYS.c.role == sa.bindparam("holder_role")
)
_EARLIER_DISPOSITIONS = (
    sa.select(
        _DISPOSITIONS.c.id,
        _DISPOSITIONS.c.subject_key,
        _DISPOSITIONS.c.entity_id,
        _DISPOSITIONS.c.screening_id,
        _DISPOSITIONS.c.disposition,
        _DISPOSITIONS.c.reason,
        _DISPOSITIONS.c.decided_by,
        _DISPOSITIONS.c.decided_at,
    )
    .where(
        _DISPOSITIONS.c.subject_key.in_(sa.bindparam("keys", expanding=True)),
        _DISPOSITIONS.c.api_key_id.in_(_HOLDER_KEYS),
    )
    .order_by(_DISPOSITIONS.c.id)
)


def earlier_dispositions(
    session: Session,
    pairs: set[tuple[str, int]],
    actor: Actor,
) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """The actor's organisation's earlier dispositions of these (subject key, entity) pairs: one
    query per 500 subjects."""
    shown: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    if actor.key_id is None:
        return shown
    connection = session.connection()
    holder = {"holder_name": actor.name, "holder_role": actor.role}
    for chunk in _chunks({key for key, _ in pairs}):
        for row in connection.execute(_EARLIER_DISPOSITIONS, {"keys": chunk, **holder}):
            if (row.subject_key, row.entity_id) in pairs:
                shown[(row.subject_key, row.entity_id)].append(
                    {
                        "id": row.id,
                        "screening_id": row.screening_id,
                        "disposition": row.disposition,
                        "reason": row.reason,
                        "decided_by": row.decided_by,
                        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
                    }
                )
    return shown


def dispose_hit(
    session: Session,
    screening_id: int,
    entity_id: int,
    subject_index: int,
    disposition: str,
    reason: str,
    actor: Actor,
    *,
    now: dt.datetime | None = None,
) -> HitDisposition:
    """Record a judgement on one hit (false_positive | confirmed) with the reason; the screener
    that made the screening or an administrator. Shown beside the pair in later screenings."""
    require_role(actor, "screener")
    screening = get_screening(session, screening_id, actor)
    if disposition not in DISPOSITIONS:
        raise InvalidInput.field("disposition", msg("must be one of {values}", values=", ".join(DISPOSITIONS)))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    subjects = screening.document.get("subjects", [])
    if not isinstance(subject_index, int) or not 0 <= subject_index < len(subjects):
        raise InvalidInput.field(
            "subject_index", msg("screening {id} has subjects 0 to {last}", id=screening_id, last=len(subjects) - 1)
        )
    subject = subjects[subject_index]
    if entity_id not in {h["entity_id"] for h in subject.get("hits", [])}:
        raise InvalidInput.field(
            "entity_id", msg("entity {id} is not a hit of subjects.{index}", id=entity_id, index=subject_index)
        )
    row = HitDisposition(
        subject_key=subject["subject_key"],
        entity_id=entity_id,
        screening_id=screening.id,
        disposition=disposition,
        reason=reason,
        decided_by=actor.label[:200],
        api_key_id=actor.key_id,
        decided_at=(now or utcnow()).astimezone(dt.UTC),
    )
    session.add(row)
    session.flush()
    append_audit(
        session,
        actor=actor,
        action="dispose",
        record_type="hit_disposition",
        record_id=row.id,
        before=None,
        after={**row.snapshot(), "subject_index": subject_index},
        reason=reason,
        now=now,
    )
    return row
