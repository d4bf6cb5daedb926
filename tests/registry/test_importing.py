"""registry.imports.run: reading 双公示 sheets (headers, values, encodings), deciding rows (subjects,
authority, natural key, unchanged and conflict), the two modes, the report file, and the batched
writer leaving exactly the rows the per-row service writer leaves."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from api.app import create_app
from registry.codes.idnumber import IdentityVault
from registry.database import db
from registry.errors import InvalidInput, NotPermitted
from registry.imports import batch as import_batch
from registry.imports import files as import_files
from registry.imports import run as importing
from registry.imports import xlsx_tables
from registry.imports.files import (
    CellError,
    FileRefused,
    amount_value,
    date_value,
    detect_encoding,
    header_key,
    list_value,
)
from registry.imports.rows import is_header
from registry.imports.run import ImportReport, Problem, import_records, write_report
from registry.ledger import verify_audit_chain
from registry.messages import render
from registry.models import AuditLog, ChangeEvent, Entity, EntityName, ListEntry, Penalty
from registry.records import entities as entities_service
from registry.records.authorities import create_authority
from sync.exports import write_export
from sync.national import DataSource, headers
from tests import factories
from tests.import_sheets import (
    PENALTY_HEADERS,
    PERSON_ID,
    company,
    csv_bytes,
    penalty_row,
    shuanggongshi_sheet,
    xlsx_bytes,
)
from tests.ledger_queries import ledger_size

VAULT = IdentityVault("test-data-protection-secret")
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def run(session: Session, data: bytes, filename: str = "双公示.xlsx", *, actor: Any, **options: Any) -> ImportReport:
    return import_records(
        session,
        io.BytesIO(data),
        filename,
        actor=actor,
        today=factories.TODAY,
        rules=factories.rules(session),
        vault=VAULT,
        now=NOW,
        **options,
    )


def count(session: Session, model: Any) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def problems_at(report: ImportReport, row: int) -> list[Problem]:
    return [p for p in report.problems if p.row == row]


@pytest.fixture
def finance(world):
    return factories.supervisor_of(world.finance)


# ---------------------------------------------------------------------------------------------
# Cell values


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (dt.datetime(2026, 11, 2), dt.date(2026, 11, 2)),
        (dt.date(2026, 11, 2), dt.date(2026, 11, 2)),
        ("2026-11-02", dt.date(2026, 11, 2)),
        ("2026/11/2", dt.date(2026, 11, 2)),
        ("2026.11.2", dt.date(2026, 11, 2)),
        ("2026年11月2日", dt.date(2026, 11, 2)),
        ("２０２６年１１月２日", dt.date(2026, 11, 2)),
        ("2026-11-02 00:00:00", dt.date(2026, 11, 2)),
        ("20261102", dt.date(2026, 11, 2)),
        (46328, dt.date(2026, 11, 2)),  # an Excel day number: a date typed into a General cell
        ("46328", dt.date(2026, 11, 2)),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_read_as_excel_and_people_write_them(raw, expected):
    assert date_value(raw) == expected


@pytest.mark.parametrize("raw", ["2026-02-30", "明天", "11/2/2026", "2026-11", 3])
def test_a_cell_that_is_no_date_is_refused_with_the_forms_accepted(raw):
    with pytest.raises(CellError, match="2026-11-02|calendar"):
        date_value(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0.5, Decimal("0.5")),
        (0.2, Decimal("0.2")),  # not 0.2000000000000000111…
        (2, Decimal(2)),
        ("0.5", Decimal("0.5")),
        ("1,234.5", Decimal("1234.5")),
        ("0.2万元", Decimal("0.2")),
        ("３万", Decimal(3)),
        ("0.123456", Decimal("0.123456")),
        ("0.1000000", Decimal("0.1000000")),  # trailing zeros are not decimals that matter
        ("", None),
        (None, None),
    ],
)
def test_amounts_are_read_in_wan_yuan(raw, expected):
    assert amount_value(raw) == expected


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("0.1234567", "six decimals"),
        ("2000元", "万元"),
        ("五千", "not a number"),
        ("NaN", "not a number"),
    ],
)
def test_an_amount_that_cannot_be_right_is_refused(raw, words):
    with pytest.raises(CellError, match=words):
        amount_value(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("罚款；没收违法所得、警告", ["罚款", "没收违法所得", "警告"]),
        ("罚款;警告", ["罚款", "警告"]),
        ("罚款，警告", ["罚款", "警告"]),
        ('["罚款", "警告"]', ["罚款", "警告"]),
        (" 罚款 ", ["罚款"]),
        (None, []),
    ],
)
def test_several_categories_in_one_cell_are_split(raw, expected):
    assert list_value(raw) == expected


def test_headers_compare_without_width_spaces_or_required_marks():
    assert header_key("罚款金额（万元）") == header_key("* 罚款金额(万元)") == header_key("罚款金额(万元)（必填）")
    assert header_key("行政相对人名称") != header_key("行政相对人类别")


def test_the_encoding_is_told_from_the_bytes():
    text = "行政相对人名称,统一社会信用代码\n杭州合晟建设工程有限公司,x\n"
    assert detect_encoding(text.encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(text.encode("gb18030")) == "gb18030"
    assert detect_encoding(text.encode("utf-16")) == "utf-16"


# ---------------------------------------------------------------------------------------------
# A real office's sheet


def test_a_shuanggongshi_sheet_with_broken_rows_in_skip_mode(session, world, finance):
    heads, rows = shuanggongshi_sheet(world.finance, world.housing)
    before = ledger_size(session)
    report = run(session, xlsx_bytes(heads, rows), actor=finance, mode="skip")

    assert (report.kind, report.rows, report.created, report.rejected, report.conflicts) == ("penalties", 11, 7, 4, 0)
    assert report.written
    assert report.entities_created == 6  # rows 2 and 12 share a subject; rows 8-11 created none
    # Each broken row is named by the row Excel shows, the column as headed, the value and why.
    fine = problems_at(report, 8)
    assert [(p.column, p.value) for p in fine] == [("罚款金额（万元）", "2000元")]
    assert "罚款 2000 元应填 0.2" in fine[0].said("zh")  # the report says why in Chinese
    assert "0.2" in fine[0].said("en")
    assert [(p.column, p.value) for p in problems_at(report, 9)] == [("处罚决定日期", "2026-02-30")]
    other = problems_at(report, 10)
    assert {p.column for p in other} == {"处罚机关", "处罚机关统一社会信用代码"}
    assert all("谁批准、谁公开" in p.said("zh") for p in other)
    code = problems_at(report, 11)
    assert [p.column for p in code] == ["统一社会信用代码"]
    assert "校验码有误" in code[0].said("zh")
    assert "check character" in code[0].said("en")

    stored = {p.decision_number: p for p in session.scalars(sa.select(Penalty))}
    assert sorted(stored) == [f"浙财采罚〔2026〕{n}号" for n in (101, 102, 103, 104, 105, 106, 111)]
    shop = stored["浙财采罚〔2026〕102号"]
    assert (shop.decided_on, shop.categories, shop.severity, shop.fine_amount) == (
        dt.date(2026, 10, 9),
        ["警告"],
        "minor",
        None,
    )
    both = stored["浙财采罚〔2026〕103号"]
    assert (both.categories, both.fine_amount, both.confiscation_amount, both.decided_on) == (
        ["罚款", "没收违法所得"],
        Decimal(2),
        Decimal("0.8"),
        dt.date(2026, 9, 30),
    )
    assert stored["浙财采罚〔2026〕106号"].fine_amount == Decimal("1.5")
    assert stored["浙财采罚〔2026〕101号"].entity_id == stored["浙财采罚〔2026〕111号"].entity_id
    kinds = {session.get(Entity, p.entity_id).kind for p in stored.values()}
    assert kinds == {"legal_entity", "individual_business", "natural_person"}
    person = session.get(Entity, stored["浙财采罚〔2026〕104号"].entity_id)
    assert person.id_number_masked == "1101**********8515"
    assert shop.subject_uscc == session.get(Entity, shop.entity_id).uscc == "00000000000000000X"
    # One audit row and one outbox event per record and per new subject, on an intact chain.
    assert ledger_size(session) == (before[0] + 13, before[1] + 13)
    assert verify_audit_chain(session).ok


def test_mode_all_writes_nothing_when_a_row_is_bad(session, world, finance):
    heads, rows = shuanggongshi_sheet(world.finance, world.housing)
    before = ledger_size(session), count(session, Entity)
    report = run(session, xlsx_bytes(heads, rows), actor=finance)

    assert not report.written
    assert (report.created, report.held_back, report.rejected, report.entities_created) == (0, 7, 4, 0)
    assert "nothing was written" in render(report.summary(), "en")
    assert "未写入任何记录" in render(report.summary(), "zh")
    assert count(session, Penalty) == 0
    assert (ledger_size(session), count(session, Entity)) == before
    assert verify_audit_chain(session).ok


def test_mode_all_writes_every_row_of_a_good_sheet(session, world, finance):
    heads, rows = shuanggongshi_sheet(world.finance, world.housing)
    good = [r for i, r in enumerate(rows, start=2) if i not in (8, 9, 10, 11)]
    report = run(session, xlsx_bytes(heads, good), actor=finance)
    assert (report.written, report.created, report.problems) == (True, 7, [])
    assert count(session, Penalty) == 7


def test_importing_the_same_file_again_changes_nothing(session, world, finance):
    heads, rows = shuanggongshi_sheet(world.finance, world.housing)
    data = xlsx_bytes(heads, rows)
    run(session, data, actor=finance, mode="skip")
    size, entities = ledger_size(session), count(session, Entity)

    again = run(session, data, actor=finance, mode="skip")
    assert (again.created, again.unchanged, again.rejected, again.entities_created) == (0, 7, 4, 0)
    assert (ledger_size(session), count(session, Entity)) == (size, entities)  # no write, no outbox event
    assert count(session, Penalty) == 7


def test_a_changed_row_is_a_conflict_naming_each_field_and_is_not_applied(session, world, finance):
    name, code = company(5)
    row = penalty_row(world.finance, name, code, "浙财采罚〔2026〕201号")
    run(session, xlsx_bytes(PENALTY_HEADERS, [row]), actor=finance)
    stored = session.scalars(sa.select(Penalty)).one()
    size = ledger_size(session)

    changed = {**row, "违法事实": "另一事实", "罚款金额（万元）": 0.8, "处罚类别": "罚款"}
    report = run(session, xlsx_bytes(PENALTY_HEADERS, [changed]), actor=finance)

    assert (report.conflicts, report.created, report.written) == (1, 0, False)
    assert {p.column: p.value for p in report.problems} == {"违法事实": "另一事实", "罚款金额（万元）": "0.8"}
    fine = next(p for p in report.problems if p.column == "罚款金额（万元）")
    assert "records 0.5" in fine.said("en")
    assert f"PATCH /api/v1/penalties/{stored.id}" in fine.said("en")
    assert "更正" in fine.said("en")
    assert f"冲突：已登记的同一文号的行政处罚 {stored.id}记载为“0.5”" in fine.said("zh")
    session.refresh(stored)
    assert (stored.facts, stored.fine_amount, stored.version) == (row["违法事实"], Decimal("0.5"), 1)
    assert ledger_size(session) == size


def test_a_row_given_twice_in_one_file_is_recorded_once(session, world, finance):
    name, code = company(6)
    row = penalty_row(world.finance, name, code, "浙财采罚〔2026〕202号")
    report = run(
        session,
        csv_bytes(PENALTY_HEADERS, [row, row, {**row, "违法事实": "不同"}]),
        "x.csv",
        actor=finance,
        mode="skip",
    )
    assert (report.created, report.unchanged, report.conflicts) == (1, 1, 1)
    assert [p.row for p in report.problems] == [4]
    assert "row 2 of this file" in report.problems[0].said("en")
    assert "本文件第 2 行的行政处罚" in report.problems[0].said("zh")


# ---------------------------------------------------------------------------------------------
# Headers


def test_the_older_headers_are_read(session, world, finance):
    name, code = company(7)
    older = {
        "行政相对人名称": name,
        "行政相对人代码_1（统一社会信用代码）": code,
        "处罚决定书文号": "浙财采罚〔2026〕301号",
        "处罚名称": "串通投标",
        "处罚事由": "与其他投标人相互串通投标报价",
        "处罚依据": "《中华人民共和国政府采购法》第七十七条",
        "处罚类别": "罚款",
        "处罚结果": "罚款人民币一万元",
        "罚款金额（万元）": 1,
        "处罚日期": "2026-11-02",
        "当前状态": "正常",
        "严重程度": "一般",
    }
    report = run(session, xlsx_bytes(list(older), [older]), actor=finance)
    assert (report.created, report.problems) == (1, [])
    penalty = session.scalars(sa.select(Penalty)).one()
    assert (penalty.decision_number, penalty.violation_type, penalty.facts, penalty.content, penalty.remarks) == (
        "浙财采罚〔2026〕301号",
        "串通投标",
        "与其他投标人相互串通投标报价",
        "罚款人民币一万元",
        "正常",
    )
    assert (penalty.subject_uscc, penalty.domain) == (code, "procurement")  # the authority's one domain


def test_headers_with_stars_half_width_brackets_and_a_title_row(session, world, finance):
    name, code = company(8)
    row = penalty_row(world.finance, name, code, "浙财采罚〔2026〕302号")
    written = {
        h: ("*" + h if h in ("行政相对人名称", "行政处罚决定书文号") else h.replace("（", "(").replace("）", ")"))
        for h in PENALTY_HEADERS
    }
    second = {**row, "行政处罚决定书文号": "浙财采罚〔2026〕303号", "处罚决定日期": "不详"}
    sheet = xlsx_bytes(
        [written[h] for h in PENALTY_HEADERS],
        [[r.get(h) for h in PENALTY_HEADERS] for r in (row, second)],
        title="浙江省财政厅行政处罚信息公示表（2026年11月）",
    )
    report = run(session, sheet, actor=finance, mode="skip")
    assert (report.created, report.rejected) == (1, 1)
    # The header is the sheet's row 2, so the second data row is row 4, named as the file heads it.
    assert [(p.row, p.column) for p in report.problems] == [(4, "处罚决定日期")]


def test_an_unknown_column_is_reported_once_and_the_rest_imported(session, world, finance):
    name, code = company(9)
    rows = [
        {**penalty_row(world.finance, name, code, f"浙财采罚〔2026〕{n}号"), "内部编号": f"NB-{n}"} for n in (303, 304)
    ]
    report = run(session, xlsx_bytes([*PENALTY_HEADERS, "内部编号"], rows), actor=finance)
    assert report.created == 2
    assert report.problems == [Problem(1, "内部编号", "", "unknown column: not imported")]
    assert report.written


def test_missing_required_columns_refuse_the_file_naming_them(session, world, finance):
    name, code = company(10)
    heads = [h for h in PENALTY_HEADERS if h not in ("处罚类别", "违法事实")]
    before = ledger_size(session)
    with pytest.raises(FileRefused) as refused:
        run(
            session, xlsx_bytes(heads, [penalty_row(world.finance, name, code, "浙财采罚〔2026〕305号")]), actor=finance
        )
    assert "违法事实" in refused.value.message
    assert "处罚类别" in refused.value.message
    assert (ledger_size(session), count(session, Penalty)) == (before, 0)


def test_an_authority_of_several_domains_needs_the_domain_column(session, world):
    name, code = company(11)
    heads = [h for h in PENALTY_HEADERS if h != "涉及领域"]
    row = penalty_row(world.housing, name, code, "浙建罚〔2026〕1号")
    with pytest.raises(FileRefused, match="涉及领域"):
        run(session, xlsx_bytes(heads, [row]), actor=factories.supervisor_of(world.housing))
    report = run(
        session,
        xlsx_bytes(PENALTY_HEADERS, [{**row, "涉及领域": "工程建设项目招标投标"}]),
        actor=factories.supervisor_of(world.housing),
    )
    assert report.created == 1
    assert session.scalars(sa.select(Penalty)).one().domain == "construction_bidding"


@pytest.mark.parametrize(
    "data", [b"", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, b"PK\x03\x04broken", "名称,代码\n甲,乙\n".encode()]
)
def test_a_file_that_is_no_sheet_of_ours_is_refused(session, world, finance, data):
    with pytest.raises(FileRefused):
        run(session, data, "upload.xlsx" if data.startswith(b"PK") else "upload.csv", actor=finance)


def test_a_file_of_either_kind_is_told_by_its_headers_or_refused(session, world, finance):
    both = ["行政相对人名称", "统一社会信用代码", "法定代表人"]
    with pytest.raises(FileRefused, match="say which kind"):
        run(session, csv_bytes(both, [["甲", "", ""]]), "x.csv", actor=finance)


# ---------------------------------------------------------------------------------------------
# Encodings


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_each_encoding_excel_writes(session, world, finance, encoding):
    name, code = company(12)
    row = penalty_row(world.finance, name, code, "浙财采罚〔2026〕401号", **{"违法事实": "提供虚假材料（业绩证明）"})
    report = run(session, csv_bytes(PENALTY_HEADERS, [row], encoding=encoding), "双公示.csv", actor=finance)
    assert (report.created, report.problems) == (1, [])
    penalty = session.scalars(sa.select(Penalty)).one()
    assert (penalty.subject_name, penalty.facts) == (name, "提供虚假材料（业绩证明）")


def test_a_csv_that_changes_encoding_part_way_is_refused(session, world, finance):
    name, code = company(13)
    good = csv_bytes(
        PENALTY_HEADERS, [penalty_row(world.finance, name, code, "浙财采罚〔2026〕402号")], encoding="utf-8"
    )
    late = "\n" * 300_000 + "杭州,坏\n"  # past what the encoding is told from
    with pytest.raises(FileRefused, match="encoding"):
        run(session, good + late.encode("gb18030"), "x.csv", actor=finance)


def test_a_csv_separated_by_full_width_commas_is_imported(session, world, finance):
    """A CSV typed with a Chinese input method: ， between the cells (the screening page read such
    files before the two readers were one); the ， in the facts are quoted, as any separator is."""
    name, code = company(52)
    row = penalty_row(world.finance, name, code, "浙财采罚〔2026〕403号")
    text = io.StringIO()
    writer = csv.writer(text, delimiter="，")
    writer.writerow(PENALTY_HEADERS)
    writer.writerow(["" if row.get(h) is None else str(row[h]) for h in PENALTY_HEADERS])
    report = run(session, text.getvalue().encode("gb18030"), "双公示.csv", actor=finance)
    assert (report.created, report.problems) == (1, [])
    assert session.scalars(sa.select(Penalty)).one().facts == row["违法事实"]


@pytest.mark.parametrize("filename", ["双公示.xls", "双公示.et"])
def test_an_old_workbook_is_refused_by_its_name_too(session, world, finance, filename):
    """Named .xls or .et (an old workbook, or a web page some systems export under that name):
    refused as an old workbook, in English for the API and in Chinese for a page, nothing read."""
    name, code = company(53)
    data = csv_bytes(PENALTY_HEADERS, [penalty_row(world.finance, name, code, "浙财采罚〔2026〕404号")])
    with pytest.raises(FileRefused) as refused:
        run(session, data, filename, actor=finance)
    assert refused.value.message.startswith(f"{filename} is an old Excel 97-2003 workbook (.xls)")
    assert "另存为 .xlsx" in refused.value.chinese
    assert count(session, Penalty) == 0


def test_a_binary_file_is_refused_as_no_spreadsheet(session, world, finance):
    with pytest.raises(FileRefused, match="binary content") as refused:
        run(session, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "双公示.csv", actor=finance)
    assert refused.value.chinese == "文件含有二进制内容，不是 CSV 或 XLSX 表格"


def test_a_refusal_says_why_in_chinese_and_without_chinese_says_the_english(session, world, finance):
    """Missing columns are refused in both languages (the upload page shows the Chinese); a refusal
    given no Chinese falls back to its English."""
    with pytest.raises(FileRefused) as refused:
        run(
            session,
            csv_bytes(
                ["行政相对人名称", "统一社会信用代码", "法定代表人", "行政处罚决定书文号"], [["甲", "", "", "1"]]
            ),
            "x.csv",
            actor=finance,
        )
    assert "required column(s) missing" in refused.value.message
    assert refused.value.chinese.startswith("缺少必填列：违法行为类型")
    assert FileRefused.because("x.csv is odd").chinese == "x.csv is odd"


# ---------------------------------------------------------------------------------------------
# Subjects and authority


def test_a_registered_subject_is_found_by_its_code(session, world, finance):
    entity = factories.make_entity(session, "杭州合晟建设工程有限公司")
    entities = count(session, Entity)
    report = run(
        session,
        xlsx_bytes(
            PENALTY_HEADERS,
            [penalty_row(world.finance, "杭州合晟建设工程有限公司", entity.uscc, "浙财采罚〔2026〕501号")],
        ),
        actor=finance,
    )
    assert (report.created, report.entities_created, count(session, Entity)) == (1, 0, entities)
    assert session.scalars(sa.select(Penalty)).one().entity_id == entity.id


def test_a_code_registered_to_another_name_is_refused(session, world, finance):
    entity = factories.make_entity(session, "杭州合晟建设工程有限公司")
    report = run(
        session,
        xlsx_bytes(
            PENALTY_HEADERS,
            [penalty_row(world.finance, "宁波全然不同贸易有限公司", entity.uscc, "浙财采罚〔2026〕502号")],
        ),
        actor=finance,
    )
    assert report.rejected == 1
    assert report.problems[0].column == "行政相对人名称"
    assert f"entity {entity.id}" in report.problems[0].said("en")
    assert f"主体 {entity.id}" in report.problems[0].said("zh")


def test_a_shop_without_a_code_is_found_by_its_exact_name(session, world, finance):
    shop = factories.make_entity(
        session, "杭州市西湖区城源五金店", kind="individual_business", uscc="00000000000000000X"
    )
    rows = [
        penalty_row(
            world.finance, "杭州市西湖区城源五金店", code, f"浙财采罚〔2026〕{n}号", **{"行政相对人类别": "个体工商户"}
        )
        for n, code in ((503, "00000000000000000X"), (504, None))
    ]
    report = run(session, xlsx_bytes(PENALTY_HEADERS, rows), actor=finance)
    assert (report.created, report.entities_created) == (2, 0)
    assert {p.entity_id for p in session.scalars(sa.select(Penalty))} == {shop.id}


def test_a_new_subject_takes_its_kind_from_the_sheet(session, world, finance):
    rows = [
        penalty_row(
            world.finance,
            "李娜",
            None,
            "浙财采罚〔2026〕505号",
            **{"行政相对人类别": "自然人", "证件类型": "居民身份证", "证件号码": PERSON_ID},
        ),
        penalty_row(
            world.finance,
            "王芳",
            None,
            "浙财采罚〔2026〕506号",
            **{"行政相对人类别": "自然人", "证件类型": "居民身份证", "证件号码": "1101**********8515"},
        ),
        penalty_row(world.finance, "杭州某某有限公司", None, "浙财采罚〔2026〕507号"),
    ]
    report = run(session, xlsx_bytes(PENALTY_HEADERS, rows), actor=finance, mode="skip")
    assert (report.created, report.rejected) == (1, 2)
    assert [(p.row, p.column) for p in report.problems] == [(3, "证件号码"), (4, "统一社会信用代码")]
    assert "masked" in report.problems[0].said("en")
    assert "脱敏" in report.problems[0].said("zh")
    person = session.scalars(sa.select(Entity).where(Entity.kind == "natural_person")).one()
    assert (person.name, person.id_type) == ("李娜", "resident_id")


def test_rows_of_another_authority_are_refused(session, world, finance):
    name, code = company(14)
    row = penalty_row(
        world.finance,
        name,
        code,
        "浙建罚〔2026〕9号",
        **{"处罚机关": world.housing.name, "处罚机关统一社会信用代码": None},
    )
    report = run(session, xlsx_bytes(PENALTY_HEADERS, [row]), actor=finance)
    assert report.rejected == 1
    assert report.problems[0].column == "处罚机关"
    assert world.finance.name in report.problems[0].said("zh")
    assert count(session, Penalty) == 0


def test_a_supervisor_imports_only_for_its_own_authority(session, world, finance):
    with pytest.raises(NotPermitted):
        run(session, xlsx_bytes(PENALTY_HEADERS, []), actor=finance, authority_id=world.housing.id)


def test_an_administrator_names_the_authority(session, world):
    name, code = company(15)
    data = xlsx_bytes(PENALTY_HEADERS, [penalty_row(world.finance, name, code, "浙财采罚〔2026〕601号")])
    with pytest.raises(InvalidInput, match="authority"):
        run(session, data, actor=factories.ADMIN)
    report = run(session, data, actor=factories.ADMIN, authority_id=world.finance.id)
    assert report.created == 1
    assert session.scalars(sa.select(Penalty)).one().authority_id == world.finance.id


def test_a_data_source_authority_must_be_registered(session, world, finance):
    name, code = company(16)
    rows = [
        penalty_row(
            world.finance,
            name,
            code,
            "浙财采罚〔2026〕602号",
            **{"数据来源单位": world.housing.name, "数据来源单位统一社会信用代码": world.housing.uscc},
        ),
        penalty_row(
            world.finance,
            name,
            code,
            "浙财采罚〔2026〕603号",
            **{"数据来源单位": "某某信息中心", "数据来源单位统一社会信用代码": None},
        ),
    ]
    report = run(session, xlsx_bytes(PENALTY_HEADERS, rows), actor=finance, mode="skip")
    assert (report.created, report.rejected) == (1, 1)
    assert (report.problems[0].column, report.problems[0].value) == ("数据来源单位", "某某信息中心")
    assert session.scalars(sa.select(Penalty)).one().data_source_authority_id == world.housing.id


def test_service_rules_are_reported_in_the_files_columns(session, world, finance):
    name, code = company(17)
    rows = [
        penalty_row(world.finance, name, code, "浙财采罚〔2026〕604号", **{"处罚类别": "罚没"}),
        penalty_row(world.finance, name, code, "浙财采罚〔2026〕605号", **{"罚款金额（万元）": None}),
        penalty_row(world.finance, name, code, "浙财采罚〔2026〕606号", **{"处罚决定日期": "2026-12-01"}),
        penalty_row(world.finance, name, code, "浙财采罚〔2026〕607号", **{"严重程度": "较重"}),
        penalty_row(world.finance, name, code, "浙财采罚〔2026〕608号", **{"违法事实": "  "}),
    ]
    report = run(session, xlsx_bytes(PENALTY_HEADERS, rows), actor=finance, mode="skip")
    assert report.rejected == 5
    found = {p.row: (p.column, p.said("en")) for p in report.problems}
    assert {p.row: p.said("zh") for p in report.problems}[6] == "不能为空。"
    assert found[2][0] == "处罚类别"
    assert "罚没" in found[2][1]
    assert found[3][0] == "罚款金额（万元）"
    assert "罚款" in found[3][1]
    assert found[4][0] == "处罚决定日期"
    assert "future" in found[4][1]
    assert found[5][0] == "严重程度"
    assert "轻微" in found[5][1]
    assert found[6] == ("违法事实", "must not be empty")
    assert count(session, Entity) == 0  # the rows' one subject was never kept


# ---------------------------------------------------------------------------------------------
# List entries


LIST_ROW = {
    "主体名称": None,
    "统一社会信用代码": None,
    "主体类别": "法人及非法人组织",
    "名单类型": "黑名单",
    "名单名称": "政府采购严重违法失信行为记录名单",
    "列入决定文书号": None,
    "列入事由类别": "提供虚假材料谋取中标、成交",
    "失信（守信）事实": "在政府采购项目中提供虚假业绩证明材料",
    "列入依据": "《中华人民共和国政府采购法》第七十七条",
    "认定部门": None,
    "列入日期": "2026-03-01",
    "有效期截止日期": "2027-03-01",
    "涉及领域": "政府采购",
}


def list_row(authority, i: int, number: str, **fields: Any) -> dict[str, Any]:
    name, code = company(20 + i)
    return {
        **LIST_ROW,
        "主体名称": name,
        "统一社会信用代码": code,
        "列入决定文书号": number,
        "认定部门": authority.name,
        **fields,
    }


def test_list_entries_are_told_by_their_headers_and_imported(session, world, finance):
    rows = [
        list_row(world.finance, 0, "浙财采决〔2026〕1号"),
        list_row(world.finance, 1, "浙财采决〔2026〕2号", **{"名单类型": None, "涉及领域": None}),
        list_row(world.finance, 2, "浙财采决〔2026〕3号", **{"名单类型": "灰名单"}),
    ]
    report = run(session, xlsx_bytes(list(LIST_ROW), rows), "名单.xlsx", actor=finance, mode="skip")
    assert (report.kind, report.created, report.rejected) == ("list-entries", 2, 1)
    assert (report.problems[0].row, report.problems[0].column) == (4, "名单类型")
    entries = session.scalars(sa.select(ListEntry).order_by(ListEntry.id)).all()
    assert [(e.list_type, list(e.domains), e.listed_on) for e in entries] == [
        ("black", ["procurement"], dt.date(2026, 3, 1))
    ] * 2  # the catalogue's type, the authority's domain
    again = run(session, xlsx_bytes(list(LIST_ROW), rows[:2]), "名单.xlsx", actor=finance)
    assert (again.unchanged, again.created) == (2, 0)


def test_a_list_entry_on_another_list_is_another_record(session, world, finance):
    row = list_row(world.finance, 3, "浙财采决〔2026〕4号")
    other = {**row, "名单名称": "重点关注名单", "名单类型": "重点关注名单"}
    report = run(session, xlsx_bytes(list(LIST_ROW), [row, other]), actor=finance)
    assert (report.created, report.entities_created) == (2, 1)
    changed = run(session, xlsx_bytes(list(LIST_ROW), [{**row, "有效期截止日期": "2028-03-01"}]), actor=finance)
    assert changed.conflicts == 1
    assert (changed.problems[0].column, changed.problems[0].value) == ("有效期截止日期", "2028-03-01")
    assert "2027-03-01" in changed.problems[0].said("zh")


# ---------------------------------------------------------------------------------------------
# What our exports write reads back


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["penalties", "list-entries"])
def test_our_own_export_imports_as_unchanged(session, world, finance, fmt, kind):
    for i in range(3):
        entity = factories.make_entity(session, company(30 + i)[0])
        factories.make_penalty(session, world.finance, entity, fine_amount="0.35")
        factories.make_list_entry(session, world.finance, entity)
    other = factories.make_entity(session, company(33)[0])
    factories.make_penalty(session, world.housing, other, domain="construction_bidding")
    session.commit()
    out = io.BytesIO()
    write_export(session, kind, fmt, out, include_not_public=False, operator=DataSource("浙江省公共资源交易中心", None))
    size = ledger_size(session)

    report = run(session, out.getvalue(), f"{kind}.{fmt}", actor=finance, mode="skip")
    assert (report.kind, report.unchanged, report.created) == (kind, 3, 0)
    # The housing authority's penalty is refused (谁批准、谁公开), not reported as changed.
    assert report.rejected == (1 if kind == "penalties" else 0)
    assert all("谁批准、谁公开" in p.said("zh") for p in report.problems)
    assert "变更序号" in report.ignored_columns
    assert "主体编号" in report.ignored_columns
    assert ledger_size(session) == size
    assert headers(kind)[0] in {h for h in headers(kind)}


# ---------------------------------------------------------------------------------------------
# The report file


def test_the_report_as_csv_and_xlsx_with_formulas_defused(session, world, finance):
    name, code = company(40)
    rows = [
        penalty_row(world.finance, name, code, "浙财采罚〔2026〕701号", **{"罚款金额（万元）": "-0.5"}),
        penalty_row(world.finance, name, code, '=HYPERLINK("http://x")', **{"处罚决定日期": "=TODAY()"}),
        penalty_row(world.finance, name, code, "浙财采罚〔2026〕703号", **{"处罚决定日期": "@SUM(A1)"}),
    ]
    # CSV: openpyxl would store text starting with = as a formula, and Excel hands back its result.
    report = run(session, csv_bytes(PENALTY_HEADERS, rows), "x.csv", actor=finance, mode="skip")
    assert report.rejected == 3

    out = io.BytesIO()
    write_report(report, "csv", out)
    assert out.getvalue().startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline="")))
    assert table[0] == ["行号 row", "列 column", "值 value", "原因 reason"]
    values = {(r[0], r[1]): r[2] for r in table[1:]}
    assert values[("2", "罚款金额（万元）")] == "'-0.5"
    assert values[("3", "处罚决定日期")] == "'=TODAY()"
    assert values[("4", "处罚决定日期")] == "'@SUM(A1)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)

    out = io.BytesIO()
    write_report(report, "xlsx", out)
    book = load_workbook(io.BytesIO(out.getvalue()))
    problems, summary = book.worksheets
    cells = [[c.value for c in row] for row in problems.iter_rows()]
    assert cells[0] == ["行号 row", "列 column", "值 value", "原因 reason"]
    assert [row[2] == "'=TODAY()" for row in cells if row[1] == "处罚决定日期"][0]
    assert all(c.data_type != "f" for row in problems.iter_rows() for c in row)  # no cell is a formula
    labels = {row[0].value: row[1].value for row in summary.iter_rows()}
    assert labels["拒绝 rejected"] == 3
    assert labels["类型 kind"] == "penalties"


def test_a_workbook_with_more_sheets_says_only_the_first_was_read(session, world, finance):
    name, code = company(41)
    data = xlsx_bytes(
        PENALTY_HEADERS, [penalty_row(world.finance, name, code, "浙财采罚〔2026〕801号")], sheets=["说明"]
    )
    report = run(session, data, actor=finance)
    assert report.created == 1
    assert report.notes == ["only the first worksheet (行政处罚) was read; not read: 说明"]


def test_progress_is_reported_to_the_end(session, world, finance):
    name, code = company(42)
    rows = [penalty_row(world.finance, name, code, f"浙财采罚〔2026〕{900 + n}号") for n in range(3)]
    calls: list[tuple[int, int]] = []
    run(session, csv_bytes(PENALTY_HEADERS, rows), "x.csv", actor=finance, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (3, 3)


# ---------------------------------------------------------------------------------------------
# The batched writer and the services leave the same rows


def _fresh_app(path: Path) -> Any:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "DATA_KEY": "test-data-protection-secret"})
    with app.app_context():
        upgrade()
    return app


_TIMES = {"created_at", "updated_at", "at", "occurred_at", "hash", "prev_hash"}


def _plain(column: str, value: Any) -> Any:
    # Encryption draws a fresh nonce each time: the same number encrypts differently, so compare clear text.
    return VAULT.reveal(value) if column.endswith("_cipher") and value else value


def _contents(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Every table an import writes, row by row, without the clock's times and the hashes made of them."""
    found = {}
    for model in (Entity, EntityName, Penalty, ListEntry, AuditLog, ChangeEvent):
        table = model.__table__
        rows = session.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
        found[table.name] = [{k: _plain(k, v) for k, v in row.items() if k not in _TIMES} for row in rows]
    for name in ("list_entry_domains", "list_entry_transitions", "ledger_counters"):
        table = Entity.metadata.tables[name]
        rows = session.execute(sa.select(table).order_by(*table.primary_key.columns)).mappings()
        found[name] = [{k: v for k, v in row.items() if k not in _TIMES | {"last_hash"}} for row in rows]
    return found


class _Authority:
    """An authority's name and code, to build a sheet before any database holds it."""

    def __init__(self, name: str, uscc: str) -> None:
        self.name, self.uscc = name, uscc


def _sheets() -> dict[str, bytes]:
    """The same files for both databases: a 双公示 sheet with broken rows, a list-entry sheet
    with a repeated row, a conflict and a bad row, and a sheet that fails as a whole in mode all."""
    finance = _Authority("浙江省财政厅", factories.code("11330000"))
    housing = _Authority("浙江省住房和城乡建设厅", factories.code("11330000"))
    heads, rows = shuanggongshi_sheet(finance, housing)  # type: ignore[arg-type]
    known_name, known_code = company(50)
    entries = [
        list_row(finance, 4, "浙财采决〔2026〕11号"),
        list_row(finance, 5, "浙财采决〔2026〕12号"),
        {**list_row(finance, 4, "浙财采决〔2026〕13号"), "主体名称": known_name, "统一社会信用代码": known_code},
    ]
    entries += [
        entries[0],
        {**entries[1], "列入依据": "另一依据"},
        {**entries[0], "列入决定文书号": "x", "列入日期": "昨天"},
    ]
    failing = [
        penalty_row(finance, known_name, known_code, "浙财采罚〔2026〕120号"),
        penalty_row(finance, known_name, known_code, "浙财采罚〔2026〕121号", **{"处罚类别": "罚没"}),
    ]
    return {
        "finance": finance.uscc,
        "housing": housing.uscc,
        "known_name": known_name,
        "known_code": known_code,
        "penalties": xlsx_bytes(heads, rows),
        "entries": csv_bytes(list(LIST_ROW), entries, encoding="gb18030"),
        "failing": xlsx_bytes(PENALTY_HEADERS, failing),
    }


def _import_into_fresh_database(path: Path, writer: str, sheets: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    app = _fresh_app(path)
    try:
        with app.app_context():
            session = db.session()
            finance = create_authority(
                session,
                {
                    "name": "浙江省财政厅",
                    "uscc": sheets["finance"],
                    "region_code": "330000",
                    "domains": ["procurement"],
                },
                factories.ADMIN,
            )
            create_authority(
                session,
                {
                    "name": "浙江省住房和城乡建设厅",
                    "uscc": sheets["housing"],
                    "region_code": "330000",
                    "domains": ["construction_bidding", "housing"],
                },
                factories.ADMIN,
            )
            entities_service.create_entity(
                session,
                {"kind": "legal_entity", "name": sheets["known_name"], "uscc": sheets["known_code"]},
                factories.ADMIN,
                VAULT,
            )
            session.commit()
            actor = factories.supervisor_of(finance)
            reports = []
            for name, mode in (("penalties", "skip"), ("entries", "skip"), ("penalties", "skip"), ("failing", "all")):
                report = run(
                    session,
                    sheets[name],
                    f"{name}.xlsx" if name != "entries" else "entries.csv",
                    actor=actor,
                    mode=mode,
                    writer=writer,
                )
                session.commit()
                reports.append(
                    (
                        report.rows,
                        report.created,
                        report.unchanged,
                        report.conflicts,
                        report.rejected,
                        report.held_back,
                        report.entities_created,
                        report.problems,
                    )
                )
            assert verify_audit_chain(session).ok
            return _contents(session), reports
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_batched_writer_leaves_the_rows_the_services_leave(tmp_path, monkeypatch):
    """Both writers, each into its own fresh database, from the same files: the same records, names,
    domains, transitions, audit rows (content and order) and outbox events, and the same reports.
    Chunks of three rows, so that rows find what earlier chunks wrote."""
    monkeypatch.setattr(importing, "CHUNK_ROWS", 3)
    sheets = _sheets()
    services = _import_into_fresh_database(tmp_path / "services.db", "services", sheets)
    batched = _import_into_fresh_database(tmp_path / "batched.db", "batched", sheets)
    assert batched[1] == services[1]
    assert [r[:7] for r in services[1]] == [
        (11, 7, 0, 0, 4, 0, 6),
        (6, 3, 1, 1, 1, 0, 2),
        (11, 0, 7, 0, 4, 0, 0),
        (2, 0, 0, 0, 1, 1, 0),
    ]
    for table, rows in services[0].items():
        assert batched[0][table] == rows, table
    assert len(services[0]["audit_log"]) == len(services[0]["change_events"]) > 15


def test_a_chunk_the_database_refuses_is_imported_row_by_row(session, world, finance, monkeypatch):
    original = import_batch.record_creations
    calls = []

    def refuse_once(*args: Any, **kwargs: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise sa.exc.IntegrityError("INSERT INTO audit_log …", {}, Exception("refused"))
        original(*args, **kwargs)

    monkeypatch.setattr(import_batch, "record_creations", refuse_once)
    heads, rows = shuanggongshi_sheet(world.finance, world.housing)
    before = ledger_size(session)
    report = run(session, xlsx_bytes(heads, rows), actor=finance, mode="skip")
    assert calls == [1]  # the refused chunk went through the services instead
    assert (report.created, report.rejected, report.entities_created, len(report.problems)) == (7, 4, 6, 5)
    assert count(session, Penalty) == 7
    assert ledger_size(session) == (before[0] + 13, before[1] + 13)
    assert verify_audit_chain(session).ok


# ---------------------------------------------------------------------------------------------
# A big workbook read in a second process


def _truncated_sheet(data: bytes) -> bytes:
    """The workbook with its sheet's XML cut off half-way, as a broken download leaves it."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                content = content[: len(content) // 2]
            target.writestr(item, content)
    return out.getvalue()


def test_a_workbook_read_in_a_second_process_imports_the_same(session, world, finance, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_tables, "PARALLEL_XLSX_BYTES", 0)  # every workbook given as a path
    heads, rows = shuanggongshi_sheet(world.finance, world.housing)
    path = tmp_path / "双公示.xlsx"
    path.write_bytes(xlsx_bytes(heads, rows * 60))  # 660 rows: more than one batch from the reader
    calls: list[tuple[int, int]] = []
    report = import_records(
        session,
        path,
        path.name,
        actor=finance,
        mode="skip",
        today=factories.TODAY,
        rules=factories.rules(session),
        vault=VAULT,
        now=NOW,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert (report.rows, report.created, report.unchanged, report.rejected) == (660, 7, 413, 240)
    assert calls[0][1] == 660  # the total, from the declared dimension
    assert max(p.row for p in report.problems) == 660  # the last broken row, numbered as in Excel
    assert count(session, Penalty) == 7


def test_a_broken_workbook_read_in_a_second_process_is_refused(session, world, finance, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_tables, "PARALLEL_XLSX_BYTES", 0)
    name, code = company(49)
    rows = [penalty_row(world.finance, name, code, f"浙财采罚〔2026〕{n}号") for n in range(2000, 2600)]
    path = tmp_path / "坏.xlsx"
    path.write_bytes(_truncated_sheet(xlsx_bytes(PENALTY_HEADERS, rows)))
    with pytest.raises(FileRefused, match="cannot be read as an XLSX workbook"):
        import_records(
            session,
            path,
            path.name,
            actor=finance,
            mode="skip",
            today=factories.TODAY,
            rules=factories.rules(session),
            vault=VAULT,
            now=NOW,
        )


def test_the_rows_of_a_workbook_that_declares_no_size_are_counted(world):
    from openpyxl import Workbook

    name, code = company(51)
    book = Workbook(write_only=True)  # as our exports write it: no dimension
    sheet = book.create_sheet("x")
    sheet.append(PENALTY_HEADERS)
    for n in range(3):
        row = penalty_row(world.finance, name, code, f"浙财采罚〔2026〕{3000 + n}号")
        sheet.append([row.get(h) for h in PENALTY_HEADERS])
    out = io.BytesIO()
    book.save(out)
    assert load_workbook(io.BytesIO(out.getvalue()), read_only=True).worksheets[0].max_row is None
    with import_files.open_table(io.BytesIO(out.getvalue()), "x.xlsx", is_header) as table:
        assert (table.header_row, table.total) == (1, 3)
        assert [number for number, _ in table.rows] == [2, 3, 4]
