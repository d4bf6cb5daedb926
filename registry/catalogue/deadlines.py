"""Deadlines in working days (`deadlines.json`): publishing a record (公开时效) and deciding a
credit-repair application, each dated and with its source.

Disclosure rules are tried in order; the first that fits the record (type, domain, the deciding
authority's 系统 and region, the decision date) applies. National defaults come last: 7 working
days for a 行政处罚 decision, 20 for other information. A local rule names its region and binds
no authority outside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from registry.catalogue.errors import CatalogueError
from registry.catalogue.scope import Scope, read_scope
from registry.vocab import DOMAINS


def _date(raw: Any, where: str) -> dt.date | None:
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except (TypeError, ValueError) as exc:
        raise CatalogueError(f"{where}: must be a date YYYY-MM-DD: {exc!r}") from exc


def _days(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise CatalogueError(f"{where}: must be a whole number of working days ≥ 0")
    return raw


def _source(raw: dict[str, Any], where: str) -> str:
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CatalogueError(f"{where}: names its source (document and article)")
    return source.strip()


@dataclass(frozen=True)
class DisclosureRule:
    """公开时效: records of these types (and domains) are published within `working_days`."""

    code: str
    record_types: frozenset[str]
    domains: frozenset[str] | None
    scope: Scope
    effective_from: dt.date | None
    working_days: int
    source: str

    def fits(self, record_type: str, domains: list[str], *, sector: str, region: str, decided_on: dt.date) -> bool:
        return (
            record_type in self.record_types
            and (self.domains is None or bool(self.domains & set(domains)))
            and self.scope.covers(sector=sector, region=region)
            and (self.effective_from is None or self.effective_from <= decided_on)
        )


@dataclass(frozen=True)
class RepairDeadlines:
    """信用修复: working days the deciding authority has to decide on an application (谁认定、谁修复),
    and the credit platform's own time to answer; the set in force on the day it was received."""

    code: str
    effective_from: dt.date
    authority_decide_working_days: int
    platform_answer_working_days: int | None
    source: str


def read_disclosure(data: dict[str, Any]) -> tuple[DisclosureRule, ...]:
    rules: list[DisclosureRule] = []
    for i, raw in enumerate(data.get("disclosure") or []):
        where = f"deadlines.json: disclosure[{i}] ({raw.get('code') if isinstance(raw, dict) else raw})"
        if not isinstance(raw, dict):
            raise CatalogueError(f"{where}: must be an object")
        domains = raw.get("domains")
        if domains is not None and not set(domains) <= set(DOMAINS):
            raise CatalogueError(f"{where}: unknown domain in {domains}")
        rules.append(
            DisclosureRule(
                str(raw.get("code")),
                frozenset(raw.get("record_types") or ()),
                frozenset(domains) if domains is not None else None,
                read_scope(raw, where),
                _date(raw.get("effective_from"), f"{where}.effective_from"),
                _days(raw.get("working_days"), f"{where}.working_days"),
                _source(raw, where),
            )
        )
    for record_type in ("penalty", "list_entry"):
        if not any(
            r.record_types >= {record_type} and r.domains is None and r.scope == Scope() and r.effective_from is None
            for r in rules
        ):
            raise CatalogueError(f"deadlines.json: disclosure needs a national default for {record_type}")
    return tuple(rules)


def read_repair(data: dict[str, Any]) -> tuple[RepairDeadlines, ...]:
    raw_sets = data.get("repair")
    if not isinstance(raw_sets, list) or not raw_sets:
        raise CatalogueError("deadlines.json: repair must be a list of dated deadline sets")
    result: list[RepairDeadlines] = []
    for i, raw in enumerate(raw_sets):
        where = f"deadlines.json: repair[{i}]"
        if not isinstance(raw, dict):
            raise CatalogueError(f"{where}: must be an object")
        start = _date(raw.get("effective_from"), f"{where}.effective_from")
        if start is None:
            raise CatalogueError(f"{where}: needs effective_from")
        platform = raw.get("platform_answer_working_days")
        result.append(
            RepairDeadlines(
                str(raw.get("code")),
                start,
                _days(raw.get("authority_decide_working_days"), f"{where}.authority_decide_working_days"),
                None if platform is None else _days(platform, f"{where}.platform_answer_working_days"),
                _source(raw, where),
            )
        )
    if [r.effective_from for r in result] != sorted(r.effective_from for r in result):
        raise CatalogueError("deadlines.json: repair sets must be in order of effective_from")
    return tuple(result)
