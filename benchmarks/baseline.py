"""The brute-force baseline: what a naive screening does, behind the same Matcher interface.

Every query is compared with every listed name by `rapidfuzz.process.extract` using
`fuzz.WRatio`, after a plain normalisation (NFKC, traditional → simplified, lower case, no
spaces or punctuation); a code is looked up exactly. No parsing, no index, no per-part
evidence. Thresholds: equal normalised names or equal codes are `exact`; WRatio ≥ 90 is
`strong`; ≥ 80 is `possible`.
"""

from __future__ import annotations

import unicodedata

from rapidfuzz import fuzz, process

from benchmarks.names import converter
from matching.types import Candidate, Hit, MatchLevel, Query, Relation
from registry.codes.uscc import normalise as normalise_code

STRONG = 90.0
POSSIBLE = 80.0


def normalise(name: str) -> str:
    """NFKC, traditional → simplified, lower case, without whitespace and punctuation."""
    text = converter("t2s")[0](unicodedata.normalize("NFKC", name)).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZC")


class BruteForceMatcher:
    """Scan every listed name with rapidfuzz WRatio; look codes up exactly."""

    name = "brute-force-rapidfuzz-wratio"
    version = "1"

    def __init__(self) -> None:
        self._candidates: dict[int, Candidate] = {}
        self._names: list[str] = []
        self._owners: list[tuple[int, str, str]] = []  # (entity_id, listed name, kind) per name
        self._codes: dict[str, int] = {}

    def build(self, candidates: list[Candidate]) -> None:
        self._candidates = {c.entity_id: c for c in candidates}
        self._reindex()

    def upsert(self, candidate: Candidate) -> None:
        self._candidates[candidate.entity_id] = candidate
        self._reindex()  # naive: rebuilt on every change

    def remove(self, entity_id: int) -> None:
        self._candidates.pop(entity_id, None)
        self._reindex()

    def _reindex(self) -> None:
        self._names, self._owners, self._codes = [], [], {}
        for c in self._candidates.values():
            for record in c.names:
                self._names.append(normalise(record.name))
                self._owners.append((c.entity_id, record.name, record.kind))
            if c.code:
                self._codes[normalise_code(c.code)] = c.entity_id

    def __len__(self) -> int:
        return len(self._candidates)

    def search(self, query: Query, limit: int = 10) -> list[Hit]:
        best: dict[int, Hit] = {}
        if query.code:
            entity_id = self._codes.get(normalise_code(query.code))
            if entity_id is not None:
                listed = self._candidates[entity_id].names[0].name
                best[entity_id] = Hit(entity_id, 100.0, "exact", "self", listed)
        text = normalise(query.name) if query.name else ""
        if text:
            found = process.extract(text, self._names, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=POSSIBLE)
            for choice, score, index in found:
                entity_id, listed, kind = self._owners[index]
                if entity_id in best and best[entity_id].score >= score:
                    continue
                level: MatchLevel = "exact" if choice == text else "strong" if score >= STRONG else "possible"
                relation: Relation = "former_name" if kind == "former" else "self"
                best[entity_id] = Hit(entity_id, float(score), level, relation, listed)
        return sorted(best.values(), key=lambda h: -h.score)[:limit]
