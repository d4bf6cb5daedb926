"""Watches and alerts (持续监测 / 预警): a change that makes a watched bidder's decision worse raises
one alert for the agency that screened, found by matching the changed entity against the watched
subjects and confirmed by a re-screening; unrelated companies, ended and expired watches raise none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.errors import InvalidInput
from registry.ledger import Actor
from registry.models import Alert, Screening, Watch
from registry.monitoring import watch_index
from registry.monitoring.detect import check_watches
from registry.monitoring.watch_index import WatchIndex
from registry.monitoring.watches import end_watch, watch_screening
from registry.runtime import Runtime
from registry.screening.name_index import NameIndex, default_matcher
from tests import factories
from tests.conftest import auth

TODAY = dt.date(2026, 11, 23)
BIDDERS = ["杭州合晟建设工程有限公司", "温州清白科技有限公司", "宁波甬江建材有限公司"]


@pytest.fixture(autouse=True)
def index(runtime: Runtime) -> Iterator[NameIndex]:
    kept = runtime.name_index
    runtime.name_index = NameIndex(default_matcher)
    yield runtime.name_index
    runtime.name_index = kept


@pytest.fixture
def screened(client: Any, world: factories.World, session: Session) -> Screening:
    """A project of three bidders, all clear when screened."""
    r = client.post(
        "/api/v1/screenings",
        json={"domain": "procurement", "project_code": "ZJCG-2026-0099", "subjects": [{"name": n} for n in BIDDERS]},
        headers=auth(world.screener_key),
    )
    assert r.status_code == 201, r.json
    assert r.json["decision"] == "clear"
    return session.get_one(Screening, r.json["id"])


def agency(screening: Screening) -> Actor:
    return Actor(key_id=screening.api_key_id, name="交易中心", role="screener")


def check(session: Session, runtime: Runtime, watches: WatchIndex, today: dt.date = TODAY) -> list[Alert]:
    report = check_watches(session, watches, runtime.name_index, runtime.measures, today)
    session.commit()
    return report.alerts


def test_a_bidder_listed_after_its_screening_raises_one_alert(
    session: Session, runtime: Runtime, world: factories.World, screened: Screening
) -> None:
    watches = watch_screening(session, screened.id, dt.date(2027, 1, 31), agency(screened), TODAY)
    session.commit()
    assert [(w.subject_index, w.subject_name, w.decision_then) for w in watches] == [
        (0, BIDDERS[0], "clear"),
        (1, BIDDERS[1], "clear"),
        (2, BIDDERS[2], "clear"),
    ]
    index = WatchIndex()
    assert check(session, runtime, index) == []  # the screening's own events raise nothing

    listed = factories.make_entity(session, BIDDERS[0])
    factories.make_list_entry(session, world.finance, listed)
    session.commit()
    (alert,) = check(session, runtime, index)
    assert (alert.screening_id, alert.subject_index, alert.decision_then, alert.decision_now) == (
        screened.id,
        0,
        "clear",
        "block",
    )
    assert alert.entity_id == listed.id
    assert alert.api_key_id == screened.api_key_id
    (hit,) = alert.details["hits"]
    assert hit["entity_id"] == listed.id
    assert {f["name"] for f in hit["features"]} >= {"trade_name", "region"}  # the match explained
    assert str(listed.id) in alert.details["entities"]

    # Told once: a penalty on the same company makes nothing worse than block.
    factories.make_penalty(session, world.finance, listed)
    session.commit()
    assert check(session, runtime, index) == []
    assert session.get_one(Screening, screened.id).decision == "clear"  # the screening is never changed


@pytest.mark.parametrize("bulk", [1000, 0], ids=["one by one", "bulk build"])
def test_a_name_written_differently_is_found_and_a_namesake_elsewhere_is_not(
    session: Session,
    runtime: Runtime,
    world: factories.World,
    screened: Screening,
    bulk: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(watch_index, "BULK", bulk)
    watch_screening(session, screened.id, dt.date(2027, 1, 31), agency(screened), TODAY)
    session.commit()
    index = WatchIndex()
    check(session, runtime, index)
    elsewhere = factories.make_entity(session, "台州清白科技有限公司")  # same 字号, another city
    factories.make_list_entry(session, world.finance, elsewhere)
    session.commit()
    assert check(session, runtime, index) == []
    written = factories.make_entity(session, "寧波甬江建材有限公司")  # 繁体
    factories.make_list_entry(session, world.finance, written)
    session.commit()
    (alert,) = check(session, runtime, index)
    assert (alert.subject_index, alert.entity_id, alert.decision_now) == (2, written.id, "block")


def test_ended_and_expired_watches_raise_nothing(
    session: Session, runtime: Runtime, world: factories.World, screened: Screening
) -> None:
    watches = watch_screening(session, screened.id, dt.date(2026, 12, 31), agency(screened), TODAY)
    end_watch(session, watches[0].id, "已确定中标人", agency(screened))
    session.commit()
    index = WatchIndex()
    first = factories.make_entity(session, BIDDERS[0])
    factories.make_list_entry(session, world.finance, first)
    session.commit()
    assert check(session, runtime, index) == []  # ended
    second = factories.make_entity(session, BIDDERS[1])
    factories.make_list_entry(session, world.finance, second)
    session.commit()
    assert check(session, runtime, index, today=dt.date(2027, 1, 1)) == []  # ran out on 2026-12-31
    assert session.scalar(sa.select(sa.func.count()).select_from(Alert)) == 0


@pytest.mark.parametrize(
    ("until", "words"),
    [(dt.date(2026, 11, 22), "before today"), (dt.date(2027, 11, 24), "at most one year ahead")],
)
def test_a_watch_runs_from_today_to_a_year_ahead(
    session: Session, screened: Screening, until: dt.date, words: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        watch_screening(session, screened.id, until, agency(screened), TODAY)
    assert words in str(refused.value.errors["watch_until"][0])
    assert session.scalar(sa.select(sa.func.count()).select_from(Watch)) == 0


def test_the_cli_checks_the_backlog_and_says_what_it_raised(
    app: Any, session: Session, world: factories.World, screened: Screening
) -> None:
    watch_screening(session, screened.id, dt.date(2027, 1, 31), agency(screened), TODAY)
    listed = factories.make_entity(session, BIDDERS[1])
    factories.make_list_entry(session, world.finance, listed)
    session.commit()
    result = app.test_cli_runner().invoke(args=["registry", "watch-check", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "产生 1 条预警" in result.output
    assert f"核查 {screened.id} 第 2 个投标人，clear → block" in result.output
    again = app.test_cli_runner().invoke(args=["registry", "watch-check"])
    assert "已检查 0 条变更事件" in again.output


def test_a_large_fine_raises_an_alert_and_a_small_one_does_not(
    session: Session, runtime: Runtime, world: factories.World, screened: Screening
) -> None:
    """政府采购法第二十二条: 较大数额罚款 (the catalogue's 200万元) is a 重大违法记录 that bars the bidder."""
    watch_screening(session, screened.id, dt.date(2027, 1, 31), agency(screened), TODAY)
    session.commit()
    index = WatchIndex()
    small = factories.make_entity(session, BIDDERS[1])
    factories.make_penalty(session, world.finance, small, fine_amount="5", severity="general")
    session.commit()
    assert check(session, runtime, index) == []
    factories.make_penalty(session, world.finance, small, fine_amount="300", severity="general")
    session.commit()
    (alert,) = check(session, runtime, index)
    assert (alert.subject_index, alert.decision_now) == (1, "block")
    assert any("large_fine" in " ".join(h.get("measures", [])) for h in alert.details["hits"])
