"""Screening pages (资格审查): enter or upload bidders, see each decision, print and verify the evidence."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from registry import access
from registry.database import write_intent
from registry.models import Entity, HitDisposition, Screening
from registry.screening import service
from tests import factories
from tests.conftest import auth
from tests.ledger_queries import ledger_size
from tests.pages.conftest import csrf_of, sign_in

LISTED = "杭州合晟建设工程有限公司"
CLEAN = "宁波甬江建材有限公司"


@pytest.fixture
def listed(session: Session, world: factories.World) -> Entity:
    """A company on the procurement black list (政府采购严重违法失信行为记录名单)."""
    entity = factories.make_entity(session, LISTED)
    factories.make_list_entry(session, world.finance, entity)
    session.commit()
    return entity


@pytest.fixture
def screener(pages: FlaskClient, world: factories.World) -> FlaskClient:
    sign_in(pages, world.screener_key)
    return pages


def submit(client: FlaskClient, *, upload: tuple[bytes, str] | None = None, **fields: str) -> TestResponse:
    """Fill in and send the screening form as a person would (the token from the rendered form)."""
    token = csrf_of(client.get("/screening").get_data(as_text=True))
    data: dict[str, Any] = {
        "csrf": token,
        "domain": "procurement",
        "project_code": "ZJCG-2026-0042",
        "stage": "资格审查",
        "bidders": "",
        **fields,
    }
    if upload is not None:
        data["bidders_file"] = (io.BytesIO(upload[0]), upload[1])
    return client.post("/screening", data=data, content_type="multipart/form-data")


def screening_id(response: TestResponse) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    found = re.fullmatch(r"/screening/(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def subject_section(page: str, index: int) -> str:
    """One bidder's section of the result page."""
    start = page.index(f'id="subject-{index}"')
    return page[page.rindex("<section", 0, start) : page.index("</section>", start)]


def stored(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Screening)) or 0


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- who may use the pages ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/screening", "/screening/1", "/screening/1/evidence", "/screening/history"])
def test_strangers_are_sent_to_sign_in(pages: FlaskClient, world: factories.World, path: str) -> None:
    r = pages.get(path)
    assert r.status_code == 302
    assert r.headers["Location"].startswith(f"/login?next={path}")


def test_a_supervisor_key_may_not_screen(pages: FlaskClient, world: factories.World, session: Session) -> None:
    sign_in(pages, world.finance_key)
    r = pages.get("/screening")
    assert r.status_code == 403
    assert "交易中心 / 招标代理" in r.get_data(as_text=True)  # which role the page needs
    token = csrf_of(pages.get("/").get_data(as_text=True))
    r = pages.post(
        "/screening", data={"csrf": token, "domain": "procurement", "project_code": "X", "bidders": "甲公司"}
    )
    assert r.status_code == 403
    assert stored(session) == 0


def test_the_form_labels_every_field_and_says_what_files_it_reads(screener: FlaskClient) -> None:
    r = screener.get("/screening")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    for field in ("domain", "project_code", "stage", "bidders", "bidders_file"):
        assert f'<label for="{field}">' in page, field
        assert f'id="{field}" name="{field}"' in page, field
    assert 'enctype="multipart/form-data"' in page
    assert '<button type="submit">开始核查</button>' in page
    assert '<option value="construction_bidding">工程建设项目招标投标</option>' in page
    assert 'aria-describedby="bidders-hint"' in page
    for header in ("投标人名称", "单位名称", "统一社会信用代码", "角色", "联合体"):
        assert header in page
    assert 'href="/static/screening.css"' in page
    css = screener.get("/static/screening.css")
    try:
        assert "size: A4" in css.get_data(as_text=True)
    finally:
        css.close()


# --- screening -----------------------------------------------------------------------------------


def test_two_bidders_entered_one_listed_one_clean(
    screener: FlaskClient, session: Session, world: factories.World, listed: Entity
) -> None:
    r = submit(screener, bidders=f"{LISTED}\n{CLEAN}, 91330106MA2B00001X, 投标人\n")
    sid = screening_id(r)
    page = screener.get(f"/screening/{sid}").get_data(as_text=True)
    first, second = subject_section(page, 0), subject_section(page, 1)
    assert LISTED in first
    assert '<span class="tag decision-block">禁止</span>' in first
    assert "精确匹配" in first
    assert "列入政府采购严重违法失信行为记录名单期间禁止参加政府采购活动" in first  # the measure
    assert "浙财采决" in first  # the record in force
    assert "行政区划" in first  # per-feature explanation
    assert "<td>行政区划「杭州」与「杭州」：同一地方</td>" in first  # in Chinese (the English is in detail_en)
    assert "判定理由（存证文档中的记录）" in first
    assert "部分为英文" not in page
    assert f"<li>禁止：{LISTED}（登记主体编号 {listed.id}；精确匹配，得分 100.0）：procurement.debarment" in first
    assert CLEAN in second
    assert '<span class="tag decision-clear">通过</span>' in second
    assert "未命中任何名单主体" in second
    assert "总体结论：" in page
    assert f'href="/screening/{sid}/evidence"' in page
    assert f'href="/screening/{sid}/document.json"' in page

    api = screener.get(f"/api/v1/screenings/{sid}", headers=auth(world.screener_key))
    assert api.status_code == 200
    assert api.json["decision"] == "block"
    assert api.json["project_code"] == "ZJCG-2026-0042"
    assert api.json["stage"] == "资格审查"
    subjects = api.json["document"]["request"]["subjects"]
    assert subjects == [
        {"name": LISTED, "uscc": None, "role": None, "consortium": None},
        {"name": CLEAN, "uscc": "91330106MA2B00001X", "role": "投标人", "consortium": None},
    ]
    assert stored(session) == 1


def test_evaluation_reads_and_only_storing_writes(
    screener: FlaskClient, listed: Entity, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page runs like POST /api/v1/screenings: no write lock while the index searches."""
    seen: dict[str, bool] = {}
    evaluate, store = service.evaluate_screening, service.store_screening

    def spy_evaluate(*args: Any, **kwargs: Any) -> Any:
        seen["evaluating"] = write_intent.get()
        return evaluate(*args, **kwargs)

    def spy_store(*args: Any, **kwargs: Any) -> Any:
        seen["storing"] = write_intent.get()
        return store(*args, **kwargs)

    monkeypatch.setattr(service, "evaluate_screening", spy_evaluate)
    monkeypatch.setattr(service, "store_screening", spy_store)
    screening_id(submit(screener, bidders=LISTED))
    assert seen == {"evaluating": False, "storing": True}


def test_an_uploaded_xlsx_consortium_is_flagged_by_its_bad_member(
    screener: FlaskClient,
    session: Session,
    world: factories.World,
    listed: Entity,
) -> None:
    workbook = xlsx(
        [
            ["某市政府采购项目投标人名单"],  # a title row above the headers
            ["序号", "投标人名称", "统一社会信用代码", "角色"],
            [1, CLEAN, None, "联合体牵头人"],
            [2, "合晟（杭州）建设工程有限公司", listed.uscc, "联合体成员"],
            [3, "温州瓯江市政工程有限公司", None, "投标人"],
        ]
    )
    r = submit(screener, upload=(workbook, "投标人名单.xlsx"))
    sid = screening_id(r)
    page = screener.get(f"/screening/{sid}").get_data(as_text=True)
    assert "按「角色」列识别出 1 个联合体" in page  # said once, after the redirect
    lead, member, alone = (subject_section(page, i) for i in range(3))
    assert '<span class="tag decision-block">禁止</span>' in member
    assert '<span class="tag decision-block">禁止</span>' in lead
    assert "自身结论" in lead
    assert '<span class="tag decision-clear">通过</span>' in lead  # its own decision, kept beside
    assert "联合体「联合体1」中一方不良" in lead
    assert '<span class="tag decision-clear">通过</span>' in alone
    api = screener.get(f"/api/v1/screenings/{sid}", headers=auth(world.screener_key)).json
    assert api["document"]["consortia"] == [{"label": "联合体1", "members": [0, 1], "decision": "block"}]
    assert [s["decision"] for s in api["document"]["subjects"]] == ["block", "block", "clear"]
    assert [s["own_decision"] for s in api["document"]["subjects"]] == ["clear", "block", "clear"]

    evidence = screener.get(f"/screening/{sid}/evidence").get_data(as_text=True)
    assert "核验结果：一致" in evidence
    assert "联合体1" in evidence


def test_an_explicit_consortium_column_and_a_gb18030_csv(
    screener: FlaskClient, world: factories.World, listed: Entity
) -> None:
    text = (
        "单位名称,统一社会信用代码,角色,联合体\r\n"
        f"{CLEAN},,联合体牵头人,甲联合体\r\n"
        f"{LISTED},,联合体成员,甲联合体\r\n"
        "温州瓯江市政工程有限公司,,投标人,\r\n"
    )
    data = text.encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # what Excel on a Chinese Windows saves: not UTF-8
    sid = screening_id(submit(screener, upload=(data, "bidders.csv")))
    api = screener.get(f"/api/v1/screenings/{sid}", headers=auth(world.screener_key)).json
    subjects = api["document"]["subjects"]
    assert [s["name"] for s in subjects] == [CLEAN, LISTED, "温州瓯江市政工程有限公司"]
    assert [s["consortium"] for s in subjects] == ["甲联合体", "甲联合体", None]
    assert [s["decision"] for s in subjects] == ["block", "block", "clear"]


def test_rows_pasted_from_excel_with_their_header(
    screener: FlaskClient, world: factories.World, listed: Entity
) -> None:
    pasted = f"统一社会信用代码\t投标人名称\n{listed.uscc}\t随便写的名字\n\t{CLEAN}\n"
    sid = screening_id(submit(screener, bidders=pasted))
    api = screener.get(f"/api/v1/screenings/{sid}", headers=auth(world.screener_key)).json
    assert [(s["name"], s["uscc"]) for s in api["document"]["request"]["subjects"]] == [
        ("随便写的名字", listed.uscc),
        (CLEAN, None),
    ]
    assert api["decision"] == "block"


def test_a_red_list_hit_is_shown_as_an_incentive(
    screener: FlaskClient, session: Session, world: factories.World
) -> None:
    entity = factories.make_entity(session, CLEAN)
    factories.make_list_entry(session, world.finance, entity, list_type="red", list_name="守信激励对象名单")
    session.commit()
    page = screener.get(f"/screening/{screening_id(submit(screener, bidders=CLEAN))}").get_data(as_text=True)
    section = subject_section(page, 0)
    assert '<span class="tag decision-clear">通过</span>' in section
    assert "守信激励措施" in section
    assert '<span class="tag incentive">激励</span>' in section
    assert "红名单只给予激励" in section


def test_hits_by_former_name_and_by_branch_say_so(
    screener: FlaskClient, session: Session, world: factories.World
) -> None:
    renamed = factories.make_entity(
        session, "杭州新晟建设工程有限公司", names=[{"name": "杭州旧晟建设工程有限公司", "kind": "former"}]
    )
    factories.make_list_entry(session, world.finance, renamed)
    session.commit()
    sid = screening_id(submit(screener, bidders="杭州旧晟建设工程有限公司\n杭州新晟建设工程有限公司城西分公司"))
    page = screener.get(f"/screening/{sid}").get_data(as_text=True)
    former, branch = subject_section(page, 0), subject_section(page, 1)
    assert "命中：杭州新晟建设工程有限公司" in former
    assert "曾用名：经「杭州旧晟建设工程有限公司」匹配" in former
    assert '<span class="tag decision-block">禁止</span>' in former
    assert "<dd>分支机构：经「杭州新晟建设工程有限公司」匹配</dd>" in branch
    assert '<th scope="row">分支机构</th>' in branch  # the branch feature, explained


def test_a_screening_stored_before_the_chinese_reasons_still_shows_its_english(
    screener: FlaskClient, session: Session, listed: Entity
) -> None:
    """A document of format screening/1 kept its reasons and explanations in English only (`reasons`,
    `detail`); stored screenings are never rewritten, and the page shows them as they are, saying so."""
    sid = screening_id(submit(screener, bidders=LISTED))
    screening = session.get(Screening, sid)
    assert screening is not None
    old = dict(screening.document, format="screening/1")
    subject = dict(old["subjects"][0], reasons=old["subjects"][0]["reasons_en"])
    del subject["reasons_en"]
    subject["hits"] = [
        dict(
            h,
            features=[
                {k: v for k, v in dict(f, detail=f["detail_en"]).items() if k != "detail_en"} for f in h["features"]
            ],
        )
        for h in subject["hits"]
    ]
    screening.document = dict(old, subjects=[subject])
    session.commit()
    section = subject_section(screener.get(f"/screening/{sid}").get_data(as_text=True), 0)
    assert "判定理由原文（存证文档中的系统记录，部分为英文）" in section
    assert "说明为评分器原文" in section
    assert "<td>行政区划 「杭州」 vs 「杭州」: the same place</td>" in section
    assert f"<li>block: {LISTED} (entity {listed.id}; exact match, score 100.0): procurement.debarment" in section
    assert '<span class="tag decision-block">禁止</span>' in section


def test_a_name_without_region_is_a_possible_hit_for_review(screener: FlaskClient, listed: Entity) -> None:
    page = screener.get(f"/screening/{screening_id(submit(screener, bidders='合晟建设工程有限公司'))}")
    section = subject_section(page.get_data(as_text=True), 0)
    assert '<span class="tag decision-review">需复核</span>' in section
    assert "疑似" in section
    assert "须确认是否同一主体" in section


def test_a_code_that_is_no_uscc_is_said_so_unless_it_matched(
    screener: FlaskClient, session: Session, world: factories.World
) -> None:
    from matching.codes import organisation_check
    from registry.codes import uscc

    organisation_code = "72631281" + organisation_check("72631281")  # 组织机构代码 = USCC characters 9–17
    entity = factories.make_entity(session, LISTED, uscc=uscc.complete("91330106" + organisation_code))
    factories.make_list_entry(session, world.finance, entity)
    session.commit()
    bidders = f"某公司, {organisation_code[:8]}-{organisation_code[8]}\n另一公司, 12345"
    sid = screening_id(submit(screener, bidders=bidders))
    page = screener.get(f"/screening/{sid}").get_data(as_text=True)
    matched, bad = subject_section(page, 0), subject_section(page, 1)
    assert '<span class="tag decision-block">禁止</span>' in matched
    assert "不是有效的 18 位统一社会信用代码" not in matched
    assert "所填代码「12345」不是有效的 18 位统一社会信用代码" in bad


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"bidders": ""}, "bidders", "请填写投标人"),
        ({"bidders": "\n".join(f"测试公司{i}" for i in range(1001))}, "bidders", "超过 1000 个（共 1001 个）"),
        ({"bidders": f"{CLEAN}\n , ,联合体成员\n"}, "bidders", "第 2 行：既没有名称，也没有统一社会信用代码"),
        ({"bidders": "甲公司", "project_code": ""}, "project_code", "请填写项目编号"),
        ({"bidders": "甲公司", "domain": "fishing"}, "domain", "请选择交易领域"),
    ],
    ids=["no-bidders", "1001-bidders", "neither-name-nor-code", "no-project", "unknown-domain"],
)
def test_bad_input_comes_back_on_the_form_and_stores_nothing(
    screener: FlaskClient,
    session: Session,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    before = ledger_size(session)
    r = submit(screener, **{"project_code": "ZJCG-2026-0099", **fields})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    error = re.search(rf'<div class="field-error" id="{field}-error">(.*?)</div>', page, re.S)
    assert error, page
    assert message in error.group(1)
    control = re.search(rf'<(?:input|select|textarea)[^>]*id="{field}"[^>]*>', page)
    assert control, field
    assert f"{field}-error" in control.group(0)  # aria-describedby names the message
    assert 'aria-invalid="true"' in control.group(0)
    assert f'<a href="#{field}">' in page  # the summary links to the field
    if fields.get("project_code", "x"):
        assert 'value="ZJCG-2026-0099"' in page  # what was entered is kept
    assert stored(session) == 0
    assert ledger_size(session) == before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "名单.png", "不是 CSV 或 XLSX"),
        (b"PK\x03\x04 not really a zip", "名单.xlsx", "无法读取该 XLSX 文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "名单.xls", "另存为 .xlsx"),
        ("这是一份说明文字，\n不是投标人名单。\n".encode(), "说明.txt", "没有找到表头"),
    ],
    ids=["image", "broken-zip", "old-xls", "text-without-headers"],
)
def test_a_file_that_is_not_a_bidder_table_is_refused_on_the_form(
    screener: FlaskClient,
    session: Session,
    content: bytes,
    name: str,
    message: str,
) -> None:
    r = submit(screener, upload=(content, name))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    error = re.search(r'<div class="field-error" id="bidders_file-error">(.*?)</div>', page, re.S)
    assert error, page
    assert message in error.group(1)
    assert name in error.group(1)
    assert 'aria-describedby="bidders_file-hint bidders_file-error"' in page
    assert stored(session) == 0


def test_an_xlsx_row_without_name_or_code_names_its_row(screener: FlaskClient, session: Session) -> None:
    workbook = xlsx([["名称", "统一社会信用代码", "角色"], [CLEAN, None, None], [None, None, "联合体成员"]])
    r = submit(screener, upload=(workbook, "bidders.xlsx"))
    assert r.status_code == 422
    assert "文件第 3 行：既没有名称，也没有统一社会信用代码" in r.get_data(as_text=True)
    assert stored(session) == 0


def test_both_a_list_and_a_file_is_refused(screener: FlaskClient, session: Session) -> None:
    r = submit(screener, bidders="甲公司", upload=(xlsx([["名称"], ["乙公司"]]), "b.xlsx"))
    assert r.status_code == 422
    assert "请只用一种方式" in r.get_data(as_text=True)
    assert stored(session) == 0


def test_a_form_without_the_token_is_refused(screener: FlaskClient, session: Session) -> None:
    before = ledger_size(session)
    r = screener.post("/screening", data={"domain": "procurement", "project_code": "X", "bidders": "甲公司"})
    assert r.status_code == 400
    assert r.mimetype == "text/html"
    r = screener.post(
        "/screening", data={"csrf": "forged", "domain": "procurement", "project_code": "X", "bidders": "甲公司"}
    )
    assert r.status_code == 400
    assert stored(session) == 0
    assert ledger_size(session) == before


def test_a_bidder_name_is_shown_as_text_never_as_markup(screener: FlaskClient) -> None:
    name = '<script>alert("x")</script><img src=x onerror=alert(1)>有限公司'
    sid = screening_id(submit(screener, bidders=name))
    for path in (f"/screening/{sid}", f"/screening/{sid}/evidence"):
        page = screener.get(path).get_data(as_text=True)
        assert "&lt;script&gt;alert(" in page
        assert "<script>" not in page
        assert "<img src=x" not in page
    kept = submit(screener, bidders=name, project_code="").get_data(as_text=True)
    assert "<script>" not in kept
    assert "&lt;script&gt;" in kept


# --- reading, evidence, verification -------------------------------------------------------------


def test_the_evidence_page_states_who_when_what_and_that_it_verifies(
    screener: FlaskClient,
    session: Session,
    world: factories.World,
    listed: Entity,
) -> None:
    sid = screening_id(submit(screener, bidders=f"{LISTED}, , 投标人\n{CLEAN}"))
    row = session.get(Screening, sid)
    assert row is not None
    r = screener.get(f"/screening/{sid}/evidence")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert f"资格审查信用核查存证（编号 {sid}）" in page
    assert f'<span class="digest">{row.digest}</span>' in page
    assert "核验结果：一致" in page
    assert "2026年11月23日 10:00:00（北京时间）" in page  # the clock is 02:00 UTC
    assert "交易中心（交易中心 / 招标代理，密钥编号" in page
    assert "<td>政府采购</td>" in page  # the domain in Chinese, never its code
    assert "ZJCG-2026-0042" in page
    assert "资格审查" in page
    assert f"<dd>{row.registry_seq}（" in page
    assert "cn-name-parts 版本 3" in page
    assert f"/api/v1/screenings/{sid}/verify" in page
    assert "sha256sum" in page
    assert LISTED in page
    assert CLEAN in page
    assert 'class="tag decision-block">禁止' in page

    document = screener.get(f"/screening/{sid}/document.json")
    assert document.headers["Content-Disposition"] == f'attachment; filename="screening-{sid}.json"'
    assert hashlib.sha256(document.get_data()).hexdigest() == row.digest  # the steps the page gives

    tampered = dict(row.document, decision="clear")
    session.execute(sa.update(Screening).where(Screening.id == sid).values(document=tampered))
    session.commit()
    page = screener.get(f"/screening/{sid}/evidence").get_data(as_text=True)
    assert "核验结果：不一致" in page
    assert "存储的文档与存储的摘要不一致" in page
    assert "核验结果：一致" not in page


def test_only_the_key_that_screened_or_admin_and_platform_may_read(
    app: Flask,
    pages: FlaskClient,
    session: Session,
    world: factories.World,
) -> None:
    sign_in(pages, world.screener_key)
    sid = screening_id(submit(pages, bidders="甲公司"))
    _, other_key = access.create_key(session, role="screener", name="另一家代理机构")
    session.commit()
    paths = (f"/screening/{sid}", f"/screening/{sid}/evidence", f"/screening/{sid}/document.json")
    expected = {other_key: 404, world.finance_key: 403, world.platform_key: 200, world.admin_key: 200}
    for key, status in expected.items():
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        sign_in(client, key)
        for path in paths:
            assert client.get(path).status_code == status, (key, path)
    # the same answer as the API gives the same keys
    assert pages.get(f"/api/v1/screenings/{sid}", headers=auth(other_key)).status_code == 404
    assert pages.get(f"/screening/{sid + 100}").status_code == 404


def test_history_lists_a_projects_screenings_newest_first(
    screener: FlaskClient,
    app: Flask,
    session: Session,
    world: factories.World,
) -> None:
    ids = [screening_id(submit(screener, bidders="甲公司", project_code=code)) for code in ("P-1", "P-2", "P-1")]
    page = screener.get("/screening/history?project=P-1").get_data(as_text=True)
    shown = [int(i) for i in re.findall(r'<a href="/screening/(\d+)">\d+</a>', page)]
    assert shown == [ids[2], ids[0]]
    assert "共 2 次核查" in page
    everything = screener.get("/screening/history").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<a href="/screening/(\d+)">\d+</a>', everything)] == ids[::-1]
    _, other_key = access.create_key(session, role="screener", name="另一家代理机构")
    session.commit()
    other = app.test_client()
    other.environ_base["wsgi.url_scheme"] = "https"
    sign_in(other, other_key)
    assert "没有项目 P-1 的核查记录" in other.get("/screening/history?project=P-1").get_data(as_text=True)


def test_history_pages_run_newest_first_across_the_services_pages(
    screener: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import api.pages.screening.history as pages_module

    monkeypatch.setattr(pages_module, "HISTORY_PER_PAGE", 2)
    ids = [screening_id(submit(screener, bidders="甲公司", project_code="P-9")) for _ in range(5)]
    seen = []
    for number in (1, 2, 3):
        page = screener.get(f"/screening/history?project=P-9&page={number}").get_data(as_text=True)
        seen.append([int(i) for i in re.findall(r'<a href="/screening/(\d+)">\d+</a>', page)])
    assert seen == [[ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]]


def test_a_hit_can_be_marked_and_the_mark_is_shown_not_hidden(
    screener: FlaskClient,
    session: Session,
    listed: Entity,
) -> None:
    sid = screening_id(submit(screener, bidders=LISTED))
    page = screener.get(f"/screening/{sid}").get_data(as_text=True)
    form = {"csrf": csrf_of(page), "subject_index": "0", "entity_id": str(listed.id), "disposition": "false_positive"}
    missing = screener.post(f"/screening/{sid}/dispositions", data={**form, "reason": " "})
    assert missing.status_code == 422
    body = missing.get_data(as_text=True)
    assert f'id="d-0-{listed.id}-reason-error"' in body
    assert f'aria-describedby="d-0-{listed.id}-reason-error"' in body
    assert session.scalar(sa.select(sa.func.count()).select_from(HitDisposition)) == 0

    r = screener.post(f"/screening/{sid}/dispositions", data={**form, "reason": "代码不同，同名不同主体"})
    assert r.status_code == 303
    assert r.headers["Location"] == f"/screening/{sid}#hit-0-{listed.id}"
    page = screener.get(f"/screening/{sid}").get_data(as_text=True)
    section = subject_section(page, 0)
    assert "本次核查后的标记：<strong>误报（不是同一主体）</strong>" in section
    assert '<span class="tag decision-block">禁止</span>' in section  # the mark changes no decision
    again = screening_id(submit(screener, bidders=LISTED))
    later = subject_section(screener.get(f"/screening/{again}").get_data(as_text=True), 0)
    assert "此前的标记：<strong>误报（不是同一主体）</strong>" in later
    assert "代码不同，同名不同主体" in later
    assert '<span class="tag decision-block">禁止</span>' in later


# --- reading what people type and upload ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("甲公司", [("甲公司", None, None, None)]),
        ("91330106MA2B00001X", [(None, "91330106MA2B00001X", None, None)]),  # a code alone
        ("91330106MA2B00001X，甲公司", [("甲公司", "91330106MA2B00001X", None, None)]),  # code first, full-width comma
        ("甲公司\t\t联合体成员\t甲联合体", [("甲公司", None, "联合体成员", "甲联合体")]),  # pasted from Excel
        ("甲公司, , 投标人", [("甲公司", None, "投标人", None)]),  # a role word is no header line
        ("  \n甲公司\n\n乙公司  \n", [("甲公司", None, None, None), ("乙公司", None, None, None)]),
    ],
)
def test_typed_lines_are_read_leniently(text: str, expected: list[tuple[str | None, ...]]) -> None:
    from api.pages.screening_input import parse_lines

    read = parse_lines(text)
    assert read.errors == []
    assert [(b.name, b.uscc, b.role, b.consortium) for b in read.bidders] == expected


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "gb18030", "utf-8"])
def test_csv_encodings_excel_writes_are_read(encoding: str) -> None:
    from api.pages.screening_input import read_file

    text = "* 投标人名称（必填）\t统一社会信用代码\t联系电话\n甲公司\t91330106MA2B00001X\t0571-1\n"
    read = read_file("b.csv", text.encode(encoding))
    assert read.errors == []
    assert [(b.name, b.uscc) for b in read.bidders] == [("甲公司", "91330106MA2B00001X")]
    assert read.notes == ["未识别的列已忽略：联系电话"]


def test_a_consortium_is_grouped_from_roles_only_when_no_label_is_given() -> None:
    from api.pages.screening_input import parse_lines

    read = parse_lines("甲, , 联合体牵头人\n乙, , 联合体成员\n丙, , 投标人\n丁, , 联合体牵头人\n戊, , 联合体成员\n")
    assert [b.consortium for b in read.bidders] == ["联合体1", "联合体1", None, "联合体2", "联合体2"]
    labelled = parse_lines("甲, , 联合体牵头人, A\n乙, , 联合体成员\n")
    assert [b.consortium for b in labelled.bidders] == ["A", None]  # a label given: nothing is guessed


# --- 失信相关人 behind a bidder (发改法规〔2018〕457号) ------------------------------------------


REP_ID = "110101199003078515"  # a valid 居民身份证 number


@pytest.fixture
def listed_with_rep(session: Session, world: factories.World) -> Entity:
    """The blacklisted company names its legal representative 张三 as a 失信相关人."""
    entity = factories.make_entity(session, LISTED)
    factories.make_list_entry(
        session,
        world.finance,
        entity,
        responsible_persons=[
            {"role": "legal_representative", "name": "张三", "id_type": "resident_id", "id_number": REP_ID}
        ],
    )
    session.commit()
    return entity


def test_a_bidders_legal_representative_typed_in_columns_five_and_six_is_looked_up(
    screener: FlaskClient, listed_with_rep: Entity
) -> None:
    r = submit(screener, bidders=f"{CLEAN}, 91330106MA2B00001X, 投标人, , 张三, {REP_ID}\n")
    page = screener.get(f"/screening/{screening_id(r)}").get_data(as_text=True)
    section = subject_section(page, 0)
    assert '<span class="tag decision-review">' in section
    assert "失信相关人" in section
    assert LISTED in section
    assert "1101**********8515" in section
    assert REP_ID not in page
    assert "无法核查" not in section


def test_an_uploaded_table_with_legal_representative_columns(screener: FlaskClient, listed_with_rep: Entity) -> None:
    data = xlsx(
        [
            ["投标人名称", "统一社会信用代码", "法定代表人", "法定代表人身份证号码"],
            [CLEAN, "91330106MA2B00001X", "张三", REP_ID],
        ]
    )
    r = submit(screener, upload=(data, "投标人.xlsx"))
    page = screener.get(f"/screening/{screening_id(r)}").get_data(as_text=True)
    assert "证件号码一致" in subject_section(page, 0)


def test_a_wrong_legal_representative_number_comes_back_on_the_form(screener: FlaskClient, session: Session) -> None:
    r = submit(screener, bidders=f"{CLEAN}, 91330106MA2B00001X, 投标人, , 张三, 110101199003078510\n")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "法定代表人证件号码" in page
    assert "110101199003078510" in page  # what was typed is kept on the form
    error = re.search(r'<div class="field-error" id="bidders-error">(.*?)</div>', page, re.S)
    assert error, page
    assert "第 1 行（法定代表人证件号码）：证件号码有误：校验码有误（GB 11643）。" in error.group(1)
    assert "invalid" not in error.group(1)  # the service's reason in Chinese, no English beside it by hand
    assert stored(session) == 0
