"""/api/v1/calendar: loading a year's 调休安排 and asking about working days, with and without 2027."""

from __future__ import annotations

import re

import pytest

from tests.conftest import auth
from tests.ledger_queries import audits_of, ledger_size

YEAR_2027 = "/api/v1/calendar/years/2027"
WORKING_DAYS = "/api/v1/calendar/working-days"
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"
# Test data in the notice's shape, not the real 2027 arrangement (which is not published yet).
BODY = {
    "notice": NOTICE,
    "days": [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},  # Friday
        {"date": "2027-02-06", "kind": "workday", "name": "春节调休上班"},  # Saturday
        {"date": "2027-02-08", "kind": "holiday", "name": "春节"},  # Monday
    ],
}


def _load_2027(client, world):
    r = client.put(YEAR_2027, json=BODY, headers=auth(world.admin_key))
    assert r.status_code == 200, r.json
    return r


def test_an_administrator_loads_a_year(client, session, world):
    r = _load_2027(client, world)

    assert r.json["year"] == 2027
    assert r.json["source"] == "override"
    assert r.json["notice"] == NOTICE
    assert re.fullmatch(r"ops \(admin key \d+\)", r.json["loaded_by"])
    assert r.json["days"] == BODY["days"]
    [audit] = audits_of(session, "calendar_year", 2027)
    assert audit.after["days"] == BODY["days"]


def test_anyone_reads_a_loaded_year(client, world):
    _load_2027(client, world)
    r = client.get(YEAR_2027)
    assert r.status_code == 200
    assert r.json["source"] == "override"
    assert [d["date"] for d in r.json["days"]] == ["2027-01-01", "2027-02-06", "2027-02-08"]


@pytest.mark.parametrize(("year", "source"), [(2026, "package"), (2027, "provisional")])
def test_a_year_not_loaded_shows_its_source_only(client, year, source):
    r = client.get(f"/api/v1/calendar/years/{year}")
    assert r.status_code == 200
    assert r.json == {"year": year, "source": source}


@pytest.mark.parametrize("who", ["finance_key", "screener_key", "platform_key", None])
def test_only_an_administrator_loads_or_deletes(client, session, world, who):
    headers = auth(getattr(world, who)) if who else {}
    _load_2027(client, world)
    size = ledger_size(session)
    assert client.put(YEAR_2027, json=BODY, headers=headers).status_code == (403 if who else 401)
    assert client.delete(YEAR_2027, headers=headers).status_code == (403 if who else 401)
    assert ledger_size(session) == size
    assert client.get(YEAR_2027).json["source"] == "override"


def test_an_administrator_deletes_a_year(client, world):
    _load_2027(client, world)
    r = client.delete(YEAR_2027, headers=auth(world.admin_key))
    assert r.status_code == 204
    assert client.get(YEAR_2027).json == {"year": 2027, "source": "provisional"}
    assert client.delete(YEAR_2027, headers=auth(world.admin_key)).status_code == 404


def test_loading_again_replaces_the_year(client, world):
    _load_2027(client, world)
    body = {"notice": NOTICE, "days": [{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}]}
    r = client.put(YEAR_2027, json=body, headers=auth(world.admin_key))
    assert r.status_code == 200
    assert client.get(YEAR_2027).json["days"] == body["days"]
    r = client.get(WORKING_DAYS, query_string={"on": "2027-02-06"})
    assert (r.json["is_working_day"], r.json["provisional"]) == (False, False)


@pytest.mark.parametrize(
    ("day", "field", "words"),
    [
        ({"date": "2027-01-02", "kind": "holiday", "name": "元旦"}, "days.3", "weekend is off anyway"),
        ({"date": "2027-02-10", "kind": "workday"}, "days.3", "working day anyway"),
        ({"date": "2028-01-03", "kind": "holiday"}, "days.3.date", "not in 2027"),
        ({"date": "2027-01-01", "kind": "holiday"}, "days.3.date", "already given at days.0"),
        ({"date": "2027-13-01", "kind": "holiday"}, "days.3.date", "date"),
        ({"date": "2027-01-04", "kind": "off"}, "days.3.kind", "Must be one of"),
        ({"date": "2027-01-04", "kind": "holiday", "weekday": "Mon"}, "days.3.weekday", "Unknown field"),
    ],
    ids=["holiday-at-weekend", "workday-on-weekday", "other-year", "duplicate", "bad-date", "kind", "unknown"],
)
def test_a_bad_day_is_refused_naming_its_index(client, session, world, day, field, words):
    size = ledger_size(session)
    body = {"notice": NOTICE, "days": [*BODY["days"], day]}
    r = client.put(YEAR_2027, json=body, headers=auth(world.admin_key))
    assert r.status_code == 422, r.json
    assert list(r.json["errors"]) == [field]
    assert words in r.json["errors_en"][field][0]
    assert ledger_size(session) == size
    assert client.get(YEAR_2027).json["source"] == "provisional"


def test_the_notice_and_days_are_required(client, world):
    r = client.put(YEAR_2027, json={"days": []}, headers=auth(world.admin_key))
    assert r.status_code == 422
    assert "notice" in r.json["errors"]
    r = client.put(YEAR_2027, json={"notice": NOTICE, "days": []}, headers=auth(world.admin_key))
    assert r.status_code == 422
    assert list(r.json["errors"]) == ["days"]


def test_an_implausible_year_is_refused(client, world):
    r = client.put("/api/v1/calendar/years/207", json=BODY, headers=auth(world.admin_key))
    assert r.status_code == 422
    assert "year" in r.json["errors"]


# ---- working days ----------------------------------------------------------------------------


def test_a_deadline_across_national_day_2026(client):
    r = client.get(WORKING_DAYS, query_string={"from": "2026-09-25", "add": 7})
    assert r.status_code == 200
    assert r.json == {
        "from": "2026-09-25",
        "add": 7,
        "date": "2026-10-12",
        "provisional": False,
        "sources": [{"year": 2026, "source": "package"}],
    }


def test_counting_working_days_between_two_dates(client):
    r = client.get(WORKING_DAYS, query_string={"from": "2026-09-27", "to": "2026-10-12"})
    assert r.status_code == 200
    assert r.json == {
        "from": "2026-09-27",
        "to": "2026-10-12",
        "working_days": 7,
        "provisional": False,
        "sources": [{"year": 2026, "source": "package"}],
    }


@pytest.mark.parametrize("day", ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"])
def test_2026_make_up_workdays(client, day):
    r = client.get(WORKING_DAYS, query_string={"on": day})
    assert r.json == {
        "on": day,
        "is_working_day": True,
        "provisional": False,
        "sources": [{"year": 2026, "source": "package"}],
    }


def test_2027_without_an_override_is_provisional(client):
    """Without the 2027 notice the calendar knows the fixed holidays of the 全国年节及纪念日放假办法
    (元旦 is off) and marks every answer provisional: the 调休 swaps come only with the notice."""
    r = client.get(WORKING_DAYS, query_string={"on": "2027-01-01"})
    assert (r.json["is_working_day"], r.json["provisional"]) == (False, True)
    assert r.json["sources"] == [{"year": 2027, "source": "provisional"}]

    r = client.get(WORKING_DAYS, query_string={"from": "2026-12-30", "add": 2})
    assert r.json["date"] == "2027-01-04"  # 12-31, then past 元旦 and the weekend
    assert r.json["provisional"] is True
    assert r.json["sources"] == [{"year": 2026, "source": "package"}, {"year": 2027, "source": "provisional"}]


def test_2027_with_an_override_is_not_provisional(client, world):
    _load_2027(client, world)

    r = client.get(WORKING_DAYS, query_string={"on": "2027-01-01"})
    assert (r.json["is_working_day"], r.json["provisional"]) == (False, False)
    assert r.json["sources"] == [{"year": 2027, "source": "override"}]

    r = client.get(WORKING_DAYS, query_string={"from": "2026-12-30", "add": 2})
    assert (r.json["date"], r.json["provisional"]) == ("2027-01-04", False)
    assert r.json["sources"] == [{"year": 2026, "source": "package"}, {"year": 2027, "source": "override"}]

    # Mon 1 Feb to Mon 8 Feb 2027: five weekdays and the make-up Saturday; the 8th is a holiday.
    r = client.get(WORKING_DAYS, query_string={"from": "2027-01-31", "to": "2027-02-08"})
    assert (r.json["working_days"], r.json["provisional"]) == (6, False)

    # Still provisional where the answer reaches into 2028, which nobody loaded.
    r = client.get(WORKING_DAYS, query_string={"from": "2027-12-30", "to": "2028-01-03"})
    assert r.json["provisional"] is True
    assert r.json["sources"][-1] == {"year": 2028, "source": "provisional"}


def test_adding_zero_gives_the_start(client):
    r = client.get(WORKING_DAYS, query_string={"from": "2026-10-03", "add": 0})
    assert r.json["date"] == "2026-10-03"


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({}, {"from"}),
        ({"add": 3}, {"from"}),
        ({"from": "2026-09-25"}, {"add", "to"}),
        ({"from": "2026-09-25", "add": 3, "to": "2026-10-12"}, {"to"}),
        ({"on": "2026-10-10", "from": "2026-09-25", "add": 3}, {"from", "add"}),
        ({"from": "2026-09-25", "add": -1}, {"add"}),
        ({"from": "2026-09-25", "add": 100000}, {"add"}),
        ({"from": "2026-09-25", "add": "seven"}, {"add"}),
        ({"from": "2026-9-25x", "add": 1}, {"from"}),
        ({"from": "2026-01-01", "to": "2046-01-01"}, {"to"}),
        ({"on": "1800-01-01"}, {"on"}),
        ({"on": "2026-10-10", "days": 3}, {"days"}),
    ],
)
def test_bad_questions_are_refused_naming_the_fields(client, query, fields):
    r = client.get(WORKING_DAYS, query_string=query)
    assert r.status_code == 422, r.json
    assert set(r.json["errors"]) == fields
    assert r.json["message"].startswith("输入有误：")
    assert r.json["message_en"].startswith("invalid input: ")
