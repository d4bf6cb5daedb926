"""When two generated names could be one company: the scopes a name is registered in, the
sector of its industry, 字号 one character apart and whether a bidder could mistake that one
character. The registry generator keeps such pairs out, the query maker stays clear of them, and
the label check verifies both."""

from __future__ import annotations

from collections.abc import Iterable

from benchmarks import names
from benchmarks.names import Region


def scopes(region: Region, region_text: str) -> tuple[str, ...]:
    """Where a name with `region_text` is registered, as scope keys: "C:3301" for a name at city
    or county level, plus "P:33" when the name is at province level (浙江合晟…).

    A company of another name in a scope that neither equals nor contains these is a different
    company beyond doubt; 宁波合晟… is not 杭州合晟…, but 杭州合晟… might be 浙江合晟…."""
    city = f"C:{region.code[:4]}"
    if region_text in (region.province_short, region.province):
        return (city, f"P:{region.province_code}")
    return (city,)


def overlap(a: Iterable[str], b: Iterable[str]) -> bool:
    """Whether names registered in scopes `a` and `b` could be one company: the same city, or a
    province-level name and any name in that province."""
    a, b = set(a), set(b)
    if a & b:
        return True
    provinces_a = {scope[2:] for scope in a if scope.startswith("P:")}
    provinces_b = {scope[2:] for scope in b if scope.startswith("P:")}
    return any(scope[2:4] in provinces_b for scope in a) or any(scope[2:4] in provinces_a for scope in b)


# One listed name with a given 字号: (its scopes, the sector of its industry, the entity's id).
Entry = tuple[tuple[str, ...], str, int]


def sector_of(industry: str) -> str:
    """The line of business of an industry as generated, or as a bidder may write it instead
    (`names.INDUSTRY_SYNONYMS`); "shop" for a 个体工商户's goods."""
    return names.SECTOR_OF.get(industry) or names.SYNONYM_SECTOR.get(industry, "shop")


def one_character_off(a: str, b: str) -> tuple[str, str] | None:
    """The two differing characters when 字号 `a` and `b` have one length and differ in one
    character only; None otherwise."""
    if len(a) != len(b):
        return None
    differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    return differ[0] if len(differ) == 1 else None


def mistakable(a: str, b: str) -> bool:
    """Whether a bidder could write character `b` for `a`: the same reading (tones ignored), or
    a look-alike form."""
    return names.sound_alike(a, b) or b in names.look_alikes().get(a, "")


def same_line_nearby(entries: Iterable[Entry], where: Iterable[str], sector: str, besides: int | None = None) -> bool:
    """Whether a listed name among `entries` (same 字号), other than entity `besides`'s, works in
    `sector` in a scope overlapping `where`: then a name written with that 字号, sector and scope
    could mean that entity, and a label of "no match" or "only entity X" would be a guess. The
    generator keeps such pairs out of the registry and out of the labels."""
    where = tuple(where)
    return any(s == sector and eid != besides and overlap(sc, where) for sc, s, eid in entries)


def canonical_form(form: str) -> str:
    """有限责任公司 and 有限公司 are one legal form (公司法); keys use the short one."""
    return form.replace("有限责任公司", "有限公司")
