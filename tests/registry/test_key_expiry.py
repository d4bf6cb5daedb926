"""API keys that expire: the service, the key cache, the API's answer and `flask registry create-key`."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry import access, cli
from registry.clock import CHINA
from registry.errors import InvalidInput
from registry.models import ApiKey, AuditLog
from tests.conftest import auth

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)  # 10:00 in China


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _key(session: Session, expires_at: dt.datetime | None, *, role: str = "screener") -> tuple[ApiKey, str]:
    made = access.create_key(session, role=role, name="交易中心", expires_at=expires_at, now=NOW)
    session.commit()
    return made


# --- the service ----------------------------------------------------------------------------------


def test_a_key_with_an_end_works_until_then_and_is_refused_from_then_on(session: Session, world) -> None:
    end = NOW + dt.timedelta(days=30)
    key, secret = _key(session, end)
    assert key.expires_at == end
    actor = access.authenticate(session, secret, now=end - dt.timedelta(seconds=1))
    assert actor is not None
    assert actor.key_id == key.id
    with pytest.raises(access.KeyExpired) as refused:
        access.authenticate(session, secret, now=end)
    assert refused.value.status == 401
    assert refused.value.message.startswith("the API key expired on 2026-12-23 10:00 (China time)")


def test_a_key_without_an_end_works_until_revoked(session: Session, world) -> None:
    key, secret = _key(session, None)
    assert key.expires_at is None
    assert access.authenticate(session, secret, now=NOW + dt.timedelta(days=3650)) is not None


def test_a_revoked_key_is_only_unknown_even_after_its_end(session: Session, world) -> None:
    key, secret = _key(session, NOW + dt.timedelta(days=1))
    access.revoke_key(session, key.id)
    # Revocation is the stronger fact, and it is not explained: the answer is None (401 "unknown or revoked").
    assert access.authenticate(session, secret, now=NOW + dt.timedelta(days=2)) is None


@pytest.mark.parametrize(
    ("expires_at", "reason"),
    [
        (NOW, "is not in the future"),
        (NOW - dt.timedelta(days=1), "is not in the future"),
        (dt.datetime(2027, 1, 1), "must carry a time zone"),  # noqa: DTZ001 (the naive value is the point)
    ],
)
def test_an_end_that_is_not_in_the_future_is_refused(session: Session, world, expires_at, reason) -> None:
    with pytest.raises(InvalidInput) as refused:
        access.create_key(session, role="admin", name="ops", expires_at=expires_at, now=NOW)
    assert any(reason in r for r in refused.value.errors["expires_at"])


def test_the_end_is_in_the_snapshot_and_the_audit_row(session: Session, world) -> None:
    end = dt.datetime(2027, 1, 1, tzinfo=CHINA)  # stored in UTC
    key, _ = _key(session, end)
    assert key.snapshot()["expires_at"] == "2026-12-31T16:00:00+00:00"
    audit = session.query(AuditLog).filter_by(record_type="api_key", record_id=key.id, action="create").one()
    assert audit.after["expires_at"] == "2026-12-31T16:00:00+00:00"
    revoked = access.revoke_key(session, key.id)
    assert revoked.snapshot()["expires_at"] == "2026-12-31T16:00:00+00:00"


# --- the key cache ----------------------------------------------------------------------------------


def test_the_cache_trusts_a_key_no_longer_than_its_end(session: Session, world) -> None:
    end = NOW + dt.timedelta(seconds=3)
    _, secret = _key(session, end)
    clock = FakeClock()
    cache = access.KeyCache(60, clock=clock)
    assert access.authenticate_cached(session, secret, cache, now=NOW) is not None
    assert len(cache._entries) == 1
    clock.now += 2.9  # still before the end: answered from the cache
    assert access.authenticate_cached(session, secret, cache, now=NOW + dt.timedelta(seconds=2.9)) is not None
    clock.now += 0.1  # the end: the cache lets go well before its 60 s, and the database says why
    with pytest.raises(access.KeyExpired):
        access.authenticate_cached(session, secret, cache, now=end)
    assert cache._entries == {}


def test_a_key_without_an_end_is_cached_for_the_ttl(session: Session, world) -> None:
    _, secret = _key(session, None)
    clock = FakeClock()
    cache = access.KeyCache(5, clock=clock)
    assert access.authenticate_cached(session, secret, cache, now=NOW) is not None
    clock.now += 4.9
    assert cache.get(next(iter(cache._entries))) is not None
    clock.now += 0.1
    assert cache.get(next(iter(cache._entries))) is None


def test_nothing_is_cached_for_no_time() -> None:
    cache = access.KeyCache(5)
    cache.put("digest", access.PUBLIC, for_seconds=0)
    cache.put("digest-2", access.PUBLIC, for_seconds=-3)
    assert cache._entries == {}


# --- through the API and the pages' sign-in -----------------------------------------------------------


def test_an_expired_key_gets_401_saying_when_it_expired(client: FlaskClient, session: Session, world) -> None:
    # Created with an end a minute ago (the wall clock decides: key expiry is not a legal date).
    real_now = dt.datetime.now(dt.UTC)
    end = real_now - dt.timedelta(minutes=1)
    key, secret = access.create_key(
        session, role="platform", name="信用浙江", expires_at=end, now=real_now - dt.timedelta(days=1)
    )
    session.commit()
    r = client.get("/api/v1/feed", headers=auth(secret))
    assert r.status_code == 401
    assert r.json["status"] == "Unauthorized"
    shown = end.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    assert r.json["message"] == f"API 密钥已于 {shown}（北京时间）过期，请向管理员申请新密钥。"
    assert r.json["message_en"] == f"the API key expired on {shown} (China time); ask an administrator for a new one"


def test_a_key_that_has_not_expired_works(client: FlaskClient, session: Session, world) -> None:
    real_now = dt.datetime.now(dt.UTC)
    _, secret = access.create_key(session, role="platform", name="信用浙江", expires_at=real_now + dt.timedelta(days=1))
    session.commit()
    assert client.get("/api/v1/feed", headers=auth(secret)).status_code == 200


# --- flask registry create-key -------------------------------------------------------------------------


def _run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["registry", "create-key", "--role", "screener", *args])


def _created(session: Session, result: Result) -> ApiKey:
    assert result.exit_code == 0, result.output
    found = re.search(r"key (\d+) \(", result.stderr)
    assert found, result.stderr
    key = session.get(ApiKey, int(found.group(1)), populate_existing=True)
    assert key is not None
    return key


def test_create_key_expires_at_the_end_of_the_given_day_in_china(
    app: Flask,
    client: FlaskClient,
    session: Session,
) -> None:
    result = _run(app, "--expires", "2099-12-31")
    key = _created(session, result)
    assert key.expires_at == dt.datetime(2099, 12, 31, 16, 0, tzinfo=dt.UTC)  # 2100-01-01 00:00 in China
    assert "expires 2100-01-01 00:00 China time" in result.stderr


def test_create_key_for_a_number_of_days(app: Flask, client: FlaskClient, session: Session) -> None:
    before = dt.datetime.now(dt.UTC)
    key = _created(session, _run(app, "--days", "30"))
    after = dt.datetime.now(dt.UTC)
    assert key.expires_at is not None
    assert before + dt.timedelta(days=30) <= key.expires_at <= after + dt.timedelta(days=30)


def test_create_key_without_an_end(app: Flask, client: FlaskClient, session: Session) -> None:
    assert _created(session, _run(app)).expires_at is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--expires", "2020-01-01"), "错误：--expires 2020-01-01 已经过去"),
        (("--expires", "2026/12/01"), "错误：--expires 须为 YYYY-MM-DD 格式的日期，所给为 '2026/12/01'。"),
        (("--expires", "2026-13-01"), "--expires 须为 YYYY-MM-DD 格式的日期"),
        (("--expires", "20991231"), "--expires 须为 YYYY-MM-DD 格式的日期"),
        (("--expires", "tomorrow"), "--expires 须为 YYYY-MM-DD 格式的日期"),
        (("--days", "0"), "错误：--days 须为 1 至 36500 之间的整数天数，所给为 0。"),
        (("--days", "-5"), "--days 须为 1 至 36500 之间的整数天数"),
        (("--days", "3", "--expires", "2099-01-01"), "错误：--expires 与 --days 只能给出其一。"),
    ],
)
def test_create_key_refuses_a_bad_end_and_creates_nothing(
    app: Flask,
    client: FlaskClient,
    session: Session,
    args: tuple[str, ...],
    message: str,
) -> None:
    keys_before = session.query(ApiKey).count()
    result = _run(app, *args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert result.stdout == ""  # no secret printed
    assert session.query(ApiKey).count() == keys_before


def test_create_key_refuses_days_that_are_not_a_number(app: Flask, client: FlaskClient, session: Session) -> None:
    result = _run(app, "--days", "ten")
    assert result.exit_code != 0
    assert "--days" in result.stderr


def test_the_last_day_may_be_today_in_china() -> None:
    late_evening = dt.datetime(2026, 11, 23, 15, 59, tzinfo=dt.UTC)  # 23:59 in China
    end = cli._key_end("2026-11-23", None, late_evening)
    assert end == dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)
