"""The matcher's inputs and outputs (dataclasses), shared with the registry and the screening."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

NameKind = Literal["current", "former", "alias"]
MatchLevel = Literal["exact", "strong", "possible"]
# How the listed name that matched relates to the subject: its current name (`self`), a 曾用名
# (`former_name`), an alias that is no registered name (`alias`), or a 分支机构 relation
# (`branch_of`). A caller that shows only the older three may show `alias` as `former_name`
# (`RELATION_FALLBACK`): nothing else differs.
Relation = Literal["self", "former_name", "alias", "branch_of"]
RELATIONS: tuple[Relation, ...] = ("self", "former_name", "alias", "branch_of")
RELATION_FALLBACK: dict[str, Relation] = {"alias": "former_name"}


@dataclass(frozen=True)
class NameRecord:
    """One name a listed entity is known by."""

    name: str
    kind: NameKind = "current"


@dataclass(frozen=True)
class Candidate:
    """A listed entity as the index knows it: its id, its names and its 统一社会信用代码."""

    entity_id: int
    names: tuple[NameRecord, ...]
    code: str | None = None


@dataclass(frozen=True)
class Query:
    """A subject to screen: a name as the bidder wrote it, a code, or both."""

    name: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Explanation:
    """Words for a person, kept as a template and its values so that they can be said in any
    language: `template` is the English, with `{name}` placeholders (format specs such as
    `{ratio:.2f}` allowed), and the message id under which the registry's catalogue
    (registry/messages) keeps its Chinese; values that are Explanations are said in the same
    language. The matcher imports no catalogue: `str()` gives the English, and the registry
    renders any object with a `template` and `params` as it renders its own messages."""

    template: str
    params: tuple[tuple[str, object], ...] = ()

    def __str__(self) -> str:
        values = {name: str(v) if isinstance(v, Explanation) else v for name, v in self.params}
        return self.template.format(**values)


def explain(template: str, /, **params: object) -> Explanation:
    """An explanation with its values: `explain("行业 {written} vs {listed}: agreement {agreement:.2f}", …)`."""
    return Explanation(template, tuple(params.items()))


def joined(parts: Iterable[Explanation]) -> Explanation | None:
    """Several notes as one ("first; then", "first；then" in Chinese), or None when there are none."""
    found: Explanation | None = None
    for part in parts:
        found = part if found is None else explain("{first}; {then}", first=found, then=part)
    return found


@dataclass(frozen=True)
class Feature:
    """One piece of evidence for or against a hit, with its share of the score."""

    name: str  # e.g. "code", "trade_name", "industry", "region", "legal_form", "branch"
    score: float  # 0.0–1.0 agreement on this feature (a contradiction is 0.0)
    weight: float  # how much it counts; negative for evidence against
    detail: Explanation  # for a person: what was compared with what (str() gives the English)


@dataclass(frozen=True)
class Hit:
    """A listed entity that may be the subject, with why."""

    entity_id: int
    score: float  # 0–100
    match: MatchLevel
    relation: Relation
    matched_name: str  # the listed name (current, former or alias) that matched
    features: tuple[Feature, ...] = field(default_factory=tuple)


class Matcher(Protocol):
    """What the registry and the screening need of a matcher."""

    name: str
    version: str

    def build(self, candidates: list[Candidate]) -> None: ...

    def upsert(self, candidate: Candidate) -> None: ...

    def remove(self, entity_id: int) -> None: ...

    def search(self, query: Query, limit: int = 10) -> list[Hit]: ...

    def __len__(self) -> int: ...
