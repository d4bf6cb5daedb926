"""Objects written many at a time (批量写入) with SQLAlchemy Core: ids taken from the table's sequence in
one step (PostgreSQL) or after the highest (SQLite), each object's column values as the ORM would
write them (defaults and types the models' own), children after their parents.
"""

from __future__ import annotations

import functools
from typing import Any, cast

import sqlalchemy as sa

from registry.database import Base


@functools.cache
def _columns(model: type[Base]) -> tuple[tuple[str, str, bool, Any], ...]:
    """(attribute, column, is primary key, default) of each column `model` maps."""
    found = []
    for prop in sa.inspect(model).column_attrs:
        column = prop.columns[0]
        default = column.default if isinstance(column.default, sa.ColumnDefault) else None
        found.append((prop.key, column.key, bool(column.primary_key), default))
    return tuple(found)


def _column_values(model: type[Base], obj: Any) -> dict[str, Any]:
    """The row an ORM flush would insert for the transient `obj`: the attributes it was given,
    each other column's default (stored back on `obj`, so its snapshot shows what was written),
    else NULL. The primary key is left to the database unless given."""
    given = obj.__dict__  # an instrumented object's attribute values (its state's dict)
    row: dict[str, Any] = {}
    for key, column, primary_key, default in _columns(model):
        if key in given:
            row[column] = given[key]
        elif primary_key:
            continue
        elif default is not None:
            value = default.arg if default.is_scalar else default.arg(None)
            setattr(obj, key, value)
            row[column] = value
        else:
            row[column] = None
    return row


def new_ids(connection: sa.Connection, table: sa.Table, count: int) -> list[int]:
    """`count` ids for new rows of `table`, ascending: the ones the database would give them.

    On PostgreSQL from the table's sequence (as an insert takes them); on SQLite the ones after
    the highest id, as SQLite numbers rows (this transaction holds its write lock). Explicit ids
    let a chunk go in one executemany: SQLite cannot say in which order a many-row insert
    returned its ids, and SQLAlchemy then inserts row by row.
    """
    if connection.dialect.name == "postgresql":
        sequence = connection.execute(sa.select(sa.func.pg_get_serial_sequence(table.name, "id"))).scalar_one()
        taken = sa.select(sa.func.nextval(sequence).label("id")).select_from(sa.func.generate_series(1, count))
        return sorted(connection.execute(taken).scalars())
    start = connection.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    return list(range(start + 1, start + 1 + count))


def insert_objects(connection: sa.Connection, model: type[Base], objects: list[Any]) -> None:
    """Insert transient ORM objects with one executemany, in order, each under a new id."""
    if not objects:
        return
    table = cast(sa.Table, model.__table__)
    for obj, new_id in zip(objects, new_ids(connection, table, len(objects)), strict=True):
        obj.id = new_id
    connection.execute(table.insert(), [_column_values(model, obj) for obj in objects])


def insert_children(
    connection: sa.Connection, model: type[Base], parent_key: str, children: list[tuple[int, Any]]
) -> None:
    """Insert the child rows (names, domains, transitions) of just-inserted parents, given as
    (parent id, transient child) pairs; their own ids are not needed back."""
    if not children:
        return
    rows = []
    for parent_id, child in children:
        setattr(child, parent_key, parent_id)
        rows.append(_column_values(model, child))
    connection.execute(cast(sa.Table, model.__table__).insert(), rows)
