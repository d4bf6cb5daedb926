"""Snapshot exports over HTTP: every kind in every format, the standard headers, the formula guard,
roles, not-public records, and agreement with the feed's latest rendering of each record."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from registry.codes.idnumber import IdentityVault
from registry.evidence.anchoring import anchor
from registry.evidence.signing import signature_valid
from registry.records import entities
from sync.exports import FORMATS, export_records, text_cell, write_export
from sync.national import KINDS, DataSource, columns, headers, kind_of
from tests import factories
from tests.conftest import auth

OPERATOR = DataSource("浙江省公共资源交易中心", "12330000MB0000000X")
EXPORTS = "/api/v1/exports"


@pytest.fixture
def records(client, session, world, runtime):
    """Two entities with a penalty and a list entry each; one renamed, then its penalty corrected;
    a screening, anchored."""
    first = factories.make_entity(session, "杭州导出一建设有限公司")
    second = factories.make_entity(session, "杭州导出二建设有限公司")
    penalty = factories.make_penalty(session, world.finance, first)
    factories.make_penalty(session, world.housing, second, data_source_authority_id=world.finance.id)
    factories.make_list_entry(session, world.finance, first)
    factories.make_list_entry(session, world.finance, second)
    entities.update_entity(
        session,
        first.id,
        {"name": "杭州导出新名建设有限公司", "renamed_on": dt.date(2026, 11, 20)},
        factories.ADMIN,
        first.version,
        IdentityVault("test-data-protection-secret"),
        factories.TODAY,
    )
    from registry.records import penalties

    penalties.correct_penalty(
        session,
        penalty.id,
        {"remarks": "更正备注"},
        "录入错误",
        factories.supervisor_of(world.finance),
        penalty.version,
        factories.TODAY,
        rules=factories.rules(session),
    )
    session.commit()
    screened = client.post(
        "/api/v1/screenings",
        json={"domain": "procurement", "project_code": "P-1", "subjects": [{"name": "宁波导出三贸易有限公司"}]},
        headers=auth(world.screener_key),
    )
    assert screened.status_code == 201, screened.json
    assert anchor(session, runtime.signer) is not None
    session.commit()
    licence = {
        "entity_id": second.id,
        "decision_document_name": "准予行政许可决定书",
        "decision_number": "浙许〔2026〕1号",
        "licence_category": "普通",
        "content": "经营许可",
        "decided_on": "2026-11-02",
        "valid_from": "2026-11-02",
    }
    assert client.post("/api/v1/licences", json=licence, headers=auth(world.finance_key)).status_code == 201
    return {"penalties": 2, "list-entries": 2, "name-changes": 1, "evidence-anchors": 1, "licences": 1}


def _get(client, key, kind, fmt):
    return client.get(f"{EXPORTS}/{kind}.{fmt}", headers=auth(key))


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _xlsx_rows(body: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(body), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def _jsonl(body: bytes) -> list[dict]:
    return [json.loads(line) for line in body.decode("utf-8").splitlines()]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_in_every_format(client, world, records, kind, fmt):
    r = _get(client, world.platform_key, kind, fmt)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.headers["Content-Disposition"] == f'attachment; filename="{kind}_2026-11-23.{fmt}"'
    body = r.get_data()
    if fmt == "csv":
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        rows = _csv_rows(body)
        assert rows[0] == headers(kind)
        data = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    elif fmt == "xlsx":
        assert r.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        rows = _xlsx_rows(body)
        assert list(rows[0]) == headers(kind)
        data = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    else:
        data = _jsonl(body)
        assert all(list(row) == [c.name for c in columns(kind)] for row in data)
        data = [{c.header: row[c.name] for c in columns(kind)} for row in data]
    assert len(data) == records[kind]
    record_ids = [int(row["记录编号"]) for row in data]
    assert record_ids == sorted(record_ids)
    if kind == "penalties":
        corrected = next(row for row in data if row["备注"] == "更正备注")
        assert corrected["变更操作"] == "correct"
        assert int(corrected["版本号"]) == 2
        assert Decimal(str(corrected["罚款金额（万元）"])) == Decimal("0.5")
    elif kind == "name-changes":
        assert data[0]["变更前名称"] == "杭州导出一建设有限公司"
        assert data[0]["主体名称"] == "杭州导出新名建设有限公司"
    elif kind == "evidence-anchors":
        [row] = data
        size = int(row["树大小"])
        assert (int(row["记录编号"]), row["变更操作"], row["签名算法"]) == (size, "anchor", "Ed25519")
        # Every cell as signed, in every format: the row alone proves the anchor.
        assert signature_valid(row["签名公钥"], size, bytes.fromhex(row["根哈希"]), row["锚定时间"], row["签名"])


def test_xlsx_cells_keep_numbers_numeric(client, world, records):
    rows = _xlsx_rows(_get(client, world.admin_key, "penalties", "xlsx").get_data())
    header = rows[0]
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=True))
        assert cells["罚款金额（万元）"] == 0.5  # a number Excel can sum, not text
        assert isinstance(cells["变更序号"], int)
        assert isinstance(cells["版本号"], int)
        assert cells["处罚类别"] == "罚款"
        assert cells["是否暂缓公开"] == "否"


def test_text_that_looks_like_a_formula_is_defused(client, session, world):
    entity = factories.make_entity(session, '=HYPERLINK("http://x")建设有限公司')
    factories.make_penalty(
        session,
        world.finance,
        entity,
        facts="+1 提供虚假材料",
        content="-罚款五千元",
        remarks="@SUM(A1)",
        fine_amount="0.5",
    )
    session.commit()
    csv_row = dict(zip(*_csv_rows(_get(client, world.platform_key, "penalties", "csv").get_data()), strict=True))
    assert csv_row["行政相对人名称"] == '\'=HYPERLINK("http://x")建设有限公司'
    assert csv_row["违法事实"] == "'+1 提供虚假材料"
    assert csv_row["处罚内容"] == "'-罚款五千元"
    assert csv_row["备注"] == "'@SUM(A1)"
    assert csv_row["罚款金额（万元）"] == "0.5"  # a number column: never prefixed

    book = load_workbook(io.BytesIO(_get(client, world.platform_key, "penalties", "xlsx").get_data()))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert cells["行政相对人名称"].value == '\'=HYPERLINK("http://x")建设有限公司'
    assert cells["行政相对人名称"].data_type == "s"  # text, not a formula
    assert cells["违法事实"].value == "'+1 提供虚假材料"
    assert cells["罚款金额（万元）"].data_type == "n"

    [line] = _jsonl(_get(client, world.platform_key, "penalties", "jsonl").get_data())
    assert line["subject_name"] == '=HYPERLINK("http://x")建设有限公司'  # data, not a sheet: unchanged


def test_the_guard_covers_tab_and_carriage_return_and_spares_numbers():
    text, amount, seq = (
        next(c for c in columns("penalties") if c.name == name) for name in ("facts", "fine_amount", "seq")
    )
    assert text_cell(text, "\t=1+1") == "'\t=1+1"
    assert text_cell(text, "\r=1+1") == "'\r=1+1"
    assert text_cell(text, "合规文本 =1") == "合规文本 =1"
    assert text_cell(amount, "-0.5") == Decimal("-0.5")  # numeric, never prefixed
    assert text_cell(seq, 12) == 12


def test_only_the_platform_and_admins_may_export(client, world, records):
    assert _get(client, world.admin_key, "penalties", "csv").status_code == 200
    assert _get(client, world.screener_key, "penalties", "csv").status_code == 403
    assert _get(client, world.finance_key, "list-entries", "jsonl").status_code == 403
    assert client.get(f"{EXPORTS}/penalties.csv").status_code == 401
    unknown = client.get(f"{EXPORTS}/penalties.csv", headers=auth("crk_not-a-key"))
    assert unknown.status_code == 401


@pytest.mark.parametrize("name", ["things.csv", "penalties.pdf", "penalties", "name_changes.jsonl"])
def test_an_unknown_kind_or_format_is_404_naming_the_valid_ones(client, world, name):
    r = client.get(f"{EXPORTS}/{name}", headers=auth(world.platform_key))
    assert r.status_code == 404
    assert "penalties, list-entries, name-changes" in r.json["message"]
    assert "csv, xlsx, jsonl" in r.json["message"]


def test_records_that_are_not_public_are_left_out_unless_configured(app, client, session, world, monkeypatch):
    entity = factories.make_entity(session, "杭州不公开建设有限公司")
    factories.make_list_entry(session, world.finance, entity)
    hidden = factories.make_list_entry(
        session, world.finance, entity, is_public=False, not_public_reason="涉及国家秘密"
    )
    session.commit()
    rows = _jsonl(_get(client, world.platform_key, "list-entries", "jsonl").get_data())
    assert hidden.id not in [row["record_id"] for row in rows]
    assert len(rows) == 1
    assert len(_csv_rows(_get(client, world.platform_key, "list-entries", "csv").get_data())) == 2

    monkeypatch.setitem(app.config, "SYNC_INCLUDE_NOT_PUBLIC", True)
    rows = _jsonl(_get(client, world.platform_key, "list-entries", "jsonl").get_data())
    shown = next(row for row in rows if row["record_id"] == hidden.id)
    assert (shown["withheld"], shown["is_public"], shown["not_public_reason"]) == (False, False, "涉及国家秘密")


def test_the_export_equals_the_latest_rendering_the_feed_gave(client, world, records):
    latest: dict[tuple[str, int], dict] = {}
    after = 0
    while True:
        page = client.get(f"/api/v1/feed?after={after}&limit=7", headers=auth(world.platform_key)).json
        for event in page["events"]:
            if not event["internal"]:
                latest[(event["record_type"], event["record_id"])] = event["record"]
        if not page["has_more"]:
            break
        after = page["next_after"]
    exported = {}
    for kind in KINDS:
        for row in _jsonl(_get(client, world.platform_key, kind, "jsonl").get_data()):
            assert kind_of(row["record_type"], row["operation"]) == kind
            exported[(row["record_type"], row["record_id"])] = row
    assert exported == latest
    assert len(exported) == sum(records.values())


def test_exports_stream_in_chunks_and_write_to_a_file(session, world, records, tmp_path, monkeypatch):
    whole = list(export_records(session, "penalties", include_not_public=False, operator=OPERATOR))
    chunked = list(export_records(session, "penalties", include_not_public=False, operator=OPERATOR, chunk_rows=1))
    assert chunked == whole
    assert len(whole) == 2
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    out = io.BytesIO()
    assert write_export(session, "list-entries", "xlsx", out, include_not_public=False, operator=OPERATOR) == 2
    assert len(_xlsx_rows(out.getvalue())) == 3
    assert list(tmp_path.iterdir()) == []  # the temporary workbook is gone once streamed
    out = io.BytesIO()
    assert write_export(session, "name-changes", "csv", out, include_not_public=False, operator=OPERATOR) == 1
    rows = _csv_rows(out.getvalue())
    assert rows[0] == headers("name-changes")
    assert dict(zip(rows[0], rows[1], strict=True))["数据来源单位"] == OPERATOR.name


def test_an_empty_export_still_has_its_header_row(session, world):
    out = io.BytesIO()
    assert write_export(session, "name-changes", "xlsx", out, include_not_public=False, operator=OPERATOR) == 0
    assert _xlsx_rows(out.getvalue()) == [headers("name-changes")]
    out = io.BytesIO()
    write_export(session, "penalties", "jsonl", out, include_not_public=False, operator=OPERATOR)
    assert out.getvalue() == b""
