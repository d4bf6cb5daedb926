"""The evidence tree as stored (存证默克尔树): reading nodes, appending leaves, proofs from the store.

The hashing and the proofs themselves are `registry.evidence.merkle` (pure, RFC 9162 §2.1); this
module reads the perfect-subtree nodes they need in one query and writes the ones an append
completes. Nodes never change once written, so a proof read without a lock is still right for the
tree size it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.evidence import merkle
from registry.models import MerkleNode

Key = tuple[int, int]

_NODES = cast(sa.Table, MerkleNode.__table__)
_INSERT_NODE = sa.insert(_NODES)


def load_nodes(session: Session, keys: Iterable[Key], *, missing_ok: bool = False) -> dict[Key, bytes]:
    """The stored nodes at `keys` (level, index), in one query. A missing one is an error unless
    `missing_ok` (the whole-tree check reports it instead)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = session.connection().execute(
        sa.select(_NODES.c.level, _NODES.c.idx, _NODES.c.hash).where(
            sa.tuple_(_NODES.c.level, _NODES.c.idx).in_(wanted)
        )
    )
    found = {(int(level), int(idx)): bytes(value) for level, idx, value in rows}
    missing = [] if missing_ok else [key for key in wanted if key not in found]
    if missing:
        # A proof over nodes that are not there would be wrong, not merely incomplete.
        raise RuntimeError(f"the evidence tree is missing nodes {missing[:5]}: it was altered or truncated")
    return found


def append_leaves(session: Session, old_size: int, leaves: list[bytes]) -> bytes:
    """Append leaf hashes to a tree of `old_size` leaves; store the subtrees they complete and
    return the new root. The caller holds the tree's lock (the 'evidence' ledger counter)."""
    known = load_nodes(session, merkle.append_keys(old_size, len(leaves)))
    new = merkle.new_perfect_nodes(old_size, leaves, known)
    session.connection().execute(_INSERT_NODE, [{"level": lv, "idx": ix, "hash": h} for (lv, ix), h in new.items()])
    size = old_size + len(leaves)
    stored = load_nodes(session, [key for key in merkle.root_keys(size) if key not in new])
    return merkle.root(size, {**stored, **new})


def tree_root(session: Session, size: int) -> bytes:
    """The root of the tree's first `size` leaves (any size up to the tree's)."""
    return merkle.root(size, load_nodes(session, merkle.root_keys(size)))


def leaf_at(session: Session, index: int) -> bytes:
    """The stored hash of one leaf."""
    return load_nodes(session, [(0, index)])[(0, index)]


def inclusion_proof(session: Session, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1: the audit path of leaf `index` in the tree of `size` leaves."""
    return merkle.inclusion_proof(index, size, load_nodes(session, merkle.inclusion_keys(index, size)))


def consistency_proof(session: Session, old_size: int, new_size: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1: the proof that the tree of `new_size` leaves extends that of `old_size`."""
    nodes: Mapping[Key, bytes] = load_nodes(session, merkle.consistency_keys(old_size, new_size))
    return merkle.consistency_proof(old_size, new_size, nodes)
