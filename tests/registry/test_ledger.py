"""The two ledgers: the hash-chained audit log (全程留痕) and the gap-free outbox.

Every test runs in the rolled-back transaction of the `session` fixture, so both ledgers
start empty; tampering is done with plain SQL, the way someone bypassing the registry would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry import ledger
from registry.codes.idnumber import IdentityVault
from registry.ledger import GENESIS_HASH, row_hash, verify_audit_chain
from registry.models import AuditLog, ChangeEvent, LedgerCounter
from registry.records import entities, list_entries, penalties
from tests import factories
from tests.factories import ADMIN, TODAY

VAULT = IdentityVault("test-data-protection-secret")


# -- helpers -------------------------------------------------------------------------------


def _audit_rows(session: Session) -> list[AuditLog]:
    return list(session.scalars(sa.select(AuditLog).order_by(AuditLog.seq).execution_options(populate_existing=True)))


def _events_after(session: Session, seq: int) -> list[ChangeEvent]:
    return list(
        session.scalars(
            sa.select(ChangeEvent)
            .where(ChangeEvent.seq > seq)
            .order_by(ChangeEvent.seq)
            .execution_options(populate_existing=True)
        )
    )


def _last_event_seq(session: Session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(ChangeEvent.seq), 0))) or 0


def _counter(session: Session, name: str) -> LedgerCounter:
    found = session.get(LedgerCounter, name, populate_existing=True)
    assert found is not None
    return found


def _several_changes(session: Session) -> None:
    """A handful of audited changes of every kind of record (and a key, audited only)."""
    authority = factories.make_authority(session)
    entity = factories.make_entity(session, "杭州链证建设工程有限公司")
    entities.update_entity(session, entity.id, {"legal_representative": "张三"}, ADMIN, 1, VAULT, TODAY)
    factories.make_penalty(session, authority, entity)
    factories.make_list_entry(session, authority, entity)
    from registry import access

    access.create_key(session, role="screener", name="交易中心")
    session.commit()


def _set_audit(session: Session, seq: int, **values: Any) -> None:
    """Change stored audit columns directly (Core UPDATE: no ORM, no ledger)."""
    result = session.execute(sa.update(AuditLog.__table__).where(AuditLog.__table__.c.seq == seq).values(**values))
    assert result.rowcount == 1


def _rehash(session: Session, seq: int) -> None:
    """Make a tampered row consistent with itself again, as a careful forger would."""
    row = session.get(AuditLog, seq, populate_existing=True)
    assert row is not None
    session.execute(
        sa.text("UPDATE audit_log SET hash = :h WHERE seq = :s"),
        {"h": row_hash(row.hashed_content()), "s": seq},
    )


# -- the audit chain ------------------------------------------------------------------------


def test_an_empty_ledger_verifies(session: Session) -> None:
    report = verify_audit_chain(session)
    assert report.ok
    assert report.rows_checked == 0


def test_chain_verifies_after_several_changes(session: Session) -> None:
    _several_changes(session)
    rows = _audit_rows(session)

    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == 6
    report = verify_audit_chain(session)
    assert report.ok, report
    assert report.rows_checked == 6
    # small batches walk the same chain
    assert verify_audit_chain(session, batch=2) == report


def test_chain_starts_at_genesis_and_links_each_row_to_the_one_before(session: Session) -> None:
    _several_changes(session)
    rows = _audit_rows(session)

    assert rows[0].prev_hash == GENESIS_HASH == "0" * 64
    for before, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == before.hash
    for row in rows:
        assert row.hash == row_hash(row.hashed_content())
    head = _counter(session, "audit")
    assert head.value == len(rows)
    assert head.last_hash == rows[-1].hash


def test_hashes_survive_the_round_trip_through_the_database(session: Session) -> None:
    """The hash is computed before insert; reloaded values (times, JSON) must hash the same."""
    _several_changes(session)
    session.expire_all()
    for row in _audit_rows(session):
        assert row.at.tzinfo is not None
        assert row_hash(row.hashed_content()) == row.hash, row.seq


def test_audit_row_records_who_what_before_and_after(session: Session) -> None:
    entity = factories.make_entity(session, "杭州留痕科技有限公司")
    before = entity.snapshot()
    actor = ledger.Actor(key_id=None, name="财政厅 经办人", role="supervisor", authority_id=None)
    entities.update_entity(session, entity.id, {"legal_representative": "李四"}, actor, 1, VAULT, TODAY)
    session.commit()

    row = _audit_rows(session)[-1]
    assert (row.action, row.record_type, row.record_id) == ("update", "entity", entity.id)
    assert (row.actor_name, row.actor_role, row.actor_key_id) == ("财政厅 经办人", "supervisor", None)
    assert row.before == before
    assert row.after == entity.snapshot()
    assert row.after["legal_representative"] == "李四"


@pytest.mark.parametrize(
    "column",
    ["actor_name", "after"],
    ids=["actor_name", "after-json"],
)
def test_an_altered_row_is_named(session: Session, column: str) -> None:
    _several_changes(session)
    target = 3
    original = _audit_rows(session)[target - 1]
    if column == "actor_name":
        session.execute(
            sa.text("UPDATE audit_log SET actor_name = :name WHERE seq = :seq"),
            {"name": "someone else", "seq": target},
        )
    else:
        forged = {**original.after, "legal_representative": "王五"}
        _set_audit(session, target, after=forged)
    session.commit()

    report = verify_audit_chain(session)
    assert not report.ok
    assert report.broken_seq == target
    assert report.problem is not None
    assert "altered" in report.problem
    assert report.rows_checked == target - 1


def test_a_rehashed_altered_row_breaks_the_link_to_the_next_row(session: Session) -> None:
    _several_changes(session)
    target = 3
    session.execute(
        sa.text("UPDATE audit_log SET actor_name = :name WHERE seq = :seq"),
        {"name": "someone else", "seq": target},
    )
    _rehash(session, target)
    session.commit()

    report = verify_audit_chain(session)
    assert report.broken_seq == target + 1
    assert report.problem is not None
    assert "prev_hash" in report.problem
    assert report.rows_checked == target


def test_a_rehashed_last_row_does_not_match_the_ledger_head(session: Session) -> None:
    _several_changes(session)
    last = len(_audit_rows(session))
    _set_audit(session, last, reason="nothing happened here")
    _rehash(session, last)
    session.commit()

    report = verify_audit_chain(session)
    assert report.broken_seq == last
    assert report.problem is not None
    assert "head" in report.problem


def test_a_deleted_middle_row_is_named_missing(session: Session) -> None:
    _several_changes(session)
    session.execute(sa.text("DELETE FROM audit_log WHERE seq = 4"))
    session.commit()

    report = verify_audit_chain(session)
    assert report.broken_seq == 4
    assert report.problem is not None
    assert "missing" in report.problem
    assert report.rows_checked == 3


def test_a_deleted_first_row_is_named_missing(session: Session) -> None:
    _several_changes(session)
    session.execute(sa.text("DELETE FROM audit_log WHERE seq = 1"))
    session.commit()

    report = verify_audit_chain(session)
    assert report.broken_seq == 1
    assert report.problem is not None
    assert "missing" in report.problem


def test_a_deleted_last_row_is_caught_by_the_ledger_head(session: Session) -> None:
    _several_changes(session)
    last = len(_audit_rows(session))
    session.execute(sa.text("DELETE FROM audit_log WHERE seq = :s"), {"s": last})
    session.commit()

    report = verify_audit_chain(session)
    assert not report.ok
    assert report.broken_seq == last
    assert report.problem is not None
    assert f"says {last} rows" in report.problem
    assert report.rows_checked == last - 1


def test_verification_reads_the_database_not_the_sessions_memory(session: Session) -> None:
    """The rows this session wrote are still in its identity map; the check must not trust them."""
    _several_changes(session)
    remembered = _audit_rows(session)  # held, so the identity map keeps every row
    session.execute(sa.text("UPDATE audit_log SET actor_role = 'platform' WHERE seq = 2"))

    report = verify_audit_chain(session)
    assert report.broken_seq == 2
    assert remembered[1].actor_role == "platform"  # the check refreshed the remembered copy


def test_a_new_row_after_tampering_does_not_heal_the_chain(session: Session) -> None:
    _several_changes(session)
    session.execute(sa.text("UPDATE audit_log SET reason = 'edited' WHERE seq = 2"))
    factories.make_entity(session, "杭州后来有限公司")
    session.commit()

    assert verify_audit_chain(session).broken_seq == 2


# -- the outbox -----------------------------------------------------------------------------


def _assert_one_event(
    session: Session, after_seq: int, *, record: Any, record_type: str, operation: str, authority_id: int | None
) -> ChangeEvent:
    session.flush()
    events = _events_after(session, after_seq)
    assert len(events) == 1, [(e.seq, e.record_type, e.operation) for e in events]
    event = events[0]
    assert event.seq == after_seq + 1
    assert (event.record_type, event.record_id, event.record_version, event.operation) == (
        record_type,
        record.id,
        record.version,
        operation,
    )
    assert event.authority_id == authority_id
    assert event.payload == record.snapshot()
    assert event.occurred_at.tzinfo is not None
    # the audit row of the same change carries the same snapshot
    audit = _audit_rows(session)[-1]
    assert (audit.record_type, audit.record_id, audit.action) == (record_type, record.id, operation)
    assert audit.after == event.payload
    return event


def test_every_service_change_puts_exactly_one_event_in_the_outbox(session: Session) -> None:
    seq = _last_event_seq(session)
    authority = factories.make_authority(session)
    seq = _assert_one_event(
        session, seq, record=authority, record_type="authority", operation="create", authority_id=authority.id
    ).seq

    entity = factories.make_entity(session, "杭州出箱建设有限公司")
    event = _assert_one_event(session, seq, record=entity, record_type="entity", operation="create", authority_id=None)
    assert event.record_version == 1
    seq = event.seq

    entities.update_entity(session, entity.id, {"legal_representative": "赵六"}, ADMIN, 1, VAULT, TODAY)
    event = _assert_one_event(session, seq, record=entity, record_type="entity", operation="update", authority_id=None)
    assert event.record_version == 2
    seq = event.seq

    entities.update_entity(session, entity.id, {"name": "杭州出箱控股有限公司"}, ADMIN, 2, VAULT, TODAY)
    seq = _assert_one_event(
        session, seq, record=entity, record_type="entity", operation="rename", authority_id=None
    ).seq

    penalty = factories.make_penalty(session, authority, entity)
    seq = _assert_one_event(
        session, seq, record=penalty, record_type="penalty", operation="create", authority_id=authority.id
    ).seq

    penalties.revoke_penalty(
        session, penalty.id, "行政复议撤销", None, factories.supervisor_of(authority), penalty.version, TODAY
    )
    seq = _assert_one_event(
        session, seq, record=penalty, record_type="penalty", operation="revoke", authority_id=authority.id
    ).seq

    entry = factories.make_list_entry(session, authority, entity)
    seq = _assert_one_event(
        session, seq, record=entry, record_type="list_entry", operation="create", authority_id=authority.id
    ).seq

    list_entries.remove_list_entry(
        session, entry.id, "决定被撤销", None, factories.supervisor_of(authority), entry.version, TODAY
    )
    seq = _assert_one_event(
        session, seq, record=entry, record_type="list_entry", operation="remove", authority_id=authority.id
    ).seq

    session.commit()
    assert _counter(session, "outbox").value == seq


def test_an_unchanged_update_writes_nothing(session: Session) -> None:
    entity = factories.make_entity(session, "杭州无变化有限公司", legal_representative="钱七")
    seq = _last_event_seq(session)
    audit_head = _counter(session, "audit").value

    entities.update_entity(session, entity.id, {"legal_representative": "钱七"}, ADMIN, 1, VAULT, TODAY)
    session.flush()
    assert _events_after(session, seq) == []
    assert _counter(session, "audit").value == audit_head


def test_an_api_key_is_audited_but_not_in_the_outbox(session: Session) -> None:
    from registry import access

    seq = _last_event_seq(session)
    key, _ = access.create_key(session, role="platform", name="信用浙江")
    session.flush()
    assert _events_after(session, seq) == []
    row = _audit_rows(session)[-1]
    assert (row.record_type, row.record_id, row.action) == ("api_key", key.id, "create")


def test_a_rolled_back_change_leaves_no_gap(session: Session) -> None:
    factories.make_entity(session, "杭州第一有限公司")
    session.commit()
    committed = _last_event_seq(session)
    audit_head = _counter(session, "audit").value

    factories.make_entity(session, "杭州回滚有限公司")  # numbered committed + 1 ...
    session.flush()
    assert _last_event_seq(session) == committed + 1
    session.rollback()  # ... and given back

    assert _counter(session, "outbox").value == committed
    assert _counter(session, "audit").value == audit_head
    entity = factories.make_entity(session, "杭州第二有限公司")
    session.commit()
    events = _events_after(session, committed)
    assert [e.seq for e in events] == [committed + 1]
    assert events[0].record_id == entity.id
    assert verify_audit_chain(session).ok


class _AfterTheLedgers(Exception):
    pass


def test_a_service_failing_after_its_flush_leaves_no_gap(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """The change, its audit row and its event were all flushed; the failure rolls back all three."""
    factories.make_entity(session, "杭州之前有限公司")
    session.commit()
    committed = _last_event_seq(session)
    audit_rows = len(_audit_rows(session))

    real = entities.record_change

    def record_then_fail(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        session.flush()
        raise _AfterTheLedgers

    monkeypatch.setattr(entities, "record_change", record_then_fail)
    with pytest.raises(_AfterTheLedgers):
        factories.make_entity(session, "杭州失败有限公司")
    assert _last_event_seq(session) == committed + 1  # it was there, inside the transaction
    session.rollback()  # what every entry point does with an error
    monkeypatch.setattr(entities, "record_change", real)

    assert _last_event_seq(session) == committed
    entity = factories.make_entity(session, "杭州之后有限公司")
    session.commit()
    events = _events_after(session, committed)
    assert [(e.seq, e.record_id) for e in events] == [(committed + 1, entity.id)]
    rows = _audit_rows(session)
    assert [r.seq for r in rows] == list(range(1, audit_rows + 2))
    assert verify_audit_chain(session).ok


def test_events_are_numbered_in_order_across_commits(session: Session) -> None:
    first = _last_event_seq(session)
    made = []
    for i in range(5):
        made.append(factories.make_entity(session, f"杭州顺序{i}有限公司"))
        session.commit()
    events = _events_after(session, first)
    assert [e.seq for e in events] == list(range(first + 1, first + 6))
    assert [e.record_id for e in events] == [m.id for m in made]
    times = [e.occurred_at for e in events]
    assert times == sorted(times)
    assert all(isinstance(t, dt.datetime) for t in times)


# -- the batched writer ---------------------------------------------------------------------


def test_a_batch_of_creations_continues_the_chain_and_the_outbox_without_gaps(session: Session) -> None:
    """`record_creations` (the importer's and the benchmark loader's writer) writes what
    `record_change` would for each record, in order, each with its own actor."""
    _several_changes(session)
    before_audit, before_events = _counter(session, "audit").value, _last_event_seq(session)
    supervisor = ledger.Actor(key_id=None, name="loader", role="supervisor", authority_id=7)
    ledger.record_creations(
        session,
        [
            ledger.Creation(ADMIN, "entity", 901, 1, {"id": 901, "name": "甲"}, None),
            ledger.Creation(supervisor, "list_entry", 902, 1, {"id": 902}, 7),
            ledger.Creation(ADMIN, "entity", 903, 1, {"id": 903, "name": "乙"}, None),
        ],
    )
    session.commit()

    rows = _audit_rows(session)[before_audit:]
    assert [(r.seq, r.record_type, r.record_id, r.actor_name, r.action) for r in rows] == [
        (before_audit + 1, "entity", 901, ADMIN.name, "create"),
        (before_audit + 2, "list_entry", 902, "loader", "create"),
        (before_audit + 3, "entity", 903, ADMIN.name, "create"),
    ]
    assert rows[1].actor_authority_id == 7
    assert rows[1].after == {"id": 902}
    events = _events_after(session, before_events)
    assert [(e.seq, e.record_id, e.authority_id, e.payload) for e in events] == [
        (before_events + 1, 901, None, {"id": 901, "name": "甲"}),
        (before_events + 2, 902, 7, {"id": 902}),
        (before_events + 3, 903, None, {"id": 903, "name": "乙"}),
    ]
    assert _counter(session, "audit").last_hash == rows[-1].hash
    assert verify_audit_chain(session).ok


def test_an_empty_batch_moves_no_counter(session: Session) -> None:
    _several_changes(session)
    head = _counter(session, "audit")
    value, last = head.value, head.last_hash
    ledger.record_creations(session, [])
    assert (_counter(session, "audit").value, _counter(session, "audit").last_hash) == (value, last)
