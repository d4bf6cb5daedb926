"""/evidence: the public page of the evidence tree's anchors and signing key."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from registry.evidence.anchoring import anchor
from registry.screening.name_index import NameIndex, default_matcher
from tests.conftest import auth


@pytest.fixture(autouse=True)
def index(runtime) -> Iterator[NameIndex]:
    kept = runtime.name_index
    runtime.name_index = NameIndex(default_matcher)
    yield runtime.name_index
    runtime.name_index = kept


def anchored_screenings(client, session, runtime, world, counts: list[int]) -> list[int]:
    sizes = []
    for n, count in enumerate(counts):
        for i in range(count):
            r = client.post(
                "/api/v1/screenings",
                json={
                    "domain": "procurement",
                    "project_code": f"P-{n}",
                    "subjects": [{"name": f"杭州{n}{i}建设有限公司"}],
                },
                headers=auth(world.screener_key),
            )
            assert r.status_code == 201
        made = anchor(session, runtime.signer)
        assert made is not None
        session.commit()
        sizes.append(made.tree_size)
    return sizes


def test_the_page_lists_anchors_newest_first_with_the_key(client, session, runtime, world):
    assert "还没有锚点" in client.get("/evidence").get_data(as_text=True)
    sizes = anchored_screenings(client, session, runtime, world, [1, 2, 1])
    page = client.get("/evidence")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert runtime.signer.public_key_hex in html
    shown = [int(s) for s in re.findall(r'<th scope="row">(\d+)</th>', html)]
    assert shown == sizes[::-1] == [4, 3, 1]
    latest = client.get("/api/v1/evidence/anchors?after=3").get_json()["items"][0]
    assert latest["root"] in html
    assert latest["signature"] in html
    assert "<script" not in html


def test_older_anchors_are_a_link_away_and_a_bad_cursor_shows_the_newest(client, session, runtime, world, monkeypatch):
    from api.pages import evidence

    monkeypatch.setattr(evidence, "PER_PAGE", 2)
    anchored_screenings(client, session, runtime, world, [1, 1, 1])
    html = client.get("/evidence").get_data(as_text=True)
    assert [int(s) for s in re.findall(r'<th scope="row">(\d+)</th>', html)] == [3, 2]
    assert "/evidence?before=2" in html
    older = client.get("/evidence?before=2").get_data(as_text=True)
    assert [int(s) for s in re.findall(r'<th scope="row">(\d+)</th>', older)] == [1]
    assert "更早的锚点" not in older
    for bad in ("abc", "-1", "0", "9" * 30, "１"):
        again = client.get(f"/evidence?before={bad}")
        assert again.status_code == 200
        assert [int(s) for s in re.findall(r'<th scope="row">(\d+)</th>', again.get_data(as_text=True))] == [3, 2]
