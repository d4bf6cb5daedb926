"""Database handle, declarative base and the column types the registry needs on every backend."""

from __future__ import annotations

import datetime as dt
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

# Named constraints make migrations reviewable and portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# expire_on_commit=False: responses are serialised after the request's single commit,
# and re-loading every attribute then would cost one query per object for nothing.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always returned timezone-aware.

    SQLite keeps no zone; PostgreSQL keeps one. Audit hashes are computed over
    these values, so both backends must hand back the same aware datetime.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the registry stores aware UTC times only")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


FEN_PER_WAN = Decimal(1_000_000)  # 1 万元 = 10,000 元 = 1,000,000 分
# The largest amount a WanYuan column holds (whole fen in a BIGINT); beyond it the database refuses the row.
MAX_AMOUNT_WAN = Decimal(2**63 - 1) / FEN_PER_WAN


class JSONText(sa.TypeDecorator[str]):
    """A bound value that is already JSON text (a screening's canonical bytes, decoded): written
    as it is, into a JSON column, instead of being parsed and serialised again. PostgreSQL still
    casts it to json (and refuses text that is not JSON)."""

    impl = sa.JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


class WanYuan(sa.TypeDecorator[Decimal]):
    """An amount in 万元 (the unit of the 双公示 fields), stored exactly as whole 分 (fen).

    Storing integers avoids SQLite's float round-trip for NUMERIC and keeps sums exact.
    A value finer than one fen (more than six decimals of 万元) is refused.
    """

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        fen = Decimal(value) * FEN_PER_WAN
        if fen != fen.to_integral_value():
            raise ValueError(f"amount {value} 万元 is finer than one fen")
        return int(fen)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return plain_amount(Decimal(value) / FEN_PER_WAN)


def plain_amount(amount: Decimal) -> Decimal:
    """An amount without trailing zeros and never in exponent form: 0.50 → 0.5, 2E+1 → 20."""
    reduced = amount.normalize()
    return reduced.quantize(Decimal(1)) if reduced == reduced.to_integral_value() else reduced


# How long a new PostgreSQL connection may take before it fails (seconds). libpq waits without
# limit by default: a server that takes the TCP connection but never answers (hung, or a network
# path that drops packets) held a web worker for good, where a 503 and a retry were due.
POSTGRESQL_CONNECT_TIMEOUT = 5
# TCP keepalives on PostgreSQL connections, so a peer that vanished is noticed by the kernel.
POSTGRESQL_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


@sa.event.listens_for(sa.Engine, "do_connect")
def _postgresql_connect_defaults(dialect: Dialect, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
    """Every PostgreSQL connection gets a connect timeout and keepalives unless its URL sets them."""
    if dialect.name == "postgresql":
        cparams.setdefault("connect_timeout", POSTGRESQL_CONNECT_TIMEOUT)
        for name, value in POSTGRESQL_KEEPALIVES.items():
            cparams.setdefault(name, value)


# Set by an entry point that is going to write (an unsafe HTTP method, a CLI command).
write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)


def unavailable(session: Any) -> str | None:
    """Why the database does not answer (the error's name), or None when it does: the readiness probe."""
    try:
        session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        return type(exc).__name__
    return None


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def enable_sqlite_transactions(engine: sa.Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, control transactions on SQLite.

    pysqlite's own BEGIN handling breaks SAVEPOINT and transactional DDL; this is the
    recipe from SQLAlchemy's SQLite dialect documentation. Foreign keys are off in
    SQLite unless asked for on each connection.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # WAL lets readers go on while one writer commits (a no-op for in-memory databases).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A writer takes SQLite's write lock at BEGIN: upgrading a read lock later fails at
        # once with "database is locked" when another writer got there first.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")
