"""Readings of a parsed name: where its regions end and its 字号 begins, when that is unsure.

A short region name may begin a 字号 (东方雨虹, 中山合晟) and a 字号 may begin with a region
name that the parser left in it (兴和东山峰, where a county-level short form alone is not read
as a region). The scorer compares names under each reading and keeps the one that agrees best
(`reading_pairs`); the index keeps the 字号 with the region before it
(`trade_with_region`) so that the cheap pre-test can do the same without parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from matching.parse import ParsedName, RegionMention
from matching.regions import NATIONAL, region_table
from matching.types import Explanation, explain

ReadingKind = Literal["parsed", "absorbed", "detached"]


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read where the regions end and the 字号 begins."""

    trade_name: str
    regions: tuple[RegionMention, ...]
    kind: ReadingKind  # as parsed; a region read as part of the 字号; a region taken off it
    moved: str = ""  # the region text read otherwise

    @property
    def how(self) -> Explanation | None:
        """How this reading differs from the parse, for the explanation (None: it does not)."""
        if self.kind == "absorbed":
            return explain("{region} read as part of the 字号", region=self.moved)
        if self.kind == "detached":
            return explain("{region} read as a region", region=self.moved)
        return None


def _may_begin_a_trade_name(mention: RegionMention) -> bool:
    """A region written short just before the 字号 (东方, 中山), not one in brackets, written in
    full (杭州市, 平安区) or taken from another name."""
    return not mention.bracketed and not mention.inherited and mention.text in region_table().short_forms


def detach_region(trade: str) -> tuple[RegionMention, str] | None:
    """A region name that begins a 字号, and the rest (兴和东山峰 → 兴和 + 东山峰), when at least
    two characters remain; county-level short forms included, the national 中国 not."""
    for surface, codes in region_table().longest_prefixes(trade, 0):
        if len(trade) - len(surface) >= 2 and NATIONAL not in codes:
            return RegionMention(surface, codes), trade[len(surface) :]
    return None


def readings(name: ParsedName) -> list[Reading]:
    """The ways to read a name's (or a branch's head's) regions and 字号, the parse first: a
    region written just before the 字号 may be part of it (东方 + 雨虹 → 东方雨虹), and in a name
    that states no region, a region name that begins the 字号 may be one (兴和东山峰 → 兴和 +
    东山峰; with a region stated, 北京东方雨虹 is 北京 + 东方雨虹)."""
    head = name.branch.head if name.branch is not None else name
    found = [Reading(head.trade_name, head.regions, "parsed")]
    last = head.regions[-1] if head.regions else None
    if last is not None and _may_begin_a_trade_name(last):
        found.append(Reading(last.text + head.trade_name, head.regions[:-1], "absorbed", last.text))
    detached = detach_region(head.trade_name) if not head.regions else None
    if detached is not None:
        mention, rest = detached
        found.append(Reading(rest, (mention,), "detached", mention.text))
    return found


def trade_with_region(name: ParsedName) -> tuple[str, int]:
    """(the region written just before the 字号 + the 字号, the length of that region) of a name
    or a branch's head: what a 字号 may be when the other name reads that region as part of it
    (东方 + 雨虹 against 东方雨虹). Only a region written short counts (not 杭州市, not one in
    brackets); otherwise this is the 字号 and 0."""
    head = name.branch.head if name.branch is not None else name
    if head.regions and _may_begin_a_trade_name(head.regions[-1]):
        region = head.regions[-1].text
        return region + head.trade_name, len(region)
    return head.trade_name, 0


def reading_pairs(q: list[Reading], listed: list[Reading]) -> list[tuple[Reading, Reading]]:
    """The pairs of readings to compare, the baseline first: both as parsed, or both with the
    same leading region taken off when both 字号 begin with it (和布克赛尔百晋 against
    和布克赛尔比泰 compares 百晋 with 比泰). Then one side read otherwise at a time (reading both
    otherwise would add the same region to both 字号: 杭州合胜 ~ 杭州合晟), and both with their
    own leading regions taken off (钟祥微笑 against 阿尔山微笑: then the regions are compared)."""
    q_detached = next((r for r in q if r.kind == "detached"), None)
    l_detached = next((r for r in listed if r.kind == "detached"), None)
    if q_detached is not None and l_detached is not None and q_detached.moved == l_detached.moved:
        # the same region text on both sides says nothing of the place: compare no regions
        return [(replace(q_detached, regions=()), replace(l_detached, regions=()))]
    pairs = [(q[0], listed[0])]
    pairs += [(q[0], r) for r in listed[1:]] + [(r, listed[0]) for r in q[1:]]
    if q_detached is not None and l_detached is not None:
        pairs.append((q_detached, l_detached))
    return pairs
