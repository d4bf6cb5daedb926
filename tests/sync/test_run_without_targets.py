"""`flask sync run` with no push targets configured still anchors the evidence tree and checks the
watches (a registry that pushes nowhere yet, such as `make serve`'s demo, must not leave screenings
and credit reports unanchored); a targets file that is given but broken is still refused."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from flask.testing import FlaskClient


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the jobs the scheduler was started with (it returns at once instead of running)."""
    jobs: list[str] = []

    def start(self: BlockingScheduler, *args: Any, **kwargs: Any) -> None:
        jobs.extend(job.id for job in self.get_jobs())

    monkeypatch.setattr(BlockingScheduler, "start", start)
    return jobs


def test_without_targets_it_anchors_and_checks_watches_and_says_nothing_is_pushed(
    app: Flask, client: FlaskClient, started: list[str], caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "SYNC_TARGETS", None)
    with caplog.at_level(logging.WARNING):
        result = app.test_cli_runner().invoke(args=["sync", "run"])
    assert result.exit_code == 0, result.output
    assert sorted(started) == ["anchor", "watches"]
    assert any("no push targets" in r.getMessage() for r in caplog.records)


def test_a_broken_targets_file_is_still_refused(
    app: Flask, client: FlaskClient, started: list[str], tmp_path: Path, monkeypatch
) -> None:
    broken = tmp_path / "targets.toml"
    broken.write_text("[[target]]\nname = \n", encoding="utf-8")
    monkeypatch.setitem(app.config, "SYNC_TARGETS", str(broken))
    result = app.test_cli_runner().invoke(args=["sync", "run"])
    assert result.exit_code == 2
    assert result.stderr.startswith("错误：")
    assert started == []
