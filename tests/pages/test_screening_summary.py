"""The page a screening opens with (issue 18, part 5): the one-page summary on the result and the
evidence, each bidder's details in a <details> open by its decision, the signature block and the
running footer of the print. The page count of a printed 17-bidder evidence is measured in a real
browser (tests/browser/test_screening_print.py)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api.pages.screening.summary import headline
from registry.evidence.anchoring import anchor
from registry.models import Entity, Screening
from registry.runtime import Runtime
from tests import factories
from tests.pages.conftest import csrf_of, sign_in
from tests.pages.test_screening_pages import CLEAN, LISTED, screening_id, subject_section, submit

# One bidder of each decision, the listed one in a 联合体 with a clean one, and a clean bidder alone.
BIDDERS = "\n".join(
    [
        f"{LISTED}, , 联合体成员, 甲联合体",
        "温州瓯江市政工程有限公司, , 联合体牵头人, 甲联合体",
        "合晟建设工程有限公司, , 投标人",  # no region: a possible hit, for review
        f"{CLEAN}, , 投标人",
    ]
)


@pytest.fixture
def listed(session: Session, world: factories.World) -> Entity:
    entity = factories.make_entity(session, LISTED)
    factories.make_list_entry(session, world.finance, entity)
    session.commit()
    return entity


@pytest.fixture
def screened(pages: FlaskClient, world: factories.World, listed: Entity) -> int:
    sign_in(pages, world.screener_key)
    return screening_id(submit(pages, bidders=BIDDERS))


def cover_of(page: str) -> str:
    start = page.index('<section class="cover"')
    return page[start : page.index("</section>", start)]


def summary_rows(cover: str) -> list[str]:
    body = cover[cover.index("<tbody>") : cover.index("</tbody>")]
    return re.findall(r"<tr class=\"row-\w+\">.*?</tr>", body, re.S)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("path", ["", "/evidence"])
def test_the_summary_opens_the_page_with_the_project_who_when_and_each_bidder_in_one_line(
    pages: FlaskClient, session: Session, screened: int, path: str
) -> None:
    page = pages.get(f"/screening/{screened}{path}").get_data(as_text=True)
    cover = cover_of(page)
    assert page.index('<section class="cover"') < page.index('id="subject-0"')  # the details follow it
    text = text_of(cover)
    for expected in (
        "项目编号 ZJCG-2026-0042",
        "阶段 资格审查",
        "交易领域 政府采购",
        "查询时间 2026年11月23日 10:00:00（北京时间）",
        "查询人 交易中心（交易中心 / 招标代理，密钥编号",
        "总体结论： × 禁止 共 4 个投标人：禁止 2 个，需复核 1 个，通过 1 个。",
    ):
        assert expected in text, (expected, text)
    rows = [text_of(r).strip() for r in summary_rows(cover)]
    assert len(rows) == 4
    assert rows[0] == f"1 {LISTED} 联合体成员 甲联合体 × 禁止 精确匹配：政府采购严重违法失信行为记录名单"
    assert rows[1] == (
        "2 温州瓯江市政工程有限公司 联合体牵头人 甲联合体 × 禁止 联合体「甲联合体」第 1 个投标人禁止（自身通过）"
    )
    assert rows[2] == (
        f"3 合晟建设工程有限公司 投标人 △ 需复核 疑似「{LISTED}」：政府采购严重违法失信行为记录名单，须确认是否同一主体"
    )
    assert rows[3] == f"4 {CLEAN} 投标人 √ 通过 未命中任何名单主体"
    row = session.get(Screening, screened)
    assert row is not None
    assert f'<span class="digest">{row.digest}</span>' in cover
    assert "尚未锚定" in text
    assert f"/api/v1/screenings/{screened}/verify" in cover
    assert f'href="/screening/{screened}/document.json"' in cover
    assert "sha256sum" in cover
    for code in ("procurement", "block", "review", "clear", "exact", "possible", "list_entry"):
        assert code not in text, code  # raw codes never shown


def test_the_evidence_summary_says_the_anchor_and_the_check_made_as_it_printed(
    pages: FlaskClient, session: Session, runtime: Runtime, screened: int
) -> None:
    assert anchor(session, runtime.signer) is not None
    session.commit()
    cover = text_of(cover_of(pages.get(f"/screening/{screened}/evidence").get_data(as_text=True)))
    assert "已锚定：存证树第 0 号叶子，树大小 1，锚定时间 " in cover
    assert "打印时核验 ： 一致" in cover
    result = text_of(cover_of(pages.get(f"/screening/{screened}").get_data(as_text=True)))
    assert "已进入存证树：第 0 号叶子" in result


@pytest.mark.parametrize("path", ["", "/evidence"])
def test_details_are_open_for_blocked_and_review_bidders_and_closed_for_clear_ones(
    pages: FlaskClient, screened: int, path: str
) -> None:
    page = pages.get(f"/screening/{screened}{path}").get_data(as_text=True)
    opened = []
    for index in range(4):
        found = re.search(r'<details class="subject-details"( open)?>', subject_section(page, index))
        assert found, index
        opened.append(bool(found.group(1)))
    assert opened == [True, True, True, False]
    assert "<script" not in page  # the details open and close without any script
    clear = subject_section(page, 3)
    assert "<summary>" in clear
    assert "未命中任何名单主体" in clear


def test_the_evidence_ends_with_lines_to_sign_and_a_place_for_the_seal(pages: FlaskClient, screened: int) -> None:
    page = pages.get(f"/screening/{screened}/evidence").get_data(as_text=True)
    start = page.index('<section class="signatures"')
    block = page[start : page.index("</section>", start)]
    assert page.index('<section class="verification"') < start  # at the end, after the verification
    for line in ("经办人（签字）", "复核人（签字）", "日期：", "单位（盖章）"):
        assert line in block, line
    assert 'class="seal"' in block
    # Each blocked or reviewed bidder has a line for the agency's final decision; a clear one has none.
    finals = [subject_section(page, i).count("最终处理意见") for i in range(4)]
    assert finals == [1, 1, 1, 0]
    assert "经办人（签字）" not in pages.get(f"/screening/{screened}").get_data(as_text=True)


def test_a_later_mark_is_listed_beside_the_evidence_by_bidder_and_listed_name(
    pages: FlaskClient, screened: int, listed: Entity
) -> None:
    result = pages.get(f"/screening/{screened}").get_data(as_text=True)
    form = {"csrf": csrf_of(result), "subject_index": "2", "entity_id": str(listed.id)}
    r = pages.post(
        f"/screening/{screened}/dispositions", data={**form, "disposition": "false_positive", "reason": "地区不同"}
    )
    assert r.status_code == 303
    page = pages.get(f"/screening/{screened}/evidence").get_data(as_text=True)
    start = page.index('id="e-dispositions"')
    marks = text_of(page[start : page.index("</section>", start)])
    assert f"第 3 个投标人（合晟建设工程有限公司）与「{LISTED}」（登记主体编号 {listed.id}）的命中标记为误报" in marks
    assert "name:" not in marks  # the stored key of the subject is not shown
    assert page.index('id="e-dispositions"') > page.index('id="subject-3"')  # beside the details, not in them


def test_every_printed_page_names_the_screening_and_its_page_number(pages: FlaskClient, screened: int) -> None:
    for path in (f"/screening/{screened}", f"/screening/{screened}/evidence"):
        page = pages.get(path).get_data(as_text=True)
        assert f'<link rel="stylesheet" href="/screening/{screened}/print.css">' in page
    css = pages.get(f"/screening/{screened}/print.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    assert css.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert f"核查编号 {screened}" in css.get_data(as_text=True)
    assert "@bottom-left" in css.get_data(as_text=True)
    static = pages.get("/static/screening.css")
    shared = static.get_data(as_text=True)
    static.close()
    assert "counter(page)" in shared
    assert "@bottom-right" in shared
    assert "details::details-content" in shared  # closed details print open


def _subject(**fields: object) -> dict[str, object]:
    return {
        "index": 0,
        "name": "甲公司",
        "own_decision": "clear",
        "decision": "clear",
        "hit_views": [],
        "causes": [],
        "incentives": [],
        "person_links": [],
        "code_note": None,
        "unscreenable": False,
        **fields,
    }


def test_headlines_say_what_decided_in_a_few_words() -> None:
    assert headline(_subject(unscreenable=True, own_decision="review")).startswith("无法核查")
    assert headline(_subject(incentives=[{"entity_id": 1}])) == "红名单：可给予守信激励"
    assert headline(_subject(code_note="…")) == "未命中任何名单主体；所填代码无效，仅按名称核查"
    link = {
        "capacity": "legal_representative",
        "name": "张三",
        "entity_name": "乙公司",
        "identified_by": "id_number",
        "effect": "review",
    }
    assert headline(_subject(own_decision="review", person_links=[link])) == (
        "法定代表人张三是「乙公司」的失信相关人（证件号码一致）"
    )
    many = [{"snapshot": {"list_name": f"名单{i}"}, "record_type": "list_entry"} for i in range(3)] + [
        {"snapshot": {"categories": ["吊销许可证件"]}, "record_type": "penalty"}
    ]
    hit = {
        "counts_as": "strong",
        "relation": "former_name",
        "entity_name": "丙公司",
        "measure_views": [{"outcome": "block", "effect": "block", "shown_records": many}],
    }
    assert headline(_subject(own_decision="block", decision="block", hit_views=[hit])) == (
        "高度相似「丙公司」（曾用名）：名单0、名单1 等 4 项"
    )
