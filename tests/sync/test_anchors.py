"""Evidence anchors reach the platform as their own kind: rendered exactly as signed, in the feed
beside the audit chain's head, in their own export, never withheld."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from registry import access
from registry.evidence.anchoring import ANCHOR_ACTION, ANCHOR_RECORD, Anchor, anchor
from registry.evidence.signing import signature_valid
from registry.models import ChangeEvent
from registry.national_columns import ANCHOR_OPERATION, ANCHOR_RECORD_TYPE, PLATFORM_OPERATIONS, RECORD_TYPES
from registry.screening.name_index import NameIndex, default_matcher
from sync.feed import read_feed
from sync.national import DataSource, columns, headers, kind_of, render_record, to_chinese
from sync.outbox_rendering import render_events
from tests.conftest import auth

OPERATOR = DataSource("浙江省公共资源交易中心", "12330000MB0000000X")


@pytest.fixture(autouse=True)
def index(runtime) -> Iterator[NameIndex]:
    kept = runtime.name_index
    runtime.name_index = NameIndex(default_matcher)
    yield runtime.name_index
    runtime.name_index = kept


def screen_and_anchor(client, session, runtime, key: str, *names: str) -> Anchor:
    for name in names:
        r = client.post(
            "/api/v1/screenings",
            json={"domain": "procurement", "project_code": "P-1", "subjects": [{"name": name}]},
            headers=auth(key),
        )
        assert r.status_code == 201, r.json
    made = anchor(session, runtime.signer)
    assert made is not None
    session.commit()
    return made


def _platform(session, world):
    found = access.authenticate(session, world.platform_key)
    assert found is not None
    return found


def _head(session) -> int:
    return session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0


def _anchor_events(session, after: int) -> list[ChangeEvent]:
    return list(
        session.scalars(
            sa.select(ChangeEvent)
            .where(ChangeEvent.seq > after, ChangeEvent.record_type == ANCHOR_RECORD)
            .order_by(ChangeEvent.seq)
        )
    )


def _signed(record: dict[str, Any]) -> bool:
    return signature_valid(
        record["public_key"],
        record["tree_size"],
        bytes.fromhex(record["root"]),
        record["timestamp"],
        record["signature"],
    )


def test_an_anchor_is_a_platform_record_of_its_own_kind() -> None:
    # national_columns is data only: its names must be the anchoring step's.
    assert (ANCHOR_RECORD_TYPE, ANCHOR_OPERATION) == (ANCHOR_RECORD, ANCHOR_ACTION)
    assert RECORD_TYPES["evidence-anchors"] == ANCHOR_RECORD
    assert PLATFORM_OPERATIONS[ANCHOR_RECORD] == (ANCHOR_ACTION,)
    assert kind_of(ANCHOR_RECORD, ANCHOR_ACTION) == "evidence-anchors"
    assert kind_of(ANCHOR_RECORD, "create") is None
    assert headers("evidence-anchors")[:6] == ["树大小", "根哈希", "锚定时间", "签名", "签名算法", "签名公钥"]


def test_an_anchor_is_rendered_exactly_as_signed(client, session, world, runtime) -> None:
    start = _head(session)
    made = screen_and_anchor(
        client, session, runtime, world.screener_key, "杭州锚定甲建设有限公司", "宁波锚定乙贸易有限公司"
    )
    [event] = _anchor_events(session, start)
    [record] = [
        r for r in render_events(session, [event], include_not_public=False, operator=OPERATOR) if r["seq"] == event.seq
    ]
    assert list(record) == [c.name for c in columns("evidence-anchors")]
    assert record == {
        "tree_size": made.tree_size,
        "root": made.root,
        "timestamp": made.timestamp,
        "signature": made.signature,
        "algorithm": "Ed25519",
        "public_key": runtime.signer.public_key_hex,
        "data_source_name": OPERATOR.name,
        "data_source_uscc": OPERATOR.uscc,
        "seq": event.seq,
        "record_type": "evidence_anchor",
        "operation": "anchor",
        "record_id": made.tree_size,
        "version": 1,
        "occurred_at": event.occurred_at.isoformat(),
        "withheld": False,
    }
    assert _signed(record)
    chinese = to_chinese(record)  # the push's json-zh: the kind is read from the envelope
    assert list(chinese) == headers("evidence-anchors")
    assert (chinese["树大小"], chinese["根哈希"], chinese["签名"]) == (made.tree_size, made.root, made.signature)
    assert (chinese["锚定时间"], chinese["签名公钥"], chinese["记录类型"]) == (
        made.timestamp,
        made.public_key,
        "evidence_anchor",
    )


def test_an_anchor_is_never_withheld() -> None:
    payload = {
        "tree_size": 1,
        "root": "ab" * 32,
        "timestamp": "2026-11-23T02:00:00.000000+00:00",
        "signature": "cd" * 64,
        "algorithm": "Ed25519",
        "public_key": "ef" * 32,
        "is_public": False,  # not a field of an anchor; were it there, it would not hide the anchor
    }
    record = render_record(
        "evidence_anchor", "anchor", payload, None, {}, OPERATOR, 9, "2026-11-23T02:00:00+00:00", False, record_id=1
    )
    assert record["withheld"] is False
    assert record["root"] == "ab" * 32


def test_the_feed_carries_every_anchor_beside_the_chain_head(client, session, world, runtime) -> None:
    start = _head(session)
    first = screen_and_anchor(client, session, runtime, world.screener_key, "杭州锚定丙建设有限公司")
    second = screen_and_anchor(
        client, session, runtime, world.screener_key, "杭州锚定丁建设有限公司", "杭州锚定戊建设有限公司"
    )
    r = client.get(f"/api/v1/feed?after={start}&limit=1000", headers=auth(world.platform_key))
    assert r.status_code == 200, r.json
    anchors = [e for e in r.json["events"] if e["record_type"] == "evidence_anchor"]
    assert [e["record_id"] for e in anchors] == [first.tree_size, second.tree_size]
    assert [e["record"]["root"] for e in anchors] == [first.root, second.root]
    for event in anchors:
        assert (event["internal"], event["withheld"], event["operation"]) == (False, False, "anchor")
        assert event["record"]["seq"] == event["seq"]
        assert _signed(event["record"])
    # The audit chain's head travels with every page, as before: the anchors add the tree's.
    assert r.json["chain_head"]["seq"] > 0
    assert len(r.json["chain_head"]["hash"]) == 64
    platform = read_feed(session, _platform(session, world), after=start, operator=OPERATOR)
    events = [e for e in platform.events if e.record_type == "evidence_anchor"]
    assert [e.data_source for e in events] == [OPERATOR, OPERATOR]  # the registry's own record


def test_the_anchors_export_lists_every_anchor_as_the_feed_renders_it(client, session, world, runtime) -> None:
    start = _head(session)
    made = [
        screen_and_anchor(client, session, runtime, world.screener_key, f"杭州导出锚定{i}号建设有限公司")
        for i in range(3)
    ]
    rows = [
        json.loads(line)
        for line in client.get("/api/v1/exports/evidence-anchors.jsonl", headers=auth(world.platform_key))
        .get_data(as_text=True)
        .splitlines()
    ]
    assert [row["tree_size"] for row in rows] == [a.tree_size for a in made]
    assert all(_signed(row) for row in rows)
    feed = client.get(f"/api/v1/feed?after={start}&limit=1000", headers=auth(world.platform_key)).json
    assert rows == [e["record"] for e in feed["events"] if e["record_type"] == "evidence_anchor"]
    csv_text = client.get("/api/v1/exports/evidence-anchors.csv", headers=auth(world.admin_key)).get_data(as_text=True)
    assert csv_text.lstrip("\ufeff").splitlines()[0] == ",".join(headers("evidence-anchors"))
    assert made[-1].root in csv_text
    assert client.get("/api/v1/exports/evidence-anchors.xlsx", headers=auth(world.screener_key)).status_code == 403
