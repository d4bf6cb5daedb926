"""Screening ids (registry.screening.ids): reserved in blocks on PostgreSQL, so storing a screening
is one INSERT; on SQLite the next after the largest stored, read in the writing transaction."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.models import Screening
from registry.screening.ids import IdBlocks


def _statements(connection: sa.Connection) -> list[str]:
    seen: list[str] = []

    @sa.event.listens_for(connection, "before_cursor_execute")
    def _seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    return seen


def test_postgresql_reserves_a_block_and_hands_it_out_in_order(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no block (the next test)")
    seen = _statements(connection)
    blocks = IdBlocks(size=3)
    ids = [blocks.take(connection) for _ in range(4)]
    assert len(set(ids)) == 4
    assert ids == sorted(ids)
    assert ids[1] == ids[0] + 1
    assert ids[2] == ids[1] + 1
    assert sum("nextval" in s for s in seen) == 2  # one block of three, then the next
    blocks._pid = -1  # as in a forked child: the parent's block is not its own
    after_fork = blocks.take(connection)
    assert after_fork > ids[3] + 1  # ids[3]'s block had two left; the child reserved its own
    assert sum("nextval" in s for s in seen) == 3


def test_sqlite_takes_the_next_after_the_largest_stored(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("PostgreSQL reserves blocks (the test above)")
    largest = session.scalar(sa.select(sa.func.coalesce(sa.func.max(Screening.id), 0)))
    seen = _statements(connection)
    assert IdBlocks().take(connection) == largest + 1
    assert len(seen) == 1
