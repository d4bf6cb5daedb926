"""The pull feed: every outbox event once, in order, with its data source; platform records in the
national format, internal events listed without a record; not-public contents withheld."""

from __future__ import annotations

import pytest

from registry import access
from registry.errors import InvalidInput, NotPermitted
from registry.models import ChangeEvent
from sync.feed import DataSource, read_feed
from sync.national import columns
from sync.outbox_rendering import render_events
from tests import factories
from tests.conftest import auth

OPERATOR = DataSource("浙江省公共资源交易中心", "12330000MB0000000X")


@pytest.fixture
def platform(session, world):
    found = access.authenticate(session, world.platform_key)
    assert found is not None
    return found


def _head(session) -> int:
    return max([e.seq for e in session.query(ChangeEvent)] or [0])


def test_pages_walk_every_event_once_in_order(session, world, platform):
    start = _head(session)
    for i in range(5):
        entity = factories.make_entity(session, f"杭州翻页{i}建设有限公司")
        factories.make_list_entry(session, world.finance, entity)
    seen, after = [], start
    while True:
        page = read_feed(session, platform, after=after, limit=3)
        seen += [e.seq for e in page.events]
        assert page.head == start + 10
        if not page.has_more:
            break
        after = page.next_after
    assert seen == list(range(start + 1, start + 11))
    last = read_feed(session, platform, after=seen[-1], limit=3)
    assert last.events == []
    assert last.next_after == seen[-1]  # nothing new: ask with the same cursor again


def test_each_event_names_its_data_source(session, world, platform):
    start = _head(session)
    entity = factories.make_entity(session, "杭州来源建设有限公司")
    factories.make_list_entry(session, world.finance, entity)
    factories.make_penalty(session, world.housing, entity, data_source_authority_id=world.finance.id)
    events = read_feed(session, platform, after=start, operator=OPERATOR).events
    by_type = {e.record_type: e for e in events}
    assert by_type["entity"].data_source == OPERATOR
    assert by_type["list_entry"].data_source == DataSource(world.finance.name, world.finance.uscc)
    # A penalty decided by one authority and supplied by another names the supplier.
    assert by_type["penalty"].data_source == DataSource(world.finance.name, world.finance.uscc)
    assert by_type["penalty"].record["decision_number"]
    assert by_type["penalty"].record_version == 1


def test_platform_records_carry_the_national_rendering_and_internal_events_none(session, world, platform):
    start = _head(session)
    entity = factories.make_entity(session, "杭州国标建设有限公司")
    penalty = factories.make_penalty(session, world.housing, entity, data_source_authority_id=world.finance.id)
    events = read_feed(session, platform, after=start, operator=OPERATOR).events
    created, recorded = events
    # An entity's creation is internal: listed (no gap in the sequence), but no record.
    assert (created.record_type, created.internal, created.record, created.withheld) == ("entity", True, None, False)
    assert recorded.internal is False
    assert list(recorded.record) == [c.name for c in columns("penalties")]
    assert (
        recorded.record
        == render_events(
            session, [session.get(ChangeEvent, recorded.seq)], include_not_public=False, operator=OPERATOR
        )[0]
    )
    assert recorded.record["seq"] == recorded.seq
    assert recorded.record["record_id"] == penalty.id
    assert recorded.record["authority_name"] == world.housing.name  # 处罚机关: who decided
    assert recorded.record["data_source_name"] == world.finance.name  # 数据来源单位: who supplied it
    assert recorded.record["subject_kind"] == "法人及非法人组织"
    assert recorded.record["fine_amount"] == "0.5"
    assert "payload" not in recorded.record
    assert "data_source_authority_id" not in recorded.record


def test_a_record_that_is_not_public_is_listed_but_withheld_unless_configured(session, world, platform):
    start = _head(session)
    entity = factories.make_entity(session, "杭州保密建设有限公司")
    factories.make_list_entry(session, world.finance, entity, is_public=False, not_public_reason="涉及国家秘密")
    events = read_feed(session, platform, after=start).events
    entry = next(e for e in events if e.record_type == "list_entry")
    assert entry.withheld is True
    assert entry.internal is False
    # Only the envelope: the platform sees that the record changed, not what it says.
    assert entry.record == {
        "seq": entry.seq,
        "record_type": "list_entry",
        "operation": "create",
        "record_id": entry.record_id,
        "version": 1,
        "occurred_at": entry.occurred_at.isoformat(),
        "withheld": True,
    }
    configured = read_feed(session, platform, after=start, include_not_public=True).events
    entry = next(e for e in configured if e.record_type == "list_entry")
    assert entry.withheld is False
    assert entry.record["not_public_reason"] == "涉及国家秘密"
    assert entry.record["is_public"] is False
    assert entry.record["subject_name"] == "杭州保密建设有限公司"


def test_bad_cursors_and_roles_are_refused(session, world, platform):
    with pytest.raises(InvalidInput, match="after"):
        read_feed(session, platform, after=-1)
    with pytest.raises(InvalidInput, match="limit"):
        read_feed(session, platform, after=0, limit=1001)
    screener = access.authenticate(session, world.screener_key)
    with pytest.raises(NotPermitted):
        read_feed(session, screener, after=0)


def test_the_feed_over_http(client, session, world):
    start = _head(session)
    entity = factories.make_entity(session, "杭州接口建设有限公司")
    factories.make_list_entry(session, world.finance, entity)
    session.commit()
    r = client.get(f"/api/v1/feed?after={start}&limit=1", headers=auth(world.platform_key))
    assert r.status_code == 200, r.json
    assert [e["seq"] for e in r.json["events"]] == [start + 1]
    assert r.json["has_more"] is True
    assert r.json["next_after"] == start + 1
    nxt = client.get(f"/api/v1/feed?after={r.json['next_after']}", headers=auth(world.platform_key)).json
    assert [e["record_type"] for e in nxt["events"]] == ["list_entry"]
    assert nxt["events"][0]["data_source"] == {"name": world.finance.name, "uscc": world.finance.uscc}
    assert r.json["events"][0]["internal"] is True
    assert r.json["events"][0]["record"] is None
    listed = nxt["events"][0]
    assert listed["internal"] is False
    assert listed["withheld"] is False
    assert listed["record"]["list_type"] == "黑名单"
    assert listed["record"]["subject_name"] == "杭州接口建设有限公司"
    assert listed["record"]["seq"] == listed["seq"]

    bad = client.get("/api/v1/feed?after=-3", headers=auth(world.platform_key))
    assert bad.status_code == 422
    assert "after" in bad.json["errors"]
    assert client.get("/api/v1/feed?after=0&cursor=1", headers=auth(world.platform_key)).status_code == 422
    assert client.get("/api/v1/feed", headers=auth(world.screener_key)).status_code == 403
    assert client.get("/api/v1/feed").status_code == 401
