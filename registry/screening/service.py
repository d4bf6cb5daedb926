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
scorer's name and version; the next anchor of the evidence tree covers its digest. Later changes
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
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from matching.types import Feature, Hit, Query, explain
from registry.access import require_role
from registry.codes.idnumber import IdentityVault
from registry.database import JSONText, utcnow
from registry.ledger import Actor, canonical_json
from registry.models import Entity, Screening
from registry.screening.decision import (
    DECISIONS,
    FIRM_MATCHES,
    apply_consortia,
    counts_as,
    decide_subject,
    hit_document,
    worst_of,
)
from registry.screening.dispositions import DISPOSITIONS, dispose_hit, earlier_dispositions
from registry.screening.dossiers import DossierCache, load_dossiers
from registry.screening.evidence import (
    ScreeningRecord,
    Verification,
    get_screening,
    list_screenings,
    read_screening,
    verify_screening,
)
from registry.screening.final_decisions import FINAL_DECISIONS, in_force, record_final_decision
from registry.screening.ids import IdBlocks
from registry.screening.measures import Measure
from registry.screening.name_index import NameIndex
from registry.screening.person_links import (
    PersonQuery,
    find_person_links,
)
from registry.screening.request import MAX_SUBJECTS, fold_name, read_request
from registry.screening.wording import said

# The screening capability as its callers know it (the API, the pages, the backup tools): the
# request, the decision, the evidence and the dispositions live in their own modules beside this one.
__all__ = [
    "DECISIONS",
    "DISPOSITIONS",
    "FINAL_DECISIONS",
    "FIRM_MATCHES",
    "MAX_SUBJECTS",
    "ScreeningDraft",
    "ScreeningRecord",
    "StoredScreening",
    "Verification",
    "dispose_hit",
    "evaluate_screening",
    "fold_name",
    "get_screening",
    "in_force",
    "insert_screenings",
    "list_screenings",
    "read_screening",
    "record_final_decision",
    "screen_subjects",
    "sealed",
    "store_screening",
    "verify_screening",
]

HITS_PER_SUBJECT = 10  # the matcher's limit per subject
# screening/2: the reasons and the match explanations in Chinese (`reasons`, `detail`), the English
# beside them (`reasons_en`, `detail_en`); screening/1 kept only the English, in `reasons` and `detail`.
DOCUMENT_FORMAT = "screening/2"


# Built once (see registry.ledger): screening is the busiest write.
_SCREENINGS = cast(sa.Table, Screening.__table__)
_INSERT_SCREENING = sa.insert(_SCREENINGS).values(document=sa.bindparam("document", type_=JSONText))


def _same_person_hits(session: Session, queries: Sequence[PersonQuery]) -> dict[int, list[Hit]]:
    """Listed natural persons with the ID number a subject gave for itself (an expert): exact."""
    fingerprints = {q.fingerprint: q.subject_index for q in queries if q.capacity == "self" and q.fingerprint}
    if not fingerprints:
        return {}
    found: dict[int, list[Hit]] = defaultdict(list)
    for entity_id, name, fingerprint in session.execute(
        sa.select(Entity.id, Entity.name, Entity.id_number_hash).where(
            Entity.kind == "natural_person", Entity.id_number_hash.in_(sorted(fingerprints))
        )
    ):
        feature = Feature("id_number", 1.0, 1.0, explain("the same ID document number"))
        found[fingerprints[str(fingerprint)]].append(Hit(entity_id, 100.0, "exact", "self", name, (feature,)))
    return found


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
    digest: str
    canonical: bytes
    person_fingerprints: list[dict[str, Any]] | None = None  # beside the document (Screening's column)

    @cached_property
    def document(self) -> dict[str, Any]:
        """The document as stored (parsed from its canonical bytes on first use: the API answers
        with the bytes and never needs it)."""
        parsed: dict[str, Any] = json.loads(self.canonical)
        return parsed


@dataclass(frozen=True)
class ScreeningDraft:
    """A screening evaluated but not yet stored: the row's values and the document without its id."""

    row: dict[str, Any]
    document: dict[str, Any]


def evaluate_screening(
    session: Session,
    data: dict[str, Any],
    actor: Actor,
    today: dt.date,
    index: NameIndex,
    measures: Sequence[Measure],
    *,
    now: dt.datetime | None = None,
    dossiers: DossierCache | None = None,
    vault: IdentityVault | None = None,
    persons: Sequence[PersonQuery] = (),
) -> ScreeningDraft:
    """Screen a project's subjects (1 to 1,000) in one trading domain, writing nothing.

    Only reads: an entry point may run it in a read transaction and store the draft in a short
    writing one (`store_screening`), so concurrent screenings wait for each other only while
    they append. `dossiers`, the process's cache of evaluated listed entities, saves reading the
    records of an entity hit again; without it they are read for this screening alone. `persons`:
    persons known by their fingerprint alone (a watched subject's), looked up as given ones are.
    """
    require_role(actor, "screener")
    request, subjects = read_request(data)
    domain: str = request["domain"]
    queries = [*(q for s in subjects for q in s.person_queries(vault)), *persons]
    asked = {q.subject_index for q in queries}
    searched = [s for s in subjects if s.screenable]
    # The search first: nothing read before it, so on SQLite every read after it (one snapshot,
    # taken at the first read) is at least as new as the index state it answered from.
    answer = index.search(
        session,
        [Query(name=s.name if s.usable_name else None, code=s.query_code) for s in searched],
        HITS_PER_SUBJECT,
    )
    by_id = _same_person_hits(session, queries)
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
        dossiers.get(session, hit_ids, domain, today, measures, as_of=answer.seq)
        if dossiers is not None
        else {i: d for i, d in load_dossiers(session, hit_ids, domain, today, measures).items() if d is not None}
    )
    # A hit on an entity with nothing that counts today (all records expired, removed,
    # repaired …) has nothing to report and is left out.
    kept_hits = [[h for h in hits if h.entity_id in listed] for hits in raw_hits]
    links = find_person_links(session, queries, domain, today, measures)
    pairs = {(s.key, h.entity_id) for s, hits in zip(subjects, kept_hits, strict=True) for h in hits}
    shown = earlier_dispositions(session, pairs, actor) if pairs else {}

    subject_docs: list[dict[str, Any]] = []
    for s, hits in zip(subjects, kept_hits, strict=True):
        hit_docs = [
            hit_document(h, listed[h.entity_id], counts_as(h, listed[h.entity_id]), shown.get((s.key, h.entity_id), []))
            for h in hits
        ]
        decision, reasons, incentives = decide_subject(s, hit_docs, listed, domain, links.get(s.index, ()))
        subject_doc = {
            "index": s.index,
            **s.request_form(),
            "subject_key": s.key,
            "hits": hit_docs,
            "own_decision": decision,
            "decision": decision,
            "reasons": reasons,
            "incentives": incentives,
        }
        if s.index in asked:
            subject_doc["person_links"] = [link.document() for link in links.get(s.index, ())]
        subject_docs.append(subject_doc)
    consortia = apply_consortia(subject_docs)
    for subject_doc in subject_docs:
        said(subject_doc)
    overall = worst_of(s["decision"] for s in subject_docs)
    screened_at = (now or utcnow()).astimezone(dt.UTC)
    row: dict[str, Any] = {
        "api_key_id": actor.key_id,
        "requested_by": actor.label[:200],
        "domain": domain,
        "project_code": request["project_code"],
        "stage": request["stage"],
        "decision": overall,
        "subject_count": len(subjects),
        "registry_seq": answer.seq,
        "scorer": f"{answer.scorer_name} {answer.scorer_version}"[:80],
        "screened_at": screened_at,
        "person_fingerprints": [
            {"subject_index": q.subject_index, "capacity": q.capacity, "fingerprint": q.fingerprint}
            for q in queries
            if q.fingerprint
        ]
        or None,
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
        "entities": {
            str(i): listed[i].document for i in sorted({h["entity_id"] for s in subject_docs for h in s["hits"]})
        },
    }
    return ScreeningDraft(row, document)


def sealed(draft: ScreeningDraft, screening_id: int) -> tuple[dict[str, Any], StoredScreening]:
    """The row to insert for a draft under its id, and the screening as stored: the document with
    its id, serialised once as canonical JSON, and the SHA-256 of exactly those bytes. The row
    binds the same text (`JSONText`): stored as hashed, never parsed or serialised again."""
    canonical = canonical_json({**draft.document, "id": screening_id})
    digest = hashlib.sha256(canonical).hexdigest()
    row = {
        "person_fingerprints": None,
        **draft.row,
        "id": screening_id,
        "document": canonical.decode(),
        "digest": digest,
    }
    return row, StoredScreening(id=screening_id, **draft.row, digest=digest, canonical=canonical)


def insert_screenings(connection: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Insert sealed rows (`sealed`): one statement however many (SQLAlchemy's insertmanyvalues)."""
    connection.execute(_INSERT_SCREENING, rows)


def store_screening(
    session: Session, draft: ScreeningDraft, actor: Actor, ids: IdBlocks | None = None
) -> StoredScreening:
    """Store an evaluated screening under a new id, with its digest, in the session's transaction.
    It enters the tamper-evident record as a leaf of the evidence tree when the next anchor covers
    it (registry.evidence), not through an audit row of its own, which would serialise every
    screening on the chain's head. Plain statements on the session's connection: the screening is the
    busiest write there is, and nothing in the transaction reads it back as an object. Its id comes
    from the process's `ids` (on PostgreSQL one INSERT is then all it takes, registry.screening.ids);
    without them from a statement of its own. On SQLite a worker's group writer stores most
    screenings instead (registry.screening.writer)."""
    require_role(actor, "screener")
    connection = session.connection()
    screening_id = (ids or IdBlocks(size=1)).take(connection)
    row, stored = sealed(draft, screening_id)
    insert_screenings(connection, [row])
    return stored


def screen_subjects(
    session: Session,
    data: dict[str, Any],
    actor: Actor,
    today: dt.date,
    index: NameIndex,
    measures: Sequence[Measure],
    *,
    now: dt.datetime | None = None,
    dossiers: DossierCache | None = None,
) -> StoredScreening:
    """Screen a project's subjects and store the screening, in the caller's one transaction."""
    draft = evaluate_screening(session, data, actor, today, index, measures, now=now, dossiers=dossiers)
    return store_screening(session, draft, actor)
