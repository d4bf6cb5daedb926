"""Real 双公示 data imports: the standard 17-column sheet with file-wide defaults, and a 公示截止期
computed under another (local) rule kept as given and flagged, never refused."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import sqlalchemy as sa

from registry.models import Penalty
from tests import factories
from tests.conftest import auth
from tests.import_sheets import csv_bytes

# The standard sheet as authorities publish it: the 双公示 fields, no 失信程度, no 交易领域.
STANDARD_17 = [
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "法定代表人",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "处罚决定日期",
    "处罚有效期",
    "公示截止期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
]


def sample_row(
    finance, name: str = "杭州合晟建设工程有限公司", number: str = "浙财采罚〔2019〕12号", code: str | None = None
) -> list[str]:
    """The published sample record: decided 2019-10-10, 处罚有效期 2019-10-17, 公示截止期 2020-10-17 — an
    end no national tier gives from that date (under 发改办财金〔2019〕527号 an 一般 record runs to
    2020-10-10 at most)."""
    return [
        name,
        "法人及非法人组织",
        code or factories.code(),
        "张三",
        number,
        "提供虚假材料",
        "在某项目中提供虚假业绩材料",
        "《中华人民共和国政府采购法》第七十七条",
        "罚款",
        "罚款人民币二千元",
        "0.2",
        "2019-10-10",
        "2019-10-17",
        "2020-10-17",
        finance.name,
        finance.uscc,
        finance.name,
    ]


def sheet(tmp_path: Path, finance, rows: int = 1) -> Path:
    path = tmp_path / "双公示.csv"
    data = [sample_row(finance, f"杭州合晟{i}号建设工程有限公司", f"浙财采罚〔2019〕{i}号") for i in range(rows)]
    path.write_bytes(csv_bytes(STANDARD_17, data))
    return path


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["registry", "import", *args])


def test_the_standard_sheet_without_a_default_is_refused_naming_the_missing_default(app, world, tmp_path):
    """No 失信程度 column and no file-wide default: a clear refusal naming both, nothing written."""
    result = run(app, str(sheet(tmp_path, world.finance)), "--authority", str(world.finance.id))
    assert result.exit_code != 0
    assert "严重程度" in result.output
    assert "--severity" in result.output


def test_the_sample_record_imports_with_its_end_kept_as_given_and_flagged(app, session, world, tmp_path):
    """A 公示截止期 computed under another (local) rule is kept as given and flagged in the report."""
    report = tmp_path / "report.csv"
    result = run(
        app,
        str(sheet(tmp_path, world.finance, rows=2)),
        "--authority",
        str(world.finance.id),
        "--severity",
        "general",
        "--report",
        str(report),
    )
    assert result.exit_code == 0, result.output
    stored = session.scalars(sa.select(Penalty).order_by(Penalty.id)).all()
    assert len(stored) == 2
    for penalty in stored:
        assert (penalty.severity, penalty.domain) == ("general", "procurement")
        assert penalty.publication_ends_on == dt.date(2020, 10, 17)
        assert penalty.publication_end_as_given
        assert "公示截止期按来源数据保留" in (penalty.publication_note or "")
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    flagged = [r for r in rows if "已按所填保留并标注" in " ".join(r)]  # the report file says why in Chinese
    assert len(flagged) == 2
    assert all("公示截止期" in " ".join(r) for r in flagged)


def test_a_kept_end_survives_recomputing_the_rules(app, session, world, tmp_path):
    """Re-deriving periods after a catalogue change keeps a date kept as given."""
    run(app, str(sheet(tmp_path, world.finance)), "--authority", str(world.finance.id), "--severity", "general")
    result = app.test_cli_runner().invoke(args=["registry", "recompute-rules"])
    assert result.exit_code == 0, result.output
    penalty = session.scalars(sa.select(Penalty)).one()
    session.refresh(penalty)
    assert penalty.publication_ends_on == dt.date(2020, 10, 17)


def test_the_api_takes_the_defaults_as_fields(client, session, world, tmp_path):
    """POST /api/v1/imports: severity and domain stand in for the columns the sheet lacks."""
    body = sheet(tmp_path, world.finance).read_bytes()
    refused = client.post(
        "/api/v1/imports",
        headers=auth(world.finance_key),
        data={"file": (io.BytesIO(body), "双公示.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "default_severity" in refused.json["errors"]
    r = client.post(
        "/api/v1/imports",
        headers=auth(world.finance_key),
        data={"file": (io.BytesIO(body), "双公示.csv"), "severity": "general"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200, r.json
    assert r.json["counts"]["created"] == 1
    assert any("已按所填保留并标注" in p["reason"] for p in r.json["problems"])
    assert any("kept as given" in p["reason_en"] for p in r.json["problems"])


def test_a_procedure_column_is_read(app, session, world, tmp_path):
    """处罚程序 (简易程序 / 普通程序) is a column of the import like of the export."""
    path = tmp_path / "程序.csv"
    row = sample_row(world.finance)
    row[11], row[12], row[13] = "2026-06-01", "", ""
    path.write_bytes(csv_bytes([*STANDARD_17, "处罚程序"], [[*row, "简易程序"]]))
    result = run(app, str(path), "--authority", str(world.finance.id), "--severity", "general")
    assert result.exit_code == 0, result.output
    penalty = session.scalars(sa.select(Penalty)).one()
    # 国家发展改革委令第36号: a 简易程序 decision is 轻微 and not published; the file-wide default
    # stands only where the rules cannot say
    assert (penalty.procedure, penalty.severity, penalty.publishable) == ("simple", "minor", False)
