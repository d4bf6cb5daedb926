"""How the supervisor console (监管工作台) says things: the labels of fields, states and actions, dates
in Chinese and Beijing time, values as a person reads them, a penalty's 双公示 fields under their
standard headers, and a record's history row by row.

Only words and formats: what the console reads is `registry.records.console_queries`. Personal ID
numbers are read only in their stored masked form (`*_masked`), never decrypted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from api.pages.auth import ROLE_NAMES
from registry.catalogue import Catalogue
from registry.codes.idnumber import ID_TYPES
from registry.models import AuditLog, Authority, Entity, Penalty
from registry.records.licences import STATES as LICENCE_STATES
from registry.records.penalty_fields import PENALTY_FIELDS
from registry.vocab import (
    DOMAINS,
    ENTITY_KINDS,
    LIST_ENTRY_STATES,
    LIST_TYPES,
    NAME_KINDS,
    PENALTY_STATES,
    PROCEDURES,
    RECORD_TYPES,
    REPAIR_STATES,
    RESPONSIBLE_ROLES,
    SEVERITIES,
)

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
    "revoked": "撤销",  # a licence's ending, named by the state it leaves (registry.records.licences)
    "cancelled": "注销",
    "remove": "移出",
    "repair": "信用修复",
    "recompute": "按新规则或日历重算",
    "update": "修改",
    "submit": "提交申请",
    "accept": "受理",
    "reject": "不予修复",
    "complete": "修复完成",
    "rename": "更名",
    "add_name": "增加曾用名或别名",
    "remove_name": "删除曾用名或别名",
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
# 行政许可's fields under the 双公示 standard's headers.
LICENCE_LABELS = {
    "subject": "行政相对人（统一社会信用代码或登记主体编号）",
    "authority_id": "许可机关",
    "data_source_authority_id": "数据来源单位",
    "decision_document_name": "行政许可决定文书名称",
    "decision_number": "行政许可决定文书号",
    "licence_category": "许可类别",
    "licence_name": "许可证书名称",
    "licence_number": "许可编号",
    "content": "许可内容",
    "decided_on": "许可决定日期",
    "valid_from": "有效期自",
    "valid_to": "有效期至",
    "remarks": "备注",
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
ENTITY_LABELS = {
    "kind": "主体类别",
    "name": "现用名称",
    "name_since": "现用名称启用日期",
    "uscc": "统一社会信用代码",
    "region_code": "行政区划代码",
    "business_registration_no": "工商注册号",
    "organization_code": "组织机构代码",
    "tax_registration_no": "税务登记号",
    "institution_certificate_no": "事业单位证书号",
    "social_org_registration_no": "社会组织登记证号",
    "legal_representative": "法定代表人",
    "legal_rep_id_type": "法定代表人证件类型",
    "legal_rep_id_number": "法定代表人证件号码",
    "legal_rep_id_masked": "法定代表人证件号码",
    "id_type": "证件类型（自然人）",
    "id_number": "证件号码（自然人）",
    "id_number_masked": "证件号码（自然人）",
    "names": "名称（现用名、曾用名、别名）",
    "former_names": "曾用名",
    "aliases": "别名",
}
REPAIR_LABELS = {
    "record_type": "记录类型",
    "record_id": "记录编号",
    "statement": "修复申请说明",
    "commitment": "信用承诺",
    "attachments": "材料",
    "status": "状态",
    "submitted_on": "提交日期",
    "submitted_by": "提交人",
    "accept_by": "受理期限",
    "decide_by": "决定期限",
    "platform_answer_by": "信用平台答复期限",
    "due_provisional": "期限含推定日历",
    "accepted_on": "受理日期",
    "decided_on": "决定日期",
    "decided_by": "决定人",
    "decision_reason": "决定理由",
}
HISTORY_LABELS = {
    "penalty": {**PENALTY_LABELS, **_DERIVED_LABELS, "responsible_persons": "失信相关人"},
    "list_entry": {**LIST_ENTRY_LABELS, **_DERIVED_LABELS, "responsible_persons": "失信相关人"},
    "licence": {**LICENCE_LABELS, **_DERIVED_LABELS, "status": "当前状态"},
    "entity": {**ENTITY_LABELS, "entity_id": "主体编号"},
    "repair_application": {**REPAIR_LABELS, "entity_id": "主体编号", "authority_id": "机关编号"},
}


def rule_set_names(catalogue: Catalogue) -> dict[str, str]:
    """Each publication rule set's code (ndrc-order-36) as a person names it: its document
    (国家发展改革委令第36号), from the catalogue in force."""
    return {rule_set.code: rule_set.document for rule_set in catalogue.rule_sets}


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


_ACTOR_LABEL = re.compile(r"^(?P<name>.*) \((?P<role>[a-z_]+)(?: key (?P<key>\d+)|, account (?P<account>\d+))?\)$")


def who(label: str | None) -> str:
    """Who a record's row names as the ledger labels them, in words: a key holder ("财政厅 (supervisor
    key 2)": 财政厅（监管部门，密钥 2）) or a person ("张三 (supervisor, account 12)": 张三（监管部门，账户 12）)."""
    if not label:
        return "—"
    found = _ACTOR_LABEL.match(label)
    if found is None:
        return label
    role = {**ROLE_NAMES, "system": "系统"}.get(found["role"], found["role"])
    key = f"，密钥 {found['key']}" if found["key"] else f"，账户 {found['account']}" if found["account"] else ""
    return f"{found['name']}（{role}{key}）"


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


def _vocabulary(key: str, record_type: str, rule_sets: Mapping[str, str]) -> Mapping[str, str] | None:
    """The label table for a snapshot's coded field, if it is one."""
    statuses = {
        "penalty": PENALTY_STATES,
        "list_entry": LIST_ENTRY_STATES,
        "licence": LICENCE_STATES,
        "repair_application": REPAIR_STATES,
    }
    return {
        "status": statuses.get(record_type),
        "severity": SEVERITIES,
        "publication_tier": SEVERITIES,
        "procedure": PROCEDURES,
        "domain": DOMAINS,
        "domains": DOMAINS,
        "list_type": LIST_TYPES,
        "kind": ENTITY_KINDS,
        "id_type": ID_TYPES,
        "legal_rep_id_type": ID_TYPES,
        "record_type": RECORD_TYPES,
        "rule_set": rule_sets,
    }.get(key)


def _item(key: str, item: Mapping[str, Any]) -> str:
    """One element of a snapshot's list of objects (a person, a name, an attachment) in words."""
    if key == "responsible_persons":
        role = RESPONSIBLE_ROLES.get(str(item.get("role")), str(item.get("role")))
        masked = item.get("id_number_masked")
        return f"{role} {item.get('name', '')}" + (f"（{masked}）" if masked else "")
    if key == "names":
        kind = NAME_KINDS.get(str(item.get("kind")), str(item.get("kind")))
        since, until = item.get("valid_from"), item.get("valid_to")
        dates = "至".join(history_value("", d, "") if d else "" for d in (since, until)) if since or until else ""
        return f"{kind} {item.get('name', '')}" + (f"（{dates}）" if dates else "")
    if key == "attachments":
        return f"{item.get('name', '')}：{item.get('ref', '')}"
    return "；".join(f"{k}：{shown(v)}" for k, v in item.items())


def history_value(key: str, value: Any, record_type: str, rule_sets: Mapping[str, str] | None = None) -> str:
    """A value as an audit snapshot stores it (codes, ISO dates), in the words the pages use."""
    vocabulary = _vocabulary(key, record_type, rule_sets or {})
    if key in ("submitted_by", "decided_by") and isinstance(value, str):
        return who(value)
    if vocabulary is not None:
        values = value if isinstance(value, list) else [value]
        return shown([vocabulary.get(v, v) for v in values if v is not None])
    if isinstance(value, list) and any(isinstance(v, Mapping) for v in value):
        return shown([_item(key, v) if isinstance(v, Mapping) else shown(v) for v in value])
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return cn_date(dt.date.fromisoformat(value))
    if isinstance(value, str) and _ISO_DATE.match(value) and "T" in value:
        return beijing(value)
    return shown(value)


def history_rows(
    rows: Sequence[AuditLog], record_type: str, rule_sets: Mapping[str, str] | None = None
) -> list[HistoryRow]:
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
                            history_value(key, before.get(key), record_type, rule_sets),
                            history_value(key, after.get(key), record_type, rule_sets),
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
        "legal_rep_id_type": ID_TYPES.get(entity.legal_rep_id_type or "", entity.legal_rep_id_type),
        "id_type": ID_TYPES.get(entity.id_type or "", entity.id_type),
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
