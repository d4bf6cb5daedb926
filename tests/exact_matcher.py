"""A stand-in matcher for tests that need no fuzzy matching: exact codes and names only.

It implements `matching.types.Matcher` with the least behaviour a screening needs: an equal
code or an equal name (after folding widths, brackets and spaces) is an `exact` hit; a query
name contained in a listed name, or the other way round, is a `possible` one.
"""

from __future__ import annotations

from matching.types import Candidate, Feature, Hit, Query
from registry.screening.service import fold_name


class ExactMatcher:
    name = "exact-test-double"
    version = "0"

    def __init__(self) -> None:
        self._by_id: dict[int, Candidate] = {}

    def build(self, candidates: list[Candidate]) -> None:
        self._by_id = {c.entity_id: c for c in candidates}

    def upsert(self, candidate: Candidate) -> None:
        self._by_id[candidate.entity_id] = candidate

    def remove(self, entity_id: int) -> None:
        self._by_id.pop(entity_id, None)

    def __len__(self) -> int:
        return len(self._by_id)

    def search(self, query: Query, limit: int = 10) -> list[Hit]:
        hits: list[Hit] = []
        wanted = fold_name(query.name) if query.name else None
        for c in self._by_id.values():  # a test double may scan; the real matcher never does
            if query.code and c.code == query.code:
                hits.append(
                    Hit(
                        c.entity_id,
                        100.0,
                        "exact",
                        "self",
                        c.names[0].name,
                        (Feature("code", 1.0, 1.0, f"{query.code} = {c.code}"),),
                    )
                )
                continue
            if not wanted:
                continue
            for record in c.names:
                listed = fold_name(record.name)
                relation = "self" if record.kind == "current" else "former_name"
                if listed == wanted:
                    hits.append(
                        Hit(
                            c.entity_id,
                            99.0,
                            "exact",
                            relation,
                            record.name,
                            (Feature("name", 1.0, 1.0, f"{query.name} = {record.name}"),),
                        )
                    )
                    break
                if wanted in listed or listed in wanted:
                    hits.append(
                        Hit(
                            c.entity_id,
                            60.0,
                            "possible",
                            relation,
                            record.name,
                            (Feature("name", 0.6, 1.0, f"{query.name} ~ {record.name}"),),
                        )
                    )
                    break
        hits.sort(key=lambda h: -h.score)
        return hits[:limit]
