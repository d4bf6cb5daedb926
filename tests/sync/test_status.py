"""Push status through the API, the metrics endpoint and `flask sync …`, and the CLI's refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry.calendar.workdays import calendar_outlook
from registry.database import db
from registry.models import CalendarYear, ChangeEvent, SyncDeadLetter, SyncState
from registry.runtime import Runtime
from sync.metrics import render_metrics
from tests import factories
from tests.conftest import auth
from tests.integration.test_concurrency import Committed, committed  # noqa: F401

SECRET = "status-test-secret-0123"
T0 = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)


def targets_file(tmp_path: Path, url: str = "http://127.0.0.1:9/receive") -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(
        f'[targets.provincial]\nurl = "{url}"\nsecret = "{SECRET}"\nschedule = "every 30s"\n'
        "attempts = 1\ntimeout_seconds = 2\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


@pytest.fixture
def configured(app: Flask, tmp_path: Path):  # type: ignore[no-untyped-def]
    before = app.config.get("SYNC_TARGETS")
    app.config["SYNC_TARGETS"] = str(targets_file(tmp_path))
    yield app
    app.config["SYNC_TARGETS"] = before


def test_status_api_reports_cursor_lag_errors_and_dead_letters(
    configured: Flask,
    client: FlaskClient,
    session: Session,
    world: factories.World,
) -> None:
    entity = factories.make_entity(session, "杭州状态测试建设工程有限公司")
    factories.make_penalty(session, world.finance, entity)
    session.add(
        SyncState(
            target="provincial", cursor=2, last_error="HTTP 503: down", last_error_at=T0, batches_sent=1, records_sent=0
        )
    )
    session.add(SyncState(target="retired", cursor=1, batches_sent=0, records_sent=0))
    session.add(
        SyncDeadLetter(
            target="provincial",
            seq=2,
            rejections=3,
            dead=True,
            status_code=422,
            reason="统一社会信用代码 校验位错误",
            dead_at=T0,
        )
    )
    session.commit()

    r = client.get("/api/v1/sync/targets", headers=auth(world.platform_key))
    assert r.status_code == 200, r.json
    assert r.json["config_error"] is None
    assert r.json["config_error_en"] is None
    by_name = {t["name"]: t for t in r.json["targets"]}
    provincial = by_name["provincial"]
    assert provincial["configured"]
    assert provincial["schedule"] == "every 30s"
    assert provincial["cursor"] == 2
    assert provincial["lag_events"] == provincial["head"] - 2 > 0
    assert provincial["lag_seconds"] is not None
    assert provincial["healthy"] is False
    assert provincial["last_error"] == "HTTP 503: down"
    assert provincial["dead_letters"] == 1
    assert provincial["rejected"][0]["reason"] == "统一社会信用代码 校验位错误"
    assert by_name["retired"]["configured"] is False  # state kept after the target left the file

    metrics = client.get("/api/v1/metrics", headers=auth(world.admin_key))
    assert metrics.status_code == 200
    text = metrics.get_data(as_text=True)
    assert 'registry_sync_cursor{target="provincial"} 2.0' in text
    assert 'registry_sync_dead_letters{target="provincial"} 1.0' in text
    assert 'registry_sync_healthy{target="provincial"} 0.0' in text
    assert "registry_sync_config_ok 1.0" in text


@pytest.mark.parametrize("path", ["/api/v1/sync/targets", "/api/v1/metrics"])
def test_status_needs_the_platform_or_admin(client: FlaskClient, world: factories.World, path: str) -> None:
    assert client.get(path, headers=auth(world.screener_key)).status_code == 403
    assert client.get(path, headers=auth(world.finance_key)).status_code == 403
    assert client.get(path).status_code in (401, 403)


def test_a_broken_targets_file_is_reported_not_hidden(
    app: Flask,
    client: FlaskClient,
    world: factories.World,
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[targets.x]\nurl = 'gopher://x'\n", encoding="utf-8")
    before = app.config.get("SYNC_TARGETS")
    app.config["SYNC_TARGETS"] = str(broken)
    try:
        r = client.get("/api/v1/sync/targets", headers=auth(world.platform_key))
        english = client.get("/api/v1/sync/targets", headers={**auth(world.platform_key), "Accept-Language": "en"})
        metrics = client.get("/api/v1/metrics", headers=auth(world.platform_key)).get_data(as_text=True)
    finally:
        app.config["SYNC_TARGETS"] = before
    assert r.status_code == 200
    # In Chinese for people (the language Accept-Language prefers), in English beside it, as every refusal
    assert r.json["config_error"] == f"{broken}：推送目标 'x' 的 url：须为 http:// 或 https:// 地址。"
    assert r.json["config_error_en"] == f"{broken}: target 'x', url: must be an http:// or https:// address"
    assert english.json["config_error"] == english.json["config_error_en"] == r.json["config_error_en"]
    assert "registry_sync_config_ok 0.0" in metrics


def test_no_targets_configured_is_reported_in_chinese(app: Flask, client: FlaskClient, world: factories.World) -> None:
    before = app.config.get("SYNC_TARGETS")
    app.config["SYNC_TARGETS"] = None
    try:
        r = client.get("/api/v1/sync/targets", headers=auth(world.admin_key))
    finally:
        app.config["SYNC_TARGETS"] = before
    assert r.status_code == 200
    assert (
        r.json["config_error"] == "没有推送目标：请将 REGISTRY_SYNC_TARGETS 设为推送目标配置文件（见 docs/sync.md）。"
    )
    assert r.json["config_error_en"] == "no push targets: set REGISTRY_SYNC_TARGETS to a targets file (docs/sync.md)"


def test_cli_refuses_a_missing_configuration_and_unknown_targets(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    before = app.config.get("SYNC_TARGETS")
    try:
        app.config["SYNC_TARGETS"] = None
        result = runner.invoke(args=["sync", "push"])
        assert result.exit_code == 2
        assert "错误：没有推送目标：请将 REGISTRY_SYNC_TARGETS 设为推送目标配置文件" in result.stderr
        app.config["SYNC_TARGETS"] = str(targets_file(tmp_path))
        result = runner.invoke(args=["sync", "push", "national"])
        assert result.exit_code == 2
        assert "错误：未知的推送目标：national；已配置的推送目标：provincial。" in result.stderr
        result = runner.invoke(args=["sync", "status"])
        assert result.exit_code == 0
        assert "provincial: cursor 0" in result.stdout
    finally:
        app.config["SYNC_TARGETS"] = before


def test_cli_push_to_an_unreachable_target_fails_and_keeps_the_cursor(
    committed: Committed,  # noqa: F811
    tmp_path: Path,
) -> None:
    app = committed.app
    with app.app_context():
        finance = factories.make_authority(db.session, "浙江省财政厅", ("procurement",))
        factories.make_penalty(db.session, finance, factories.make_entity(db.session, "杭州不通建设工程有限公司"))
        db.session.commit()
        db.session.remove()
    before = app.config.get("SYNC_TARGETS")
    app.config["SYNC_TARGETS"] = str(targets_file(tmp_path))  # port 9 (discard): nothing listens
    try:
        result = app.test_cli_runner().invoke(args=["sync", "push"])
    finally:
        app.config["SYNC_TARGETS"] = before
    assert result.exit_code == 1
    assert "provincial: 0 batch(es)" in result.stdout
    assert "stopped: batch provincial:1-" in result.stdout
    assert "ConnectError" in result.stdout
    assert committed.scalar(sa.select(SyncState.cursor).where(SyncState.target == "provincial")) == 0


# ---- a target that stops moving is unhealthy ----------------------------------------------------


def test_a_target_with_events_waiting_and_nothing_acknowledged_becomes_unhealthy(
    session: Session,
    world: factories.World,
    tmp_path: Path,
) -> None:
    """No error is recorded (every run lost its lease, or every scheduler stopped), yet the target
    does not move: unhealthy once events waited past 5 scheduled runs plus one batch's retries."""
    from registry.ledger import OPERATOR
    from sync.status import STALL_RUNS, stall_limit, target_statuses
    from sync.targets import load_targets

    [target] = load_targets(targets_file(tmp_path))
    entity = factories.make_entity(session, "杭州停滞测试建设工程有限公司")
    factories.make_penalty(session, world.finance, entity)
    written = session.scalar(sa.select(sa.func.max(ChangeEvent.occurred_at)))
    oldest = session.scalar(sa.select(sa.func.min(ChangeEvent.occurred_at)))
    assert written is not None
    assert oldest is not None
    session.add(
        SyncState(
            target="provincial",
            cursor=0,
            batches_sent=3,
            records_sent=3,
            last_success_at=written - dt.timedelta(days=1),
        )
    )  # long before the events
    session.commit()
    limit = stall_limit(target, written)
    assert limit == STALL_RUNS * 30 + 1 * (2 + 60)  # every 30s; attempts 1 × (timeout 2 + backoff max 60)

    def status_at(now: dt.datetime) -> Any:
        [status] = target_statuses(session, OPERATOR, [target], now)
        return status

    fresh = status_at(oldest + dt.timedelta(seconds=limit - 1))
    assert fresh.healthy  # counted from the oldest waiting event, not from the old success
    assert fresh.stalled_seconds == pytest.approx(limit - 1)
    stuck = status_at(oldest + dt.timedelta(seconds=limit + 1))
    assert not stuck.healthy
    assert stuck.problem is not None
    assert stuck.problem.startswith(f"stuck: {stuck.lag_events} event(s) waiting and no batch acknowledged")

    session.execute(sa.update(SyncState).values(last_success_at=oldest + dt.timedelta(seconds=limit)))
    assert status_at(oldest + dt.timedelta(seconds=limit + 1)).healthy  # it moved a moment ago

    head = session.scalar(sa.select(sa.func.max(ChangeEvent.seq)))
    session.execute(sa.update(SyncState).values(cursor=head, last_success_at=written - dt.timedelta(days=30)))
    idle = status_at(oldest + dt.timedelta(days=7))
    assert idle.healthy  # caught up: nothing to move, however long ago the last batch went
    assert idle.stalled_seconds is None


def test_a_stuck_target_is_unhealthy_in_the_api_and_the_metrics(
    configured: Flask,
    client: FlaskClient,
    session: Session,
    world: factories.World,
) -> None:
    entity = factories.make_entity(session, "杭州卡住测试建设工程有限公司")
    factories.make_penalty(session, world.finance, entity)
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    session.execute(sa.update(ChangeEvent).values(occurred_at=an_hour_ago))
    session.add(
        SyncState(
            target="provincial",
            cursor=0,
            batches_sent=1,
            records_sent=0,
            last_success_at=an_hour_ago - dt.timedelta(hours=1),
            inflight_first=1,
            inflight_last=4,
            inflight_key="provincial:1-4",
        )
    )
    session.commit()

    r = client.get("/api/v1/sync/targets", headers=auth(world.platform_key))
    provincial = {t["name"]: t for t in r.json["targets"]}["provincial"]
    assert provincial["last_error"] is None  # nothing was recorded as an error…
    assert provincial["healthy"] is False  # …and still the target is reported as not moving
    text = client.get("/api/v1/metrics", headers=auth(world.admin_key)).get_data(as_text=True)
    assert 'registry_sync_healthy{target="provincial"} 0.0' in text
    result = configured.test_cli_runner().invoke(args=["sync", "status"])
    assert "UNHEALTHY: stuck:" in result.stdout


# ---- the working-day calendar's gauges ---------------------------------------------------------


def _calendar_metrics(client: FlaskClient, world: factories.World) -> str:
    metrics = client.get("/api/v1/metrics", headers=auth(world.platform_key))
    assert metrics.status_code == 200
    return metrics.get_data(as_text=True)


def test_metrics_warn_from_1_november_that_next_years_notice_is_not_loaded(
    client: FlaskClient,
    world: factories.World,
    runtime: Runtime,
) -> None:
    """《国务院办公厅关于2027年部分节假日安排的通知》 is not loaded on 2026-11-01 (China time)."""
    runtime.clock.fixed = dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.UTC)  # 2026-11-01 00:30 in China
    text = _calendar_metrics(client, world)
    assert "registry_calendar_next_year_loaded 0.0" in text
    assert "registry_calendar_warning 1.0" in text


def test_metrics_do_not_warn_on_31_october(
    client: FlaskClient,
    world: factories.World,
    runtime: Runtime,
) -> None:
    """Before 1 November the 2027 notice (国务院办公厅关于2027年部分节假日安排的通知) is not yet due:
    next year is still not loaded, but nothing to alert on."""
    runtime.clock.fixed = dt.datetime(2026, 10, 31, 15, 59, tzinfo=dt.UTC)  # 2026-10-31 23:59 in China
    text = _calendar_metrics(client, world)
    assert "registry_calendar_next_year_loaded 0.0" in text
    assert "registry_calendar_warning 0.0" in text


def test_metrics_once_next_year_is_loaded(
    client: FlaskClient,
    session: Session,
    world: factories.World,
    runtime: Runtime,
) -> None:
    """With 《国务院办公厅关于2027年部分节假日安排的通知》 loaded, 2027 is known: no warning."""
    session.add(CalendarYear(year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知", loaded_by="test"))
    session.commit()
    text = _calendar_metrics(client, world)  # on 2026-11-23, the suite's date
    assert "registry_calendar_next_year_loaded 1.0" in text
    assert "registry_calendar_warning 0.0" in text


def test_render_metrics_takes_the_outlook_outside_an_app() -> None:
    """《国务院办公厅关于2027年部分节假日安排的通知》 not loaded on 2026-11-01; outside an app the
    calendar gauges come only from the outlook passed in."""
    text = render_metrics([], config_ok=True, calendar=calendar_outlook(dt.date(2026, 11, 1))).decode()
    assert "registry_calendar_next_year_loaded 0.0" in text
    assert "registry_calendar_warning 1.0" in text
    assert "registry_calendar" not in render_metrics([], config_ok=True).decode()
