"""The layout of a file: which kind of record its header row holds, and where each column stands.

`is_header` tells the header row from a title row above it; `detect_kind` tells the three kinds
(行政处罚, 红黑名单, 行政许可) apart by the headers only one of them has; `layout_of` finds where each
field of the kind stands (the columns of `registry.imports.columns`) and refuses a file that lacks a
required column or a file-wide default it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.imports.columns import COLUMNS, DEFAULT_OPTIONS, DEFAULTABLE, DOMAIN_FIELD, KINDS, REQUIRED, Column
from registry.imports.files import FileRefused, Table, header_key
from registry.imports.report import ImportReport, Problem
from registry.messages import msg
from registry.models import Authority
from registry.national_columns import columns as export_columns


def _keys(kind: str) -> dict[str, Column]:
    found: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for header in (column.header, *column.aliases):
            found.setdefault(header_key(header), column)
    return found


_BY_KEY = {kind: _keys(kind) for kind in KINDS}
# Columns our exports write that the registry derives (periods, states, ids, the outbox
# envelope): a re-imported export carries them, and they are passed over without a problem.
_DERIVED = {kind: {header_key(c.header) for c in export_columns(kind)} - set(_BY_KEY[kind]) for kind in KINDS}
# Headers that tell the kinds apart (shared ones such as 统一社会信用代码 do not).
_ONLY = {
    kind: set(_BY_KEY[kind]).difference(*(set(_BY_KEY[other]) | _DERIVED[other] for other in KINDS if other != kind))
    for kind in KINDS
}
_ALL_KEYS = set().union(*_BY_KEY.values(), *_DERIVED.values())


def is_header(texts: list[str]) -> bool:
    return sum(header_key(t) in _ALL_KEYS for t in texts if t) >= 3


def detect_kind(headers: list[str], filename: str) -> str:
    """The kind whose own headers the row has most of; a tie at the top is refused, naming the kinds."""
    keys = {header_key(h) for h in headers}
    votes = sorted(((len(keys & _ONLY[kind]), kind) for kind in KINDS), reverse=True)
    (most, kind), (second, _) = votes[0], votes[1]
    if most == second:
        raise FileRefused.because(
            msg(
                "{file}: cannot tell from its header row whether it holds penalties (行政处罚决定书文号, 处罚类别 …), "
                "list entries (名单名称, 列入决定文书号 …) or licences (行政许可决定文书号, 许可类别 …); say which kind it is",
                file=filename,
            ),
            short="the header row does not tell penalties (行政处罚决定书文号, 处罚类别 …), list entries (名单名称, "
            "列入决定文书号 …) and licences (行政许可决定文书号, 许可类别 …) apart: choose the kind of sheet",
        )
    return kind


@dataclass(frozen=True)
class Layout:
    """Where each field stands in the file's rows, and the header it was given there."""

    positions: tuple[tuple[int, Column, str], ...]
    written: dict[str, str]  # field name → header as written in the file

    def header(self, name: str, kind: str) -> str:
        """The column a problem with field `name` is reported in: as written, else standard."""
        if name in self.written:
            return self.written[name]
        column = next((c for c in COLUMNS[kind] if c.name == name), None)
        return column.header if column is not None else ""


def layout_of(
    table: Table, kind: str, report: ImportReport, authority: Authority, defaults: Mapping[str, Any] | None = None
) -> Layout:
    positions: list[tuple[int, Column, str]] = []
    written: dict[str, str] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue
        key = header_key(header)
        column = _BY_KEY[kind].get(key)
        if column is None:
            if key in _DERIVED[kind]:
                report.ignored_columns.append(header)
            else:
                report.problems.append(Problem(table.header_row, header, "", "unknown column: not imported"))
            continue
        if column.name in written:
            report.problems.append(
                Problem(
                    table.header_row,
                    header,
                    "",
                    msg(
                        "a second column for {column} (the first is {first}): not imported",
                        column=column.header,
                        first=written[column.name],
                    ),
                )
            )
            continue
        written[column.name] = header
        positions.append((index, column, header))
    required = list(REQUIRED[kind])
    missing = [c for c in COLUMNS[kind] if c.name in required and c.name not in written]
    if missing:
        columns = "、".join(c.header for c in missing)
        raise FileRefused.because(
            msg(
                "{file}: required column(s) missing: {columns}; nothing was imported",
                file=report.filename,
                columns=columns,
            ),
            short=msg(
                "required column(s) missing: {columns}; nothing was imported (the import template shows the headers)",
                columns=columns,
            ),
        )
    given = {k for k, v in (defaults or {}).items() if v}
    needed = [
        name
        for name in DEFAULTABLE[kind]
        if name not in written
        and name not in given
        and not (name == DOMAIN_FIELD.get(kind) and len(authority.domains) == 1)
    ]
    if needed:
        headers = {c.name: c.header for c in COLUMNS[kind]}
        several = msg(" ({authority} supervises several trading domains)", authority=authority.name)
        message = msg(
            "{file}: the sheet has no {columns} column and no file-wide default was given: give {options} on "
            "upload{several}; nothing was imported",
            file=report.filename,
            columns="、".join(headers[n] for n in needed),
            options="; ".join(DEFAULT_OPTIONS[n] for n in needed),
            several=several if DOMAIN_FIELD.get(kind) in needed else "",
        )
        # Named by the upload's own fields (default_severity, default_domain), where the default is given.
        raise FileRefused(
            message,
            {
                "default_domain" if n in ("domain", "domains") else f"default_{n}": [
                    msg("the sheet has no {column} column: give a file-wide default", column=headers[n])
                ]
                for n in needed
            },
        )
    return Layout(tuple(positions), written)
