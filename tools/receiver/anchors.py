"""Evidence anchors as the receiver keeps them (存证锚点): the registry's signed evidence-tree heads,
checked on receipt and kept outside the registry, and RFC 9162 consistency checks between them.

An anchor arrives as a record of kind `evidence-anchors` (record type `evidence_anchor`, in either
push format). On receipt its Ed25519 signature is checked over the canonical JSON of
``{"root", "timestamp", "tree_size"}`` (`registry.evidence.signing.signature_valid`) with the
public key the anchor names, and that key against the pinned one when the receiver pins one. A
bad anchor, or one whose tree size was received before with another root, refuses its batch
(422 naming its sequence, as a platform refuses a record), and the refusal is kept to be listed.

A consistency check takes a proof between two tree sizes and checks it against the roots this
receiver stored (`registry.evidence.merkle.verify_consistency`), never against roots the registry
gives again: a registry that rewrote its tree after signing cannot produce a proof that passes.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from registry.evidence import merkle
from registry.evidence.signing import ALGORITHM, signature_valid
from registry.national_columns import ANCHOR_RECORD_TYPE, ANCHORS, columns
from tools.receiver.batches import Batch
from tools.receiver.faults import is_int

SCHEMA = """
CREATE TABLE IF NOT EXISTS anchors (
    target TEXT NOT NULL,
    tree_size INTEGER NOT NULL,
    root TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    signature TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    batch_key TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (target, tree_size)
);
CREATE TABLE IF NOT EXISTS anchor_refusals (
    target TEXT NOT NULL,
    seq INTEGER NOT NULL,
    tree_size INTEGER,
    root TEXT,
    reason TEXT NOT NULL,
    refused_at TEXT NOT NULL,
    PRIMARY KEY (target, seq, reason)
);
CREATE TABLE IF NOT EXISTS consistency_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    from_size INTEGER NOT NULL,
    to_size INTEGER NOT NULL,
    old_root TEXT NOT NULL,
    new_root TEXT NOT NULL,
    proof_json TEXT NOT NULL,
    consistent INTEGER NOT NULL,
    problem TEXT,
    checked_at TEXT NOT NULL
);
"""

MAX_TREE_SIZE = 2**62  # as the registry's API bounds a tree size
_HASH = re.compile(r"[0-9a-f]{64}")
_SIGNED = ("tree_size", "root", "timestamp", "signature", "algorithm", "public_key")
# Where each push format keeps an anchor's fields: English names (json) or Chinese headers (json-zh).
_KEYS = {
    "json": {c.name: c.name for c in columns(ANCHORS)},
    "json-zh": {c.name: c.header for c in columns(ANCHORS)},
}


def pinned_key(text: str) -> str:
    """A public key to pin: the 64 hex digits of an Ed25519 key (GET /api/v1/evidence/key)."""
    cleaned = text.strip().lower()
    if not _HASH.fullmatch(cleaned):
        raise ValueError(f"{text!r} is not the 64 hex digits of an Ed25519 public key")
    return cleaned


@dataclass(frozen=True)
class ReceivedAnchor:
    """One anchor record of a batch, and why it is refused (None: its signature checks out)."""

    seq: int
    tree_size: int | None
    root: str | None
    timestamp: str
    signature: str
    algorithm: str
    public_key: str
    problem: str | None = None


def _read(seq: int, record: dict[str, Any], keys: dict[str, str], pinned: str | None) -> ReceivedAnchor:
    values = {name: record.get(keys[name]) for name in _SIGNED}
    size, root = values["tree_size"], values["root"]
    text = [value if isinstance(value, str) else "" for value in (values[name] for name in _SIGNED[2:])]
    anchor = ReceivedAnchor(seq, size if is_int(size) else None, root if isinstance(root, str) else None, *text)
    problem = None
    if anchor.tree_size is None or not 1 <= anchor.tree_size <= MAX_TREE_SIZE:
        problem = f"{keys['tree_size']}: not a tree size (a positive integer)"
    elif anchor.root is None or not _HASH.fullmatch(anchor.root):
        problem = f"{keys['root']}: not a SHA-256 root hash (64 lowercase hex digits)"
    elif anchor.algorithm != ALGORITHM:
        problem = f"{keys['algorithm']}: {anchor.algorithm!r}; only {ALGORITHM} anchors can be checked"
    elif pinned is not None and anchor.public_key.lower() != pinned:
        problem = (
            f"{keys['public_key']}: signed by key {anchor.public_key!r}, not by the key this receiver pins "
            f"({pinned}): refused"
        )
    elif not signature_valid(
        anchor.public_key, anchor.tree_size, bytes.fromhex(anchor.root), anchor.timestamp, anchor.signature
    ):
        problem = (
            f"{keys['signature']}: does not verify with the anchor's public key over tree size "
            f"{anchor.tree_size}, its root and its timestamp: a forged or altered anchor"
        )
    return replace(anchor, problem=problem)


def anchors_of(batch: Batch, pinned: str | None) -> list[ReceivedAnchor]:
    """The batch's anchor records, each checked (signature, pinned key); other records are skipped."""
    keys = _KEYS[batch.format]
    return [
        _read(seq, record, keys, pinned)
        for seq, record in zip(batch.seqs, batch.records, strict=True)
        if record.get(keys["record_type"]) == ANCHOR_RECORD_TYPE
    ]


def refusals(conn: sqlite3.Connection, target: str, anchors: Sequence[ReceivedAnchor]) -> list[ReceivedAnchor]:
    """The anchors to refuse: a bad signature or key, or a tree size already held with another root."""
    refused, roots = [], dict(conn.execute("SELECT tree_size, root FROM anchors WHERE target = ?", (target,)))
    for anchor in anchors:
        held = roots.get(anchor.tree_size)
        if anchor.problem is None and held is not None and held != anchor.root:
            anchor = replace(
                anchor,
                problem=f"tree size {anchor.tree_size} was received before with root {held}, now with root "
                f"{anchor.root}: the registry signed two different trees of one size",
            )
        if anchor.problem is not None:
            refused.append(anchor)
        elif anchor.tree_size is not None:
            roots[anchor.tree_size] = anchor.root
    return refused


def keep(conn: sqlite3.Connection, target: str, key: str, anchors: Sequence[ReceivedAnchor], now: str) -> None:
    """Store a batch's anchors (in its transaction); one already held (same size and root) is kept once."""
    conn.executemany(
        "INSERT OR IGNORE INTO anchors (target, tree_size, root, timestamp, signature, algorithm, public_key,"
        " seq, batch_key, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (target, a.tree_size, a.root, a.timestamp, a.signature, a.algorithm, a.public_key, a.seq, key, now)
            for a in anchors
        ],
    )


def keep_refusals(conn: sqlite3.Connection, target: str, refused: Sequence[ReceivedAnchor], now: str) -> None:
    """Remember refused anchors (once per record and reason, however often the batch comes again)."""
    conn.executemany(
        "INSERT OR IGNORE INTO anchor_refusals (target, seq, tree_size, root, reason, refused_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(target, a.seq, a.tree_size, a.root, a.problem, now) for a in refused],
    )


_ANCHOR_FIELDS = ("target", "tree_size", "root", "timestamp", "signature", "algorithm", "public_key", "seq")
_REFUSAL_FIELDS = ("target", "seq", "tree_size", "root", "reason", "refused_at")


def listing(conn: sqlite3.Connection, target: str | None) -> dict[str, Any]:
    """Every anchor kept (in tree-size order), every refusal and every consistency check, and the
    problems among them in one list; of one target, or of all when `target` is None."""
    fields = (*_ANCHOR_FIELDS, "batch_key", "received_at")
    rows = conn.execute(
        "SELECT target, tree_size, root, timestamp, signature, algorithm, public_key, seq, batch_key, received_at"
        " FROM anchors WHERE ?1 IS NULL OR target = ?1 ORDER BY target, tree_size",
        (target,),
    )
    kept = [dict(zip(fields, row, strict=True)) for row in rows]
    rows = conn.execute(
        "SELECT target, seq, tree_size, root, reason, refused_at FROM anchor_refusals"
        " WHERE ?1 IS NULL OR target = ?1 ORDER BY refused_at, seq",
        (target,),
    )
    refused = [dict(zip(_REFUSAL_FIELDS, row, strict=True)) for row in rows]
    rows = conn.execute(
        "SELECT target, from_size, to_size, old_root, new_root, proof_json, consistent, problem, checked_at"
        " FROM consistency_checks WHERE ?1 IS NULL OR target = ?1 ORDER BY id",
        (target,),
    )
    checks = [
        Check(t, m, n, old, new, json.loads(proof), bool(ok), problem, at).as_json()
        for t, m, n, old, new, proof, ok, problem, at in rows
    ]
    problems = [f"refused anchor (seq {r['seq']}): {r['reason']}" for r in refused]
    problems += [str(c["problem"]) for c in checks if not c["consistent"]]
    return {"anchors": kept, "refused": refused, "checks": checks, "problems": problems}


# ---------------------------------------------------------------------------------------------
# Consistency between two anchors received


class CheckRefused(ValueError):
    """A consistency check that cannot be made: `status` 400 (a bad request, `field` named) or 404."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.field = status, field


@dataclass(frozen=True)
class Check:
    """One consistency check, against the roots this receiver holds."""

    target: str
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]
    consistent: bool
    problem: str | None
    checked_at: str

    def as_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["from"], found["to"] = found.pop("old_size"), found.pop("new_size")
        return found


def _size(value: object, field: str) -> int:
    if not is_int(value) or not 1 <= value <= MAX_TREE_SIZE:
        raise CheckRefused(400, f"{field}: must be a tree size (an integer from 1)", field)
    return value


def _proof(value: object) -> list[bytes]:
    if not isinstance(value, list):
        raise CheckRefused(400, "proof: must be a list of hex hashes", "proof")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not _HASH.fullmatch(item.lower()):
            raise CheckRefused(400, f"proof[{index}]: not a SHA-256 hash (64 hex digits)", f"proof[{index}]")
    return [bytes.fromhex(item) for item in value]


def _target(conn: sqlite3.Connection, target: object) -> str:
    if target is not None:
        if not isinstance(target, str) or not target:
            raise CheckRefused(400, "target: must be a target's name", "target")
        return target
    held = [str(t) for (t,) in conn.execute("SELECT DISTINCT target FROM anchors ORDER BY target")]
    if len(held) > 1:
        raise CheckRefused(400, f"target: name one; anchors are held for {', '.join(held)}", "target")
    if not held:
        raise CheckRefused(404, "no anchor has been received yet")
    return held[0]


def check(conn: sqlite3.Connection, request: dict[str, Any], now: str) -> Check:
    """Check `request`'s proof ({"from", "to", "proof", "target"?}) against the stored roots of
    the two tree sizes, and keep the check (in the caller's transaction)."""
    old_size, new_size = _size(request.get("from"), "from"), _size(request.get("to"), "to")
    if old_size > new_size:
        raise CheckRefused(400, "from: must not be above to", "from")
    proof = _proof(request.get("proof"))
    target = _target(conn, request.get("target"))
    roots = dict(
        conn.execute(
            "SELECT tree_size, root FROM anchors WHERE target = ? AND tree_size IN (?, ?)",
            (target, old_size, new_size),
        )
    )
    missing = [str(size) for size in (old_size, new_size) if size not in roots]
    if missing:
        raise CheckRefused(404, f"no anchor of tree size {' or '.join(missing)} has been received from {target}")
    old_root, new_root = roots[old_size], roots[new_size]
    consistent = merkle.verify_consistency(old_size, new_size, bytes.fromhex(old_root), bytes.fromhex(new_root), proof)
    problem = None
    if not consistent:
        problem = (
            f"INCONSISTENT ({target}): the proof does not show that the tree of {new_size} leaves (root {new_root}) "
            f"extends the tree of {old_size} leaves this receiver holds (root {old_root}); unless the proof is "
            f"wrong, the registry rewrote its evidence tree after signing anchor {old_size}"
        )
    hex_proof = [p.hex() for p in proof]
    conn.execute(
        "INSERT INTO consistency_checks (target, from_size, to_size, old_root, new_root, proof_json, consistent,"
        " problem, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (target, old_size, new_size, old_root, new_root, json.dumps(hex_proof), int(consistent), problem, now),
    )
    return Check(target, old_size, new_size, old_root, new_root, hex_proof, consistent, problem, now)
