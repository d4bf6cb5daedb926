"""How alike two 字号 are: the agreement the scorer counts (the squared Indel ratio, a slip, a
common ending read as an industry: `trade_agreement`), and the cheap test before parsing of
whether a listed name can reach `possible` at all (`could_reach_possible`).
"""

from __future__ import annotations

from rapidfuzz.distance import Indel

from matching.characters import Slip, slip
from matching.readings import Reading, detach_region
from matching.regions import region_agreement
from matching.thresholds import LONG_TRADE_NAME, MIN_TRADE_SIMILARITY, SLIP_AGREEMENT


def could_reach_possible(
    q_readings: list[Reading],
    q_regions: frozenset[str],
    l_trade: str,
    l_trade_ext: str,
    l_regions: frozenset[str],
    l_unplaced: bool,
) -> bool:
    """A cheap test, before parsing, of whether a listed name can reach `possible`: a bound,
    never False for a name that would.

    `q_readings` are the subject's (`readings`); the listed name's are rebuilt from its 字号,
    the 字号 with the region before it (`trade_with_region`) and, when it states no region
    (`l_unplaced`), the 字号 with a leading region name taken off. Some pair of readings
    (`reading_pairs`, or more) must be alike enough; when only the pair as parsed is, the
    regions must not contradict each other (that caps the score at 65). Pass empty regions
    where they do not apply (a branch's own region is not its head company's). "Alike" is a
    similarity that can reach `possible`, or a slip (`characters.slip`: 合胜 for 合晟)."""
    q_trade = q_readings[0].trade_name
    if _alike(q_trade, l_trade) and (not q_regions or not l_regions or region_agreement(q_regions, l_regions) > 0.0):
        return True
    for reading in q_readings[1:]:
        if _alike(reading.trade_name, l_trade):
            return True
    if l_trade_ext != l_trade and _alike(q_trade, l_trade_ext):
        return True
    detached = detach_region(l_trade) if l_unplaced else None
    if detached is None:
        return False
    l_rest = detached[1]
    if _alike(q_trade, l_rest):
        return True
    q_detached = q_readings[-1]
    return q_detached.kind == "detached" and _alike(q_detached.trade_name, l_rest)


def _alike(a: str, b: str) -> bool:
    """Whether two 字号 are alike enough for a name to reach `possible` on them."""
    ratio = Indel.normalized_similarity(a, b)
    return ratio >= MIN_TRADE_SIMILARITY or (_one_apart(a, b, ratio) and slip(a, b) is not None)


def _one_apart(a: str, b: str, ratio: float) -> bool:
    """A cheap necessary condition for a slip: one length, and the Indel similarity of one
    character changed (1 − 1/n; a slip's test is far dearer than this one)."""
    return len(a) == len(b) and len(a) >= 2 and abs(ratio - (1.0 - 1.0 / len(a))) < 1e-9


def _common_ending(q_trade: str, l_trade: str) -> int:
    """How many characters at the end of two long 字号 to leave out, as an industry the parser
    does not know (合晟医用耗材 against 合胜医用耗材: 医用耗材), or 0.

    A 字号 has two to four characters; one of five or more most likely carries an industry word
    missing from `industries`, which would make two different 字号 look alike. The ending both
    share is taken off when at least two characters of it and of each 字号 remain."""
    if min(len(q_trade), len(l_trade)) < LONG_TRADE_NAME:
        return 0
    n = 0
    while n < min(len(q_trade), len(l_trade)) and q_trade[-1 - n] == l_trade[-1 - n]:
        n += 1
    return n if n >= 2 and min(len(q_trade), len(l_trade)) - n >= 2 else 0


def trade_agreement(q_trade: str, l_trade: str) -> tuple[float, float, Slip | None, int]:
    """(similarity, agreement, the slip if the agreement rests on one, the length of a common
    ending left out: `_common_ending`) of two 字号: the squared Indel ratio, or `SLIP_AGREEMENT`
    when they differ by one character that may be mistaken for the other and that is more."""
    ending = 0
    if len(q_trade) >= LONG_TRADE_NAME and len(l_trade) >= LONG_TRADE_NAME:
        ending = _common_ending(q_trade, l_trade)
        if ending:
            q_trade, l_trade = q_trade[:-ending], l_trade[:-ending]
    ratio = Indel.normalized_similarity(q_trade, l_trade)
    agreement = ratio * ratio
    if agreement < SLIP_AGREEMENT and len(q_trade) == len(l_trade) and _one_apart(q_trade, l_trade, ratio):
        found = slip(q_trade, l_trade)
        if found is not None:
            return ratio, SLIP_AGREEMENT, found, ending
    return ratio, agreement, None, ending
