"""The query families of the labelled set: which name a listed entity (positives), which of
those are found at review level only, which name no listed entity (negatives), which are bad
inputs, and the weight each gets in a dataset's queries."""

from __future__ import annotations

from benchmarks import distinction_families

POSITIVE_FAMILIES: tuple[str, ...] = (
    "exact",
    "bracket_width",
    "latin_width_case",
    "spaces",
    "traditional",
    "legal_form",
    "region_dropped",
    "region_moved",
    "branch",
    "former_name",
    "code_only",
    "code_misspelt_name",
    "combined",
    "industry_synonym",
    "homophone_trade",
    "region_dropped_shared",
    "organisation_code",
    "registration_number_with_name",
)
# Positives whose right answer is a review (`possible`): the name alone cannot tell the entity
# from another company (no region: a company of that name may exist in any city; a 字号 one
# homophone or look-alike off: a misspelling, or another company). An exact/strong hit on
# another entity is a false block.
# An industry_synonym whose industry is the listed one with a word added or taken off (建设 for
# 建设工程, 软件技术 for 软件): two registered names by the rules, so a review (`possible`).
POSITIVE_FAMILIES += ("industry_synonym_extra_word", *distinction_families.POSITIVES)
REVIEW_FAMILIES = ("region_dropped", "region_dropped_shared", "homophone_trade", "industry_synonym_extra_word")
NEGATIVE_FAMILIES = (
    "neg_same_trade_other_city",
    "neg_same_trade_region_other_industry",
    "neg_same_region_industry",
    "neg_random",
    "neg_one_char_off_trade",
    *distinction_families.NEGATIVES,
)
BAD_FAMILIES = ("bad_empty", "bad_whitespace", "bad_placeholder", "bad_malformed_code", "bad_malformed_code_with_name")
FAMILY_WEIGHTS: dict[str, float] = {
    "exact": 4,
    "bracket_width": 5,
    "latin_width_case": 3,
    "spaces": 6,
    "traditional": 7,
    "legal_form": 6,
    "region_dropped": 6,
    "region_moved": 6,
    "branch": 7,
    "former_name": 6,
    "code_only": 5,
    "code_misspelt_name": 5,
    "combined": 6,
    "industry_synonym": 5,
    "homophone_trade": 7,
    "region_dropped_shared": 5,
    "organisation_code": 4,
    "registration_number_with_name": 3,
    "neg_same_trade_other_city": 10,
    "neg_same_trade_region_other_industry": 5,
    "neg_same_region_industry": 7,
    "neg_random": 4,
    "neg_one_char_off_trade": 7,
    "bad_empty": 1.5,
    "bad_whitespace": 1,
    "bad_placeholder": 1,
    "bad_malformed_code": 1.5,
    "bad_malformed_code_with_name": 1.5,
    **distinction_families.WEIGHTS,
}
