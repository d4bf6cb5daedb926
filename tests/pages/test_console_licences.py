"""行政许可 in the supervisor console, never needing the API: the authority's licences listed and
searched (another authority's neither listed nor readable), one licence with its fields, subject and
history, recorded through a form that keeps what was typed and says what it refuses in Chinese,
corrected with its version (a stale one refused in words), and revoked or cancelled."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry.ledger import Actor
from registry.models import Entity, Licence
from registry.records import licences as licence_service
from tests import factories
from tests.conftest import auth
from tests.ledger_queries import audits_of
from tests.pages.conftest import csrf_of, sign_in
from tests.pages.test_account_pages import account_sign_in
from tests.pages.test_console_changes import error_of, form_in, form_of, stale_section, text_of, value_of


def licence_data(entity: Entity, **fields: Any) -> dict[str, Any]:
    return {
        "entity_id": entity.id,
        "decision_document_name": "政府采购代理机构资格认定决定书",
        "decision_number": "浙财许〔2026〕1号",
        "licence_category": "认可",
        "licence_name": "政府采购代理机构资格证书",
        "licence_number": "ZJCG-DL-2026-001",
        "content": "政府采购代理机构甲级资格",
        "decided_on": dt.date(2026, 11, 2),
        "valid_from": dt.date(2026, 11, 2),
        "valid_to": dt.date(2029, 11, 1),
        **fields,
    }


def make_licence(session: Session, authority: factories.Authority, entity: Entity, **fields: Any) -> Licence:
    made = licence_service.record_licence(
        session,
        licence_data(entity, **fields),
        Actor(key_id=None, name=authority.name, role="supervisor", authority_id=authority.id),
        factories.TODAY,
        rules=factories.rules(session),
    )
    session.commit()
    return made


@pytest.fixture
def entity(session: Session, world: factories.World) -> Entity:
    made = factories.make_entity(session, "杭州合晟建设工程有限公司")
    session.commit()
    return made


@pytest.fixture
def finance(pages: FlaskClient, world: factories.World) -> FlaskClient:
    """Signed in as the supervisor of 浙江省财政厅 (its key)."""
    assert sign_in(pages, world.finance_key).status_code == 303
    return pages


@pytest.fixture
def licences(session: Session, world: factories.World, entity: Entity) -> dict[str, Licence]:
    """财政厅's licences in each state, and two of 住建厅's (one public, one kept from the public)."""
    other = factories.make_entity(session, "宁波海拓贸易有限公司")
    session.commit()
    made = {
        "effective": make_licence(session, world.finance, entity),
        "expired": make_licence(
            session,
            world.finance,
            other,
            decision_number="浙财许〔2025〕9号",
            decided_on=dt.date(2025, 3, 3),
            valid_from=dt.date(2025, 3, 3),
            valid_to=dt.date(2026, 3, 2),
        ),
        "housing": make_licence(session, world.housing, entity, decision_number="浙建许〔2026〕5号"),
        "housing_hidden": make_licence(
            session,
            world.housing,
            entity,
            decision_number="浙建许〔2026〕6号",
            is_public=False,
            not_public_reason="涉及国家秘密",
        ),
    }
    return made


# --- the list -------------------------------------------------------------------------------------


def test_strangers_are_sent_to_sign_in(pages: FlaskClient, world: factories.World) -> None:
    for path in ("/console/licences", "/console/licences/1"):
        r = pages.get(path)
        assert (r.status_code, r.headers["Location"]) == (302, f"/login?next={path}")


def test_the_list_shows_the_authoritys_own_licences_newest_first_with_state_and_deadline(
    finance: FlaskClient, licences: dict[str, Licence]
) -> None:
    r = finance.get("/console/licences")
    assert r.status_code == 200
    page = html.unescape(text_of(r))
    assert "行政许可：浙江省财政厅" in page
    assert page.index("浙财许〔2026〕1号") < page.index("浙财许〔2025〕9号")  # newest decision first
    assert "浙建许〔2026〕5号" not in page
    assert "浙建许〔2026〕6号" not in page
    assert "有效" in page
    assert "已过期" in page
    assert "2026年11月11日" in page  # 公开时效: 7 working days from Monday 2 November
    assert 'href="/console/licences"' in page  # in the console's navigation


def test_the_list_is_searched_by_number_name_and_state(finance: FlaskClient, licences: dict[str, Licence]) -> None:
    def numbers(query: str) -> list[str]:
        page = html.unescape(text_of(finance.get(f"/console/licences?{query}")))
        return re.findall(r"浙[财建]许〔\d{4}〕\d+号", page)

    assert numbers("number=2025") == ["浙财许〔2025〕9号"]
    assert numbers("name=海拓") == ["浙财许〔2025〕9号"]
    assert numbers("state=effective") == ["浙财许〔2026〕1号"]
    assert numbers("state=expired") == ["浙财许〔2025〕9号"]
    refused = finance.get("/console/licences?state=published")
    assert refused.status_code == 422
    assert "请从给定的选项中选择（有效、已过期、已撤销、已注销）" in text_of(refused)


def test_an_administrator_sees_every_authoritys_licences(
    pages: FlaskClient, world: factories.World, licences: dict[str, Licence]
) -> None:
    sign_in(pages, world.admin_key)
    page = html.unescape(text_of(pages.get("/console/licences")))
    for number in ("浙财许〔2026〕1号", "浙建许〔2026〕5号", "浙建许〔2026〕6号"):
        assert number in page
    assert "浙江省住房和城乡建设厅" in page  # the authority column when every authority is shown


# --- one licence ----------------------------------------------------------------------------------


def test_the_licence_page_shows_every_standard_field_in_chinese_and_its_history(
    finance: FlaskClient, licences: dict[str, Licence]
) -> None:
    made = licences["effective"]
    r = finance.get(f"/console/licences/{made.id}")
    assert r.status_code == 200
    page = html.unescape(text_of(r))
    for label in (
        "行政许可决定文书名称",
        "行政许可决定文书号",
        "许可类别",
        "许可证书名称",
        "许可编号",
        "许可内容",
        "许可决定日期",
        "有效期自",
        "有效期至",
        "许可机关",
        "当前状态",
        "数据来源单位",
        "备注",
        "是否公开",
    ):
        assert f"<dt>{label}" in page, label
    assert "政府采购代理机构资格认定决定书" in page
    assert "2029年11月1日" in page
    assert "杭州合晟建设工程有限公司" in page
    assert "变更记录（全程留痕）" in page
    assert "登记" in page


def test_another_authoritys_licence_is_not_shown(finance: FlaskClient, licences: dict[str, Licence]) -> None:
    hidden = finance.get(f"/console/licences/{licences['housing_hidden'].id}")
    assert hidden.status_code == 404
    assert "浙建许〔2026〕6号" not in text_of(hidden)
    # A published one the key may read (as the API reads it) still shows nothing of it here: its
    # history is the deciding authority's (谁批准、谁公开), as for a penalty.
    public = finance.get(f"/console/licences/{licences['housing'].id}")
    assert public.status_code == 403
    assert "浙建许〔2026〕5号" not in text_of(public)
    assert finance.get("/console/licences/999999").status_code == 404


# --- recording ------------------------------------------------------------------------------------


def licence_form(entity: Entity, **fields: str) -> dict[str, str]:
    """What a person fills in on the licence form."""
    form = {
        "subject": entity.uscc or "",
        "data_source_authority_id": "",
        "decision_document_name": "政府采购代理机构资格认定决定书",
        "decision_number": "浙财许〔2026〕30号",
        "licence_category": "认可",
        "licence_name": "政府采购代理机构资格证书",
        "licence_number": "ZJCG-DL-2026-030",
        "content": "政府采购代理机构乙级资格",
        "decided_on": "2026-11-16",
        "valid_from": "2026-11-16",
        "valid_to": "2029-11-15",
        "is_public": "true",
        "not_public_reason": "",
        "remarks": "",
    }
    form.update(fields)
    return form


def test_a_licence_is_recorded_through_the_form(
    finance: FlaskClient, session: Session, world: factories.World, entity: Entity
) -> None:
    page = text_of(finance.get("/console/licences/new"))
    assert "登记行政许可" in page
    for category in licence_service.CATEGORIES:
        assert f'<option value="{category}"' in page
    r = finance.post("/console/licences/new", data={"csrf": csrf_of(page), **licence_form(entity)})
    assert r.status_code == 303
    made = session.scalars(sa.select(Licence).where(Licence.decision_number == "浙财许〔2026〕30号")).one()
    assert r.headers["Location"] == f"/console/licences/{made.id}"
    assert (made.authority_id, made.entity_id, made.licence_category) == (world.finance.id, entity.id, "认可")
    detail = html.unescape(text_of(finance.get(r.headers["Location"])))
    assert "已登记行政许可 浙财许〔2026〕30号" in detail
    assert "政府采购代理机构乙级资格" in detail
    assert [a.action for a in audits_of(session, "licence", made.id)] == ["create"]


def test_a_refused_licence_keeps_what_was_typed_and_says_why_in_chinese(
    finance: FlaskClient, session: Session, entity: Entity
) -> None:
    page = text_of(finance.get("/console/licences/new"))
    typed = licence_form(entity, valid_from="2026-11-10", valid_to="2026-11-01", remarks="有效期倒置的示例")
    r = finance.post("/console/licences/new", data={"csrf": csrf_of(page), **typed})
    assert r.status_code == 422
    page = text_of(r)
    assert error_of(page, "valid_from") == "日期 2026-11-10 早于决定日期（2026-11-16）。"
    assert value_of(page, "valid_from") == "2026-11-10"  # what was typed is kept
    assert value_of(page, "valid_to") == "2026-11-01"
    assert value_of(page, "remarks") == "有效期倒置的示例"
    assert value_of(page, "decision_number") == "浙财许〔2026〕30号"
    assert 'value="认可" selected' in page
    assert "未登记" in page
    r = finance.post(
        "/console/licences/new",
        data={"csrf": csrf_of(page), **licence_form(entity, content="", licence_category="特别")},
    )
    assert r.status_code == 422
    assert error_of(text_of(r), "content").startswith("必填")
    assert error_of(text_of(r), "licence_category").startswith("请从给定的选项中选择")
    assert session.scalar(sa.select(sa.func.count()).select_from(Licence)) == 0


def test_the_licence_form_needs_the_sessions_token(finance: FlaskClient, entity: Entity) -> None:
    assert finance.post("/console/licences/new", data=licence_form(entity)).status_code == 400


# --- 更正, 撤销, 注销 ----------------------------------------------------------------------------------


@pytest.fixture
def zhou(pages: FlaskClient, session: Session, world: factories.World) -> FlaskClient:
    """Signed in as 周敏, a supervisor of 浙江省财政厅 with a personal account."""
    factories.make_account(session, "zhou.min", name="周敏", authority=world.finance)
    assert account_sign_in(pages, "zhou.min").status_code == 303
    return pages


def test_a_licence_is_corrected_and_the_history_names_the_person(
    zhou: FlaskClient, session: Session, licences: dict[str, Licence], entity: Entity
) -> None:
    made = licences["effective"]
    path = f"/console/licences/{made.id}/correct"
    detail = text_of(zhou.get(f"/console/licences/{made.id}"))
    assert f'href="{path}"' in detail
    page = text_of(zhou.get(path))
    assert "更正行政许可 浙财许〔2026〕1号" in page
    assert value_of(page, "subject") == entity.uscc
    assert value_of(page, "valid_to") == "2029-11-01"
    assert f'name="version" value="{made.version}"' in page
    form = form_in(page)
    r = zhou.post(path, data={**form, "content": "政府采购代理机构乙级资格", "reason": "原决定书资格等级录入有误"})
    assert r.status_code == 303
    session.refresh(made)
    assert (made.content, made.version) == ("政府采购代理机构乙级资格", 2)
    corrected = audits_of(session, "licence", made.id)[-1]
    assert (corrected.action, corrected.reason) == ("correct", "原决定书资格等级录入有误")
    assert set(corrected.after) - {"version", "updated_at"} >= {"content"}
    detail = html.unescape(text_of(zhou.get(f"/console/licences/{made.id}")))
    assert "已更正行政许可 浙财许〔2026〕1号（现为第 2 版）" in detail
    assert "周敏" in detail  # the history names the officer, not a shared key
    assert "许可内容</strong>：政府采购代理机构甲级资格 → 政府采购代理机构乙级资格" in detail


def test_a_stale_correction_is_refused_in_words(
    finance: FlaskClient, world: factories.World, licences: dict[str, Licence]
) -> None:
    made = licences["effective"]
    path = f"/console/licences/{made.id}/correct"
    form = form_of(finance, path)
    other = finance.patch(
        f"/api/v1/licences/{made.id}",
        json={"licence_number": "ZJCG-DL-2026-001A", "reason": "补正许可编号"},
        headers=auth(world.finance_key, If_Match=f'"v{made.version}"'),
    )
    assert other.status_code == 200
    r = finance.post(path, data={**form, "remarks": "已核对原件", "reason": "补充备注"})
    assert r.status_code == 412
    page = text_of(r)
    notice = stale_section(page)
    assert "没有执行：此记录已被他人修改" in notice
    assert "补正许可编号" in notice
    assert "您打开表单时它是第 1 版，现在是第 2 版" in notice
    assert "许可编号" in notice
    assert value_of(page, "remarks") == "已核对原件"  # the person's change is kept
    assert value_of(page, "licence_number") == "ZJCG-DL-2026-001A"  # the other change, now current
    assert 'name="version" value="2"' in page


def test_a_licence_is_revoked_with_its_reason_and_then_cannot_change(
    finance: FlaskClient, session: Session, licences: dict[str, Licence]
) -> None:
    made = licences["effective"]
    path = f"/console/licences/{made.id}/revoke"
    page = text_of(finance.get(path))
    assert "撤销行政许可：浙财许〔2026〕1号" in page
    form = form_of(finance, path)
    r = finance.post(path, data={**form, "reason": "", "status_changed_on": "2026-11-20"})
    assert r.status_code == 422
    assert error_of(text_of(r), "reason").startswith("必填")
    assert value_of(text_of(r), "status_changed_on") == "2026-11-20"
    r = finance.post(path, data={**form, "reason": "以欺骗手段取得许可", "status_changed_on": "2026-10-01"})
    assert r.status_code == 422
    assert error_of(text_of(r), "status_changed_on") == "日期 2026-10-01 早于决定日期（2026-11-02）。"
    r = finance.post(path, data={**form, "reason": "以欺骗手段取得许可", "status_changed_on": "2026-11-20"})
    assert r.status_code == 303
    session.refresh(made)
    assert (made.status, made.status_changed_on, made.status_reason) == (
        "revoked",
        dt.date(2026, 11, 20),
        "以欺骗手段取得许可",
    )
    detail = html.unescape(text_of(finance.get(f"/console/licences/{made.id}")))
    assert "已撤销：行政许可 浙财许〔2026〕1号" in detail
    assert "该行政许可已撤销，不能再更正、撤销或注销" in detail
    assert f'href="/console/licences/{made.id}/correct"' not in detail
    assert "撤销理由" in detail
    assert "当前状态</strong>：有效 → 已撤销" in detail  # the history in words
    r = finance.post(path, data={**form_of(finance, path), "reason": "再次撤销"})
    assert r.status_code == 409
    assert "该行政许可已撤销或注销，不能再更正、撤销或注销" in text_of(r)
    correct = f"/console/licences/{made.id}/correct"
    r = finance.post(correct, data={**form_of(finance, correct), "remarks": "补充", "reason": "补充备注"})
    assert r.status_code == 409
    assert "该行政许可已撤销或注销" in text_of(r)


def test_a_licence_is_cancelled(finance: FlaskClient, session: Session, licences: dict[str, Licence]) -> None:
    made = licences["expired"]  # an expired licence may still be cancelled
    path = f"/console/licences/{made.id}/cancel"
    r = finance.post(path, data={**form_of(finance, path), "reason": "有效期届满未申请延续"})
    assert r.status_code == 303
    session.refresh(made)
    assert (made.status, made.status_changed_on) == ("cancelled", factories.TODAY)
    assert [a.action for a in audits_of(session, "licence", made.id)] == ["create", "cancelled"]
    assert "已注销" in text_of(finance.get(f"/console/licences/{made.id}"))


def test_another_authoritys_licence_cannot_be_changed(finance: FlaskClient, licences: dict[str, Licence]) -> None:
    made = licences["housing"]
    for action in ("correct", "revoke", "cancel"):
        assert finance.get(f"/console/licences/{made.id}/{action}").status_code == 403, action
    assert finance.get(f"/console/licences/{licences['housing_hidden'].id}/revoke").status_code == 404
