"""What the candidate index keeps of one listed name: its row (`Row`), the flags of its kind
column, and the keys it is filed under (exact keys, 字号 bigrams, slip keys), as 64-bit hashes
that are the same in every process (`key_hash`).

`candidate_rows` makes the rows of a candidate; a build (`index_build`) and an upsert
(`index_store`) store them, and the lookups (`index`) hash a query's keys the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from matching import characters
from matching.codes import organisation_part, valid_code
from matching.parse import ParsedName
from matching.readings import detach_region, trade_with_region
from matching.types import Candidate, NameKind

KINDS: tuple[NameKind, ...] = ("current", "former", "alias")
_KIND_ID = {kind: i for i, kind in enumerate(KINDS)}
BRANCH = 0x80  # flags in the kind column: the name is a 分支机构's;
UNPLACED = 0x40  # the name (a branch: its head company's name) states no region


class Row(NamedTuple):
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


MAX_GRAMS = 16  # a 字号 has two to four characters; a garbage "name" must not cost more


def grams(name: ParsedName) -> set[str]:
    """The postings a name is filed under: the bigrams of its 字号 (for a branch, the head's),
    the first `MAX_GRAMS` of them."""
    trade = name.trade_name or name.core
    if len(trade) < 2:
        return {trade} if trade else set()
    return {trade[i : i + 2] for i in range(min(len(trade) - 1, MAX_GRAMS))}


def key_hash(text: str) -> int:
    """A key's 64-bit hash, the same in every process: Python salts the `hash` of a str per
    process, but not that of a tuple of small ints (xxHash rounds, here over the UTF-8 bytes), so
    an index written to a file by one process is read by another (`index_file`)."""
    return hash(tuple(text.encode()))


def exact_name_key(key: str) -> int:
    return key_hash("n\x00" + key)


def exact_head_key(key: str) -> int:
    return key_hash("h\x00" + key)


def exact_code_key(code: str) -> int:
    return key_hash("c\x00" + code)


def exact_trade_key(trade: str) -> int:
    return key_hash("t\x00" + trade)


def exact_organisation_key(code: str) -> int:
    return key_hash("o\x00" + code)


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
    return tuple(map(key_hash, keys))


def candidate_rows(candidate: Candidate, names: list[ParsedName], part_id: Callable[[object], int]) -> Iterator[Row]:
    """What the index keeps of each usable name of a candidate (`names`: its names parsed;
    `part_id`: the small id of a part's value)."""
    entity_code = valid_code(candidate.code)
    code = entity_code.encode() if entity_code else b""
    code_key = (
        (exact_code_key(entity_code), exact_organisation_key(organisation_part(entity_code))) if entity_code else ()
    )
    for record, parsed in zip(candidate.names, names, strict=True):
        if parsed.is_empty:
            continue
        exact = (exact_name_key(parsed.key), exact_trade_key(parsed.trade_name), *code_key)
        head = parsed
        if parsed.branch is not None:
            exact += (exact_head_key(parsed.branch.head.key),)
            head = parsed.branch.head
        trade_ext, skip = trade_with_region(parsed)
        yield Row(
            candidate.entity_id,
            _KIND_ID[record.kind] | (BRANCH if parsed.branch is not None else 0) | (0 if head.regions else UNPLACED),
            code,
            key_hash(parsed.trade_name),
            part_id(parsed.industry),
            part_id(parsed.region_codes),
            part_id(parsed.legal_form),
            record.name,
            trade_ext,
            skip,
            exact,
            tuple(map(key_hash, grams(parsed))),
            _slip_hashes(parsed),
        )
