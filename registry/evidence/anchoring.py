"""Anchoring the evidence tree (锚定): screenings and credit reports become leaves, and each batch
ends in a signed anchor.

The anchoring step (`flask registry anchor`, and every second inside `flask sync run`) takes the
screenings, then the 专项信用报告, that no anchor covers yet, each in id order, appends their leaves
(SHA-256(0x00 ‖ digest)), and writes one audit-chain row for the new tree head: tree size, root,
time, and the registry's Ed25519 signature over ``{"root", "timestamp", "tree_size"}``
(registry.evidence.signing). The document's own row gets its `leaf_index`; its document and digest
are never touched.

Leaves are in the order the step appends them: within a batch the screenings by id, then the
reports by id; a document whose transaction commits after a later-numbered one was anchored joins
the next batch (its proof names its leaf, so nothing depends on the order). A leaf does not say
which kind of document it is: whoever holds the document recomputes its digest and checks the
proof. The 'evidence' ledger counter holds the tree's size
and root; taking it first keeps anchoring single-file however many processes run the step. The
anchor also goes into the outbox (record type `evidence_anchor`, its payload the audit row's
`after`), so the push and the feed carry it to the credit platform.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.errors import InvalidInput, NotFound
from registry.evidence import merkle
from registry.evidence.signing import ALGORITHM, EvidenceSigner, anchor_time
from registry.evidence.tree import append_leaves
from registry.ledger import SYSTEM, append_audit, emit_event, row_hash
from registry.messages import Text, msg
from registry.models import AuditLog, CreditReport, LedgerCounter, Screening

# An anchor's audit row and outbox event: record_type 'evidence_anchor', record_id the tree size it
# anchors, action/operation 'anchor'; the event's payload is the row's `after`, as for any change.
ANCHOR_RECORD = "evidence_anchor"
ANCHOR_ACTION = "anchor"
DEFAULT_BATCH = 50_000

_COUNTERS = cast(sa.Table, LedgerCounter.__table__)
# The documents that become leaves, in the order a batch takes them.
_SOURCES = (cast(sa.Table, Screening.__table__), cast(sa.Table, CreditReport.__table__))
# Taking the counter row's lock (an update of nothing) first: one anchoring step at a time.
_TAKE_TREE = (
    sa.update(_COUNTERS)
    .where(_COUNTERS.c.name == "evidence")
    .values(value=_COUNTERS.c.value)
    .returning(_COUNTERS.c.value, _COUNTERS.c.last_hash)
)
_SET_TREE = (
    sa.update(_COUNTERS)
    .where(_COUNTERS.c.name == "evidence")
    .values(value=sa.bindparam("size"), last_hash=sa.bindparam("root"))
)
_UNANCHORED = {
    t.name: sa.select(t.c.id, t.c.digest).where(t.c.leaf_index.is_(None)).order_by(t.c.id).limit(sa.bindparam("batch"))
    for t in _SOURCES
}
_SET_LEAF = {
    t.name: sa.update(t).where(t.c.id == sa.bindparam("row_id")).values(leaf_index=sa.bindparam("leaf"))
    for t in _SOURCES
}


@dataclass(frozen=True)
class Anchor:
    """One signed tree head, as its audit row keeps it."""

    tree_size: int
    root: str
    timestamp: str
    signature: str
    algorithm: str
    public_key: str
    audit_seq: int
    intact: bool  # its audit row still hashes to the hash the chain holds for it

    @classmethod
    def from_row(cls, row: AuditLog) -> Anchor:
        after: dict[str, Any] = row.after or {}
        return cls(
            tree_size=int(after["tree_size"]),
            root=str(after["root"]),
            timestamp=str(after["timestamp"]),
            signature=str(after["signature"]),
            algorithm=str(after.get("algorithm", ALGORITHM)),
            public_key=str(after.get("public_key", "")),
            audit_seq=row.seq,
            intact=row_hash(row.hashed_content()) == row.hash,
        )


_ANY_UNANCHORED = [sa.select(t.c.id).where(t.c.leaf_index.is_(None)).limit(1) for t in _SOURCES]


def has_unanchored(session: Session) -> bool:
    """Whether a screening or a report waits for an anchor: reads, so an idle registry writes
    nothing each second."""
    connection = session.connection()
    return any(connection.execute(stmt).first() is not None for stmt in _ANY_UNANCHORED)


def anchor(session: Session, signer: EvidenceSigner, *, batch: int = DEFAULT_BATCH) -> Anchor | None:
    """Append the screenings and reports no anchor covers yet (at most `batch` in all) and sign the
    new tree head; None when there is nothing to anchor. In the caller's transaction."""
    connection = session.connection()
    size, _ = connection.execute(_TAKE_TREE).one()
    size = int(size)
    pending: list[tuple[str, int, str]] = []  # (table, row id, digest), in leaf order
    for table in _SOURCES:
        if len(pending) < batch:
            rows = connection.execute(_UNANCHORED[table.name], {"batch": batch - len(pending)}).all()
            pending += [(table.name, int(row_id), digest) for row_id, digest in rows]
    if not pending:
        return None
    leaves = [merkle.leaf_hash(bytes.fromhex(digest)) for _, _, digest in pending]
    root = append_leaves(session, size, leaves)
    for table in _SOURCES:
        placed = [{"row_id": rid, "leaf": size + i} for i, (name, rid, _) in enumerate(pending) if name == table.name]
        if placed:
            connection.execute(_SET_LEAF[table.name], placed)
    new_size = size + len(leaves)

    signed: dict[str, Any] = {}

    def sign(at: dt.datetime) -> dict[str, Any]:
        timestamp = anchor_time(at)
        signed.update(
            tree_size=new_size,
            root=root.hex(),
            timestamp=timestamp,
            signature=signer.sign(new_size, root, timestamp),
            algorithm=ALGORITHM,
            public_key=signer.public_key_hex,
        )
        return signed

    stamp = append_audit(
        session,
        actor=SYSTEM,
        action=ANCHOR_ACTION,
        record_type=ANCHOR_RECORD,
        record_id=new_size,
        before=None,
        after=None,
        after_at=sign,
    )
    # The anchor leaves the registry through the outbox like any change (push and feed).
    emit_event(
        session,
        record_type=ANCHOR_RECORD,
        record_id=new_size,
        record_version=1,
        operation=ANCHOR_ACTION,
        payload=signed,
        authority_id=None,
        now=stamp.at,
    )
    connection.execute(_SET_TREE, {"size": new_size, "root": root.hex()})
    return anchor_at(session, new_size, seq=stamp.seq)


def _anchors() -> sa.Select[AuditLog]:
    return sa.select(AuditLog).where(AuditLog.record_type == ANCHOR_RECORD, AuditLog.action == ANCHOR_ACTION)


def anchor_at(session: Session, tree_size: int, *, seq: int | None = None) -> Anchor:
    """The anchor of exactly `tree_size` leaves (NotFound: no anchor has that size)."""
    stmt = _anchors().where(AuditLog.record_id == tree_size)
    if seq is not None:
        stmt = stmt.where(AuditLog.seq == seq)
    row = session.scalars(stmt.limit(1).execution_options(populate_existing=True)).one_or_none()
    if row is None:
        raise NotFound(msg("no anchor has tree size {size}", size=tree_size))
    return Anchor.from_row(row)


def first_anchor_covering(session: Session, leaf_index: int) -> Anchor | None:
    """The first anchor whose tree holds the leaf (None: not anchored yet)."""
    row = session.scalars(
        _anchors()
        .where(AuditLog.record_id > leaf_index)
        .order_by(AuditLog.record_id)
        .limit(1)
        .execution_options(populate_existing=True)
    ).one_or_none()
    return None if row is None else Anchor.from_row(row)


def latest_anchor(session: Session) -> Anchor | None:
    row = session.scalars(_anchors().order_by(AuditLog.record_id.desc()).limit(1)).one_or_none()
    return None if row is None else Anchor.from_row(row)


@dataclass(frozen=True)
class AnchorPage:
    items: list[Anchor]
    next_after: int | None  # the cursor for the next page; None on the last


def anchor_page(session: Session, *, after_size: int = 0, limit: int = 100) -> AnchorPage:
    """Anchors in tree-size order, from the first larger than `after_size` (a cursor)."""
    rows = session.scalars(
        _anchors().where(AuditLog.record_id > after_size).order_by(AuditLog.record_id).limit(limit + 1)
    ).all()
    items = [Anchor.from_row(row) for row in rows[:limit]]
    return AnchorPage(items, items[-1].tree_size if len(rows) > limit else None)


def recent_anchors(session: Session, *, before_size: int | None = None, limit: int = 50) -> AnchorPage:
    """Anchors newest first, from the first smaller than `before_size` (the public page's order);
    `next_after` is then the cursor for older ones."""
    stmt = _anchors().order_by(AuditLog.record_id.desc()).limit(limit + 1)
    if before_size is not None:
        stmt = stmt.where(AuditLog.record_id < before_size)
    rows = session.scalars(stmt).all()
    items = [Anchor.from_row(row) for row in rows[:limit]]
    return AnchorPage(items, items[-1].tree_size if len(rows) > limit else None)


def check_anchored_sizes(session: Session, old_size: int, new_size: int) -> tuple[Anchor, Anchor]:
    """The two anchors a consistency proof is asked between; both sizes must be anchors' (422 naming
    the parameter otherwise: a proof between heads nobody signed would prove nothing)."""
    if not 0 < old_size <= new_size:
        raise InvalidInput(
            "from must be at least 1 and at most to", errors={"from": ["must be 1 or more and not above to"]}
        )
    found: dict[str, Anchor] = {}
    errors: dict[str, list[Text]] = {}
    for name, size in (("from", old_size), ("to", new_size)):
        try:
            found[name] = anchor_at(session, size)
        except NotFound as exc:
            errors[name] = [exc.text]
    if errors:
        raise InvalidInput("the tree sizes must be anchored ones (GET /api/v1/evidence/anchors)", errors=errors)
    return found["from"], found["to"]
