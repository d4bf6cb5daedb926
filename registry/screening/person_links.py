"""The persons behind a screened subject (失信相关人): a bidder's legal representative, an expert.

发改法规〔2018〕457号 punishes, beside the 失信企业, the persons responsible for its conduct: the
legal representative of a black-listed company must not escape by bidding through a new company,
nor a 评标评审专家 keep evaluating. A screening subject may therefore carry its legal
representative (`legal_representative: {name, id_type, id_number}`), and an expert is screened as
a subject with its own ID. Each such person is looked up among the 失信相关人 that penalties and
list entries name (`registry.models.ResponsiblePerson`):

- **By ID number** (the keyed hash; the number itself is never compared in clear, never stored in
  the screening): the same person. The measures of the record that names them which reach
  their role (`Measure.persons`) apply with the effect the catalogue gives (block or review).
- **By name only** (no ID on one side): at most `possible`, a person decides: review, never a
  block. A name with a different ID number on both sides is another person and not reported.

A person counts while the record that names them counts (in force on the day, and, for a
penalty, within its publication period) and, when the decision set one, until their own end.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, lazyload

from registry.codes import idnumber
from registry.codes.idnumber import IdentityVault, IdNumberError
from registry.messages import Msg, Text, msg, render
from registry.models import Entity, ListEntry, Penalty, ResponsiblePerson
from registry.screening.measures import Measure, MeasureHit, match_measures
from registry.screening.wording import listing, measure_words, term
from registry.vocab import RESPONSIBLE_ROLES

MAX_NAME_LINKS = 5  # persons found by name alone reported per subject
_PERSON_KEYS = frozenset({"name", "id_type", "id_number"})


@dataclass(frozen=True)
class PersonInput:
    """A person as a screening request gives them; the number is kept only until fingerprinted."""

    name: str | None
    id_type: str | None
    number: str | None  # normalised; never stored
    masked: str | None

    def request_form(self) -> dict[str, Any]:
        """As the stored screening keeps it: the number masked."""
        return {"name": self.name, "id_type": self.id_type, "id_number_masked": self.masked}

    def query(self, subject_index: int, capacity: str, vault: IdentityVault | None) -> PersonQuery:
        """The look-up; the number is fingerprinted with `vault` (needed when a number was given)."""
        fingerprint = None
        if self.id_type and self.number:
            if vault is None:
                raise RuntimeError("an ID number is looked up by its keyed hash: pass the identity vault")
            fingerprint = vault.fingerprint(self.id_type, self.number)
        return PersonQuery(subject_index, capacity, self.name, self.id_type, fingerprint, self.masked)


def read_person(
    name: Any,
    id_type: Any,
    number: Any,
    field: str,
    errors: dict[str, list[Text]],
) -> PersonInput | None:
    """A person's name and ID document from a request, checked; None when nothing was given.
    Errors go to `errors` under `field`.name / .id_type / .id_number, as catalogue messages."""

    def text(value: Any, key: str, limit: int) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            errors.setdefault(f"{field}{key}", []).append("must be a string")
            return None
        cleaned = " ".join(value.split())
        if len(cleaned) > limit:
            errors.setdefault(f"{field}{key}", []).append(msg("must be at most {count} characters", count=limit))
            return None
        return cleaned or None

    name_text = text(name, "name", 100)
    type_text = text(id_type, "id_type", 32)
    number_text = text(number, "id_number", 64)
    if name_text is None and type_text is None and number_text is None:
        return None
    if number_text is None:
        if type_text is not None:
            errors.setdefault(f"{field}id_number", []).append("id_type needs id_number")
        return PersonInput(idnumber.mask_resident_ids(name_text or ""), None, None, None) if name_text else None
    if type_text is None:
        type_text = "resident_id"  # 居民身份证 unless said otherwise: what bidders' forms ask for
    try:
        clean = idnumber.validate(type_text, number_text)
    except IdNumberError as exc:
        key = "id_type" if type_text not in idnumber.ID_TYPES else "id_number"  # an unknown type: the types named
        reason = exc.text if key == "id_type" else msg("invalid ID document number: {why}", why=exc.text)
        errors.setdefault(f"{field}{key}", []).append(reason)
        return None
    shown_name = idnumber.mask_resident_ids(name_text) if name_text else None
    return PersonInput(shown_name, type_text, clean, idnumber.mask(clean))


def read_subject_persons(
    raw: dict[str, Any],
    field: str,
    errors: dict[str, list[Text]],
) -> tuple[PersonInput | None, PersonInput | None]:
    """A subject's legal representative (`legal_representative`) and its own ID (`id_type`,
    `id_number`: a natural person such as an expert), each checked, or None."""
    rep: PersonInput | None = None
    given = raw.get("legal_representative")
    if given is not None:
        if not isinstance(given, dict):
            errors.setdefault(f"{field}.legal_representative", []).append(
                "must be an object with name, id_type and id_number"
            )
        else:
            unknown = sorted(set(given) - _PERSON_KEYS)
            if unknown:
                errors.setdefault(f"{field}.legal_representative", []).append(
                    msg("unknown field(s) {names}", names=", ".join(unknown))
                )
            rep = read_person(
                given.get("name"),
                given.get("id_type"),
                given.get("id_number"),
                f"{field}.legal_representative.",
                errors,
            )
    own: PersonInput | None = None
    if raw.get("id_number") is not None or raw.get("id_type") is not None:
        own = read_person(raw.get("name"), raw.get("id_type"), raw.get("id_number"), f"{field}.", errors)
    return rep, own


@dataclass(frozen=True)
class PersonQuery:
    """One person to look up for subject `subject_index`: its legal representative, or itself."""

    subject_index: int
    capacity: str  # legal_representative | self
    name: str | None
    id_type: str | None
    fingerprint: str | None  # the vault's keyed hash of (id_type, number)
    masked: str | None

    @property
    def label(self) -> Text:
        """The person as a reason names them: 法定代表人 张三（330106********1234）."""
        who: Text = self.name or msg("(no name given)")
        if self.masked:
            who = msg("{name} ({id_number})", name=who, id_number=self.masked)
        if self.capacity == "legal_representative":
            return msg("legal representative {name}", name=who)
        return who


@dataclass(frozen=True)
class PersonLink:
    """A queried person found among a record's 失信相关人, and what it means in the screened domain."""

    query: PersonQuery
    identified: bool  # by ID number; False: by name only
    role: str
    record_type: str  # list_entry | penalty
    record_id: int
    record_label: Msg  # the list and decision, or the penalty decision
    entity_id: int
    entity_name: str
    authority_name: str
    hits: tuple[MeasureHit, ...]
    more_by_name: int = 0  # further persons of the same name, not listed (a common name)

    @property
    def effect(self) -> str | None:
        """block or review from the measures reaching the person; a name-only link is at most review;
        a link no measure reaches in the domain is reported for a person to weigh (review)."""
        effects = [m.measure.persons.effect for m in self.hits if m.measure.persons is not None]
        if not effects:
            return "review"
        strongest = "block" if "block" in effects else "review"
        return strongest if self.identified else "review"

    def reason(self) -> Msg:
        how = (
            msg("the same ID document number")
            if self.identified
            else msg("the same name only, not verified by an ID document number: a person checks")
        )
        measures = listing(measure_words(m) for m in self.hits) or msg(
            "no measure in this domain reaches the 失信相关人: a person checks"
        )
        said = msg(
            "{person} is a 失信相关人 ({role}) of {entity} (entity {id}): {record}, decided by {authority}; {how}; "
            "{measures}",
            person=self.query.label,
            role=term(self.role, RESPONSIBLE_ROLES),
            entity=self.entity_name,
            id=self.entity_id,
            record=self.record_label,
            authority=self.authority_name,
            how=how,
            measures=measures,
        )
        if self.more_by_name:
            said = msg(
                "{reason}; {count} more 失信相关人 of the same name are not listed",
                reason=said,
                count=self.more_by_name,
            )
        return said

    def document(self) -> dict[str, Any]:
        reason = self.reason()
        return {
            "capacity": self.query.capacity,
            "name": self.query.name,
            "id_number_masked": self.query.masked,
            "identified_by": "id_number" if self.identified else "name",
            "role": self.role,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "record": render(self.record_label, "zh"),
            "record_en": render(self.record_label, "en"),
            "entity_id": self.entity_id,
            "entity_name": self.entity_name,
            "authority": self.authority_name,
            "measures": [m.measure.code for m in self.hits],
            "effect": self.effect,
            "reason": render(reason, "zh"),
            "reason_en": render(reason, "en"),
        }


def _counts(person: ResponsiblePerson, record: ListEntry | Penalty, today: dt.date) -> bool:
    return record.in_force_on(today) and (person.ends_on is None or today <= person.ends_on)


def _label(record: ListEntry | Penalty) -> Msg:
    if isinstance(record, Penalty):
        return msg("penalty {decision} ({decided_on})", decision=record.decision_number, decided_on=record.decided_on)
    values = {"list": record.list_name, "decision": record.decision_number, "listed_on": record.listed_on}
    if record.expires_on:
        return msg("on {list} ({decision}, {listed_on}, until {until})", until=record.expires_on, **values)
    return msg("on {list} ({decision}, {listed_on})", **values)


def _candidates(session: Session, queries: Sequence[PersonQuery]) -> list[ResponsiblePerson]:
    """The responsible persons any query may concern: three indexed look-ups at most. A name
    given with an ID number only looks among persons recorded without one (a recorded number
    that differs is another person)."""
    fingerprints = sorted({q.fingerprint for q in queries if q.fingerprint})
    bare_names = sorted({q.name for q in queries if q.name and not q.fingerprint})
    names_with_id = sorted({q.name for q in queries if q.name and q.fingerprint} - set(bare_names))
    person = ResponsiblePerson
    found: dict[int, ResponsiblePerson] = {}
    for condition in (
        person.id_number_hash.in_(fingerprints) if fingerprints else None,
        person.name.in_(bare_names) if bare_names else None,
        sa.and_(person.name.in_(names_with_id), person.id_number_hash.is_(None)) if names_with_id else None,
    ):
        if condition is not None:
            found.update((p.id, p) for p in session.scalars(sa.select(person).where(condition)))
    return list(found.values())


def _records(
    session: Session,
    candidates: Sequence[ResponsiblePerson],
) -> tuple[dict[int, ListEntry], dict[int, Penalty]]:
    entry_ids = {p.list_entry_id for p in candidates if p.list_entry_id is not None}
    penalty_ids = {p.penalty_id for p in candidates if p.penalty_id is not None}
    entries = (
        {
            e.id: e
            for e in session.scalars(
                sa.select(ListEntry)
                .where(ListEntry.id.in_(entry_ids))
                .options(
                    joinedload(ListEntry.domain_rows),
                    joinedload(ListEntry.authority).lazyload("*"),
                    lazyload(ListEntry.transitions),
                    lazyload(ListEntry.responsible_persons),
                )
            ).unique()
        }
        if entry_ids
        else {}
    )
    penalties = (
        {
            p.id: p
            for p in session.scalars(
                sa.select(Penalty)
                .where(Penalty.id.in_(penalty_ids))
                .options(
                    joinedload(Penalty.authority).lazyload("*"),
                    lazyload(Penalty.responsible_persons),
                )
            )
        }
        if penalty_ids
        else {}
    )
    return entries, penalties


def _matches(
    query: PersonQuery, by_hash: dict[str, list[ResponsiblePerson]], by_name: dict[str, list[ResponsiblePerson]]
) -> list[tuple[ResponsiblePerson, bool]]:
    """The candidates `query` concerns, each with whether the ID number identified them."""
    found = [(p, True) for p in by_hash.get(query.fingerprint or "", [])]
    for p in by_name.get(query.name or "", []):
        # Two ID numbers that differ are two people, whatever their names.
        if not (query.fingerprint and p.id_number_hash):
            found.append((p, False))
    return found


def find_person_links(
    session: Session,
    queries: Sequence[PersonQuery],
    domain: str,
    today: dt.date,
    measures: Sequence[Measure],
) -> dict[int, list[PersonLink]]:
    """The links of each subject (by index) whose persons are 失信相关人 of a record counting today.
    A person found by name alone is reported at most MAX_NAME_LINKS times per subject (a common
    name is many people); the last one says how many more there are."""
    if not queries:
        return {}
    candidates = _candidates(session, queries)
    if not candidates:
        return {}
    entries, penalties = _records(session, candidates)
    records: list[ListEntry | Penalty] = [*entries.values(), *penalties.values()]
    entity_names: dict[int, str] = {}
    if records:
        for entity_id, name in session.execute(
            sa.select(Entity.id, Entity.name).where(Entity.id.in_({r.entity_id for r in records}))
        ):
            entity_names[entity_id] = name
    by_hash: dict[str, list[ResponsiblePerson]] = defaultdict(list)
    by_name: dict[str, list[ResponsiblePerson]] = defaultdict(list)
    for candidate in candidates:
        if candidate.id_number_hash:
            by_hash[candidate.id_number_hash].append(candidate)
        by_name[candidate.name].append(candidate)
    links: dict[int, list[PersonLink]] = {}
    for query in queries:
        found: list[PersonLink] = []
        for person, identified in _matches(query, by_hash, by_name):
            record: ListEntry | Penalty | None = (
                entries.get(person.list_entry_id)
                if person.list_entry_id is not None
                else penalties.get(person.penalty_id or -1)
            )
            if record is None or not _counts(person, record, today):
                continue
            reaching = [m for m in measures if m.persons is not None and person.role in m.persons.roles]
            hits = match_measures(
                [record] if isinstance(record, ListEntry) else [],
                [record] if isinstance(record, Penalty) else [],
                domain,
                today,
                reaching,
                persons_only_too=True,
            )
            found.append(
                PersonLink(
                    query,
                    identified,
                    person.role,
                    "list_entry" if isinstance(record, ListEntry) else "penalty",
                    record.id,
                    _label(record),
                    record.entity_id,
                    entity_names.get(record.entity_id, ""),
                    record.authority.name,
                    tuple(hits),
                )
            )
        found.sort(key=lambda link: (link.effect != "block", not link.identified, -link.record_id))
        by_id = [link for link in found if link.identified]
        by_name_only = [link for link in found if not link.identified]
        if len(by_name_only) > MAX_NAME_LINKS:
            more = len(by_name_only) - MAX_NAME_LINKS
            by_name_only = by_name_only[:MAX_NAME_LINKS]
            by_name_only[-1] = dataclasses.replace(by_name_only[-1], more_by_name=more)
        if by_id or by_name_only:
            links.setdefault(query.subject_index, []).extend([*by_id, *by_name_only])
    return links
