"""A screener prints a 17-bidder evidence: the PDF Chromium makes of it (A4) has at most 8 pages,
opens with the one-page summary, and names the screening and the page on every page.

The project is realistic: three bidders blocked with several hits or records each (one of them in
a 联合体, whose lead is blocked with it), three for review (a homophone of a listed name, a bidder
on a list that asks for review, a legal representative who is a 失信相关人), one clear bidder on a
red list and ten clear bidders without hits. The PDF and screenshots are kept with the other
browser artifacts (`test-artifacts/`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from registry.database import db
from registry.runtime import Runtime
from tests import factories
from tests.browser.conftest import ARTIFACTS, Site, screenshot, sign_in

MAX_PAGES = 8
REP_ID = "110101199003078515"  # a valid 居民身份证 number
CLEAR = [
    "宁波甬江建材有限公司",
    "温州瓯海园林绿化工程有限公司",
    "嘉兴南湖智能科技有限公司",
    "湖州吴兴环保设备有限公司",
    "金华婺城交通设施有限公司",
    "衢州柯城信息技术有限公司",
    "舟山定海海洋工程有限公司",
    "台州椒江机电设备有限公司",
    "丽水莲都生态科技有限公司",
]


@pytest.fixture(scope="module")
def project(app: Flask, site: Site) -> Iterator[dict[str, str]]:
    """The listed companies behind the 17 bidders, committed; the bidders as a screener types them."""
    runtime: Runtime = app.extensions["registry"]
    runtime.clock.fixed = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    with app.app_context():
        session = db.session
        finance = factories.make_authority(session, "杭州市财政局", ("procurement",), "330100")
        court = factories.make_authority(session, "杭州市中级人民法院", ("procurement",), "330100")
        tax = factories.make_authority(session, "国家税务总局宁波市税务局", ("procurement",), "330200")

        hesheng = factories.make_entity(session, "杭州合晟建设工程有限公司")
        factories.make_list_entry(session, finance, hesheng)
        factories.make_list_entry(
            session,
            court,
            hesheng,
            list_name="失信被执行人名单",
            decision_number="（2026）浙01执恢123号",
            reason_category="有履行能力而拒不履行生效法律文书确定义务",
            facts="拒不履行（2025）浙01民初456号民事判决确定的付款义务",
            legal_basis="《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
        )
        factories.make_penalty(
            session,
            finance,
            hesheng,
            categories=["罚款", "责令停产停业"],
            content="罚款人民币二百五十万元，责令停产停业六个月",
            fine_amount="250",
            severity="serious",
            violation_type="与采购人恶意串通",
            facts="在杭州市某学校食堂设备采购项目中与采购人恶意串通，排斥其他供应商",
        )
        branch = factories.make_entity(session, "杭州合晟建设工程有限公司滨江分公司")
        factories.make_penalty(session, finance, branch)

        hengda = factories.make_entity(session, "宁波恒达市政工程有限公司")
        factories.make_list_entry(
            session,
            tax,
            hengda,
            list_name="重大税收违法失信主体名单",
            decision_number="甬税稽罚〔2026〕18号",
            reason_category="虚开增值税专用发票",
            facts="2024年至2025年虚开增值税专用发票42份，价税合计人民币三百余万元",
            legal_basis="《重大税收违法失信主体信息公布管理办法》第六条",
        )
        factories.make_penalty(
            session,
            finance,
            hengda,
            categories=["吊销许可证件"],
            content="吊销建筑业企业资质证书",
            fine_amount=None,
            licence_affected="建筑业企业资质证书 D233012345",
            severity="serious",
        )

        oujiang = factories.make_entity(session, "温州瓯江路桥建设有限公司")
        factories.make_list_entry(session, finance, oujiang)

        yuecheng = factories.make_entity(session, "绍兴越城建筑安装有限公司")
        factories.make_list_entry(
            session,
            finance,
            yuecheng,
            list_name="招标投标违法行为记录名单",
            decision_number="绍建招罚〔2026〕7号",
            reason_category="串通投标",
        )
        rep_company = factories.make_entity(session, "杭州拱墅物资贸易有限公司")
        factories.make_list_entry(
            session,
            finance,
            rep_company,
            responsible_persons=[
                {"role": "legal_representative", "name": "张三", "id_type": "resident_id", "id_number": REP_ID}
            ],
        )
        trusted = factories.make_entity(session, "杭州诚信建筑有限公司")
        factories.make_list_entry(
            session,
            finance,
            trusted,
            list_type="red",
            list_name="守信激励对象名单",
            decision_number="杭信办〔2026〕3号",
            reason_category="纳税信用A级",
        )
        codes = {e.name: e.uscc for e in (hesheng, hengda, oujiang, yuecheng, trusted)}
        session.commit()
        session.remove()
    lines = [
        f"杭州合晟建设工程有限公司, {codes['杭州合晟建设工程有限公司']}, 投标人",
        f"宁波恒达市政工程有限公司, {codes['宁波恒达市政工程有限公司']}, 投标人",
        "温州东瓯建设集团有限公司, , 联合体牵头人, 东瓯联合体",
        f"温州瓯江路桥建设有限公司, {codes['温州瓯江路桥建设有限公司']}, 联合体成员, 东瓯联合体",
        "杭州合胜建设工程有限公司, , 投标人",
        f"绍兴越城建筑安装有限公司, {codes['绍兴越城建筑安装有限公司']}, 投标人",
        f"义乌商城建设发展有限公司, , 投标人, , 张三, {REP_ID}",
        f"杭州诚信建筑有限公司, {codes['杭州诚信建筑有限公司']}, 投标人",
        *(f"{name}, {factories.code('91330100')}, 投标人" for name in CLEAR),
    ]
    yield {"bidders": "\n".join(lines)}
    runtime.clock.fixed = None


def pdf_pages(pdf: bytes) -> int:
    """The number of pages of a PDF: its page objects (`/Type /Page`, never `/Pages`), looked for in
    the file and in its compressed object streams; checked against the page tree's `/Count`."""
    texts = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            texts.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    pages = sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", t)) for t in texts)
    counts = [int(c) for t in texts for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", t)]
    counts += [int(c) for t in texts for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", t)]
    assert pages, "no page objects found"
    assert not counts or max(counts) == pages, (pages, counts)  # the page tree's root counts them all
    return pages


def _screen(page: Any, site: Site, bidders: str) -> str:
    sign_in(page, site, "screener")
    page.goto(site.url + "/screening")
    page.select_option("#domain", "procurement")
    page.fill("#project_code", "HZCG-2026-1108")
    page.fill("#stage", "资格审查")
    page.fill("#bidders", bidders)
    with page.expect_navigation():
        page.get_by_role("button", name="开始核查").click()
    assert re.search(r"/screening/\d+$", page.url), page.url
    return str(page.url)


def pdf_texts(pdf: bytes) -> list[str] | None:
    """Each page's text (pypdf, a dev dependency); None where it is missing from an older venv."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


# The print's page box in CSS pixels (96 per inch): A4 less the margins of screening.css's @page.
A4_CONTENT_WIDTH = (210 - 12 - 15) / 25.4 * 96
A4_CONTENT_HEIGHT = (297 - 12 - 15) / 25.4 * 96


def test_a_screener_prints_a_17_bidder_evidence(page: Any, site: Site, project: dict[str, str]) -> None:
    result_url = _screen(page, site, project["bidders"])
    text = page.locator("main").inner_text()
    assert "共 17 个投标人：禁止 4 个，需复核 3 个，通过 10 个" in text
    screenshot(page, "15-screening-17-result")
    opened = [
        page.locator(f"#subject-{i} details.subject-details").get_attribute("open") is not None for i in range(17)
    ]
    assert opened == [True] * 7 + [False] * 10  # blocked and review open, clear closed
    assert not page.locator("#subject-16 dl").is_visible()

    sid = result_url.rsplit("/", 1)[1]
    page.goto(result_url + "/evidence")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": round(A4_CONTENT_WIDTH), "height": 900})
    # The summary fits the first page, and a closed <details> prints open.
    assert page.evaluate("document.querySelector('.cover').getBoundingClientRect().bottom") <= A4_CONTENT_HEIGHT
    assert page.locator("#subject-16 dl").is_visible()
    assert page.locator(".signatures").is_visible()
    screenshot(page, "16-screening-17-evidence-print")
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
    folder = ARTIFACTS / "pdf"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "screening-17-bidders.pdf").write_bytes(pdf)
    document = page.request.get(result_url + "/document.json")
    assert document.ok
    (folder / "screening-17-bidders.json").write_bytes(document.body())
    pages = pdf_pages(pdf)
    (folder / "screening-17-bidders.pages.txt").write_text(f"{pages}\n")
    assert pages <= MAX_PAGES, f"the 17-bidder evidence prints on {pages} A4 pages (at most {MAX_PAGES})"

    texts = pdf_texts(pdf)
    if texts is None:
        return  # without pypdf, the page count and the layout above are what is checked
    squeezed = [re.sub(r"\s+", "", t) for t in texts]
    for number, text in enumerate(squeezed, start=1):
        assert f"核查编号{sid}" in text, number
        assert f"第{number}页，共{pages}页" in text, number
    assert "各投标人结论" in squeezed[0]
    assert "如何核验" in squeezed[0]
    assert "一、各投标人核查详情" not in squeezed[0]
    assert "经办人（签字）" in squeezed[-1]
    assert "单位（盖章）" in squeezed[-1]


def test_a_final_decision_recorded_after_a_false_positive(page: Any, site: Site) -> None:
    """The agency marks the hit 误报, then records 准予参与 with the reason: shown on the bidder, in the
    summary and on the print, beside the digested document (which the print still verifies)."""
    result_url = _screen(page, site, "杭州合晟建设工程有限公司")
    hit = f"d-0-{site.ids['listed']}"
    assert page.locator("#final-0 form").count() == 0  # no final decision before a false positive
    page.check(f"#{hit}-false_positive")
    page.fill(f"#{hit}-reason", "统一社会信用代码不同，同名不同主体")
    with page.expect_navigation():
        page.locator(f"#hit-0-{site.ids['listed']}").get_by_role("button", name="保存标记").click()
    page.fill("#final-0-reason", "经核对营业执照原件，非名单主体")
    with page.expect_navigation():
        page.get_by_role("button", name="保存最终处理意见").click()
    refused = page.locator("main").inner_text()
    assert "请选择：准予参与或不予参与" in refused  # no choice made: refused, the reason kept
    assert page.input_value("#final-0-reason") == "经核对营业执照原件，非名单主体"
    page.check("#final-0-admitted")
    with page.expect_navigation():
        page.get_by_role("button", name="保存最终处理意见").click()
    text = page.locator("main").inner_text()
    assert "已记录第 1 个投标人的最终处理意见：准予参与" in text
    assert "最终处理意见：准予参与（陈立" in text
    screenshot(page, "17-screening-final-decision")
    page.goto(result_url + "/evidence")
    page.emulate_media(media="print")
    printed = page.locator("main").inner_text()
    assert "最终处理意见：准予参与" in printed
    assert "打印时核验：一致" in re.sub(r"\s+", "", printed)
    screenshot(page, "18-screening-final-decision-print")
