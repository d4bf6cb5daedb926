"""The per-process caches of the screening path: API keys, the name index's freshness checks,
and the listed entities' dossiers. Each must answer as the database would, within its stated lag."""

from __future__ import annotations

import datetime as dt

import pytest

from api.app import create_app
from matching.types import Query
from registry import access
from registry.records import list_entries as entry_service
from registry.screening import dossiers, service
from registry.screening import name_index as name_index_module
from registry.screening.dossiers import DossierCache
from registry.screening.measures import load_measures
from registry.screening.name_index import NameIndex
from tests import factories
from tests.exact_matcher import ExactMatcher

MEASURES = load_measures()
TODAY = factories.TODAY
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- API keys ---------------------------------------------------------------------------------


def test_a_cached_key_is_trusted_until_its_ttl_then_read_again(session, world):
    clock = FakeClock()
    cache = access.KeyCache(5, clock=clock)
    actor = access.authenticate_cached(session, world.screener_key, cache)
    assert actor is not None
    assert actor.role == "screener"
    # Revoked by another process (the CLI): this worker's cache still trusts it for a while…
    access.revoke_key(session, actor.key_id)
    clock.now += 4.9
    assert access.authenticate_cached(session, world.screener_key, cache) == actor
    # …and no longer once the TTL has passed.
    clock.now += 0.1
    assert access.authenticate_cached(session, world.screener_key, cache) is None


def test_unknown_keys_are_never_cached_and_a_zero_ttl_turns_the_cache_off(session, world):
    cache = access.KeyCache(5)
    assert access.authenticate_cached(session, "crk_made-up", cache) is None
    assert access.authenticate_cached(session, "not-even-a-key", cache) is None
    assert cache._entries == {}
    off = access.KeyCache(0)
    actor = access.authenticate_cached(session, world.admin_key, off)
    assert actor is not None
    access.revoke_key(session, actor.key_id)
    assert access.authenticate_cached(session, world.admin_key, off) is None


def test_the_key_cache_is_bounded():
    cache = access.KeyCache(60, max_entries=10)
    for i in range(25):
        cache.put(f"digest-{i}", access.PUBLIC)
    assert len(cache._entries) <= 10
    assert cache.get("digest-24") is access.PUBLIC  # the newest stay
    assert cache.get("digest-0") is None


@pytest.mark.parametrize("setting", ["abc", "-1", "100000"])
def test_a_bad_cache_setting_stops_the_start(tmp_path, setting):
    with pytest.raises(ValueError, match="REGISTRY_KEY_CACHE_SECONDS"):
        create_app(
            {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "DATA_KEY": "x" * 20, "KEY_CACHE_SECONDS": setting}
        )


# --- the name index's freshness -----------------------------------------------------------------


def test_another_processs_change_is_seen_within_max_lag(session, world, monkeypatch):
    clock = FakeClock()
    index = NameIndex(ExactMatcher, max_lag=1.0, clock=clock)
    index.ensure_fresh(session)
    assert index.head_reads == 1
    # Another worker process commits a list entry: nothing in this process moves outbox_writes.
    monkeypatch.setattr(name_index_module, "outbox_writes", lambda: -1)
    entity = factories.make_entity(session, "杭州别处建设有限公司")
    factories.make_list_entry(session, world.finance, entity)
    index.ensure_fresh(session)  # first call sees a new signal value (-1): reads the head
    reads = index.head_reads
    other = factories.make_entity(session, "杭州又一建设有限公司")
    factories.make_list_entry(session, world.finance, other)
    clock.now += 0.5
    assert index.search(session, [Query(name=other.name)]).hits == [[]]  # trusted, not asked
    assert index.head_reads == reads
    clock.now += 0.5
    assert [h.entity_id for h in index.search(session, [Query(name=other.name)]).hits[0]] == [other.id]
    assert index.head_reads == reads + 1


def test_this_processs_own_change_is_seen_at_once(session, world):
    clock = FakeClock()  # never moves: only the process's own signal can make the index look
    index = NameIndex(ExactMatcher, max_lag=3600, clock=clock)
    index.ensure_fresh(session)
    entity = factories.make_entity(session, "杭州即时建设有限公司")
    factories.make_list_entry(session, world.finance, entity)
    assert [h.entity_id for h in index.search(session, [Query(name=entity.name)]).hits[0]] == [entity.id]


# --- dossiers -----------------------------------------------------------------------------------


@pytest.fixture
def screener(session, world):
    found = access.authenticate(session, world.screener_key)
    assert found is not None
    return found


@pytest.fixture
def wired():
    index = NameIndex(ExactMatcher)
    cache = DossierCache()
    index.on_change(cache.forget)
    return index, cache


def _screen(session, screener, wired, name, *, today=TODAY):
    index, cache = wired
    data = {"domain": "procurement", "project_code": "CACHE-1", "subjects": [{"name": name}]}
    return service.screen_subjects(session, data, screener, today, index, MEASURES, now=NOW, dossiers=cache)


def test_a_dossier_is_read_once_and_forgotten_when_its_entity_changes(session, world, screener, wired):
    _, cache = wired
    entity = factories.make_entity(session, "杭州缓存建设工程有限公司")
    entry = factories.make_list_entry(session, world.finance, entity)
    first = _screen(session, screener, wired, entity.name)
    assert first.decision == "block"
    assert cache.loads == 1
    again = _screen(session, screener, wired, entity.name)
    assert again.decision == "block"
    assert cache.loads == 1  # answered from the cache
    assert again.document["entities"] == first.document["entities"]

    entry_service.remove_list_entry(
        session, entry.id, "整改到位, 提前移出", TODAY, factories.supervisor_of(world.finance), entry.version, TODAY
    )
    after = _screen(session, screener, wired, entity.name)
    assert cache.loads == 2  # the removal's event made the cache read it again
    assert after.decision == "clear"
    assert after.document["subjects"][0]["hits"] == []


def test_a_dossier_is_evaluated_again_on_another_day(session, world, screener, wired):
    _, cache = wired
    entity = factories.make_entity(session, "杭州到期建设工程有限公司")
    # A one-year ban whose last day in force is today.
    factories.make_list_entry(
        session, world.finance, entity, listed_on=TODAY - dt.timedelta(days=364), expires_on=TODAY
    )
    assert _screen(session, screener, wired, entity.name).decision == "block"
    later = _screen(session, screener, wired, entity.name, today=TODAY + dt.timedelta(days=1))
    assert cache.loads == 2
    assert later.decision == "clear"  # expired by date: no event announced it


def test_the_dossier_cache_is_bounded(session, world):
    cache = DossierCache(max_entries=2)
    entities = [factories.make_entity(session, f"杭州有界{i}建设有限公司") for i in range(4)]
    for e in entities:
        factories.make_list_entry(session, world.finance, e)
        assert cache.get(session, [e.id], "procurement", TODAY, MEASURES)
    assert len(cache) == 2
    cache.get(session, [entities[0].id], "procurement", TODAY, MEASURES)
    assert cache.loads == 5  # the oldest had gone


def test_a_dossier_read_while_something_is_forgotten_is_used_but_not_kept(session, world, monkeypatch):
    cache = DossierCache()
    entity = factories.make_entity(session, "杭州竞态建设有限公司")
    factories.make_list_entry(session, world.finance, entity)
    real = dossiers.load_dossiers

    def load_while_an_event_arrives(*args, **kwargs):
        found = real(*args, **kwargs)
        cache.forget([entity.id])  # another thread applies an event about it meanwhile
        return found

    monkeypatch.setattr(dossiers, "load_dossiers", load_while_an_event_arrives)
    assert entity.id in cache.get(session, [entity.id], "procurement", TODAY, MEASURES)
    assert len(cache) == 0


def test_a_dossier_read_as_of_an_event_older_than_a_forget_is_used_but_not_kept(session, world):
    """Another thread moved the index to event 10 and forgot an entity; a session whose reads are
    only known to be as new as event 9 may have read it stale: used for its screening, not kept."""
    cache = DossierCache()
    entity = factories.make_entity(session, "杭州快照建设有限公司")
    factories.make_list_entry(session, world.finance, entity)
    cache.forget([entity.id], seq=10)
    assert entity.id in cache.get(session, [entity.id], "procurement", TODAY, MEASURES, as_of=9)
    assert len(cache) == 0
    assert entity.id in cache.get(session, [entity.id], "procurement", TODAY, MEASURES, as_of=10)
    assert len(cache) == 1
    assert cache.loads == 2
