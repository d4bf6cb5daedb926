"""What `flask registry verify-audit` checks of the evidence tree (存证树核验), beside the audit chain.

One screening's verification checks its own leaf and proof. This checks the whole tree, which is
what catches the edits a single proof cannot see:

- **A screening or report re-anchored.** Clearing a document's `leaf_index` and rewriting it and
  its digest would have the next anchor take it as a new leaf; its old leaf stays in the tree.
  Every leaf must belong to exactly one screening or 专项信用报告 (the leaves are 0 … size−1, one
  per anchored document), and each leaf must be the hash of its document's stored digest.
- **Nodes or anchors rewritten.** Every anchor's root is recomputed from the stored nodes, its
  signature checked with the key it names, and the last one compared with the tree's counter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.evidence import merkle
from registry.evidence.anchoring import Anchor, anchor_page
from registry.evidence.signing import signature_valid
from registry.evidence.tree import load_nodes, tree_root
from registry.models import CreditReport, LedgerCounter, Screening

BATCH = 5000
# Every anchored document: (leaf, what it is, its id, its stored digest).
_LEAVES = sa.union_all(
    sa.select(
        Screening.leaf_index.label("leaf"), sa.literal("screening").label("kind"), Screening.id, Screening.digest
    ).where(Screening.leaf_index.is_not(None)),
    sa.select(CreditReport.leaf_index, sa.literal("credit report"), CreditReport.id, CreditReport.digest).where(
        CreditReport.leaf_index.is_not(None)
    ),
).subquery()


@dataclass
class TreeReport:
    """The evidence tree's size, what was checked, and every problem found."""

    size: int = 0
    leaves_checked: int = 0
    anchors_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_leaves(session: Session, report: TreeReport) -> None:
    """Each anchored document's leaf is the hash of its stored digest; the leaves are 0 … size−1."""
    after = -1
    while True:
        found = session.execute(
            sa.select(_LEAVES).where(_LEAVES.c.leaf > after).order_by(_LEAVES.c.leaf).limit(BATCH)
        ).all()
        rows = [(int(leaf), str(kind), row_id, digest) for leaf, kind, row_id, digest in found]
        if not rows:
            break
        stored = load_nodes(session, [(0, row[0]) for row in rows], missing_ok=True)
        for leaf, kind, row_id, digest in rows:
            if leaf != report.leaves_checked:
                report.problems.append(
                    f"leaf {report.leaves_checked} belongs to no screening or report (next is {leaf})"
                )
                report.leaves_checked = leaf
            if stored.get((0, leaf)) != merkle.leaf_hash(bytes.fromhex(digest)):
                report.problems.append(f"leaf {leaf} is not the hash of {kind} {row_id}'s stored digest")
            report.leaves_checked += 1
        after = rows[-1][0]
    if report.leaves_checked != report.size:
        report.problems.append(
            f"the tree holds {report.size} leaves but screenings and reports hold only the first "
            f"{report.leaves_checked}"
        )


def _check_anchor(session: Session, found: Anchor, report: TreeReport) -> None:
    root = bytes.fromhex(found.root)
    try:
        recomputed = tree_root(session, found.tree_size)
    except RuntimeError as exc:  # a node is missing
        report.problems.append(f"anchor {found.tree_size}: {exc}")
        return
    if recomputed != root:
        report.problems.append(f"anchor {found.tree_size}: the stored nodes give another root than the signed one")
    if not signature_valid(found.public_key, found.tree_size, root, found.timestamp, found.signature):
        report.problems.append(f"anchor {found.tree_size}: the signature is not valid")
    if not found.intact:
        report.problems.append(f"anchor {found.tree_size}: audit row {found.audit_seq} does not match its own hash")


def verify_tree(session: Session) -> TreeReport:
    """Check every leaf against its screening or report and every anchor against the stored nodes."""
    counter = session.get(LedgerCounter, "evidence")
    report = TreeReport(size=0 if counter is None else int(counter.value))
    _check_leaves(session, report)
    last: Anchor | None = None
    after = 0
    while True:
        page = anchor_page(session, after_size=after, limit=500)
        for found in page.items:
            _check_anchor(session, found, report)
            report.anchors_checked += 1
            last = found
        if page.next_after is None:
            break
        after = page.next_after
    if last is None:
        if report.size:
            report.problems.append(f"the tree holds {report.size} leaves but no anchor signs them")
    elif (last.tree_size, last.root) != (report.size, counter.last_hash if counter else None):
        report.problems.append(f"the tree's counter ({report.size}) differs from the last anchor ({last.tree_size})")
    return report
