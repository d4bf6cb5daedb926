"""A stored screening's place in the evidence tree, and the checks anyone can repeat on it.

`inclusion` answers what `GET /api/v1/screenings/{id}/verify` adds to the digest check: whether an
anchor covers the screening, its leaf, the RFC 9162 inclusion proof up to the first anchor that
covers it, and that anchor (tree size, root, time, signature, audit row). It also runs the checks
an outside verifier would (registry.evidence.merkle's verifier, not the code that built the
proof), so a stored screening, leaf, node or anchor altered after the fact shows as a problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from registry.evidence import merkle
from registry.evidence.anchoring import Anchor, check_anchored_sizes, first_anchor_covering
from registry.evidence.signing import signature_valid
from registry.evidence.tree import consistency_proof, inclusion_proof, leaf_at


@dataclass(frozen=True)
class Inclusion:
    """Where a screening stands in the evidence tree."""

    anchored: bool
    leaf_index: int | None = None
    inclusion_proof: list[str] = field(default_factory=list)
    anchor: Anchor | None = None
    expected_by: dt.datetime | None = None  # not anchored yet: when the next anchoring step is due
    problems: list[str] = field(default_factory=list)


def inclusion(
    session: Session, leaf_index: int | None, digest_hex: str, now: dt.datetime, interval: dt.timedelta
) -> Inclusion:
    """The inclusion of the leaf whose document hashes to `digest_hex` (computed now from the
    stored document), checked against the first anchor that covers it."""
    if leaf_index is None:
        return Inclusion(anchored=False, expected_by=now + interval)
    found = first_anchor_covering(session, leaf_index)
    if found is None:
        # The leaf is set in the same transaction as its anchor: a leaf without one was altered.
        return Inclusion(False, leaf_index, problems=[f"leaf {leaf_index} has no anchor: the tree was altered"])
    proof = inclusion_proof(session, leaf_index, found.tree_size)
    expected_leaf = merkle.leaf_hash(bytes.fromhex(digest_hex))
    root = bytes.fromhex(found.root)
    problems = []
    if leaf_at(session, leaf_index) != expected_leaf:
        problems.append(f"leaf {leaf_index} of the evidence tree differs from the document's digest")
    if not merkle.verify_inclusion(expected_leaf, leaf_index, found.tree_size, proof, root):
        problems.append(f"the inclusion proof does not lead to the root of anchor {found.tree_size}")
    if not signature_valid(found.public_key, found.tree_size, root, found.timestamp, found.signature):
        problems.append(f"the signature of anchor {found.tree_size} is not valid")
    if not found.intact:
        problems.append(f"audit row {found.audit_seq} (anchor {found.tree_size}) does not match its own hash")
    return Inclusion(True, leaf_index, [p.hex() for p in proof], found, problems=problems)


@dataclass(frozen=True)
class Consistency:
    """RFC 9162 §2.1.4: the proof that the tree anchored at `new_size` extends the one at `old_size`."""

    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


def consistency(session: Session, old_size: int, new_size: int) -> Consistency:
    """The consistency proof between two anchored tree sizes (each must be an anchor's)."""
    old, new = check_anchored_sizes(session, old_size, new_size)
    proof = consistency_proof(session, old_size, new_size) if old_size != new_size else []
    return Consistency(old_size, new_size, old.root, new.root, [p.hex() for p in proof])
