"""The reach of an entity's records across the trading domains (联合惩戒的范围), for a supervisor.

A listing in one domain sets off measures in others (the MOUs' joint punishment). After
recording a list entry or a penalty, a supervisor asks what it does everywhere: for each of the
eight 公共资源交易 domains, what a screening that identifies this entity (by its code) would
decide today, the measures behind it with their basis, and which of them also reach the
record's 失信相关人 (a company whose legal representative is one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from registry.access import require_role
from registry.errors import NotFound
from registry.ledger import Actor
from registry.messages import Msg, msg, render
from registry.models import Entity
from registry.screening.measures import (
    EFFECTS,
    Measure,
    MeasureHit,
    match_measures,
    records_by_entity,
)
from registry.screening.wording import DECISION_WORDS, EFFECT_WORDS, listing, term
from registry.vocab import DOMAINS, RESPONSIBLE_ROLES

DECISION_LABELS = {"block": "不得参加", "review": "重点核查（人工决定）", "clear": "无限制"}


@dataclass(frozen=True)
class DomainReach:
    """What a screening in one domain would decide for the entity, and why."""

    domain: str
    decision: str  # block | review | clear
    hits: tuple[MeasureHit, ...]
    reasons: tuple[str, ...]
    persons: tuple[str, ...]  # what the measures do to the records' 失信相关人

    @property
    def domain_label(self) -> str:
        return DOMAINS[self.domain]

    @property
    def decision_label(self) -> str:
        return DECISION_LABELS[self.decision]

    @property
    def incentives(self) -> tuple[str, ...]:
        return tuple(h.measure.code for h in self.hits if h.effect == "incentive")


@dataclass(frozen=True)
class EntityReach:
    entity_id: int
    entity_name: str
    on: dt.date
    domains: tuple[DomainReach, ...]

    @property
    def effect(self) -> str | None:
        """The strongest effect in any domain (block > review > incentive), or None."""
        effects = {h.effect for d in self.domains for h in d.hits}
        return next((e for e in EFFECTS if e in effects), None)


def _reason(hit: MeasureHit) -> Msg:
    m = hit.measure
    return msg(
        "{effect}: {code} {name} ({basis}; implemented by {authority}): {why}",
        effect=EFFECT_WORDS.get(hit.effect, hit.effect),
        code=m.code,
        name=m.name,
        basis="、".join(m.legal_basis),
        authority=m.implementing_authority,
        why=listing(r.reason for r in hit.records) or "",
    )


def _persons(hit: MeasureHit) -> Msg | None:
    reach = hit.measure.persons
    if reach is None:
        return None
    return msg(
        "{code} reaches the records' 失信相关人 ({roles}): a bidder whose legal representative one is, or one "
        "screened in person as a 评标评审专家, is {effect} when identified by ID number, review by the name alone",
        code=hit.measure.code,
        roles="、".join(RESPONSIBLE_ROLES.get(r, r) for r in reach.roles),
        effect=DECISION_WORDS.get(reach.effect, reach.effect),
    )


def domain_reach(domain: str, all_hits: Sequence[MeasureHit], records_in_force: int) -> DomainReach:
    """A screening's decision for an exact hit on the entity in `domain`, from the measures' hits
    (those reaching only the records' 失信相关人 included: they say what happens to the persons).
    Its reasons are in Chinese, as the console and the API show them."""
    hits = [h for h in all_hits if h.measure.persons is None or not h.measure.persons.only]
    effects = {h.effect for h in hits}
    decision = "block" if "block" in effects else "review" if "review" in effects else "clear"
    reasons: list[Msg] = [_reason(h) for h in hits]
    if not hits:
        reasons.append(
            msg(
                "no measure: the entity's {count} record(s) in force set off no punishment or incentive in {domain}",
                count=records_in_force,
                domain=term(domain, DOMAINS),
            )
        )
    persons = [p for h in all_hits if (p := _persons(h)) is not None]
    return DomainReach(
        domain, decision, tuple(hits), tuple(render(r, "zh") for r in reasons), tuple(render(p, "zh") for p in persons)
    )


def entity_reach(
    session: Session,
    actor: Actor,
    entity_id: int,
    on_date: dt.date,
    measures: Sequence[Measure],
) -> EntityReach:
    """For each trading domain, what a screening identifying the entity would decide on `on_date`.
    For officials, screeners and the platform: it reveals the effect of unpublished records."""
    require_role(actor, "supervisor", "screener", "platform")
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise NotFound(msg("entity {id} does not exist", id=entity_id))
    entries, penalties = records_by_entity(session, [entity_id], on_date)
    mine_entries, mine_penalties = entries[entity_id], penalties[entity_id]
    in_force = sum(e.in_force_on(on_date) for e in mine_entries) + sum(p.in_force_on(on_date) for p in mine_penalties)
    reach = tuple(
        domain_reach(
            domain,
            match_measures(mine_entries, mine_penalties, domain, on_date, measures, persons_only_too=True),
            in_force,
        )
        for domain in DOMAINS
    )
    return EntityReach(entity.id, entity.name, on_date, reach)
