"""`flask registry watch-check`: check the outbox events since the last check against the watched
subjects and write the alerts; the same step `flask sync run` runs on its schedule
(REGISTRY_WATCH_SECONDS, every second by default). Each batch commits on its own with the cursor:
a crash loses nothing, and the next run takes the batch again."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from registry.database import db, write_intent
from registry.models import ChangeEvent, LedgerCounter
from registry.monitoring.detect import COUNTER, DEFAULT_BATCH, CheckReport, check_watches
from registry.monitoring.watch_index import WatchIndex
from registry.runtime import current_runtime


def _behind() -> bool:
    """Whether events wait after the checker's cursor (two reads, no lock)."""
    session = db.session()
    cursor = session.scalar(sa.select(LedgerCounter.value).where(LedgerCounter.name == COUNTER))
    head = session.scalar(sa.select(sa.func.max(ChangeEvent.seq))) or 0
    return cursor is None or int(cursor) < int(head)


def check_backlog(index: WatchIndex, *, batch: int = DEFAULT_BATCH) -> list[CheckReport]:
    """Check until caught up, one commit per batch (inside an app context)."""
    runtime = current_runtime()
    reports: list[CheckReport] = []
    while True:
        session = db.session()
        try:
            write_intent.set(False)
            if not _behind():
                return reports  # nothing new: no lock taken, nothing written
            session.rollback()
            write_intent.set(True)  # SQLite: the writing transaction takes the write lock at BEGIN
            report = check_watches(
                session,
                index,
                runtime.name_index,
                runtime.measures,
                runtime.clock.today(),
                now=runtime.clock.now(),
                batch=batch,
            )
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            db.session.remove()
        reports.append(report)
        if report.events < batch:
            return reports


@click.command("watch-check")
@with_appcontext
@click.option(
    "--batch",
    type=click.IntRange(min=1, max=100_000),
    default=DEFAULT_BATCH,
    show_default=True,
    help="at most this many outbox events per transaction",
)
def watch_check(batch: int) -> None:
    """Check the changes since the last check against the watched bidders, and write the alerts."""
    reports = check_backlog(WatchIndex(), batch=batch)
    events = sum(r.events for r in reports)
    alerts = [a for r in reports for a in r.alerts]
    rescreened = sum(r.rescreened for r in reports)
    click.echo(f"已检查 {events} 条变更事件，重新核查 {rescreened} 个被监测主体，产生 {len(alerts)} 条预警。")
    for alert in alerts:
        click.echo(
            f"  预警 {alert.id}：核查 {alert.screening_id} 第 {alert.subject_index + 1} 个投标人，"
            f"{alert.decision_then} → {alert.decision_now}（主体 {alert.entity_id}，事件 {alert.change_seq}）"
        )
