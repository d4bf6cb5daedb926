"""What the supervisor console (监管工作台) reads: publication states, an authority's records page by
page, disclosure deadlines, and a record's history as a person reads it.

These functions take the session and the day as arguments and touch no request state: they would
sit in a `registry/services` module in the house layout, and live beside the console because this
change is limited to the page modules. They compose the services' own rules, never restate them:

- **Publication state (公示状态)** is one SQL expression per record type (`penalty_state`,
  `list_entry_state`) built on the services' `published(today)` (what the public sees today), so
  a list can filter and count by it. The first that holds decides: 已撤销, 已信用修复, 不公开
  (保密审查, or a minor penalty the rules do not publish), 公示期满 (a penalty past its 公示截止期;
  a list entry expired or removed), 公示中, else 尚未公示 (publication starts later).
- **Due and overdue (公开时效)**: the overdue records are the timeliness report's; "due soon" are
  the records the report counts as pending (`pending_records`, in the same service).
- **Personal ID numbers** are read only in their stored masked form (`*_masked`), never decrypted.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.pages.auth import ROLE_NAMES
from registry.ledger import Actor
from registry.models import AuditLog, Authority, Entity, ListEntry, ListEntryDomain, Penalty
from registry.publication import Rules, add_months
from registry.records import list_entries as entry_service
from registry.records import penalties as penalty_service
from registry.records.authorities import list_authorities
from registry.records.common import MAX_PER_PAGE, Page, paginate
from registry.records.penalty_fields import PENALTY_FIELDS
from registry.records.timeliness import (
    MAX_PERIOD_MONTHS,
    OverdueRecord,
    PendingRecord,
    pending_records,
    timeliness_report,
)
from registry.vocab import (
    DOMAINS,
    ENTITY_KINDS,
    LIST_ENTRY_STATES,
    LIST_TYPES,
    PENALTY_STATES,
    PROCEDURES,
    SEVERITIES,
)

PER_PAGE = 50
BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")  # China keeps no daylight saving time

# 公示状态 in the order pages show them; `penalty_state` and `list_entry_state` decide between them.
PUBLICATION_STATES = {
    "published": "公示中",
    "unpublished": "尚未公示",
    "ended": "公示期满",
    "repaired": "已信用修复",
    "revoked": "已撤销",
    "not_public": "不公开",
}
STATE_MEANINGS = {
    "published": "公众今天可以看到",
    "unpublished": "依规应公示，但公示尚未开始",
    "ended": "行政处罚已过公示截止期；名单已到期或已移出",
    "repaired": "已信用修复，停止公示，记录保留",
    "revoked": "决定已撤销，停止公示，记录保留",
    "not_public": "经保密审查不公开，或轻微处罚依规不公示",
}
RECORD_TYPES = {"penalty": "行政处罚", "list_entry": "名单"}
ACTIONS = {
    "create": "登记", "correct": "更正", "revoke": "撤销", "remove": "移出", "repair": "信用修复",
    "recompute": "按新规则或日历重算", "update": "修改", "submit": "提交申请", "accept": "受理",
    "reject": "不予修复", "complete": "修复完成",
}

# The standard 双公示 headers (registry.records.penalty_fields) for the penalty's own fields.
_PENALTY_HEADERS = {f.name: f.header for f in PENALTY_FIELDS}
PENALTY_LABELS = {
    **_PENALTY_HEADERS,
    "subject": "行政相对人（统一社会信用代码或登记主体编号）",
    "authority_id": _PENALTY_HEADERS["authority_name"],
    "data_source_authority_id": _PENALTY_HEADERS["data_source_name"],
    "procedure": "处罚程序",
    "severity": "失信程度",
    "domain": "交易领域",
    "project_code": "项目编号",
    "is_public": "是否公开",
    "not_public_reason": "不公开理由（保密审查）",
}
LIST_ENTRY_LABELS = {
    "subject": "列入主体（统一社会信用代码或登记主体编号）",
    "authority_id": "认定部门",
    "list_type": "名单类型",
    "list_name": "名单名称",
    "domains": "涉及交易领域",
    "decision_number": "列入决定文书号",
    "reason_category": "列入事由类别",
    "facts": "失信（守信）事实",
    "legal_basis": "列入依据",
    "project_code": "项目编号",
    "listed_on": "列入日期",
    "expires_on": "有效期截止日期",
    "is_public": "是否公开",
    "not_public_reason": "不公开理由（保密审查）",
}
# Fields an audit row may name that the form labels above do not (the registry's derived fields).
_DERIVED_LABELS = {
    "entity_id": "主体编号", "subject_name": "行政相对人名称", "subject_uscc": "统一社会信用代码",
    "authority_id": "机关编号", "data_source_authority_id": "数据来源单位编号",
    "rule_set": "公示规则", "publication_tier": "公示档次", "publishable": "依规公示",
    "publication_note": "公示说明", "publication_end_as_given": "公示截止期按来源数据保留",
    "publication_starts_on": "公示起始日", "publication_end_chosen": "公示截止期由机关确定",
    "repair_from": "可申请信用修复日", "repaired_on": "信用修复日", "publication_due_on": "应公开日期",
    "due_provisional": "应公开日期含推定日历", "first_published_at": "首次公开时间", "status": "状态",
    "status_changed_on": "状态变更日", "status_reason": "状态变更理由", "revoked_on": "撤销日期",
    "revocation_reason": "撤销理由",
}
HISTORY_LABELS = {
    "penalty": {**PENALTY_LABELS, **_DERIVED_LABELS},
    "list_entry": {**LIST_ENTRY_LABELS, **_DERIVED_LABELS},
}


# --- how values read ------------------------------------------------------------------------


def cn_date(day: dt.date | None) -> str:
    """A date as 2026年11月23日."""
    return "" if day is None else f"{day.year}年{day.month}月{day.day}日"


def beijing(moment: dt.datetime | str | None) -> str:
    """A stored moment (UTC) as Beijing time, e.g. 2026年11月23日 10:00（北京时间）."""
    if moment is None:
        return ""
    value = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(BEIJING)
    return f"{cn_date(local.date())} {local:%H:%M}（北京时间）"


def shown(value: Any) -> str:
    """A field's value as a person reads it ("—" for nothing)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return beijing(value)
    if isinstance(value, dt.date):
        return cn_date(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, list | tuple):
        return "、".join(shown(v) for v in value)
    return str(value)


# --- authorities -------------------------------------------------------------------------------


def all_authorities(session: Session) -> list[Authority]:
    """Every authority, by id (for an administrator's choices)."""
    found: list[Authority] = []
    number = 1
    while True:
        page = list_authorities(session, page=number, per_page=MAX_PER_PAGE)
        found += page.items
        if number * MAX_PER_PAGE >= page.total:
            return found
        number += 1


def authority_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(session.execute(sa.select(Authority.id, Authority.name).where(Authority.id.in_(wanted))).all())


# --- publication state (公示状态) -----------------------------------------------------------------


def penalty_state(today: dt.date) -> sa.ColumnElement[str]:
    """A penalty's publication state on `today`, as SQL (see PUBLICATION_STATES for the order)."""
    return sa.case(
        (Penalty.status == "revoked", "revoked"),
        (Penalty.repaired_on.is_not(None), "repaired"),
        (sa.or_(Penalty.is_public.is_(False), Penalty.publishable.is_(False)), "not_public"),
        (Penalty.publication_ends_on < today, "ended"),
        (penalty_service.published(today), "published"),
        else_="unpublished",
    )


def list_entry_state(today: dt.date) -> sa.ColumnElement[str]:
    """A list entry's publication state on `today`, as SQL: expired and removed entries have ended."""
    return sa.case(
        (ListEntry.status == "revoked", "revoked"),
        (ListEntry.status == "repaired", "repaired"),
        (ListEntry.is_public.is_(False), "not_public"),
        (sa.or_(ListEntry.status == "removed", ListEntry.expires_on < today), "ended"),
        (entry_service.published(today), "published"),
        else_="unpublished",
    )


def _states_of(session: Session, model: type[Penalty] | type[ListEntry], state: sa.ColumnElement[str],
               ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(sa.select(model.id, state).where(model.id.in_(ids))).all())


def state_counts(session: Session, model: type[Penalty] | type[ListEntry], state: sa.ColumnElement[str],
                 authority_id: int | None) -> dict[str, int]:
    """How many records of `model` are in each publication state."""
    inner = sa.select(state.label("state"))
    if authority_id is not None:
        inner = inner.where(model.authority_id == authority_id)
    # Grouped over a subquery: PostgreSQL cannot match a CASE with bound dates in GROUP BY to the select list.
    sub = inner.subquery()
    counts = dict.fromkeys(PUBLICATION_STATES, 0)
    for name, count in session.execute(sa.select(sub.c.state, sa.func.count()).group_by(sub.c.state)):
        counts[name] = count
    return counts


# --- reading the lists -------------------------------------------------------------------------


@dataclass
class Listing:
    """One page of an authority's records, each with its publication state."""

    page: Page[Any]
    states: dict[int, str]
    subjects: dict[int, str] = field(default_factory=dict)
    authorities: dict[int, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(math.ceil(self.page.total / self.page.per_page), 1)


def penalty_page(session: Session, today: dt.date, authority_id: int | None, filters: dict[str, Any],
                 state: str | None, page: int) -> Listing:
    """An authority's penalties (every authority's for None), newest decision first."""
    stmt = sa.select(Penalty).order_by(Penalty.decided_on.desc(), Penalty.id.desc())
    if authority_id is not None:
        stmt = stmt.where(Penalty.authority_id == authority_id)
    if filters.get("domain"):
        stmt = stmt.where(Penalty.domain == filters["domain"])
    if filters.get("decided_from"):
        stmt = stmt.where(Penalty.decided_on >= filters["decided_from"])
    if filters.get("decided_to"):
        stmt = stmt.where(Penalty.decided_on <= filters["decided_to"])
    if state:
        stmt = stmt.where(penalty_state(today) == state)
    found = paginate(session, stmt, page, PER_PAGE)
    ids = [p.id for p in found.items]
    return Listing(found, _states_of(session, Penalty, penalty_state(today), ids),
                   authorities=authority_names(session, (p.authority_id for p in found.items)))


def list_entry_page(session: Session, today: dt.date, authority_id: int | None, filters: dict[str, Any],
                    state: str | None, page: int) -> Listing:
    """An authority's list entries (every authority's for None), newest listing first."""
    stmt = sa.select(ListEntry).order_by(ListEntry.listed_on.desc(), ListEntry.id.desc())
    if authority_id is not None:
        stmt = stmt.where(ListEntry.authority_id == authority_id)
    if filters.get("domain"):
        stmt = stmt.where(ListEntry.id.in_(
            sa.select(ListEntryDomain.list_entry_id)
            .where(ListEntryDomain.domain == filters["domain"])))
    if filters.get("list_type"):
        stmt = stmt.where(ListEntry.list_type == filters["list_type"])
    if filters.get("listed_from"):
        stmt = stmt.where(ListEntry.listed_on >= filters["listed_from"])
    if filters.get("listed_to"):
        stmt = stmt.where(ListEntry.listed_on <= filters["listed_to"])
    if state:
        stmt = stmt.where(list_entry_state(today) == state)
    found = paginate(session, stmt, page, PER_PAGE)
    ids = [e.id for e in found.items]
    return Listing(found, _states_of(session, ListEntry, list_entry_state(today), ids),
                   subjects=entity_names(session, (e.entity_id for e in found.items)),
                   authorities=authority_names(session, (e.authority_id for e in found.items)))


def entity_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(session.execute(sa.select(Entity.id, Entity.name).where(Entity.id.in_(wanted))).all())


# --- disclosure deadlines (公开时效) ------------------------------------------------------------


@dataclass
class Disclosure:
    """公开时效 as of today: the report's overdue records and the records it counts as pending."""

    date_from: dt.date
    date_to: dt.date
    overdue: list[OverdueRecord]
    pending: list[PendingRecord]
    provisional: bool


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The longest period a report covers, ending today: every record still in any publication period."""
    return add_months(today, -MAX_PERIOD_MONTHS) + dt.timedelta(days=1), today


def disclosure(session: Session, actor: Actor, rules: Rules, today: dt.date, authority_id: int | None,
               date_from: dt.date, date_to: dt.date) -> Disclosure:
    """The records overdue for disclosure (the timeliness report's) and those due but not yet
    late, for records decided in the period."""
    report = timeliness_report(session, actor, rules, today=today, date_from=date_from, date_to=date_to,
                               authority_id=authority_id)
    pending = pending_records(session, actor, rules, today=today, date_from=date_from, date_to=date_to,
                              authority_id=authority_id)
    provisional = report.total.provisional or any(p.provisional for p in pending)
    return Disclosure(date_from, date_to, report.overdue, pending, provisional)


# --- a record and its history ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    """One audit row as a person reads it: who, when, what, why."""

    seq: int
    at: str
    actor: str
    role: str
    action: str
    reason: str | None
    changes: list[Change]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def history_value(key: str, value: Any, record_type: str) -> str:
    """A value as an audit snapshot stores it (codes, ISO dates), in the words the pages use."""
    vocabulary: dict[str, str] | None = {
        "status": PENALTY_STATES if record_type == "penalty" else LIST_ENTRY_STATES,
        "severity": SEVERITIES, "publication_tier": SEVERITIES, "procedure": PROCEDURES, "domain": DOMAINS,
        "domains": DOMAINS,
        "list_type": LIST_TYPES,
    }.get(key)
    if vocabulary is not None:
        values = value if isinstance(value, list) else [value]
        return shown([vocabulary.get(v, v) for v in values if v is not None])
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return cn_date(dt.date.fromisoformat(value))
    if isinstance(value, str) and _ISO_DATE.match(value) and "T" in value:
        return beijing(value)
    return shown(value)


def history_rows(rows: Sequence[AuditLog], record_type: str) -> list[HistoryRow]:
    """A record's audit rows with the fields each changed (before → after), oldest first."""
    labels = HISTORY_LABELS[record_type]
    shown_rows = []
    for row in rows:
        before, after = row.before or {}, row.after or {}
        changes = []
        if row.before is not None:
            for key in after:
                if key not in ("version", "id") and before.get(key) != after.get(key):
                    changes.append(Change(labels.get(key, key), history_value(key, before.get(key), record_type),
                                          history_value(key, after.get(key), record_type)))
        shown_rows.append(HistoryRow(row.seq, beijing(row.at), row.actor_name, ROLE_NAMES.get(row.actor_role, row.actor_role),
                                     ACTIONS.get(row.action, row.action), row.reason, changes))
    return shown_rows


def penalty_rows(penalty: Penalty, entity: Entity, authority: Authority, source: Authority) -> list[tuple[str, str]]:
    """Every 双公示 field of a penalty under its standard header; personal ID numbers masked only."""
    from_elsewhere: dict[str, Any] = {
        "subject_kind": ENTITY_KINDS.get(entity.kind, entity.kind),
        # Only the masked forms are ever read: the full numbers stay encrypted.
        "legal_rep_id_number": entity.legal_rep_id_masked,
        "id_number": entity.id_number_masked,
        "authority_name": authority.name,
        "authority_uscc": authority.uscc,
        "data_source_name": source.name,
        "data_source_uscc": source.uscc,
    }
    rows = []
    for f in PENALTY_FIELDS:
        if f.source == "penalty":
            value = getattr(penalty, f.name)
        elif f.name in from_elsewhere:
            value = from_elsewhere[f.name]
        else:
            value = getattr(entity, f.name)
        rows.append((f.header, shown(value)))
    return rows
