"""What the console's changes of a record share (更正, 撤销, 移出, 信用修复): the version the form was
drawn from (the hidden field standing in for If-Match), the record's values as a form holds them,
what the person changed since that version, and, when someone else changed the record meanwhile,
the answer in words: who changed it, when, what, and the values it holds now (never a bare 412).

The version check itself is the services' (`check_version`, StaleVersion): a page only draws the
form from a version and, when the service refuses it, reads the record's history to say why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import abort, request

from api.pages.console.common import as_api, current_actor
from api.pages.console.labels import HistoryRow, history_rows, history_value, rule_set_names
from registry.access import require_authority
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER
from registry.errors import NotPermitted
from registry.ledger import Actor
from registry.models import AuditLog, Entity
from registry.records.history import changes_after, record_history, state_at
from registry.runtime import current_runtime

AMOUNTS = ("fine_amount", "confiscation_amount")


def form_version() -> int:
    """The version the form was drawn from (its hidden field)."""
    version = request.form.get("version", "")
    if not version.isdigit() or len(version) > 9:
        abort(400, description="表单缺少记录的版本号，请刷新页面后重新操作。")
    return int(version)


def require_own(actor: Actor, authority_id: int) -> None:
    """Only the deciding authority changes its records (谁批准、谁公开): a Chinese 403 page otherwise."""
    try:
        require_authority(actor, authority_id)
    except NotPermitted:
        abort(
            403,
            description="这条记录属于其他机关。监管工作台只能更正、撤销或变更本机关作出的记录（谁批准、谁公开）。",
        )


def subject_text(entity: Entity) -> str:
    """How a form names a record's subject: its 统一社会信用代码, or its registered number (主体编号)
    when it has no code of its own (a natural person, a 个体工商户 under the shared placeholder)."""
    code = entity.uscc or ""
    return code if len(code) == 18 and code != INDIVIDUAL_BUSINESS_PLACEHOLDER else str(entity.id)


def as_form(name: str, value: Any) -> Any:
    """A snapshot's value (codes, ISO dates, amounts as text) as a form field holds it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return [str(v) for v in value]
    if name in AMOUNTS:
        try:
            return f"{Decimal(str(value)).normalize():f}"
        except InvalidOperation:
            return str(value)
    return str(value)


def _listed(value: Any) -> list[str]:
    if isinstance(value, list):
        return sorted(str(v) for v in value if str(v).strip())
    return [str(value)] if value else []


def same(typed: Any, held: Any) -> bool:
    """Whether what the form now holds is what it was drawn with (checkboxes in any order)."""
    if isinstance(typed, list) or isinstance(held, list):
        return _listed(typed) == _listed(held)
    return (typed or "") == (held or "")


@dataclass(frozen=True)
class Baseline:
    """The record as the form was drawn from it (at `version`) and as it is now, with the audit rows
    of the changes made in between (none when the version is still the record's)."""

    version: int
    read: dict[str, Any]
    now: dict[str, Any]
    since: list[AuditLog]

    @property
    def current(self) -> int:
        value = self.now.get("version")
        return value if isinstance(value, int) else self.version


def baseline(record_type: str, record: Any, version: int) -> Baseline:
    """The record at the version the form carries: its audit snapshot at that version when it has
    moved on since (the record as it is now when none was kept)."""
    now = record.snapshot()
    if record.version == version:
        return Baseline(version, now, now, [])
    rows = as_api(record_history, current_actor(), record_type, record.id)
    return Baseline(version, state_at(rows, version) or now, now, changes_after(rows, version))


@dataclass(frozen=True)
class FieldChange:
    """One field someone else changed: as the form was drawn, as it is now, and what the person
    typed in it when they changed it too (None: they left it as it was)."""

    label: str
    read: str
    now: str
    yours: str | None


@dataclass(frozen=True)
class StaleNotice:
    """The answer to a stale change, in words: the headline, the changes made meanwhile (who, when,
    what, why), the fields they touched, and the version the form now carries."""

    headline: str
    rows: list[HistoryRow]
    fields: list[FieldChange]
    read_version: int
    version: int


def _as_value(typed: Any) -> Any:
    """A form's typed value as a snapshot would hold it, for saying it in words (a choice of 是/否)."""
    return {"true": True, "false": False}.get(typed, typed) if isinstance(typed, str) else typed


def _headline(rows: list[HistoryRow], base: Baseline, what: str) -> str:
    versions = f"您打开表单时它是第 {base.version} 版，现在是第 {base.current} 版。"
    if not rows:
        return f"此记录在您打开表单之后已被修改，您的{what}没有执行。{versions}"
    last = rows[-1]
    more = f"（其间共修改 {len(rows)} 次）" if len(rows) > 1 else ""
    return f"他人已于{last.at}修改了此记录（{last.actor}：{last.action}）{more}，您的{what}没有执行。{versions}"


def stale_notice(
    record_type: str, base: Baseline, what: str, labels: Mapping[str, str], yours: Mapping[str, Any]
) -> StaleNotice:
    """Why a change was refused as stale: the changes since the form's version, and for each form
    field (`labels`, keyed by snapshot field) someone changed, its value then and now and what the
    person typed in it (`yours`: the fields they changed, as typed)."""
    rule_sets = rule_set_names(current_runtime().catalogue)
    rows = history_rows(base.since, record_type, rule_sets)

    def words(key: str, value: Any) -> str:
        return history_value(key, value, record_type, rule_sets)

    fields = [
        FieldChange(
            label,
            words(key, base.read.get(key)),
            words(key, base.now.get(key)),
            words(key, _as_value(yours[key])) if key in yours else None,
        )
        for key, label in labels.items()
        if base.read.get(key) != base.now.get(key)
    ]
    return StaleNotice(_headline(rows, base, what), rows, fields, base.version, base.current)
