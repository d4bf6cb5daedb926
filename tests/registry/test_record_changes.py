"""What the console asks of the services before it offers a change: a record's state at a version and
the changes after it (read from its audit rows), which changes of state an entry still allows, and
whether a penalty may still change."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.errors import Conflict
from registry.records import list_entries, penalties
from registry.records.history import changes_after, record_history, state_at
from registry.records.list_entry_transitions import open_transitions
from tests import factories


def test_the_state_at_each_version_is_the_audit_snapshot_that_reached_it(session, world):
    penalty = factories.make_penalty(session, world.finance, factories.make_entity(session))
    actor = factories.supervisor_of(world.finance)
    rules = factories.rules(session)
    penalties.correct_penalty(
        session, penalty.id, {"project_code": "P-1"}, "补录", actor, 1, factories.TODAY, rules=rules
    )
    penalties.correct_penalty(
        session, penalty.id, {"project_code": "P-2"}, "再改", actor, 2, factories.TODAY, rules=rules
    )
    rows = record_history(session, factories.ADMIN, "penalty", penalty.id)
    assert [state_at(rows, v)["project_code"] for v in (1, 2, 3)] == [None, "P-1", "P-2"]  # type: ignore[index]
    assert state_at(rows, 4) is None
    assert [r.reason for r in changes_after(rows, 1)] == ["补录", "再改"]
    assert changes_after(rows, 3) == []


def test_the_changes_an_entry_allows_are_the_ones_the_service_takes(session, world):
    entity = factories.make_entity(session)
    actor = factories.supervisor_of(world.finance)
    active = factories.make_list_entry(session, world.finance, entity)
    expired = factories.make_list_entry(
        session, world.finance, entity, listed_on=dt.date(2025, 1, 5), expires_on=dt.date(2026, 1, 5)
    )
    red = factories.make_list_entry(
        session, world.finance, entity, list_type="red", list_name="守信激励对象名单", expires_on=None
    )
    assert open_transitions(active, factories.TODAY) == ["removed", "repaired", "revoked"]
    assert open_transitions(expired, factories.TODAY) == ["revoked"]
    assert open_transitions(red, factories.TODAY) == ["removed", "revoked"]
    with pytest.raises(Conflict):
        list_entries.remove_list_entry(session, expired.id, "移出", None, actor, expired.version, factories.TODAY)
    with pytest.raises(Conflict):
        list_entries.repair_list_entry(session, red.id, "修复", None, actor, red.version, factories.TODAY)
    list_entries.revoke_list_entry(session, expired.id, "撤销", None, actor, expired.version, factories.TODAY)
    assert open_transitions(expired, factories.TODAY) == []


def test_a_revoked_penalty_no_longer_changes(session, world):
    penalty = factories.make_penalty(session, world.finance, factories.make_entity(session))
    actor = factories.supervisor_of(world.finance)
    assert penalties.changeable(penalty)
    penalties.revoke_penalty(session, penalty.id, "复议撤销", None, actor, penalty.version, factories.TODAY)
    assert not penalties.changeable(penalty)
    with pytest.raises(Conflict):
        penalties.revoke_penalty(session, penalty.id, "再撤销", None, actor, penalty.version, factories.TODAY)
