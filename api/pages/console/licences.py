"""行政许可 in the console: the authority's licences listed and searched, one licence with its subject
and history, recorded, corrected (更正) and ended (撤销 / 注销), all through the API's schemas
(`LicenceFilter`, `LicenceIn`, `LicenceCorrection`, `LicenceEnd`) and service
(`registry.records.licences`), with the list, form, correction and transition helpers the penalty
pages use. A licence is not a sanction: it has no publication period or repair, only 当前状态
(有效, 已过期 read from 有效期至, 已撤销, 已注销) and its disclosure deadline (公开时效).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING, Any

from flask.typing import ResponseReturnValue

from api.lifecycle import now, today
from api.pages.auth import login_required
from api.pages.console import bp
from api.pages.console.common import as_api, current_actor, list_page, render
from api.pages.console.corrections import Corrected, correction
from api.pages.console.forms import NewRecord, record_form
from api.pages.console.labels import LICENCE_LABELS, cn_date, history_rows, rule_set_names, shown
from api.pages.console.records import SEARCH
from api.pages.console.transitions import Move, move_page
from api.schemas.licences import LicenceCorrection, LicenceEnd, LicenceFilter, LicenceIn
from registry.ledger import Actor
from registry.models import Authority, Entity, Licence
from registry.records import licences as licence_service
from registry.records.authorities import get_authority
from registry.records.console_queries import licence_page, record_scope
from registry.records.entities import get_entity
from registry.records.history import record_history
from registry.runtime import current_rules, current_runtime

if TYPE_CHECKING:  # the type only: pages read through the services
    from sqlalchemy.orm import Session

LICENCE_FILTERS = dict(SEARCH)  # 主体名称, 统一社会信用代码, 文号: the API's name, uscc and decision_number


def licence_rows(
    licence: Licence, entity: Entity, authority: Authority, source: Authority, day: dt.date
) -> list[tuple[str, str]]:
    """Every 双公示 field of a licence under its standard header, in the standard's order."""
    labels = LICENCE_LABELS
    return [
        ("行政相对人名称", shown(licence.subject_name)),
        ("统一社会信用代码", shown(entity.uscc or licence.subject_uscc)),
        (labels["decision_document_name"], shown(licence.decision_document_name)),
        (labels["decision_number"], shown(licence.decision_number)),
        (labels["licence_category"], shown(licence.licence_category)),
        (labels["licence_name"], shown(licence.licence_name)),
        (labels["licence_number"], shown(licence.licence_number)),
        (labels["content"], shown(licence.content)),
        (labels["decided_on"], shown(licence.decided_on)),
        (labels["valid_from"], shown(licence.valid_from)),
        (labels["valid_to"], shown(licence.valid_to) if licence.valid_to else "长期"),
        (labels["authority_id"], shown(authority.name)),
        ("许可机关统一社会信用代码", shown(authority.uscc)),
        ("当前状态", licence_service.STATES.get(licence.status_on(day), licence.status)),
        (labels["data_source_authority_id"], shown(source.name)),
        ("数据来源单位统一社会信用代码", shown(source.uscc)),
        (labels["remarks"], shown(licence.remarks)),
    ]


@bp.get("/console/licences")
@login_required("supervisor")
def licences() -> ResponseReturnValue:
    """本机关的行政许可: newest decision first, searched by 主体名称, 代码, 文号 and 当前状态."""
    return list_page(
        "console/licences.html", "licences", LicenceFilter(), LICENCE_FILTERS, licence_page, licence_service.STATES
    )


def _licence_context(record: Licence, actor: Actor, day: dt.date) -> dict[str, Any]:
    """What the licence page shows beside the record, read in the API's order: the subject, the
    authorities, the history (403 when it is closed to the key)."""
    entity, authority = as_api(get_entity, record.entity_id, actor), as_api(get_authority, record.authority_id)
    source = as_api(get_authority, record.data_source_authority_id)
    rows = as_api(record_history, actor, "licence", record.id)
    return {
        "record": record,
        "entity": entity,
        "authority": authority,
        "rows": licence_rows(record, entity, authority, source, day),
        "state": record.status_on(day),
        "history": history_rows(rows, "licence", rule_set_names(current_runtime().catalogue)),
        "scope": record_scope(actor, authority),
        "today": day,
    }


@bp.get("/console/licences/<int:licence_id>")
@login_required("supervisor")
def licence(licence_id: int) -> ResponseReturnValue:
    """一条行政许可: every field, its subject, its history (own authority) and what may be done to it."""
    actor, day = current_actor(), today()
    record = as_api(licence_service.get_licence, licence_id, actor, day)
    return render("console/licence.html", section="licences", **_licence_context(record, actor, day))


# --- recording ------------------------------------------------------------------------------------


def _record_licence(session: Session, data: dict[str, Any], actor: Actor) -> Licence:
    return licence_service.record_licence(session, data, actor, today(), rules=current_rules(session), now=now())


def _recorded(licence: Licence) -> str:
    due = cn_date(licence.publication_due_on)
    return f"已登记行政许可 {licence.decision_number}（编号 {licence.id}），应于 {due} 前公开（公开时效）。"


NEW_LICENCE = NewRecord(
    "console/licence_form.html",
    "new_licence",
    LICENCE_LABELS,
    ("subject", *(n for n in LicenceIn._declared_fields if n != "entity_id")),
    LicenceIn,
    _record_licence,
    _recorded,
    "console.licence",
    "licence_id",
)


@bp.route("/console/licences/new", methods=["GET", "POST"])
@login_required("supervisor")
def new_licence() -> ResponseReturnValue:
    """登记行政许可: every field the API takes, checked by the API's schema and service."""
    return record_form(NEW_LICENCE)


# --- 更正, 撤销 and 注销 ---------------------------------------------------------------------------------


def _correct_licence(
    session: Session, licence_id: int, changes: dict[str, Any], reason: str, actor: Actor, version: int
) -> Licence:
    return licence_service.correct_licence(
        session, licence_id, changes, reason, actor, version, today(), rules=current_rules(session), now=now()
    )


CORRECT_LICENCE = Corrected(
    "licence",
    "行政许可",
    LicenceCorrection,
    {**LICENCE_LABELS, "reason": "更正理由"},
    "console/licence_form.html",
    "licences",
    "console.licence",
    "licence_id",
    licence_service.get_licence,
    _correct_licence,
)


def _ending(how: str, verb: str, explain: str) -> Move:
    """撤销 or 注销: the reason and the day (`status_changed_on`, today when not given), as the API's
    `LicenceEnd` reads them with `how` in place of its `status`."""

    def apply(
        session: Session, licence_id: int, reason: str, day: dt.date | None, actor: Actor, version: int, on: dt.date
    ) -> Licence:
        return licence_service.end_licence(session, licence_id, how, reason, day, actor, version, on)

    return Move(
        "licence",
        how,
        f"{verb}行政许可",
        verb,
        "status_changed_on",
        f"{verb}日期",
        explain,
        partial(LicenceEnd, exclude=("status",)),
        licence_service.get_licence,
        apply,
        "console.licence",
        "licence_id",
    )


REVOKE_LICENCE = _ending(
    "revoked",
    "撤销",
    "许可决定被撤销（如以欺骗、贿赂等不正当手段取得许可，或经行政复议、行政诉讼撤销）：当前状态改为已撤销，"
    "仍按“双公示”连同状态公开；记录和变更记录保留，不能再更正。",
)
CANCEL_LICENCE = _ending(
    "cancelled",
    "注销",
    "许可依法注销（如有效期届满未延续、主体终止、许可证件被吊销）：当前状态改为已注销，"
    "仍按“双公示”连同状态公开；记录和变更记录保留，不能再更正。",
)


@bp.route("/console/licences/<int:licence_id>/correct", methods=["GET", "POST"])
@login_required("supervisor")
def correct_licence(licence_id: int) -> ResponseReturnValue:
    """更正行政许可: the recorded fields with the reason, the version standing in for If-Match."""
    return correction(CORRECT_LICENCE, licence_id)


@bp.route("/console/licences/<int:licence_id>/revoke", methods=["GET", "POST"])
@login_required("supervisor")
def revoke_licence(licence_id: int) -> ResponseReturnValue:
    """撤销行政许可: the reason and the day; the licence stays published with its state."""
    return move_page(REVOKE_LICENCE, licence_id)


@bp.route("/console/licences/<int:licence_id>/cancel", methods=["GET", "POST"])
@login_required("supervisor")
def cancel_licence(licence_id: int) -> ResponseReturnValue:
    """注销行政许可: the reason and the day; the licence stays published with its state."""
    return move_page(CANCEL_LICENCE, licence_id)
