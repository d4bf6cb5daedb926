"""`flask registry import FILE`, through Flask's CLI runner: exit codes, the summary, the report
file, and one commit (none in mode all when a row is bad).

The command uses `db.session`, which the `session` fixture points at its rolled-back transaction.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from openpyxl import load_workbook

from registry.models import AuditLog, Entity, Penalty
from tests.import_sheets import (
    PENALTY_HEADERS,
    company,
    penalty_row,
    shuanggongshi_sheet,
    xlsx_bytes,
)
from tests.ledger_queries import ledger_size

BROKEN_ROWS = (8, 9, 10, 11)


def _run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["registry", "import", *args])


def _count(session, model) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def sheet(world, tmp_path) -> Path:
    heads, rows = shuanggongshi_sheet(world.finance, world.housing)
    path = tmp_path / "浙江省财政厅双公示2026年11月.xlsx"
    path.write_bytes(xlsx_bytes(heads, rows))
    return path


@pytest.fixture
def good_sheet(world, tmp_path) -> Path:
    heads, rows = shuanggongshi_sheet(world.finance, world.housing)
    path = tmp_path / "good.xlsx"
    path.write_bytes(xlsx_bytes(heads, [r for i, r in enumerate(rows, start=2) if i not in BROKEN_ROWS]))
    return path


def test_a_good_file_is_imported_and_exits_0(app, session, runtime, world, good_sheet, tmp_path):
    report = tmp_path / "report.csv"
    result = _run(app, str(good_sheet), "--authority", str(world.finance.id), "--report", str(report))

    assert result.exit_code == 0, result.output
    assert "共 11 行" not in result.stdout
    assert "共 7 行：新登记 7 行，已登记且内容相同 0 行，与已登记内容冲突 0 行，被拒绝 0 行" in result.stdout
    assert "新登记了 6 个主体" in result.stdout
    assert f"importing {good_sheet.name}" in result.stderr  # the progress bar's label, on stderr
    assert _count(session, Penalty) == 7
    actors = set(session.scalars(sa.select(AuditLog.actor_name).where(AuditLog.record_type == "penalty")))
    assert actors == {"cli operator"}
    rows = list(csv.reader(io.StringIO(report.read_bytes().decode("utf-8-sig"))))
    assert rows == [["行号 row", "列 column", "值 value", "原因 reason"]]

    again = _run(app, str(good_sheet), "--authority", str(world.finance.id))
    assert again.exit_code == 0, again.output
    assert "新登记 0 行，已登记且内容相同 7 行" in again.stdout
    assert _count(session, Penalty) == 7


def test_bad_rows_in_mode_all_exit_1_write_nothing_and_are_reported(app, session, runtime, world, sheet, tmp_path):
    report = tmp_path / "问题.xlsx"
    before = ledger_size(session), _count(session, Entity)
    result = _run(app, str(sheet), "--authority", str(world.finance.id), "--report", str(report))

    assert result.exit_code == 1, result.output
    assert "未写入任何记录" in result.stdout
    assert f"4 行被拒绝，0 行与已登记内容冲突；详见 {report}" in result.stderr
    assert _count(session, Penalty) == 0
    assert (ledger_size(session), _count(session, Entity)) == before
    problems = [[c.value for c in row] for row in load_workbook(report).worksheets[0].iter_rows(min_row=2)]
    assert sorted({row[0] for row in problems}) == list(BROKEN_ROWS)
    assert ["罚款金额（万元）", "2000元"] in [row[1:3] for row in problems]


def test_mode_skip_writes_the_good_rows_and_exits_1(app, session, runtime, world, sheet):
    result = _run(app, str(sheet), "--authority", str(world.finance.id), "--mode", "skip")

    assert result.exit_code == 1, result.output
    assert "共 11 行：新登记 7 行，已登记且内容相同 0 行，与已登记内容冲突 0 行，被拒绝 4 行" in result.stdout
    assert "4 行被拒绝，0 行与已登记内容冲突" in result.stderr
    # Without --report the problems are shown on the terminal.
    assert "第 8 行“罚款金额（万元）”列 '2000元'：该列以万元为单位" in result.stderr  # the reason in Chinese
    assert _count(session, Penalty) == 7


def test_a_conflict_exits_1_and_changes_nothing(app, session, runtime, world, tmp_path):
    name, code = company(43)
    row = penalty_row(world.finance, name, code, "浙财采罚〔2026〕990号")
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    first.write_bytes(xlsx_bytes(PENALTY_HEADERS, [row]))
    second.write_bytes(xlsx_bytes(PENALTY_HEADERS, [{**row, "处罚内容": "罚款人民币六千元"}]))
    assert _run(app, str(first), "--authority", str(world.finance.id)).exit_code == 0
    result = _run(app, str(second), "--authority", str(world.finance.id), "--mode", "skip")
    assert result.exit_code == 1
    assert "0 行被拒绝，1 行与已登记内容冲突" in result.stderr
    assert "处罚内容" in result.stderr
    assert session.scalars(sa.select(Penalty.content)).one() == row["处罚内容"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "错误：upload.xlsx 是旧版 Excel 97-2003 工作簿"),
        (b"PK\x03\x04 not really a workbook", "错误：无法将 upload.xlsx 作为 XLSX 工作簿读取"),
        (b"", "错误：upload.xlsx 是空文件。"),
    ],
)
def test_a_file_that_cannot_be_read_exits_2(app, session, runtime, world, tmp_path, content, words):
    path = tmp_path / "upload.xlsx"
    path.write_bytes(content)
    result = _run(app, str(path), "--authority", str(world.finance.id))
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert result.stderr.count("错误：") == 1
    assert "file：" not in result.stderr
    assert _count(session, Penalty) == 0


def test_missing_columns_exit_2_naming_them(app, session, runtime, world, tmp_path):
    name, code = company(44)
    heads = [h for h in PENALTY_HEADERS if h != "行政处罚决定书文号"]
    path = tmp_path / "缺列.xlsx"
    path.write_bytes(xlsx_bytes(heads, [penalty_row(world.finance, name, code, "x")]))
    result = _run(app, str(path), "--authority", str(world.finance.id))
    assert result.exit_code == 2
    assert "缺少必填列：行政处罚决定书文号" in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "错误：须用 --authority 给出机关编号"),
        (("--authority", "987654"), "authority_id：机关 987654 不存在。"),
        (("--authority", "1", "--report", "out.txt"), "错误：--report out.txt：校验报告只能写成 .csv 或 .xlsx 文件。"),
    ],
)
def test_the_command_refuses_to_run_without_what_it_needs(app, session, runtime, world, good_sheet, args, words):
    result = _run(app, str(good_sheet), *args)
    assert result.exit_code == 2
    assert words in result.stderr
    assert _count(session, Penalty) == 0
