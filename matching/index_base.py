"""The base of the candidate index: named flat arrays and the list of part values (`Base`), as a
build makes them (`from_parts`), as a compaction makes them from an index's live rows
(`assemble`), and as an index file holds them (`index_file`). `index_store` adopts a base and
keeps what changes after it beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.index_arrays import IntArray, RowArray, csr
from matching.index_build import Part

COLUMNS: dict[str, Any] = {
    "entity": np.int64,
    "kind": np.uint8,
    "code": "S18",
    "trade": np.int64,  # hash of the 字号
    "industry": np.uint32,  # small ids of the parts, for ranking
    "region": np.uint32,
    "form": np.uint16,
    "skip": np.uint8,
}
TEXTS = ("names", "trades")  # each: `name` (UTF-8 bytes) and `name_ends`
TABLES = ("exact", "grams", "slips", "by_entity")  # each: `name_keys`, `name_starts`, `name_rows`
SLIP_SOLE = "slip_sole"  # see `sole_trades`

Arrays = dict[str, np.ndarray[Any, Any]]


@dataclass
class Base:
    """Every array of an index's base by name, and its part values (`parts[id]`; 0: none)."""

    arrays: Arrays
    parts: list[object]

    @property
    def rows(self) -> int:
        return len(self.arrays["entity"])

    @property
    def entities(self) -> int:
        return len(self.arrays["by_entity_keys"])


def array_names() -> list[str]:
    """The names of a base's arrays, in the order a file keeps them."""
    names = list(COLUMNS)
    for text in TEXTS:
        names += [text, f"{text}_ends"]
    for table in TABLES:
        names += [f"{table}_keys", f"{table}_starts", f"{table}_rows"]
    return [*names, SLIP_SOLE]


def sole_trades(keys: IntArray, starts: IntArray, rows: RowArray, trade: IntArray) -> IntArray:
    """For each slip key, the hash of the one 字号 filed under it, or 0 when there are several:
    most keys hold one 字号 only, and a search for that 字号 need not read them (a slip is
    another 字号)."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    trades = trade[rows]
    first = starts[:-1]
    low, high = np.minimum.reduceat(trades, first), np.maximum.reduceat(trades, first)
    return np.where(low == high, low, 0).astype(np.int64)


def assemble(
    columns: Mapping[str, np.ndarray[Any, Any]],
    texts: Mapping[str, tuple[npt.NDArray[np.uint8], IntArray]],
    pairs: Mapping[str, tuple[IntArray, RowArray]],
    parts: list[object],
) -> Base:
    """A base from its columns, texts and the (key, row) pairs of the exact, gram and slip
    tables; the table by entity and the sole trades of the slip keys are derived."""
    arrays: Arrays = {name: np.ascontiguousarray(columns[name], dtype=dtype) for name, dtype in COLUMNS.items()}
    for name in TEXTS:
        arrays[name], arrays[f"{name}_ends"] = texts[name]
    rows = len(arrays["entity"])
    tables = dict(pairs)
    tables["by_entity"] = (arrays["entity"].copy(), np.arange(rows, dtype=np.uint32))
    for name in TABLES:
        arrays[f"{name}_keys"], arrays[f"{name}_starts"], arrays[f"{name}_rows"] = csr(*tables[name])
    arrays[SLIP_SOLE] = sole_trades(arrays["slips_keys"], arrays["slips_starts"], arrays["slips_rows"], arrays["trade"])
    for array in arrays.values():
        array.flags.writeable = False  # a base is never written, mapped or not
    return Base(arrays, parts)


def empty() -> Base:
    """The base of an empty index."""
    none = np.zeros(0, dtype=np.uint32)
    return assemble(
        {name: np.zeros(0, dtype=dtype) for name, dtype in COLUMNS.items()},
        {name: (np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int64)) for name in TEXTS},
        {name: (np.zeros(0, dtype=np.int64), none) for name in TABLES if name != "by_entity"},
        [frozenset()],
    )


def from_parts(built: list[Part]) -> Base:
    """The base of the rows built in `built`, in order; part ids made global (0: none)."""
    ids: dict[object, int] = {"": 0, frozenset(): 0, (): 0}
    parts: list[object] = [frozenset()]

    def part_id(value: object) -> int:
        found = ids.get(value)
        if found is None:
            found = ids[value] = len(parts)
            parts.append(value)
        return found

    rows = 0
    fields = {"exact": "exact", "grams": "gram", "slips": "slip"}  # the table's and the Part's names
    keys: dict[str, list[IntArray]] = {name: [] for name in fields}
    row_ids: dict[str, list[RowArray]] = {name: [] for name in fields}
    for part in built:
        local = np.fromiter((part_id(v) for v in part.parts), dtype=np.uint32, count=len(part.parts))
        part.industry, part.region = local[part.industry], local[part.region]
        part.form = local[part.form].astype(np.uint16)
        for name, field in fields.items():
            keys[name].append(getattr(part, f"{field}_keys"))
            row_ids[name].append(getattr(part, f"{field}_rows") + np.uint32(rows))
        rows += len(part.entity)

    def joined(name: str) -> np.ndarray[Any, Any]:
        return np.concatenate([getattr(part, name) for part in built])

    columns = {name: joined(name) for name in COLUMNS}
    texts = {
        "names": _joined_texts([(part.names, part.name_ends) for part in built]),
        "trades": _joined_texts([(part.trades, part.trade_ends) for part in built]),
    }
    pairs = {name: (np.concatenate(keys[name]), np.concatenate(row_ids[name])) for name in keys}
    return assemble(columns, texts, pairs, parts)


def _joined_texts(pieces: list[tuple[bytearray, IntArray]]) -> tuple[npt.NDArray[np.uint8], IntArray]:
    """One buffer and its end offsets from several (buffer, ends), in order."""
    ends: list[IntArray] = []
    size = 0
    for piece, piece_ends in pieces:
        ends.append(piece_ends + size)
        size += len(piece)
    joined = np.frombuffer(b"".join(piece for piece, _ in pieces), dtype=np.uint8)
    return joined, (np.concatenate(ends) if ends else np.zeros(0, dtype=np.int64))
