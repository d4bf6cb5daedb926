"""`flask registry calendar …` through Flask's CLI runner.

The commands use `db.session`, which the `session` fixture points at its rolled-back
transaction, so every test here runs inside that fixture.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask

from registry.calendar.workdays import WorkCalendar
from registry.models import AuditLog, CalendarDay, CalendarYear
from tests.ledger_queries import audits_of

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "calendar-example.json"
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"


def _run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["registry", "calendar", *args])


def _nothing_written(session) -> None:
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count()).select_from(CalendarYear)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(CalendarDay)) == 0
    assert (
        session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.record_type == "calendar_year"))
        == 0
    )


def _write(tmp_path: Path, name: str, content: str | dict) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_the_example_file_loads_and_matches_the_package(app, session):
    result = _run(app, "load", str(EXAMPLE))

    assert result.exit_code == 0, result.output
    assert "calendar 2026 loaded: 19 holidays, 6 make-up workdays" in result.stdout
    loaded = WorkCalendar.load(session)
    assert loaded.source(2026) == "override"
    # The example is 2026's real arrangement: loading it changes no day of the year.
    package = WorkCalendar()
    day = dt.date(2026, 1, 1)
    while day.year == 2026:
        assert loaded.is_working_day(day) == package.is_working_day(day), day
        day += dt.timedelta(days=1)
    [audit] = audits_of(session, "calendar_year", 2026)
    assert (audit.action, audit.actor_name, audit.actor_role) == ("load", "cli operator", "admin")
    assert len(audit.after["days"]) == 25


def test_show_names_the_source_and_the_overrides(app, session):
    assert "2026: package" in _run(app, "show", "2026").stdout
    assert "2027: provisional" in _run(app, "show", "2027").stdout

    _run(app, "load", str(EXAMPLE))
    shown = _run(app, "show", "2026")

    assert shown.exit_code == 0
    assert shown.stdout.startswith("2026: override — 国务院办公厅关于2026年部分节假日安排的通知\n")
    assert "by cli operator (admin)" in shown.stdout
    assert "  2026-10-10  Sat  workday  国庆节调休上班\n" in shown.stdout
    assert "  2026-10-01  Thu  holiday  国庆节\n" in shown.stdout


def test_delete_returns_the_year_to_the_package(app, session):
    _run(app, "load", str(EXAMPLE))

    result = _run(app, "delete", "2026")

    assert result.exit_code == 0, result.output
    assert "now come from: package" in result.stdout
    assert session.scalar(sa.select(sa.func.count()).select_from(CalendarDay)) == 0
    assert [a.action for a in audits_of(session, "calendar_year", 2026)] == ["load", "delete"]
    again = _run(app, "delete", "2026")
    assert again.exit_code == 2
    assert "错误：尚未导入 2026 年的工作日历。" in again.stderr


def test_a_bad_day_in_a_json_file_is_named_and_nothing_is_loaded(app, session, tmp_path):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["days"][3]["date"] = "2026-02-15"  # a Sunday, given as a make-up workday: fine
    data["days"][4]["kind"] = "workday"  # Monday 16 Feb as a make-up workday: wrong
    result = _run(app, "load", _write(tmp_path, "2026.json", data))

    assert result.exit_code == 2
    assert "2026.json：未导入任何内容。" in result.stderr  # in Chinese, field by field
    assert "days.4：2026-02-16 是星期一，本来就是工作日；调休上班日应在星期六或星期日。" in result.stderr
    assert "days.3" not in result.stderr
    _nothing_written(session)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "文件：不是有效的 UTF-8 JSON"),
        ("[]", "文件：须为一个对象"),
        ({"year": 2027, "days": []}, "notice：缺少此项。"),
        ({"year": "2027", "notice": NOTICE, "days": []}, "year：须为整数"),
        ({"year": 2027, "notice": NOTICE, "days": [], "source": "x"}, "source：未知字段"),
        (
            {"year": 2027, "notice": NOTICE, "days": [{"date": "2027/01/01", "kind": "holiday"}]},
            "days.0.date：须为 YYYY-MM-DD 格式的日期，所填为 '2027/01/01'。",
        ),
        (
            {"year": 2027, "notice": NOTICE, "days": [{"date": "2027-01-01", "kind": "holiday", "day": 1}]},
            "days.0.day：未知字段",
        ),
        (
            {"year": 2027, "notice": NOTICE, "days": [{"date": "2027-01-01", "kind": "off"}]},
            "days.0.kind：须为以下之一：放假日（holiday）、调休上班日（workday）。",
        ),
        (
            {"year": 2027, "notice": NOTICE, "days": [{"date": "2026-01-01", "kind": "holiday"}]},
            "days.0.date：2026-01-01 不在 2027 年内",
        ),
        ({"year": 2027, "notice": NOTICE, "days": []}, "days：须至少填写一天"),
    ],
)
def test_a_bad_json_file_is_refused_naming_the_field(app, session, tmp_path, content, words):
    result = _run(app, "load", _write(tmp_path, "year.json", content))
    assert result.exit_code == 2
    assert words in result.stderr, result.stderr
    _nothing_written(session)


def test_a_csv_file_loads_with_its_notice(app, session, tmp_path):
    path = _write(tmp_path, "2027.csv", "\ufeffdate,kind,name\n2027-01-01,holiday,元旦\n\n2027-02-06,workday,\n")

    result = _run(app, "load", path, "--notice", NOTICE)

    assert result.exit_code == 0, result.output
    assert "calendar 2027 loaded: 1 holidays, 1 make-up workdays" in result.stdout
    year = session.get(CalendarYear, 2027, populate_existing=True)
    assert year is not None
    assert year.notice == NOTICE
    assert WorkCalendar.load(session).is_working_day(dt.date(2027, 1, 1)).provisional is False


@pytest.mark.parametrize(
    ("content", "notice", "words"),
    [
        ("date,kind,name\n2027-01-01,holiday,元旦\n", None, "--notice：CSV 文件须用 --notice 给出"),
        ("day,kind,name\n2027-01-01,holiday,元旦\n", NOTICE, "第 1 行：表头须为 date,kind,name"),
        ("date,kind,name\n", NOTICE, "文件：表头之后没有日期。"),
        (
            "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,holiday,元旦\n",
            NOTICE,
            "第 3 行：2027-01-02 是星期六",
        ),
        (
            "date,kind,name\n2027-01-01,holiday,元旦\n\n2028-01-03,holiday,元旦\n",
            NOTICE,
            "第 4 行（date）：2028-01-03 不在 2027 年内",
        ),
        (
            "date,kind,name\n2027-01-01,holiday,元旦\n01/02/2027,holiday,\n",
            NOTICE,
            "第 3 行（date）：须为 YYYY-MM-DD 格式的日期",
        ),
        ("date,kind,name\n2027-01-01,holiday,元旦,extra\n", NOTICE, "第 2 行：有 4 个值"),
    ],
)
def test_a_bad_csv_file_is_refused_naming_the_line(app, session, tmp_path, content, notice, words):
    args = ["load", _write(tmp_path, "2027.csv", content)] + (["--notice", notice] if notice else [])
    result = _run(app, *args)
    assert result.exit_code == 2
    assert words in result.stderr, result.stderr
    _nothing_written(session)


def test_other_file_types_are_refused(app, session, tmp_path):
    result = _run(app, "load", _write(tmp_path, "2027.txt", "2027-01-01 holiday"))
    assert result.exit_code == 2
    assert "文件：文件名须以 .json 或 .csv 结尾。" in result.stderr
    _nothing_written(session)


def test_a_csv_file_saved_with_windows_line_ends_and_quotes_loads(app, session, tmp_path):
    content = 'date,kind,name\r\n2027-01-01,holiday,"元旦, New Year"\r\n2027-02-06,workday,春节调休上班\r\n'
    path = tmp_path / "2027.csv"
    path.write_bytes(content.encode("utf-8"))

    result = _run(app, "load", str(path), "--notice", NOTICE)

    assert result.exit_code == 0, result.output
    assert session.get(CalendarDay, dt.date(2027, 1, 1), populate_existing=True).name == "元旦, New Year"


# ---- the warning that next year's notice is not loaded -----------------------------------------

# Midnight in China is 16:00 UTC the day before: the registry's dates are China dates.
FIRST_OF_NOVEMBER = dt.datetime(2026, 10, 31, 16, 30, tzinfo=dt.UTC)  # 2026-11-01 00:30 in China
LAST_OF_OCTOBER = dt.datetime(2026, 10, 31, 15, 59, tzinfo=dt.UTC)  # 2026-10-31 23:59 in China


def test_show_warns_from_1_november_that_next_years_notice_is_not_loaded(app, session, runtime):
    """《国务院办公厅关于2027年部分节假日安排的通知》 is not loaded on 2026-11-01 (China time):
    `show` says so, whichever year is shown, and that deadlines after 2026-12-31 are provisional."""
    runtime.clock.fixed = FIRST_OF_NOVEMBER

    shown = _run(app, "show", "2026")

    assert shown.exit_code == 0, shown.output
    assert (
        "warning: next year's 放假安排 notice (国务院办公厅关于2027年部分节假日安排的通知) is not loaded"
        in shown.stderr
    )
    assert "deadlines after 2026-12-31 are provisional" in shown.stderr
    assert shown.stdout.startswith("2026: package")


def test_show_does_not_warn_on_31_october(app, session, runtime):
    """Before 1 November (China time) the 2027 notice (国务院办公厅关于2027年部分节假日安排的通知)
    is not yet expected: no warning."""
    runtime.clock.fixed = LAST_OF_OCTOBER

    shown = _run(app, "show", "2027")

    assert shown.exit_code == 0, shown.output
    assert shown.stderr == ""


def test_show_does_not_warn_once_next_year_is_loaded(app, session, runtime, tmp_path):
    """With 《国务院办公厅关于2027年部分节假日安排的通知》 loaded, 2027 is an override year: no warning."""
    runtime.clock.fixed = FIRST_OF_NOVEMBER
    path = _write(tmp_path, "2027.csv", "date,kind,name\n2027-01-01,holiday,元旦\n")
    assert _run(app, "load", path, "--notice", NOTICE).exit_code == 0

    shown = _run(app, "show", "2027")

    assert shown.exit_code == 0, shown.output
    assert shown.stderr == ""
    assert shown.stdout.startswith(f"2027: override — {NOTICE}\n")


def test_show_lists_the_holidays_assumed_for_a_provisional_year(app, session, runtime):
    """放假办法第二条 as amended (in force 2025-01-01): for 2027, not loaded, `show` lists the
    statutory days off it assumes, e.g. 农历除夕 (2027-02-05) and 中秋 (2027-09-15)."""
    runtime.clock.fixed = LAST_OF_OCTOBER

    shown = _run(app, "show", "2027")

    assert "2027: provisional (no override is loaded" in shown.stdout
    assert "statutory holidays of 《全国年节及纪念日放假办法》 are assumed off" in shown.stdout
    assert "  2027-01-01  Fri  assumed  元旦\n" in shown.stdout
    assert "  2027-02-05  Fri  assumed  春节\n" in shown.stdout
    assert "  2027-09-15  Wed  assumed  中秋节\n" in shown.stdout
    assert shown.stdout.count("  assumed  ") == 13
