"""The candidate index: listed names by exact key and by 字号 bigrams, in numpy arrays.

Every name of every listed entity is a row with an integer id. A row keeps only what candidate
generation needs, in fixed-width columns and UTF-8 buffers: the entity id, the kind of name
(and whether it is a branch's, whether it states a region), whether it is live, the entity's
code, hashes and small ids of its parts (字号, 行业, 行政区划, 组织形式) for ranking, the 字号
with the region written before it (for the pre-test), and the name itself, re-parsed when it is
scored. With the lookup tables that is about 180 bytes a name (`stats()`).

Lookups are by 64-bit hashes (`index_rows.key_hash`, the same in every process, so that one
index file serves every worker; a collision only adds a candidate, which then scores low):

- exact keys: the entity's valid code and the 组织机构代码 inside it (characters 9–17); each
  name's exact key; its 字号; for a branch, the exact key of its head company's name;
- postings: the bigrams of each name's 字号 (a one-character 字号 is its own gram);
- slip postings: the 字号 with one character replaced by a reading or a look-alike group
  (`characters.slip_keys`: 合晟 under 合·sheng, …), so that 合胜 finds 合晟.

A build parses every name once (OpenCC is called once per thousand names) and, for 200,000
entities and more, shares the work among forked processes, one per CPU (`build`).

After `build` these live in sorted arrays (CSR: sorted keys, offsets, row ids), which may also
be mapped from a file that every worker process shares (`index_file`). Later changes go to small
dicts and arrays beside them and dead rows are masked, so an upsert costs microseconds and never
copies a mapped array; when the additions grow past a share of the base they are merged in
(`compact`, or a new file).

Candidate generation never scans the names: it takes the rows with the same 字号 and the
postings of the query's bigrams (rarest first, at most `MAX_POSTINGS` rows in all), counts the
bigrams each row shares, ranks rows by that count and by agreement on 字号, 行业, 行政区划 and
组织形式 (vectorised), and returns the top `k`. Apart from those, the rows one slip away
(`by_slips`, from the slip postings, at most `MAX_SLIP_POSTINGS` rows) that state the query's
行政区划 or 行业 are ranked by agreement on those and on 组织形式: they share no bigram with it.

The modules: `index_arrays` (columns and tables), `index_rows` (what is kept of a name, and its
keys), `index_build` (building the rows of many candidates, in forked processes), `index_base`
(the arrays a build makes), `index_file` (writing them to a file and mapping it), `index_store`
(the storage, built and kept fresh); this one: the lookups.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from matching import characters
from matching.index_arrays import IntArray, RowArray
from matching.index_build import PARALLEL_FROM
from matching.index_rows import (
    BRANCH,
    KINDS,
    MAX_GRAMS,
    UNPLACED,
    exact_code_key,
    exact_head_key,
    exact_name_key,
    exact_organisation_key,
    exact_trade_key,
    grams,
    key_hash,
)
from matching.index_store import COMPACT_AT, IndexStore
from matching.industries import industries_conflict
from matching.parse import ParsedName
from matching.regions import region_agreement
from matching.types import NameKind

__all__ = [
    "COMPACT_AT",
    "MAX_GRAMS",
    "MAX_POSTINGS",
    "MAX_SLIP_POSTINGS",
    "PARALLEL_FROM",
    "CandidateIndex",
    "IntArray",
    "RowArray",
    "StoredName",
    "grams",
]

MAX_POSTINGS = 4_000  # rows read from bigram postings per query, at most
MAX_SLIP_POSTINGS = 2_000  # rows read from slip postings per query, at most


class StoredName(NamedTuple):
    """One indexed name of a listed entity."""

    row: int
    entity_id: int
    text: str  # as the registry gave it
    kind: NameKind
    code: str | None  # the entity's code, when valid
    trade_ext: str  # the 字号 with the region written just before it (for a branch: the head's)
    trade_skip: int  # how many characters of trade_ext are that region
    regions: frozenset[str]  # the codes of its most specific region (for a branch, its own)
    is_branch: bool

    @property
    def trade_name(self) -> str:
        return self.trade_ext[self.trade_skip :]


class CandidateIndex(IndexStore):
    """Listed names, found by code, by exact name, as a branch's head, or by shared bigrams."""

    # --- looking up -------------------------------------------------------------------------

    def _live_rows(self, rows: RowArray) -> RowArray:
        return rows[self._live.alive(rows)] if len(rows) else rows

    def by_code(self, code: str) -> RowArray:
        """Rows of the names of the entity with this (valid, normalised) code."""
        return self._live_rows(self._exact.get(exact_code_key(code)))

    def by_organisation_code(self, code: str) -> RowArray:
        """Rows of the names of the entity whose code holds this 组织机构代码 (characters 9–17)."""
        return self._live_rows(self._exact.get(exact_organisation_key(code)))

    def by_key(self, key: str) -> RowArray:
        """Rows whose exact key is `key`."""
        return self._live_rows(self._exact.get(exact_name_key(key)))

    def branches_of(self, key: str) -> RowArray:
        """Rows of listed branches whose head company's exact key is `key`."""
        return self._live_rows(self._exact.get(exact_head_key(key)))

    def rows_of(self, entity_id: int) -> RowArray:
        """Live rows of an entity's names."""
        return self._live_rows(self._by_entity.get(entity_id))

    def listed_here(self, same_trade: RowArray, name: ParsedName) -> bool:
        """Whether one of these rows (with `name`'s 字号: see `by_grams`) is live and has its
        行业 (as written) and (most specific) 行政区划."""
        region = self._part_ids.get(name.region_codes, 0)
        industry = self._part_ids.get(name.industry, -1)
        if not region or industry < 0 or not len(same_trade):
            return False
        rows = same_trade[:64]
        found = self._live.alive(rows) & (self._region.take(rows) == region) & (self._industry.take(rows) == industry)
        return bool(found.any())

    def by_grams(self, name: ParsedName, k: int) -> tuple[RowArray, RowArray]:
        """The `k` live rows that best share the query's 字号: those with the same 字号, and those
        sharing its bigrams (rarest first, `MAX_POSTINGS` at most), ranked (vectorised) by the
        number of bigrams shared, then agreement on 字号, 行业, 行政区划 and 组织形式; and the
        rows with the same 字号 (live or not)."""
        same_trade = self._exact.get(exact_trade_key(name.trade_name))
        # rarest first; of equal size, by key (not the order of a set, which differs by process)
        keys = sorted((self._grams.size(key), key) for key in map(key_hash, grams(name)))
        parts: list[RowArray] = [same_trade]
        total = 0
        for _, key in keys:
            posting = self._grams.get(key)
            if total and total + len(posting) > MAX_POSTINGS:
                break
            parts.append(posting[:MAX_POSTINGS])
            total += len(parts[-1])
        rows: RowArray
        shared: IntArray
        rows, shared = np.unique(np.concatenate(parts), return_counts=True)
        live = self._live.alive(rows)
        rows, shared = rows[live], shared[live]
        if len(rows) <= k:
            return np.asarray(rows, dtype=np.uint32), same_trade
        rank = shared.astype(np.int32) * 16
        rank += (self._trade.take(rows) == key_hash(name.trade_name)) * 8
        ids = self._part_ids
        industry = ids.get(name.industry, -1)
        region = ids.get(name.region_codes, -1)
        form = ids.get(name.legal_form, -1)
        if industry > 0:
            rank += (self._industry.take(rows) == industry) * 4
        if region > 0:
            rank += (self._region.take(rows) == region) * 2
        if form > 0:
            rank += self._form.take(rows) == form
        top = np.argpartition(-rank, k - 1)[:k]
        return np.asarray(rows[top], dtype=np.uint32), same_trade

    def by_trade_in(self, trade: str, codes: frozenset[str]) -> RowArray:
        """Live rows whose 字号 is `trade` and whose (most specific) 行政区划 is one of `codes`:
        a vectorised filter of the 字号's exact list, which is short beside a bigram's."""
        rows = self._live_rows(self._exact.get(exact_trade_key(trade)))
        ids = [i for i in (self._part_ids.get(frozenset((code,)), 0) for code in sorted(codes)) if i]
        if not ids or not len(rows):
            return rows[:0]
        return rows[np.isin(self._region.take(rows), ids)]

    def by_slips(self, trades: Sequence[str], name: ParsedName, k: int) -> RowArray:
        """The `k` live rows whose 字号 is one slip away from one of `trades` (`characters.
        slip_keys`: one character replaced by a homophone or a look-alike), and not one of them,
        that name the same 行政区划 or the same 行业 as `name` and no 行业 of another trade,
        ranked by agreement on 行政区划, 行业 and 组织形式; `MAX_SLIP_POSTINGS` rows read at
        most."""
        keys = [key_hash(key) for trade in trades for key in characters.slip_keys(trade)]
        own = {key_hash(trade) for trade in trades}
        sole = self._slip_sole
        rows: RowArray = self._slips.get_many(keys, MAX_SLIP_POSTINGS, lambda i: int(sole[i]) in own)
        if not len(rows):
            return rows
        if len(rows) > 1:
            rows = np.unique(rows)
        keep = self._live.alive(rows)
        trade_hashes = self._trade.take(rows)
        for trade in trades:  # one to three readings: cheaper than np.isin
            keep &= trade_hashes != key_hash(trade)
        # A slip alone is weak evidence: it is worth a look where the name also says the same
        # place or the same industry, as written (杭州 or 建设工程 on both sides), and says no
        # other place and no industry of another trade (then it never reaches `possible`; such
        # rows are many, and dear to score).
        ids = self._part_ids
        region = ids.get(name.region_codes, -1)
        industry = ids.get(name.industry, -1)
        regions, industries = self._region.take(rows), self._industry.take(rows)
        same_region = regions == region if region > 0 else np.zeros(len(rows), dtype=np.bool_)
        same_industry = industries == industry if industry > 0 else np.zeros(len(rows), dtype=np.bool_)
        keep &= same_region | same_industry
        parts = self._parts
        branch = (self._kind.take(rows) & BRANCH) != 0  # its region is not its head company's
        fits: dict[tuple[int, int], bool] = {}
        for j in np.flatnonzero(keep).tolist():
            pair = (
                0 if same_region[j] or branch[j] else int(regions[j]),
                0 if same_industry[j] else int(industries[j]),
            )
            fit = fits.get(pair)
            if fit is None:
                fit = fits[pair] = self._may_slip(name, parts[pair[0]], parts[pair[1]])
            keep[j] = fit
        rows = rows[keep]
        if len(rows) <= k:
            return np.asarray(rows, dtype=np.uint32)
        # the same region ranks first: without it a slip does not reach `possible`
        rank = same_region[keep] * 4 + same_industry[keep] * 2
        form = ids.get(name.legal_form, -1)
        if form > 0:
            rank += self._form.take(rows) == form
        top = np.argpartition(-rank, k - 1)[:k]
        return np.asarray(rows[top], dtype=np.uint32)

    @staticmethod
    def _may_slip(name: ParsedName, region: object, industry: object) -> bool:
        """Whether a listed name's region (codes) and industry (words), when not the same as
        `name`'s, leave a slip able to reach `possible`: one of them states none, or they agree
        (a region inside the other; industries of one trade, or one that says little)."""
        if (
            name.region_codes
            and isinstance(region, frozenset)
            and region
            and region_agreement(name.region_codes, region) == 0.0
        ):
            return False
        return not (isinstance(industry, tuple) and industries_conflict(name.industry, industry))

    def trades(self, rows: RowArray) -> list[tuple[str, int, frozenset[str], bool]]:
        """For each row: its `trade_ext`, `trade_skip`, its region codes (empty for a branch,
        whose own region is not its head company's), and whether it states no region: what
        `could_reach_possible` needs."""
        regions = self._parts
        none: frozenset[str] = frozenset()
        return [
            (trade, skip, none if kind & BRANCH else regions[region], bool(kind & UNPLACED))
            for trade, skip, kind, region in zip(
                self._trades.get_many(rows),
                self._trade_skip.take(rows).tolist(),
                self._kind.take(rows).tolist(),
                self._region.take(rows).tolist(),
                strict=True,
            )
        ]

    def stored(self, rows: RowArray) -> list[StoredName]:
        """The names at `rows`."""
        if not len(rows):
            return []
        regions = self._parts
        return [
            StoredName(
                row=row,
                entity_id=entity,
                text=text,
                kind=KINDS[kind & 0x0F],
                code=code.decode() or None,
                trade_ext=trade,
                trade_skip=skip,
                regions=regions[region],
                is_branch=bool(kind & BRANCH),
            )
            for row, entity, text, kind, code, trade, skip, region in zip(
                rows.tolist(),
                self._entity.take(rows).tolist(),
                self._names.get_many(rows),
                self._kind.take(rows).tolist(),
                self._code.take(rows).tolist(),
                self._trades.get_many(rows),
                self._trade_skip.take(rows).tolist(),
                self._region.take(rows).tolist(),
                strict=True,
            )
        ]
