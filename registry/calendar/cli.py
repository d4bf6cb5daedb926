"""`flask registry calendar …`: load, show and delete a year's holidays and make-up workdays (调休).

A year's file is JSON ({"year": 2027, "notice": "…", "days": [{"date", "kind", "name"}, …]})
or CSV (header `date,kind,name`, the notice given with --notice, the year read from the
dates). See docs/calendar.md. Each command commits once; bad input writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any, NoReturn, cast

import click
from flask.cli import AppGroup

from registry.calendar import service
from registry.calendar.holidays import statutory_holidays
from registry.calendar.workdays import outlook_of
from registry.cli_errors import refuse, refuse_error, say
from registry.database import db, write_intent
from registry.errors import RegistryError
from registry.ledger import OPERATOR
from registry.messages import Text, msg
from registry.records.recompute import RecomputeReport
from registry.runtime import current_runtime


def _report_recompute(report: RecomputeReport | None) -> None:
    if report is not None:
        click.echo(
            f"stored deadlines counted again: {report.penalties} penalties, {report.list_entries} list entries, "
            f"{report.repairs} repair applications changed"
        )


calendar = AppGroup("calendar", help="The working-day calendar: a year's holidays and make-up workdays (调休安排).")


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CSV_COLUMNS = ("date", "kind", "name")
DAY_KEYS = {"date", "kind", "name"}
FILE_KEYS = {"year", "notice", "days"}
COMMENT_KEY = "comment"  # optional, for the file's reader only: not stored


class BadFile(Exception):
    """The file cannot be read as a calendar year; `errors` maps where (field or line) to why."""

    def __init__(self, errors: dict[str, list[Text]]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


FILE = "file"  # where a problem of the file as a whole is named


def _refuse(message: Text, errors: dict[str, list[Text]] | None = None) -> NoReturn:
    """Write nothing, say what is wrong and where (a field, an entry or a line), in Chinese; exit 2."""
    refuse(message, errors, names={FILE: say("the file")})


def _line(number: int, field: str | None = None) -> str:
    """Where in a CSV file: its line (and the column), as the terminal says it."""
    if field is None:
        return say(msg("line {number}", number=number))
    return say(msg("line {number} ({field})", number=number, field=field))


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value.strip()):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _day(raw: dict[str, Any], where: str, errors: dict[str, list[Text]]) -> dict[str, Any]:
    """One day as the service takes it; `where` names its date field in an error message."""
    day: dict[str, Any] = {"kind": raw.get("kind"), "name": raw.get("name")}
    date = _date(raw.get("date"))
    if date is None:
        errors[where] = [msg("must be a date written YYYY-MM-DD, not {value!r}", value=raw.get("date"))]
    day["date"] = date
    if isinstance(day["kind"], str):
        day["kind"] = day["kind"].strip()
    return day


def _read_json(path: Path, notice: str | None) -> tuple[int, str, list[dict[str, Any]]]:
    if notice is not None:
        raise BadFile({"--notice": ["is for CSV files; a JSON file carries its own notice"]})
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadFile({FILE: [msg("is not valid UTF-8 JSON: {error}", error=str(exc))]}) from exc
    if not isinstance(data, dict):
        raise BadFile({FILE: ['must hold one object: {"year": …, "notice": …, "days": […]}']})
    errors: dict[str, list[Text]] = {}
    for key in sorted(set(data) - FILE_KEYS - {COMMENT_KEY}):
        errors[key] = ["unknown field (expected year, notice, days and optionally comment)"]
    if not isinstance(data.get(COMMENT_KEY, ""), str):
        errors[COMMENT_KEY] = ["must be text"]
    for key in sorted(FILE_KEYS - set(data)):
        errors[key] = ["missing"]
    year, notice_text, raw_days = data.get("year"), data.get("notice"), data.get("days")
    if "year" in data and (not isinstance(year, int) or isinstance(year, bool)):
        errors["year"] = ["must be a whole number such as 2027"]
    if "notice" in data and not isinstance(notice_text, str):
        errors["notice"] = ["must be the notice's title, as text"]
    if "days" in data and not isinstance(raw_days, list):
        errors["days"] = ["must be a list of {date, kind, name}"]
    days: list[dict[str, Any]] = []
    for i, raw in enumerate(raw_days if isinstance(raw_days, list) else []):
        at = f"days.{i}"
        if not isinstance(raw, dict):
            errors[at] = ["must be an object {date, kind, name}"]
            continue
        for key in sorted(set(raw) - DAY_KEYS):
            errors[f"{at}.{key}"] = ["unknown field (expected date, kind, name)"]
        days.append(_day(raw, f"{at}.date", errors))
    if errors:
        raise BadFile(errors)
    return cast(int, year), cast(str, notice_text), days


def _read_csv(path: Path, notice: str | None) -> tuple[int, str, list[dict[str, Any]], list[int]]:
    """The year, notice and days of a CSV file, and the line each day was on."""
    if notice is None:
        raise BadFile({"--notice": ["a CSV file needs --notice: the title of the notice its days come from"]})
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadFile({FILE: [msg("is not UTF-8 text: {error}", error=str(exc))]}) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if tuple(header) not in (CSV_COLUMNS, CSV_COLUMNS[:2]):
        raise BadFile(
            {
                _line(1): [
                    msg(
                        "the header must be {expected}, not {found!r}",
                        expected=",".join(CSV_COLUMNS),
                        found=",".join(header),
                    )
                ]
            }
        )
    errors: dict[str, list[Text]] = {}
    days: list[dict[str, Any]] = []
    lines: list[int] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            errors[_line(line)] = [
                msg("has {count} values; the header names {named}", count=len(row), named=len(header))
            ]
            continue
        raw = dict(zip(header, row + [""] * (len(header) - len(row)), strict=True))
        days.append(_day(raw, _line(line, "date"), errors))
        lines.append(line)
    if not days and not errors:
        errors[FILE] = ["has no days after its header"]
    if errors:
        raise BadFile(errors)
    # Every date was checked above; the service refuses any that is not in the first one's year.
    return days[0]["date"].year, notice, days, lines


def _by_line(errors: dict[str, list[Text]], lines: list[int]) -> dict[str, list[Text]]:
    """The service names entries (`days.3.date`); a CSV's reader wants its line (`line 5 (date)`)."""
    found: dict[str, list[Text]] = {}
    for field, reasons in errors.items():
        match = re.fullmatch(r"days\.(\d+)(?:\.(\w+))?", field)
        if match is None:
            found[field] = reasons
            continue
        found[_line(lines[int(match.group(1))], match.group(2))] = reasons
    return found


@calendar.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--notice",
    default=None,
    help="CSV only: the title of the State Council General Office notice (国务院办公厅关于…年部分节假日安排的通知)",
)
def load(file: Path, notice: str | None) -> None:
    """Load one year's holidays and make-up workdays from a JSON or CSV FILE; replaces that year's."""
    write_intent.set(True)
    lines: list[int] | None = None
    try:
        if file.suffix.lower() == ".json":
            year, notice_text, days = _read_json(file, notice)
        elif file.suffix.lower() == ".csv":
            year, notice_text, days, lines = _read_csv(file, notice)
        else:
            raise BadFile({FILE: ["must end in .json or .csv"]})
        loaded = service.load_calendar_year(
            db.session(), year, notice_text, days, OPERATOR, catalogue=current_runtime().catalogue
        )
    except BadFile as exc:
        _refuse(msg("{file}: nothing was loaded", file=str(file)), exc.errors)
    except RegistryError as exc:
        if not exc.reasons:
            _refuse(msg("{file}: {reason}", file=str(file), reason=exc.text))
        reasons = exc.reasons if lines is None else _by_line(exc.reasons, lines)
        _refuse(msg("{file}: nothing was loaded", file=str(file)), reasons)
    db.session.commit()
    holidays = sum(d.kind == "holiday" for d in loaded.days)
    click.echo(
        f"calendar {loaded.year} loaded: {holidays} holidays, {len(loaded.days) - holidays} make-up "
        f"workdays, from {loaded.notice}"
    )
    _report_recompute(loaded.recomputed)


@calendar.command("show")
@click.argument("year", type=int)
def show(year: int) -> None:
    """Say where YEAR's working days come from (override, package, provisional) and list its overrides.

    Also warns (on stderr) when, by the registry's clock, next year's notice is due and not
    loaded (from 1 November), or this year's is not: deadlines counted into it are provisional.
    """
    try:
        found = service.describe_calendar_year(db.session(), year)
        outlook = outlook_of(db.session(), current_runtime().clock.today())
    except RegistryError as exc:
        refuse_error(exc)
    db.session.rollback()
    if outlook.warning is not None:
        click.echo(f"warning: {outlook.warning}", err=True)
    if found.loaded is None:
        meaning = {
            "package": "the chinesecalendar package knows this year; no overrides are loaded",
            "provisional": "no override is loaded and the chinesecalendar package does not know this "
            "year: weekends and the statutory holidays of 《全国年节及纪念日放假办法》 "
            "are assumed off, every other day worked (补假 and 调休 are unknown), and "
            "every answer is marked provisional; load the year's notice with "
            "`flask registry calendar load FILE` (docs/calendar.md)",
        }[found.source]
        click.echo(f"{year}: {found.source} ({meaning})")
        if found.source == "provisional":
            for holiday in statutory_holidays(year):
                click.echo(f"  {holiday.date}  {holiday.date:%a}  assumed  {holiday.name}")
        return
    loaded = found.loaded
    click.echo(f"{year}: override — {loaded.notice}")
    click.echo(f"loaded {loaded.loaded_at:%Y-%m-%d %H:%M} UTC by {loaded.loaded_by}")
    for day in loaded.days:
        click.echo(f"  {day.date}  {day.date:%a}  {day.kind:<8} {day.name or ''}".rstrip())


@calendar.command("delete")
@click.argument("year", type=int)
def delete(year: int) -> None:
    """Delete YEAR's loaded overrides; its days come from the package again, or are provisional."""
    write_intent.set(True)
    try:
        after = service.delete_calendar_year(db.session(), year, OPERATOR, catalogue=current_runtime().catalogue)
    except RegistryError as exc:
        refuse_error(exc)
    db.session.commit()
    click.echo(f"calendar {year} deleted: its working days now come from: {after.source}")
    _report_recompute(after.recomputed)
