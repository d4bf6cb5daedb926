"""The import page: a supervisor uploads a 双公示 sheet with broken rows and reads the report."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry.models import ChangeEvent, Penalty
from tests import factories, import_sheets
from tests.pages.conftest import csrf_of, sign_in


def upload(client: FlaskClient, data: bytes, filename: str = "双公示.xlsx", **fields: str):  # type: ignore[no-untyped-def]
    page = client.get("/console/import").get_data(as_text=True)
    form = {
        "csrf": csrf_of(page),
        "mode": "all",
        "kind": "",
        "report": "",
        **fields,
        "file": (io.BytesIO(data), filename),
    }
    return client.post("/console/import", data=form, content_type="multipart/form-data")


def test_the_page_needs_a_supervisor(pages: FlaskClient, world: factories.World) -> None:
    assert pages.get("/console/import").status_code == 302
    sign_in(pages, world.screener_key)
    assert pages.get("/console/import").status_code == 403


def test_all_or_nothing_reports_the_broken_rows_and_writes_nothing(
    pages: FlaskClient,
    world: factories.World,
    session: Session,
) -> None:
    headers, rows = import_sheets.shuanggongshi_sheet(world.finance, world.housing)
    events_before = session.scalar(sa.select(sa.func.count()).select_from(ChangeEvent))
    sign_in(pages, world.finance_key)
    r = upload(pages, import_sheets.xlsx_bytes(headers, rows))
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "未导入任何记录" in page
    assert "<td>9</td>" in page  # row 9 (a day that does not exist) is named with its row number
    assert session.scalar(sa.select(sa.func.count()).select_from(Penalty)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(ChangeEvent)) == events_before


def test_skip_mode_imports_the_good_rows_and_a_second_upload_changes_nothing(
    pages: FlaskClient,
    world: factories.World,
    session: Session,
) -> None:
    headers, rows = import_sheets.shuanggongshi_sheet(world.finance, world.housing)
    data = import_sheets.xlsx_bytes(headers, rows)
    sign_in(pages, world.finance_key)
    r = upload(pages, data, mode="skip")
    assert r.status_code == 200
    assert "已导入" in r.get_data(as_text=True)
    created = session.scalar(sa.select(sa.func.count()).select_from(Penalty))
    assert created == 7  # rows 2-7 and 12
    events = session.scalar(sa.select(sa.func.count()).select_from(ChangeEvent))
    again = upload(pages, data, mode="skip")
    assert again.status_code == 200
    assert session.scalar(sa.select(sa.func.count()).select_from(Penalty)) == created
    assert session.scalar(sa.select(sa.func.count()).select_from(ChangeEvent)) == events


def test_the_report_can_be_downloaded_as_csv(pages: FlaskClient, world: factories.World) -> None:
    headers, rows = import_sheets.shuanggongshi_sheet(world.finance, world.housing)
    sign_in(pages, world.finance_key)
    r = upload(pages, import_sheets.xlsx_bytes(headers, rows), mode="skip", report="csv")
    assert r.status_code == 200
    assert "attachment" in r.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    assert any(line and line[0] == "9" for line in lines)


def test_bad_form_input_is_named_next_to_its_field(pages: FlaskClient, world: factories.World) -> None:
    sign_in(pages, world.finance_key)
    page = pages.get("/console/import").get_data(as_text=True)
    r = pages.post(
        "/console/import", data={"csrf": csrf_of(page), "mode": "sometimes"}, content_type="multipart/form-data"
    )
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert 'id="file-error"' in body
    assert 'id="mode-error"' in body
    r = upload(pages, b"not a spreadsheet at all", filename="x.txt")
    assert r.status_code in (400, 422)
    assert 'id="file-error"' in r.get_data(as_text=True)


def test_an_upload_without_the_sessions_token_is_refused(pages: FlaskClient, world: factories.World) -> None:
    sign_in(pages, world.finance_key)
    r = pages.post(
        "/console/import",
        data={"csrf": "forged", "file": (io.BytesIO(b"x"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
