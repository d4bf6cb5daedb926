"""`flask registry anchor`: anchor the screenings no anchor covers yet, and the step `flask sync run`
runs on its schedule (REGISTRY_ANCHOR_SECONDS). Each anchor commits on its own: a crash loses no
more than the batch in hand, which the next run takes again."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from registry.database import db, write_intent
from registry.evidence.anchoring import DEFAULT_BATCH, Anchor, anchor, has_unanchored
from registry.runtime import current_runtime


def anchor_backlog(*, batch: int = DEFAULT_BATCH) -> list[Anchor]:
    """Anchor until nothing is left, one commit per anchor (inside an app context)."""
    signer = current_runtime().signer
    made: list[Anchor] = []
    while True:
        session = db.session()
        try:
            write_intent.set(False)
            if not has_unanchored(session):
                return made  # nothing waits: no lock taken, nothing written
            session.rollback()
            write_intent.set(True)  # SQLite: the writing transaction takes the write lock at BEGIN
            found = anchor(session, signer, batch=batch)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            db.session.remove()
        if found is None:
            return made
        made.append(found)


@click.command("anchor")
@with_appcontext
@click.option(
    "--batch",
    type=click.IntRange(min=1, max=1_000_000),
    default=DEFAULT_BATCH,
    show_default=True,
    help="at most this many screenings per anchor",
)
def anchor_command(batch: int) -> None:
    """Anchor every screening no anchor covers yet: append the leaves, sign the new tree head."""
    made = anchor_backlog(batch=batch)
    if not made:
        click.echo("nothing to anchor: every screening is covered by an anchor")
        return
    last = made[-1]
    click.echo(
        f"{len(made)} anchor(s); tree size {last.tree_size}, root {last.root}, "
        f"audit row {last.audit_seq}, signed {last.timestamp}"
    )
