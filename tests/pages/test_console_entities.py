"""主体库 in the supervisor console (find a subject by name or 统一社会信用代码, register one, see its
records and history) and the record lists' search by name, code and 文号, as the API answers them."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from registry.codes import uscc
from registry.models import Entity
from tests import factories
from tests.conftest import auth
from tests.ledger_queries import audits_of, ledger_size
from tests.pages.conftest import csrf_of, sign_in

PERSON_ID = "11010519491231002X"  # a valid 居民身份证号码 (GB 11643 check digit)


def text_of(r: TestResponse) -> str:
    return r.get_data(as_text=True)


def error_of(page: str, field: str) -> str:
    found = re.search(rf'<div class="field-error" id="{field}-error">(.*?)</div>', page, flags=re.S)
    assert found, f"no error shown for {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def main_text(page: str) -> str:
    body = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def finance(pages: FlaskClient, world: factories.World) -> FlaskClient:
    assert sign_in(pages, world.finance_key).status_code == 303
    return pages


def register(client: FlaskClient, **fields: str) -> TestResponse:
    token = csrf_of(text_of(client.get("/console/entities/new")))
    form = {"kind": "legal_entity", "name": "", "uscc": "", **fields}
    return client.post("/console/entities/new", data={"csrf": token, **form})


def entity_count(session: Session) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(Entity)) or 0)


# --- finding ----------------------------------------------------------------------------------------


def test_a_subject_is_found_by_part_of_any_name_or_by_its_code(
    finance: FlaskClient, session: Session, world: factories.World
) -> None:
    renamed = factories.make_entity(
        session, "杭州合晟建设工程有限公司", names=[{"name": "杭州合晟市政有限公司", "kind": "former"}]
    )
    factories.make_entity(session, "宁波恒达市政工程有限公司")
    session.commit()
    page = text_of(finance.get("/console/entities?q=合晟市政"))
    assert "找到 1 个主体" in page
    assert f'href="/console/entities/{renamed.id}">杭州合晟建设工程有限公司</a>' in page
    assert "曾用名：杭州合晟市政有限公司" in page
    page = text_of(finance.get("/console/entities", query_string={"q": renamed.uscc.lower()}))
    assert "找到 1 个主体" in page
    api = finance.get("/api/v1/entities", query_string={"name": "市政"}, headers=auth(world.finance_key))
    page = text_of(finance.get("/console/entities?q=市政"))
    assert f"找到 {api.json['total']} 个主体" in page
    assert "法人及非法人组织" in page
    assert "legal_entity" not in main_text(page)


def test_a_mistyped_code_is_named_and_no_hit_offers_to_register(finance: FlaskClient, world: factories.World) -> None:
    wrong = factories.code()[:-1] + "0"
    if uscc.is_valid(wrong):
        wrong = wrong[:-1] + "1"
    r = finance.get("/console/entities", query_string={"q": wrong})
    assert r.status_code == 422
    assert "校验位不正确" in text_of(r)
    assert f'value="{wrong}"' in text_of(r)
    page = text_of(finance.get("/console/entities?q=温州清白科技"))
    assert "主体库中没有符合条件的主体" in page
    assert 'href="/console/entities/new?name=%E6%B8%A9' in page  # the name searched is passed on
    form = text_of(finance.get("/console/entities/new?name=温州清白科技"))
    assert 'value="温州清白科技"' in form


# --- registering ------------------------------------------------------------------------------------


def test_a_company_is_registered_audited_and_shown(finance: FlaskClient, session: Session) -> None:
    code = factories.code()
    r = register(
        finance,
        name="温州清白科技有限公司",
        uscc=code,
        legal_representative="张三",
        former_names="温州清白网络有限公司\n",
        aliases="清白科技",
    )
    assert r.status_code == 303, text_of(r)[:3000]
    made = session.scalars(sa.select(Entity).where(Entity.uscc == code)).one()
    assert r.headers["Location"] == f"/console/entities/{made.id}"
    assert sorted((n.kind, n.name) for n in made.names) == [
        ("alias", "清白科技"),
        ("current", "温州清白科技有限公司"),
        ("former", "温州清白网络有限公司"),
    ]
    assert [a.action for a in audits_of(session, "entity", made.id)] == ["create"]
    page = text_of(finance.get(r.headers["Location"]))
    assert "已在主体库登记：温州清白科技有限公司" in page
    assert "法人及非法人组织" in page
    assert "曾用名" in page
    assert "别名" in page
    assert f'href="/console/penalties/new?subject={code}"' in page
    assert "变更记录（全程留痕）" in page
    penalty_form = text_of(finance.get(f"/console/penalties/new?subject={code}"))
    assert f'id="subject" name="subject" value="{code}"' in penalty_form


def test_a_refused_registration_keeps_what_was_typed_and_says_why(finance: FlaskClient, session: Session) -> None:
    before = entity_count(session), ledger_size(session)
    good = factories.code()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    r = register(finance, name="温州清白科技有限公司", uscc=bad, legal_representative="张三")
    assert r.status_code == 422
    page = text_of(r)
    assert "未登记" in page
    assert error_of(page, "uscc").startswith("统一社会信用代码的校验位不正确")
    assert 'value="温州清白科技有限公司"' in page
    assert 'value="张三"' in page
    r = register(finance, name="", uscc=good)
    assert r.status_code == 422
    assert error_of(text_of(r), "name").startswith("必填")
    assert f'value="{good}"' in text_of(r)
    assert (entity_count(session), ledger_size(session)) == before


def test_a_code_already_registered_is_a_conflict_naming_the_field(
    finance: FlaskClient, session: Session, world: factories.World
) -> None:
    known = factories.make_entity(session, "杭州合晟建设工程有限公司")
    session.commit()
    r = register(finance, name="另一家公司", uscc=known.uscc)
    assert r.status_code == 409
    assert error_of(text_of(r), "uscc").startswith("主体库中已登记了此代码或证件号码的主体")


def test_a_person_is_registered_with_a_masked_number_and_a_refused_number_is_not_written_back(
    finance: FlaskClient, session: Session
) -> None:
    r = register(finance, kind="natural_person", name="李四", id_type="resident_id", id_number=PERSON_ID[:-1] + "0")
    assert r.status_code == 422
    page = text_of(r)
    assert error_of(page, "id_number").startswith("证件号码校验位不正确")
    assert PERSON_ID[:17] not in page  # the number typed is never written back
    assert "证件号码不在页面上回显，请重新填写" in page
    assert 'value="李四"' in page
    assert '<option value="resident_id" selected>居民身份证</option>' in page
    r = register(finance, kind="natural_person", name="李四", id_type="resident_id", id_number=PERSON_ID)
    assert r.status_code == 303, text_of(r)[:2000]
    page = text_of(finance.get(r.headers["Location"]))
    assert "居民身份证 1101**********002X" in page
    assert PERSON_ID not in page
    assert "resident_id" not in main_text(page)
    assert "natural_person" not in main_text(page)


# --- a subject's records ------------------------------------------------------------------------------


def test_a_subjects_page_lists_the_records_the_key_may_read(
    finance: FlaskClient, session: Session, world: factories.World
) -> None:
    subject = factories.make_entity(session, "杭州合晟建设工程有限公司")
    own = factories.make_penalty(session, world.finance, subject, decision_number="浙财罚〔2026〕71号")
    other = factories.make_penalty(
        session, world.housing, subject, decision_number="浙建罚〔2026〕72号", domain="construction_bidding"
    )
    secret = factories.make_penalty(
        session,
        world.housing,
        subject,
        decision_number="浙建罚〔2026〕73号",
        domain="construction_bidding",
        is_public=False,
        not_public_reason="涉密",
    )
    entry = factories.make_list_entry(session, world.finance, subject, decision_number="浙财决〔2026〕74号")
    session.commit()
    page = text_of(finance.get(f"/console/entities/{subject.id}"))
    assert f'<a href="/console/penalties/{own.id}">浙财罚〔2026〕71号</a>' in page
    assert "浙建罚〔2026〕72号" in page  # published by another authority: listed, not linked
    assert f'href="/console/penalties/{other.id}"' not in page
    assert secret.decision_number not in page
    assert f'<a href="/console/list-entries/{entry.id}">浙财决〔2026〕74号</a>' in page
    assert "浙江省住房和城乡建设厅" in page
    assert "政府采购严重违法失信行为记录名单" in page
    assert finance.get("/console/entities/999999").status_code == 404


# --- searching the records ------------------------------------------------------------------------------


@pytest.fixture
def several(session: Session, world: factories.World) -> dict[str, object]:
    heng = factories.make_entity(session, "宁波恒达市政工程有限公司")
    he = factories.make_entity(session, "杭州合晟建设工程有限公司")
    made = {
        "heng": heng,
        "he": he,
        "p1": factories.make_penalty(session, world.finance, heng, decision_number="浙财采罚〔2026〕801号"),
        "p2": factories.make_penalty(session, world.finance, he, decision_number="浙财采罚〔2026〕802号"),
        "p3": factories.make_penalty(session, world.finance, he, decision_number="甬财罚〔2025〕9号"),
        "e1": factories.make_list_entry(session, world.finance, heng, decision_number="浙财决〔2026〕901号"),
        "e2": factories.make_list_entry(session, world.finance, he, decision_number="浙财决〔2026〕902号"),
    }
    session.commit()
    return made


def test_penalties_are_searched_by_name_code_and_number_as_the_api_searches(
    finance: FlaskClient, world: factories.World, several: dict[str, object]
) -> None:
    cases = [
        ({"name": "恒达"}, {"decision_number": None, "name": "恒达"}, ["801"]),
        ({"uscc": several["he"].uscc}, {"uscc": several["he"].uscc}, ["802", "9号"]),  # type: ignore[attr-defined]
        ({"number": "〔2026〕80"}, {"decision_number": "〔2026〕80"}, ["801", "802"]),
        ({"number": "甬财", "name": "合晟"}, {"decision_number": "甬财", "name": "合晟"}, ["9号"]),
    ]
    for page_query, api_query, expected in cases:
        page = text_of(finance.get("/console/penalties", query_string=page_query))
        api = finance.get(
            "/api/v1/penalties",
            query_string={k: v for k, v in api_query.items() if v is not None},
            headers=auth(world.finance_key),
        )
        assert api.status_code == 200
        assert f"共 {api.json['total']} 条" in page, page_query
        assert len(expected) == api.json["total"]
        for number in [p["decision_number"] for p in api.json["items"]]:
            assert number in page
        for tail in expected:
            assert any(tail in p["decision_number"] for p in api.json["items"])
    page = text_of(finance.get("/console/penalties?number=801"))
    assert 'id="f-number" name="number" value="801"' in page


def test_list_entries_are_searched_by_number_and_name(
    finance: FlaskClient, world: factories.World, several: dict[str, object]
) -> None:
    page = text_of(finance.get("/console/list-entries?number=902"))
    assert "共 1 条" in page
    assert "浙财决〔2026〕902号" in page
    assert "浙财决〔2026〕901号" not in page
    page = text_of(finance.get("/console/list-entries?name=恒达"))
    assert "浙财决〔2026〕901号" in page
    assert "浙财决〔2026〕902号" not in page
    api = finance.get("/api/v1/list-entries?decision_number=902", headers=auth(world.finance_key))
    assert [e["decision_number"] for e in api.json["items"]] == ["浙财决〔2026〕902号"]


def test_the_public_sees_only_published_records_when_searching_by_number(
    client: FlaskClient, session: Session, world: factories.World
) -> None:
    subject = factories.make_entity(session)
    factories.make_penalty(session, world.finance, subject, decision_number="浙财采罚〔2026〕601号")
    factories.make_penalty(
        session,
        world.finance,
        subject,
        decision_number="浙财采罚〔2026〕602号",
        is_public=False,
        not_public_reason="涉密",
    )
    session.commit()
    found = client.get("/api/v1/penalties?decision_number=〔2026〕60").json
    assert [p["decision_number"] for p in found["items"]] == ["浙财采罚〔2026〕601号"]
    wildcard = client.get("/api/v1/penalties?decision_number=%25").json
    assert wildcard["total"] == 0  # LIKE's wildcards are text here
    too_long = client.get("/api/v1/penalties", query_string={"decision_number": "号" * 101})
    assert too_long.status_code == 422
