"""The checks a penalty (行政处罚) passes before it is recorded or corrected: required text, 处罚类别 from
行政处罚法 Art. 9, amounts in 万元 that match the categories, dates in order, publicity, the decision
number unique within the authority; resident ID numbers in the free text masked on the way in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.codes.idnumber import IdentityVault
from registry.database import MAX_AMOUNT_WAN, plain_amount
from registry.errors import Conflict, InvalidInput
from registry.messages import Text, msg
from registry.models import Penalty
from registry.publication import (
    Rules,
    default_severity,
)
from registry.records.authorities import decider_of, load_authority
from registry.records.record_rules import (
    check_not_future,
    check_order,
    check_publicity,
    load_subject,
    protect_free_text,
)
from registry.vocab import DOMAINS, PENALTY_CATEGORIES, PROCEDURES, SEVERITIES, terms

_REQUIRED_TEXT = ("decision_number", "violation_type", "facts", "basis", "content")
# Free text in which a resident ID number is masked on the way in (the decision number and the
# project code are identifiers that imports and filters match exactly: left as given).
FREE_TEXT = ("violation_type", "facts", "basis", "content", "licence_affected", "remarks", "not_public_reason")
_LICENCE_CATEGORIES = {"暂扣许可证件", "吊销许可证件"}
_CONFISCATION_CATEGORIES = {"没收违法所得", "没收非法财物"}


def validate_penalty(
    session: Session,
    state: dict[str, Any],
    today: dt.date,
    rules: Rules,
    vault: IdentityVault | None = None,
) -> None:
    """Check a penalty's full proposed state; the same rules for recording and correcting.

    失信程度 may be left out where the rule set in force says what it is (Order 36: a 简易程序
    decision, a 警告 or a 通报批评 is 轻微); a severity the authority records stands. Resident ID
    numbers in the free text are masked and kept encrypted (`protect_free_text`; the vault is the
    app's unless given)."""
    load_subject(session, state["entity_id"])
    load_authority(session, state["data_source_authority_id"], field="data_source_authority_id")
    for field in _REQUIRED_TEXT:
        state[field] = (state.get(field) or "").strip()
        if not state[field]:
            raise InvalidInput.field(field, "must not be empty")
    for field in ("licence_affected", "remarks", "project_code"):
        state[field] = (state.get(field) or "").strip() or None
    categories = list(dict.fromkeys(state.get("categories") or []))
    if not categories:
        raise InvalidInput.field("categories", "name at least one 处罚类别")
    unknown = [c for c in categories if c not in PENALTY_CATEGORIES]
    if unknown:
        raise InvalidInput.field(
            "categories",
            msg(
                "{unknown} not in 行政处罚法 Art. 9: {values}",
                unknown=", ".join(unknown),
                values=", ".join(PENALTY_CATEGORIES),
            ),
        )
    state["categories"] = categories
    if state.get("procedure") is not None and state["procedure"] not in PROCEDURES:
        raise InvalidInput.field("procedure", msg("must be one of {values}", values=terms(PROCEDURES)))
    check_not_future(state["decided_on"], "decided_on", today)
    if not state.get("severity"):
        state["severity"] = default_severity(
            rules.catalogue,
            decided_on=state["decided_on"],
            procedure=state.get("procedure"),
            categories=categories,
            decider=decider_of(session, state["authority_id"]),
        )
        if state["severity"] is None:
            raise InvalidInput.field(
                "severity",
                "give the 失信程度 (general or serious): only a 简易程序 decision, a 警告 or a 通报批评 is taken as minor",
            )
    if state.get("severity") not in SEVERITIES:
        raise InvalidInput.field("severity", msg("must be one of {values}", values=terms(SEVERITIES)))
    if state.get("domain") not in DOMAINS:
        raise InvalidInput.field("domain", msg("must be one of {values}", values=terms(DOMAINS)))
    _check_amount(state, "fine_amount", "罚款" in categories, "罚款")
    _check_amount(
        state,
        "confiscation_amount",
        bool(_CONFISCATION_CATEGORIES & set(categories)),
        msg("没收违法所得 or 没收非法财物"),
    )
    if _LICENCE_CATEGORIES & set(categories) and not state["licence_affected"]:
        raise InvalidInput.field("licence_affected", "暂扣 or 吊销 names the licence and its number")
    check_order(state["decided_on"], state.get("valid_until"), "valid_until", "decided_on")
    check_order(state["decided_on"], state.get("publication_ends_on"), "publication_ends_on", "decided_on")
    check_publicity(state)
    protect_free_text(state, FREE_TEXT, vault)


def _check_amount(state: dict[str, Any], field: str, expected: bool, category: Text) -> None:
    amount: Decimal | None = state.get(field)
    if amount is not None:
        if amount < 0:
            raise InvalidInput.field(field, "must not be negative")
        if amount.as_tuple().exponent < -6:  # type: ignore[operator]
            raise InvalidInput.field(field, "is in 万元 with at most 6 decimals (one fen)")
        if amount > MAX_AMOUNT_WAN:
            raise InvalidInput.field(field, msg("is in 万元 and must not exceed {most}", most=str(MAX_AMOUNT_WAN)))
        # The form the column reads back, so that 0.50 and 0.5 are one amount (and no change).
        state[field] = plain_amount(amount)
    if expected and not amount:
        raise InvalidInput.field(field, msg("处罚类别 {category} needs the amount in 万元", category=category))
    if amount and not expected:
        raise InvalidInput.field(field, msg("an amount is given but 处罚类别 has no {category}", category=category))


def check_unique_number(session: Session, authority_id: int, number: str, current_id: int | None) -> None:
    clash = session.scalar(
        sa.select(Penalty.id).where(Penalty.authority_id == authority_id, Penalty.decision_number == number)
    )
    if clash is not None and clash != current_id:
        raise Conflict(
            msg("penalty {id} already has decision number {number}", id=clash, number=number),
            {"decision_number": ["already recorded by this authority"]},
        )
