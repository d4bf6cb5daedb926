"""Supervisor console (监管工作台): one authority's records and their publication, disclosure deadlines,
repair decisions, and the forms that record penalties and list entries as the API does."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from registry.ledger import Actor
from registry.models import Entity, ListEntry, Penalty, RepairApplication
from registry.records import penalties as penalty_service
from registry.records import repairs as repair_service
from tests import factories
from tests.conftest import auth
from tests.ledger_queries import audits_of, events_of, ledger_size
from tests.pages.conftest import csrf_of, sign_in

PLATFORM = Actor(key_id=None, name="信用平台", role="platform")


def text_of(r: TestResponse) -> str:
    return r.get_data(as_text=True)


def row_of(page: str, marker: str) -> str:
    """The table row that contains `marker` (escaped as the page escapes it)."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", page, flags=re.S):
        if html.escape(marker) in row:
            return str(row)
    raise AssertionError(f"no row with {marker!r}")


def error_of(page: str, field: str) -> str:
    """The error text shown next to a form field (its aria-describedby target)."""
    found = re.search(rf'<div class="field-error" id="{field}-error">(.*?)</div>', page, flags=re.S)
    assert found, f"no error shown for {field}"
    return html.unescape(found.group(1))


@pytest.fixture
def entity(session: Session, world: factories.World) -> Entity:
    made = factories.make_entity(session, "杭州合晟建设工程有限公司")
    session.commit()  # a refused request rolls back whatever is not committed
    return made


@pytest.fixture
def finance(pages: FlaskClient, world: factories.World) -> FlaskClient:
    """Signed in as the supervisor of 浙江省财政厅."""
    assert sign_in(pages, world.finance_key).status_code == 303
    return pages


def penalty_form(entity: Entity, **fields: Any) -> dict[str, Any]:
    """What a person fills in on the penalty form."""
    form = {
        "subject": entity.uscc,
        "decision_number": "浙财采罚〔2026〕88号",
        "decided_on": "2026-11-16",
        "violation_type": "提供虚假材料谋取中标",
        "facts": "在某政府采购项目中提供虚假业绩证明材料",
        "basis": "《中华人民共和国政府采购法》第七十七条",
        "categories": ["罚款"],
        "content": "罚款人民币五千元",
        "fine_amount": "0.5",
        "confiscation_amount": "",
        "licence_affected": "",
        "valid_until": "",
        "severity": "general",
        "domain": "procurement",
        "project_code": "ZJCG-2026-118",
        "publication_ends_on": "",
        "is_public": "true",
        "not_public_reason": "",
        "remarks": "",
        "data_source_authority_id": "",
    }
    form.update(fields)
    return form


def post_form(client: FlaskClient, path: str, form: dict[str, Any]) -> TestResponse:
    token = csrf_of(text_of(client.get(path)))
    return client.post(path, data={"csrf": token, **form})


def penalty_count(session: Session) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(Penalty)) or 0)


# --- who may come in -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/console",
        "/console/penalties",
        "/console/list-entries",
        "/console/due",
        "/console/repairs",
        "/console/penalties/new",
        "/console/list-entries/new",
        "/console/penalties/1",
    ],
)
def test_strangers_are_sent_to_sign_in(pages: FlaskClient, world: factories.World, path: str) -> None:
    r = pages.get(path)
    assert r.status_code == 302
    assert r.headers["Location"] == f"/login?next={path}"


@pytest.mark.parametrize("key", ["screener_key", "platform_key"])
def test_other_roles_are_refused(pages: FlaskClient, world: factories.World, key: str) -> None:
    sign_in(pages, getattr(world, key))
    r = pages.get("/console")
    assert r.status_code == 403
    assert "监管部门" in text_of(r)
    assert pages.get("/console/penalties/new").status_code == 403


# --- the authority's records and their publication state ----------------------------------------


@pytest.fixture
def records(session: Session, world: factories.World, entity: Entity) -> dict[str, Penalty]:
    """财政厅's penalties in each publication state, and one of 住建厅's."""
    made = {
        "published": factories.make_penalty(session, world.finance, entity, decision_number="浙财罚〔2026〕1号"),
        "revoked": factories.make_penalty(session, world.finance, entity, decision_number="浙财罚〔2026〕2号"),
        "not_public": factories.make_penalty(
            session,
            world.finance,
            entity,
            decision_number="浙财罚〔2026〕3号",
            is_public=False,
            not_public_reason="涉及国家秘密",
        ),
        "minor": factories.make_penalty(
            session,
            world.finance,
            entity,
            decision_number="浙财罚〔2026〕4号",
            categories=["警告"],
            fine_amount=None,
            severity="minor",
            content="警告",
        ),
        "ended": factories.make_penalty(
            session, world.finance, entity, decision_number="浙财罚〔2024〕5号", decided_on=dt.date(2024, 1, 10)
        ),
        "other": factories.make_penalty(
            session, world.housing, entity, decision_number="浙建罚〔2026〕9号", domain="construction_bidding"
        ),
    }
    penalty_service.revoke_penalty(
        session,
        made["revoked"].id,
        "复议撤销",
        None,
        factories.supervisor_of(world.finance),
        made["revoked"].version,
        factories.TODAY,
    )
    session.commit()
    return made


def test_a_supervisor_sees_its_own_penalties_with_their_publication_state(
    finance: FlaskClient,
    records: dict[str, Penalty],
) -> None:
    page = text_of(finance.get("/console/penalties"))
    expected = {
        "published": "公示中",
        "revoked": "已撤销",
        "not_public": "不公开",
        "minor": "不公开",
        "ended": "公示期满",
    }
    for name, state in expected.items():
        row = row_of(page, records[name].decision_number)
        assert f">{state}</span>" in row, (name, row)
    assert records["other"].decision_number not in page  # 住建厅's, though published
    assert "共 5 条" in page

    revoked_only = text_of(finance.get("/console/penalties?state=revoked"))
    assert records["revoked"].decision_number in revoked_only
    assert records["published"].decision_number not in revoked_only

    overview = text_of(finance.get("/console"))
    assert "监管工作台：浙江省财政厅" in overview
    assert re.search(r'href="/console/penalties\?state=not_public">2</a>', overview)
    assert re.search(r'href="/console/penalties\?state=published">1</a>', overview)


def test_the_detail_page_shows_every_field_and_the_history(
    finance: FlaskClient,
    records: dict[str, Penalty],
) -> None:
    r = finance.get(f"/console/penalties/{records['revoked'].id}")
    assert r.status_code == 200
    page = text_of(r)
    for header in (
        "行政相对人名称",
        "统一社会信用代码",
        "行政处罚决定书文号",
        "处罚依据",
        "罚款金额（万元）",
        "处罚机关统一社会信用代码",
        "数据来源单位",
    ):
        assert f"<dt>{header}</dt>" in page
    assert "0.5" in page
    history = page[page.index('id="history-title"') :]
    assert "登记" in history
    assert "撤销" in history
    assert "复议撤销" in history  # the reason
    assert "有效 → 已撤销" in history  # the change, in words
    assert "supervisor of" in history  # who


def test_filters_are_checked_by_the_apis_schema(finance: FlaskClient, records: dict[str, Penalty]) -> None:
    r = finance.get("/console/penalties?from=2026-13-01&domain=nowhere")
    assert r.status_code == 422
    page = text_of(r)
    assert "Not a valid date." in page
    assert "Must be one of" in page
    assert 'aria-describedby="f-from-error"' in page


def test_another_authoritys_records_are_refused_as_the_api_refuses_them(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
    entity: Entity,
    records: dict[str, Penalty],
) -> None:
    secret = factories.make_penalty(
        session,
        world.housing,
        entity,
        decision_number="浙建罚〔2026〕10号",
        is_public=False,
        not_public_reason="涉密工程",
        facts="某保密工程中的违法事实",
    )
    entry = factories.make_list_entry(
        session,
        world.housing,
        entity,
        decision_number="浙建决〔2026〕3号",
        is_public=False,
        not_public_reason="涉密工程",
    )
    session.commit()
    published = records["other"]
    cases = [
        (f"/console/penalties/{secret.id}", f"/api/v1/penalties/{secret.id}", secret.decision_number),
        (f"/console/list-entries/{entry.id}", f"/api/v1/list-entries/{entry.id}", entry.decision_number),
        (f"/console/penalties/{published.id}", f"/api/v1/penalties/{published.id}/history", published.decision_number),
    ]
    for page_path, api_path, number in cases:
        api = finance.get(api_path, headers=auth(world.finance_key))
        page = finance.get(page_path)
        assert api.status_code in (403, 404)
        assert page.status_code == api.status_code, page_path
        body = text_of(page)
        assert page.mimetype == "text/html"
        assert number not in body
        assert "某保密工程" not in body
        assert "涉密工程" not in body
    assert finance.get(f"/console/penalties/{secret.id}").status_code == 404
    assert finance.get(f"/console/penalties/{published.id}").status_code == 403
    assert finance.get(f"/console/penalties?authority={world.housing.id}").status_code == 403
    assert finance.get(f"/console/due?authority={world.housing.id}").status_code == 403


def test_an_administrator_sees_every_authority_and_can_choose_one(
    pages: FlaskClient,
    world: factories.World,
    records: dict[str, Penalty],
) -> None:
    sign_in(pages, world.admin_key)
    everything = text_of(pages.get("/console/penalties"))
    assert records["other"].decision_number in everything
    assert records["published"].decision_number in everything
    housing = text_of(pages.get(f"/console/penalties?authority={world.housing.id}"))
    assert records["other"].decision_number in housing
    assert records["published"].decision_number not in housing
    assert pages.get(f"/console/penalties/{records['other'].id}").status_code == 200


def test_list_entries_with_their_state(
    finance: FlaskClient, session: Session, world: factories.World, entity: Entity
) -> None:
    active = factories.make_list_entry(session, world.finance, entity, decision_number="浙财决〔2026〕1号")
    expired = factories.make_list_entry(
        session,
        world.finance,
        entity,
        decision_number="浙财决〔2025〕2号",
        listed_on=dt.date(2025, 1, 5),
        expires_on=dt.date(2026, 1, 5),
    )
    session.commit()
    page = text_of(finance.get("/console/list-entries"))
    assert ">公示中</span>" in row_of(page, active.decision_number)
    assert ">公示期满</span>" in row_of(page, expired.decision_number)
    detail = finance.get(f"/console/list-entries/{active.id}")
    assert detail.status_code == 200
    assert "列入: 浙财决〔2026〕1号" in text_of(detail)  # the transition


# --- disclosure deadlines (公开时效) ----------------------------------------------------------------


def test_due_lists_overdue_and_pending_records_in_working_days(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
    entity: Entity,
) -> None:
    # Never published (as an import from another system leaves it): a 国有产权交易 penalty is due 7
    # working days after the decision. Decided Monday 2026-11-02, due 2026-11-11; by 2026-11-23,
    # 8 working days late.
    overdue = factories.make_penalty(
        session,
        world.finance,
        entity,
        decision_number="浙财罚〔2026〕31号",
        decided_on=dt.date(2026, 11, 2),
        domain="state_assets",
    )
    overdue.first_published_at = None
    # Decided Friday 2026-11-20, due Tuesday 2026-12-01: 6 working days left.
    pending = factories.make_penalty(
        session,
        world.finance,
        entity,
        decision_number="浙财罚〔2026〕32号",
        decided_on=dt.date(2026, 11, 20),
        domain="state_assets",
    )
    pending.first_published_at = None
    session.commit()
    report = finance.get(
        "/api/v1/reports/timeliness/overdue",
        query_string={"from": "2026-01-01", "to": "2026-11-23"},
        headers=auth(world.finance_key),
    )
    [api_overdue] = report.json["overdue"]
    assert api_overdue["working_days_overdue"] == 8

    page = text_of(finance.get("/console/due"))
    row = row_of(page, overdue.decision_number)
    assert "2026年11月11日" in row
    assert "逾期 8 个工作日" in row
    assert f'href="/console/penalties/{overdue.id}"' in row
    row = row_of(page, pending.decision_number)
    assert "2026年12月1日" in row
    assert "还剩 6 个工作日" in row
    overview = text_of(finance.get("/console"))
    assert '<strong class="bad">1</strong> 条逾期未公开' in overview


# --- recording a penalty through the form -------------------------------------------------------


def test_the_form_labels_every_field_the_api_takes(finance: FlaskClient) -> None:
    page = text_of(finance.get("/console/penalties/new"))
    for name in (
        "subject",
        "decision_number",
        "decided_on",
        "violation_type",
        "facts",
        "basis",
        "content",
        "fine_amount",
        "confiscation_amount",
        "licence_affected",
        "valid_until",
        "procedure",
        "severity",
        "domain",
        "project_code",
        "publication_ends_on",
        "not_public_reason",
        "remarks",
        "data_source_authority_id",
    ):
        assert f'<label for="{name}">' in page, name
    for header in (
        "行政处罚决定书文号",
        "违法行为类型",
        "罚款金额（万元）",
        "没收违法所得、没收非法财物的金额（万元）",
        "暂扣或吊销证照名称及编号",
        "处罚决定日期",
        "公示截止期",
    ):
        assert header in page
    assert page.count('name="categories"') == 14  # 行政处罚法 Art. 9
    assert "浙江省财政厅" in page  # the key's authority, not a choice


def test_a_simple_procedure_penalty_of_2026_is_recorded_without_severity_and_kept_unpublished(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
    entity: Entity,
) -> None:
    """国家发展改革委令第36号: a 简易程序 decision is 轻微 unless the authority records otherwise, and a
    轻微 record is in principle not published; the form lets the severity be derived and says why."""
    r = post_form(finance, "/console/penalties/new", penalty_form(entity, procedure="simple", severity=""))
    assert r.status_code == 303, text_of(r)
    stored = session.scalars(sa.select(Penalty).where(Penalty.decision_number == "浙财采罚〔2026〕88号")).one()
    assert (stored.procedure, stored.severity, stored.publishable) == ("simple", "minor", False)
    page = text_of(finance.get(r.headers["Location"]))
    assert "简易程序" in page
    assert "原则上不予公示" in page


def test_a_bad_field_shows_the_apis_message_next_to_it_and_stores_nothing(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
    entity: Entity,
) -> None:
    before = penalty_count(session), ledger_size(session)
    r = post_form(finance, "/console/penalties/new", penalty_form(entity, fine_amount="五千元"))
    assert r.status_code == 422
    page = text_of(r)
    api = finance.post(
        "/api/v1/penalties",
        headers=auth(world.finance_key),
        json={
            "entity_id": entity.id,
            "decision_number": "x",
            "violation_type": "v",
            "facts": "f",
            "basis": "b",
            "categories": ["罚款"],
            "content": "c",
            "fine_amount": "五千元",
            "decided_on": "2026-11-16",
            "severity": "general",
            "domain": "procurement",
        },
    )
    assert api.status_code == 422
    [message] = api.json["errors"]["fine_amount"]
    assert message in error_of(page, "fine_amount")
    assert re.search(r'<input[^>]*id="fine_amount"[^>]*aria-describedby="fine_amount-hint fine_amount-error"', page)
    assert 'value="浙财采罚〔2026〕88号"' in page  # input kept
    assert 'href="#fine_amount"' in page  # the summary links to the field
    assert (penalty_count(session), ledger_size(session)) == before


def test_a_rule_the_service_checks_is_shown_in_the_apis_words(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
    entity: Entity,
) -> None:
    r = post_form(finance, "/console/penalties/new", penalty_form(entity, fine_amount="", decision_number=""))
    assert r.status_code == 422
    page = text_of(r)
    assert "Missing data for required field." in error_of(page, "decision_number")
    r = post_form(finance, "/console/penalties/new", penalty_form(entity, fine_amount=""))
    assert r.status_code == 422
    api = finance.post(
        "/api/v1/penalties",
        headers=auth(world.finance_key),
        json={
            "entity_id": entity.id,
            "decision_number": "浙财采罚〔2026〕88号",
            "violation_type": "v",
            "facts": "f",
            "basis": "b",
            "categories": ["罚款"],
            "content": "c",
            "decided_on": "2026-11-16",
            "severity": "general",
            "domain": "procurement",
        },
    )
    [message] = api.json["errors_en"]["fine_amount"]  # the console shows the service's words (in English)
    assert message in error_of(text_of(r), "fine_amount")
    assert penalty_count(session) == 0


def test_an_unknown_subject_is_named(finance: FlaskClient, entity: Entity) -> None:
    r = post_form(finance, "/console/penalties/new", penalty_form(entity, subject=factories.code()))
    assert r.status_code == 422
    assert "主体库中没有统一社会信用代码为" in error_of(text_of(r), "subject")


def test_a_good_penalty_is_recorded_audited_and_shown(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
    entity: Entity,
) -> None:
    r = post_form(finance, "/console/penalties/new", penalty_form(entity))
    assert r.status_code == 303, text_of(r)[:3000]
    stored = session.scalars(sa.select(Penalty).where(Penalty.decision_number == "浙财采罚〔2026〕88号")).one()
    assert r.headers["Location"] == f"/console/penalties/{stored.id}"
    assert stored.authority_id == world.finance.id
    assert stored.entity_id == entity.id
    assert [a.action for a in audits_of(session, "penalty", stored.id)] == ["create"]
    assert [e.operation for e in events_of(session, "penalty", stored.id)] == ["create"]
    api = finance.get(f"/api/v1/penalties/{stored.id}", headers=auth(world.finance_key)).json
    assert api["fine_amount"] == "0.5"
    assert api["project_code"] == "ZJCG-2026-118"
    detail = text_of(finance.get(r.headers["Location"]))
    assert "已登记行政处罚 浙财采罚〔2026〕88号" in detail  # the flash message
    assert "公示中" in detail


def test_the_same_decision_number_twice_gets_the_apis_conflict(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
    entity: Entity,
) -> None:
    assert post_form(finance, "/console/penalties/new", penalty_form(entity)).status_code == 303
    before = penalty_count(session), ledger_size(session)
    r = post_form(finance, "/console/penalties/new", penalty_form(entity, subject=str(entity.id)))
    api = finance.post(
        "/api/v1/penalties",
        headers=auth(world.finance_key),
        json={
            "entity_id": entity.id,
            "decision_number": "浙财采罚〔2026〕88号",
            "violation_type": "v",
            "facts": "f",
            "basis": "b",
            "categories": ["罚款"],
            "content": "c",
            "fine_amount": "0.5",
            "decided_on": "2026-11-16",
            "severity": "general",
            "domain": "procurement",
        },
    )
    assert r.status_code == api.status_code == 409
    page = text_of(r)
    [message] = api.json["errors_en"]["decision_number"]  # the console's own Chinese, the service's words after
    assert message in error_of(page, "decision_number")
    assert html.escape(api.json["message"]) in page  # the conflict in the catalogue's Chinese, as the API says it
    assert (penalty_count(session), ledger_size(session)) == before


def test_an_administrator_must_choose_the_authority(
    pages: FlaskClient,
    session: Session,
    world: factories.World,
    entity: Entity,
) -> None:
    sign_in(pages, world.admin_key)
    r = post_form(pages, "/console/penalties/new", penalty_form(entity))
    assert r.status_code == 422
    assert "管理员须指明作出该决定的机关" in error_of(text_of(r), "authority_id")  # the catalogue's Chinese
    r = post_form(
        pages,
        "/console/penalties/new",
        penalty_form(entity, authority_id=str(world.housing.id), domain="construction_bidding"),
    )
    assert r.status_code == 303
    stored = session.scalars(sa.select(Penalty).where(Penalty.decision_number == "浙财采罚〔2026〕88号")).one()
    assert stored.authority_id == world.housing.id


def test_a_supervisor_cannot_record_for_another_authority(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
    entity: Entity,
) -> None:
    before = penalty_count(session), ledger_size(session)
    r = post_form(finance, "/console/penalties/new", penalty_form(entity, authority_id=str(world.housing.id)))
    api = finance.post(
        "/api/v1/penalties",
        headers=auth(world.finance_key),
        json={
            "entity_id": entity.id,
            "authority_id": world.housing.id,
            "decision_number": "x",
            "violation_type": "v",
            "facts": "f",
            "basis": "b",
            "categories": ["罚款"],
            "content": "c",
            "fine_amount": "0.5",
            "decided_on": "2026-11-16",
            "severity": "general",
            "domain": "procurement",
        },
    )
    assert r.status_code == api.status_code == 403
    assert (penalty_count(session), ledger_size(session)) == before


def test_a_list_entry_is_recorded_through_its_form(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
    entity: Entity,
) -> None:
    form = {
        "subject": entity.uscc,
        "list_type": "black",
        "list_name": "政府采购严重违法失信行为记录名单",
        "domains": ["procurement"],
        "decision_number": "浙财决〔2026〕77号",
        "reason_category": "提供虚假材料谋取中标、成交",
        "facts": "提供虚假业绩证明材料",
        "legal_basis": "《中华人民共和国政府采购法》第七十七条",
        "project_code": "",
        "listed_on": "2026-11-20",
        "expires_on": "2026-11-01",
        "is_public": "true",
        "not_public_reason": "",
    }
    r = post_form(finance, "/console/list-entries/new", form)
    assert r.status_code == 422
    assert "日期 2026-11-01 早于列入日期（2026-11-20）" in error_of(text_of(r), "expires_on")
    assert 'value="procurement" checked' in text_of(r)
    r = post_form(finance, "/console/list-entries/new", {**form, "expires_on": "2029-11-21"})
    assert r.status_code == 422  # a day past three years (政府采购法 Art. 77): the range and source are named
    assert "2027-11-19 至 2029-11-19" in error_of(text_of(r), "expires_on")
    assert "第七十七条" in error_of(text_of(r), "expires_on")
    r = post_form(finance, "/console/list-entries/new", {**form, "expires_on": "2029-11-19"})
    assert r.status_code == 303
    stored = session.scalars(sa.select(ListEntry).where(ListEntry.decision_number == "浙财决〔2026〕77号")).one()
    assert r.headers["Location"] == f"/console/list-entries/{stored.id}"
    assert stored.domains == ["procurement"]
    assert [e.operation for e in events_of(session, "list_entry", stored.id)] == ["create"]


def test_a_company_name_with_markup_is_escaped(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
) -> None:
    evil = factories.make_entity(session, '<script>alert("x")</script>杭州有限公司')
    made = factories.make_penalty(session, world.finance, evil)
    session.commit()
    for path in ("/console/penalties", f"/console/penalties/{made.id}"):
        page = text_of(finance.get(path))
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;杭州有限公司" in page


def test_forms_without_the_sessions_token_are_refused(
    finance: FlaskClient,
    session: Session,
    entity: Entity,
) -> None:
    r = finance.post("/console/penalties/new", data=penalty_form(entity))
    assert r.status_code == 400
    assert finance.post("/console/repairs/1/accept", data={"version": "1"}).status_code == 400
    assert penalty_count(session) == 0


# --- credit repair decisions ------------------------------------------------------------------------


@pytest.fixture
def application(session: Session, world: factories.World, entity: Entity) -> RepairApplication:
    """An application to repair a 一般 penalty decided 2026-05-01 (repairable from 2026-08-01)."""
    penalty = factories.make_penalty(
        session, world.finance, entity, decided_on=dt.date(2026, 5, 1), decision_number="浙财罚〔2026〕50号"
    )
    made = repair_service.submit_repair(
        session,
        {
            "record_type": "penalty",
            "record_id": penalty.id,
            "statement": "已全额缴纳罚款并完成整改",
            "commitment": "本单位承诺依法诚信参与公共资源交易",
            "attachments": [],
        },
        PLATFORM,
        factories.TODAY,
        factories.rules(session),
    )
    session.commit()
    return made


def decide(client: FlaskClient, application_id: int, action: str, version: int, **form: str) -> TestResponse:
    token = csrf_of(text_of(client.get("/console/repairs")))
    return client.post(
        f"/console/repairs/{application_id}/{action}", data={"csrf": token, "version": str(version), **form}
    )


def test_repairs_waiting_are_listed_and_accepted_then_completed(
    finance: FlaskClient,
    session: Session,
    application: RepairApplication,
) -> None:
    page = text_of(finance.get("/console/repairs"))
    assert "待受理（1 份）" in page
    assert "浙财罚〔2026〕50号" in page
    assert "已全额缴纳罚款并完成整改" in page
    r = decide(finance, application.id, "accept", application.version)
    assert r.status_code == 303
    assert r.headers["Location"] == "/console/repairs"
    session.refresh(application)
    assert application.status == "accepted"
    assert "已受理" in text_of(finance.get("/console/repairs"))

    r = decide(finance, application.id, "complete", application.version, reason="")
    assert r.status_code == 422
    assert "Missing data for required field." in text_of(r)
    r = decide(finance, application.id, "complete", application.version, reason="已履行义务并作出信用承诺")
    assert r.status_code == 303
    session.refresh(application)
    assert application.status == "repaired"
    penalty = session.get(Penalty, application.record_id)
    assert penalty is not None
    assert penalty.repaired_on == factories.TODAY


def test_a_rejection_needs_its_reason(finance: FlaskClient, session: Session, application: RepairApplication) -> None:
    r = decide(finance, application.id, "reject", application.version, reason="   ")
    assert r.status_code == 422
    assert re.search(
        rf'id="r{application.id}-reject-reason"[^>]*aria-describedby="r{application.id}-reject-reason-error"',
        text_of(r),
    )
    r = decide(finance, application.id, "reject", application.version, reason="未履行罚款缴纳义务")
    assert r.status_code == 303
    session.refresh(application)
    assert (application.status, application.decision_reason) == ("rejected", "未履行罚款缴纳义务")


def test_a_stale_version_says_someone_else_changed_it(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
    application: RepairApplication,
) -> None:
    read = application.version
    token = csrf_of(text_of(finance.get("/console/repairs")))
    # Someone else accepts it through the API meanwhile.
    other = finance.post(
        f"/api/v1/repairs/{application.id}/accept", headers=auth(world.finance_key, If_Match=f'"v{read}"')
    )
    assert other.status_code == 200
    api = finance.post(
        f"/api/v1/repairs/{application.id}/reject",
        json={"reason": "x"},
        headers=auth(world.finance_key, If_Match=f'"v{read}"'),
    )
    r = finance.post(
        f"/console/repairs/{application.id}/reject", data={"csrf": token, "version": str(read), "reason": "材料不全"}
    )
    assert r.status_code == api.status_code == 412
    page = text_of(r)
    assert "已被他人处理或修改" in page
    assert "您的操作没有执行" in page
    assert "材料不全</textarea>" in page  # the reason typed is kept in its box
    session.refresh(application)
    assert application.status == "accepted"
    assert f'name="version" value="{application.version}"' in page  # the form now carries the new version


def test_a_list_entry_application_links_to_its_entry(
    finance: FlaskClient,
    session: Session,
    world: factories.World,
    entity: Entity,
) -> None:
    entry = factories.make_list_entry(
        session,
        world.finance,
        entity,
        list_name="重点关注名单",
        list_type="watch",
        decision_number="浙财决〔2026〕60号",
        listed_on=dt.date(2026, 3, 1),
    )
    made = repair_service.submit_repair(
        session,
        {
            "record_type": "list_entry",
            "record_id": entry.id,
            "statement": "已整改",
            "commitment": "诚信承诺",
            "attachments": [{"name": "整改报告", "ref": "浙财〔2026〕12号"}],
        },
        PLATFORM,
        factories.TODAY,
        factories.rules(session),
    )
    session.commit()
    page = text_of(finance.get("/console/repairs"))
    assert f'<a href="/console/list-entries/{entry.id}">重点关注名单 浙财决〔2026〕60号</a>' in page
    assert "整改报告：浙财〔2026〕12号" in page
    detail = text_of(finance.get(f"/console/list-entries/{entry.id}"))
    assert "已提交" in detail[detail.index('id="repairs-title"') :]
    assert made.id


def test_another_authoritys_application_is_refused(
    pages: FlaskClient,
    world: factories.World,
    application: RepairApplication,
) -> None:
    sign_in(pages, world.housing_key)
    assert "浙财罚〔2026〕50号" not in text_of(pages.get("/console/repairs"))
    r = decide(pages, application.id, "accept", application.version)
    api = pages.post(
        f"/api/v1/repairs/{application.id}/accept",
        headers=auth(world.housing_key, If_Match=f'"v{application.version}"'),
    )
    assert r.status_code == api.status_code == 403
