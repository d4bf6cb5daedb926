"""Page-test helpers: an HTTPS test client (the session cookie is Secure) and signing in with a key."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from registry.runtime import Runtime


def csrf_of(page: str) -> str:
    """The CSRF token a rendered form carries."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:2000]
    return found.group(1)


def sign_in(client: FlaskClient, key: str, next_path: str | None = None) -> TestResponse:
    """Sign in with a key through the key form (使用密钥登录), as a person would."""
    form = client.get("/login/key").get_data(as_text=True)
    url = "/login/key" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"csrf": csrf_of(form), "key": key})


@pytest.fixture
def pages(app: Flask, session: Session, runtime: Runtime) -> FlaskClient:
    """A test client on https (the session cookie is Secure), in the test's rolled-back transaction."""
    client = app.test_client()
    client.environ_base["wsgi.url_scheme"] = "https"
    return client
