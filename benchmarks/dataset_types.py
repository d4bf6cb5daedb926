"""The records of a generated dataset: a name's parts, a listed entity, a labelled query and
the dataset that holds them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from benchmarks.name_rules import canonical_form, scopes
from benchmarks.names import AutonomousArea, Region
from benchmarks.query_families import BAD_FAMILIES, NEGATIVE_FAMILIES, POSITIVE_FAMILIES
from matching.types import Candidate, NameRecord, Query, Relation


@dataclass(frozen=True)
class NameParts:
    """What a generated name is made of, so labels can be checked without parsing."""

    region: str  # as written in the name: 杭州, 浙江, 杭州市, 余杭, 杭州余杭, 西湖区
    trade: str  # 字号
    industry: str  # 行业
    form: str  # 组织形式: 有限公司 … or a shop's 经营部, 商行, 店
    bracketed: bool = False  # region after the trade name and industry, in brackets

    @property
    def text(self) -> str:
        if self.bracketed:
            return f"{self.trade}{self.industry}（{self.region}）{self.form}"
        return f"{self.region}{self.trade}{self.industry}{self.form}"

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Two names with the same key are the same name, however written."""
        return (self.region, self.trade, self.industry, canonical_form(self.form))

    def pieces(self) -> list[str]:
        """The parts in written order (for inserting spaces between them)."""
        if self.bracketed:
            return [self.trade, self.industry, f"（{self.region}）", self.form]
        return [self.region, self.trade, self.industry, self.form]


@dataclass(frozen=True)
class ListedEntity:
    """A listed entity of the generated registry."""

    entity_id: int
    kind: str  # legal_entity | individual_business
    code: str
    region: Region
    parts: NameParts
    former: tuple[NameParts, ...] = ()

    @property
    def name(self) -> str:
        return self.parts.text

    @property
    def former_names(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.former)

    @property
    def scopes(self) -> tuple[str, ...]:
        return scopes(self.region, self.parts.region)

    def candidate(self) -> Candidate:
        records = (NameRecord(self.name, "current"), *(NameRecord(n, "former") for n in self.former_names))
        return Candidate(entity_id=self.entity_id, names=records, code=self.code)


FoundAt = Literal["strong", "possible"]


@dataclass(frozen=True)
class LabelledQuery:
    """A subject as a bidder wrote it, and the listed entity it is (None: not listed)."""

    query: Query
    family: str
    expected: int | None
    relation: Relation | None = None  # how the expected entity relates to the subject
    parts: NameParts | None = None  # what a generated name was built from (for label checks)
    region: str | None = None  # the region code (6 digits) of a name built from parts
    found_at: FoundAt = "strong"  # the lowest match level at which the expected entity is found

    @property
    def accepted(self) -> tuple[str, ...]:
        """The match levels at which a hit on the expected entity is right."""
        return ("exact", "strong", "possible") if self.found_at == "possible" else ("exact", "strong")

    @property
    def kind(self) -> str:
        """positive | negative | bad."""
        if self.family in BAD_FAMILIES:
            return "bad"
        return "positive" if self.family in POSITIVE_FAMILIES else "negative"


@dataclass
class Dataset:
    seed: int
    entities: list[ListedEntity]
    queries: list[LabelledQuery]
    trade_name_source: str
    trade_name_count: int
    traditional: str  # how simplified → traditional was done
    areas: dict[int, AutonomousArea] = field(default_factory=dict)  # entities in autonomous areas

    def candidates(self) -> list[Candidate]:
        return [e.candidate() for e in self.entities]

    def family_counts(self) -> dict[str, int]:
        counts = Counter(q.family for q in self.queries)
        return {f: counts[f] for f in (*POSITIVE_FAMILIES, *NEGATIVE_FAMILIES, *BAD_FAMILIES)}
