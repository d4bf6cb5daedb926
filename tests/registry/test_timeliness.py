"""The disclosure timeliness report (公开时效 / 监督检查) as the service computes it."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

from registry.access import PUBLIC
from registry.calendar.workdays import WorkCalendar
from registry.errors import InvalidInput, NotAuthenticated, NotPermitted
from registry.ledger import Actor
from registry.models import CalendarYear
from registry.records import list_entries, penalties
from registry.records.timeliness import _WorkingDays, judge, timeliness_report
from tests import timeliness_scenario
from tests.factories import ADMIN, make_entity, make_list_entry, make_penalty, rules, supervisor_of
from tests.timeliness_scenario import PERIOD, china_time

TODAY = dt.date(2026, 11, 23)
PLATFORM = Actor(key_id=None, name="信用浙江", role="platform")
SCREENER = Actor(key_id=None, name="交易中心", role="screener")


@pytest.fixture
def scenario(session, world):
    return timeliness_scenario.build(session, world)


def report(session, actor=ADMIN, today=TODAY, **kwargs):
    args = {**PERIOD, **kwargs}
    return timeliness_report(session, actor, rules(session), today=today, **args)


def by_id(result):
    return {row.authority_id: row for row in result.authorities}


class TestJudge:
    due = dt.date(2026, 10, 12)

    @pytest.mark.parametrize(
        ("published_on", "bucket"),
        [
            (dt.date(2026, 10, 12), "on_time"),
            (dt.date(2026, 10, 13), "late"),
            (None, "overdue"),
        ],
    )
    def test_published_on_or_before_the_due_date_is_on_time(self, published_on, bucket):
        assert (
            judge(publishable=True, is_public=True, published_on=published_on, due_on=self.due, today=TODAY).bucket
            == bucket
        )

    def test_unpublished_is_pending_up_to_and_on_the_due_date(self):
        assert (
            judge(publishable=True, is_public=True, published_on=None, due_on=self.due, today=self.due).bucket
            == "pending"
        )
        assert (
            judge(
                publishable=True,
                is_public=True,
                published_on=None,
                due_on=self.due,
                today=self.due + dt.timedelta(days=1),
            ).bucket
            == "overdue"
        )

    def test_a_publication_after_the_report_day_has_not_happened_yet(self):
        assert (
            judge(
                publishable=True,
                is_public=True,
                published_on=dt.date(2026, 10, 13),
                due_on=self.due,
                today=dt.date(2026, 10, 12),
            ).bucket
            == "pending"
        )

    def test_exemptions_say_why(self):
        secret = judge(publishable=True, is_public=False, published_on=None, due_on=self.due, today=TODAY)
        minor = judge(publishable=False, is_public=True, published_on=self.due, due_on=self.due, today=TODAY)
        ended = judge(
            publishable=True, is_public=True, published_on=None, due_on=self.due, today=TODAY, ended_on=self.due
        )
        assert (secret.bucket, secret.exempt_reason) == ("exempt", "not_public")
        assert (minor.bucket, minor.exempt_reason) == ("exempt", "not_publishable")
        assert (ended.bucket, ended.exempt_reason) == ("exempt", "ended")

    def test_an_end_after_the_due_date_or_after_the_report_day_changes_nothing(self):
        for ended_on, today in ((self.due + dt.timedelta(days=1), TODAY), (self.due, dt.date(2026, 10, 10))):
            judged = judge(
                publishable=True, is_public=True, published_on=None, due_on=self.due, today=today, ended_on=ended_on
            )
            assert judged.exempt_reason is None

    def test_withdrawing_a_late_publication_does_not_make_it_exempt(self):
        judged = judge(
            publishable=True, is_public=False, published_on=dt.date(2026, 10, 20), due_on=self.due, today=TODAY
        )
        assert judged.bucket == "late"


def test_the_scenario_records_have_the_deadlines_of_the_catalogue(scenario):
    assert scenario.early.publication_due_on == dt.date(2026, 10, 12)  # National Day week in between
    assert scenario.unpublished.publication_due_on == dt.date(2026, 10, 19)
    assert scenario.entry_on_time.publication_due_on == dt.date(2026, 11, 3)  # 20 working days
    assert scenario.minor.publishable is False


def test_figures_per_authority_and_in_total(session, scenario):
    result = report(session)
    assert [row.authority_id for row in result.authorities] == sorted([scenario.land.id, scenario.finance.id])
    land = by_id(result)[scenario.land.id]
    assert land.authority_name == "浙江省自然资源厅"
    # The penalty decided 2026-08-03 lies outside the period.
    assert (land.records, land.on_time, land.late, land.overdue, land.pending, land.exempt) == (8, 2, 2, 1, 1, 2)
    assert (land.exempt_not_public, land.exempt_not_publishable) == (1, 1)
    assert land.on_time_rate == 0.4
    # Working days from decision to publication: 2, 7, 8, 11; late by 1 and 4.
    assert land.median_delay_working_days == 7.5
    assert land.median_working_days_late == 2.5
    assert land.provisional is False

    finance = by_id(result)[scenario.finance.id]
    assert (finance.records, finance.on_time, finance.late, finance.overdue, finance.pending) == (3, 1, 1, 1, 0)
    assert finance.on_time_rate == 0.3333
    assert finance.median_delay_working_days == 11.0  # 1 (across National Day) and 21
    assert finance.median_working_days_late == 1.0

    total = result.total
    assert (total.authority_id, total.authority_name) == (None, None)
    assert (total.records, total.on_time, total.late, total.overdue, total.pending, total.exempt) == (11, 3, 3, 2, 1, 2)
    assert total.on_time_rate == 0.375
    assert total.median_delay_working_days == 7.5  # 1, 2, 7, 8, 11, 21
    assert total.median_working_days_late == 1.0  # 1, 1, 4


def test_overdue_records_are_listed_most_overdue_first(session, scenario):
    overdue = report(session).overdue
    assert [(o.record_type, o.record_id) for o in overdue] == [
        ("penalty", scenario.unpublished.id),
        ("list_entry", scenario.entry_unpublished.id),
    ]
    penalty, entry = overdue
    assert penalty.authority_name == "浙江省自然资源厅"
    assert penalty.subject_name == "杭州合晟置业有限公司"
    assert penalty.decision_number == "浙自然资罚〔2026〕5号"
    assert (penalty.decided_on, penalty.due_on, penalty.working_days_overdue) == (
        dt.date(2026, 10, 9),
        dt.date(2026, 10, 19),
        25,
    )
    assert entry.subject_name == "宁波甬达信息技术有限公司"
    assert (entry.due_on, entry.working_days_overdue, entry.provisional) == (dt.date(2026, 11, 5), 12, False)


def test_the_china_date_of_publication_decides(session, scenario):
    """23:30 on the due date in China is on time; 00:30 the next day (still the due date in UTC) is late."""
    assert scenario.late.first_published_at.date() == dt.date(2026, 10, 12)
    result = report(session, record_types=("penalty",), date_from=dt.date(2026, 9, 25), date_to=dt.date(2026, 9, 25))
    land = by_id(result)[scenario.land.id]
    assert (land.on_time, land.late) == (2, 2)


def test_a_report_as_of_an_earlier_day(session, scenario):
    result = report(session, today=dt.date(2026, 10, 12), date_from=dt.date(2026, 9, 25), date_to=dt.date(2026, 9, 30))
    land = by_id(result)[scenario.land.id]
    # Published 10-13 and 10-16 had not happened by 10-12, when they were still due that day.
    assert (land.on_time, land.late, land.overdue, land.pending) == (2, 0, 0, 2)
    assert result.overdue == []


def test_record_types_and_authority_narrow_the_report(session, scenario):
    entries_only = report(session, record_types=("list_entry",))
    assert [row.authority_id for row in entries_only.authorities] == [scenario.finance.id]
    assert entries_only.total.records == 3
    land_only = report(session, authority_id=scenario.land.id)
    assert [row.authority_id for row in land_only.authorities] == [scenario.land.id]
    assert land_only.total.records == 8


def test_an_authority_asked_for_appears_even_without_records(session, scenario, world):
    result = report(session, authority_id=world.housing.id)
    assert [(row.authority_id, row.records, row.on_time_rate) for row in result.authorities] == [
        (world.housing.id, 0, None)
    ]
    assert result.total.median_delay_working_days is None


class TestEndedRecords:
    """A decision revoked (or an entry removed) before it was due leaves nothing to publish."""

    def test_ended_unpublished_by_the_due_date_is_exempt(self, session, scenario):
        finance = supervisor_of(scenario.finance)
        entry = scenario.entry_unpublished  # due 2026-11-05
        list_entries.remove_list_entry(
            session, entry.id, "行政复议决定撤销", dt.date(2026, 11, 5), finance, entry.version, TODAY
        )
        session.commit()
        row = by_id(report(session))[scenario.finance.id]
        assert (row.overdue, row.exempt, row.exempt_ended) == (0, 1, 1)
        assert row.on_time_rate == 0.5

    def test_ended_after_the_due_date_stays_overdue_but_stops_counting(self, session, scenario):
        penalty = scenario.unpublished  # due 2026-10-19
        penalties.revoke_penalty(
            session,
            penalty.id,
            "行政诉讼判决撤销",
            dt.date(2026, 10, 23),
            supervisor_of(scenario.land),
            penalty.version,
            TODAY,
        )
        session.commit()
        result = report(session)
        assert by_id(result)[scenario.land.id].overdue == 1
        late = {row.record_id: row for row in result.overdue if row.record_type == "penalty"}
        assert late[penalty.id].working_days_overdue == 4  # 10-20 … 10-23, not up to today


class TestWhoMaySee:
    def test_admin_and_platform_see_every_authority(self, session, scenario):
        assert len(report(session, PLATFORM).authorities) == 2

    def test_a_supervisor_sees_its_own_authority(self, session, scenario):
        result = report(session, supervisor_of(scenario.finance))
        assert [row.authority_id for row in result.authorities] == [scenario.finance.id]
        assert report(session, supervisor_of(scenario.finance), authority_id=scenario.finance.id).total.records == 3

    def test_a_supervisor_may_not_report_on_another_authority(self, session, scenario):
        with pytest.raises(NotPermitted):
            report(session, supervisor_of(scenario.finance), authority_id=scenario.land.id)

    @pytest.mark.parametrize("actor", [SCREENER, PUBLIC])
    def test_screeners_and_the_public_may_not(self, session, scenario, actor):
        with pytest.raises(NotAuthenticated if actor is PUBLIC else NotPermitted):  # no key: 401
            report(session, actor)

    def test_an_unknown_authority_is_named(self, session, scenario):
        with pytest.raises(InvalidInput) as caught:
            report(session, authority_id=999_999)
        assert "authority_id" in caught.value.errors


class TestPeriod:
    def test_the_end_must_not_precede_the_start(self, session, world):
        with pytest.raises(InvalidInput) as caught:
            report(session, date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 9, 30))
        assert list(caught.value.errors) == ["date_to"]

    def test_three_years_at_most(self, session, world):
        assert report(session, date_from=dt.date(2024, 1, 1), date_to=dt.date(2026, 12, 31)).total.records == 0
        with pytest.raises(InvalidInput) as caught:
            report(session, date_from=dt.date(2024, 1, 1), date_to=dt.date(2027, 1, 1))
        assert list(caught.value.errors) == ["date_to"]

    def test_unknown_record_types_are_refused(self, session, world):
        with pytest.raises(InvalidInput) as caught:
            report(session, record_types=("screening",))
        assert list(caught.value.errors) == ["record_types"]


class TestCalendar:
    def test_a_figure_resting_on_an_unknown_year_is_provisional(self, session, world):
        """2027 is not in the calendar package: a deadline running into it is counted on
        weekends only and says so, until an administrator loads the year's notice."""
        penalty = make_penalty(
            session, world.finance, make_entity(session), domain="land", decided_on=dt.date(2026, 11, 20)
        )
        penalty.first_published_at = None
        session.commit()
        later = dt.date(2027, 2, 1)
        result = report(session, today=later)
        assert result.total.provisional is True
        assert result.overdue[0].provisional is True

        session.add(CalendarYear(year=2027, notice="国办发明电〔2026〕X号", loaded_by="test"))
        session.commit()
        assert report(session, today=later).total.provisional is False

    def test_a_missing_due_date_is_counted_from_the_catalogue(self, session, scenario):
        """Records from before the deadline rules have no stored due date."""
        scenario.late.publication_due_on = None
        session.commit()
        land = by_id(report(session))[scenario.land.id]
        assert (land.on_time, land.late, land.median_working_days_late) == (2, 2, 2.5)

    def test_the_span_counter_agrees_with_the_calendar(self):
        calendar = WorkCalendar()
        first, last = dt.date(2026, 9, 20), dt.date(2027, 1, 10)
        counter = _WorkingDays(calendar, first, last)
        days = [
            first,
            dt.date(2026, 9, 30),
            dt.date(2026, 10, 8),
            dt.date(2026, 10, 10),
            dt.date(2026, 12, 31),
            dt.date(2027, 1, 4),
            last,
            dt.date(2027, 3, 1),
        ]
        for start, end in itertools.product(days, repeat=2):
            assert counter.between(start, end) == calendar.working_days_between(start, end), (start, end)


def test_the_report_reads_with_a_fixed_number_of_queries(session, world):
    """No query per record: doubling the records leaves the number of statements unchanged."""
    entity = make_entity(session)
    rules_now = rules(session)

    def statements() -> int:
        seen: list[str] = []
        engine = session.connection().engine

        def listener(*args: object) -> None:
            seen.append(str(args[2]))

        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            timeliness_report(session, ADMIN, rules_now, today=TODAY, **PERIOD)
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    def add_records(start: int) -> None:
        for n in range(start, start + 5):
            day = dt.date(2026, 10, 9)
            penalty = make_penalty(session, world.finance, entity, decided_on=day, domain="land")
            penalty.first_published_at = china_time(2026, 10, 20) if n % 2 else None
            penalty.publication_due_on = None  # counted again, as are the entries' (their domains are read)
            entry = make_list_entry(session, world.finance, entity, listed_on=day, expires_on=dt.date(2027, 10, 9))
            entry.publication_due_on = None
        session.commit()

    add_records(0)
    few = statements()
    add_records(5)
    assert statements() == few
    assert few == 5  # penalties, list entries, their domains, licences, authority names
