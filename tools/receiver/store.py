"""The receiver's SQLite store: batches, their records and the idempotency keys with their answers, each
batch applied in one transaction; the audit chain heads and the evidence anchors the batches carry
(`tools.receiver.anchors`), and the consistency checks made between anchors.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from typing import Any

from tools.receiver import anchors
from tools.receiver.anchors import Check, ReceivedAnchor
from tools.receiver.batches import Answer, Batch
from tools.receiver.faults import Clock

RECENT_RECORDS = 50  # shown on the page at `/`

SCHEMA = """
CREATE TABLE IF NOT EXISTS batches (
    idempotency_key TEXT PRIMARY KEY,
    target TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    seq INTEGER NOT NULL,
    batch_key TEXT NOT NULL REFERENCES batches (idempotency_key),
    record_json TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_target ON records (target, id);
CREATE TABLE IF NOT EXISTS heads (
    target TEXT NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (target, seq)
);
"""


def _now_text(clock: Clock) -> str:
    return dt.datetime.fromtimestamp(clock(), dt.UTC).isoformat(timespec="milliseconds")


class Store:
    """The receiver's SQLite file: one connection per use, so the server's threads share nothing."""

    def __init__(self, path: str, clock: Clock) -> None:
        self.path, self.clock = path, clock
        with closing(self.connect()) as conn:
            # WAL lets /_received and the page read while a batch is being written.
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA + anchors.SCHEMA)

    def connect(self) -> sqlite3.Connection:
        # Autocommit mode: transactions are begun explicitly, so their bounds are plain to see.
        return sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)

    def apply(
        self, key: str, batch: Batch, rejected: Sequence[int], received: Sequence[ReceivedAnchor] = ()
    ) -> tuple[Answer, list[ReceivedAnchor]]:
        """Store a batch once: a key seen before gets its stored answer; otherwise, unless some
        record is to be rejected, the batch row, every record and its anchors (`received`, checked
        by `anchors.anchors_of`) are written in one transaction. Also returns the anchors refused,
        which are kept as refusals and the batch with them is not applied."""
        with closing(self.connect()) as conn:
            # IMMEDIATE takes the write lock before the key is looked up, so two deliveries of
            # one key at the same moment cannot both find it new.
            conn.execute("BEGIN IMMEDIATE")
            try:
                answer, refused = self._apply(conn, key, batch, rejected, received)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            # A refusal writes only the refused anchors, to be listed.
            conn.execute("COMMIT" if answer.applied or refused else "ROLLBACK")
            return answer, refused

    def _apply(
        self,
        conn: sqlite3.Connection,
        key: str,
        batch: Batch,
        rejected: Sequence[int],
        received: Sequence[ReceivedAnchor],
    ) -> tuple[Answer, list[ReceivedAnchor]]:
        seen = conn.execute(
            "SELECT status_code, response_body FROM batches WHERE idempotency_key = ?",
            (key,),
        ).fetchone()
        if seen is not None:
            # The key names the batch's target and range (checked before), so it is this batch.
            status, body = seen
            return Answer(status, {**json.loads(body), "duplicate": True}), []
        now = _now_text(self.clock)
        refused = anchors.refusals(conn, batch.target, received)
        if rejected or refused:
            reason = "rejected by the reference receiver's fault injection (reject_seqs)"
            named = [{"seq": seq, "reason": reason} for seq in rejected]
            named += [{"seq": anchor.seq, "reason": anchor.problem} for anchor in refused]
            anchors.keep_refusals(conn, batch.target, refused, now)
            return Answer(422, {"rejected": sorted(named, key=lambda item: item["seq"])}), refused
        answer = Answer(200, {"accepted": len(batch.records), "idempotency_key": key}, applied=True)
        conn.execute(
            "INSERT INTO batches (idempotency_key, target, first_seq, last_seq, status_code,"
            " response_body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                batch.target,
                batch.first_seq,
                batch.last_seq,
                answer.status,
                json.dumps(answer.body, ensure_ascii=False),
                now,
            ),
        )
        if batch.chain_head is not None:
            conn.execute(
                "INSERT OR IGNORE INTO heads (target, seq, hash, received_at) VALUES (?, ?, ?, ?)",
                (batch.target, *batch.chain_head, now),
            )
        conn.executemany(
            "INSERT INTO records (target, seq, batch_key, record_json, received_at) VALUES (?, ?, ?, ?, ?)",
            [
                (batch.target, seq, key, json.dumps(record, ensure_ascii=False), now)
                for seq, record in zip(batch.seqs, batch.records, strict=True)
            ],
        )
        anchors.keep(conn, batch.target, key, received, now)
        return answer, []

    def keep_head(self, target: str, head: tuple[int, str]) -> None:
        """Keep a chain head sent alone (a heartbeat); the same head twice is kept once."""
        with closing(self.connect()) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO heads (target, seq, hash, received_at) VALUES (?, ?, ?, ?)",
                (target, *head, _now_text(self.clock)),
            )
            conn.commit()

    def heads(self, target: str | None) -> list[dict[str, Any]]:
        """The audit chain heads received, oldest first: the file `verify-audit --against` reads."""
        query = "SELECT target, seq, hash, received_at FROM heads"
        params: tuple[str, ...] = ()
        if target is not None:
            query, params = query + " WHERE target = ?", (target,)
        with closing(self.connect()) as conn:
            rows = conn.execute(query + " ORDER BY seq", params).fetchall()
        return [{"target": t, "seq": seq, "hash": h, "received_at": at} for t, seq, h, at in rows]

    def anchors(self, target: str | None) -> dict[str, Any]:
        """The evidence anchors kept, the anchors refused and the consistency checks made."""
        with closing(self.connect()) as conn:
            return anchors.listing(conn, target)

    def check_consistency(self, request: dict[str, Any]) -> Check:
        """Check a consistency proof ({"from", "to", "proof", "target"?}) against the roots kept,
        and keep the check; raises `anchors.CheckRefused` when it cannot be made."""
        with closing(self.connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                found = anchors.check(conn, request, _now_text(self.clock))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return found

    def received(self, target: str | None) -> list[dict[str, Any]]:
        """Stored records in arrival order, of one target or of all."""
        query = "SELECT target, seq, batch_key, record_json, received_at FROM records"
        params: tuple[str, ...] = ()
        if target is not None:
            query += " WHERE target = ?"
            params = (target,)
        with closing(self.connect()) as conn:
            rows = conn.execute(query + " ORDER BY id", params).fetchall()
        return [
            {"target": t, "seq": seq, "batch_key": key, "record": json.loads(record), "received_at": at}
            for t, seq, key, record, at in rows
        ]

    def summary(self) -> tuple[dict[str, tuple[int, int]], list[tuple[Any, ...]]]:
        """Batches and records per target, and the latest records (newest first)."""
        with closing(self.connect()) as conn:
            batches = dict(conn.execute("SELECT target, count(*) FROM batches GROUP BY target").fetchall())
            records = dict(conn.execute("SELECT target, count(*) FROM records GROUP BY target").fetchall())
            recent = conn.execute(
                "SELECT id, target, seq, batch_key, received_at, record_json FROM records ORDER BY id DESC LIMIT ?",
                (RECENT_RECORDS,),
            ).fetchall()
        counts = {t: (batches.get(t, 0), records.get(t, 0)) for t in sorted(set(batches) | set(records))}
        return counts, recent
