"""Reading one row of an import: its cells by field, or every cell that cannot be read.

`read_row` reads a row's cells with the readers of its columns (`registry.imports.columns`) and
refuses, with `RowRejected`, a row any cell of which cannot be read. The text helpers below say
how a row's values are compared with and stored as the registry's. What a row then does is
decided by `registry.imports.row_checks` and written by `registry.imports.row_writer` (one row at
a time) or `registry.imports.batch` (a chunk at a time).

The columns and the report are re-exported here, where importers long found them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from registry.codes.idnumber import mask_resident_ids
from registry.imports.cells import unguarded
from registry.imports.columns import (
    COLUMNS,
    DEFAULT_OPTIONS,
    DEFAULTABLE,
    DOMAIN_FIELD,
    KINDS,
    LICENCE_COLUMNS,
    LIST_ENTRY_COLUMNS,
    PENALTY_COLUMNS,
    REQUIRED,
    RESPONSIBLE_COLUMNS,
    Column,
)
from registry.imports.files import CellError, Formula
from registry.imports.layout import Layout, detect_kind, is_header, layout_of
from registry.imports.report import ImportReport, Problem
from registry.messages import msg
from registry.models import Entity, Licence, ListEntry, Penalty

__all__ = [
    "COLUMNS",
    "DEFAULTABLE",
    "DEFAULT_OPTIONS",
    "DOMAIN_FIELD",
    "KINDS",
    "LICENCE_COLUMNS",
    "LIST_ENTRY_COLUMNS",
    "PENALTY_COLUMNS",
    "REQUIRED",
    "RESPONSIBLE_COLUMNS",
    "Column",
    "EntityKey",
    "ImportReport",
    "MODELS",
    "Layout",
    "Problem",
    "Record",
    "Row",
    "RowRejected",
    "clean_name",
    "detect_kind",
    "fold",
    "is_blank",
    "is_header",
    "layout_of",
    "masked",
    "read_row",
    "shown",
]


class RowRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def shown(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def is_blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


@dataclass
class Row:
    number: int
    values: dict[str, Any]  # field → value read (present only for the file's columns)
    raw: dict[str, Any]  # field → the cell as found

    def shown(self, name: str) -> str:
        return shown(self.raw.get(name))


Record = Penalty | ListEntry | Licence
# The record each kind of import writes.
MODELS: dict[str, type[Record]] = {"penalties": Penalty, "list-entries": ListEntry, "licences": Licence}


def _lengths(kind: str) -> dict[str, int]:
    """The longest text each field's column holds (PostgreSQL refuses longer; SQLite would not)."""
    tables = [Entity.__table__, MODELS[kind].__table__]
    aliases = {"name": "subject_name", "uscc": "subject_uscc"}
    found: dict[str, int] = {}
    for table in tables:
        for col in table.columns:
            length = getattr(col.type, "length", None)
            if length:
                found[aliases.get(col.name, col.name)] = length
    return found


_LENGTHS = {kind: _lengths(kind) for kind in KINDS}


_LIST_FIELDS = {c.name for columns in COLUMNS.values() for c in columns if c.several}
# A formula's last computed value may be stale, and a workbook a program wrote has none (the cell
# would read as empty): a record's values are typed or pasted as values.
FORMULA = "a formula cell: copy it and paste it as values (选择性粘贴 → 数值), then import"


def read_row(number: int, cells: list[Any], layout: Layout, kind: str) -> Row:
    """The values of one row by field, or RowRejected naming every cell that cannot be read."""
    values: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    limits = _LENGTHS[kind]
    width = len(cells)
    for index, column, header in layout.positions:
        cell = cells[index] if index < width else None
        name = column.name
        if isinstance(cell, Formula):
            problems.append(Problem(number, header, cell.text, FORMULA))
            continue
        if isinstance(cell, str) and cell.startswith("'"):
            cell = unguarded(cell)  # the apostrophe our exports put before text that looks like a formula
        raw[name] = cell
        if cell is None or cell == "":  # most rows leave many cells empty: no reader needed
            values[name] = [] if name in _LIST_FIELDS else None
            continue
        try:
            value = column.read(cell)
        except CellError as exc:
            problems.append(Problem(number, header, shown(cell), exc.text))
            continue
        if isinstance(value, str):
            if "\x00" in value:
                problems.append(Problem(number, header, shown(cell).replace("\x00", ""), "contains a NUL character"))
                continue
            limit = limits.get(name)
            if limit is not None and len(value) > limit:
                problems.append(
                    Problem(
                        number,
                        header,
                        shown(cell),
                        msg("is {count} characters long; at most {most}", count=len(value), most=limit),
                    )
                )
                continue
        values[name] = value
    if problems:
        raise RowRejected(problems)
    return Row(number, values, raw)


# ---------------------------------------------------------------------------------------------
# A row's values as the registry compares and stores them


def masked(text: Any) -> Any:
    """Free text as the registry stores it: resident ID numbers masked."""
    return mask_resident_ids(text) if isinstance(text, str) else text


def fold(text: str | None) -> str:
    """Names and free text compared as a person reads them: full-width folded, spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def clean_name(name: str) -> str:
    return " ".join(name.split())  # as create_entity stores names


# How a row names its subject: ("uscc", code), ("name", name) or ("person", ID fingerprint).
EntityKey = tuple[str, str]
