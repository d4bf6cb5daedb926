"""The `cn-name-parts` scorer's numbers: the match levels, the caps a relation or a contradiction
sets, the features' weights, and the thresholds derived from them (see `scoring` for the table).
"""

from __future__ import annotations

import math

from matching.industries import CONFLICT_BELOW
from matching.types import MatchLevel

EXACT = 100.0
STRONG = 85.0
POSSIBLE = 70.0

# The highest score a relation or a contradiction allows.
NOT_EXACT_CAP = 99.0  # a name that is not the same after normalisation is never `exact`
BRANCH_CAP = 95.0  # the subject is a branch of the listed company: `strong` at most
REVIEW_CAP = STRONG - 1  # `possible` at most: a person should look
DROP_CAP = POSSIBLE - 1  # below `possible`: not a hit

W_TRADE = 0.50
W_INDUSTRY = 0.20
W_REGION = 0.15
W_FORM = 0.15
AGAINST_REGION = -0.20
AGAINST_INDUSTRY = -0.10
AGAINST_FORM = -0.05
NEUTRAL_REGION = 0.8
NEUTRAL_INDUSTRY = 0.4
NEUTRAL_FORM = 0.5
INDUSTRY_CONFLICT_BELOW = CONFLICT_BELOW
# A 字号 one slip away from the other (合胜 for 合晟) agrees this much at least: with every other
# part agreeing that is `possible` (80), never more (the slip caps it).
SLIP_AGREEMENT = 0.6
LONG_TRADE_NAME = 5  # a 字号 this long likely carries an industry word (see `_common_ending` in `trade_similarity`)
# Below this 字号 similarity a name cannot reach `possible`, whatever its other parts say
# (0.50·s² + 0.50 < 0.70): such candidates are dropped before they are parsed.
MIN_TRADE_SIMILARITY = math.sqrt((POSSIBLE / 100 - (W_INDUSTRY + W_REGION + W_FORM)) / W_TRADE) - 1e-9


def level(score: float) -> MatchLevel | None:
    """The match level of a score that is not `exact` (None below `possible`)."""
    if score >= STRONG:
        return "strong"
    if score >= POSSIBLE:
        return "possible"
    return None
