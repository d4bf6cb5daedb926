"""Loading, replacing and deleting a year's holidays and make-up workdays (调休安排), at the service level."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from registry.calendar import service as calendar_service
from registry.calendar.service import calendar_year, describe_calendar_year
from registry.calendar.workdays import Answer, WorkCalendar
from registry.catalogue import load_catalogue
from registry.errors import InvalidInput, NotFound, NotPermitted
from registry.ledger import Actor
from registry.models import AuditLog, CalendarDay, CalendarYear
from tests.factories import ADMIN
from tests.ledger_queries import audits_of

D = dt.date
CATALOGUE = load_catalogue()


def load_calendar_year(*args: Any) -> Any:
    return calendar_service.load_calendar_year(*args, catalogue=CATALOGUE)


def delete_calendar_year(*args: Any) -> Any:
    return calendar_service.delete_calendar_year(*args, catalogue=CATALOGUE)


NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"
# Test data in the notice's shape, not the real 2027 arrangement (which is not published yet).
DAYS: list[dict[str, Any]] = [
    {"date": D(2027, 2, 8), "kind": "holiday", "name": "春节"},  # Monday
    {"date": D(2027, 1, 1), "kind": "holiday", "name": "元旦"},  # Friday
    {"date": D(2027, 2, 6), "kind": "workday", "name": "春节调休上班"},  # Saturday
]
SUPERVISOR = Actor(key_id=None, name="supervisor", role="supervisor", authority_id=1)


def _audit_count(session: Any) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(AuditLog))


def _stored_days(session: Any) -> dict[dt.date, tuple[bool, str | None]]:
    rows = session.scalars(sa.select(CalendarDay).execution_options(populate_existing=True))
    return {row.day: (row.is_workday, row.name) for row in rows}


def test_loading_a_year_stores_its_days_and_ends_the_provisional_answers(session):
    assert WorkCalendar.load(session).is_working_day(D(2027, 1, 1)) == Answer(False, provisional=True)  # 元旦

    loaded = load_calendar_year(session, 2027, f"  {NOTICE} ", DAYS, ADMIN)

    assert (loaded.year, loaded.notice, loaded.source) == (2027, NOTICE, "override")
    assert loaded.loaded_by == "test admin (admin)"
    assert [(d.date, d.kind, d.name) for d in loaded.days] == [
        (D(2027, 1, 1), "holiday", "元旦"),
        (D(2027, 2, 6), "workday", "春节调休上班"),
        (D(2027, 2, 8), "holiday", "春节"),
    ]
    assert _stored_days(session) == {
        D(2027, 1, 1): (False, "元旦"),
        D(2027, 2, 6): (True, "春节调休上班"),
        D(2027, 2, 8): (False, "春节"),
    }
    calendar = WorkCalendar.load(session)
    assert calendar.source(2027) == "override"
    assert calendar.is_working_day(D(2027, 1, 1)) == Answer(False, provisional=False)
    assert calendar.is_working_day(D(2027, 2, 6)) == Answer(True, provisional=False)
    assert calendar.add_working_days(D(2026, 12, 31), 1) == Answer(D(2027, 1, 4), provisional=False)
    assert calendar_year(session, 2027) == dataclasses.replace(loaded, recomputed=None)


def test_loading_is_audited_with_the_day_lists(session):
    load_calendar_year(session, 2027, NOTICE, DAYS, ADMIN)

    [audit] = audits_of(session, "calendar_year", 2027)
    assert (audit.action, audit.actor_name, audit.actor_role) == ("load", "test admin", "admin")
    assert audit.before is None
    assert audit.after == {
        "year": 2027,
        "notice": NOTICE,
        "days": [
            {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
            {"date": "2027-02-06", "kind": "workday", "name": "春节调休上班"},
            {"date": "2027-02-08", "kind": "holiday", "name": "春节"},
        ],
    }


def test_loading_again_replaces_the_year_entirely(session):
    first = load_calendar_year(session, 2027, NOTICE, DAYS, ADMIN)
    WorkCalendar.load(session)  # the session now holds the day rows that are about to go

    second = load_calendar_year(
        session,
        2027,
        NOTICE + "（更正）",
        [
            {"date": D(2027, 1, 1), "kind": "holiday", "name": "元旦节"},
            {"date": D(2027, 2, 7), "kind": "workday", "name": None},  # Sunday
        ],
        ADMIN,
    )

    assert [d.date for d in second.days] == [D(2027, 1, 1), D(2027, 2, 7)]
    assert _stored_days(session) == {D(2027, 1, 1): (False, "元旦节"), D(2027, 2, 7): (True, None)}
    calendar = WorkCalendar.load(session)
    assert calendar.is_working_day(D(2027, 2, 6)).value is False  # no longer a make-up workday
    assert calendar.is_working_day(D(2027, 2, 8)).value is True  # no longer a holiday
    assert session.scalar(sa.select(sa.func.count()).select_from(CalendarYear)) == 1

    audits = audits_of(session, "calendar_year", 2027)
    assert [a.action for a in audits] == ["load", "load"]
    assert audits[1].before == first.snapshot()
    assert audits[1].after == second.snapshot()
    assert audits[1].after["notice"] == NOTICE + "（更正）"


def test_loading_the_same_content_again_changes_nothing(session):
    load_calendar_year(session, 2027, NOTICE, DAYS, ADMIN)
    before = _audit_count(session)

    again = load_calendar_year(session, 2027, NOTICE, list(reversed(DAYS)), ADMIN)

    assert _audit_count(session) == before
    assert len(again.days) == 3


def test_deleting_a_year_makes_it_provisional_again(session):
    load_calendar_year(session, 2027, NOTICE, DAYS, ADMIN)
    WorkCalendar.load(session)

    after = delete_calendar_year(session, 2027, ADMIN)

    assert (after.year, after.source, after.loaded) == (2027, "provisional", None)
    assert _stored_days(session) == {}
    assert session.get(CalendarYear, 2027) is None
    assert WorkCalendar.load(session).is_working_day(D(2027, 1, 1)) == Answer(False, provisional=True)  # 元旦
    with pytest.raises(NotFound, match="2027"):
        calendar_year(session, 2027)
    audits = audits_of(session, "calendar_year", 2027)
    assert [a.action for a in audits] == ["load", "delete"]
    assert audits[1].before == audits[0].after
    assert audits[1].after is None


def test_deleting_a_year_that_was_not_loaded_is_not_found(session):
    with pytest.raises(NotFound, match="no calendar was loaded for 2027"):
        delete_calendar_year(session, 2027, ADMIN)


def test_a_package_year_can_be_corrected_and_restored(session):
    load_calendar_year(
        session,
        2026,
        "国务院办公厅关于2026年部分节假日安排的通知",
        [
            {"date": D(2026, 1, 1), "kind": "holiday", "name": "元旦"},
        ],
        ADMIN,
    )
    assert describe_calendar_year(session, 2026).source == "override"
    assert delete_calendar_year(session, 2026, ADMIN).source == "package"


def test_describing_a_year_names_its_source(session):
    assert describe_calendar_year(session, 2026).source == "package"
    assert describe_calendar_year(session, 2027).source == "provisional"
    load_calendar_year(session, 2027, NOTICE, DAYS, ADMIN)
    described = describe_calendar_year(session, 2027)
    assert described.source == "override"
    assert described.loaded is not None
    assert described.loaded.notice == NOTICE


@pytest.mark.parametrize(
    "change",
    [
        lambda session: load_calendar_year(session, 2027, NOTICE, DAYS[:1], SUPERVISOR),
        lambda session: delete_calendar_year(session, 2027, SUPERVISOR),
    ],
    ids=["load", "delete"],
)
def test_only_an_administrator_changes_the_calendar(session, change):
    load_calendar_year(session, 2027, NOTICE, DAYS, ADMIN)
    with pytest.raises(NotPermitted, match="admin"):
        change(session)
    assert len(calendar_year(session, 2027).days) == 3


def _refused(session: Any, days: list[dict[str, Any]], *, notice: str = NOTICE, year: int = 2027) -> InvalidInput:
    audits = _audit_count(session)
    with pytest.raises(InvalidInput) as caught:
        load_calendar_year(session, year, notice, days, ADMIN)
    assert _audit_count(session) == audits
    assert session.get(CalendarYear, year) is None
    return caught.value


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        ({"date": D(2027, 1, 2), "kind": "holiday", "name": "元旦"}, "days.1", "Saturday: a weekend is off anyway"),
        ({"date": D(2027, 2, 10), "kind": "workday", "name": None}, "days.1", "Wednesday: it is a working day anyway"),
        ({"date": D(2028, 1, 3), "kind": "holiday", "name": "元旦"}, "days.1.date", "2028-01-03 is not in 2027"),
        ({"date": D(2027, 1, 1), "kind": "holiday", "name": "元旦"}, "days.1.date", "already given at days.0"),
        ({"date": D(2027, 1, 4), "kind": "off", "name": None}, "days.1.kind", "holiday, workday"),
        ({"date": "2027-01-04", "kind": "holiday", "name": None}, "days.1.date", "must be a date"),
        ({"date": D(2027, 1, 4), "kind": "holiday", "name": "节" * 101}, "days.1.name", "at most 100"),
    ],
    ids=["holiday-at-weekend", "workday-on-weekday", "other-year", "duplicate", "kind", "not-a-date", "long-name"],
)
def test_a_day_that_breaks_a_rule_is_refused_by_its_index(session, bad, field, words):
    error = _refused(session, [DAYS[1], bad])
    assert list(error.errors) == [field]
    assert words in error.errors[field][0]
    assert field in error.message


def test_every_problem_is_named_at_once(session):
    error = _refused(
        session,
        [
            {"date": D(2027, 1, 2), "kind": "holiday", "name": None},
            DAYS[0],
            {"date": D(2027, 2, 9), "kind": "workday", "name": None},
        ],
        notice="  ",
    )
    assert set(error.errors) == {"notice", "days.0", "days.2"}


def test_a_notice_and_at_least_one_day_are_required(session):
    assert set(_refused(session, DAYS, notice="").errors) == {"notice"}
    assert set(_refused(session, DAYS, notice="通" * 501).errors) == {"notice"}
    assert set(_refused(session, []).errors) == {"days"}


@pytest.mark.parametrize("year", [207, 20277])
def test_an_implausible_year_is_refused(session, year):
    assert set(_refused(session, DAYS, year=year).errors) == {"year"}


def test_loading_a_year_counts_stored_deadlines_again(session, world):
    """A record whose deadline ran into an unknown year gets a firm one once the year is loaded."""
    from registry.records import list_entries
    from tests import factories

    entity = factories.make_entity(session)
    entry = list_entries.create_list_entry(
        session,
        factories.list_entry_data(
            entity, listed_on=D(2026, 12, 10), list_name="某地方名单", domains=["land"], expires_on=D(2028, 1, 1)
        ),
        factories.supervisor_of(world.housing),
        D(2026, 12, 10),
        rules=factories.rules(session),
    )
    assert entry.due_provisional is True
    loaded = load_calendar_year(session, 2027, NOTICE, DAYS, ADMIN)
    assert loaded.recomputed is not None
    assert loaded.recomputed.list_entries == 1
    assert entry.due_provisional is False
    removed = delete_calendar_year(session, 2027, ADMIN)
    assert removed.recomputed is not None
    assert removed.recomputed.list_entries == 1
    assert entry.due_provisional is True
