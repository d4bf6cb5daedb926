"""Importing 行政许可 (licences) from a standard 双公示 sheet: each row through the licence service
(scope, validation, audit row, outbox event), with the import's own rules — natural key, unchanged
and conflict, all-or-nothing, the report — as for penalties; the kind told among three; the CLI."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from sqlalchemy.orm import Session

from registry.imports import run as importing
from registry.imports.files import FileRefused
from registry.imports.layout import detect_kind
from registry.imports.run import ImportReport
from registry.ledger import verify_audit_chain
from registry.messages import render
from registry.models import AuditLog, ChangeEvent, Entity, Licence
from registry.national_columns import headers as export_headers
from tests import factories
from tests.import_sheets import PENALTY_HEADERS, company, csv_bytes, xlsx_bytes
from tests.ledger_queries import ledger_size
from tests.licence_sheets import LICENCE_HEADERS, OLDER, licence_row
from tests.registry.test_importing import NOW, count, run

LIST_ENTRY_HEADERS = [
    "主体名称",
    "统一社会信用代码",
    "名单名称",
    "列入决定文书号",
    "列入事由类别",
    "失信事实",
    "列入依据",
    "列入日期",
]


def reasons(report: ImportReport) -> list[tuple[int, str, str, str]]:
    """Each problem as a person reads it: row, column, value, the reason in Chinese."""
    return [(p.row, p.column, p.value, p.said("zh")) for p in report.problems]


@pytest.fixture
def finance(world: Any) -> Any:
    return factories.supervisor_of(world.finance)


def two_rows(world: Any) -> list[dict[str, Any]]:
    """Row 2: a company with a five-year licence; row 3: another one's 登记 without an end (长期)."""
    first, first_code = company(10)
    second, second_code = company(11, "宁波", "工程咨询")
    return [
        licence_row(world.finance, first, first_code, "浙财许〔2026〕101号"),
        licence_row(
            world.finance,
            second,
            second_code,
            "浙财许〔2026〕102号",
            **{"许可类别": "登记", "有效期至": None, "许可证书名称": None, "许可编号": None, "备注": "长期有效"},
        ),
    ]


# ---------------------------------------------------------------------------------------------
# A standard sheet


@pytest.mark.parametrize("writer", ["batched", "services"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_standard_licence_sheet_imports_each_row_as_a_licence_with_audit_and_outbox(
    session, world, finance, fmt, writer
):
    rows = two_rows(world)
    data = xlsx_bytes(LICENCE_HEADERS, rows) if fmt == "xlsx" else csv_bytes(LICENCE_HEADERS, rows)
    report = run(session, data, f"行政许可.{fmt}", actor=finance, writer=writer)

    assert (report.kind, report.rows, report.created, report.entities_created) == ("licences", 2, 2, 2)
    assert reasons(report) == []
    assert render(report.summary(), "zh").startswith(f"行政许可.{fmt} 中的行政许可：共 2 行：新登记 2 行")
    first, second = session.scalars(sa.select(Licence).order_by(Licence.decision_number)).all()
    assert (first.decision_number, first.decision_document_name) == (
        "浙财许〔2026〕101号",
        "建筑业企业资质证书核准决定书",
    )
    assert (first.licence_category, first.licence_name, first.licence_number) == (
        "核准",
        "建筑业企业资质证书",
        "D2330101",
    )
    assert first.content == "建筑工程施工总承包贰级"
    assert (first.decided_on, first.valid_from, first.valid_to) == (
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 2),
        dt.date(2031, 11, 1),
    )
    assert (first.authority_id, first.data_source_authority_id, first.status) == (
        world.finance.id,
        world.finance.id,
        "effective",
    )
    assert first.publication_due_on == dt.date(2026, 11, 11)  # 7 working days from Monday 2 November
    assert first.first_published_at == NOW
    assert (first.subject_name, first.subject_uscc) == (rows[0]["行政相对人名称"], rows[0]["统一社会信用代码"])
    entity = session.get_one(Entity, first.entity_id)
    assert (entity.name, entity.kind, entity.legal_representative) == (
        rows[0]["行政相对人名称"],
        "legal_entity",
        "李建华",
    )
    assert (second.licence_category, second.valid_to, second.licence_name, second.remarks) == (
        "登记",
        None,
        None,
        "长期有效",
    )
    for licence in (first, second):
        audit = session.scalars(
            sa.select(AuditLog).where(AuditLog.record_type == "licence", AuditLog.record_id == licence.id)
        ).one()
        assert (audit.action, audit.after["decision_number"]) == ("create", licence.decision_number)
        event = session.scalars(
            sa.select(ChangeEvent).where(ChangeEvent.record_type == "licence", ChangeEvent.record_id == licence.id)
        ).one()
        assert (event.operation, event.authority_id) == ("create", world.finance.id)
        assert event.payload["licence_category"] == licence.licence_category
    assert verify_audit_chain(session).ok


_NOT_COMPARED = {"id", "entity_id", "record_id", "seq", "created_at", "updated_at", "at", "hash", "prev_hash"}


def _written(session: Session) -> dict[str, Any]:
    """What an import wrote, without the ids and times two databases may number differently."""

    def plain(values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in values.items() if k not in _NOT_COMPARED}

    licences = [plain(licence.snapshot()) for licence in session.scalars(sa.select(Licence).order_by(Licence.id))]
    audit = session.scalars(sa.select(AuditLog).order_by(AuditLog.seq)).all()
    events = session.scalars(sa.select(ChangeEvent).order_by(ChangeEvent.seq)).all()
    return {
        "licences": licences,
        "subjects": [e.name for e in session.scalars(sa.select(Entity).order_by(Entity.id))],
        "audit": [(a.action, a.record_type, plain(a.after or {})) for a in audit],
        "events": [(e.record_type, e.operation, plain(e.payload)) for e in events],
    }


def test_the_batched_writer_leaves_the_licences_the_service_leaves(session, world, finance, monkeypatch):
    """The same sheet through both writers, in chunks of three rows (a row finds what an earlier
    chunk staged or wrote): the same licences, subjects, audit rows and outbox events, the same report."""
    monkeypatch.setattr(importing, "CHUNK_ROWS", 3)
    rows = two_rows(world)
    name, code = company(12)
    sheet = [
        rows[0],
        licence_row(world.finance, rows[0]["行政相对人名称"], rows[0]["统一社会信用代码"], "浙财许〔2026〕103号"),
        rows[1],
        rows[0],  # unchanged: the first row again, in another chunk
        {**rows[1], "许可内容": "另一许可内容"},  # a conflict with row 4
        licence_row(world.finance, name, code, "浙财许〔2026〕104号", **{"许可类别": "批准"}),  # refused
        licence_row(world.finance, name, code, "浙财许〔2026〕105号"),
    ]
    found = {}
    for writer in ("services", "batched"):
        savepoint = session.begin_nested()
        report = run(session, xlsx_bytes(LICENCE_HEADERS, sheet), actor=finance, mode="skip", writer=writer)
        counts = (report.rows, report.created, report.unchanged, report.conflicts, report.rejected)
        # The conflict names the recorded licence's id, which PostgreSQL's sequences number anew.
        problems = [(row, column, value, re.sub(r"\d+", "N", reason)) for row, column, value, reason in reasons(report)]
        found[writer] = (counts, report.entities_created, problems, _written(session))
        savepoint.rollback()
    assert found["batched"] == found["services"]
    counts, subjects, problems, written = found["services"]
    assert (counts, subjects) == ((7, 4, 1, 1, 1), 3)
    assert [(row, column) for row, column, *_ in problems] == [(6, "许可内容"), (7, "许可类别")]
    assert len(written["licences"]) == 4
    assert [a[1] for a in written["audit"]].count("licence") == 4


def test_importing_again_changes_nothing_and_other_content_is_a_conflict(session, world, finance):
    rows = two_rows(world)
    run(session, xlsx_bytes(LICENCE_HEADERS, rows), actor=finance)
    before = ledger_size(session)

    again = run(session, xlsx_bytes(LICENCE_HEADERS, rows), actor=finance)
    assert (again.unchanged, again.created, again.problems) == (2, 0, [])
    assert ledger_size(session) == before

    rows[0]["许可内容"] = "建筑工程施工总承包壹级"
    changed = run(session, xlsx_bytes(LICENCE_HEADERS, rows), actor=finance, mode="skip")
    assert (changed.conflicts, changed.unchanged, changed.created) == (1, 1, 0)
    (problem,) = changed.problems
    recorded = session.scalars(sa.select(Licence).where(Licence.decision_number == "浙财许〔2026〕101号")).one()
    assert (problem.row, problem.column, problem.value) == (2, "许可内容", "建筑工程施工总承包壹级")
    assert problem.said("zh") == (
        f"冲突：已登记的同一文号的行政许可 {recorded.id}记载为“建筑工程施工总承包贰级”；未予采用：已登记的决定只能通过"
        f"说明理由的更正修改（PATCH /api/v1/licences/{recorded.id}），不能通过重复导入修改。"
    )
    assert recorded.content == "建筑工程施工总承包贰级"
    assert ledger_size(session) == before


def test_the_same_number_twice_in_one_file_is_one_licence(session, world, finance):
    rows = two_rows(world)
    report = run(session, xlsx_bytes(LICENCE_HEADERS, [rows[0], rows[0]]), actor=finance)
    assert (report.created, report.unchanged) == (1, 1)
    assert count(session, Licence) == 1


# ---------------------------------------------------------------------------------------------
# Bad cells: row, column, Chinese reason, nothing half-written


def bad_sheet(world: Any) -> bytes:
    """Row 2 good; row 3 a day that does not exist; row 4 an unknown 许可类别; row 5 the housing
    authority's licence; row 6 有效期至 before 有效期自; row 7 a new licence already revoked."""
    names = [company(20 + i, "温州", "市政工程") for i in range(6)]
    rows = [
        licence_row(world.finance, *names[0], "浙财许〔2026〕201号"),
        licence_row(world.finance, *names[1], "浙财许〔2026〕202号", **{"许可决定日期": "2026-02-30"}),
        licence_row(world.finance, *names[2], "浙财许〔2026〕203号", **{"许可类别": "特别"}),
        licence_row(
            world.housing,
            *names[3],
            "浙建许〔2026〕204号",
            **{"数据来源单位": world.finance.name, "数据来源单位统一社会信用代码": world.finance.uscc},
        ),
        licence_row(world.finance, *names[4], "浙财许〔2026〕205号", **{"有效期至": dt.datetime(2026, 1, 1)}),
        licence_row(world.finance, *names[5], "浙财许〔2026〕206号", **{"当前状态": "已撤销"}),
    ]
    return xlsx_bytes(LICENCE_HEADERS, rows)


def test_bad_cells_are_reported_by_row_and_column_in_chinese_and_nothing_is_written(session, world, finance):
    before = ledger_size(session), count(session, Entity)
    report = run(session, bad_sheet(world), actor=finance)

    assert (report.rows, report.rejected, report.held_back, report.created, report.written) == (6, 5, 1, 0, False)
    authority = f"本次导入只登记浙江省财政厅（机关 {world.finance.id}）作出的决定"
    found = reasons(report)
    assert found[0] == (3, "许可决定日期", "2026-02-30", "不是日历上存在的日期（day is out of range for month）。")
    assert found[1] == (4, "许可类别", "特别", "须为以下之一：普通、特许、认可、核准、登记、其他。")
    assert [(r, c, v) for r, c, v, _ in found[2:4]] == [
        (5, "许可机关统一社会信用代码", world.housing.uscc),
        (5, "许可机关", "浙江省住房和城乡建设厅"),
    ]
    assert all(authority in reason and "谁批准、谁公开" in reason for *_, reason in found[2:4])
    assert found[4][:3] == (6, "有效期至", "2026-01-01")
    assert found[4][3].startswith("日期 2026-01-01 早于")
    assert found[5] == (
        7,
        "当前状态",
        "已撤销",
        "新登记的行政许可状态为“有效”；撤销或注销须在登记后另行办理并说明理由。",
    )
    assert [p.said("en") for p in report.problems][1] == "must be one of 普通、特许、认可、核准、登记、其他"
    assert count(session, Licence) == 0
    assert (ledger_size(session), count(session, Entity)) == before  # not even the good row's subject


def test_mode_skip_writes_the_good_row_and_leaves_nothing_of_the_bad_ones(session, world, finance):
    before = count(session, Entity)
    report = run(session, bad_sheet(world), actor=finance, mode="skip")
    assert (report.created, report.rejected, report.entities_created, report.written) == (1, 5, 1, True)
    assert [licence.decision_number for licence in session.scalars(sa.select(Licence))] == ["浙财许〔2026〕201号"]
    assert count(session, Entity) == before + 1  # the rejected rows registered no subject
    assert verify_audit_chain(session).ok


def test_an_expired_licence_may_be_recorded_as_such_only_when_its_end_has_passed(session, world, finance):
    name, code = company(30)
    other, other_code = company(31)
    rows = [
        licence_row(
            world.finance,
            name,
            code,
            "浙财许〔2020〕1号",
            **{
                "许可决定日期": dt.datetime(2020, 3, 2),
                "有效期自": dt.datetime(2020, 3, 2),
                "有效期至": dt.datetime(2025, 3, 1),
                "当前状态": "已过期",
            },
        ),
        licence_row(world.finance, other, other_code, "浙财许〔2026〕2号", **{"当前状态": "已过期"}),
    ]
    report = run(session, xlsx_bytes(LICENCE_HEADERS, rows), actor=finance, mode="skip")
    assert (report.created, report.rejected) == (1, 1)
    assert reasons(report) == [
        (3, "当前状态", "已过期", "填写为“已过期”，但有效期至尚未届满：是否过期按有效期至判断。")
    ]
    licence = session.scalars(sa.select(Licence)).one()
    assert (licence.status, licence.status_on(factories.TODAY)) == ("effective", "expired")


def test_a_formula_cell_is_refused_naming_its_column(session, world, finance):
    name, code = company(32)
    book = Workbook()
    sheet: Any = book.active
    sheet.append(LICENCE_HEADERS)
    row = licence_row(world.finance, name, code, "浙财许〔2026〕301号", **{"许可决定日期": "=TODAY()"})
    sheet.append([row.get(h) for h in LICENCE_HEADERS])
    out = io.BytesIO()
    book.save(out)
    report = run(session, out.getvalue(), actor=finance)
    assert reasons(report) == [(2, "许可决定日期", "=TODAY()", "公式单元格：请复制后“选择性粘贴”为数值再导入。")]
    assert count(session, Licence) == 0


# ---------------------------------------------------------------------------------------------
# Headers and the kind


def test_an_older_sheet_with_its_own_headers_imports(session, world, finance):
    headers = [OLDER.get(h, h) for h in LICENCE_HEADERS]
    rows = [{OLDER.get(h, h): v for h, v in row.items()} for row in two_rows(world)]
    report = run(session, csv_bytes(headers, rows, encoding="gb18030"), "许可.csv", actor=finance)
    assert (report.kind, report.created, report.problems) == ("licences", 2, [])
    assert {licence.licence_category for licence in session.scalars(sa.select(Licence))} == {"核准", "登记"}


def test_a_sheet_without_a_column_the_licence_service_needs_is_refused_whole(session, world, finance):
    headers = [h for h in LICENCE_HEADERS if h not in ("许可类别", "有效期自")]
    before = ledger_size(session)
    with pytest.raises(FileRefused) as refused:
        run(session, xlsx_bytes(headers, two_rows(world)), "缺列.xlsx", actor=finance)
    assert render(refused.value.text, "zh") == "缺列.xlsx：缺少必填列：许可类别、有效期自；未导入任何记录。"
    assert ledger_size(session) == before


@pytest.mark.parametrize(
    ("headers", "kind"),
    [
        (LICENCE_HEADERS, "licences"),
        ([OLDER.get(h, h) for h in LICENCE_HEADERS], "licences"),
        (export_headers("licences"), "licences"),
        (PENALTY_HEADERS, "penalties"),
        (export_headers("penalties"), "penalties"),
        (LIST_ENTRY_HEADERS, "list-entries"),
        (export_headers("list-entries"), "list-entries"),
    ],
)
def test_the_kind_is_told_among_three_by_the_header_row(headers, kind):
    assert detect_kind(list(headers), "a.xlsx") == kind


@pytest.mark.parametrize(
    "headers",
    [
        ["行政相对人名称", "统一社会信用代码", "数据来源单位", "备注"],  # every kind has these
        ["行政相对人名称", "统一社会信用代码", "许可类别", "处罚类别"],  # one licence header, one penalty header
        ["行政相对人名称", "名单名称", "行政许可决定文书号", "统一社会信用代码"],  # one list header, one licence header
    ],
)
def test_an_ambiguous_header_row_is_refused_naming_the_three_kinds(headers):
    with pytest.raises(FileRefused) as refused:
        detect_kind(headers, "不明.xlsx")
    chinese = render(refused.value.text, "zh")
    assert chinese.startswith("不明.xlsx：无法从表头判断文件是行政处罚")
    assert all(kind in chinese for kind in ("行政处罚", "名单", "行政许可"))
    assert "还是行政许可" in refused.value.chinese  # as the upload page says it, without the file's name
    assert "or licences (" in str(refused.value.text)


def test_the_kind_given_wins_and_an_unknown_kind_is_refused(session, world, finance):
    report = run(session, xlsx_bytes(LICENCE_HEADERS, two_rows(world)), actor=finance, kind="licences")
    assert (report.kind, report.created) == ("licences", 2)
    with pytest.raises(Exception, match="kind"):
        run(session, xlsx_bytes(LICENCE_HEADERS, two_rows(world)), actor=finance, kind="permits")


def test_file_wide_defaults_are_not_used_for_licences_and_the_report_says_so(session, world, finance):
    rows = two_rows(world)
    report = run(session, xlsx_bytes(LICENCE_HEADERS, rows), actor=finance, defaults={"severity": "general"})
    assert (report.created, report.defaults) == (2, {})
    assert report.chinese_notes == [
        "文件默认值（severity）只适用于行政处罚和名单；行政许可没有失信程度和交易领域，未使用。"
    ]


def test_another_authoritys_supervisor_imports_nothing_of_this_sheet(session, world):
    housing = factories.supervisor_of(world.housing)
    report = run(session, xlsx_bytes(LICENCE_HEADERS, two_rows(world)), actor=housing)
    assert (report.rejected, report.created) == (2, 0)
    assert {p.column for p in report.problems} == {"许可机关", "许可机关统一社会信用代码"}
    assert count(session, Licence) == 0


# ---------------------------------------------------------------------------------------------
# The command line


def _cli(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["registry", "import", *args])


def test_the_cli_imports_a_licence_sheet(app, session, runtime, world, tmp_path: Path):
    path = tmp_path / "行政许可2026-11.xlsx"
    path.write_bytes(xlsx_bytes(LICENCE_HEADERS, two_rows(world)))
    result = _cli(app, str(path), "--authority", str(world.finance.id), "--kind", "licences")
    assert result.exit_code == 0, result.output
    assert "行政许可2026-11.xlsx 中的行政许可：共 2 行：新登记 2 行" in result.stdout
    assert count(session, Licence) == 2
    actors = set(session.scalars(sa.select(AuditLog.actor_name).where(AuditLog.record_type == "licence")))
    assert actors == {"cli operator"}


def test_the_cli_exits_1_on_bad_rows_and_2_on_a_file_it_cannot_read_in_chinese(app, session, runtime, world, tmp_path):
    bad = tmp_path / "坏行.xlsx"
    bad.write_bytes(bad_sheet(world))
    result = _cli(app, str(bad), "--authority", str(world.finance.id))
    assert result.exit_code == 1, result.output
    assert "不是日历上存在的日期" in result.stderr
    assert "须为以下之一：普通、特许、认可、核准、登记、其他" in result.stderr
    assert count(session, Licence) == 0

    missing = tmp_path / "缺列.csv"
    missing.write_bytes(csv_bytes([h for h in LICENCE_HEADERS if h != "许可类别"], two_rows(world)))
    result = _cli(app, str(missing), "--authority", str(world.finance.id))
    assert result.exit_code == 2, result.output
    assert "缺少必填列：许可类别" in result.stderr

    unclear = tmp_path / "不明.csv"
    unclear.write_bytes(csv_bytes(["行政相对人名称", "统一社会信用代码", "许可类别", "处罚类别"], []))
    result = _cli(app, str(unclear), "--authority", str(world.finance.id))
    assert result.exit_code == 2, result.output
    assert "无法从表头判断文件是行政处罚" in result.stderr
    assert "还是行政许可" in result.stderr
    assert count(session, Licence) == 0
