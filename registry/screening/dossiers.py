"""What a screening shows of a listed entity (失信档案): its records that count on a day, and the
measures (联合惩戒/激励措施) they set off in one trading domain; cached per process.

A screening that hits a listed entity reports the entity, its records as of that moment and
the measures they trigger. Reading and evaluating them costs three queries and the measure
rules per entity, and the same few listed entities are hit again and again (a blacklisted
company bids often). `DossierCache` keeps the evaluated form per (entity, domain, day):

- **Fresh.** The name index (`registry.screening.name_index`) applies every outbox event in order; it
  tells the cache which entities an event touched, and the cache forgets them. Events of
  other kinds (an authority, a calendar year, a repair application) and full index rebuilds
  empty the whole cache. So a dossier is never older than the registry state the screening
  reports as `registry_seq`.
- **By day.** Whether a record counts depends on the day (expiry is read from `expires_on`,
  publication ends by date), so the day is part of the key: nothing needs to run at midnight.
- **Bounded.** At most `max_entries` dossiers; the least recently used go first.

A dossier is shared by every screening that shows it: treat it as read-only.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, lazyload

from registry.messages import render
from registry.models import Entity, EntityName, ListEntry, Penalty
from registry.screening.measures import Measure, MeasureHit, match_measures

_CHUNK = 500  # ids per IN (...) list: well under every backend's limit on bound parameters
# Fields of a record kept from a screener when the record is not published (保密审查): the
# screening still shows that it exists, who decided it and what it triggers, not its contents.
WITHHELD = (
    "facts",
    "legal_basis",
    "basis",
    "content",
    "violation_type",
    "remarks",
    "licence_affected",
    "not_public_reason",
    "reason_category",
    "status_reason",
    "revocation_reason",
    "confiscation_amount",
)


@dataclass(frozen=True)
class Dossier:
    """One listed entity as screenings in one domain see it on one day."""

    entity_id: int
    kind: str  # legal_person | unincorporated | individual_business | natural_person …
    name: str
    measures: tuple[MeasureHit, ...]
    document: dict[str, Any]  # {"entity", "records", "measures"}: JSON-ready, as stored in a screening

    @property
    def effects(self) -> set[str]:
        return {m.effect for m in self.measures}

    @property
    def record_count(self) -> int:
        return len(self.document["records"])


def _record(kind: str, record: ListEntry | Penalty, today: dt.date, in_force: bool) -> dict[str, Any]:
    snapshot = record.snapshot()
    # 失信相关人 are for the deciding authority, administrators and the platform: never in a screening.
    snapshot.pop("responsible_persons", None)
    published = record.published_on(today) if isinstance(record, Penalty) else record.is_public and in_force
    withheld = [f for f in WITHHELD if f in snapshot] if not published else []
    for field in withheld:
        del snapshot[field]
    out: dict[str, Any] = {"record_type": kind, "id": record.id, "in_force": in_force, "published": published}
    if isinstance(record, ListEntry):
        out["status_on_day"] = record.status_on(today)
    out["snapshot"] = snapshot
    if not published:
        out["withheld"] = withheld
    return out


def _measure(hit: MeasureHit) -> dict[str, Any]:
    m = hit.measure
    return {
        "code": m.code,
        "name": m.name,
        "effect": m.effect,
        "implementing_authority": m.implementing_authority,
        "legal_basis": list(m.legal_basis),
        "certainty": m.certainty,
        "records": [
            {
                "record_type": r.record_type,
                "id": r.id,
                "reason": render(r.reason, "zh"),
                "reason_en": render(r.reason, "en"),
                "ends_on": r.ends_on.isoformat() if r.ends_on else None,
            }
            for r in hit.records
        ],
    }


def _chunks(values: Iterable[int]) -> list[list[int]]:
    ordered = sorted(set(values))
    return [ordered[i : i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


# Built once: a screening that hits an entity not seen before runs them, and building a statement
# costs about as much as running it on SQLite.
_IDS: sa.BindParameter[list[int]] = sa.bindparam("ids", expanding=True)
# The entity and its names in one plain query: no ORM objects (and no eager loads) for what is
# only copied into the document.
_ENTITIES = (
    sa.select(
        Entity.id,
        Entity.kind,
        Entity.name,
        Entity.uscc,
        Entity.region_code,
        EntityName.name.label("other_name"),
        EntityName.kind.label("name_kind"),
    )
    .outerjoin(EntityName, EntityName.entity_id == Entity.id)
    .where(Entity.id.in_(_IDS))
    .order_by(Entity.id, EntityName.id)
)
_ENTRIES = (
    sa.select(ListEntry)
    .where(ListEntry.entity_id.in_(_IDS), ListEntry.listed_on <= sa.bindparam("today"))
    .options(
        joinedload(ListEntry.domain_rows),
        joinedload(ListEntry.authority).lazyload("*"),
        lazyload(ListEntry.transitions),
        lazyload(ListEntry.responsible_persons),
    )
    .order_by(ListEntry.id)
)
_PENALTIES = (
    sa.select(Penalty)
    .where(Penalty.entity_id.in_(_IDS), Penalty.decided_on <= sa.bindparam("today"))
    .options(joinedload(Penalty.authority).lazyload("*"), lazyload(Penalty.responsible_persons))
    .order_by(Penalty.id)
)


def load_dossiers(
    session: Session, entity_ids: Iterable[int], domain: str, today: dt.date, measures: Sequence[Measure]
) -> dict[int, Dossier | None]:
    """Read and evaluate the entities' dossiers: four queries per 500 entities.

    An entity with nothing that counts today (every record expired, removed, repaired …) maps
    to None: a hit on it has nothing to report.
    """
    found: dict[int, Dossier | None] = {}
    for chunk in _chunks(entity_ids):
        entities: dict[int, dict[str, Any]] = {}
        for row in session.connection().execute(_ENTITIES, {"ids": chunk}):
            entity = entities.setdefault(
                row.id,
                {
                    "id": row.id,
                    "kind": row.kind,
                    "name": row.name,
                    "uscc": row.uscc,
                    "region_code": row.region_code,
                    "names": [],
                },
            )
            if row.other_name is not None:
                entity["names"].append({"name": row.other_name, "kind": row.name_kind})
        entries: dict[int, list[ListEntry]] = defaultdict(list)
        for entry in session.scalars(_ENTRIES, {"ids": chunk, "today": today}).unique():
            entries[entry.entity_id].append(entry)
        penalties: dict[int, list[Penalty]] = defaultdict(list)
        for penalty in session.scalars(_PENALTIES, {"ids": chunk, "today": today}):
            penalties[penalty.entity_id].append(penalty)
        for entity_id in chunk:
            held = entities.get(entity_id)
            found[entity_id] = (
                None
                if held is None
                else _dossier(held, entries[entity_id], penalties[entity_id], domain, today, measures)
            )
    return found


def _dossier(
    entity: dict[str, Any],
    entries: list[ListEntry],
    penalties: list[Penalty],
    domain: str,
    today: dt.date,
    measures: Sequence[Measure],
) -> Dossier | None:
    # The measure rules (registry.screening.measures) decide what counts; the records shown are those in
    # force today plus any a measure counts beyond that (the procurement look-back).
    hits = match_measures(entries, penalties, domain, today, measures)
    triggering = {(r.record_type, r.id) for h in hits for r in h.records}
    records = [
        _record("list_entry", e, today, e.in_force_on(today))
        for e in entries
        if e.in_force_on(today) or ("list_entry", e.id) in triggering
    ] + [
        _record("penalty", p, today, p.in_force_on(today))
        for p in penalties
        if p.in_force_on(today) or ("penalty", p.id) in triggering
    ]
    if not records:
        return None
    document = {"entity": entity, "records": records, "measures": [_measure(m) for m in hits]}
    return Dossier(entity["id"], entity["kind"], entity["name"], tuple(hits), document)


_Key = tuple[int, str, dt.date]  # entity id, domain, day


class DossierCache:
    """Evaluated dossiers per (entity, domain, day), forgotten when the name index applies an
    outbox event that touches the entity (see the module's docstring)."""

    def __init__(self, max_entries: int = 20_000) -> None:
        self._max = max_entries
        self._entries: OrderedDict[_Key, Dossier | None] = OrderedDict()
        self._by_entity: dict[int, set[_Key]] = defaultdict(set)
        self._lock = threading.Lock()
        self._generation = 0  # moves on with every forget
        self._forgot_up_to = 0  # the newest outbox event a forget was for
        self.loads = 0  # entities read from the database (for tests and metrics)

    def __len__(self) -> int:
        return len(self._entries)

    def get(
        self,
        session: Session,
        entity_ids: Iterable[int],
        domain: str,
        today: dt.date,
        measures: Sequence[Measure],
        *,
        as_of: int | None = None,
    ) -> dict[int, Dossier]:
        """The dossiers of those of `entity_ids` that have something counting today.

        `as_of`: the outbox event the session's reads are known to be at least as new as (the name
        index's, when nothing was read before it). A load is kept only if no forget since, nor any
        forget for a newer event before it, could make it stale: another thread may have moved the
        index on and forgotten an entity while this session's snapshot was older."""
        wanted = set(entity_ids)
        found: dict[int, Dossier | None] = {}
        with self._lock:
            for entity_id in wanted:
                key = (entity_id, domain, today)
                if key in self._entries:
                    self._entries.move_to_end(key)
                    found[entity_id] = self._entries[key]
            generation = self._generation
            keep = as_of is None or as_of >= self._forgot_up_to
        missing = wanted - found.keys()
        if missing:
            # Read outside the lock: another thread may load the same entity meanwhile, which
            # costs a query, never a wrong answer (both read a state at least as new as the index).
            loaded = load_dossiers(session, missing, domain, today, measures)
            found.update(loaded)
            with self._lock:
                self.loads += len(loaded)
                # Something was forgotten while this thread read: what it read may predate that
                # change, so it is used for this screening but not kept.
                if keep and generation == self._generation:
                    for entity_id, dossier in loaded.items():
                        key = (entity_id, domain, today)
                        self._entries[key] = dossier
                        self._by_entity[entity_id].add(key)
                while len(self._entries) > self._max:
                    old, _ = self._entries.popitem(last=False)
                    keys = self._by_entity.get(old[0])
                    if keys is not None:
                        keys.discard(old)
                        if not keys:
                            del self._by_entity[old[0]]
        return {i: d for i, d in found.items() if d is not None}

    def forget(self, entity_ids: Iterable[int] | None, seq: int | None = None) -> None:
        """Forget the dossiers of `entity_ids`, or every dossier when None; `seq`: the outbox event
        that made them stale, when known."""
        with self._lock:
            self._generation += 1
            if seq is not None:
                self._forgot_up_to = max(self._forgot_up_to, seq)
            if entity_ids is None:
                self._entries.clear()
                self._by_entity.clear()
                return
            for entity_id in entity_ids:
                for key in self._by_entity.pop(entity_id, ()):
                    self._entries.pop(key, None)
