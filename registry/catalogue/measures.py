"""The joint-punishment and incentive measure catalogue (联合惩戒/激励措施), loaded and checked.

The measures are data (`catalogue/measures.json`, or an edited copy in REGISTRY_CATALOGUE_DIR),
checked when loaded like the rest of the catalogue. Each names what triggers it (list entries
of some lists, or penalties meeting some conditions), the trading domains it applies in, how
long it lasts, its effect on a screening (block, review, incentive) and its legal basis. Red
lists (守信激励) give incentives only, and only red lists give incentives: the loader refuses a
catalogue that says otherwise. Which measures apply to an entity is `registry.screening.measures`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from registry.catalogue import CatalogueError, read_catalogue_file
from registry.models import ListEntry, Penalty
from registry.vocab import DOMAINS, LIST_TYPES, PENALTY_CATEGORIES, RESPONSIBLE_ROLES, SEVERITIES

FILE = "measures.json"

# Effects on a screening, strongest first (the order hits are returned in).
EFFECTS = {
    "block": "不得参加 (the subject is excluded)",
    "review": "重点核查 (a person decides)",
    "incentive": "守信激励",
}
EFFECT_ORDER = tuple(EFFECTS)
DURATION_KINDS = {
    "while_listed": "while the list entry is in force (ListEntry.in_force_on)",
    "while_in_force": "while the penalty is in force (Penalty.in_force_on: effective, not repaired, within its publication period)",
    "lookback_years": "for `years` from the penalty's decision date (revoked or repaired decisions never count)",
}
# Which records' domains a trigger looks at: the screened domain (default), any, or those listed.
RECORD_SCOPES = ("screened", "any", "listed")
CERTAINTIES = ("firm", "likely")

_MEASURE_KEYS = frozenset(
    {
        "code",
        "name",
        "effect",
        "triggers",
        "domains",
        "duration",
        "implementing_authority",
        "legal_basis",
        "certainty",
        "about",
        "when_repaired",
        "persons",
    }
)
_PERSONS_KEYS = frozenset({"roles", "effect", "only"})
_TRIGGER_KEYS = frozenset({"list_types", "list_names", "except_list_names", "penalty", "record_domains"})
_PENALTY_KEYS = frozenset({"categories_any", "min_fine_wan", "severities"})
_DURATION_KEYS = frozenset({"kind", "years"})


@dataclass(frozen=True)
class PenaltyCondition:
    """What a penalty must show to trigger; every condition given must hold."""

    categories_any: tuple[str, ...] = ()
    min_fine_wan: Decimal | None = None
    severities: tuple[str, ...] = ()

    def explain(self, penalty: Penalty) -> str | None:
        """Why `penalty` meets every condition, or None when one fails."""
        parts: list[str] = []
        if self.categories_any:
            found = [c for c in penalty.categories if c in self.categories_any]
            if not found:
                return None
            parts.append("处罚类别 " + "、".join(found))
        if self.min_fine_wan is not None:
            fine = penalty.fine_amount
            if "罚款" not in penalty.categories or fine is None or fine < self.min_fine_wan:
                return None
            parts.append(f"罚款 {fine:f}万元 ≥ {self.min_fine_wan:f}万元")
        if self.severities:
            if penalty.severity not in self.severities:
                return None
            parts.append(f"失信程度 {SEVERITIES.get(penalty.severity, penalty.severity)}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Trigger:
    """One way a measure is set off: by list entries (list_types / list_names) or by penalties.

    `record_scope` says which records count by their domains: `screened` — the record concerns
    the domain being screened; `any` — a record of any domain (cross-domain lists such as
    失信被执行人名单); `listed` — a record of one of `record_domains`.
    """

    list_types: tuple[str, ...] = ()
    list_names: tuple[str, ...] = ()
    except_list_names: tuple[str, ...] = ()
    penalty: PenaltyCondition | None = None
    record_scope: str = "screened"
    record_domains: tuple[str, ...] = ()

    @property
    def on_lists(self) -> bool:
        return self.penalty is None

    def concerns(self, record_domains: Collection[str], screened: str) -> bool:
        """Whether a record of `record_domains` counts when `screened` is the domain screened."""
        if self.record_scope == "any":
            return True
        if self.record_scope == "listed":
            return any(d in self.record_domains for d in record_domains)
        return screened in record_domains

    def matches_entry(self, entry: ListEntry) -> bool:
        """Whether the entry is of a list this trigger names (its dates are checked elsewhere)."""
        return (
            self.on_lists
            and (not self.list_types or entry.list_type in self.list_types)
            and (not self.list_names or entry.list_name in self.list_names)
            and entry.list_name not in self.except_list_names
        )


@dataclass(frozen=True)
class Duration:
    """How long a trigger keeps the measure in force: see DURATION_KINDS."""

    kind: str
    years: int | None = None


@dataclass(frozen=True)
class PersonReach:
    """Whom among a triggering record's 失信相关人 the measure also reaches, and its effect on a
    subject they stand behind (a bidder whose legal representative one is, an expert screened)."""

    roles: tuple[str, ...]
    effect: str  # block | review
    only: bool = False  # True: the measure reaches the persons alone, never the listed entity itself


@dataclass(frozen=True)
class Measure:
    """惩戒或激励措施: what sets it off, where, for how long, its effect, and on what authority."""

    code: str
    name: str
    effect: str
    triggers: tuple[Trigger, ...]
    domains: tuple[str, ...]
    duration: Duration
    implementing_authority: str
    legal_basis: tuple[str, ...]
    certainty: str
    about: str | None = None
    when_repaired: str | None = None  # lookback measures: the effect of a penalty repaired since (review)
    persons: PersonReach | None = None  # None: the measure reaches the company (失信企业) only


# --- loading and checking the catalogue ------------------------------------------------------


def _only(raw: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}")


def _text(value: Any, where: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: {field} must be a non-empty string")
    return value.strip()


def _strings(
    value: Any,
    where: str,
    field: str,
    allowed: Collection[str] | None = None,
    *,
    what: str = "value",
    required: bool = False,
) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogueError(f"{where}: {field} must be a list of non-empty strings")
    if required and not value:
        raise CatalogueError(f"{where}: {field} must name at least one {what}")
    if allowed is not None:
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise CatalogueError(f"{where}: unknown {what} {', '.join(map(repr, unknown))} in {field}")
    return tuple(dict.fromkeys(v.strip() for v in value))


def _penalty_condition(raw: Any, where: str) -> PenaltyCondition:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: penalty must be an object of conditions")
    _only(raw, _PENALTY_KEYS, where)
    categories = _strings(
        raw.get("categories_any"), where, "categories_any", PENALTY_CATEGORIES, what="处罚类别 (category)"
    )
    severities = _strings(raw.get("severities"), where, "severities", SEVERITIES, what="severity")
    fine: Decimal | None = None
    if raw.get("min_fine_wan") is not None:
        value = raw["min_fine_wan"]
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            fine = Decimal(str(value))
        except InvalidOperation:
            raise CatalogueError(f"{where}: min_fine_wan must be a number of 万元, got {value!r}") from None
        if not fine.is_finite() or fine < 0:
            raise CatalogueError(f"{where}: min_fine_wan must be a number of 万元 ≥ 0, got {value!r}")
    if not (categories or severities or fine is not None):
        raise CatalogueError(f"{where}: penalty names no condition (categories_any, min_fine_wan, severities)")
    return PenaltyCondition(categories, fine, severities)


def _trigger(raw: Any, where: str, known_lists: Mapping[str, str]) -> Trigger:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: a trigger must be an object")
    _only(raw, _TRIGGER_KEYS, where)
    list_types = _strings(raw.get("list_types"), where, "list_types", LIST_TYPES, what="list type")
    named = "list (lists.json knows no such list)"
    list_names = _strings(raw.get("list_names"), where, "list_names", known_lists, what=named)
    except_names = _strings(raw.get("except_list_names"), where, "except_list_names", known_lists, what=named)
    penalty = _penalty_condition(raw["penalty"], where) if raw.get("penalty") is not None else None
    if penalty is not None and (list_types or list_names or except_names):
        raise CatalogueError(f"{where}: a trigger is about list entries or about penalties, not both")
    if penalty is None and not (list_types or list_names):
        raise CatalogueError(f"{where}: a trigger names list_types, list_names or penalty conditions")
    if list_types and list_names:
        never = [n for n in list_names if known_lists[n] not in list_types]
        if never:
            raise CatalogueError(f"{where}: {', '.join(never)} is not of list type {', '.join(list_types)}")
    scope_raw = raw.get("record_domains", "screened")
    domains: tuple[str, ...] = ()
    if scope_raw in ("screened", "any"):
        scope = str(scope_raw)
    else:
        scope = "listed"
        domains = _strings(
            scope_raw,
            where,
            "record_domains ('screened', 'any' or a list of domains)",
            DOMAINS,
            what="domain",
            required=True,
        )
    return Trigger(list_types, list_names, except_names, penalty, scope, domains)


def _duration(raw: Any, where: str) -> Duration:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: duration must be an object with a kind")
    _only(raw, _DURATION_KEYS, where)
    kind = raw.get("kind")
    if kind not in DURATION_KINDS:
        raise CatalogueError(f"{where}: duration kind must be one of {', '.join(DURATION_KINDS)}, got {kind!r}")
    years = raw.get("years")
    if kind == "lookback_years":
        if isinstance(years, bool) or not isinstance(years, int) or years < 1:
            raise CatalogueError(f"{where}: lookback_years needs years, a whole number ≥ 1")
    elif years is not None:
        raise CatalogueError(f"{where}: years belongs to lookback_years only")
    return Duration(kind, years)


def _persons(raw: Any, effect: str, where: str) -> PersonReach | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: persons must be an object {{roles, effect}}")
    _only(raw, _PERSONS_KEYS, where)
    roles = _strings(raw.get("roles"), where, "persons.roles", RESPONSIBLE_ROLES, what="role", required=True)
    person_effect = raw.get("effect")
    if effect == "incentive" or person_effect not in ("block", "review"):
        raise CatalogueError(f"{where}: persons.effect is block or review, on a block or review measure")
    only = raw.get("only", False)
    if not isinstance(only, bool):
        raise CatalogueError(f"{where}: persons.only must be true or false")
    return PersonReach(roles, person_effect, only)


def _check_effect(effect: str, triggers: Sequence[Trigger], known_lists: Mapping[str, str], where: str) -> None:
    """Red lists give incentives only, and only red lists give incentives."""
    for trigger in triggers:
        if effect == "incentive":
            if trigger.list_types != ("red",):
                raise CatalogueError(
                    f'{where}: an incentive is given by red lists only: each trigger needs list_types ["red"]'
                )
        elif "red" in trigger.list_types or any(known_lists[n] == "red" for n in trigger.list_names):
            raise CatalogueError(f"{where}: red lists give incentives only (守信激励), never a {effect}")


def _measure(raw: Any, where: str, known_lists: Mapping[str, str]) -> Measure:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: a measure must be an object")
    code = _text(raw.get("code"), where, "code")
    where = f"{where} ({code})"
    _only(raw, _MEASURE_KEYS, where)
    effect = raw.get("effect")
    if effect not in EFFECTS:
        raise CatalogueError(f"{where}: effect must be one of {', '.join(EFFECTS)}, got {effect!r}")
    domains = _strings(raw.get("domains"), where, "domains", DOMAINS, what="domain", required=True)
    duration = _duration(raw.get("duration"), where)
    raw_triggers = raw.get("triggers")
    if not isinstance(raw_triggers, list) or not raw_triggers:
        raise CatalogueError(f"{where}: triggers must be a non-empty list")
    triggers = tuple(_trigger(t, f"{where}: triggers[{j}]", known_lists) for j, t in enumerate(raw_triggers))
    wants_lists = duration.kind == "while_listed"
    if any(t.on_lists != wants_lists for t in triggers):
        kind = "list" if wants_lists else "penalty"
        raise CatalogueError(f"{where}: a {duration.kind} measure is triggered by {kind} triggers only")
    _check_effect(effect, triggers, known_lists, where)
    certainty = raw.get("certainty")
    if certainty not in CERTAINTIES:
        raise CatalogueError(f"{where}: certainty must be one of {', '.join(CERTAINTIES)}, got {certainty!r}")
    about = raw.get("about")
    if about is not None and not isinstance(about, str):
        raise CatalogueError(f"{where}: about must be a string")
    when_repaired = raw.get("when_repaired")
    if when_repaired is not None and (duration.kind != "lookback_years" or when_repaired != "review"):
        raise CatalogueError(f'{where}: when_repaired is "review" and belongs to lookback_years measures only')
    return Measure(
        code=code,
        name=_text(raw.get("name"), where, "name"),
        effect=effect,
        triggers=triggers,
        domains=domains,
        duration=duration,
        implementing_authority=_text(raw.get("implementing_authority"), where, "implementing_authority"),
        legal_basis=_strings(raw.get("legal_basis"), where, "legal_basis", what="legal basis", required=True),
        certainty=certainty,
        about=about,
        when_repaired=when_repaired,
        persons=_persons(raw.get("persons"), effect, where),
    )


def load_measures(directory: str | Path | None = None) -> tuple[Measure, ...]:
    """Read and check the measure catalogue (an edited copy in `directory` first).

    List names are checked against lists.json (from the same directory, else the shipped one),
    so a misspelt list is an error at start, not a measure that never applies.
    """
    folder = Path(directory) if directory else None
    data = read_catalogue_file(folder, FILE)
    lists = read_catalogue_file(folder, "lists.json")
    known_lists = {
        raw["name"]: str(raw.get("list_type"))
        for raw in lists.get("lists", [])
        if isinstance(raw, dict) and isinstance(raw.get("name"), str)
    }
    raw_measures = data.get("measures")
    if not isinstance(raw_measures, list) or not raw_measures:
        raise CatalogueError(f"{FILE}: measures must be a non-empty list")
    measures: list[Measure] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_measures):
        measure = _measure(raw, f"{FILE}: measures[{i}]", known_lists)
        if measure.code in seen:
            raise CatalogueError(f"{FILE}: measures[{i}] ({measure.code}): code used twice")
        seen.add(measure.code)
        measures.append(measure)
    return tuple(measures)


def select_measures(
    measures: Iterable[Measure], *, domain: str | None = None, effect: str | None = None
) -> list[Measure]:
    """The catalogue's measures that apply in `domain` and have `effect` (either may be None: all)."""
    return [m for m in measures if (domain is None or domain in m.domains) and (effect is None or m.effect == effect)]
