"""`NamePartsMatcher`: the candidate index and the `cn-name-parts` scorer behind the Matcher protocol.

A search gathers candidate names: every name of the entity with the subject's code (or the
组织机构代码 inside it), the same name, the head company of a branch, the listed branches of the
name, and the top names by the same 字号 and shared 字号 bigrams (half as many for a name that
states no region: its hits are `possible` at most), and by a 字号 one slip away (合胜 for 合晟:
`characters.slip`; not looked for when the name, or its 字号 and industry in its region, is
listed as written), that a cheap pre-test (`could_reach_possible`) does not rule out. It re-parses and scores only those, keeps each entity's best name (highest score, then the
best agreement of the names alone, then the current name), and returns the hits at `possible`
or above, best first.

A former name that states no region is compared with the region of the entity's current name;
an alias is read as its fuller name, with the region and legal form of the current name where it
states none (合晟建工, alias of 杭州合晟建设工程有限公司, is read as 杭州合晟建工有限公司: not a
南京 company, and no more than that name would be: `aliases`).

Bad input: a query with neither a name nor a code (None, blank, or only punctuation) raises
ValueError; a malformed code is ignored as evidence, so a query with only a malformed code finds
nothing (an empty list).

Thread-safe: one lock guards the index, so a sync thread may upsert while requests search.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matching import index_file
from matching.aliases import alias_feature, fuller_name
from matching.index import CandidateIndex, StoredName
from matching.parse import ParsedName, county_at_start, parse_name
from matching.readings import readings
from matching.scoring import (
    SCORER_NAME,
    SCORER_VERSION,
    Assessment,
    Subject,
    assess,
    could_reach_possible,
)
from matching.types import Candidate, Hit, Matcher, Query

CANDIDATES_PER_QUERY = 32  # names taken from the ranking by 字号 and bigrams, at most
SLIPS_PER_QUERY = 16  # names taken from those one slip away (of any reading of the 字号), at most


class NamePartsMatcher:
    """Matches Chinese enterprise names part by part (行政区划, 字号, 行业, 组织形式, 分支机构)
    and by 统一社会信用代码; implements `matching.types.Matcher`."""

    name: str = SCORER_NAME
    version: str = SCORER_VERSION

    def __init__(self, candidates_per_query: int = CANDIDATES_PER_QUERY, build_workers: int | None = None) -> None:
        """`build_workers`: processes a build may fork (see `CandidateIndex.build`; None: as
        many as there are CPUs for a large build in a single-threaded process; 1: never)."""
        self._index = CandidateIndex()
        self._per_query = candidates_per_query
        self._build_workers = build_workers
        self._lock = threading.Lock()

    def build(self, candidates: list[Candidate]) -> None:
        """Index these entities, replacing everything indexed before."""
        with self._lock:
            self._index.build(candidates, workers=self._build_workers)

    # --- index files (`index_file`): one copy of the index for every process of a machine ----

    @classmethod
    def from_file(cls, manifest: index_file.Manifest, *, verify: bool = True, **options: Any) -> NamePartsMatcher:
        """A matcher over the index in an index file, mapped read-only (its pages are shared with
        every process that maps it); what changes later is kept beside it, in this process, and
        it never compacts itself: see `needs_compaction`. Raises `index_file.IndexFileError`
        when the file is not one this process can use."""
        matcher = cls(**options)
        problem = index_file.mismatch(manifest, matcher.identity())
        if problem is not None:
            raise index_file.IndexFileError(f"{manifest.path}: {problem}")
        matcher._index.adopt(index_file.open_base(manifest, verify=verify))
        matcher._index.auto_compact = False
        return matcher

    def write_file(self, directory: Path, extra: Mapping[str, Any]) -> index_file.Manifest:
        """Write the index (its live rows, additions merged) as the current index file in
        `directory`; the caller holds its `index_file.BuildLock`."""
        with self._lock:
            base = self._index.export()
        return index_file.write(directory, base, self.identity(), extra)

    @classmethod
    def identity(cls) -> dict[str, str]:
        """What an index file records of the matcher that wrote it."""
        return {"name": cls.name, "version": cls.version}

    def needs_compaction(self) -> bool:
        """Whether enough changed since the build that the additions should be merged (a
        matcher over a file does not merge them itself: its owner writes a new file)."""
        with self._lock:
            return self._index.needs_compaction()

    def compact(self) -> None:
        """Merge the additions into this process's own arrays (copying a mapped base)."""
        with self._lock:
            self._index.compact()

    def upsert(self, candidate: Candidate) -> None:
        """Index an entity's names and code, replacing what was indexed for it."""
        with self._lock:
            self._index.upsert(candidate)

    def remove(self, entity_id: int) -> None:
        """Forget an entity (nothing happens if it was not indexed)."""
        with self._lock:
            self._index.remove(entity_id)

    def search(self, query: Query, limit: int = 10) -> list[Hit]:
        """The listed entities that may be the subject, best first, at most `limit`."""
        subject = Subject.of(query)
        if (subject.name.is_empty and subject.identifying_code is None) or limit <= 0:
            return []
        best: dict[int, tuple[Assessment, StoredName]] = {}
        with self._lock:
            candidates = self._candidates(subject)
            listed_names = [self._listed(stored, subject) for stored in candidates]
        for stored, listed in zip(candidates, listed_names, strict=True):
            assessment = assess(subject, listed, stored.code, stored.kind)
            if assessment.match is None:
                continue
            if stored.kind == "alias" and not subject.name.is_empty:
                explained = (*assessment.features, alias_feature(stored.text, listed))
                assessment = replace(assessment, features=explained)
            held = best.get(stored.entity_id)
            if held is None or _rank(assessment, stored) > _rank(*held):
                best[stored.entity_id] = (assessment, stored)
        ranked = sorted(best.values(), key=lambda pair: (*_rank(*pair), -pair[1].entity_id), reverse=True)
        return [
            Hit(
                entity_id=stored.entity_id,
                score=assessment.score,
                match=assessment.match or "possible",
                relation=assessment.relation,
                matched_name=stored.text,
                features=assessment.features,
            )
            for assessment, stored in ranked[:limit]
        ]

    def _candidates(self, subject: Subject) -> list[StoredName]:
        """The names worth scoring: every name found by code or exact key, and those of the
        top names by shared bigrams or one slip away whose 字号 is close enough to reach
        `possible`."""
        index = self._index
        name = subject.name
        sure = []
        if subject.code:
            sure.append(index.by_code(subject.code))
        elif subject.organisation:
            sure.append(index.by_organisation_code(subject.organisation))
        same_name = index.by_key(name.key) if not name.is_empty else None
        if same_name is not None:
            sure.append(same_name)
            sure.append(index.branches_of(name.key))
            if name.branch is not None:
                sure.append(index.by_key(name.branch.head.key))
        sure_rows = np.unique(np.concatenate(sure)) if sure else np.zeros(0, dtype=np.uint32)
        found = index.stored(sure_rows)
        if not name.is_empty:
            q_readings = readings(name)
            head = name.branch.head if name.branch is not None else name
            # Without a region a hit is at most `possible` and only the best few are shown:
            # fewer names are worth scoring (the slowest subjects are these).
            ranked, same_trade = index.by_grams(name, self._per_query if head.regions else self._per_query // 2)
            county = None if head.regions else county_at_start(head.trade_name)
            if county is not None:  # 漾濞正灿 may be 漾濞彝族自治县's 正灿: look that reading up too
                ranked = np.union1d(ranked, index.by_trade_in(county[1], county[0])).astype(np.uint32)
            if not (same_name is not None and len(same_name)) and not index.listed_here(same_trade, head):
                # a name one slip off a listed one (合胜 for 合晟); not when the name, or its 字号
                # and industry in its region, is listed as written: then it means that one, and a
                # name one slip away is another company's
                trades = list(dict.fromkeys(r.trade_name for r in q_readings))
                slips = index.by_slips(trades, head, SLIPS_PER_QUERY)
                if len(slips):
                    ranked = np.union1d(ranked, slips).astype(np.uint32)
            ranked = ranked[~np.isin(ranked, sure_rows)]
            regions = head.region_codes
            keep = [
                could_reach_possible(q_readings, regions, l_ext[skip:], l_ext, l_regions, unplaced)
                for l_ext, skip, l_regions, unplaced in index.trades(ranked)
            ]
            found.extend(index.stored(ranked[np.asarray(keep, dtype=np.bool_)]))
        return found

    def _listed(self, stored: StoredName, subject: Subject) -> ParsedName:
        """A listed name parsed; a former name that names no region takes the region of the
        entity's current name; an alias is read as its fuller name (`aliases.fuller_name`: 合晟建工
        of 杭州合晟建设工程有限公司 → 杭州合晟建工有限公司)."""
        listed = parse_name(stored.text)
        if stored.kind == "current" or subject.name.is_empty:
            return listed
        if stored.kind == "alias":
            return fuller_name(listed, self._current(stored.entity_id))
        if listed.regions:
            return listed
        current = self._current(stored.entity_id)
        if current is not None and current.regions:
            inherited = tuple(replace(m, inherited=True) for m in current.regions)
            return replace(listed, regions=inherited)
        return listed

    def _current(self, entity_id: int) -> ParsedName | None:
        """The entity's current name, parsed (None when it has none indexed)."""
        for stored in self._index.stored(self._index.rows_of(entity_id)):
            if stored.kind == "current":
                return parse_name(stored.text)
        return None

    def __len__(self) -> int:
        """The number of entities indexed."""
        return len(self._index)

    def stats(self) -> dict[str, int]:
        """Index sizes and a rough estimate of the memory it holds (`approx_bytes`)."""
        with self._lock:
            stats = self._index.stats()
        cache = parse_name.cache_info()
        stats["parse_cache_entries"] = cache.currsize
        stats["approx_bytes"] += 700 * cache.currsize  # a cached ParsedName and its strings
        return stats


def _rank(assessment: Assessment, stored: StoredName) -> tuple[float, float, int]:
    """How one entity's names are ordered: score, then how well the name alone agrees, then
    the current name before former names and aliases."""
    return assessment.score, assessment.name_score, stored.kind == "current"


if TYPE_CHECKING:  # the type checker confirms that NamePartsMatcher is a Matcher
    _matcher: Matcher = NamePartsMatcher()
