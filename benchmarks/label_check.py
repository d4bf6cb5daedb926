"""The check of a dataset's labels: every code valid and unique, no name listed twice, and every
query labelled as what it is (a "no match" name that no listed entity could be, a positive that
can mean its entity only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from stdnum.iso7064 import mod_11_10

from benchmarks import distinction_families, names
from benchmarks.dataset_types import Dataset, LabelledQuery, ListedEntity
from benchmarks.name_rules import Entry, mistakable, one_character_off, overlap, same_line_nearby, scopes, sector_of
from benchmarks.query_families import REVIEW_FAMILIES
from benchmarks.query_maker import PLACEHOLDERS
from benchmarks.synthetic_registry import is_organisation_code
from registry.codes import uscc


def check_labels(data: Dataset) -> list[str]:
    """Problems with the labels (an empty list when they are consistent)."""
    problems: list[str] = []
    by_id = {e.entity_id: e for e in data.entities}
    codes = {e.code for e in data.entities}
    regions_by_code = {r.code: r for r in names.regions()}
    regions_by_code.update((e.region.code, e.region) for e in data.entities)  # autonomous areas too
    keys: dict[tuple[str, str, str, str], int] = {}
    trade_entries: dict[str, list[Entry]] = defaultdict(list)
    for e in data.entities:
        if not uscc.is_valid(e.code):
            problems.append(f"entity {e.entity_id}: invalid code {e.code}")
        for parts in (e.parts, *e.former):
            if parts.key in keys:
                problems.append(f"entity {e.entity_id}: name {parts.text} also used by {keys[parts.key]}")
            keys[parts.key] = e.entity_id
            trade_entries[parts.trade].append((e.scopes, sector_of(parts.industry), e.entity_id))
    if len(codes) != len(data.entities):
        problems.append("two entities share a code")
    organisations = {e.code[8:17] for e in data.entities}
    if len(organisations) != len(data.entities):
        problems.append("two entities share a 组织机构代码 (characters 9–17 of the code)")
    for trade, entries in trade_entries.items():
        for i, (where, sector, eid) in enumerate(entries):
            if same_line_nearby(entries[i + 1 :], where, sector, besides=eid):
                problems.append(f"entity {eid}: another listed {trade} works in its sector nearby")
    by_trade: dict[str, list[ListedEntity]] = defaultdict(list)
    for e in data.entities:
        by_trade[e.parts.trade].append(e)
    areas = data.areas
    for i, q in enumerate(data.queries):
        where = f"query {i} ({q.family})"
        name, code = q.query.name, q.query.code
        if q.family in distinction_families.WEIGHTS:
            problems += [f"{where}: {p}" for p in distinction_families.check(q, by_id, by_trade, areas, keys)]
            if q.expected is None and code is not None and (code in codes or not uscc.is_valid(code)):
                problems.append(f"{where}: code {code} is not a fresh valid code")
            continue
        if q.expected is not None:
            entity = by_id.get(q.expected)
            if (q.found_at == "possible") != (q.family in REVIEW_FAMILIES):
                problems.append(f"{where}: found at {q.found_at}, but the family says otherwise")
            if entity is None:
                problems.append(f"{where}: expected entity {q.expected} does not exist")
            elif q.family in (
                "industry_synonym",
                "industry_synonym_extra_word",
                "homophone_trade",
                "region_dropped_shared",
            ):
                problems += [f"{where}: {p}" for p in _check_variant(q, entity, keys, trade_entries)]
            elif q.family == "organisation_code" and (
                name or (code or "").replace("-", "").upper() != entity.code[8:17]
            ):
                problems.append(f"{where}: {code} is not entity {entity.entity_id}'s 组织机构代码")
            elif q.family == "registration_number_with_name" and not (
                len(code or "") == 15
                and mod_11_10.is_valid(code or "")
                and "".join((name or "").split()) == entity.name
            ):
                problems.append(f"{where}: needs a valid 注册号 and the entity's name")
            elif q.family in ("code_only", "code_misspelt_name") and uscc.normalise(code or "") != entity.code:
                problems.append(f"{where}: code {code} is not entity {entity.entity_id}'s")
            elif q.family == "former_name" and name not in entity.former_names:
                problems.append(f"{where}: {name} is not a former name of {entity.entity_id}")
            elif q.family == "bad_malformed_code_with_name" and (
                uscc.is_valid(code or "") or is_organisation_code(code or "") or name != entity.name
            ):
                problems.append(f"{where}: needs a malformed code and the entity's name")
            elif q.family == "region_dropped" and any(
                s == sector_of(entity.parts.industry) and eid != entity.entity_id
                for _, s, eid in trade_entries[entity.parts.trade]
            ):
                problems.append(f"{where}: without a region, {name} could mean another listed entity")
            elif q.kind == "negative":
                problems.append(f"{where}: a negative expects entity {q.expected}")
        elif q.kind == "negative":
            region = regions_by_code.get(q.region or "")
            if q.parts is None or region is None:
                problems.append(f"{where}: a negative needs the parts it was made of")
                continue
            if q.parts.key in keys:
                problems.append(f"{where}: {name} is a listed name")
            entries = trade_entries.get(q.parts.trade, [])
            here = scopes(region, q.parts.region)
            if q.family == "neg_same_trade_region_other_industry":
                if same_line_nearby(entries, here, sector_of(q.parts.industry)):
                    problems.append(f"{where}: a listed entity with this 字号 nearby works in the same sector")
            elif any(overlap(sc, here) for sc, _, _ in entries):
                problems.append(f"{where}: a listed entity carries {q.parts.trade} in the same city or province-wide")
            if q.family == "neg_one_char_off_trade" and not any(
                (off := one_character_off(e.parts.trade, q.parts.trade))
                and not mistakable(*off)
                and e.parts.region == q.parts.region
                and e.parts.industry == q.parts.industry
                for e in data.entities
            ):
                problems.append(
                    f"{where}: {q.parts.trade} is not one unmistakable character off a listed 字号 "
                    "in the same place and industry"
                )
            if code is not None and (code in codes or not uscc.is_valid(code)):
                problems.append(f"{where}: code {code} is not a fresh valid code")
        elif q.kind == "bad":
            if q.family == "bad_placeholder":
                if name not in PLACEHOLDERS:
                    problems.append(f"{where}: {name!r} is not a placeholder for a name")
            elif (name or "").strip():
                problems.append(f"{where}: a bad input expecting no match has a usable name")
            if code and (uscc.is_valid(code) or is_organisation_code(code)):
                problems.append(f"{where}: code {code} is valid")
        else:
            problems.append(f"{where}: a positive family without an expected entity")
    return problems


def _check_variant(
    q: LabelledQuery,
    entity: ListedEntity,
    keys: dict[tuple[str, str, str, str], int],
    trade_entries: dict[str, list[Entry]],
) -> list[str]:
    """Problems with a positive built from its entity's name parts with one part changed."""
    parts = q.parts
    if parts is None or q.region != entity.region.code:
        return ["needs the parts it was made of and the entity's region"]
    problems = []
    if parts.key in keys:
        problems.append(f"{parts.text} is a listed name")
    if parts.region and same_line_nearby(
        trade_entries.get(parts.trade, ()), entity.scopes, sector_of(parts.industry), besides=entity.entity_id
    ):
        problems.append(f"another listed {parts.trade} works in its line nearby: it could mean that one")
    # the entity's own name, but for the part the family changes (and a region left out)
    own = replace(
        parts,
        region=parts.region or entity.parts.region,
        bracketed=parts.bracketed if parts.region else entity.parts.bracketed,
    )
    if q.family in ("industry_synonym", "industry_synonym_extra_word") and (
        parts.industry not in names.INDUSTRY_SYNONYMS.get(entity.parts.industry, ())
        or replace(own, industry=entity.parts.industry).key != entity.parts.key
    ):
        problems.append(f"{parts.industry} is not a synonym of {entity.parts.industry} in its name")
    if q.family == "region_dropped_shared":
        if parts.region or own.key != entity.parts.key:
            problems.append(f"{parts.text} is not the entity's name without its region")
        if not any(
            s == sector_of(entity.parts.industry) and eid != entity.entity_id
            for _, s, eid in trade_entries[entity.parts.trade]
        ):
            problems.append(f"no other listed entity shares {entity.parts.trade} and its line")
    if q.family == "homophone_trade":
        off = one_character_off(entity.parts.trade, parts.trade)
        if off is None or not mistakable(*off) or replace(own, trade=entity.parts.trade).key != entity.parts.key:
            problems.append(f"{parts.trade} is not {entity.parts.trade} with one character mistaken")
    t2s = names.converter("t2s")[0]
    if t2s("".join((q.query.name or "").split())) != t2s(parts.text):
        problems.append("the name is not the one its parts make")
    return problems
