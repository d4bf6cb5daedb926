"""CSV downloads a person opens in Excel: UTF-8 with a BOM, one header row, no formulas.

Excel reads a CSV without a byte-order mark in the machine's legacy code page (GBK on a
Chinese Windows, cp1252 elsewhere), which garbles Chinese; the BOM makes it read UTF-8.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response

from registry.imports.cells import guarded

BOM = "\ufeff"


@dataclass(frozen=True)
class Column:
    """One CSV column: its header (中文 English) and how to read the cell from an item."""

    header: str
    value: Callable[[Any], Any]


def cell(value: Any) -> str | int | float:
    """The text Excel shows for `value`: dates as ISO, booleans as 是/否, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return guarded(text)


def percent(value: float | None) -> str:
    """A rate as Excel reads a percentage (0.4 → 40.00%); empty when there is none."""
    return "" if value is None else f"{value * 100:.2f}%"


def csv_response(columns: Sequence[Column], items: Iterable[Any], filename: str) -> Response:
    """A CSV download of `items`, one row each, with a header row naming every column."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)  # the csv module ends lines with \r\n, as Excel writes them
    writer.writerow([c.header for c in columns])
    for item in items:
        writer.writerow([cell(c.value(item)) for c in columns])
    response = Response(out.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
