"""Credit repair (信用修复) at the service level: when a record may be repaired, who decides,
the deadlines in working days, and what a completed repair does to the record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from registry.access import PUBLIC
from registry.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    NotPermitted,
    StaleVersion,
)
from registry.ledger import Actor
from registry.models import AuditLog, ChangeEvent, ListEntry, Penalty, RepairApplication
from registry.records import list_entries as entry_service
from registry.records import penalties as penalty_service
from registry.records import repairs
from tests import factories
from tests.ledger_queries import audits_of, events_of, ledger_size

TODAY = dt.date(2026, 11, 23)
PLATFORM = Actor(key_id=None, name="信用浙江", role="platform")
SCREENER = Actor(key_id=None, name="交易中心", role="screener")


@pytest.fixture
def entity(session, world):
    return factories.make_entity(session, "杭州合晟建设工程有限公司")


@pytest.fixture
def finance(world):
    return factories.supervisor_of(world.finance)


@pytest.fixture
def housing(world):
    return factories.supervisor_of(world.housing)


def general_penalty(session, world, entity, **fields: Any) -> Penalty:
    """一般: decided 2026-05-01 under the current tiers, minimum 3 months → repair from 2026-08-01."""
    fields = {"decided_on": dt.date(2026, 5, 1), "severity": "general", **fields}
    return factories.make_penalty(session, world.finance, entity, **fields)


def submit(
    session, record: Penalty | ListEntry, actor: Actor = PLATFORM, today: dt.date = TODAY, **data: Any
) -> RepairApplication:
    body = {
        "record_type": "penalty" if isinstance(record, Penalty) else "list_entry",
        "record_id": record.id,
        "statement": "已全额缴纳罚款，并完成整改",
        "commitment": "本单位承诺今后依法诚信参与公共资源交易活动",
        "attachments": [{"name": "罚款缴纳凭证", "ref": "浙财非税〔2026〕118号"}],
        **data,
    }
    return repairs.submit_repair(session, body, actor, today, factories.rules(session))


# --- when a record may be repaired -----------------------------------------------------------------


def test_general_penalty_may_be_repaired_from_the_end_of_its_minimum_period(session, world, entity):
    penalty = general_penalty(session, world, entity)
    assert penalty.repair_from == dt.date(2026, 8, 1)

    with pytest.raises(Conflict, match="2026-08-01") as refused:
        submit(session, penalty, today=dt.date(2026, 7, 31))
    assert "2026-08-01" in refused.value.errors["record_id"][0]

    application = submit(session, penalty, today=dt.date(2026, 8, 1))
    assert application.status == "submitted"


def test_general_penalty_decided_in_may_is_repairable_in_november(session, world, entity):
    penalty = general_penalty(session, world, entity)

    application = submit(session, penalty)

    assert (application.entity_id, application.authority_id) == (entity.id, world.finance.id)
    assert (application.record_type, application.record_id) == ("penalty", penalty.id)
    assert application.submitted_on == TODAY
    assert application.submitted_by == PLATFORM.label
    assert application.attachments == [{"name": "罚款缴纳凭证", "ref": "浙财非税〔2026〕118号"}]
    assert application.version == 1


def test_serious_penalty_waits_twelve_months(session, world, entity):
    penalty = general_penalty(session, world, entity, severity="serious")
    assert penalty.repair_from == dt.date(2027, 5, 1)
    before = ledger_size(session)

    with pytest.raises(Conflict, match="from 2027-05-01"):
        submit(session, penalty)

    assert ledger_size(session) == before
    assert session.scalar(sa.select(sa.func.count()).select_from(RepairApplication)) == 0
    assert submit(session, penalty, today=dt.date(2027, 5, 1)).status == "submitted"


def test_procurement_black_list_cannot_be_repaired_while_it_runs(session, world, entity):
    entry = factories.make_list_entry(
        session, world.finance, entity, listed_on=dt.date(2025, 3, 1), expires_on=dt.date(2027, 2, 28)
    )  # a two-year ban
    assert entry.repair_from is None

    with pytest.raises(Conflict, match="cannot be repaired while the entry runs") as refused:
        submit(session, entry)
    assert "2027-02-28" in refused.value.message  # when it ends by itself


def test_market_regulation_serious_list_is_repairable_after_twelve_months(session, world, entity):
    old = factories.make_list_entry(
        session, world.finance, entity, list_name="严重违法失信名单", listed_on=dt.date(2025, 11, 1)
    )
    recent = factories.make_list_entry(
        session, world.finance, entity, list_name="严重违法失信名单", listed_on=dt.date(2026, 3, 1)
    )

    assert submit(session, old).record_type == "list_entry"
    with pytest.raises(Conflict, match="from 2027-03-01"):
        submit(session, recent)


def test_red_list_entry_is_not_repaired(session, world, entity):
    entry = factories.make_list_entry(session, world.finance, entity, list_type="red", list_name="守信激励对象名单")
    with pytest.raises(Conflict, match="red"):
        submit(session, entry)


def test_records_no_longer_in_force_are_not_repaired(session, world, entity, finance):
    revoked = general_penalty(session, world, entity)
    penalty_service.revoke_penalty(session, revoked.id, "复议撤销", None, finance, revoked.version, TODAY)
    ended = general_penalty(session, world, entity, decided_on=dt.date(2025, 6, 1))  # ends 2026-06-01
    removed = factories.make_list_entry(
        session, world.finance, entity, list_name="严重违法失信名单", listed_on=dt.date(2025, 6, 1)
    )
    entry_service.remove_list_entry(session, removed.id, "提前移出", None, finance, removed.version, TODAY)

    with pytest.raises(Conflict, match="revoked"):
        submit(session, revoked)
    with pytest.raises(Conflict, match="publication ended on 2026-06-01"):
        submit(session, ended)
    with pytest.raises(Conflict, match="removed"):
        submit(session, removed)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"record_type": "licence"}, "record_type"),
        ({"record_id": 999_999}, "record_id"),
        ({"statement": "  "}, "statement"),
        ({"commitment": ""}, "commitment"),
        ({"attachments": [{"name": "凭证", "ref": " "}]}, "attachments.0"),
    ],
)
def test_invalid_applications_name_the_field(session, world, entity, change, field):
    penalty = general_penalty(session, world, entity)
    with pytest.raises(InvalidInput) as refused:
        submit(session, penalty, **change)
    assert field in refused.value.errors


def test_only_one_open_application_per_record(session, world, entity, finance):
    penalty = general_penalty(session, world, entity)
    first = submit(session, penalty)

    with pytest.raises(Conflict, match=f"repair application {first.id}"):
        submit(session, penalty, actor=finance)
    repairs.accept_repair(session, first.id, finance, 1, TODAY)
    with pytest.raises(Conflict, match="accepted"):
        submit(session, penalty)

    repairs.reject_repair(session, first.id, "材料不全", finance, 2, TODAY)
    assert submit(session, penalty).status == "submitted"  # a decided one no longer blocks


# --- who may act -------------------------------------------------------------------------------------


def test_who_may_submit(session, world, entity, finance, housing):
    penalties = [general_penalty(session, world, entity) for _ in range(3)]

    assert submit(session, penalties[0], actor=finance).submitted_by == finance.label
    assert submit(session, penalties[1], actor=factories.ADMIN).status == "submitted"
    assert submit(session, penalties[2], actor=PLATFORM).status == "submitted"
    other = general_penalty(session, world, entity)
    with pytest.raises(NotPermitted, match=f"authority {world.finance.id}"):
        submit(session, other, actor=housing)
    for reader in (SCREENER, PUBLIC):
        with pytest.raises(NotAuthenticated if reader is PUBLIC else NotPermitted):  # no key: 401
            submit(session, other, actor=reader)


def test_only_the_deciding_authority_decides(session, world, entity, finance, housing):
    application = submit(session, general_penalty(session, world, entity))

    for outsider in (housing, PLATFORM, SCREENER):
        with pytest.raises(NotPermitted):
            repairs.accept_repair(session, application.id, outsider, 1, TODAY)
        with pytest.raises(NotPermitted):
            repairs.reject_repair(session, application.id, "不予修复", outsider, 1, TODAY)
    assert application.status == "submitted"

    # 谁认定、谁修复 (国办发〔2025〕22号): an administrator may not decide in the authority's place.
    with pytest.raises(NotPermitted, match="谁认定、谁修复"):
        repairs.accept_repair(session, application.id, factories.ADMIN, 1, TODAY)
    with pytest.raises(NotPermitted, match="谁认定、谁修复"):
        repairs.reject_repair(session, application.id, "不予修复", factories.ADMIN, 1, TODAY)
    assert application.status == "submitted"
    assert repairs.accept_repair(session, application.id, finance, 1, TODAY).status == "accepted"
    with pytest.raises(NotPermitted, match="谁认定、谁修复"):
        repairs.complete_repair(session, application.id, "已修复", factories.ADMIN, 2, TODAY)
    assert repairs.complete_repair(session, application.id, "已修复", finance, 2, TODAY).status == "repaired"


def test_who_may_read(session, world, entity, finance, housing):
    mine = submit(session, general_penalty(session, world, entity))
    theirs = submit(
        session,
        factories.make_penalty(session, world.housing, entity, decided_on=dt.date(2026, 5, 1), domain="housing"),
    )

    for reader in (factories.ADMIN, PLATFORM):
        assert {a.id for a in repairs.list_repairs(session, reader, TODAY, filters={}).items} == {mine.id, theirs.id}
        assert repairs.get_repair(session, theirs.id, reader).id == theirs.id
    assert [a.id for a in repairs.list_repairs(session, finance, TODAY, filters={}).items] == [mine.id]
    assert repairs.get_repair(session, mine.id, finance).id == mine.id
    with pytest.raises(NotFound):
        repairs.get_repair(session, theirs.id, finance)
    assert [a.id for a in repairs.list_repairs(session, housing, TODAY, filters={}).items] == [theirs.id]
    for reader in (SCREENER, PUBLIC):
        refused = NotAuthenticated if reader is PUBLIC else NotPermitted  # no key: 401
        with pytest.raises(refused):
            repairs.list_repairs(session, reader, TODAY, filters={})
        with pytest.raises(refused):
            repairs.get_repair(session, mine.id, reader)


def test_filters(session, world, entity, finance):
    other = factories.make_entity(session, "宁波甬兴贸易有限公司")
    on_penalty = submit(session, general_penalty(session, world, entity))
    entry = factories.make_list_entry(
        session, world.finance, other, list_name="严重违法失信名单", listed_on=dt.date(2025, 11, 1)
    )
    on_entry = submit(session, entry)
    repairs.accept_repair(session, on_entry.id, finance, 1, TODAY)

    def found(**filters: Any) -> list[int]:
        return [a.id for a in repairs.list_repairs(session, factories.ADMIN, TODAY, filters=filters).items]

    assert found() == [on_penalty.id, on_entry.id]
    assert found(status="accepted") == [on_entry.id]
    assert found(record_type="penalty") == [on_penalty.id]
    assert found(entity_id=other.id) == [on_entry.id]
    assert found(authority_id=world.finance.id) == [on_penalty.id, on_entry.id]
    assert found(authority_id=world.housing.id) == []


# --- deciding ---------------------------------------------------------------------------------------


def test_full_path_repairs_the_penalty_and_keeps_it(session, world, entity, finance):
    penalty = general_penalty(session, world, entity)
    assert penalty.published_on(TODAY)
    application = submit(session, penalty)

    accepted = repairs.accept_repair(session, application.id, finance, 1, TODAY)
    assert (accepted.status, accepted.accepted_on, accepted.version) == ("accepted", TODAY, 2)
    done = repairs.complete_repair(session, application.id, "已履行处罚并作出信用承诺", finance, 2, TODAY)

    assert (done.status, done.decided_on, done.decided_by) == ("repaired", TODAY, finance.label)
    assert done.decision_reason == "已履行处罚并作出信用承诺"
    assert done.version == 3
    session.expire_all()
    kept = session.get(Penalty, penalty.id)
    assert kept is not None
    assert kept.status == "effective"  # kept, not deleted or revoked
    assert kept.repaired_on == TODAY
    assert not kept.in_force_on(TODAY)
    assert not kept.published_on(TODAY)
    public = penalty_service.list_penalties(session, PUBLIC, TODAY, filters={"entity_id": entity.id})
    assert penalty.id not in {p.id for p in public.items}
    with pytest.raises(NotFound):
        penalty_service.get_penalty(session, penalty.id, PUBLIC, TODAY)
    assert penalty_service.get_penalty(session, penalty.id, factories.ADMIN, TODAY).repaired_on == TODAY

    assert [e.operation for e in events_of(session, "repair_application", application.id)] == [
        "submit",
        "accept",
        "complete",
    ]
    assert [a.action for a in audits_of(session, "repair_application", application.id)] == [
        "submit",
        "accept",
        "complete",
    ]
    penalty_events = events_of(session, "penalty", penalty.id)
    assert [e.operation for e in penalty_events] == ["create", "repair"]
    assert penalty_events[-1].payload["repaired_on"] == TODAY.isoformat()
    assert all(e.authority_id == world.finance.id for e in events_of(session, "repair_application", application.id))
    penalty_audit = audits_of(session, "penalty", penalty.id)[-1]
    assert penalty_audit.before["repaired_on"] is None
    assert penalty_audit.after["repaired_on"] == TODAY.isoformat()
    assert f"repair application {application.id}" in (penalty_audit.reason or "")
    # In order: the application's completion, then the penalty's repair, one after the other.
    latest = list(session.scalars(sa.select(ChangeEvent).order_by(ChangeEvent.seq.desc()).limit(2)))[::-1]
    assert [(e.record_type, e.operation) for e in latest] == [("repair_application", "complete"), ("penalty", "repair")]
    latest_audit = list(session.scalars(sa.select(AuditLog).order_by(AuditLog.seq.desc()).limit(2)))[::-1]
    assert [(a.record_type, a.action) for a in latest_audit] == [
        ("repair_application", "complete"),
        ("penalty", "repair"),
    ]


def test_full_path_repairs_the_list_entry(session, world, entity, finance):
    entry = factories.make_list_entry(
        session, world.finance, entity, list_name="严重违法失信名单", listed_on=dt.date(2025, 11, 1)
    )
    application = submit(session, entry)
    repairs.accept_repair(session, application.id, finance, 1, TODAY)

    repairs.complete_repair(session, application.id, "已整改并作出信用承诺", finance, 2, TODAY)

    session.expire_all()
    kept = session.get(ListEntry, entry.id)
    assert kept is not None
    assert kept.status_on(TODAY) == "repaired"
    assert not kept.in_force_on(TODAY)
    assert kept.transitions[-1].to_status == "repaired"
    assert "已整改并作出信用承诺" in kept.transitions[-1].reason
    public = entry_service.list_list_entries(session, PUBLIC, TODAY, filters={"entity_id": entity.id})
    assert public.items == []
    assert [e.operation for e in events_of(session, "list_entry", entry.id)] == ["create", "repair"]


def test_rejection_leaves_the_record_as_it_was(session, world, entity, finance):
    penalty = general_penalty(session, world, entity)
    application = submit(session, penalty)

    with pytest.raises(InvalidInput, match="reason"):
        repairs.reject_repair(session, application.id, "  ", finance, 1, TODAY)
    rejected = repairs.reject_repair(session, application.id, "未履行罚款缴纳义务", finance, 1, TODAY)

    assert (rejected.status, rejected.decision_reason, rejected.decided_on) == ("rejected", "未履行罚款缴纳义务", TODAY)
    assert penalty.repaired_on is None
    assert penalty.in_force_on(TODAY)
    assert [e.operation for e in events_of(session, "penalty", penalty.id)] == ["create"]
    assert [e.operation for e in events_of(session, "repair_application", application.id)] == ["submit", "reject"]
    with pytest.raises(Conflict, match="rejected"):
        repairs.accept_repair(session, application.id, finance, 2, TODAY)
    with pytest.raises(Conflict, match="rejected"):
        repairs.reject_repair(session, application.id, "再次", finance, 2, TODAY)


def test_an_accepted_application_may_still_be_rejected(session, world, entity, finance):
    application = submit(session, general_penalty(session, world, entity))
    repairs.accept_repair(session, application.id, finance, 1, TODAY)

    assert (
        repairs.reject_repair(session, application.id, "核查发现仍有未履行义务", finance, 2, TODAY).status == "rejected"
    )


def test_transitions_follow_the_states(session, world, entity, finance):
    application = submit(session, general_penalty(session, world, entity))

    with pytest.raises(Conflict, match="is submitted; it can be repaired only when accepted"):
        repairs.complete_repair(session, application.id, "已修复", finance, 1, TODAY)
    repairs.accept_repair(session, application.id, finance, 1, TODAY)
    with pytest.raises(Conflict, match="accepted"):
        repairs.accept_repair(session, application.id, finance, 2, TODAY)
    with pytest.raises(InvalidInput, match="reason"):
        repairs.complete_repair(session, application.id, "", finance, 2, TODAY)


def test_a_stale_version_is_refused(session, world, entity, finance):
    application = submit(session, general_penalty(session, world, entity))
    repairs.accept_repair(session, application.id, finance, 1, TODAY)
    before = ledger_size(session)

    with pytest.raises(StaleVersion, match="version 2"):
        repairs.complete_repair(session, application.id, "已修复", finance, 1, TODAY)
    assert ledger_size(session) == before


def test_completing_is_refused_when_the_record_was_revoked_meanwhile(session, world, entity, finance):
    penalty = general_penalty(session, world, entity)
    application = submit(session, penalty)
    repairs.accept_repair(session, application.id, finance, 1, TODAY)
    penalty_service.revoke_penalty(session, penalty.id, "诉讼撤销", None, finance, penalty.version, TODAY)

    with pytest.raises(Conflict, match="revoked"):
        repairs.complete_repair(session, application.id, "已修复", finance, 2, TODAY)
    assert repairs.reject_repair(session, application.id, "处罚决定已撤销", finance, 2, TODAY).status == "rejected"


# --- deadlines in working days ----------------------------------------------------------------------


def test_deadlines_cross_the_national_day_week(session, world, entity):
    """The deciding authority decides within 3 working days of receipt (国办发〔2025〕22号); the credit
    platform's 10 working days are the platform's own deadline, not the authority's.

    Friday 2026-09-25 is 中秋节 (off). Authority: 9/28, 9/29, 9/30. Platform: those three, then
    after 国庆 10/1–7: 10/8, 10/9, 10/10 (Saturday make-up workday), 10/12, 10/13, 10/14, 10/15."""
    rules = factories.rules(session)
    submitted = dt.date(2026, 9, 25)
    application = submit(session, general_penalty(session, world, entity), today=submitted)

    assert application.accept_by == application.decide_by == dt.date(2026, 9, 30)
    assert application.platform_answer_by == dt.date(2026, 10, 15)
    assert application.decide_by == rules.calendar.add_working_days(submitted, 3).value
    assert rules.calendar.working_days_between(submitted, application.platform_answer_by).value == 10
    assert application.due_provisional is False


def test_deadlines_in_an_unknown_year_are_provisional(session, world, entity):
    application = submit(session, general_penalty(session, world, entity), today=dt.date(2026, 12, 28))

    assert application.accept_by == dt.date(2026, 12, 31)
    assert application.due_provisional is True  # decide_by falls in 2027, weekends-only


def test_overdue_is_read_against_the_day_asked_about(session, world, entity, finance):
    application = submit(session, general_penalty(session, world, entity), today=dt.date(2026, 9, 25))

    def overdue_ids(day: dt.date, flag: bool = True) -> list[int]:
        page = repairs.list_repairs(session, factories.ADMIN, day, filters={"overdue": flag})
        return [a.id for a in page.items]

    assert not repairs.is_overdue(application, dt.date(2026, 9, 30))
    assert overdue_ids(dt.date(2026, 9, 30)) == []
    assert overdue_ids(dt.date(2026, 9, 30), flag=False) == [application.id]
    assert repairs.is_overdue(application, dt.date(2026, 10, 1))
    assert overdue_ids(dt.date(2026, 10, 1)) == [application.id]
    assert overdue_ids(dt.date(2026, 10, 1), flag=False) == []

    # Taken up late, it is still late until decided: the authority's 3 working days ran out on 9/30.
    repairs.accept_repair(session, application.id, finance, 1, dt.date(2026, 10, 8))
    assert overdue_ids(dt.date(2026, 10, 8)) == [application.id]
    repairs.reject_repair(session, application.id, "逾期未补正材料", finance, 2, dt.date(2026, 10, 16))
    assert overdue_ids(dt.date(2026, 10, 16)) == []
    assert not repairs.is_overdue(application, dt.date(2027, 1, 1))
