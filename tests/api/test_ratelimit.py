"""Rate limits (api/ratelimit.py): the token bucket on its own clock, then 429s through the API."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from api.ratelimit import Rate, RateLimiter
from registry import access
from registry.models import Screening
from tests import factories
from tests.conftest import auth
from tests.ratelimits import FakeClock, Install

# --- the bucket ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("60/minute", Rate(60, 60.0)),
        (" 5 / second ", Rate(5, 1.0)),
        ("1000/HOUR", Rate(1000, 3600.0)),
        ("0", None),
        (0, None),
        ("", None),
        (None, None),
        ("0/minute", None),
    ],
)
def test_rates_are_read_from_config(raw: object, parsed: Rate | None) -> None:
    assert Rate.parse(raw) == parsed


@pytest.mark.parametrize("raw", ["60", "60/min", "-1/minute", "1.5/second", "sixty/minute", "60/minute/2"])
def test_a_malformed_rate_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="must look like 60/minute"):
        Rate.parse(raw, "RATE_LIMIT_SEARCH")


def test_a_malformed_setting_stops_the_app_at_start(tmp_path: Path) -> None:
    from api.app import create_app

    with pytest.raises(ValueError, match="REGISTRY_RATE_LIMIT_SCREENING"):
        create_app(
            {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "DATA_KEY": "x" * 20, "RATE_LIMIT_SCREENING": "lots"}
        )


def test_the_defaults_limit_screening_and_search(tmp_path: Path) -> None:
    from api.app import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "DATA_KEY": "x" * 20})
    limiters = app.extensions["rate_limits"].limiters
    assert limiters["screening"].rate == Rate(60, 60.0)
    assert limiters["search"].rate == Rate(120, 60.0)


def test_a_burst_then_one_token_per_interval(clock: FakeClock) -> None:
    limiter = RateLimiter(Rate(3, 60.0), clock=clock)  # 3 at once, then one every 20 s
    answers = [limiter.take("key:1") for _ in range(4)]
    assert [a.allowed for a in answers] == [True, True, True, False]
    assert [a.remaining for a in answers] == [2, 1, 0, 0]
    assert answers[3].retry_after == 20
    clock.now += 19.5
    late = limiter.take("key:1")
    assert not late.allowed
    assert late.retry_after == 1  # half a second, rounded up to a whole one
    clock.now += 0.5
    assert limiter.take("key:1").allowed
    assert not limiter.take("key:1").allowed
    clock.now += 3600  # a long pause refills to the burst, not beyond
    assert [limiter.take("key:1").allowed for _ in range(4)] == [True, True, True, False]


def test_refused_requests_do_not_dig_a_deeper_hole(clock: FakeClock) -> None:
    limiter = RateLimiter(Rate(1, 10.0), clock=clock)
    assert limiter.take("addr:10.0.0.1").allowed
    for _ in range(50):
        assert limiter.take("addr:10.0.0.1").retry_after == 10
    clock.now += 10
    assert limiter.take("addr:10.0.0.1").allowed


def test_each_caller_has_its_own_bucket(clock: FakeClock) -> None:
    limiter = RateLimiter(Rate(1, 60.0), clock=clock)
    assert limiter.take("key:1").allowed
    assert not limiter.take("key:1").allowed
    assert limiter.take("key:2").allowed
    assert limiter.take("addr:10.0.0.1").allowed


def test_threads_share_one_bucket_exactly(clock: FakeClock) -> None:
    limiter = RateLimiter(Rate(100, 60.0), clock=clock)  # the clock stands still: exactly 100 pass
    allowed: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        mine = [limiter.take("key:1").allowed for _ in range(50)]
        with lock:
            allowed.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(allowed) == 400
    assert sum(allowed) == 100


def test_memory_is_bounded_and_a_caller_in_debt_is_kept_over_refilled_ones(clock: FakeClock) -> None:
    limiter = RateLimiter(Rate(3, 3.0), max_callers=10, clock=clock)  # one token a second
    for _ in range(3):
        limiter.take("key:busy")
    for i in range(9):
        limiter.take(f"addr:10.0.0.{i}")  # each spends one of three
    assert len(limiter) == 10
    clock.now += 1.0  # the others are full again; the busy key has one token back
    for i in range(9):
        limiter.take(f"addr:10.1.0.{i}")  # new callers take the refilled callers' places
        assert len(limiter) <= 10
    assert "key:busy" in limiter._buckets
    assert limiter.take("key:busy").allowed
    assert not limiter.take("key:busy").allowed  # its debt was not forgotten
    # With no refilled bucket left, the least recently used go: still bounded.
    for i in range(100):
        limiter.take(f"addr:10.2.0.{i}")
        assert len(limiter) <= 10


# --- screening through the API --------------------------------------------------------------------------


def _screen(client: FlaskClient, key: str, **extra: str):
    return client.post(
        "/api/v1/screenings",
        headers=auth(key, **extra),
        json={
            "domain": "procurement",
            "project_code": "ZJCG-2026-0042",
            "subjects": [{"name": "杭州合晟建设工程有限公司"}],
        },
    )


def test_screening_over_the_limit_is_429_with_retry_after(
    client: FlaskClient,
    session: Session,
    world: factories.World,
    limit: Install,
    clock: FakeClock,
) -> None:
    limit("screening", "2/minute")
    first, second = _screen(client, world.screener_key), _screen(client, world.screener_key)
    assert first.status_code == second.status_code == 201
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == ("2", "1")
    assert second.headers["X-RateLimit-Remaining"] == "0"

    refused = _screen(client, world.screener_key)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert (refused.headers["X-RateLimit-Limit"], refused.headers["X-RateLimit-Remaining"]) == ("2", "0")
    assert refused.json == {
        "code": 429,
        "status": "Too Many Requests",
        "message": "此密钥的资格审查请求过于频繁（每分钟最多 2 次），请 30 秒后再试。",
        "message_en": "too many screenings from this API key: the limit is 2/minute; retry in 30 s",
    }
    assert session.query(Screening).count() == 2  # the refused one did no work

    clock.now += 30
    assert _screen(client, world.screener_key).status_code == 201


def test_the_limit_is_checked_before_the_body_is_read(
    client: FlaskClient,
    world: factories.World,
    limit: Install,
) -> None:
    limit("screening", "1/minute")
    assert _screen(client, world.screener_key).status_code == 201
    r = client.post("/api/v1/screenings", headers=auth(world.screener_key), json={"subjects": "not even a list"})
    assert r.status_code == 429


def test_each_key_has_its_own_screening_budget(
    client: FlaskClient,
    session: Session,
    world: factories.World,
    limit: Install,
) -> None:
    limit("screening", "1/minute")
    _, other_screener = access.create_key(session, role="screener", name="另一家代理机构")
    session.commit()
    assert _screen(client, world.screener_key).status_code == 201
    assert _screen(client, world.screener_key).status_code == 429
    assert _screen(client, other_screener).status_code == 201
    assert _screen(client, world.admin_key).status_code == 201


def test_an_idempotent_replay_is_not_counted_twice_nor_refused(
    client: FlaskClient,
    world: factories.World,
    limit: Install,
) -> None:
    limit("screening", "1/minute")
    first = _screen(client, world.screener_key, Idempotency_Key="screen-1")
    again = _screen(client, world.screener_key, Idempotency_Key="screen-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json["id"] == first.json["id"]


def test_other_operations_are_not_limited(client: FlaskClient, world: factories.World, limit: Install) -> None:
    limit("screening", "1/minute")
    assert _screen(client, world.screener_key).status_code == 201
    for _ in range(3):
        r = client.get("/api/v1/screenings", headers=auth(world.screener_key))
        assert r.status_code == 200
        assert "X-RateLimit-Limit" not in r.headers


def test_without_a_limiter_nothing_is_counted(client: FlaskClient, world: factories.World) -> None:
    # the suite's config turns both limits off
    for _ in range(3):
        r = _screen(client, world.screener_key)
        assert r.status_code == 201
        assert "X-RateLimit-Limit" not in r.headers


# --- public search through the API -----------------------------------------------------------------------


def _search(client: FlaskClient, address: str = "10.0.0.1", key: str | None = None):
    return client.get(
        "/api/v1/entities",
        query_string={"name": "合晟"},
        headers=auth(key) if key else {},
        environ_overrides={"REMOTE_ADDR": address},
    )


def test_anonymous_search_is_limited_per_address(
    client: FlaskClient,
    world: factories.World,
    limit: Install,
    clock: FakeClock,
) -> None:
    limit("search", "2/second")
    assert [_search(client).status_code for _ in range(3)] == [200, 200, 429]
    refused = _search(client)
    assert refused.headers["Retry-After"] == "1"
    assert refused.json["code"] == 429
    assert refused.json["message"] == "此地址的查询请求过于频繁（每秒最多 2 次），请 1 秒后再试。"
    assert refused.json["message_en"] == "too many searches from this address: the limit is 2/second; retry in 1 s"
    assert _search(client, "10.0.0.2").status_code == 200  # another address, another bucket
    assert _search(client, "10.0.0.1", world.platform_key).status_code == 200  # a key counts as itself
    clock.now += 0.5
    assert _search(client).status_code == 200


def test_a_key_is_limited_wherever_it_comes_from(
    client: FlaskClient,
    world: factories.World,
    limit: Install,
) -> None:
    limit("search", "1/minute")
    assert _search(client, "10.0.0.1", world.finance_key).status_code == 200
    assert _search(client, "10.0.0.2", world.finance_key).status_code == 429
    assert _search(client, "10.0.0.2", world.housing_key).status_code == 200


def test_the_429_is_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path, method in (("/api/v1/screenings", "post"), ("/api/v1/entities", "get")):
        documented = paths[path][method]["responses"]["429"]
        assert "Retry-After" in documented["headers"]
        assert documented["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "429" not in paths["/api/v1/entities"]["post"]["responses"]
    assert "429" not in paths["/api/v1/screenings"]["get"]["responses"]


@pytest.mark.parametrize(("proxies", "buckets"), [(0, 1), (1, 2)])
def test_behind_a_trusted_proxy_each_client_address_has_its_own_bucket(
    tmp_path: Path,
    proxies: int,
    buckets: int,
) -> None:
    """REGISTRY_TRUSTED_PROXIES=1: the client is X-Forwarded-For's last hop, not the proxy; with 0
    the header is ignored (anyone could choose an address with it) and all share the proxy's."""
    from flask_migrate import upgrade

    from api.app import create_app

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "DATA_KEY": "x" * 20,
            "RATE_LIMIT_SEARCH": "1/minute",
            "RATE_LIMIT_SCREENING": 0,
            "TRUSTED_PROXIES": proxies,
        }
    )
    with app.app_context():
        upgrade()
    client = app.test_client()
    answers = [
        client.get(
            "/api/v1/entities",
            query_string={"name": "合晟"},
            headers={"X-Forwarded-For": client_address},
            environ_overrides={"REMOTE_ADDR": "10.9.9.9"},
        ).status_code
        for client_address in ("203.0.113.7", "198.51.100.4")
    ]
    assert answers.count(200) == buckets
