"""The national format: field order, Chinese headers, masked IDs, withheld records, data sources,
the 个体工商户 placeholder, and the subject as it stood at each event."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from stdnum.cn import ric

from registry.codes.idnumber import IdentityVault
from registry.models import ChangeEvent
from registry.records import entities
from registry.records.penalty_fields import PENALTY_FIELDS
from sync.national import (
    ENVELOPE,
    FIELDS,
    KINDS,
    DataSource,
    columns,
    headers,
    kind_of,
    markdown_table,
    render_record,
    to_chinese,
)
from sync.outbox_rendering import render_events
from tests import factories

OPERATOR = DataSource("浙江省公共资源交易中心", "12330000MB0000000X")
DOC = Path(__file__).resolve().parents[2] / "docs" / "sync-format.md"
VAULT = IdentityVault("test-data-protection-secret")


def resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def _events_after(session, seq: int) -> list[ChangeEvent]:
    return list(session.scalars(sa.select(ChangeEvent).where(ChangeEvent.seq > seq).order_by(ChangeEvent.seq)))


def _head(session) -> int:
    return session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0


def _render(session, start: int, **kwargs) -> list[dict]:
    kwargs.setdefault("include_not_public", False)
    return render_events(session, _events_after(session, start), operator=OPERATOR, **kwargs)


def _rename(session, entity, name: str, on: dt.date):
    return entities.update_entity(
        session, entity.id, {"name": name, "renamed_on": on}, factories.ADMIN, entity.version, VAULT, factories.TODAY
    )


def test_the_tables_start_with_the_standard_penalty_fields_and_headers_are_unique():
    assert [(c.name, c.header) for c in FIELDS["penalties"][: len(PENALTY_FIELDS)]] == [
        (f.name, f.header) for f in PENALTY_FIELDS
    ]
    for kind in KINDS:
        names = [c.name for c in columns(kind)]
        assert len(set(names)) == len(names), kind
        assert len(set(headers(kind))) == len(names), kind
        assert columns(kind)[-len(ENVELOPE) :] == ENVELOPE
        assert {"data_source_name", "data_source_uscc"} <= set(names)
    assert "expires_on" in [c.name for c in FIELDS["list-entries"]]


def test_which_events_reach_the_platform():
    assert kind_of("penalty", "revoke") == "penalties"
    assert kind_of("list_entry", "remove") == "list-entries"
    assert kind_of("entity", "rename") == "name-changes"
    assert kind_of("entity", "create") is None
    assert kind_of("entity", "update") is None
    assert kind_of("authority", "create") is None
    assert kind_of("repair_application", "submit") is None
    assert kind_of("evidence_anchor", "anchor") == "evidence-anchors"


def test_each_kind_renders_in_the_order_of_its_table(session, world):
    start = _head(session)
    entity = factories.make_entity(session, "杭州顺序建设有限公司")
    factories.make_penalty(session, world.finance, entity)
    factories.make_list_entry(session, world.finance, entity)
    _rename(session, entity, "杭州顺序新建设有限公司", dt.date(2026, 11, 20))
    rendered = _render(session, start)
    assert [r["record_type"] for r in rendered] == ["penalty", "list_entry", "entity"]  # the create is internal
    for record, kind in zip(rendered, ("penalties", "list-entries", "name-changes"), strict=True):
        assert list(record) == [c.name for c in columns(kind)]
        assert record["withheld"] is False
    assert [r["seq"] for r in rendered] == [e.seq for e in _events_after(session, start)][1:]


def test_chinese_keys_are_the_standard_headers_with_the_same_values(session, world):
    start = _head(session)
    entity = factories.make_entity(session, "杭州中文建设有限公司")
    penalty = factories.make_penalty(
        session, world.finance, entity, categories=["罚款", "没收违法所得"], confiscation_amount=Decimal("1.25")
    )
    [record] = _render(session, start)
    chinese = to_chinese("penalties", record)
    assert list(chinese) == headers("penalties")
    assert list(chinese.values()) == list(record.values())
    assert chinese["行政处罚决定书文号"] == penalty.decision_number
    assert chinese["处罚类别"] == ["罚款", "没收违法所得"]
    assert chinese["罚款金额（万元）"] == "0.5"
    assert chinese["没收违法所得、没收非法财物的金额（万元）"] == "1.25"
    assert chinese["严重程度"] == "一般"
    assert chinese["涉及领域"] == "政府采购"
    assert chinese["状态"] == "有效"
    assert chinese["变更序号"] == record["seq"]
    # The push calls it with the record alone: the kind comes from the record's envelope.
    assert to_chinese(record) == chinese


def test_only_masked_id_numbers_leave(session, world):
    person_number = resident_id("33010619851212001")
    rep_number = resident_id("33010619850505002")
    start = _head(session)
    person = factories.make_entity(
        session, "王某", kind="natural_person", uscc=None, id_type="resident_id", id_number=person_number
    )
    company = factories.make_entity(
        session,
        "杭州法人建设有限公司",
        legal_representative="李某",
        legal_rep_id_type="resident_id",
        legal_rep_id_number=rep_number,
    )
    factories.make_penalty(session, world.finance, person)
    factories.make_penalty(session, world.finance, company)
    factories.make_list_entry(session, world.finance, person)
    on_person, on_company, listed = _render(session, start)
    text = json.dumps([on_person, on_company, listed], ensure_ascii=False)
    assert person_number not in text
    assert rep_number not in text
    assert on_person["id_type"] == "居民身份证"
    assert on_person["id_number"] == person_number[:4] + "*" * 10 + person_number[-4:]
    assert on_person["subject_kind"] == "自然人"
    assert on_company["legal_representative"] == "李某"
    assert on_company["legal_rep_id_type"] == "居民身份证"
    assert on_company["legal_rep_id_number"] == rep_number[:4] + "*" * 10 + rep_number[-4:]
    assert listed["id_number"] == on_person["id_number"]


def test_a_record_that_is_not_public_is_only_its_envelope_unless_configured(session, world):
    start = _head(session)
    entity = factories.make_entity(session, "杭州暂缓建设有限公司")
    factories.make_penalty(session, world.finance, entity, is_public=False, not_public_reason="涉及商业秘密")
    [withheld] = _render(session, start)
    assert withheld["withheld"] is True
    assert list(withheld) == [c.name for c in ENVELOPE]
    assert to_chinese("penalties", withheld) == {
        "变更序号": withheld["seq"],
        "记录类型": "penalty",
        "变更操作": "create",
        "记录编号": withheld["record_id"],
        "版本号": 1,
        "变更时间": withheld["occurred_at"],
        "是否暂缓公开": True,
    }
    [included] = _render(session, start, include_not_public=True)
    assert included["withheld"] is False
    assert (included["is_public"], included["not_public_reason"]) == (False, "涉及商业秘密")
    assert included["decision_number"]


def test_data_sources(session, world):
    start = _head(session)
    entity = factories.make_entity(session, "杭州来源二建设有限公司")
    factories.make_penalty(session, world.housing, entity, data_source_authority_id=world.finance.id)
    factories.make_list_entry(session, world.housing, entity)
    entities.add_entity_name(session, entity.id, {"name": "合来源", "kind": "alias"}, factories.ADMIN, entity.version)
    penalty, entry, named = _render(session, start)
    assert (penalty["authority_name"], penalty["authority_uscc"]) == (world.housing.name, world.housing.uscc)
    assert (penalty["data_source_name"], penalty["data_source_uscc"]) == (world.finance.name, world.finance.uscc)
    assert (entry["authority_name"], entry["data_source_name"]) == (world.housing.name, world.housing.name)
    assert entry["data_source_uscc"] == world.housing.uscc
    assert (named["data_source_name"], named["data_source_uscc"]) == (OPERATOR.name, OPERATOR.uscc)
    assert (named["change_type"], named["changed_name"], named["changed_name_kind"]) == ("增加名称", "合来源", "别名")
    assert named["aliases"] == ["合来源"]


def test_an_individual_business_without_a_code_gets_the_placeholder(session, world):
    start = _head(session)
    shop = factories.make_entity(session, "杭州市西湖区张记五金店", kind="individual_business", uscc=None)
    factories.make_penalty(session, world.finance, shop)
    factories.make_list_entry(session, world.finance, shop)
    penalty, entry = _render(session, start)
    assert penalty["subject_uscc"] == entry["subject_uscc"] == "00000000000000000X"
    assert penalty["subject_kind"] == entry["subject_kind"] == "个体工商户"


def test_the_subject_is_the_entity_as_it_stood_at_each_event(session, world):
    start = _head(session)
    entity = factories.make_entity(session, "杭州旧名建设有限公司")
    factories.make_list_entry(session, world.finance, entity)
    _rename(session, entity, "杭州新名建设有限公司", dt.date(2026, 11, 20))
    factories.make_list_entry(session, world.finance, entity)
    before, renamed, after = _render(session, start)
    assert before["subject_name"] == "杭州旧名建设有限公司"  # as it stood then, though the table says otherwise now
    assert after["subject_name"] == "杭州新名建设有限公司"
    assert renamed["change_type"] == "更名"
    assert (renamed["previous_name"], renamed["changed_name"], renamed["subject_name"]) == (
        "杭州旧名建设有限公司",
        "杭州新名建设有限公司",
        "杭州新名建设有限公司",
    )
    assert renamed["changed_on"] == "2026-11-20"
    assert renamed["former_names"] == ["杭州旧名建设有限公司"]
    assert renamed["record_id"] == renamed["entity_id"] == entity.id
    # Rendered alone (a push batch that starts at the rename), it reads the earlier events itself.
    [alone] = render_events(
        session, [session.get(ChangeEvent, renamed["seq"])], include_not_public=False, operator=OPERATOR
    )
    assert alone == renamed


def test_a_removed_name_is_read_from_the_state_before_the_change(session, world):
    entity = factories.make_entity(
        session, "杭州删名建设有限公司", names=[{"name": "杭州误录建设有限公司", "kind": "former"}]
    )
    start = _head(session)
    wrong = next(n for n in entity.names if n.kind == "former")
    entities.remove_entity_name(session, entity.id, wrong.id, factories.ADMIN, entity.version, "录入错误")
    [removed] = _render(session, start)
    assert (removed["change_type"], removed["changed_name"], removed["changed_name_kind"]) == (
        "删除名称",
        "杭州误录建设有限公司",
        "曾用名",
    )
    assert removed["former_names"] == []


def test_without_outbox_history_the_subject_comes_from_the_entities_table(session, world):
    entity = factories.make_entity(session, "杭州无史建设有限公司")
    start = _head(session)
    factories.make_penalty(session, world.finance, entity)
    # As if the entity had been loaded before the outbox existed.
    session.execute(
        sa.delete(ChangeEvent).where(ChangeEvent.record_type == "entity", ChangeEvent.record_id == entity.id)
    )
    [record] = _render(session, start)
    assert record["subject_kind"] == "法人及非法人组织"


def test_render_record_refuses_internal_events():
    with pytest.raises(ValueError, match="internal"):
        render_record("entity", "create", {}, None, {}, OPERATOR, 1, "2026-11-23T00:00:00+00:00", False)


def test_a_batch_costs_the_same_few_queries_whatever_its_size(app, session, world):
    entity_list = [factories.make_entity(session, f"杭州批量{i}建设有限公司") for i in range(12)]
    start = _head(session)
    for i, entity in enumerate(entity_list):
        factories.make_penalty(session, world.finance if i % 2 else world.housing, entity)
    events = _events_after(session, start)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = session.get_bind().engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        render_events(session, events[:2], include_not_public=False, operator=OPERATOR)
        few = len(statements)
        statements.clear()
        rendered = render_events(session, events, include_not_public=False, operator=OPERATOR)
        assert len(statements) == few <= 3
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(rendered) == 12


def test_the_documented_tables_match_the_code():
    doc = DOC.read_text(encoding="utf-8")
    for kind in (*KINDS, "envelope"):
        assert markdown_table(kind) in doc, f"docs/sync-format.md: the {kind} table differs from sync.national"
    tables = [block for block in doc.split("\n\n") if block.startswith("| English name |")]
    rows = [line for block in tables for line in block.splitlines()[2:]]
    documented = sum(len(FIELDS[kind]) for kind in KINDS) + len(ENVELOPE)
    assert len(rows) == documented, "a table row in docs/sync-format.md is not in sync.national"
