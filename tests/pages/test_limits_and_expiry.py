"""The pages under the API's access rules: rate limits (429 as a page) and keys that expire."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from registry import access
from registry.clock import CHINA
from registry.models import ApiKey
from registry.runtime import Runtime
from tests import factories
from tests.conftest import auth
from tests.pages.conftest import csrf_of, sign_in
from tests.ratelimits import FakeClock, Install


def _search(client: FlaskClient, address: str = "10.0.0.1") -> TestResponse:
    return client.get("/search", query_string={"q": "合晟建设"}, environ_overrides={"REMOTE_ADDR": address})


def _screen(client: FlaskClient) -> TestResponse:
    token = csrf_of(client.get("/screening").get_data(as_text=True))
    return client.post(
        "/screening",
        data={
            "csrf": token,
            "domain": "procurement",
            "project_code": "ZJCG-2026-0042",
            "stage": "资格审查",
            "bidders": "宁波甬江建材有限公司",
        },
        content_type="multipart/form-data",
    )


# --- rate limits --------------------------------------------------------------------------------------


def test_public_search_over_the_limit_is_a_429_page_with_retry_after(
    pages: FlaskClient,
    world: factories.World,
    limit: Install,
    clock: FakeClock,
) -> None:
    limit("search", "2/minute")
    assert [_search(pages).status_code for _ in range(2)] == [200, 200]
    refused = _search(pages)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.content_type.startswith("text/html")
    page = refused.get_data(as_text=True)
    assert "请求过于频繁（429）" in page
    assert "查询过于频繁（每分钟最多 2 次），请 30 秒后再试。" in page
    assert refused.headers["Content-Security-Policy"].startswith("default-src 'none'")  # still a page
    assert _search(pages, "10.0.0.2").status_code == 200  # another address
    clock.now += 30
    assert _search(pages).status_code == 200


def test_a_signed_in_person_searches_on_their_keys_budget(
    pages: FlaskClient,
    app: Flask,
    world: factories.World,
    limit: Install,
) -> None:
    limit("search", "1/minute")
    sign_in(pages, world.screener_key)
    assert _search(pages).status_code == 200
    assert _search(pages).status_code == 429
    stranger = app.test_client()
    stranger.environ_base["wsgi.url_scheme"] = "https"
    assert _search(stranger).status_code == 200  # same address, no key: its own bucket
    # the API shares the key's budget: one limit per key, wherever it searches
    api = app.test_client().get("/api/v1/entities", headers=auth(world.screener_key))
    assert api.status_code == 429


def test_the_screening_page_over_the_limit_is_a_429_page(
    pages: FlaskClient,
    world: factories.World,
    limit: Install,
) -> None:
    limit("screening", "1/minute")
    sign_in(pages, world.screener_key)
    assert _screen(pages).status_code == 303
    refused = _screen(pages)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert "资格审查过于频繁" in refused.get_data(as_text=True)
    assert pages.get("/screening").status_code == 200  # the form itself is not limited


# --- expired keys ---------------------------------------------------------------------------------------


def _expired_key(session: Session) -> tuple[ApiKey, str]:
    now = dt.datetime.now(dt.UTC)
    made = access.create_key(
        session, role="screener", name="临时", expires_at=now - dt.timedelta(minutes=5), now=now - dt.timedelta(days=1)
    )
    session.commit()
    return made


def test_an_expired_key_cannot_sign_in_and_is_told_when_it_ended(
    pages: FlaskClient,
    session: Session,
    world: factories.World,
) -> None:
    key, secret = _expired_key(session)
    r = sign_in(pages, secret)
    assert r.status_code == 200
    assert key.expires_at is not None
    ended = key.expires_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    assert f"密钥已于 {ended}（北京时间）过期" in r.get_data(as_text=True)
    assert pages.get("/screening").status_code == 302  # not signed in


def test_a_key_that_expires_signs_the_person_out(
    pages: FlaskClient,
    session: Session,
    world: factories.World,
    runtime: Runtime,
) -> None:
    now = dt.datetime.now(dt.UTC)
    key, secret = access.create_key(session, role="screener", name="临时", expires_at=now + dt.timedelta(days=1))
    session.commit()
    sign_in(pages, secret)
    assert pages.get("/screening").status_code == 200
    # A day later (the end moved back instead: the wall clock decides), as a revocation does:
    session.get(ApiKey, key.id).expires_at = now - dt.timedelta(seconds=1)
    session.commit()
    runtime.keys.forget()  # this test's worker cached the key for up to its TTL
    r = pages.get("/screening")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login")
    assert pages.get("/screening").status_code == 302  # signed out, not only refused once
