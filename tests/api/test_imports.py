"""POST /api/v1/imports through the HTTP client: multipart uploads, roles and authorities, mode all
(422, nothing written) and skip, the report as JSON or as a CSV/XLSX body, the size limit."""

from __future__ import annotations

import csv
import io
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from registry.models import Penalty
from tests.conftest import auth
from tests.import_sheets import (
    PENALTY_HEADERS,
    company,
    csv_bytes,
    penalty_row,
    shuanggongshi_sheet,
    xlsx_bytes,
)
from tests.ledger_queries import ledger_size

URL = "/api/v1/imports"


def multipart(data: bytes, filename: str = "a.xlsx", **form: str) -> tuple[bytes, str]:
    """A multipart body of one file and some form fields, as bytes (given a dict, the test client
    spools a big body to a temporary file it never closes), and its content type."""
    boundary = "----registry-import-test"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in form.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload(
    client,
    key: str | None,
    data: bytes,
    filename: str = "双公示.xlsx",
    query: str = "",
    headers: dict[str, str] | None = None,
    **form: str,
):
    body, content_type = multipart(data, filename, **form)
    return client.post(
        URL + query, data=body, content_type=content_type, headers={**(auth(key) if key else {}), **(headers or {})}
    )


def penalties(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Penalty))


@pytest.fixture
def sheet(world) -> bytes:
    heads, rows = shuanggongshi_sheet(world.finance, world.housing)
    return xlsx_bytes(heads, rows)


@pytest.fixture
def good(world) -> bytes:
    name, code = company(45)
    return xlsx_bytes(
        PENALTY_HEADERS, [penalty_row(world.finance, name, code, f"浙财采罚〔2026〕{n}号") for n in (1001, 1002)]
    )


def test_a_supervisor_imports_a_sheet_of_its_authority(client, session, world, good):
    r = upload(client, world.finance_key, good)
    assert r.status_code == 200, r.json
    body = r.json
    assert body["counts"] == {
        "rows": 2,
        "created": 2,
        "unchanged": 0,
        "conflicts": 0,
        "rejected": 0,
        "held_back": 0,
        "subjects_created": 1,
    }
    assert (body["written"], body["kind"], body["mode"], body["file"]) == (True, "penalties", "all", "双公示.xlsx")
    assert body["authority_id"] == world.finance.id
    assert (body["problems"], body["problems_total"]) == ([], 0)
    assert penalties(session) == 2
    again = upload(client, world.finance_key, good)
    assert again.json["counts"]["unchanged"] == 2


def test_mode_all_with_bad_rows_is_422_and_writes_nothing(client, session, world, sheet):
    before = ledger_size(session)
    r = upload(client, world.finance_key, sheet)
    assert r.status_code == 422, r.json
    assert r.json["written"] is False
    assert (r.json["counts"]["rejected"], r.json["counts"]["held_back"], r.json["counts"]["created"]) == (4, 7, 0)
    assert "未写入任何记录" in r.json["message"]
    assert "nothing was written" in r.json["message_en"]
    assert {p["row"] for p in r.json["problems"]} == {8, 9, 10, 11}
    fine = next(p for p in r.json["problems"] if p["row"] == 8)
    assert (fine["column"], fine["value"]) == ("罚款金额（万元）", "2000元")
    assert fine["reason"] == "该列以万元为单位：罚款 2000 元应填 0.2，不能填 2000元。"
    assert fine["reason_en"] == "the column is in 万元 (ten thousand yuan): a 2,000 yuan fine is 0.2, not 2000元"
    assert penalties(session) == 0
    assert ledger_size(session) == before


def test_the_report_answers_in_the_language_asked_for_with_english_beside(client, world, sheet):
    r = upload(client, world.finance_key, sheet, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert r.status_code == 422
    assert r.json["message"] == r.json["message_en"]
    assert r.json["message"].startswith("penalties from 双公示.xlsx: 11 rows: 0 created")
    assert all(p["reason"] == p["reason_en"] for p in r.json["problems"])


def test_mode_skip_writes_the_good_rows(client, session, world, sheet):
    r = upload(client, world.finance_key, sheet, mode="skip")
    assert r.status_code == 200, r.json
    assert (r.json["counts"]["created"], r.json["counts"]["rejected"], r.json["written"]) == (7, 4, True)
    assert penalties(session) == 7


def test_the_report_as_a_csv_body(client, session, world, sheet):
    r = upload(client, world.finance_key, sheet, query="?report=csv")
    assert r.status_code == 422
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in r.headers["Content-Disposition"]
    assert r.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["行号 row", "列 column", "值 value", "原因 reason"]
    assert rows[1][:3] == ["8", "罚款金额（万元）", "2000元"]
    assert penalties(session) == 0


def test_the_report_as_an_xlsx_body(client, session, world, sheet):
    r = upload(client, world.finance_key, sheet, query="?report=xlsx", mode="skip")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    problems, summary = load_workbook(io.BytesIO(r.data)).worksheets
    assert [c.value for c in next(problems.iter_rows())] == ["行号 row", "列 column", "值 value", "原因 reason"]
    assert {row[0].value for row in problems.iter_rows(min_row=2)} == {8, 9, 10, 11}
    assert {row[0].value: row[1].value for row in summary.iter_rows()}["新增 created"] == 7
    assert penalties(session) == 7


@pytest.mark.parametrize("role", ["screener", "platform", "anonymous"])
def test_only_supervisors_and_administrators_import(client, session, world, good, role):
    r = upload(client, None if role == "anonymous" else getattr(world, f"{role}_key"), good)
    assert r.status_code == (401 if role == "anonymous" else 403), r.json
    assert penalties(session) == 0


def test_an_unknown_key_is_401(client, world, good):
    assert upload(client, "crk_not-a-real-key", good).status_code == 401


def test_a_supervisor_cannot_import_for_another_authority(client, session, world, good):
    r = upload(client, world.finance_key, good, authority_id=str(world.housing.id))
    assert r.status_code == 403
    assert f"机关 {world.finance.id}" in r.json["message"]
    assert f"authority {world.finance.id}" in r.json["message_en"]
    assert penalties(session) == 0


def test_rows_naming_another_authority_are_refused(client, session, world):
    name, code = company(46)
    row = penalty_row(
        world.finance,
        name,
        code,
        "浙建罚〔2026〕77号",
        **{"处罚机关": world.housing.name, "处罚机关统一社会信用代码": world.housing.uscc},
    )
    r = upload(client, world.finance_key, xlsx_bytes(PENALTY_HEADERS, [row]))
    assert r.status_code == 422
    assert {p["column"] for p in r.json["problems"]} == {"处罚机关", "处罚机关统一社会信用代码"}
    assert all("谁批准、谁公开" in p["reason"] for p in r.json["problems"])


def test_an_administrator_names_the_authority(client, session, world, good):
    r = upload(client, world.admin_key, good)
    assert r.status_code == 422
    assert "authority_id" in r.json["errors"]
    r = upload(client, world.admin_key, good, authority_id=str(world.finance.id))
    assert r.status_code == 200, r.json
    assert session.scalars(sa.select(Penalty.authority_id)).all() == [world.finance.id] * 2


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"mode": "sometimes"}, "mode"),
        ({"kind": "repairs"}, "kind"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_form_fields_are_named(client, world, good, form, field):
    r = upload(client, world.finance_key, good, **form)
    assert r.status_code == 422
    assert field in r.json["errors"]
    assert field in r.json["errors_en"]
    assert re.search(r"[\u4e00-\u9fff]", r.json["errors"][field][0]), r.json  # said in Chinese, English beside


def test_the_file_must_be_a_file(client, world):
    r = client.post(
        URL,
        data={"file": "行政相对人名称,处罚类别"},
        content_type="multipart/form-data",
        headers=auth(world.finance_key),
    )
    assert r.status_code == 422
    assert "file" in r.json["errors"]
    r = client.post(URL, data={"mode": "all"}, content_type="multipart/form-data", headers=auth(world.finance_key))
    assert r.status_code == 422
    assert "file" in r.json["errors"]


def test_an_unreadable_file_is_422_saying_why(client, session, world):
    r = upload(client, world.finance_key, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "旧表.xls")
    assert r.status_code == 422
    assert ".xls" in r.json["message"]
    assert "file" in r.json["errors"]


def test_a_csv_in_gb18030_is_read(client, session, world):
    name, code = company(47)
    data = csv_bytes(
        PENALTY_HEADERS, [penalty_row(world.finance, name, code, "浙财采罚〔2026〕1003号")], encoding="gb18030"
    )
    r = upload(client, world.finance_key, data, "双公示.csv")
    assert r.status_code == 200, r.json
    assert session.scalars(sa.select(Penalty.subject_name)).one() == name


def test_only_the_first_thousand_problems_come_back_in_json(client, world):
    name, code = company(48)
    rows = [
        penalty_row(world.finance, name, code, f"浙财采罚〔2026〕{n}号", **{"处罚决定日期": "不详"})
        for n in range(1200)
    ]
    r = upload(client, world.finance_key, csv_bytes(PENALTY_HEADERS, rows), "多.csv", mode="skip")
    assert r.status_code == 200
    assert (len(r.json["problems"]), r.json["problems_total"], r.json["counts"]["rejected"]) == (1000, 1200, 1200)


def test_an_upload_over_16_mb_is_413_in_json(client, world):
    body, content_type = multipart(b"x" * (16 * 1024 * 1024 + 1), "big.csv")
    r = client.post(URL, data=body, content_type=content_type, headers=auth(world.finance_key))
    assert r.status_code == 413
    assert r.is_json
    assert r.json["code"] == 413
    assert "too large" in r.json["message"].lower() or "exceeds" in r.json["message"]


def test_an_idempotent_import_is_replayed_not_repeated(client, session, world, good):
    # The same bytes twice: the replay is recognised by the request's body, multipart boundary included.
    body, content_type = multipart(good)
    headers = {**auth(world.finance_key), "Idempotency-Key": "import-1"}

    def post():
        return client.post(URL, data=body, content_type=content_type, headers=headers)

    first, second = post(), post()
    assert first.status_code == second.status_code == 200
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json["counts"]["created"] == 2
    assert penalties(session) == 2
    xlsx = upload(client, world.finance_key, good, query="?report=xlsx", headers={"Idempotency-Key": "import-2"})
    assert xlsx.status_code == 422
    assert "report" in xlsx.json["errors"]


def test_the_upload_is_documented_as_multipart(client):
    spec = client.get("/api/v1/openapi.json").json
    body = spec["paths"]["/api/v1/imports"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    schema = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]] if "$ref" in body else body
    assert schema["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": schema["properties"]["file"]["description"],
    }
    assert "file" in schema["required"]
