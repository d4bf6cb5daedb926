"""Screenings (资格审查信用核查): checking a project's bidders against the registry, kept as evidence.

A tender or procurement agency screens every subject of one project (each member of a
consortium 联合体 separately) before award. For each subject the name index proposes listed
entities (`registry.screening.name_index`); for each hit this service reads the entity's records that
count today and the measures (联合惩戒/激励措施) they set off in the domain screened, and
decides:

- `block`  an `exact` or `strong` hit carries a block measure;
- `review` a block measure comes only from a `possible` hit, or any review measure applies,
           or the subject could not be screened (only an unusable code was given);
- `clear`  otherwise. Red lists give incentives only, never a block; an incentive is offered
           only on an `exact` or `strong` hit (a possible one asks to confirm identity first).

A subject's code may be a 统一社会信用代码 or, as bidders still give, its 9-character 组织机构代码
(GB 11714; characters 9–17 of a USCC, GB 32100): either finds a listed entity by its code. A 15-digit
注册号, a malformed code or the 个体工商户 placeholder is noted and not used.

One bad member flags every member of its consortium (same non-empty `consortium` label): each
member's decision is the worst in the consortium, and its reasons say which member caused it.
The overall decision is the worst subject decision.

What was seen and decided is stored as one `document` (canonical JSON, SHA-256 `digest`),
with the records' snapshots as of that moment, the outbox sequence the index reflected and the
scorer's name and version; an audit row carries the digest into the hash chain. Later changes
to the records never change a stored screening; `verify_screening` re-computes the digest.
(`registry_seq` is what the name index had applied; the records are read just after it, so on
PostgreSQL a change committed in between can show in the records: the document holds what was read.)

Dispositions (a screener's judgement on one subject/entity pair: `false_positive` or
`confirmed`) are shown beside the hit the next time the same pair is screened. They never hide
a hit nor change a decision: the registry may have changed since, and a person decides again.

Who sees screenings: administrators and the platform see all; a screener key sees the
screenings it made (another key's answer 404, as if they did not exist: a project's bidders are
not another agency's business); other roles get 403.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session, defer

from matching.codes import is_registration_number, is_valid_organisation_code, organisation_check
from matching.normalise import normalise as normalise_name
from matching.parse import parse_name
from matching.types import Feature, Hit, Query
from registry.access import require_role
from registry.codes.idnumber import IdentityVault, mask_resident_ids
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER, USCCError
from registry.codes.uscc import normalise as normalise_uscc
from registry.codes.uscc import validate as validate_uscc
from registry.database import utcnow
from registry.errors import InvalidInput, NotFound
from registry.ledger import Actor, append_audit, canonical_json, row_hash
from registry.models import ApiKey, AuditLog, Entity, HitDisposition, Screening
from registry.records.common import Page, paginate
from registry.records.record_rules import identity_vault
from registry.screening.dossiers import Dossier, DossierCache, load_dossiers
from registry.screening.measures import Measure
from registry.screening.name_index import NameIndex
from registry.screening.person_links import (
    PersonInput,
    PersonLink,
    PersonQuery,
    find_person_links,
    read_subject_persons,
)
from registry.vocab import DOMAINS

MAX_SUBJECTS = 1000
HITS_PER_SUBJECT = 10  # the matcher's limit per subject
DOCUMENT_FORMAT = "screening/1"
# Ascending severity: the worst of several decisions is the one with the highest index.
DECISIONS = ("clear", "review", "block")
DISPOSITIONS = {"false_positive": "误报: the subject is not the listed entity", "confirmed": "确认: the subject is the listed entity"}
FIRM_MATCHES = ("exact", "strong")
_CHUNK = 500
_MAX_LENGTHS = {"name": 200, "uscc": 50, "role": 50, "consortium": 100}
# A subject's persons (失信相关人 look-up): its legal representative, or its own ID (an expert).
_PERSON_FIELDS = ("legal_representative", "id_type", "id_number")


# --- the request -------------------------------------------------------------------------------


def _clean(value: Any, field: str, max_len: int, errors: dict[str, list[str]]) -> str | None:
    """Text with control characters dropped and whitespace collapsed; None when nothing is left."""
    if value is None:
        return None
    if not isinstance(value, str):
        errors.setdefault(field, []).append("must be a string")
        return None
    text = " ".join("".join(ch for ch in value if unicodedata.category(ch) != "Cc").split())
    if len(text) > max_len:
        errors.setdefault(field, []).append(f"at most {max_len} characters")
        return None
    return text or None


def fold_name(name: str) -> str:
    """The form of a subject's name its dispositions are kept under: the matcher's normal form
    (widths, brackets, spaces and punctuation, traditional characters and Latin case folded)."""
    return normalise_name(name)


def subject_key(name: str | None, code: str | None, code_valid: bool) -> str:
    """Who a subject is, for dispositions: its code when it gave a valid one, else its name."""
    if code and (code_valid or not name):
        return f"uscc:{code}"[:300]
    return f"name:{fold_name(name or '')}"[:300]


@dataclass
class _Subject:
    index: int
    name: str | None
    uscc: str | None  # normalised as given
    role: str | None
    consortium: str | None
    query_code: str | None  # what the matcher is asked with (None: the placeholder)
    key: str
    notes: list[str]
    usable_name: bool  # False: no name, or one with nothing to compare (only punctuation)
    screenable: bool  # False: no usable name and no usable code
    legal_rep: PersonInput | None = None
    person: PersonInput | None = None  # the subject's own ID: a natural person such as an expert

    def request_form(self) -> dict[str, Any]:
        form: dict[str, Any] = {"name": self.name, "uscc": self.uscc, "role": self.role, "consortium": self.consortium}
        if self.legal_rep is not None:
            form["legal_representative"] = self.legal_rep.request_form()
        if self.person is not None:
            form["id_type"], form["id_number_masked"] = self.person.id_type, self.person.masked
        return form

    def person_queries(self, vault: IdentityVault | None) -> list[PersonQuery]:
        """Who to look up among the 失信相关人; the vault only fingerprints numbers given."""
        asked = [(p, c) for p, c in ((self.legal_rep, "legal_representative"), (self.person, "self")) if p]
        if any(p.number for p, _ in asked):
            vault = identity_vault(vault)
        return [p.query(self.index, c, vault) for p, c in asked]


def _read_code(code: str) -> tuple[bool, str]:
    """Whether a normalised code (not the placeholder) can find a listed entity, and the note
    that says what it is. Besides a 统一社会信用代码, bidders still give the codes used before it:
    a 9-character 组织机构代码 (GB 11714) is characters 9–17 of a USCC (GB 32100), so the matcher
    compares it with those of the listed codes; a 15-digit 注册号 is in no USCC and is not used."""
    if len(code) == 9:
        if is_valid_organisation_code(code):
            return True, (
                f"uscc {code} is a 9-character 组织机构代码 (GB 11714): compared with characters 9–17 "
                "of listed 统一社会信用代码"
            )
        if not (code[:8].isascii() and code[:8].isalnum()):  # normalised: upper case
            why = "characters 1–8 must be digits or capital letters"
        else:
            why = f"check character is wrong: expected {organisation_check(code[:8])!r}, got {code[8]!r}"
        return False, (
            f"uscc {code} is neither a 统一社会信用代码 nor a valid 9-character 组织机构代码 (GB 11714: {why}); "
            "the code is not used"
        )
    if len(code) == 15 and code.isdigit():
        if is_registration_number(code):
            return False, (
                f"uscc {code} is a 15-digit 注册号 (business-licence number), which no 统一社会信用代码 "
                "contains: it cannot be compared with listed codes and is not used"
            )
        return False, (
            f"uscc {code} is neither a 统一社会信用代码 nor a valid 15-digit 注册号 (check digit is wrong); "
            "the code is not used"
        )
    try:
        validate_uscc(code)
    except USCCError as exc:
        return False, f"uscc {code} is not a valid 统一社会信用代码 ({exc}); the code is not used"
    return True, ""


def _subject(index: int, raw: Any, errors: dict[str, list[str]]) -> _Subject | None:
    field = f"subjects.{index}"
    if not isinstance(raw, dict):
        errors.setdefault(field, []).append("must be an object with name and/or uscc")
        return None
    unknown = sorted(set(raw) - set(_MAX_LENGTHS) - set(_PERSON_FIELDS))
    if unknown:
        errors.setdefault(field, []).append(f"unknown field(s) {', '.join(unknown)}")
    name, raw_code, role, consortium = (
        _clean(raw.get(f), f"{field}.{f}", _MAX_LENGTHS[f], errors) for f in ("name", "uscc", "role", "consortium")
    )
    # A screening is kept as evidence and shown to others: a personal ID number typed in by mistake
    # (a natural person's number in the code column) is kept masked, never in full.
    name, raw_code, role, consortium = (
        None if text is None else mask_resident_ids(text) for text in (name, raw_code, role, consortium)
    )
    # …also once the code is normalised (full-width digits, spaces inside).
    code = mask_resident_ids(normalise_uscc(raw_code)) if raw_code else None
    legal_rep, person = read_subject_persons(raw, field, errors)
    if not name and not code:
        errors.setdefault(field, []).append("a subject needs a name or a 统一社会信用代码 (uscc)")
        return None
    notes: list[str] = []
    query_code, valid = code, False
    usable_name = bool(name) and not parse_name(name or "").is_empty
    if code == INDIVIDUAL_BUSINESS_PLACEHOLDER:
        query_code = None
        notes.append("uscc is the 个体工商户 placeholder, which identifies no one; screened by name only")
    elif code:
        valid, note = _read_code(code)
        if not valid and usable_name:
            note += "; screened by name only"
        if note:
            notes.append(note)
    if name and not usable_name:
        notes.append(f"name {name!r} has nothing to compare (only punctuation or brackets)")
    screenable = usable_name or valid
    if not screenable:
        notes.append("no usable name and no usable code: this subject could not be screened")
    return _Subject(index, name, code, role, consortium, query_code, subject_key(name, code, valid), notes,
                    usable_name, screenable, legal_rep, person)


def _request(data: dict[str, Any]) -> tuple[dict[str, Any], list[_Subject]]:
    errors: dict[str, list[str]] = {}
    domain = data.get("domain")
    if domain not in DOMAINS:
        errors["domain"] = [f"must be one of {', '.join(DOMAINS)}"]
    project_code = _clean(data.get("project_code"), "project_code", 100, errors)
    if project_code is None and "project_code" not in errors:
        errors["project_code"] = ["must not be empty (采购项目编号, 项目报建编号 …)"]
    stage = _clean(data.get("stage"), "stage", 50, errors)
    raw_subjects = data.get("subjects")
    subjects: list[_Subject] = []
    if not isinstance(raw_subjects, list) or not 1 <= len(raw_subjects) <= MAX_SUBJECTS:
        got = len(raw_subjects) if isinstance(raw_subjects, list) else "none"
        errors["subjects"] = [f"give 1 to {MAX_SUBJECTS} subjects, got {got}"]
    else:
        for i, raw in enumerate(raw_subjects):
            found = _subject(i, raw, errors)
            if found is not None:
                subjects.append(found)
    if errors:
        shown = list(errors.items())
        message = "; ".join(f"{f}: {' '.join(r)}" for f, r in shown[:5])
        if len(shown) > 5:
            message += f"; and {len(shown) - 5} more"
        raise InvalidInput(message, errors)
    request = {
        "domain": domain,
        "project_code": project_code,
        "stage": stage,
        "subjects": [s.request_form() for s in subjects],
    }
    return request, subjects


# --- what the registry holds about the hits -----------------------------------------------------


def _chunks(values: Iterable[Any]) -> list[list[Any]]:
    ordered = sorted(set(values))
    return [ordered[i:i + _CHUNK] for i in range(0, len(ordered), _CHUNK)]


def _number(value: float) -> float | None:
    """A score as JSON keeps it exactly on every backend: finite, at most 4 decimals."""
    return round(float(value), 4) if math.isfinite(value) else None


# Built once (see registry.ledger): screening is the busiest write.
_SCREENINGS = cast(sa.Table, Screening.__table__)
_INSERT_SCREENING = sa.insert(_SCREENINGS).returning(_SCREENINGS.c.id)
_SEAL_SCREENING = (
    sa.update(_SCREENINGS)
    .where(_SCREENINGS.c.id == sa.bindparam("screening_id"))
    .values(document=sa.bindparam("sealed_document"), digest=sa.bindparam("sealed_digest"))
)
_DISPOSITIONS = cast(sa.Table, HitDisposition.__table__)
_EARLIER_DISPOSITIONS = (
    sa.select(_DISPOSITIONS.c.id, _DISPOSITIONS.c.subject_key, _DISPOSITIONS.c.entity_id,
              _DISPOSITIONS.c.screening_id, _DISPOSITIONS.c.disposition, _DISPOSITIONS.c.reason,
              _DISPOSITIONS.c.decided_by, _DISPOSITIONS.c.decided_at)
    .where(_DISPOSITIONS.c.subject_key.in_(sa.bindparam("keys", expanding=True)),
           _DISPOSITIONS.c.api_key_id.in_(sa.bindparam("holder_keys", expanding=True)))
    .order_by(_DISPOSITIONS.c.id)
)


def _holder_keys(session: Session, actor: Actor) -> list[int]:
    """The keys of the organisation the actor screens for (its key holder's name, same role): an
    agency sees its own earlier dispositions, never another agency's (their names and reasons)."""
    if actor.key_id is None:
        return []
    return list(session.scalars(sa.select(ApiKey.id).where(ApiKey.name == actor.name, ApiKey.role == actor.role)))


def _dispositions(
    session: Session, pairs: set[tuple[str, int]], actor: Actor,
) -> dict[tuple[str, int], list[dict[str, Any]]]:
    """The actor's organisation's earlier dispositions of these (subject key, entity) pairs: one
    query per 500 subjects."""
    shown: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    holder = _holder_keys(session, actor)
    if not holder:
        return shown
    connection = session.connection()
    for chunk in _chunks({key for key, _ in pairs}):
        for row in connection.execute(_EARLIER_DISPOSITIONS, {"keys": chunk, "holder_keys": holder}):
            if (row.subject_key, row.entity_id) in pairs:
                shown[(row.subject_key, row.entity_id)].append({
                    "id": row.id, "screening_id": row.screening_id, "disposition": row.disposition,
                    "reason": row.reason, "decided_by": row.decided_by,
                    "decided_at": row.decided_at.isoformat() if row.decided_at else None,
                })
    return shown


# --- deciding ---------------------------------------------------------------------------------


def _worst(decisions: Iterable[str]) -> str:
    return max(decisions, key=DECISIONS.index, default="clear")


def _counts_as(hit: Hit, entity: Dossier) -> str:
    # A natural person is identified by an ID document: a name alone (张伟 …) never blocks a
    # person, it asks a person to check; the same ID number does.
    by_id = any(f.name == "id_number" for f in hit.features)
    if entity.kind == "natural_person" and hit.match in FIRM_MATCHES and not by_id:
        return "possible"
    return hit.match


def _same_person_hits(session: Session, queries: Sequence[PersonQuery]) -> dict[int, list[Hit]]:
    """Listed natural persons with the ID number a subject gave for itself (an expert): exact."""
    fingerprints = {q.fingerprint: q.subject_index for q in queries if q.capacity == "self" and q.fingerprint}
    if not fingerprints:
        return {}
    found: dict[int, list[Hit]] = defaultdict(list)
    for entity_id, name, fingerprint in session.execute(
        sa.select(Entity.id, Entity.name, Entity.id_number_hash)
        .where(Entity.kind == "natural_person", Entity.id_number_hash.in_(sorted(fingerprints)))
    ):
        feature = Feature("id_number", 1.0, 1.0, "证件号码一致 (the same ID document number)")
        found[fingerprints[str(fingerprint)]].append(Hit(entity_id, 100.0, "exact", "self", name, (feature,)))
    return found


def _hit_document(hit: Hit, listed: Dossier, counts_as: str, shown: list[dict[str, Any]]) -> dict[str, Any]:
    effects = listed.effects
    return {
        "entity_id": hit.entity_id,
        "entity_name": listed.name,
        "score": _number(hit.score),
        "match": hit.match,
        "counts_as": counts_as,
        "relation": hit.relation,
        "matched_name": hit.matched_name,
        "features": [
            {"name": f.name, "score": _number(f.score), "weight": _number(f.weight), "detail": f.detail}
            for f in hit.features
        ],
        "effect": next((e for e in ("block", "review", "incentive") if e in effects), None),
        "measures": [m.measure.code for m in listed.measures],
        "dispositions": shown,
    }


def _label(hit: dict[str, Any]) -> str:
    how = hit["match"] if hit["counts_as"] == hit["match"] else f"{hit['match']}, counted as {hit['counts_as']}"
    relation = "" if hit["relation"] == "self" else f" via {hit['relation'].replace('_', ' ')} {hit['matched_name']}"
    return f"{hit['entity_name']} (entity {hit['entity_id']}; {how} match, score {hit['score']}{relation})"


def _decide(
    subject: _Subject, hits: list[dict[str, Any]], listed: dict[int, Dossier], domain: str,
    links: Sequence[PersonLink] = (),
) -> tuple[str, list[str], list[dict[str, Any]]]:
    """A subject's own decision, its reasons, and the incentives it may be given."""
    reasons: list[str] = list(subject.notes)
    decision = "clear" if subject.screenable else "review"
    incentives: list[dict[str, Any]] = []
    for link in links:  # 失信相关人 behind the subject (发改法规〔2018〕457号)
        effect = link.effect or "review"
        decision = _worst((decision, effect))
        reasons.append(f"{effect}: {link.reason()}")
    for hit in hits:
        entity = listed[hit["entity_id"]]
        firm = hit["counts_as"] in FIRM_MATCHES
        for m in entity.measures:
            why = "; ".join(r.reason for r in m.records)
            what = f"{m.measure.code} {m.measure.name} ({'、'.join(m.measure.legal_basis)})"
            if m.effect == "block" and firm:
                decision = _worst((decision, "block"))
                reasons.append(f"block: {_label(hit)}: {what}: {why}")
            elif m.effect == "block":
                decision = _worst((decision, "review"))
                reasons.append(f"review: possible match {_label(hit)} carries a block measure, {what}: {why}; a person decides whether it is the same entity")
            elif m.effect == "review":
                decision = _worst((decision, "review"))
                reasons.append(f"review: {_label(hit)}: {what}: {why}")
            elif firm:
                incentives.append({"entity_id": hit["entity_id"], "code": m.measure.code, "name": m.measure.name})
                reasons.append(f"incentive: {_label(hit)}: {what}: {why}")
            else:
                reasons.append(f"incentive not offered: possible match {_label(hit)} carries {what}; confirm the identity first")
        if not entity.measures:
            reasons.append(f"no measure: {_label(hit)} has {entity.record_count} record(s) in force, none of which sets off a measure in {domain}")
        for shown in hit["dispositions"]:
            reasons.append(
                f"earlier disposition of {_label(hit)}: {shown['disposition']} by {shown['decided_by']} "
                f"on {shown['decided_at']} (screening {shown['screening_id']}): {shown['reason']}; shown, not applied"
            )
    if not hits and subject.screenable:
        reasons.append("no listed entity matched this subject")
    return decision, reasons, incentives


def _consortia(subjects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One bad member counts against every member of its consortium (联合体)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in subjects:
        if s["consortium"]:
            groups[s["consortium"]].append(s)
    summary = []
    for label, members in groups.items():
        worst = _worst(m["own_decision"] for m in members)
        for member in members:
            others = [o for o in members if o is not member and o["own_decision"] != "clear"]
            for other in others:
                member["reasons"].append(
                    f"consortium {label}: member subjects.{other['index']} ({other['name'] or other['uscc']}) "
                    f"is {other['own_decision']}; one bad member counts against every member of a 联合体"
                )
            member["decision"] = _worst((member["own_decision"], worst))
        summary.append({"label": label, "members": [m["index"] for m in members], "decision": worst})
    return summary


# --- screening ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredScreening:
    """A screening as it was just stored: the row's values, and the document's canonical bytes
    (what the digest was computed over), so the answer need not serialise the document again."""

    id: int
    api_key_id: int | None
    requested_by: str
    domain: str
    project_code: str
    stage: str | None
    decision: str
    subject_count: int
    registry_seq: int
    scorer: str
    screened_at: dt.datetime
    document: dict[str, Any]
    digest: str
    canonical: bytes


@dataclass(frozen=True)
class ScreeningDraft:
    """A screening evaluated but not yet stored: the row's values and the document without its id."""

    row: dict[str, Any]
    document: dict[str, Any]


def evaluate_screening(
    session: Session, data: dict[str, Any], actor: Actor, today: dt.date, index: NameIndex,
    measures: Sequence[Measure], *, now: dt.datetime | None = None, dossiers: DossierCache | None = None,
    vault: IdentityVault | None = None,
) -> ScreeningDraft:
    """Screen a project's subjects (1 to 1,000) in one trading domain, writing nothing.

    Only reads: an entry point may run it in a read transaction and store the draft in a short
    writing one (`store_screening`), so concurrent screenings wait for each other only while
    they append. `dossiers`, the process's cache of evaluated listed entities, saves reading the
    records of an entity hit again; without it they are read for this screening alone.
    """
    require_role(actor, "screener")
    request, subjects = _request(data)
    domain: str = request["domain"]
    queries = [q for s in subjects for q in s.person_queries(vault)]
    by_id = _same_person_hits(session, queries)
    searched = [s for s in subjects if s.screenable]
    answer = index.search(
        session, [Query(name=s.name if s.usable_name else None, code=s.query_code) for s in searched],
        HITS_PER_SUBJECT,
    )
    found = dict(zip((s.index for s in searched), answer.hits, strict=True))
    raw_hits: list[list[Hit]] = []
    for s in subjects:
        seen: set[int] = set()
        kept = []
        for hit in [*by_id.get(s.index, []), *found.get(s.index, [])]:
            if hit.entity_id not in seen:  # the best hit per entity
                seen.add(hit.entity_id)
                kept.append(hit)
        raw_hits.append(kept)
    hit_ids = {h.entity_id for hits in raw_hits for h in hits}
    listed = (
        dossiers.get(session, hit_ids, domain, today, measures) if dossiers is not None
        else {i: d for i, d in load_dossiers(session, hit_ids, domain, today, measures).items() if d is not None}
    )
    # A hit on an entity with nothing that counts today (all records expired, removed,
    # repaired …) has nothing to report and is left out.
    kept_hits = [[h for h in hits if h.entity_id in listed] for hits in raw_hits]
    links = find_person_links(session, queries, domain, today, measures)
    pairs = {(s.key, h.entity_id) for s, hits in zip(subjects, kept_hits, strict=True) for h in hits}
    shown = _dispositions(session, pairs, actor) if pairs else {}

    subject_docs: list[dict[str, Any]] = []
    for s, hits in zip(subjects, kept_hits, strict=True):
        hit_docs = [
            _hit_document(h, listed[h.entity_id], _counts_as(h, listed[h.entity_id]), shown.get((s.key, h.entity_id), []))
            for h in hits
        ]
        decision, reasons, incentives = _decide(s, hit_docs, listed, domain, links.get(s.index, ()))
        subject_doc = {
            "index": s.index, **s.request_form(), "subject_key": s.key, "hits": hit_docs,
            "own_decision": decision, "decision": decision, "reasons": reasons, "incentives": incentives,
        }
        if s.legal_rep is not None or s.person is not None:
            subject_doc["person_links"] = [link.document() for link in links.get(s.index, ())]
        subject_docs.append(subject_doc)
    consortia = _consortia(subject_docs)
    overall = _worst(s["decision"] for s in subject_docs)
    screened_at = (now or utcnow()).astimezone(dt.UTC)
    row: dict[str, Any] = {
        "api_key_id": actor.key_id, "requested_by": actor.label[:200], "domain": domain,
        "project_code": request["project_code"], "stage": request["stage"], "decision": overall,
        "subject_count": len(subjects), "registry_seq": answer.seq,
        "scorer": f"{answer.scorer_name} {answer.scorer_version}"[:80], "screened_at": screened_at,
    }
    document = {
        "format": DOCUMENT_FORMAT,
        "id": None,  # given when stored
        "request": request,
        "domain": domain,
        "project_code": request["project_code"],
        "stage": request["stage"],
        "screened_at": screened_at.isoformat(timespec="microseconds"),
        "screened_on": today.isoformat(),
        "requested_by": {"name": actor.name, "role": actor.role, "key_id": actor.key_id},
        "registry_seq": answer.seq,
        "scorer": {"name": answer.scorer_name, "version": answer.scorer_version},
        "decision": overall,
        "counts": {d: sum(1 for s in subject_docs if s["decision"] == d) for d in DECISIONS},
        "subjects": subject_docs,
        "consortia": consortia,
        "entities": {str(i): listed[i].document for i in sorted({h["entity_id"] for s in subject_docs for h in s["hits"]})},
    }
    return ScreeningDraft(row, document)


def store_screening(session: Session, draft: ScreeningDraft, actor: Actor) -> StoredScreening:
    """Store an evaluated screening under a new id, with its digest, and chain the digest into
    the audit log. Plain statements on the session's connection: the screening is the busiest
    write there is, and nothing in the transaction reads it back as an object."""
    require_role(actor, "screener")
    row = draft.row
    connection = session.connection()
    screening_id: int = connection.execute(_INSERT_SCREENING, {**row, "document": {}, "digest": ""}).scalar_one()
    # Stored exactly as hashed: what JSON cannot tell apart (tuples, lists) is settled now, and
    # the stored document is a copy, never the dossiers it was built from.
    canonical = canonical_json({**draft.document, "id": screening_id})
    document = json.loads(canonical)
    digest = hashlib.sha256(canonical).hexdigest()
    connection.execute(_SEAL_SCREENING, {"screening_id": screening_id, "sealed_document": document, "sealed_digest": digest})
    append_audit(
        session, actor=actor, action="screen", record_type="screening", record_id=screening_id,
        before=None,
        after={"id": screening_id, "digest": digest, "project_code": row["project_code"], "decision": row["decision"]},
        now=row["screened_at"],
    )
    return StoredScreening(id=screening_id, **row, document=document, digest=digest, canonical=canonical)


def screen_subjects(
    session: Session, data: dict[str, Any], actor: Actor, today: dt.date, index: NameIndex,
    measures: Sequence[Measure], *, now: dt.datetime | None = None, dossiers: DossierCache | None = None,
) -> StoredScreening:
    """Screen a project's subjects and store the screening, in the caller's one transaction."""
    draft = evaluate_screening(session, data, actor, today, index, measures, now=now, dossiers=dossiers)
    return store_screening(session, draft, actor)


# --- reading, verifying, disposing ---------------------------------------------------------------


def _may_read(actor: Actor, screening: Screening) -> bool:
    if actor.role in ("admin", "platform"):
        return True
    return actor.role == "screener" and actor.key_id is not None and screening.api_key_id == actor.key_id


def get_screening(session: Session, screening_id: int, actor: Actor, *, fresh: bool = False) -> Screening:
    """One screening: administrators and the platform, or the screener key that made it (else 404)."""
    require_role(actor, "screener", "platform")
    # fresh: what the database holds, not a copy this session may keep (for verification).
    screening = session.get(Screening, screening_id, populate_existing=fresh)
    if screening is None or not _may_read(actor, screening):
        raise NotFound(f"screening {screening_id} does not exist")
    return screening


def list_screenings(
    session: Session, actor: Actor, *, project_code: str | None = None, domain: str | None = None,
    decision: str | None = None, page: int = 1, per_page: int = 50,
) -> Page[Screening]:
    """Screenings, oldest first, e.g. every check made for one project (a screener: its own)."""
    require_role(actor, "screener", "platform")
    stmt = sa.select(Screening).options(defer(Screening.document)).order_by(Screening.id)
    if actor.role == "screener":
        stmt = stmt.where(Screening.api_key_id == actor.key_id) if actor.key_id is not None else stmt.where(sa.false())
    # Cleaned as the screening cleaned it when stored (control characters dropped, spaces collapsed).
    if project_code is not None:
        stmt = stmt.where(Screening.project_code == (_clean(project_code, "project_code", 100, {}) or ""))
    if domain:
        stmt = stmt.where(Screening.domain == domain)
    if decision:
        stmt = stmt.where(Screening.decision == decision)
    return paginate(session, stmt, page, per_page)


@dataclass(frozen=True)
class ScreeningRecord:
    """A stored screening with the dispositions made on its hits since (kept beside it, not in it)."""

    screening: Screening
    dispositions: list[HitDisposition]


def read_screening(session: Session, screening_id: int, actor: Actor) -> ScreeningRecord:
    """One screening and the dispositions made on it, oldest first."""
    screening = get_screening(session, screening_id, actor)
    dispositions = list(session.scalars(
        sa.select(HitDisposition).where(HitDisposition.screening_id == screening.id).order_by(HitDisposition.id)
    ))
    return ScreeningRecord(screening, dispositions)


@dataclass(frozen=True)
class Verification:
    """Whether a stored screening is as it was made."""

    screening_id: int
    valid: bool
    stored_digest: str
    computed_digest: str
    audit_seq: int | None
    audit_digest: str | None
    problems: list[str]


def verify_screening(session: Session, screening_id: int, actor: Actor) -> Verification:
    """Re-compute a screening's digest from its stored document, and compare it with the stored
    digest and with the one its audit row carries in the hash chain."""
    screening = get_screening(session, screening_id, actor, fresh=True)
    computed = row_hash(screening.document)
    problems: list[str] = []
    if computed != screening.digest:
        problems.append("the stored document does not match the stored digest: it was altered")
    audit = session.scalars(
        sa.select(AuditLog)
        .where(AuditLog.record_type == "screening", AuditLog.record_id == screening.id, AuditLog.action == "screen")
        .order_by(AuditLog.seq).limit(1)
        .execution_options(populate_existing=True)
    ).one_or_none()
    audit_digest = None
    if audit is None:
        problems.append("no audit row records this screening")
    else:
        audit_digest = (audit.after or {}).get("digest")
        if audit_digest != computed:
            problems.append(f"the digest in audit row {audit.seq} differs from the document's")
        if row_hash(audit.hashed_content()) != audit.hash:
            problems.append(f"audit row {audit.seq} does not match its own hash: it was altered")
    document = screening.document if isinstance(screening.document, dict) else {}
    for column in ("project_code", "domain", "decision"):
        if document.get(column) != getattr(screening, column):
            problems.append(f"the stored {column} differs from the document's")
    return Verification(screening.id, not problems, screening.digest, computed,
                        None if audit is None else audit.seq, audit_digest, problems)


def dispose_hit(
    session: Session, screening_id: int, entity_id: int, subject_index: int, disposition: str,
    reason: str, actor: Actor, *, now: dt.datetime | None = None,
) -> HitDisposition:
    """Record a judgement on one hit (false_positive | confirmed) with the reason; the screener
    that made the screening or an administrator. Shown beside the pair in later screenings."""
    require_role(actor, "screener")
    screening = get_screening(session, screening_id, actor)
    if disposition not in DISPOSITIONS:
        raise InvalidInput.field("disposition", f"must be one of {', '.join(DISPOSITIONS)}")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput.field("reason", "must not be empty")
    subjects = screening.document.get("subjects", [])
    if not isinstance(subject_index, int) or not 0 <= subject_index < len(subjects):
        raise InvalidInput.field("subject_index", f"screening {screening_id} has subjects 0 to {len(subjects) - 1}")
    subject = subjects[subject_index]
    if entity_id not in {h["entity_id"] for h in subject.get("hits", [])}:
        raise InvalidInput.field("entity_id", f"entity {entity_id} is not a hit of subjects.{subject_index}")
    row = HitDisposition(
        subject_key=subject["subject_key"], entity_id=entity_id, screening_id=screening.id,
        disposition=disposition, reason=reason, decided_by=actor.label[:200], api_key_id=actor.key_id,
        decided_at=(now or utcnow()).astimezone(dt.UTC),
    )
    session.add(row)
    session.flush()
    append_audit(
        session, actor=actor, action="dispose", record_type="hit_disposition", record_id=row.id,
        before=None, after={**row.snapshot(), "subject_index": subject_index}, reason=reason, now=now,
    )
    return row
