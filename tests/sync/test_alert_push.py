"""The alerts stream: an agency's alerts reach its receiver once and in order on the push's own
machinery (cursor, idempotency key, retries), signed with the agency target's secret; another
agency's target gets none of them, and the platform's push never sends an alert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from registry import access
from registry.database import db
from registry.ledger import OPERATOR, Actor
from registry.models import Alert, ChangeEvent
from registry.monitoring.detect import check_watches
from registry.monitoring.watch_index import WatchIndex
from registry.monitoring.watches import watch_screening
from registry.runtime import current_runtime
from registry.screening.service import screen_subjects
from sync.feed import DataSource
from sync.push import RunReport, push_target
from sync.status import target_statuses
from sync.targets import Target, TargetConfigError, load_targets
from tests import factories
from tests.integration.test_concurrency import Committed, committed  # noqa: F401
from tools.receiver import create_receiver

SECRETS = {
    "agency": "an-agency-receiver-secret",
    "other": "another-agency-secret-1",
    "platform": "the-platform-secret-1",
}
TODAY = dt.date(2026, 11, 23)
AGENCY = "杭州市公共资源交易中心"
BIDDERS = ["杭州合晟建设工程有限公司", "温州清白科技有限公司", "宁波甬江建材有限公司"]


def target(name: str, **settings: Any) -> Target:
    base: dict[str, Any] = {
        "name": name,
        "url": "http://receiver/receive",
        "secret": SECRETS[name],
        "batch_size": 1,
        "attempts": 1,
        "backoff_initial_seconds": 0,
        "backoff_max_seconds": 0,
        "heartbeat_seconds": 0,
    }
    return Target(**{**base, **settings})


AGENCY_TARGET = target("agency", stream="alerts", agency=AGENCY)
OTHER_TARGET = target("other", stream="alerts", agency="另一家代理机构")


@pytest.fixture
def world(committed: Committed, tmp_path: Path) -> Iterator[tuple[Committed, httpx.Client]]:  # noqa: F811
    """Three bidders screened and watched by the agency; two of them listed afterwards, one at a
    time, the checker run after each: two alerts, each with its own outbox event."""
    app = committed.app
    with app.app_context():
        session = db.session
        runtime = current_runtime()
        finance = factories.make_authority(session, "浙江省财政厅", ("procurement",))
        key, _ = access.create_key(session, role="screener", name=AGENCY)
        access.create_key(session, role="screener", name="另一家代理机构")
        agency = Actor(key_id=key.id, name=AGENCY, role="screener")
        request = {"domain": "procurement", "project_code": "P-1", "subjects": [{"name": n} for n in BIDDERS]}
        stored = screen_subjects(session, request, agency, TODAY, runtime.name_index, runtime.measures)
        watch_screening(session, stored.id, dt.date(2027, 1, 31), agency, TODAY)
        session.commit()
        index = WatchIndex()
        for name in BIDDERS[:2]:
            factories.make_list_entry(session, finance, factories.make_entity(session, name))
            session.commit()
            check_watches(session, index, runtime.name_index, runtime.measures, TODAY)
            session.commit()
        db.session.remove()
    receiver = create_receiver(str(tmp_path / "alert-receiver.db"), SECRETS, control=True)
    with httpx.Client(transport=httpx.WSGITransport(app=receiver), base_url="http://receiver") as client:
        yield committed, client


def push(site: Committed, client: httpx.Client, chosen: Target) -> RunReport:
    with site.app.app_context():
        return push_target(
            db.engine,
            chosen,
            include_not_public=False,
            operator=DataSource("登记簿", None),
            client=client,
            sleep=lambda _: None,
        )


def lag(site: Committed) -> int:
    with site.app.app_context():
        (status,) = target_statuses(db.session(), OPERATOR, [AGENCY_TARGET], dt.datetime.now(dt.UTC))
        db.session.remove()
    return status.lag_events


def received(client: httpx.Client, name: str) -> list[dict[str, Any]]:
    return [item["record"] for item in client.get("http://receiver/_received", params={"target": name}).json()]


def test_the_agency_receives_its_alerts_once_in_order(world: tuple[Committed, httpx.Client]) -> None:
    site, client = world
    alerts = site.scalars(sa.select(Alert).order_by(Alert.id))
    assert [a.subject_index for a in alerts] == [0, 1]
    assert lag(site) == 2  # the agency's two alert events, not the whole outbox
    client.post("http://receiver/_control", json={"down": True})
    assert push(site, client, AGENCY_TARGET).error is not None  # down: nothing lost
    client.post("http://receiver/_control", json={"down": False})
    report = push(site, client, AGENCY_TARGET)
    assert report.error is None, report.error
    got = received(client, "agency")
    assert [(r["alert_id"], r["decision_then"], r["decision_now"]) for r in got] == [
        (alerts[0].id, "clear", "block"),
        (alerts[1].id, "clear", "block"),
    ]
    assert got[0]["subject"]["name"] == BIDDERS[0]
    assert got[0]["details"]["hits"][0]["features"]  # the match explained
    alert_seqs = site.scalars(sa.select(ChangeEvent.seq).where(ChangeEvent.record_type == "alert"))
    assert [r["seq"] for r in got] == alert_seqs
    assert push(site, client, AGENCY_TARGET).error is None
    assert len(received(client, "agency")) == 2  # nothing twice
    assert lag(site) == 0


def test_another_agency_and_the_platform_get_none(world: tuple[Committed, httpx.Client]) -> None:
    site, client = world
    assert push(site, client, OTHER_TARGET).error is None
    assert received(client, "other") == []
    assert push(site, client, target("platform", batch_size=500)).error is None
    platform = received(client, "platform")
    assert platform  # the list entries went
    assert all(r.get("record_type") != "alert" for r in platform)


def test_an_alerts_target_is_read_from_the_targets_file(tmp_path: Path) -> None:
    file = tmp_path / "targets.toml"
    file.write_text(
        '[targets.hz]\nurl = "https://hz.example/alerts"\nsecret_env = "HZ"\nstream = "alerts"\n'
        'agency = "杭州市公共资源交易中心"\n',
        encoding="utf-8",
    )
    (read,) = load_targets(file, {"HZ": "a-long-enough-secret"})
    assert (read.stream, read.agency, read.heartbeat_seconds, read.schedule) == ("alerts", AGENCY, 0, "every 5s")
    file.write_text(
        '[targets.hz]\nurl = "https://hz.example/"\nsecret_env = "HZ"\nstream = "alerts"\n', encoding="utf-8"
    )
    with pytest.raises(TargetConfigError, match="agency: is required for an alerts target"):
        load_targets(file, {"HZ": "a-long-enough-secret"})
