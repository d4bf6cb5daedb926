"""Screening ids: new ones for a batch (`allocate_screening_ids`) and, on PostgreSQL, blocks of them
reserved ahead by each process (`IdBlocks`), so that storing a screening is one INSERT.

A screening's id is in its document, and its digest is computed over the document, so the id must
be known before the row is written. On PostgreSQL that took a round trip of its own (INSERT, then
UPDATE with the sealed document; later nextval, then INSERT); drawing ids from a block reserved
with one `nextval` over `generate_series` saves it for all but one screening in `BLOCK`. What that
costs: ids are unique and increase within a process, not across processes (another worker's block
may be lower or higher), and a process that stops leaves the rest of its block unused. Neither
matters: a screening id is a reference, not a register number (no 文号 rules apply), and the
evidence tree orders leaves as the anchoring step finds them (docs/evidence.md).

On SQLite the writer holds the database's one write lock, so the next id is the largest stored
plus one, read in the same transaction: no block is kept.
"""

from __future__ import annotations

import collections
import os
import threading
from typing import cast

import sqlalchemy as sa

from registry.models import Screening

BLOCK = 64  # ids a process reserves at once on PostgreSQL

_SCREENINGS = cast(sa.Table, Screening.__table__)
_NEXT_IDS_PG = sa.text(
    "SELECT nextval(pg_get_serial_sequence('screenings', 'id')) FROM generate_series(1, :n)"
).columns(sa.column("id", sa.BigInteger))
_LAST_ID = sa.select(sa.func.coalesce(sa.func.max(_SCREENINGS.c.id), 0))


def allocate_screening_ids(connection: sa.Connection, count: int) -> list[int]:
    """`count` new screening ids, in increasing order, within the connection's writing transaction."""
    if connection.dialect.name == "postgresql":
        return sorted(int(i) for i in connection.execute(_NEXT_IDS_PG, {"n": count}).scalars())
    last = int(connection.execute(_LAST_ID).scalar_one())
    return list(range(last + 1, last + count + 1))


class IdBlocks:
    """One process's reserved screening ids on PostgreSQL (see the module docstring); threads share
    it. A forked child starts with none: its parent's block is its parent's."""

    def __init__(self, size: int = BLOCK) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._free: collections.deque[int] = collections.deque()

    def take(self, connection: sa.Connection) -> int:
        """A new screening id for a row this connection's transaction is about to insert."""
        if connection.dialect.name != "postgresql":
            return allocate_screening_ids(connection, 1)[0]
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._free.clear()
            if not self._free:
                self._free.extend(allocate_screening_ids(connection, self._size))
            return self._free.popleft()
