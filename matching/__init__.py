"""Matching Chinese enterprise names: normalisation, parsing, a candidate index and scoring.

Pure: no Flask and no database. It is fed `Candidate` rows and answers `Query`s with `Hit`s.

Modules: `normalise` (how a name is written), `codes` (统一社会信用代码, and the 组织机构代码 and
注册号 it replaced, as evidence), `regions` (行政区划 names), `industries` (行业 words),
`legal_forms` (组织形式 and 分支机构 suffixes), `parse` (a name in parts), `readings` (where
regions end and the 字号 begins, when that is unsure), `characters` (a 字号 character mistaken
for one of the same reading or a look-alike form), `index` (the candidate index; its storage and
building in `index_arrays`, `index_rows`, `index_build`, `index_base` and `index_store`; its file,
mapped by every process of a machine, in `index_file`), `scoring` (the
`cn-name-parts` scorer; its numbers in `thresholds`, its parts in `trade_similarity`,
`part_features` and `comparison`), `matcher` (`NamePartsMatcher`, the Matcher).
"""

from matching.matcher import NamePartsMatcher
from matching.parse import ParsedName, parse_name
from matching.scoring import EXACT, POSSIBLE, SCORER_NAME, SCORER_VERSION, STRONG
from matching.types import Candidate, Feature, Hit, Matcher, NameRecord, Query

__all__ = [
    "EXACT",
    "POSSIBLE",
    "SCORER_NAME",
    "SCORER_VERSION",
    "STRONG",
    "Candidate",
    "Feature",
    "Hit",
    "Matcher",
    "NamePartsMatcher",
    "NameRecord",
    "ParsedName",
    "Query",
    "parse_name",
]
