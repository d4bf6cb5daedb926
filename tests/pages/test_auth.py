"""Signing in to the pages with an API key: the cookie, the guards, CSRF, revocation, safe redirects."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api.pages.auth import login_required, page_actor
from registry import access
from tests import factories
from tests.pages.conftest import csrf_of, sign_in

probe = Blueprint("probe", __name__)


@probe.get("/probe/screener-only")
@login_required("screener")
def screener_only() -> str:
    actor = page_actor()
    assert actor is not None
    return f"hello {actor.name}"


@pytest.fixture(scope="module")
def probe_app(app: Flask) -> Flask:
    """The suite's app cannot take a new route once it has served: a twin on the same database can."""
    from api.app import create_app

    twin = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "DATA_KEY": app.config["DATA_KEY"],
            "PAGE_KEY_ROLES": app.config["PAGE_KEY_ROLES"],
        }
    )
    twin.register_blueprint(probe)
    return twin


@pytest.fixture
def https(probe_app: Flask, session: Session) -> FlaskClient:
    client = probe_app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"  # the session cookie is Secure
    return client


def test_sign_in_sets_a_secure_httponly_strict_cookie_without_the_key_in_it(
    https: FlaskClient,
    world: factories.World,
) -> None:
    r = sign_in(https, world.screener_key)
    assert r.status_code == 303
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert world.screener_key not in cookie
    assert world.screener_key[4:20] not in cookie
    page = https.get("/").get_data(as_text=True)
    assert "交易中心" in page
    assert "退出" in page


def test_a_guarded_page_sends_strangers_to_sign_in_and_back(https: FlaskClient, world: factories.World) -> None:
    r = https.get("/probe/screener-only")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=/probe/screener-only")
    r = sign_in(https, world.screener_key, next_path="/probe/screener-only")
    assert r.headers["Location"] == "/probe/screener-only"
    assert https.get("/probe/screener-only").get_data(as_text=True) == "hello 交易中心"


def test_a_guarded_page_refuses_other_roles(https: FlaskClient, world: factories.World) -> None:
    sign_in(https, world.finance_key)
    assert https.get("/probe/screener-only").status_code == 403


def test_a_wrong_key_is_refused_and_nothing_is_kept(https: FlaskClient, world: factories.World) -> None:
    r = sign_in(https, "crk_not-a-key")
    assert r.status_code == 200
    assert "密钥无效" in r.get_data(as_text=True)
    assert https.get("/probe/screener-only").status_code == 302


def test_a_form_without_the_sessions_token_is_refused(https: FlaskClient, world: factories.World) -> None:
    https.get("/login/key")
    r = https.post("/login/key", data={"csrf": "forged", "key": world.screener_key})
    assert r.status_code == 400
    assert https.get("/probe/screener-only").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_sign_in_never_redirects_off_site(https: FlaskClient, world: factories.World, target: str) -> None:
    r = sign_in(https, world.screener_key, next_path=target)
    assert r.headers["Location"] == "/"


def test_a_revoked_key_signs_the_person_out(
    https: FlaskClient, world: factories.World, session: Session, probe_app: Flask
) -> None:
    key, secret = access.create_key(session, role="screener", name="临时")
    session.commit()
    sign_in(https, secret)
    assert https.get("/probe/screener-only").status_code == 200
    access.revoke_key(session, key.id, actor=factories.ADMIN)
    session.commit()
    probe_app.extensions["registry"].keys.forget()  # as after REGISTRY_KEY_CACHE_SECONDS
    assert https.get("/probe/screener-only").status_code == 302


def test_sign_out_needs_the_token_and_ends_the_session(https: FlaskClient, world: factories.World) -> None:
    sign_in(https, world.screener_key)
    page = https.get("/").get_data(as_text=True)
    assert https.post("/logout", data={"csrf": "wrong"}).status_code == 400
    assert https.post("/logout", data={"csrf": csrf_of(page)}).status_code == 303
    assert https.get("/probe/screener-only").status_code == 302


def test_a_signed_out_cookie_replayed_is_refused(https: FlaskClient, world: factories.World, probe_app: Flask) -> None:
    """An outside test kept the session cookie, signed out, and sent the cookie again: it still
    signed in. The session now ends in the registry, so the copy is refused."""
    sign_in(https, world.screener_key)
    assert https.get("/probe/screener-only").status_code == 200
    cookie = https.get_cookie("registry_session")
    assert cookie is not None
    copy = cookie.value
    page = https.get("/").get_data(as_text=True)
    assert https.post("/logout", data={"csrf": csrf_of(page)}).status_code == 303
    replay = probe_app.test_client()
    replay.set_cookie("registry_session", copy, domain=cookie.domain or "localhost", secure=True)
    assert replay.get("/probe/screener-only", base_url="https://localhost").status_code == 302
