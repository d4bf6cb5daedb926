"""Re-deriving periods and due dates after the catalogue or the calendar changed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from registry.calendar.workdays import WorkCalendar
from registry.catalogue import load_catalogue
from registry.models import CalendarDay, CalendarYear, ChangeEvent
from registry.publication import Rules
from registry.records import list_entries
from registry.records.list_entries import recompute_list_entry_dates
from registry.records.penalties import recompute_penalty_periods
from tests import factories

SHIPPED = Path(__file__).resolve().parents[2] / "registry" / "catalogue"


def edited_catalogue(tmp_path: Path, general_max: int):
    for name in ("publication_rules.json", "deadlines.json", "lists.json"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    rules = json.loads((tmp_path / "publication_rules.json").read_text(encoding="utf-8"))
    national = next(r for r in rules["rule_sets"] if r["code"] == "ndrc-order-36")
    national["tiers"]["general"]["max_months"] = general_max
    (tmp_path / "publication_rules.json").write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
    return load_catalogue(tmp_path)


def test_a_longer_maximum_moves_default_ends_but_keeps_chosen_ones(session, world, tmp_path):
    entity = factories.make_entity(session)
    default = factories.make_penalty(session, world.finance, entity, decided_on=dt.date(2026, 5, 1))
    chosen = factories.make_penalty(
        session, world.finance, entity, decided_on=dt.date(2026, 5, 1), publication_ends_on=dt.date(2026, 12, 1)
    )
    assert default.publication_ends_on == dt.date(2027, 5, 1)
    session.commit()
    rules = Rules(edited_catalogue(tmp_path, 18), WorkCalendar.load(session))

    assert recompute_penalty_periods(session, rules, factories.ADMIN) == 1
    assert default.publication_ends_on == dt.date(2027, 11, 1)
    assert chosen.publication_ends_on == dt.date(2026, 12, 1)
    event = session.query(ChangeEvent).order_by(ChangeEvent.seq.desc()).first()
    assert (event.record_id, event.operation) == (default.id, "recompute")
    # nothing changes the second time
    assert recompute_penalty_periods(session, rules, factories.ADMIN) == 0


def test_loading_a_year_makes_its_due_dates_firm(session, world):
    entity = factories.make_entity(session)
    # 20 working days from 2026-12-10 (recorded that day) run into 2027, a year the package does not know
    entry = factories.make_list_entry(
        session,
        world.housing,
        entity,
        listed_on=dt.date(2026, 11, 10),
        list_name="某地方名单",
        domains=["land"],
        expires_on=dt.date(2028, 1, 1),
    )
    entry_2027 = list_entries.create_list_entry(
        session,
        factories.list_entry_data(
            entity,
            listed_on=dt.date(2026, 12, 10),
            list_name="另一名单",
            domains=["land"],
            expires_on=dt.date(2028, 1, 1),
        ),
        factories.supervisor_of(world.housing),
        dt.date(2026, 12, 10),
        rules=factories.rules(session),
    )
    assert entry.due_provisional is False
    assert entry_2027.due_provisional is True
    session.commit()
    assert recompute_list_entry_dates(session, factories.rules(session), factories.ADMIN) == 0

    session.add(CalendarYear(year=2027, notice="国务院办公厅关于2027年部分节假日安排的通知 (test)", loaded_by="test"))
    session.flush()
    session.add(CalendarDay(day=dt.date(2027, 1, 1), year=2027, is_workday=False, name="元旦"))
    session.commit()
    assert recompute_list_entry_dates(session, factories.rules(session), factories.ADMIN) == 1
    assert entry_2027.due_provisional is False
    # 2026-12-10 + 20 working days: 15 in December (11th–31st), then Jan 4–8 (1 January off)
    assert entry_2027.publication_due_on == dt.date(2027, 1, 8)


def test_a_holiday_loaded_for_a_known_year_moves_a_penalty_due_date(session, world):
    entity = factories.make_entity(session)
    penalty = factories.make_penalty(
        session, world.housing, entity, decided_on=dt.date(2026, 11, 20), domain="construction_bidding"
    )
    assert penalty.publication_due_on == dt.date(2026, 12, 1)
    session.commit()
    # A loaded year replaces the package for that year: the override must hold the whole arrangement.
    session.add(CalendarYear(year=2026, notice="test", loaded_by="test"))
    session.flush()
    session.add(CalendarDay(day=dt.date(2026, 11, 27), year=2026, is_workday=False, name="测试假日"))
    session.commit()
    assert recompute_penalty_periods(session, factories.rules(session), factories.ADMIN) == 1
    assert penalty.publication_due_on == dt.date(2026, 12, 2)
