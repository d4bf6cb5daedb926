"""verify-audit catches what the hash chain alone misses: records and outbox events edited in place,
the tail removed with the counter rewound, and a recomputed suffix (against the heads the platform
kept from the feed)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from registry.ledger import GENESIS_HASH, row_hash, verify_audit_chain
from registry.ledger.check import ChainHead, chain_head, read_heads, verify_ledgers
from registry.models import AuditLog, ChangeEvent
from registry.models.ledger import audit_hashed_content
from tests import factories
from tests.conftest import auth


def _records(session, world):
    entity = factories.make_entity(session)
    penalty = factories.make_penalty(session, world.finance, entity)
    entry = factories.make_list_entry(session, world.finance, entity)
    session.flush()
    return entity, penalty, entry


def test_an_untouched_registry_verifies(session, world):
    _records(session, world)
    report = verify_ledgers(session)
    assert report.ok, report.problems
    assert report.events_checked >= 3
    assert report.records_checked >= 5  # two authorities, the entity, the penalty, the entry


def test_a_penalty_edited_in_the_database_is_found(session, world):
    """A direct UPDATE of a penalty leaves the chain intact; its state no longer matches the chain."""
    _, penalty, _ = _records(session, world)
    session.execute(sa.text("UPDATE penalties SET facts = '改过的事实' WHERE id = :id"), {"id": penalty.id})
    assert verify_audit_chain(session).ok  # the chain alone misses it
    report = verify_ledgers(session)
    assert not report.ok
    assert any(f"penalty {penalty.id} differs" in p for p in report.problems)


def test_an_outbox_event_edited_in_the_database_is_found(session, world):
    """The edited outbox is what would be pushed: its payload must be its audit row's after."""
    _records(session, world)
    seq = session.scalar(sa.select(sa.func.max(ChangeEvent.seq)))
    payload = dict(session.scalar(sa.select(ChangeEvent.payload).where(ChangeEvent.seq == seq)))
    session.execute(sa.update(ChangeEvent).where(ChangeEvent.seq == seq).values(payload={**payload, "facts": "伪造"}))
    report = verify_ledgers(session)
    assert any(f"outbox event {seq}" in p and "altered" in p for p in report.problems)


def _tail_removed(session, keep: int) -> None:
    """Delete every audit row after `keep` and rewind the counter: the chain holds together."""
    last = session.scalar(sa.select(AuditLog.hash).where(AuditLog.seq == keep))
    session.execute(sa.text("DELETE FROM audit_log WHERE seq > :k"), {"k": keep})
    session.execute(
        sa.text("UPDATE ledger_counters SET value = :k, last_hash = :h WHERE name = 'audit'"), {"k": keep, "h": last}
    )


def test_a_removed_tail_is_found_against_the_heads_the_platform_kept(session, world):
    """Rows deleted from the end with the counter rewound: only a head kept outside shows it."""
    _records(session, world)
    kept = chain_head(session)  # what the platform got from the feed
    _tail_removed(session, kept.seq - 2)
    assert verify_audit_chain(session).ok
    report = verify_ledgers(session, heads=[kept])
    assert any(f"no row {kept.seq}" in p for p in report.problems)


def test_a_recomputed_suffix_is_found_against_the_heads_the_platform_kept(session, world):
    """Row 3 rewritten and every hash after it recomputed: the chain holds, the kept head does not."""
    _records(session, world)
    kept = chain_head(session)
    rows = session.scalars(sa.select(AuditLog).order_by(AuditLog.seq)).all()
    previous = GENESIS_HASH
    for row in rows:
        if row.seq == 3:
            row.actor_name = "someone else"
        row.prev_hash = previous
        row.hash = previous = row_hash(
            audit_hashed_content(
                {
                    n: getattr(row, n)
                    for n in (
                        "seq",
                        "at",
                        "actor_key_id",
                        "actor_name",
                        "actor_role",
                        "actor_authority_id",
                        "action",
                        "record_type",
                        "record_id",
                        "reason",
                        "before",
                        "after",
                        "prev_hash",
                    )
                }
            )
        )
    session.execute(sa.text("UPDATE ledger_counters SET last_hash = :h WHERE name = 'audit'"), {"h": previous})
    session.flush()
    assert verify_audit_chain(session).ok
    report = verify_ledgers(session, heads=[kept])
    assert any(f"row {kept.seq} does not have the hash" in p for p in report.problems)


def test_the_feed_carries_the_chain_head(client, session, world, tmp_path):
    """The platform pulls the head with every feed page and keeps it; the file form verify-audit reads."""
    _records(session, world)
    session.commit()
    page = client.get("/api/v1/feed", headers=auth(world.platform_key)).json
    head = page["chain_head"]
    assert head == chain_head(session).as_json() | {"at": head["at"]}
    kept = tmp_path / "heads.jsonl"
    kept.write_text(json.dumps({"seq": head["seq"], "hash": head["hash"]}) + "\n", encoding="utf-8")
    assert read_heads(kept) == [ChainHead(head["seq"], head["hash"])]
    assert verify_ledgers(session, heads=read_heads(kept)).ok
