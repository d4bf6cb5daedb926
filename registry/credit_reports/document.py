"""What a 专项信用报告 says (发改财金〔2025〕565号, 信用代证): the entity's 行政处罚 (简易程序 included)
and its list entries for the period and domains asked, each labelled, and in words "无…记录" for
each category that has none.

Two audiences. The public (`public`) gets the published records only (what `/search` shows: within
the publication period, public, not repaired). A registered caller (`full`: an agency, a
supervisor, the platform, an administrator) gets every record of the period that was not revoked:
within or past its publication period, labelled so; a repaired one labelled 已修复 with its
number, authority and dates but no content, as the repair rules require (信用修复后不再公示); one
kept unpublished (保密审查) by another authority with no content either.

A report lists what this registry holds. It does not hold 行政强制 decisions or 刑事裁判 (犯罪记录),
which 发改财金〔2025〕565号 also asks a report to cover, and says so rather than certifying their
absence. Licences (行政许可) of the period are listed too, with their state:
they are not sanctions, and the conclusion counts them apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.ledger import Actor
from registry.models import Entity, Licence, ListEntry, Penalty
from registry.records import licences as licence_records
from registry.records import list_entries as entry_records
from registry.records import penalties as penalty_records
from registry.vocab import DOMAINS, ENTITY_KINDS, LIST_ENTRY_STATES, LIST_TYPES, PROCEDURES, SEVERITIES

FORMAT = "credit-report/1"
PURPOSES = {
    "bidding": "招标投标",
    "procurement": "政府采购",
    "approval": "行政审批",
    "financing": "融资",
    "other": "其他",
}
# 发改财金〔2025〕565号 (一): a report covers at least 行政处罚 (简易程序 included), 行政强制, 严重失信
# 主体名单 and 刑事裁判 (犯罪记录). This registry holds the first and the third only.
NO_COERCION = "本登记簿不归集行政强制信息，本报告不证明该主体无行政强制记录，请向作出决定的机关或信用中国核实。"
NO_CRIMINAL = "本登记簿不归集刑事裁判（犯罪记录）信息，本报告不证明该主体无犯罪记录，请向公安机关或信用中国核实。"


def _domains_clause(column: Any, domains: list[str]) -> sa.ColumnElement[bool]:
    return column.in_(domains) if domains else sa.true()


def _penalty_state(p: Penalty, today: dt.date) -> str:
    if p.repaired_on is not None:
        return "已修复"
    if not p.is_public or not p.publishable:
        return "不予公示"
    if p.publication_ends_on is not None and p.publication_ends_on < today:
        return "已过公示期"
    return "公示中"


def _penalty_item(p: Penalty, today: dt.date, actor: Actor) -> dict[str, Any]:
    state = _penalty_state(p, today)
    item: dict[str, Any] = {
        "decision_number": p.decision_number,
        "authority": p.authority.name,
        "decided_on": p.decided_on.isoformat(),
        "procedure": PROCEDURES.get(p.procedure or "", "未注明"),
        "domain": DOMAINS.get(p.domain, p.domain),
        "state": state,
    }
    if state == "已修复":
        item["repaired_on"] = p.repaired_on.isoformat() if p.repaired_on else None
        return item  # 信用修复后不再公示: the number, authority and dates only
    own = actor.role in ("admin", "platform") or actor.authority_id == p.authority_id
    if state == "不予公示" and not own:
        return item  # kept unpublished by its authority: that it exists, not what it says
    item.update(
        violation_type=p.violation_type,
        categories=list(p.categories),
        content=p.content,
        fine_amount=str(p.fine_amount) if p.fine_amount is not None else None,
        severity=SEVERITIES.get(p.severity, p.severity),
        publication_ends_on=p.publication_ends_on.isoformat() if p.publication_ends_on else None,
    )
    return item


def _entry_state(e: ListEntry, today: dt.date) -> str:
    if e.status == "repaired":
        return "已修复"
    if e.status == "active" and e.expires_on is not None and e.expires_on < today:
        return "已到期"
    return LIST_ENTRY_STATES.get(e.status, e.status)


def _entry_item(e: ListEntry, today: dt.date) -> dict[str, Any]:
    state = _entry_state(e, today)
    item: dict[str, Any] = {
        "list_name": e.list_name,
        "list_type": LIST_TYPES.get(e.list_type, e.list_type),
        "decision_number": e.decision_number,
        "authority": e.authority.name,
        "listed_on": e.listed_on.isoformat(),
        "expires_on": e.expires_on.isoformat() if e.expires_on else None,
        "state": state,
    }
    if state != "已修复":  # 信用修复后不再公示: the list and dates only
        item.update(reason_category=e.reason_category, facts=e.facts)
    return item


def _licence_item(licence: Licence, today: dt.date) -> dict[str, Any]:
    return {
        "decision_document_name": licence.decision_document_name,
        "decision_number": licence.decision_number,
        "licence_category": licence.licence_category,
        "licence_name": licence.licence_name,
        "licence_number": licence.licence_number,
        "authority": licence.authority.name,
        "decided_on": licence.decided_on.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_to": licence.valid_to.isoformat() if licence.valid_to else None,
        "state": licence_records.STATES[licence.status_on(today)],
    }


def build_document(
    session: Session,
    entity: Entity,
    request: dict[str, Any],
    *,
    audience: str,
    actor: Actor,
    today: dt.date,
) -> dict[str, Any]:
    """The report's content (without its number, time and issuer: the service adds them)."""
    start, end = request["from"], request["to"]
    domains: list[str] = sorted(request.get("domains") or [])
    penalties_stmt = sa.select(Penalty).where(
        Penalty.entity_id == entity.id,
        Penalty.status == "effective",  # a revoked decision (撤销) is no record of the entity
        Penalty.decided_on.between(start, end),
        _domains_clause(Penalty.domain, domains),
    )
    entries_stmt = sa.select(ListEntry).where(
        ListEntry.entity_id == entity.id,
        ListEntry.status != "revoked",
        ListEntry.listed_on <= end,
        sa.or_(ListEntry.expires_on.is_(None), ListEntry.expires_on >= start),
    )
    licences_stmt = sa.select(Licence).where(Licence.entity_id == entity.id, Licence.decided_on.between(start, end))
    if audience == "public":
        penalties_stmt = penalties_stmt.where(penalty_records.published(today))
        entries_stmt = entries_stmt.where(entry_records.published(today))
        licences_stmt = licences_stmt.where(licence_records.published(today))
    licences = [
        _licence_item(x, today) for x in session.scalars(licences_stmt.order_by(Licence.decided_on, Licence.id))
    ]
    penalties = [
        _penalty_item(p, today, actor) for p in session.scalars(penalties_stmt.order_by(Penalty.decided_on, Penalty.id))
    ]
    entries = [
        _entry_item(e, today)
        for e in session.scalars(entries_stmt.order_by(ListEntry.listed_on, ListEntry.id))
        if not domains or set(e.domains) & set(domains)
    ]
    black = [e for e in entries if e["list_type"] == LIST_TYPES["black"]]
    statements = [
        f"报告期内有行政处罚记录 {len(penalties)} 条。" if penalties else "报告期内无行政处罚记录。",
        f"报告期内有列入严重失信主体名单（黑名单）记录 {len(black)} 条。"
        if black
        else "报告期内无列入严重失信主体名单（黑名单）记录。",
        NO_COERCION,
        NO_CRIMINAL,
        f"报告期内有行政许可记录 {len(licences)} 条（行政许可不是失信记录）。"
        if licences
        else "报告期内无行政许可记录。",
    ]
    return {
        "format": FORMAT,
        "audience": audience,
        "purpose": request["purpose"],
        "purpose_name": PURPOSES[request["purpose"]],
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "domains": [DOMAINS[d] for d in domains] or ["全部领域"],
        "subject": {
            "entity_id": entity.id,
            "name": entity.name,
            "uscc": entity.uscc,
            "kind": ENTITY_KINDS.get(entity.kind, entity.kind),
        },
        "penalties": penalties,
        "list_entries": entries,
        "licences": licences,
        "statements": statements,
    }
