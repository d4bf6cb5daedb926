"""The mixed-load benchmark at a tiny size (3 clients, 2 seconds, SQLite), so the script cannot rot:
every kind of request is sent and answered as expected. It asserts nothing about timings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import load


def test_the_load_script_runs_every_kind_of_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    figures = tmp_path / "load.json"
    status = load.main(
        [
            "--clients",
            "3",
            "--seconds",
            "2",
            "--workers",
            "1",
            "--entities",
            "20",
            "--baseline-seconds",
            "1",
            "--database-url",
            f"sqlite:///{tmp_path / 'registry.db'}",
            "--json",
            str(figures),
        ]
    )

    out = capsys.readouterr().out
    assert status == 0, out
    report = json.loads(figures.read_text())
    rows = report["registry"]
    assert rows["total"]["count"] > 0
    assert rows["total"]["errors"] == 0
    assert rows["total"]["count"] == sum(r["count"] for label, r in rows.items() if label != "total")
    assert "screening" in rows  # the heaviest share of the mix
    assert report["baseline"]["count"] > 0
    assert report["baseline"]["errors"] == 0
    assert report["ratio"] > 0
    assert "ratio: registry total req/s / minimal endpoint req/s" in out


def test_an_unexpected_status_is_an_error() -> None:
    tallies = {"screening": load.Tally(latencies=[1.0, 2.0], errors=1, samples=["500: boom"])}
    rows = load.figures(tallies, 1.0)
    assert rows["total"]["errors"] == 1
    assert rows["screening"]["per_second"] == 2.0
    assert "screening" in load.format_table(rows)


def test_every_client_request_kind_is_well_formed() -> None:
    world = load.World(
        screener_key="s",
        platform_key="p",
        supervisors=[load.Supervisor("k", 1, {"decision_number": "x", "entity_id": 1}, {"decision_number": "y"})],
        entity_ids=[1, 2],
        listed_names=["杭州合晟建设工程有限公司"],
        listed_codes=["91330106MA2XXXXX1X"],
        other_names=["宁波别家建设工程有限公司"],
        search_terms=["合晟"],
        feed_head=10,
        counts={},
    )
    client = load.Client(world, 0, seed=1)
    seen = set()
    for _ in range(400):
        call = client.next_call()
        seen.add(call.label)
        if call.label == "penalty create":
            client.made.append((world.supervisors[0], 5))
        if call.label == "screening":
            assert call.body is not None
            assert 1 <= len(call.body["subjects"]) <= 20
        if call.label == "penalty correct":
            assert call.headers == {"If-Match": '"v1"'}
    assert seen == {label for label, _ in load.MIX}
