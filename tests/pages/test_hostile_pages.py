"""Hostile input on the pages: text stored through the API (markup, SQL, formulas) renders as text
on the public entity page, the screening result and the console; bad bytes, NUL characters, overlong
names and bodies over the limit get an error page, never a 500."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy.orm import Session

from registry.models import Entity
from tests import factories
from tests.conftest import auth
from tests.pages.conftest import csrf_of, sign_in

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "'; DROP TABLE entities; --",
    '" OR 1=1 --',
    "=cmd|' /C calc'!A0",
]
RAW_MARKUP = ("<script", "<img", "<svg")  # as tags; the words after them may stay as text


def page_of(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def assert_shown_as_text(page: str, text: str) -> None:
    assert str(escape(text)) in page, text
    if any(mark in text for mark in ("<", ">", '"')):
        assert text not in page, text
    for mark in RAW_MARKUP:
        assert mark not in page, mark


def assert_error_page(response, status: int, *words: str) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for word in words:
        assert word in page, word
    return page


@pytest.fixture
def hostile_records(pages: FlaskClient, session: Session, world: factories.World) -> dict[str, dict]:
    """For each hostile text: a company named with it, and a published penalty and black-list entry
    about it whose facts carry it, all made through the JSON API."""
    made: dict[str, dict] = {}
    for i, text in enumerate(HOSTILE):
        name = f"杭州{text}科技有限公司"
        r = pages.post(
            "/api/v1/entities",
            json={"kind": "legal_entity", "name": name, "uscc": factories.code(), "legal_representative": text},
            headers=auth(world.finance_key),
        )
        assert r.status_code == 201, r.get_json()
        entity = r.get_json()
        penalty = pages.post(
            "/api/v1/penalties",
            json={
                "entity_id": entity["id"],
                "decision_number": f"浙财采罚〔2026〕{900 + i}号",
                "violation_type": "提供虚假材料谋取中标",
                "facts": f"事实{text}",
                "basis": "《政府采购法》第七十七条",
                "categories": ["罚款"],
                "content": f"罚款{text}",
                "fine_amount": "0.5",
                "decided_on": "2026-11-02",
                "severity": "general",
                "domain": "procurement",
                "remarks": text,
            },
            headers=auth(world.finance_key),
        )
        assert penalty.status_code == 201, penalty.get_json()
        entry = factories.make_list_entry(
            session, world.finance, session.get_one(Entity, entity["id"]), facts=f"失信事实{text}"
        )
        session.commit()
        # Read back through the API byte for byte before looking at any page.
        read = pages.get(f"/api/v1/entities/{entity['id']}").get_json()
        assert read["name"] == name
        assert read["legal_representative"] == text
        assert pages.get(f"/api/v1/penalties/{penalty.get_json()['id']}").get_json()["facts"] == f"事实{text}"
        made[text] = {"entity": entity, "name": name, "penalty": penalty.get_json(), "entry_id": entry.id}
    return made


@pytest.mark.parametrize("text", HOSTILE)
def test_the_public_entity_page_shows_hostile_text_as_text(pages, hostile_records, text):
    made = hostile_records[text]
    page = page_of(pages.get(f"/entities/{made['entity']['id']}"))
    assert_shown_as_text(page, made["name"])
    assert_shown_as_text(page, f"事实{text}")


def test_search_and_the_black_list_show_hostile_names_as_text(pages, hostile_records):
    listed = page_of(pages.get("/lists/black"))
    for text, made in hostile_records.items():
        assert_shown_as_text(listed, made["name"])
        found = page_of(pages.get("/search", query_string={"q": text}))
        assert_shown_as_text(found, text)  # at least in the search box's value


def test_the_console_shows_hostile_text_as_text(pages, world, hostile_records):
    assert sign_in(pages, world.finance_key).status_code == 303
    listing = page_of(pages.get("/console/penalties"))
    for text, made in hostile_records.items():
        assert_shown_as_text(listing, made["name"])
        detail = page_of(pages.get(f"/console/penalties/{made['penalty']['id']}"))
        for shown in (made["name"], f"事实{text}", f"罚款{text}", text):
            assert_shown_as_text(detail, shown)
        entry = page_of(pages.get(f"/console/list-entries/{made['entry_id']}"))
        assert_shown_as_text(entry, f"失信事实{text}")


def test_the_screening_result_shows_hostile_subjects_and_hits_as_text(pages, world, hostile_records):
    assert sign_in(pages, world.screener_key).status_code == 303
    names = [made["name"] for made in hostile_records.values()]
    token = csrf_of(pages.get("/screening").get_data(as_text=True))
    r = pages.post(
        "/screening",
        data={
            "csrf": token,
            "domain": "procurement",
            "project_code": "<b>ZJCG</b>",
            "stage": "资格审查",
            "bidders": "\n".join(names),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 303, r.get_data(as_text=True)[:3000]
    assert re.fullmatch(r"/screening/\d+", r.headers["Location"])
    page = page_of(pages.get(r.headers["Location"]))
    assert_shown_as_text(page, "<b>ZJCG</b>")
    for name in names:
        assert_shown_as_text(page, name)
    evidence = page_of(pages.get(r.headers["Location"] + "/evidence"))
    for name in names:
        assert_shown_as_text(evidence, name)


def test_a_screening_made_through_the_api_renders_its_subjects_as_text(pages, world, hostile_records):
    subjects = [{"name": made["name"], "role": text[:50]} for text, made in hostile_records.items()]
    r = pages.post(
        "/api/v1/screenings",
        json={"domain": "procurement", "project_code": '"><svg onload=1>', "subjects": subjects},
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.get_data(as_text=True)[:1000]
    assert sign_in(pages, world.screener_key).status_code == 303
    page = page_of(pages.get(f"/screening/{r.get_json()['id']}"))
    assert_shown_as_text(page, '"><svg onload=1>')
    for subject in subjects:
        assert_shown_as_text(page, subject["name"])


# ---------------------------------------------------------------------------------------------
# Bad bytes, NUL, overlong names, oversized bodies


@pytest.mark.parametrize("query", ["q=a%00b", "q=%FF%FE", "page=%00"])
def test_a_bad_query_string_on_a_page_is_an_error_page(pages, runtime, query):
    status = 400 if "%FF" in query else 422
    assert_error_page(pages.get(f"/search?{query}"), status, "q" if query.startswith("q") else "page")


def test_bad_bytes_or_nul_in_a_page_path_are_an_error_page(pages, runtime):
    assert_error_page(pages.get("/entities/1", environ_overrides={"PATH_INFO": "/entities/\xff"}), 400, "UTF-8")
    assert_error_page(pages.get("/lists/black%00"), 400, "NUL")


def test_nul_in_a_form_field_is_an_error_page_naming_it(pages, world, session):
    form = pages.get("/login/key").get_data(as_text=True)
    r = pages.post("/login/key", data={"csrf": csrf_of(form), "key": world.finance_key + "\x00"})
    assert_error_page(r, 422, "key", "NUL")
    assert sign_in(pages, world.screener_key).status_code == 303
    token = csrf_of(pages.get("/screening").get_data(as_text=True))
    r = pages.post(
        "/screening",
        data={"csrf": token, "domain": "procurement", "project_code": "ZJCG-1", "stage": "", "bidders": "杭州\x00公司"},
        content_type="multipart/form-data",
    )
    assert_error_page(r, 422, "bidders", "NUL")


def test_a_10000_character_bidder_name_on_the_screening_page_is_refused_on_the_form(pages, world, runtime):
    assert sign_in(pages, world.screener_key).status_code == 303
    token = csrf_of(pages.get("/screening").get_data(as_text=True))
    r = pages.post(
        "/screening",
        data={"csrf": token, "domain": "procurement", "project_code": "ZJCG-1", "stage": "", "bidders": "杭" * 10_000},
        content_type="multipart/form-data",
    )
    assert 400 <= r.status_code < 500, r.status_code
    assert r.mimetype == "text/html"
    assert "过长" in r.get_data(as_text=True)


def test_a_body_over_the_limit_on_a_page_is_an_html_page_naming_the_limit(app: Flask, pages, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    form = pages.get("/login/key").get_data(as_text=True)
    r = pages.post("/login/key", data={"csrf": csrf_of(form), "key": "x" * 5000})
    page = assert_error_page(r, 413, "1 KB", "1024")
    assert "Content-Security-Policy" in r.headers  # a page, with the pages' headers
    assert "<script" not in page


def test_nul_in_an_uploaded_bidder_list_is_refused_on_the_form_not_a_500(pages, world, runtime):
    assert sign_in(pages, world.screener_key).status_code == 303
    data = "投标人名称,统一社会信用代码\n杭州\x00公司,\n".encode()
    token = csrf_of(pages.get("/screening").get_data(as_text=True))
    r = pages.post(
        "/screening",
        data={
            "csrf": token,
            "domain": "procurement",
            "project_code": "ZJCG-1",
            "stage": "",
            "bidders": "",
            "bidders_file": (io.BytesIO(data), "bidders.csv"),
        },
        content_type="multipart/form-data",
    )
    assert 400 <= r.status_code < 500, r.status_code
    assert r.mimetype == "text/html"
