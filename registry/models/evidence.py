"""The evidence tree's stored nodes (存证默克尔树): every perfect subtree, so a proof is a few reads.

Screenings and 专项信用报告 are the leaves, in the order the anchoring step appended them
(`screenings.leaf_index`, `credit_reports.leaf_index`).
A node at (`level`, `idx`) is the RFC 9162 hash of leaves [idx·2^level, (idx+1)·2^level); level 0
is the leaf hash. Only complete subtrees are stored, and they never change once written, so the
table only grows; any tree head and any inclusion or consistency proof is computed from at most a
few dozen of them (registry.evidence.merkle). The tree's size and root as of the last anchor are
kept in the ledger counter named 'evidence', whose row lock also keeps anchoring single-file.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registry.database import Base


class MerkleNode(Base):
    """One perfect subtree's hash (32 raw bytes)."""

    __tablename__ = "merkle_nodes"

    level: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
