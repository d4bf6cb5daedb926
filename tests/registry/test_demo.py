"""`registry.demo` and `flask registry seed-demo`: a demo registry built through the services."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry.codes import idnumber, region, uscc
from registry.demo import AUTHORITIES, DemoSummary, plan_demo, seed_demo, trade_names
from registry.errors import InvalidInput
from registry.ledger import verify_audit_chain
from registry.models import ApiKey, AuditLog, Authority, ChangeEvent, Entity, ListEntry, Penalty
from registry.runtime import Runtime
from registry.vocab import DOMAINS, LIST_ENTRY_STATES, LIST_TYPES, SEVERITIES
from tests import factories
from tests.conftest import auth

ENTITIES = 60  # small enough to keep the suite fast, large enough for every kind of record
TODAY = dt.date(2026, 11, 23)  # the `runtime` fixture's clock


@pytest.fixture
def demo(session: Session, runtime: Runtime) -> DemoSummary:
    summary = seed_demo(
        session, vault=runtime.vault, rules=factories.rules(session), today=runtime.clock.today(), entities=ENTITIES
    )
    session.commit()
    return summary


# --- the plan, without a database -------------------------------------------------------


def test_the_same_seed_plans_the_same_registry() -> None:
    first = plan_demo(today=TODAY, rng_seed=7, entities=40)
    again = plan_demo(today=TODAY, rng_seed=7, entities=40)
    other = plan_demo(today=TODAY, rng_seed=8, entities=40)

    assert [e.name for e in first.entities] == [e.name for e in again.entities]
    assert [p.data for p in first.penalties] == [p.data for p in again.penalties]
    assert [e.data for e in first.list_entries] == [e.data for e in again.list_entries]
    assert [e.name for e in first.entities] != [e.name for e in other.entities]


def test_names_follow_the_enterprise_naming_rules() -> None:
    plan = plan_demo(today=TODAY, entities=300)
    firms = [e for e in plan.entities if e.kind == "legal_entity"]
    shops = [e for e in plan.entities if e.kind == "individual_business"]

    assert len({e.final_name for e in plan.entities if e.kind != "natural_person"}) == len(firms) + len(shops)
    for firm in firms:
        # 行政区划 + 字号 + 行业 + 组织形式, or 字号 + 行业 + （行政区划） + 组织形式
        assert firm.trade is not None
        assert firm.industry is not None
        assert firm.name.endswith("公司")
        assert firm.trade + firm.industry in firm.name
    assert any("（" in firm.name for firm in firms)  # the region in brackets after the trade name
    assert any(re.fullmatch(r"\w+市\w+区\w记\w+店", shop.name) for shop in shops)  # 杭州市西湖区张记五金店


def test_trade_names_are_the_bundled_sample() -> None:
    names = trade_names()
    assert len(names) == 3000
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", n) for n in names)


def test_a_registry_needs_a_minimum_of_entities() -> None:
    with pytest.raises(InvalidInput) as caught:
        plan_demo(today=TODAY, entities=5)
    assert "entities" in caught.value.errors


# --- loaded through the services --------------------------------------------------------


def test_counts_match_what_was_written(session: Session, demo: DemoSummary) -> None:
    assert (demo.authorities, demo.entities) == (len(AUTHORITIES), ENTITIES)
    assert session.scalar(sa.select(sa.func.count()).select_from(Authority)) == demo.authorities
    assert session.scalar(sa.select(sa.func.count()).select_from(Entity)) == demo.entities
    assert session.scalar(sa.select(sa.func.count()).select_from(ListEntry)) == demo.list_entries
    assert session.scalar(sa.select(sa.func.count()).select_from(Penalty)) == demo.penalties
    assert demo.list_entries >= 30
    assert demo.penalties >= 30


def test_authorities_have_valid_codes_domains_and_parents(session: Session, demo: DemoSummary) -> None:
    found = session.scalars(sa.select(Authority).order_by(Authority.id)).all()

    for authority in found:
        assert uscc.validate(authority.uscc) == authority.uscc
        assert authority.uscc.startswith("11" + authority.region_code)  # 机构编制, 机关
        assert region.is_known(authority.region_code)
    assert {"330000", "330100", "330200", "330300"} <= {a.region_code for a in found}
    assert set().union(*(a.domains for a in found)) == set(DOMAINS)
    by_id = {a.id: a for a in found}
    children = [a for a in found if a.parent_id is not None]
    assert children
    for child in children:
        parent = by_id[child.parent_id]  # type: ignore[index]
        assert parent.region_code == "330000"
        assert child.region_code != "330000"


def test_every_entity_code_is_valid(session: Session, demo: DemoSummary) -> None:
    entities = session.scalars(sa.select(Entity)).all()

    assert {e.kind for e in entities} == {"legal_entity", "individual_business", "natural_person"}
    for entity in entities:
        if entity.kind == "natural_person":
            assert entity.uscc is None
            continue
        assert entity.uscc is not None
        assert uscc.validate(entity.uscc, allow_placeholder=entity.kind == "individual_business") == entity.uscc
        assert entity.region_code is not None
        assert region.is_known(entity.region_code)
        if entity.uscc != uscc.INDIVIDUAL_BUSINESS_PLACEHOLDER:
            assert entity.uscc[:2] == ("91" if entity.kind == "legal_entity" else "92")
            assert entity.uscc[2:8] == entity.region_code
    shops = [e for e in entities if e.kind == "individual_business"]
    assert any(e.uscc == uscc.INDIVIDUAL_BUSINESS_PLACEHOLDER for e in shops)
    assert any(e.uscc != uscc.INDIVIDUAL_BUSINESS_PLACEHOLDER for e in shops)


def test_names_change_over_time(session: Session, demo: DemoSummary) -> None:
    entities = session.scalars(sa.select(Entity)).all()
    assert any(n.kind == "alias" for e in entities for n in e.names)

    renames = session.scalars(sa.select(AuditLog).where(AuditLog.action == "rename")).all()
    assert renames
    for row in renames:
        entity = session.get_one(Entity, row.record_id)
        assert row.before is not None
        assert row.before["name"] != entity.name
        # The old name is kept as 曾用名 up to the day the new one starts.
        current = next(n for n in entity.names if n.kind == "current")
        former = next(n for n in entity.names if n.name == row.before["name"])
        assert former.kind == "former"
        assert former.valid_to == current.valid_from
        assert current.valid_from is not None
        assert current.valid_from <= TODAY
        # Records decided before the rename keep the name they were decided under.
        subjects = set(session.scalars(sa.select(Penalty.subject_name).where(Penalty.entity_id == entity.id)))
        assert entity.name not in subjects


def test_natural_persons_numbers_are_kept_only_masked_and_encrypted(
    session: Session, runtime: Runtime, demo: DemoSummary
) -> None:
    plan = plan_demo(today=TODAY, entities=ENTITIES)
    numbers = [e.data["id_number"] for e in plan.entities if e.kind == "natural_person"]
    numbers += [e.data["legal_rep_id_number"] for e in plan.entities if "legal_rep_id_number" in e.data]
    assert numbers

    for number in numbers[:3]:
        assert idnumber.validate("resident_id", number) == number
    people = session.scalars(sa.select(Entity).where(Entity.kind == "natural_person")).all()
    assert people
    for person in people:
        assert person.id_type == "resident_id"
        assert person.id_number_cipher is not None
        assert person.id_number_hash is not None
        number = runtime.vault.reveal(person.id_number_cipher)
        assert number in numbers
        assert person.id_number_masked == idnumber.mask(number)
        assert re.fullmatch(r"\d{4}\*{10}[\dX]{4}", person.id_number_masked)
        assert person.id_number_hash == runtime.vault.fingerprint("resident_id", number)
    # No clear number anywhere: not in the entities, the audit log or the outbox.
    for table in (Entity.__table__, AuditLog.__table__, ChangeEvent.__table__):
        for row in session.execute(sa.select(table)).mappings():
            text = " ".join(str(value) for value in row.values())
            assert not any(number in text for number in numbers), table.name


def test_list_entries_of_every_type_and_state(session: Session, demo: DemoSummary) -> None:
    entries = session.scalars(sa.select(ListEntry)).all()
    states = {entry.status_on(TODAY) for entry in entries}

    assert states == set(LIST_ENTRY_STATES)
    assert {entry.list_type for entry in entries} == set(LIST_TYPES)
    assert "工程建设领域严重失信主体名单" in {entry.list_name for entry in entries}
    for entry in entries:
        assert entry.listed_on <= TODAY
        assert entry.expires_on is None or entry.expires_on > entry.listed_on
        state = entry.status_on(TODAY)
        if state == "expired":
            assert entry.expires_on is not None
            assert entry.expires_on <= TODAY
        if state in ("removed", "repaired"):
            assert [t.to_status for t in entry.transitions] == ["active", state]
            assert entry.status_changed_on is not None
            assert entry.listed_on <= entry.status_changed_on <= TODAY
        if state == "repaired":
            assert entry.list_type != "red"  # 信用修复 applies to black and watch lists


def test_penalties_of_every_severity_and_state(session: Session, demo: DemoSummary) -> None:
    penalties = session.scalars(sa.select(Penalty)).all()

    assert {p.severity for p in penalties} == set(SEVERITIES)
    assert {p.status for p in penalties} == {"effective", "revoked"}
    assert {p.domain for p in penalties} == set(DOMAINS)
    hidden = [p for p in penalties if not p.is_public]
    assert hidden
    assert all(p.not_public_reason for p in hidden)
    for p in penalties:
        assert p.decided_on <= TODAY
        assert ("罚款" in p.categories) == (p.fine_amount is not None)
        assert bool({"没收违法所得", "没收非法财物"} & set(p.categories)) == (p.confiscation_amount is not None)
        if p.status == "revoked":
            assert p.revoked_on is not None
            assert p.decided_on <= p.revoked_on <= TODAY
            assert p.revocation_reason
    actions = set(session.scalars(sa.select(AuditLog.action).where(AuditLog.record_type == "penalty")))
    assert {"create", "correct", "revoke"} <= actions
    # Amounts in 万元 reach the outbox in plain form (0.2, 410), never as 4.1E+2.
    for event in session.scalars(sa.select(ChangeEvent).where(ChangeEvent.record_type == "penalty")):
        for field in ("fine_amount", "confiscation_amount"):
            amount = event.payload[field]
            assert amount is None or re.fullmatch(r"\d+(\.\d*[1-9])?", amount), amount


def test_every_write_is_audited_and_in_the_outbox(session: Session, demo: DemoSummary) -> None:
    report = verify_audit_chain(session)
    assert report.ok, report
    seqs = list(session.scalars(sa.select(ChangeEvent.seq).order_by(ChangeEvent.seq)))
    assert seqs == list(range(1, len(seqs) + 1))
    # Each record, and each change to it, is one event; only API keys and accounts stay out of the outbox.
    audited = session.scalar(
        sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.record_type.not_in(("api_key", "account")))
    )
    assert audited == len(seqs)
    for model, record_type in ((Entity, "entity"), (ListEntry, "list_entry"), (Penalty, "penalty")):
        ids = set(session.scalars(sa.select(model.id)))  # type: ignore[attr-defined]
        events = set(session.scalars(sa.select(ChangeEvent.record_id).where(ChangeEvent.record_type == record_type)))
        assert ids == events, record_type


def test_demo_keys_cover_every_role(session: Session, demo: DemoSummary) -> None:
    roles = [k.role for k in demo.keys]
    assert {"admin", "screener", "platform"} <= set(roles)
    supervisors = {k.authority_id for k in demo.keys if k.role == "supervisor"}
    assert supervisors == set(session.scalars(sa.select(Authority.id)))
    assert all(k.key.startswith("crk_") for k in demo.keys)
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == len(demo.keys)


def test_demo_accounts_cover_every_role_and_sign_in(session: Session, demo: DemoSummary, runtime: Runtime) -> None:
    """One account per role, the supervisor's account administrator among them; each signs in with
    the password printed once, and the screener files its screenings under the demo screener key."""
    from registry.accounts.signin import sign_in
    from registry.models import Account

    assert sorted(a.role for a in demo.accounts) == ["admin", "platform", "screener", "supervisor", "supervisor"]
    assert [a.login for a in demo.accounts if a.manages_accounts] == ["demo.zjcz.admin"]
    for person in demo.accounts:
        signed = sign_in(
            session,
            person.login,
            person.password,
            "",
            settings=runtime.accounts,
            box=runtime.secret_box,
            now=runtime.clock.now(),
        )
        assert signed.actor.person == person.name
        assert not signed.must_change_password
    screener = session.scalars(sa.select(Account).where(Account.role == "screener")).one()
    key = session.get(ApiKey, screener.screening_key_id)
    assert key is not None
    assert (key.role, key.name) == ("screener", "杭州市公共资源交易中心（演示）")
    assert session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == len(demo.keys)


def test_a_second_run_with_the_same_seed_builds_the_same_registry(session: Session, runtime: Runtime) -> None:
    def run() -> tuple[list[str], list[str]]:
        savepoint = session.begin_nested()
        try:
            seed_demo(session, vault=runtime.vault, rules=factories.rules(session), today=TODAY, entities=30)
            names = list(session.scalars(sa.select(Entity.name).order_by(Entity.name)))
            numbers = list(session.scalars(sa.select(Penalty.decision_number).order_by(Penalty.decision_number)))
            return names, numbers
        finally:
            savepoint.rollback()

    first = run()
    assert session.scalar(sa.select(sa.func.count()).select_from(Entity)) == 0
    assert run() == first
    assert first[0] == sorted(e.final_name for e in plan_demo(today=TODAY, entities=30).entities)


# --- the command ------------------------------------------------------------------------


def _seed(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["registry", "seed-demo", *args])


def test_seed_demo_command_loads_and_prints_the_keys(app: Flask, client: FlaskClient, session: Session) -> None:
    result = _seed(app, "--entities", str(ENTITIES))

    assert result.exit_code == 0, result.output
    assert re.search(rf"entities\s+{ENTITIES}\b", result.output)
    keys = dict(re.findall(r"^  (admin|screener|platform)\s+(crk_\S+)", result.output, re.MULTILINE))
    assert set(keys) == {"admin", "screener", "platform"}
    assert len(re.findall(r"^  supervisor\s+crk_\S+", result.output, re.MULTILINE)) == len(AUTHORITIES)
    # The command committed (into the test's savepoint): the keys work against the API.
    r = client.get("/api/v1/authorities", headers=auth(keys["admin"]))
    assert r.status_code == 200
    assert r.json["total"] == len(AUTHORITIES)
    assert verify_audit_chain(session).ok


def test_seed_demo_if_empty_skips_a_registry_with_entities(app: Flask, client: FlaskClient, session: Session) -> None:
    assert _seed(app, "--entities", "20").exit_code == 0

    again = _seed(app, "--entities", "20", "--if-empty")
    assert again.exit_code == 0, again.output
    assert "skipped" in again.output
    assert session.scalar(sa.select(sa.func.count()).select_from(Entity)) == 20


def test_seed_demo_twice_fails_without_changing_anything(app: Flask, client: FlaskClient, session: Session) -> None:
    assert _seed(app, "--entities", "20").exit_code == 0
    events = session.scalar(sa.select(sa.func.count()).select_from(ChangeEvent))

    again = _seed(app, "--entities", "20")
    assert again.exit_code == 2
    assert "错误：统一社会信用代码" in again.stderr
    assert "已登记为机关" in again.stderr
    assert session.scalar(sa.select(sa.func.count()).select_from(ChangeEvent)) == events
    assert session.scalar(sa.select(sa.func.count()).select_from(Entity)) == 20


def test_seed_demo_refuses_too_few_entities(app: Flask, client: FlaskClient) -> None:
    result = _seed(app, "--entities", "5")
    assert result.exit_code == 2
    assert "--entities" in result.output
