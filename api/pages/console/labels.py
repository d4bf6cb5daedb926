"""How the supervisor console (监管工作台) says things: the labels of fields, states and actions, dates
in Chinese and Beijing time, values as a person reads them, a penalty's 双公示 fields under their
standard headers, and a record's history row by row.

Only words and formats: what the console reads is `registry.records.console_queries`. Personal ID
numbers are read only in their stored masked form (`*_masked`), never decrypted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from api.pages.auth import ROLE_NAMES
from registry.models import AuditLog, Authority, Entity, Penalty
from registry.records.penalty_fields import PENALTY_FIELDS
from registry.vocab import DOMAINS, ENTITY_KINDS, LIST_ENTRY_STATES, LIST_TYPES, PENALTY_STATES, PROCEDURES, SEVERITIES

BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")  # China keeps no daylight saving time

STATE_MEANINGS = {
    "published": "公众今天可以看到",
    "unpublished": "依规应公示，但公示尚未开始",
    "ended": "行政处罚已过公示截止期；名单已到期或已移出",
    "repaired": "已信用修复，停止公示，记录保留",
    "revoked": "决定已撤销，停止公示，记录保留",
    "not_public": "经保密审查不公开，或轻微处罚依规不公示",
}
ACTIONS = {
    "create": "登记",
    "correct": "更正",
    "revoke": "撤销",
    "remove": "移出",
    "repair": "信用修复",
    "recompute": "按新规则或日历重算",
    "update": "修改",
    "submit": "提交申请",
    "accept": "受理",
    "reject": "不予修复",
    "complete": "修复完成",
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
    "entity_id": "主体编号",
    "subject_name": "行政相对人名称",
    "subject_uscc": "统一社会信用代码",
    "authority_id": "机关编号",
    "data_source_authority_id": "数据来源单位编号",
    "rule_set": "公示规则",
    "publication_tier": "公示档次",
    "publishable": "依规公示",
    "publication_note": "公示说明",
    "publication_end_as_given": "公示截止期按来源数据保留",
    "publication_starts_on": "公示起始日",
    "publication_end_chosen": "公示截止期由机关确定",
    "repair_from": "可申请信用修复日",
    "repaired_on": "信用修复日",
    "publication_due_on": "应公开日期",
    "due_provisional": "应公开日期含推定日历",
    "first_published_at": "首次公开时间",
    "status": "状态",
    "status_changed_on": "状态变更日",
    "status_reason": "状态变更理由",
    "revoked_on": "撤销日期",
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
        "severity": SEVERITIES,
        "publication_tier": SEVERITIES,
        "procedure": PROCEDURES,
        "domain": DOMAINS,
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
                    changes.append(
                        Change(
                            labels.get(key, key),
                            history_value(key, before.get(key), record_type),
                            history_value(key, after.get(key), record_type),
                        )
                    )
        shown_rows.append(
            HistoryRow(
                row.seq,
                beijing(row.at),
                row.actor_name,
                ROLE_NAMES.get(row.actor_role, row.actor_role),
                ACTIONS.get(row.action, row.action),
                row.reason,
                changes,
            )
        )
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
