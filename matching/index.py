"""The candidate index: listed names by exact key and by 字号 bigrams, in numpy arrays.

Every name of every listed entity is a row with an integer id. A row keeps only what candidate
generation needs, in fixed-width columns and UTF-8 buffers: the entity id, the kind of name
(and whether it is a branch's, whether it states a region), whether it is live, the entity's
code, hashes and small ids of its parts (字号, 行业, 行政区划, 组织形式) for ranking, the 字号
with the region written before it (for the pre-test), and the name itself, re-parsed when it is
scored. With the lookup tables that is about 180 bytes a name (`stats()`).

Lookups are by 64-bit hashes (Python's `hash`, stable within a process; a collision only adds
a candidate, which then scores low):

- exact keys: the entity's valid code and the 组织机构代码 inside it (characters 9–17); each
  name's exact key; its 字号; for a branch, the exact key of its head company's name;
- postings: the bigrams of each name's 字号 (a one-character 字号 is its own gram);
- slip postings: the 字号 with one character replaced by a reading or a look-alike group
  (`characters.slip_keys`: 合晟 under 合·sheng, …), so that 合胜 finds 合晟.

A build parses every name once (OpenCC is called once per thousand names) and, for 200,000
entities and more, shares the work among forked processes, one per CPU (`build`).

After `build` these live in sorted arrays (CSR: sorted keys, offsets, row ids). Later changes
go to small dicts beside them and dead rows are masked, so an upsert costs microseconds; when
the additions grow past a share of the base they are merged in (`compact`).

Candidate generation never scans the names: it takes the rows with the same 字号 and the
postings of the query's bigrams (rarest first, at most `MAX_POSTINGS` rows in all), counts the
bigrams each row shares, ranks rows by that count and by agreement on 字号, 行业, 行政区划 and
组织形式 (vectorised), and returns the top `k`. Apart from those, the rows one slip away
(`by_slips`, from the slip postings, at most `MAX_SLIP_POSTINGS` rows) that state the query's
行政区划 or 行业 are ranked by agreement on those and on 组织形式: they share no bigram with it.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import signal
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from matching import characters
from matching.codes import organisation_part, valid_code
from matching.industries import industries_conflict
from matching.parse import ParsedName, parse_many, parse_name
from matching.readings import detach_region, trade_with_region
from matching.regions import region_agreement
from matching.types import Candidate, NameKind

MAX_POSTINGS = 4_000  # rows read from bigram postings per query, at most
MAX_SLIP_POSTINGS = 2_000  # rows read from slip postings per query, at most
COMPACT_AT = 0.05  # merge the additions once they exceed this share of the base (and 10,000)

_KINDS: tuple[NameKind, ...] = ("current", "former", "alias")
_KIND_ID = {kind: i for i, kind in enumerate(_KINDS)}
_BRANCH = 0x80  # flags in the kind column: the name is a 分支机构's;
_UNPLACED = 0x40  # the name (a branch: its head company's name) states no region

IntArray = npt.NDArray[np.int64]
RowArray = npt.NDArray[np.uint32]


class _Column:
    """A typed numpy column that grows by doubling."""

    def __init__(self, dtype: Any, capacity: int = 1024) -> None:
        self._data: np.ndarray[Any, Any] = np.zeros(max(capacity, 16), dtype=dtype)
        self._size = 0

    @classmethod
    def of(cls, values: np.ndarray[Any, Any]) -> _Column:
        column = cls(values.dtype, capacity=len(values) + 1024)
        column._data[: len(values)] = values
        column._size = len(values)
        return column

    def append(self, value: Any) -> None:
        if self._size == len(self._data):
            grown = np.zeros(len(self._data) * 2, dtype=self._data.dtype)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size] = value
        self._size += 1

    @property
    def values(self) -> np.ndarray[Any, Any]:
        """The filled part (a view: valid until the next append)."""
        return self._data[: self._size]

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)


class _Table:
    """A multimap from int64 keys to row ids: a sorted base plus a dict of additions."""

    def __init__(self) -> None:
        self.keys: IntArray = np.zeros(0, dtype=np.int64)  # sorted, unique
        self.starts: IntArray = np.zeros(1, dtype=np.int64)  # rows of keys[i]: rows[starts[i]:starts[i+1]]
        self.rows: RowArray = np.zeros(0, dtype=np.uint32)
        self.added: dict[int, list[int]] = {}
        self.added_count = 0

    @classmethod
    def from_pairs(cls, keys: IntArray, rows: RowArray) -> _Table:
        table = cls()
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        table.rows = rows[order].astype(np.uint32)
        unique, starts = np.unique(sorted_keys, return_index=True)
        table.keys = unique.astype(np.int64)
        table.starts = np.append(starts, len(sorted_keys)).astype(np.int64)
        return table

    def add(self, key: int, row: int) -> None:
        self.added.setdefault(key, []).append(row)
        self.added_count += 1

    def size(self, key: int) -> int:
        i = int(np.searchsorted(self.keys, key))
        base = (
            int(self.starts[i + 1] - self.starts[i])
            if i < len(self.keys) and self.keys[i] == key
            else 0
        )
        return base + len(self.added.get(key, ()))

    def get(self, key: int) -> RowArray:
        i = int(np.searchsorted(self.keys, key))
        if i < len(self.keys) and self.keys[i] == key:
            base = self.rows[self.starts[i] : self.starts[i + 1]]
        else:
            base = self.rows[:0]
        extra = self.added.get(key)
        if extra:
            return np.concatenate([base, np.asarray(extra, dtype=np.uint32)])
        return base

    def get_many(self, keys: Sequence[int], limit: int, skip: Callable[[int], bool] | None = None) -> RowArray:
        """The rows of several keys, in the order of the keys, `limit` rows at most (one
        vectorised search of the base, then the additions). `skip(i)`: leave out the base's
        `i`th key (its index in `keys`, the sorted array)."""
        found: list[RowArray] = []
        total = 0
        if len(self.keys) and keys:
            wanted = np.asarray(keys, dtype=np.int64)
            at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
            at = at[self.keys[at] == wanted]
            for i in at.tolist():
                if skip is not None and skip(i):
                    continue
                start, stop = int(self.starts[i]), int(self.starts[i + 1])
                found.append(self.rows[start : min(stop, start + limit - total)])
                total += len(found[-1])
                if total >= limit:
                    break
        if self.added and total < limit:
            for key in keys:
                extra = self.added.get(key)
                if extra:
                    found.append(np.asarray(extra[: limit - total], dtype=np.uint32))
                    total += len(found[-1])
                    if total >= limit:
                        break
        return np.concatenate(found) if found else self.rows[:0]

    def pairs(self) -> tuple[IntArray, RowArray]:
        """Every (key, row), base and additions."""
        counts = np.diff(self.starts)
        keys = [np.repeat(self.keys, counts)]
        rows = [self.rows]
        if self.added:
            keys.append(
                np.fromiter(
                    (k for k, rs in self.added.items() for _ in rs), dtype=np.int64, count=self.added_count
                )
            )
            rows.append(
                np.fromiter(
                    (r for rs in self.added.values() for r in rs), dtype=np.uint32, count=self.added_count
                )
            )
        return np.concatenate(keys), np.concatenate(rows)

    @property
    def nbytes(self) -> int:
        # the additions: about 100 bytes per entry in dicts and lists of ints
        return int(self.keys.nbytes + self.starts.nbytes + self.rows.nbytes) + 100 * self.added_count


class _Texts:
    """Strings kept as one UTF-8 buffer and their end offsets (about 3 bytes a character)."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._ends = _Column(np.int64)

    @classmethod
    def joined(cls, pieces: list[tuple[bytearray, IntArray]]) -> _Texts:
        """One buffer from several (buffer, ends), in order."""
        texts = cls()
        ends: list[IntArray] = []
        for buffer, piece_ends in pieces:
            ends.append(piece_ends + len(texts._buffer))
            texts._buffer += buffer
        texts._ends = _Column.of(np.concatenate(ends) if ends else np.zeros(0, dtype=np.int64))
        return texts

    def append(self, text: str) -> None:
        self._buffer.extend(text.encode())
        self._ends.append(len(self._buffer))

    def get_many(self, rows: RowArray) -> list[str]:
        ends = self._ends.values
        index = rows.astype(np.int64)
        stops = ends[index].tolist()
        starts = np.where(index > 0, ends[np.maximum(index - 1, 0)], 0).tolist()
        buffer = self._buffer
        return [buffer[a:b].decode() for a, b in zip(starts, stops, strict=True)]

    @property
    def nbytes(self) -> int:
        return len(self._buffer) + self._ends.nbytes


class _Row(NamedTuple):
    """One name's row, before it is stored (a tuple: millions are made during a build)."""

    entity: int
    kind: int
    code: bytes
    trade: int
    industry: int
    region: int
    form: int
    text: str
    trade_ext: str
    trade_skip: int
    exact: tuple[int, ...]
    grams: tuple[int, ...]
    slips: tuple[int, ...]


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


MAX_GRAMS = 16  # a 字号 has two to four characters; a garbage "name" must not cost more


def grams(name: ParsedName) -> set[str]:
    """The postings a name is filed under: the bigrams of its 字号 (for a branch, the head's),
    the first `MAX_GRAMS` of them."""
    trade = name.trade_name or name.core
    if len(trade) < 2:
        return {trade} if trade else set()
    return {trade[i : i + 2] for i in range(min(len(trade) - 1, MAX_GRAMS))}


def _numpy(values: array[int], dtype: Any) -> np.ndarray[Any, Any]:
    """A numpy copy of an array.array (same item size: the buffer is reinterpreted)."""
    return np.frombuffer(values, dtype=dtype).copy() if len(values) else np.zeros(0, dtype=dtype)


def _exact_name_key(key: str) -> int:
    return hash("n\x00" + key)


def _exact_head_key(key: str) -> int:
    return hash("h\x00" + key)


def _exact_code_key(code: str) -> int:
    return hash("c\x00" + code)


def _exact_trade_key(trade: str) -> int:
    return hash("t\x00" + trade)


def _exact_organisation_key(code: str) -> int:
    return hash("o\x00" + code)


def _slip_hashes(name: ParsedName) -> tuple[int, ...]:
    """The slip postings of a name: its 字号's (for a branch, the head's) slip keys, hashed; for
    a name that states no region, also those of its 字号 without a leading region name (虞城五阳
    may be 虞城 + 五阳, as the scorer reads it)."""
    keys = characters.slip_keys(name.trade_name)
    head = name.branch.head if name.branch is not None else name
    if not head.regions:
        detached = detach_region(head.trade_name)
        if detached is not None:
            keys += characters.slip_keys(detached[1])
    return tuple(map(hash, keys))


def _rows(
    candidate: Candidate, names: list[ParsedName], part_id: Callable[[object], int]
) -> Iterator[_Row]:
    """What the index keeps of each usable name of a candidate (`names`: its names parsed;
    `part_id`: the small id of a part's value)."""
    entity_code = valid_code(candidate.code)
    code = entity_code.encode() if entity_code else b""
    code_key = (
        (_exact_code_key(entity_code), _exact_organisation_key(organisation_part(entity_code)))
        if entity_code
        else ()
    )
    for record, parsed in zip(candidate.names, names, strict=True):
        if parsed.is_empty:
            continue
        exact = (_exact_name_key(parsed.key), _exact_trade_key(parsed.trade_name), *code_key)
        head = parsed
        if parsed.branch is not None:
            exact += (_exact_head_key(parsed.branch.head.key),)
            head = parsed.branch.head
        trade_ext, skip = trade_with_region(parsed)
        yield _Row(
            candidate.entity_id,
            _KIND_ID[record.kind]
            | (_BRANCH if parsed.branch is not None else 0)
            | (0 if head.regions else _UNPLACED),
            code,
            hash(parsed.trade_name),
            part_id(parsed.industry),
            part_id(parsed.region_codes),
            part_id(parsed.legal_form),
            record.name,
            trade_ext,
            skip,
            exact,
            tuple(map(hash, grams(parsed))),
            _slip_hashes(parsed),
        )


def _parsed_in_batches(
    candidates: Iterable[Candidate], batch: int = 2000
) -> Iterator[tuple[Candidate, list[ParsedName]]]:
    """Each candidate with its names parsed, `batch` candidates' names at a time (see
    `parse_many`)."""
    chunk: list[Candidate] = []
    for candidate in itertools.chain(candidates, [None]):
        if candidate is not None:
            chunk.append(candidate)
            if len(chunk) < batch:
                continue
        parsed = iter(parse_many([r.name for c in chunk for r in c.names]))
        for c in chunk:
            yield c, [next(parsed) for _ in c.names]
        chunk = []


@dataclass
class _Part:
    """The rows built for a share of the candidates, in arrays; part ids are local to it
    (`parts[id]` is the value) until the index merges it."""

    entity: IntArray
    kind: np.ndarray[Any, Any]
    code: np.ndarray[Any, Any]
    trade: IntArray
    industry: np.ndarray[Any, Any]
    region: np.ndarray[Any, Any]
    form: np.ndarray[Any, Any]
    skip: np.ndarray[Any, Any]
    names: bytearray
    name_ends: IntArray
    trades: bytearray
    trade_ends: IntArray
    exact_keys: IntArray
    exact_rows: RowArray
    gram_keys: IntArray
    gram_rows: RowArray
    slip_keys: IntArray
    slip_rows: RowArray
    parts: list[object]


def _build_part(candidates: Sequence[Candidate]) -> _Part:
    """Build the rows of these candidates.

    In array.array buffers (a few bytes an entry, no Python objects), then numpy. The cyclic
    garbage collector is paused meanwhile: a build allocates millions of short-lived objects and
    no cycles, and full collections over the caller's million Candidate objects would cost more
    than the build itself."""
    part_ids: dict[object, int] = {}
    parts: list[object] = []

    def part_id(value: object) -> int:
        found = part_ids.get(value)
        if found is None:
            found = part_ids[value] = len(parts)
            parts.append(value)
        return found

    entity, kind, trade = array("q"), array("B"), array("q")
    industry, region, form, skip = array("I"), array("I"), array("I"), array("B")
    codes = bytearray()
    names, name_ends = bytearray(), array("q")
    trades, trade_ends = bytearray(), array("q")
    exact_keys, exact_rows = array("q"), array("I")
    gram_keys, gram_rows = array("q"), array("I")
    slip_keys, slip_rows = array("q"), array("I")
    collecting = gc.isenabled()
    gc.disable()
    try:
        row = 0
        for candidate, parsed in _parsed_in_batches(candidates):
            for r in _rows(candidate, parsed, part_id):
                entity.append(r.entity)
                kind.append(r.kind)
                codes += r.code.ljust(18, b"\0")
                trade.append(r.trade)
                industry.append(r.industry)
                region.append(r.region)
                form.append(r.form)
                skip.append(r.trade_skip)
                names += r.text.encode()
                name_ends.append(len(names))
                trades += r.trade_ext.encode()
                trade_ends.append(len(trades))
                for key in r.exact:
                    exact_keys.append(key)
                    exact_rows.append(row)
                for key in r.grams:
                    gram_keys.append(key)
                    gram_rows.append(row)
                slip_keys.extend(r.slips)
                slip_rows.extend(itertools.repeat(row, len(r.slips)))
                row += 1
    finally:
        if collecting:
            gc.enable()
    return _Part(
        entity=_numpy(entity, np.int64),
        kind=_numpy(kind, np.uint8),
        code=np.frombuffer(bytes(codes), dtype="S18").copy(),
        trade=_numpy(trade, np.int64),
        industry=_numpy(industry, np.uint32),
        region=_numpy(region, np.uint32),
        form=_numpy(form, np.uint32),
        skip=_numpy(skip, np.uint8),
        names=names,
        name_ends=_numpy(name_ends, np.int64),
        trades=trades,
        trade_ends=_numpy(trade_ends, np.int64),
        exact_keys=_numpy(exact_keys, np.int64),
        exact_rows=_numpy(exact_rows, np.uint32),
        gram_keys=_numpy(gram_keys, np.int64),
        gram_rows=_numpy(gram_rows, np.uint32),
        slip_keys=_numpy(slip_keys, np.int64),
        slip_rows=_numpy(slip_rows, np.uint32),
        parts=parts,
    )


PARALLEL_FROM = 200_000  # entities: below this a build is not worth forking for
_SHARED: list[Candidate] = []  # the candidates of a build in progress, for its forked workers


def _worker_count(entities: int, workers: int | None) -> int:
    """How many processes to build with (see `CandidateIndex.build`)."""
    if workers is not None:
        wanted = min(workers, entities)
    elif entities < PARALLEL_FROM:
        return 1
    else:
        wanted = min(os.cpu_count() or 1, 4)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    # forking a process that runs other threads can copy a lock one of them holds
    return wanted if wanted > 1 and forkable and threading.active_count() == 1 else 1


def _build_share(bounds: tuple[int, int]) -> _Part:
    """In a forked worker: build the rows of its share of the candidates."""
    start, stop = bounds
    return _build_part(_SHARED[start:stop])


def _as_a_plain_worker() -> None:
    """In a forked worker: the default signal handlers, not the parent's (a gunicorn worker's
    SIGTERM handler only sets a flag, and would keep a worker alive that should stop)."""
    for name in ("SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _build_in_processes(candidates: list[Candidate], workers: int) -> list[_Part] | None:
    """The rows of the candidates built by `workers` forked processes, in order; None if the
    processes could not be used (the caller then builds alone)."""
    global _SHARED
    step = -(-len(candidates) // workers)
    shares = [(i, min(i + step, len(candidates))) for i in range(0, len(candidates), step)]
    _SHARED = candidates  # forked workers inherit it: nothing is pickled on the way in
    try:
        pool = multiprocessing.get_context("fork").Pool(len(shares), _as_a_plain_worker)
    except OSError:
        _SHARED = []
        return None
    try:
        built: list[_Part] = pool.map(_build_share, shares)
        return built
    except (OSError, multiprocessing.ProcessError):
        return None
    finally:
        # close and join, not terminate: the workers finish their loop and exit by themselves
        pool.close()
        pool.join()
        _SHARED = []


class CandidateIndex:
    """Listed names, found by code, by exact name, as a branch's head, or by shared bigrams."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._entity = _Column(np.int64)
        self._kind = _Column(np.uint8)
        self._live = _Column(np.bool_)
        self._code = _Column("S18")
        self._trade = _Column(np.int64)  # hash of the 字号
        self._industry = _Column(np.uint32)  # small ids of the parts, for ranking
        self._region = _Column(np.uint32)
        self._form = _Column(np.uint16)
        self._trade_skip = _Column(np.uint8)
        self._names = _Texts()
        self._trades = _Texts()  # StoredName.trade_ext, for rejecting candidates before parsing
        # Small ids for the parts used in ranking (行业 words, 行政区划 codes, 组织形式); 0 = none.
        self._part_ids: dict[object, int] = {"": 0, frozenset(): 0, (): 0}
        self._parts: list[object] = [frozenset()]
        self._exact = _Table()
        self._grams = _Table()
        self._slips = _Table()
        self._slip_sole: IntArray = np.zeros(0, dtype=np.int64)  # see `_sole_trades`
        self._by_entity = _Table()
        self._entities = 0

    # --- building and keeping fresh ---------------------------------------------------------

    def build(self, candidates: Iterable[Candidate], workers: int | None = None) -> None:
        """Index these entities, replacing everything indexed before (a later row for the same
        entity id replaces an earlier one).

        A large build is shared among `workers` forked processes (None: as many as there are
        CPUs, up to 4, for 200,000 entities and more, when the process has a single thread and
        can fork; 1: never). Each builds the rows of its share; this process merges them."""
        items = list({c.entity_id: c for c in candidates}.values())
        self._reset()
        characters.load()  # once here, rather than in each worker
        count = _worker_count(len(items), workers)
        parts = _build_in_processes(items, count) if count > 1 else None
        self._merge(parts or [_build_part(items)])

    def _merge(self, parts: list[_Part]) -> None:
        """Adopt the rows built in `parts`, in order, as the base of the index."""
        rows = 0
        exact_keys, exact_rows, gram_keys, gram_rows, slip_keys, slip_rows = [], [], [], [], [], []
        for part in parts:
            ids = np.fromiter((self._part_id(v) for v in part.parts), dtype=np.uint32, count=len(part.parts))
            part.industry, part.region = ids[part.industry], ids[part.region]
            part.form = ids[part.form].astype(np.uint16)
            exact_keys.append(part.exact_keys)
            exact_rows.append(part.exact_rows + np.uint32(rows))
            gram_keys.append(part.gram_keys)
            gram_rows.append(part.gram_rows + np.uint32(rows))
            slip_keys.append(part.slip_keys)
            slip_rows.append(part.slip_rows + np.uint32(rows))
            rows += len(part.entity)

        def joined(name: str) -> np.ndarray[Any, Any]:
            return np.concatenate([getattr(part, name) for part in parts])

        self._entity = _Column.of(joined("entity"))
        self._kind = _Column.of(joined("kind"))
        self._live = _Column.of(np.ones(rows, dtype=np.bool_))
        self._code = _Column.of(joined("code"))
        self._trade = _Column.of(joined("trade"))
        self._industry = _Column.of(joined("industry"))
        self._region = _Column.of(joined("region"))
        self._form = _Column.of(joined("form"))
        self._trade_skip = _Column.of(joined("skip"))
        self._names = _Texts.joined([(part.names, part.name_ends) for part in parts])
        self._trades = _Texts.joined([(part.trades, part.trade_ends) for part in parts])
        self._exact = _Table.from_pairs(np.concatenate(exact_keys), np.concatenate(exact_rows))
        self._grams = _Table.from_pairs(np.concatenate(gram_keys), np.concatenate(gram_rows))
        self._slips = _Table.from_pairs(np.concatenate(slip_keys), np.concatenate(slip_rows))
        self._slip_sole = self._sole_trades()
        self._by_entity = _Table.from_pairs(self._entity.values.copy(), np.arange(rows, dtype=np.uint32))
        self._entities = len(self._by_entity.keys)

    def upsert(self, candidate: Candidate) -> None:
        """Index an entity's current names and code, replacing what was indexed for it."""
        self._drop(candidate.entity_id)
        added = False
        parsed = [parse_name(record.name) for record in candidate.names]
        for r in self._rows(candidate, parsed):
            row = len(self._entity)
            self._entity.append(r.entity)
            self._kind.append(r.kind)
            self._live.append(True)
            self._code.append(r.code)
            self._trade.append(r.trade)
            self._industry.append(r.industry)
            self._region.append(r.region)
            self._form.append(r.form)
            self._trade_skip.append(r.trade_skip)
            self._names.append(r.text)
            self._trades.append(r.trade_ext)
            for key in r.exact:
                self._exact.add(key, row)
            for key in r.grams:
                self._grams.add(key, row)
            for key in r.slips:
                self._slips.add(key, row)
            self._by_entity.add(r.entity, row)
            added = True
        if added:
            self._entities += 1
        if self._grams.added_count > max(10_000, COMPACT_AT * len(self._grams.rows)) or (
            self._slips.added_count > max(10_000, COMPACT_AT * len(self._slips.rows))
        ):
            self.compact()

    def _rows(self, candidate: Candidate, names: list[ParsedName]) -> Iterator[_Row]:
        """What the index keeps of each usable name of a candidate (`names`: its names parsed)."""
        return _rows(candidate, names, self._part_id)

    def remove(self, entity_id: int) -> bool:
        """Forget an entity; False if it was not indexed."""
        return self._drop(entity_id)

    def _drop(self, entity_id: int) -> bool:
        rows = self._by_entity.get(entity_id)
        if len(rows) == 0:
            return False
        live = self._live.values
        if not live[rows].any():
            return False
        live[rows] = False
        self._entities -= 1
        return True

    def compact(self) -> None:
        """Merge the additions into the sorted arrays and drop dead rows from them."""
        live = self._live.values
        for name in ("_exact", "_grams", "_slips", "_by_entity"):
            table: _Table = getattr(self, name)
            keys, rows = table.pairs()
            keep = live[rows]
            setattr(self, name, _Table.from_pairs(keys[keep], rows[keep]))
        self._slip_sole = self._sole_trades()

    def _sole_trades(self) -> IntArray:
        """For each slip key of the base, the hash of the one 字号 filed under it, or 0 when there
        are several: most keys hold one 字号 only, and a search for that 字号 need not read them
        (a slip is another 字号)."""
        table = self._slips
        if not len(table.keys):
            return np.zeros(0, dtype=np.int64)
        trades = self._trade.values[table.rows]
        starts = table.starts[:-1]
        low, high = np.minimum.reduceat(trades, starts), np.maximum.reduceat(trades, starts)
        return np.where(low == high, low, 0).astype(np.int64)

    def _part_id(self, part: object) -> int:
        found = self._part_ids.get(part)
        if found is None:
            found = self._part_ids[part] = len(self._parts)
            self._parts.append(part)
        return found

    # --- looking up -------------------------------------------------------------------------

    def _live_rows(self, rows: RowArray) -> RowArray:
        return rows[self._live.values[rows]] if len(rows) else rows

    def by_code(self, code: str) -> RowArray:
        """Rows of the names of the entity with this (valid, normalised) code."""
        return self._live_rows(self._exact.get(_exact_code_key(code)))

    def by_organisation_code(self, code: str) -> RowArray:
        """Rows of the names of the entity whose code holds this 组织机构代码 (characters 9–17)."""
        return self._live_rows(self._exact.get(_exact_organisation_key(code)))

    def by_key(self, key: str) -> RowArray:
        """Rows whose exact key is `key`."""
        return self._live_rows(self._exact.get(_exact_name_key(key)))

    def branches_of(self, key: str) -> RowArray:
        """Rows of listed branches whose head company's exact key is `key`."""
        return self._live_rows(self._exact.get(_exact_head_key(key)))

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
        live, regions, industries = self._live.values, self._region.values, self._industry.values
        return any(
            live[row] and regions[row] == region and industries[row] == industry
            for row in same_trade.tolist()[:64]
        )

    def by_grams(self, name: ParsedName, k: int) -> tuple[RowArray, RowArray]:
        """The `k` live rows that best share the query's 字号: those with the same 字号, and those
        sharing its bigrams (rarest first, `MAX_POSTINGS` at most), ranked (vectorised) by the
        number of bigrams shared, then agreement on 字号, 行业, 行政区划 and 组织形式; and the
        rows with the same 字号 (live or not)."""
        same_trade = self._exact.get(_exact_trade_key(name.trade_name))
        keys = sorted((hash(g) for g in grams(name)), key=self._grams.size)
        parts: list[RowArray] = [same_trade]
        total = 0
        for key in keys:
            posting = self._grams.get(key)
            if total and total + len(posting) > MAX_POSTINGS:
                break
            parts.append(posting[:MAX_POSTINGS])
            total += len(parts[-1])
        rows: RowArray
        shared: IntArray
        rows, shared = np.unique(np.concatenate(parts), return_counts=True)
        live = self._live.values[rows]
        rows, shared = rows[live], shared[live]
        if len(rows) <= k:
            return np.asarray(rows, dtype=np.uint32), same_trade
        rank = shared.astype(np.int32) * 16
        rank += (self._trade.values[rows] == hash(name.trade_name)) * 8
        ids = self._part_ids
        industry = ids.get(name.industry, -1)
        region = ids.get(name.region_codes, -1)
        form = ids.get(name.legal_form, -1)
        if industry > 0:
            rank += (self._industry.values[rows] == industry) * 4
        if region > 0:
            rank += (self._region.values[rows] == region) * 2
        if form > 0:
            rank += self._form.values[rows] == form
        top = np.argpartition(-rank, k - 1)[:k]
        return np.asarray(rows[top], dtype=np.uint32), same_trade

    def by_slips(self, trades: Sequence[str], name: ParsedName, k: int) -> RowArray:
        """The `k` live rows whose 字号 is one slip away from one of `trades` (`characters.
        slip_keys`: one character replaced by a homophone or a look-alike), and not one of them,
        that name the same 行政区划 or the same 行业 as `name` and no 行业 of another trade,
        ranked by agreement on 行政区划, 行业 and 组织形式; `MAX_SLIP_POSTINGS` rows read at
        most."""
        keys = [hash(key) for trade in trades for key in characters.slip_keys(trade)]
        own = {hash(trade) for trade in trades}
        sole = self._slip_sole
        rows: RowArray = self._slips.get_many(keys, MAX_SLIP_POSTINGS, lambda i: int(sole[i]) in own)
        if not len(rows):
            return rows
        if len(rows) > 1:
            rows = np.unique(rows)
        keep = self._live.values[rows]
        trade_hashes = self._trade.values[rows]
        for trade in trades:  # one to three readings: cheaper than np.isin
            keep &= trade_hashes != hash(trade)
        # A slip alone is weak evidence: it is worth a look where the name also says the same
        # place or the same industry, as written (杭州 or 建设工程 on both sides), and says no
        # other place and no industry of another trade (then it never reaches `possible`; such
        # rows are many, and dear to score).
        ids = self._part_ids
        region = ids.get(name.region_codes, -1)
        industry = ids.get(name.industry, -1)
        regions, industries = self._region.values[rows], self._industry.values[rows]
        same_region = regions == region if region > 0 else np.zeros(len(rows), dtype=np.bool_)
        same_industry = industries == industry if industry > 0 else np.zeros(len(rows), dtype=np.bool_)
        keep &= same_region | same_industry
        parts = self._parts
        branch = (self._kind.values[rows] & _BRANCH) != 0  # its region is not its head company's
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
            rank += self._form.values[rows] == form
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
            (trade, skip, none if kind & _BRANCH else regions[region], bool(kind & _UNPLACED))
            for trade, skip, kind, region in zip(
                self._trades.get_many(rows),
                self._trade_skip.values[rows].tolist(),
                self._kind.values[rows].tolist(),
                self._region.values[rows].tolist(),
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
                kind=_KINDS[kind & 0x0F],
                code=code.decode() or None,
                trade_ext=trade,
                trade_skip=skip,
                regions=regions[region],
                is_branch=bool(kind & _BRANCH),
            )
            for row, entity, text, kind, code, trade, skip, region in zip(
                rows.tolist(),
                self._entity.values[rows].tolist(),
                self._names.get_many(rows),
                self._kind.values[rows].tolist(),
                self._code.values[rows].tolist(),
                self._trades.get_many(rows),
                self._trade_skip.values[rows].tolist(),
                self._region.values[rows].tolist(),
                strict=True,
            )
        ]

    def __len__(self) -> int:
        """The number of entities indexed."""
        return self._entities

    def stats(self) -> dict[str, int]:
        """Sizes and an estimate of the memory held, in bytes."""
        columns = (
            self._entity,
            self._kind,
            self._live,
            self._code,
            self._trade,
            self._industry,
            self._region,
            self._form,
            self._trade_skip,
        )
        column_bytes = sum(c.nbytes for c in columns)
        table_bytes = sum(t.nbytes for t in (self._exact, self._grams, self._slips, self._by_entity))
        text_bytes = self._names.nbytes + self._trades.nbytes
        return {
            "entities": self._entities,
            "names": int(self._live.values.sum()),
            "rows": len(self._entity),
            "grams": len(self._grams.keys),
            "postings": len(self._grams.rows) + self._grams.added_count,
            "slip_postings": len(self._slips.rows) + self._slips.added_count,
            "pending_additions": self._grams.added_count,
            "column_bytes": column_bytes,
            "table_bytes": table_bytes,
            "text_bytes": text_bytes,
            "approx_bytes": column_bytes + table_bytes + text_bytes + 200 * len(self._part_ids),
        }
