"""Hostile input through the JSON API: oversized, deep and huge bodies, wrong content types, bad
UTF-8, NUL characters where no schema looks, overlong names, formula, SQL and HTML injection.

Every refusal is a 4xx in the API's error shape naming the part of the request at fault; nothing
here may be a 500 (on PostgreSQL a NUL that reaches the database is one). See api/hostile.py.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from api.hostile import MAX_JSON_DEPTH, MAX_JSON_ITEMS
from registry.models import Entity, IdempotencyRecord
from tests import factories
from tests.conftest import auth
from tests.import_sheets import PENALTY_HEADERS, company, csv_bytes, penalty_row

ENTITIES = "/api/v1/entities"
SCREENINGS = "/api/v1/screenings"
IMPORTS = "/api/v1/imports"

FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1"]
# Characters XML 1.0 cannot carry are dropped from XLSX cells: the guard must see the text as written.
HIDDEN_FORMULAS = ["\x01=1+1", "\x0b+1+1", "\x1f@SUM(1)"]
SQL = ["'; DROP TABLE entities; --", '" OR 1=1 --']
HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>']


def assert_error_shape(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == status
    assert isinstance(body["status"], str)
    assert body["status"]
    assert isinstance(body["message"], str)
    assert body["message"]
    if field is not None:
        assert field in body["errors"], body
        assert field in body["message"], body
    return body


def entity_body(**fields) -> dict:
    return {"kind": "legal_entity", "name": "杭州恶意输入测试有限公司", "uscc": factories.code(), **fields}


def entity_count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Entity))


def multipart(parts: list[tuple[str, str | None, bytes]]) -> tuple[bytes, str]:
    """A multipart body from (field, file name or None, content) parts, and its content type."""
    boundary = "----registry-hostile-test"
    out = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# ---------------------------------------------------------------------------------------------
# Size


def test_the_default_limit_is_16_mb_and_a_larger_declared_body_is_413_naming_it(client, world, session):
    body = assert_error_shape(
        client.post(
            ENTITIES,
            input_stream=io.BytesIO(b"{}"),
            content_type="application/json",
            headers=auth(world.finance_key),
            environ_overrides={"CONTENT_LENGTH": str(16 * 1024 * 1024 + 1)},
        ),
        413,
    )
    assert "16 MB" in body["message"]
    assert str(16 * 1024 * 1024) in body["message"]


def test_a_body_over_the_configured_limit_is_413_naming_it(app, client, world, session, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    before = entity_count(session)
    body = assert_error_shape(
        client.post(ENTITIES, json=entity_body(name="x" * 5000), headers=auth(world.finance_key)), 413
    )
    assert "2 KB (2048 bytes)" in body["message"]
    assert entity_count(session) == before
    # Under the limit the same operation works: the limit, not the operation, refused it.
    assert client.post(ENTITIES, json=entity_body(), headers=auth(world.finance_key)).status_code == 201


def test_a_chunked_body_of_unknown_length_is_held_to_the_same_limit(app, client, world, session, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)

    def chunked(payload: dict):
        return client.post(
            ENTITIES,
            input_stream=io.BytesIO(json.dumps(payload).encode()),
            content_type="application/json",
            headers={**auth(world.finance_key), "Transfer-Encoding": "chunked"},
            environ_overrides={"wsgi.input_terminated": True},
        )

    body = assert_error_shape(chunked(entity_body(name="x" * 5000)), 413)
    assert "2048 bytes" in body["message"]
    # A chunked body under the limit is read whole (not cut at the limit, not lost).
    made = chunked(entity_body(name="杭州分块上传测试有限公司"))
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["name"] == "杭州分块上传测试有限公司"


def test_an_upload_over_the_limit_is_413(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    data, content_type = multipart([("mode", None, b"all"), ("file", "a.csv", b"x" * 10_000)])
    assert_error_shape(client.post(IMPORTS, data=data, content_type=content_type, headers=auth(world.finance_key)), 413)


# ---------------------------------------------------------------------------------------------
# Deep and huge JSON


def test_100000_nested_arrays_are_400_not_a_recursion_error(client, world, session):
    before = entity_count(session)
    deep = "[" * 100_000 + "]" * 100_000
    body = assert_error_shape(
        client.post(ENTITIES, data=deep, content_type="application/json", headers=auth(world.finance_key)), 400, "body"
    )
    assert "nested" in body["message"]
    assert entity_count(session) == before


def test_nesting_inside_a_field_past_the_limit_is_400(client, world):
    value: object = "x"
    for _ in range(MAX_JSON_DEPTH + 1):
        value = [value]
    assert_error_shape(
        client.post(ENTITIES, json=entity_body(names=value), headers=auth(world.finance_key)), 400, "body"
    )


def test_a_million_element_array_in_a_field_is_422_naming_it_with_a_short_answer(client, world):
    r = client.post(
        SCREENINGS,
        json={"domain": "procurement", "project_code": "ZJCG-1", "subjects": [0] * 1_000_000},
        headers=auth(world.screener_key),
    )
    body = assert_error_shape(r, 422, "subjects")
    assert str(MAX_JSON_ITEMS) in body["message"]
    assert len(r.get_data()) < 2000, "one error, not a million"


def test_an_object_with_100000_fields_is_refused_with_a_short_answer(client, world):
    r = client.post(ENTITIES, json={f"k{i}": 0 for i in range(100_000)}, headers=auth(world.finance_key))
    assert_error_shape(r, 422, "body")
    assert len(r.get_data()) < 2000


def test_a_thousand_subjects_are_still_accepted_by_the_shape_check(client, world):
    subjects = [{"name": f"杭州测试{i}建设有限公司"} for i in range(1000)]
    r = client.post(
        SCREENINGS,
        json={"domain": "procurement", "project_code": "ZJCG-2", "subjects": subjects},
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.get_data(as_text=True)[:500]


# ---------------------------------------------------------------------------------------------
# Content types


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_json_operation_refuses_other_content_types_with_415_naming_the_type(client, world, session, content_type):
    before = entity_count(session)
    r = client.post(
        ENTITIES, data=json.dumps(entity_body()), content_type=content_type, headers=auth(world.finance_key)
    )
    body = assert_error_shape(r, 415, "Content-Type")
    assert "application/json" in body["message"]
    assert (content_type or "no Content-Type") in body["message"]
    assert entity_count(session) == before


def test_a_form_or_multipart_body_to_a_json_operation_is_415(client, world):
    form = client.post(ENTITIES, data={"kind": "legal_entity", "name": "某公司"}, headers=auth(world.finance_key))
    assert_error_shape(form, 415, "Content-Type")
    data, content_type = multipart([("kind", None, b"legal_entity"), ("file", "a.json", b"{}")])
    assert_error_shape(
        client.post(ENTITIES, data=data, content_type=content_type, headers=auth(world.finance_key)),
        415,
        "Content-Type",
    )


def test_json_with_a_charset_or_a_json_suffix_is_json(client, world):
    r = client.post(
        ENTITIES,
        data=json.dumps(entity_body()),
        content_type="application/json; charset=utf-8",
        headers=auth(world.finance_key),
    )
    assert r.status_code == 201, r.get_json()


def test_a_json_body_to_the_upload_operation_is_415_naming_multipart(client, world):
    r = client.post(IMPORTS, json={"mode": "all"}, headers=auth(world.finance_key))
    body = assert_error_shape(r, 415, "Content-Type")
    assert "multipart/form-data" in body["message"]


def test_a_transition_with_a_text_body_is_415_too(client, world, session, entity):
    entry = factories.make_list_entry(session, world.finance, entity)
    session.commit()
    r = client.post(
        f"/api/v1/list-entries/{entry.id}/revoke",
        data="reason=x",
        content_type="text/plain",
        headers=auth(world.finance_key, If_Match=f'"v{entry.version}"'),
    )
    assert_error_shape(r, 415, "Content-Type")


# ---------------------------------------------------------------------------------------------
# UTF-8


def test_invalid_utf8_in_a_json_body_is_400_naming_the_body(client, world):
    r = client.post(
        ENTITIES,
        data=b'{"kind":"legal_entity","name":"\xff\xfe"}',
        content_type="application/json",
        headers=auth(world.finance_key),
    )
    body = assert_error_shape(r, 400, "body")
    assert "UTF-8" in body["message"]


def test_invalid_utf8_in_a_query_parameter_is_400_naming_it(client, world):
    body = assert_error_shape(client.get(f"{ENTITIES}?name=%FF%FE", headers=auth(world.finance_key)), 400, "name")
    assert "UTF-8" in body["message"]


def test_invalid_utf8_in_the_path_is_400(client, world):
    # A server hands the raw path bytes over as latin-1 text (PEP 3333); the test client would
    # have replaced them with U+FFFD already.
    r = client.get(
        "/api/v1/exports/x.csv",
        headers=auth(world.platform_key),
        environ_overrides={"PATH_INFO": "/api/v1/exports/\xff\xfe.csv"},
    )
    body = assert_error_shape(r, 400, "path")
    assert "UTF-8" in body["message"]


def test_valid_utf8_in_a_query_is_still_read(client, world, entity):
    r = client.get(f"{ENTITIES}?name=%E5%90%88%E6%99%9F", headers=auth(world.finance_key))  # 合晟
    assert r.status_code == 200
    assert [e["id"] for e in r.get_json()["items"]] == [entity.id]


# ---------------------------------------------------------------------------------------------
# NUL characters


def test_nul_in_a_json_string_field_is_422_naming_it(client, world, session):
    before = entity_count(session)
    assert_error_shape(
        client.post(ENTITIES, json=entity_body(name="杭州\x00公司"), headers=auth(world.finance_key)), 422, "name"
    )
    assert_error_shape(
        client.post(ENTITIES, json=entity_body(legal_representative="王\x00"), headers=auth(world.finance_key)),
        422,
        "legal_representative",
    )
    assert entity_count(session) == before


def test_nul_in_a_nested_field_is_422_naming_its_path(client, world):
    r = client.post(
        SCREENINGS,
        json={"domain": "procurement", "project_code": "ZJCG-3", "subjects": [{"name": "杭州\x00公司"}]},
        headers=auth(world.screener_key),
    )
    assert_error_shape(r, 422, "subjects.0.name")


@pytest.mark.parametrize("query", ["name=a%00b", "uscc=%00", "page=1%00"])
def test_nul_in_a_query_parameter_is_422_naming_it(client, world, query):
    field = query.split("=")[0]
    assert_error_shape(client.get(f"{ENTITIES}?{query}", headers=auth(world.finance_key)), 422, field)


def test_nul_in_the_path_is_400(client, world):
    assert_error_shape(client.get("/api/v1/exports/penalties%00.csv", headers=auth(world.platform_key)), 400, "path")


def test_nul_in_the_idempotency_key_is_422_naming_it_and_stores_nothing(client, world, session):
    before = entity_count(session)
    r = client.post(ENTITIES, json=entity_body(), headers=auth(world.finance_key, Idempotency_Key="key\x00one"))
    assert_error_shape(r, 422, "Idempotency-Key")
    assert entity_count(session) == before
    assert session.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) == 0


@pytest.mark.parametrize("header", ["Authorization", "X-Api-Key"])
def test_nul_in_a_key_header_is_422_naming_it(client, world, header):
    value = f"Bearer {world.finance_key}\x00" if header == "Authorization" else f"{world.finance_key}\x00"
    assert_error_shape(client.get(ENTITIES, headers={header: value}), 422, header)


def test_nul_in_an_upload_form_field_or_file_name_is_422_naming_it(client, world):
    good, code = company(7)
    sheet = csv_bytes(PENALTY_HEADERS, [penalty_row(world.finance, good, code, "浙财采罚〔2026〕7001号")])
    data, content_type = multipart([("mode", None, b"all\x00"), ("file", "a.csv", sheet)])
    assert_error_shape(
        client.post(IMPORTS, data=data, content_type=content_type, headers=auth(world.finance_key)), 422, "mode"
    )
    data, content_type = multipart([("mode", None, b"all"), ("file", "a\x00.csv", sheet)])
    assert_error_shape(
        client.post(
            IMPORTS, data=data, content_type=content_type, headers=auth(world.finance_key, Idempotency_Key="upload-nul")
        ),
        422,
        "file",
    )


def test_nul_in_an_uploaded_cell_is_reported_for_its_row_not_a_500(client, world):
    name, code = company(8)
    sheet = csv_bytes(
        PENALTY_HEADERS, [penalty_row(world.finance, name, code, "浙财采罚〔2026〕7002号", 违法事实="虚假\x00材料")]
    )
    data, content_type = multipart([("mode", None, b"all"), ("file", "a.csv", sheet)])
    r = client.post(IMPORTS, data=data, content_type=content_type, headers=auth(world.finance_key))
    assert r.status_code == 422, r.get_data(as_text=True)[:1000]
    [problem] = r.get_json()["problems"]
    assert problem["column"] == "违法事实"
    assert "NUL" in problem["reason"]


# ---------------------------------------------------------------------------------------------
# Long names


def test_a_10000_character_entity_name_is_422_naming_the_field(client, world, session):
    before = entity_count(session)
    body = assert_error_shape(
        client.post(ENTITIES, json=entity_body(name="杭" * 10_000), headers=auth(world.finance_key)), 422, "name"
    )
    assert "200" in body["message"]
    assert entity_count(session) == before
    r = client.post(
        ENTITIES, json=entity_body(names=[{"name": "杭" * 10_000, "kind": "alias"}]), headers=auth(world.finance_key)
    )
    assert_error_shape(r, 422, "names.0.name")


def test_a_name_at_the_limit_is_stored_and_read_back_whole(client, world):
    name = "杭州" + "长" * 192 + "有限公司"
    assert len(name) == 198
    made = client.post(ENTITIES, json=entity_body(name=name), headers=auth(world.finance_key))
    assert made.status_code == 201, made.get_json()
    assert client.get(f"{ENTITIES}/{made.get_json()['id']}").get_json()["name"] == name


def test_screening_a_10000_character_name_is_422_and_at_the_limit_is_screened(client, world, entity):
    body = {"domain": "procurement", "project_code": "ZJCG-4"}
    r = client.post(SCREENINGS, json={**body, "subjects": [{"name": "杭" * 10_000}]}, headers=auth(world.screener_key))
    assert_error_shape(r, 422, "subjects.0.name")
    # The longest name allowed, built from the registered company's name, goes through the matcher.
    long = (entity.name * 20)[:200]
    r = client.post(
        SCREENINGS,
        json={**body, "subjects": [{"name": long}, {"name": "有限公司" * 50}]},
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.get_data(as_text=True)[:1000]
    assert r.get_json()["document"]["subjects"][0]["name"] == long


# ---------------------------------------------------------------------------------------------
# Injection: stored verbatim, exported defused


@pytest.mark.parametrize("text", SQL + HTML + [f for f in FORMULAS if not f[0].isspace()])
def test_hostile_text_is_stored_verbatim_and_read_back_byte_identical(client, world, session, text):
    name = f"{text}杭州有限公司"
    made = client.post(
        ENTITIES, json=entity_body(name=name, legal_representative=text), headers=auth(world.finance_key)
    )
    assert made.status_code == 201, made.get_json()
    read = client.get(f"{ENTITIES}/{made.get_json()['id']}")
    assert read.get_json()["name"] == name
    assert read.get_json()["legal_representative"] == text
    found = client.get(ENTITIES, query_string={"name": text}, headers=auth(world.finance_key))
    assert found.status_code == 200
    assert made.get_json()["id"] in [e["id"] for e in found.get_json()["items"]]
    # The table the SQL text names is still there, with every row.
    assert session.scalar(sa.select(sa.func.count()).select_from(Entity)) >= 1


def test_sql_text_in_every_filter_matches_nothing_and_breaks_nothing(client, world, entity):
    for text in SQL:
        for path in (ENTITIES, "/api/v1/penalties", "/api/v1/list-entries"):
            for field in ("name", "uscc"):
                r = client.get(path, query_string={field: text}, headers=auth(world.admin_key))
                assert r.status_code in (200, 422), (path, field, r.get_json())
                if r.status_code == 200:
                    assert r.get_json()["items"] == []
    assert client.get(f"{ENTITIES}/{entity.id}").status_code == 200


@pytest.fixture
def formula_records(client, world, session):
    """Entities and records whose text starts with a formula character, made through the API."""
    made = []
    for i, text in enumerate(FORMULAS + HIDDEN_FORMULAS):
        r = client.post(ENTITIES, json=entity_body(name=f"{text}公司{i}"), headers=auth(world.finance_key))
        assert r.status_code == 201, (text, r.get_json())
        entity = session.get(Entity, r.get_json()["id"])
        factories.make_penalty(session, world.finance, entity, facts=text, content=f"{text}罚款", remarks=text)
        factories.make_list_entry(session, world.finance, entity, facts=text)
        made.append(text)
    session.commit()
    return made


def _dangerous(cell) -> bool:
    return isinstance(cell, str) and cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("kind", ["penalties", "list-entries"])
def test_formula_text_is_defused_in_csv_exports(client, world, formula_records, kind):
    r = client.get(f"/api/v1/exports/{kind}.csv", headers=auth(world.platform_key))
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert len(body) == len(formula_records)
    numeric = {"罚款金额（万元）", "没收违法所得、没收非法财物的金额（万元）", "变更序号", "版本号"}
    seen = 0
    for row in body:
        for column, cell in zip(header, row, strict=True):
            if column in numeric:
                continue
            assert not _dangerous(cell), (column, cell)
            if cell.startswith("'") and _dangerous(cell[1:]):
                seen += 1
    assert seen >= len(FORMULAS), "the payloads were exported, defused"


@pytest.mark.parametrize("kind", ["penalties", "list-entries"])
def test_formula_text_is_never_a_formula_cell_in_xlsx_exports(client, world, formula_records, kind):
    r = client.get(f"/api/v1/exports/{kind}.xlsx", headers=auth(world.platform_key))
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.get_data()))
    sheet = book.worksheets[0]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert sheet.max_row == len(formula_records) + 1
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if _dangerous(t)]
    for text in FORMULAS:  # (names and facts are stored trimmed: "\t=1+1" is "=1+1")
        assert f"'{text}" in texts or f"'{text.strip()}" in texts, repr(text)
    for text in HIDDEN_FORMULAS:  # the control character is dropped, the guard stays
        assert f"'{text[1:]}" in texts, repr(text)


def test_formula_text_is_defused_in_the_import_report(client, world):
    rows = []
    for i, text in enumerate(FORMULAS + HIDDEN_FORMULAS):
        name, code = company(30 + i)
        rows.append(penalty_row(world.finance, name, code, f"浙财采罚〔2026〕{8100 + i}号", 处罚决定日期=text))
    sheet = csv_bytes(PENALTY_HEADERS, rows)
    for fmt in ("csv", "xlsx"):
        data, content_type = multipart([("mode", None, b"all"), ("file", "=cmd|' calc'!A0.csv", sheet)])
        r = client.post(
            f"{IMPORTS}?report={fmt}", data=data, content_type=content_type, headers=auth(world.finance_key)
        )
        assert r.status_code == 422, r.get_data()[:500]
        if fmt == "csv":
            cells = [c for row in csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"), newline="")) for c in row]
            assert not [c for c in cells if _dangerous(c)]
            assert sum(1 for c in cells if c.startswith("'") and _dangerous(c[1:])) >= len(FORMULAS) - 2
            continue
        book = load_workbook(io.BytesIO(r.get_data()))
        cells = [cell for sheet_ in book.worksheets for row in sheet_.iter_rows() for cell in row]
        assert [c.coordinate for c in cells if c.data_type == "f"] == []
        texts = [c.value for c in cells if isinstance(c.value, str)]
        assert not [t for t in texts if _dangerous(t)]
        assert "'=cmd|' calc'!A0.csv" in texts  # the file name on the summary sheet
        for text in HIDDEN_FORMULAS:
            assert f"'{text[1:]}" in texts, repr(text)
