"""Changing a record in the supervisor console as the API does: 更正 (only the fields changed are sent),
撤销, 移出, 信用修复, a repair application; refused input comes back as typed with each field's reason
in Chinese; a stale version is explained in words, with what changed and the values now."""

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

from registry.models import Entity, ListEntry, Penalty, RepairApplication
from tests import factories
from tests.conftest import auth
from tests.ledger_queries import audits_of, events_of, ledger_size
from tests.pages.conftest import csrf_of, sign_in


def text_of(r: TestResponse) -> str:
    return r.get_data(as_text=True)


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<div class="field-error" id="{field}-error">(.*?)</div>', page, flags=re.S)
    assert found, f"no error shown for {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def value_of(page: str, field: str) -> str:
    """What an input or textarea of the form holds."""
    found = re.search(rf'<input[^>]*id="{field}"[^>]*value="([^"]*)"', page) or re.search(
        rf'<textarea id="{field}"[^>]*>\n?(.*?)</textarea>', page, flags=re.S
    )
    assert found, f"no field {field}"
    return html.unescape(found.group(1))


def stale_section(page: str) -> str:
    found = re.search(r'<div class="error-summary stale".*?</div>', page, flags=re.S)
    assert found, "no stale notice"
    return html.unescape(found.group(0))


@pytest.fixture
def entity(session: Session, world: factories.World) -> Entity:
    made = factories.make_entity(session, "杭州合晟建设工程有限公司")
    session.commit()
    return made


@pytest.fixture
def finance(pages: FlaskClient, world: factories.World) -> FlaskClient:
    assert sign_in(pages, world.finance_key).status_code == 303
    return pages


@pytest.fixture
def penalty(session: Session, world: factories.World, entity: Entity) -> Penalty:
    made = factories.make_penalty(session, world.finance, entity, decision_number="浙财采罚〔2026〕101号")
    session.commit()
    return made


@pytest.fixture
def entry(session: Session, world: factories.World, entity: Entity) -> ListEntry:
    made = factories.make_list_entry(
        session,
        world.finance,
        entity,
        list_name="重点关注名单",
        list_type="watch",
        decision_number="浙财决〔2026〕201号",
        listed_on=dt.date(2026, 3, 1),
    )
    session.commit()
    return made


def form_of(client: FlaskClient, path: str) -> dict[str, Any]:
    """Every field the form at `path` holds, as a browser would send it back untouched."""
    return form_in(text_of(client.get(path)))


def form_in(page: str) -> dict[str, Any]:
    """Every field a rendered form holds, as a browser would send it back untouched."""
    values: dict[str, Any] = {"csrf": csrf_of(page)}
    for name, value in re.findall(r'<input type="(?:text|date)" id="[^"]+" name="([^"]+)" value="([^"]*)"', page):
        values[name] = html.unescape(value)
    for name, value in re.findall(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page, flags=re.S):
        values[name] = html.unescape(value)
    for name, body in re.findall(r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', page, flags=re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        values[name] = html.unescape(chosen.group(1)) if chosen else ""
    checked: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="checkbox" id="[^"]+" name="([^"]+)" value="([^"]+)"\s*checked', page):
        checked.setdefault(name, []).append(html.unescape(value))
    values.update(checked)
    public = re.search(r'name="is_public" value="(true|false)"\s*checked', page)
    if public:
        values["is_public"] = public.group(1)
    version = re.search(r'name="version" value="(\d+)"', page)
    if version:
        values["version"] = version.group(1)
    return values


# --- 更正 --------------------------------------------------------------------------------------------


def test_the_correction_form_is_drawn_from_the_record_and_carries_its_version(
    finance: FlaskClient, penalty: Penalty, entity: Entity
) -> None:
    r = finance.get(f"/console/penalties/{penalty.id}/correct")
    assert r.status_code == 200
    page = text_of(r)
    assert "更正行政处罚 浙财采罚〔2026〕101号" in page
    assert value_of(page, "decision_number") == "浙财采罚〔2026〕101号"
    assert value_of(page, "fine_amount") == "0.5"
    assert value_of(page, "subject") == entity.uscc
    assert value_of(page, "decided_on") == "2026-11-02"
    assert f'name="version" value="{penalty.version}"' in page
    assert 'value="罚款" checked' in page
    assert "更正理由" in page
    detail = text_of(finance.get(f"/console/penalties/{penalty.id}"))
    assert f'href="/console/penalties/{penalty.id}/correct"' in detail
    assert f'href="/console/penalties/{penalty.id}/revoke"' in detail


def test_a_correction_sends_only_what_changed_and_is_audited_with_its_reason(
    finance: FlaskClient, session: Session, penalty: Penalty
) -> None:
    path = f"/console/penalties/{penalty.id}/correct"
    form = form_of(finance, path)
    form.update(fine_amount="0.3", content="罚款人民币三千元", reason="原决定书金额录入有误")
    r = finance.post(path, data=form)
    assert r.status_code == 303, text_of(r)[:3000]
    assert r.headers["Location"] == f"/console/penalties/{penalty.id}"
    session.refresh(penalty)
    assert str(penalty.fine_amount) in ("0.3", "0.300000")
    assert penalty.content == "罚款人民币三千元"
    # The 公示截止期 was sent back untouched, so it is still the rule's, not one the authority chose.
    assert penalty.publication_end_chosen is False
    [create, correct] = audits_of(session, "penalty", penalty.id)
    assert (correct.action, correct.reason) == ("correct", "原决定书金额录入有误")
    assert [e.operation for e in events_of(session, "penalty", penalty.id)] == ["create", "correct"]
    detail = text_of(finance.get(r.headers["Location"]))
    assert "已更正行政处罚 浙财采罚〔2026〕101号" in detail
    history = detail[detail.index('id="history-title"') :]
    assert "原决定书金额录入有误" in history
    assert re.search(r"<strong>罚款金额（万元）</strong>：0\.50* → 0\.30*<", history)


def test_a_correction_without_a_change_changes_nothing(
    finance: FlaskClient, session: Session, penalty: Penalty
) -> None:
    path = f"/console/penalties/{penalty.id}/correct"
    before = ledger_size(session)
    r = finance.post(path, data={**form_of(finance, path), "reason": "核对无误"})
    assert r.status_code == 303
    assert "没有修改任何信息项" in text_of(finance.get(r.headers["Location"]))
    assert ledger_size(session) == before


def test_a_refused_correction_keeps_what_was_typed_and_says_why_in_chinese(
    finance: FlaskClient, session: Session, penalty: Penalty
) -> None:
    path = f"/console/penalties/{penalty.id}/correct"
    before = ledger_size(session)
    form = form_of(finance, path)
    r = finance.post(path, data={**form, "fine_amount": "三千元", "facts": "更正后的违法事实", "reason": ""})
    assert r.status_code == 422
    page = text_of(r)
    assert "未保存" in page
    assert error_of(page, "reason").startswith("必填")
    assert error_of(page, "fine_amount").startswith("金额以万元为单位")
    assert value_of(page, "fine_amount") == "三千元"
    assert value_of(page, "facts") == "更正后的违法事实"
    assert f'name="version" value="{penalty.version}"' in page
    r = finance.post(path, data={**form, "decision_number": "", "reason": "删去文号"})
    assert r.status_code == 422
    assert error_of(text_of(r), "decision_number").startswith("必填")
    r = finance.post(path, data={**form, "decided_on": "2027-01-05", "reason": "日期有误"})
    assert r.status_code == 422
    assert error_of(text_of(r), "decided_on").startswith("不能晚于今天")
    assert ledger_size(session) == before


def test_a_stale_correction_is_explained_in_words_and_keeps_the_persons_changes(
    finance: FlaskClient, session: Session, world: factories.World, penalty: Penalty
) -> None:
    path = f"/console/penalties/{penalty.id}/correct"
    form = form_of(finance, path)
    # Someone else corrects the amount through the API meanwhile.
    other = finance.patch(
        f"/api/v1/penalties/{penalty.id}",
        json={"fine_amount": "0.3", "content": "罚款人民币三千元", "reason": "复核更正金额"},
        headers=auth(world.finance_key, If_Match=f'"v{penalty.version}"'),
    )
    assert other.status_code == 200
    before = ledger_size(session)
    r = finance.post(path, data={**form, "facts": "在某政府采购项目中提供虚假业绩证明", "reason": "事实表述更正"})
    assert r.status_code == 412
    page = text_of(r)
    notice = stale_section(page)
    assert "此记录已被他人修改" in notice
    assert "他人已于" in notice
    assert "财政厅" in notice  # who
    assert "复核更正金额" in notice  # why
    assert "您打开表单时它是第 1 版，现在是第 2 版" in notice
    assert "罚款金额（万元）" in notice
    assert "未改动，表单中已换成现在的值" in notice
    assert "412" not in notice
    assert "Precondition" not in page
    # The person's own change is kept; the field someone else changed now holds its current value.
    assert value_of(page, "facts") == "在某政府采购项目中提供虚假业绩证明"
    assert value_of(page, "fine_amount") == "0.3"
    assert value_of(page, "reason") == "事实表述更正"
    assert 'name="version" value="2"' in page
    assert ledger_size(session) == before
    # Sent again from the form as it came back: both changes stand.
    again = form_in(page)
    r = finance.post(path, data=again)
    assert r.status_code == 303, text_of(r)[:3000]
    session.refresh(penalty)
    assert (penalty.facts, penalty.content) == ("在某政府采购项目中提供虚假业绩证明", "罚款人民币三千元")


def test_a_stale_correction_of_the_same_field_says_both_changed_it(
    finance: FlaskClient, world: factories.World, penalty: Penalty
) -> None:
    path = f"/console/penalties/{penalty.id}/correct"
    form = form_of(finance, path)
    finance.patch(
        f"/api/v1/penalties/{penalty.id}",
        json={"project_code": "ZJCG-2026-7", "reason": "补录项目编号"},
        headers=auth(world.finance_key, If_Match=f'"v{penalty.version}"'),
    )
    r = finance.post(path, data={**form, "project_code": "ZJCG-2026-9", "reason": "补录项目编号"})
    assert r.status_code == 412
    page = text_of(r)
    notice = stale_section(page)
    assert "项目编号" in notice
    assert "ZJCG-2026-7" in notice
    assert "您也改了此项" in notice
    assert value_of(page, "project_code") == "ZJCG-2026-9"


def test_a_list_entry_is_corrected_and_its_stale_edit_explained(
    finance: FlaskClient, session: Session, world: factories.World, entry: ListEntry
) -> None:
    path = f"/console/list-entries/{entry.id}/correct"
    page = text_of(finance.get(path))
    assert "名单类型</strong>：重点关注名单" in page  # not correctable, shown
    assert 'value="procurement" checked' in page
    form = form_of(finance, path)
    r = finance.post(path, data={**form, "domains": ["procurement", "land"], "reason": "补充交易领域"})
    assert r.status_code == 303, text_of(r)[:3000]
    session.refresh(entry)
    assert sorted(entry.domains) == ["land", "procurement"]
    r = finance.post(path, data={**form, "legal_basis": "新的依据", "reason": "依据更正"})  # the old version
    assert r.status_code == 412
    notice = stale_section(text_of(r))
    assert "涉及交易领域" in notice
    assert "国有土地使用权出让" in notice  # the domain in words, never its code
    assert "land" not in notice


def test_another_authoritys_record_cannot_be_changed_from_the_console(
    pages: FlaskClient, world: factories.World, penalty: Penalty, entry: ListEntry
) -> None:
    sign_in(pages, world.housing_key)
    for path in (
        f"/console/penalties/{penalty.id}/correct",
        f"/console/penalties/{penalty.id}/revoke",
        f"/console/list-entries/{entry.id}/remove",
        f"/console/penalties/{penalty.id}/repair-application",
    ):
        r = pages.get(path)
        assert r.status_code == 403, path
        assert "其他机关" in text_of(r)
        assert penalty.decision_number not in text_of(r)


def test_the_change_forms_need_the_sessions_token(finance: FlaskClient, penalty: Penalty, entry: ListEntry) -> None:
    for path in (
        f"/console/penalties/{penalty.id}/correct",
        f"/console/penalties/{penalty.id}/revoke",
        f"/console/list-entries/{entry.id}/remove",
        f"/console/list-entries/{entry.id}/repair",
        f"/console/list-entries/{entry.id}/revoke",
        f"/console/list-entries/{entry.id}/correct",
        f"/console/penalties/{penalty.id}/repair-application",
        "/console/entities/new",
    ):
        assert finance.post(path, data={"version": "1", "reason": "x"}).status_code == 400, path


# --- 撤销, 移出, 信用修复 ------------------------------------------------------------------------------


def test_a_penalty_is_revoked_with_its_reason_and_then_stays_as_it_is(
    finance: FlaskClient, session: Session, penalty: Penalty
) -> None:
    path = f"/console/penalties/{penalty.id}/revoke"
    page = text_of(finance.get(path))
    assert "撤销行政处罚决定：浙财采罚〔2026〕101号" in page
    form = form_of(finance, path)
    r = finance.post(path, data={**form, "reason": "", "revoked_on": "2026-11-20"})
    assert r.status_code == 422
    assert error_of(text_of(r), "reason").startswith("必填")
    assert value_of(text_of(r), "revoked_on") == "2026-11-20"
    r = finance.post(path, data={**form, "reason": "行政复议决定撤销", "revoked_on": "2026-12-01"})
    assert r.status_code == 422
    assert error_of(text_of(r), "revoked_on").startswith("不能晚于今天")
    r = finance.post(path, data={**form, "reason": "行政复议决定撤销", "revoked_on": "2026-11-20"})
    assert r.status_code == 303
    session.refresh(penalty)
    assert (penalty.status, penalty.revoked_on, penalty.revocation_reason) == (
        "revoked",
        dt.date(2026, 11, 20),
        "行政复议决定撤销",
    )
    detail = text_of(finance.get(f"/console/penalties/{penalty.id}"))
    assert "已撤销：行政处罚 浙财采罚〔2026〕101号" in detail
    assert "该决定已撤销，不能再更正或撤销" in detail
    assert f'href="/console/penalties/{penalty.id}/correct"' not in detail
    form = form_of(finance, path)
    r = finance.post(path, data={**form, "reason": "再次撤销"})
    assert r.status_code == 409
    assert "该决定已撤销，不能再更正或撤销" in text_of(r)


def test_a_list_entry_is_removed(finance: FlaskClient, session: Session, entry: ListEntry) -> None:
    detail = text_of(finance.get(f"/console/list-entries/{entry.id}"))
    for action in ("remove", "repair", "revoke", "correct"):
        assert f'href="/console/list-entries/{entry.id}/{action}"' in detail
    path = f"/console/list-entries/{entry.id}/remove"
    r = finance.post(path, data={**form_of(finance, path), "reason": "已履行整改义务，提前移出"})
    assert r.status_code == 303
    session.refresh(entry)
    assert (entry.status, entry.status_reason) == ("removed", "已履行整改义务，提前移出")
    assert [e.operation for e in events_of(session, "list_entry", entry.id)] == ["create", "remove"]
    detail = text_of(finance.get(f"/console/list-entries/{entry.id}"))
    assert "已移出：名单记录 浙财决〔2026〕201号" in detail
    assert f'href="/console/list-entries/{entry.id}/remove"' not in detail
    assert f'href="/console/list-entries/{entry.id}/revoke"' not in detail


def test_a_list_entry_is_marked_repaired_and_a_procurement_ban_cannot_be(
    finance: FlaskClient, session: Session, world: factories.World, entity: Entity, entry: ListEntry
) -> None:
    path = f"/console/list-entries/{entry.id}/repair"
    r = finance.post(path, data={**form_of(finance, path), "reason": "已完成信用修复", "effective_on": "2026-11-20"})
    assert r.status_code == 303, text_of(r)[:3000]
    session.refresh(entry)
    assert (entry.status, entry.status_changed_on) == ("repaired", dt.date(2026, 11, 20))
    ban = factories.make_list_entry(session, world.finance, entity, decision_number="浙财决〔2026〕202号")
    session.commit()
    path = f"/console/list-entries/{ban.id}/repair"
    r = finance.post(path, data={**form_of(finance, path), "reason": "申请修复"})
    assert r.status_code == 409
    assert "该名单在有效期内不可信用修复" in text_of(r)
    assert value_of(text_of(r), "reason") == "申请修复"


def test_a_stale_removal_says_what_changed(
    finance: FlaskClient, session: Session, world: factories.World, entry: ListEntry
) -> None:
    path = f"/console/list-entries/{entry.id}/remove"
    form = form_of(finance, path)
    revoked = finance.post(
        f"/api/v1/list-entries/{entry.id}/revoke",
        json={"reason": "复议撤销列入决定"},
        headers=auth(world.finance_key, If_Match=f'"v{entry.version}"'),
    )
    assert revoked.status_code == 200
    r = finance.post(path, data={**form, "reason": "提前移出"})
    assert r.status_code == 412
    page = text_of(r)
    notice = stale_section(page)
    assert "他人已于" in notice
    assert "撤销" in notice
    assert "有效 → 已撤销" in notice
    assert value_of(page, "reason") == "提前移出"
    session.refresh(entry)
    assert entry.status == "revoked"


def test_an_administrator_may_not_repair_in_the_authoritys_place(
    pages: FlaskClient, world: factories.World, entry: ListEntry
) -> None:
    sign_in(pages, world.admin_key)
    path = f"/console/list-entries/{entry.id}/repair"
    r = pages.post(path, data={**form_of(pages, path), "reason": "代为修复"})
    assert r.status_code == 403
    assert "谁认定、谁修复" in text_of(r)


# --- a repair application from the console ------------------------------------------------------------


def test_a_repair_application_is_registered_and_then_decided(
    finance: FlaskClient, session: Session, world: factories.World, entity: Entity
) -> None:
    old = factories.make_penalty(
        session, world.finance, entity, decided_on=dt.date(2026, 5, 1), decision_number="浙财罚〔2026〕150号"
    )
    session.commit()
    path = f"/console/penalties/{old.id}/repair-application"
    page = text_of(finance.get(path))
    assert "登记信用修复申请：浙财罚〔2026〕150号" in page
    token = csrf_of(page)
    r = finance.post(
        path,
        data={
            "csrf": token,
            "statement": "",
            "commitment": "依法诚信经营",
            "attachment_name": ["罚款缴纳凭证", ""],
            "attachment_ref": ["", ""],
        },
    )
    assert r.status_code == 422
    page = text_of(r)
    assert error_of(page, "statement").startswith("必填")
    assert error_of(page, "attachments").startswith("必填（材料 1 的文号或网址")
    assert value_of(page, "commitment") == "依法诚信经营"
    assert 'value="罚款缴纳凭证"' in page
    r = finance.post(
        path,
        data={
            "csrf": token,
            "statement": "已缴清罚款并完成整改",
            "commitment": "依法诚信经营",
            "attachment_name": ["罚款缴纳凭证", ""],
            "attachment_ref": ["浙财缴〔2026〕3号", ""],
        },
    )
    assert r.status_code == 303, text_of(r)[:3000]
    assert r.headers["Location"] == "/console/repairs"
    application = session.scalars(sa.select(RepairApplication).where(RepairApplication.record_id == old.id)).one()
    assert application.attachments == [{"name": "罚款缴纳凭证", "ref": "浙财缴〔2026〕3号"}]
    assert application.submitted_by
    repairs = text_of(finance.get("/console/repairs"))
    assert "已登记信用修复申请" in repairs
    assert "浙财罚〔2026〕150号" in repairs
    # A second application while this one is open: the service's conflict, in Chinese first.
    r = finance.post(path, data={"csrf": token, "statement": "再次申请", "commitment": "承诺"})
    assert r.status_code == 409
    assert "该记录已有尚未决定的信用修复申请" in text_of(r)


def test_a_repair_application_before_the_minimum_period_is_refused_with_the_date(
    finance: FlaskClient, penalty: Penalty
) -> None:
    path = f"/console/penalties/{penalty.id}/repair-application"
    r = finance.post(
        path, data={"csrf": csrf_of(text_of(finance.get(path))), "statement": "已整改", "commitment": "承诺"}
    )
    assert r.status_code == 409
    page = text_of(r)
    assert "尚未到可申请信用修复日" in page
    assert str(penalty.repair_from) in page
    assert "已整改" in page  # typed, kept


# --- the words: codes never show ---------------------------------------------------------------------


RAW_CODES = ("ndrc-", "samr-", "resident_id", "legal_entity", "natural_person", "construction_bidding", "state_assets")


def test_the_record_pages_say_rule_sets_and_codes_in_words(
    finance: FlaskClient, session: Session, world: factories.World, penalty: Penalty, entry: ListEntry
) -> None:
    path = f"/console/penalties/{penalty.id}/correct"
    r = finance.post(path, data={**form_of(finance, path), "decided_on": "2023-06-01", "reason": "决定日期录入有误"})
    assert r.status_code == 303, text_of(r)[:3000]
    page = text_of(finance.get(f"/console/penalties/{penalty.id}"))
    assert "国家发展改革委令第58号（一般档）" in page  # the rule set of 2023-06-01, by its document
    assert "<strong>公示规则</strong>：国家发展改革委令第36号 → 国家发展改革委令第58号" in page  # and in the history
    for path in (
        f"/console/penalties/{penalty.id}",
        f"/console/penalties/{penalty.id}/correct",
        f"/console/penalties/{penalty.id}/revoke",
        f"/console/list-entries/{entry.id}",
        f"/console/list-entries/{entry.id}/correct",
        f"/console/entities/{penalty.entity_id}",
    ):
        text = text_of(finance.get(path))
        shown = re.sub(r"<[^>]+>", " ", text[text.index("<main") :])
        for code in RAW_CODES:
            assert code not in shown, (path, code)


def test_a_persons_penalty_names_the_document_type_in_words(
    finance: FlaskClient, session: Session, world: factories.World
) -> None:
    person = factories.make_entity(
        session, "王芳", kind="natural_person", uscc=None, id_type="resident_id", id_number="11010519491231002X"
    )
    made = factories.make_penalty(session, world.finance, person, decision_number="浙财罚〔2026〕160号")
    session.commit()
    for path in (f"/console/penalties/{made.id}", f"/console/entities/{person.id}"):
        page = text_of(finance.get(path))
        assert "居民身份证" in page, path
        assert "1101**********002X" in page, path
        assert "resident_id" not in re.sub(r"<[^>]+>", " ", page[page.index("<main") :]), path
