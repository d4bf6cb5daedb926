"""`flask sync …`: the push scheduler, a manual push, status and dead letters.

`sync run` is its own process (never inside web workers): one APScheduler 3 job per configured
target, each run guarded by the target's lock (`sync.locks`), so a second scheduler or a manual
`sync push` never sends the same batch at the same time.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
from dataclasses import asdict
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from registry.cli_errors import refuse, say
from registry.database import db, utcnow
from registry.evidence.cli import anchor_backlog
from registry.ledger import OPERATOR
from registry.messages import Text, msg
from registry.models import SyncDeadLetter
from registry.monitoring.cli import check_backlog
from registry.monitoring.watch_index import WatchIndex
from registry.runtime import current_runtime
from sync.feed import DataSource
from sync.status import target_statuses
from sync.targets import Target, TargetConfigError, configured_targets

if TYPE_CHECKING:
    from sync.push import RunReport

sync_cli = AppGroup("sync", help="Push to the credit platform: scheduler, manual push, status, dead letters.")
log = logging.getLogger("registry.sync")


def _fail(message: Text) -> NoReturn:
    refuse(message)


def _options(app: Flask) -> dict[str, Any]:
    return {
        "include_not_public": bool(app.config["SYNC_INCLUDE_NOT_PUBLIC"]),
        "operator": DataSource(app.config["DATA_SOURCE_NAME"], app.config["DATA_SOURCE_USCC"]),
    }


def _chosen(app: Flask, names: tuple[str, ...]) -> list[Target]:
    try:
        targets = configured_targets(app.config)
    except TargetConfigError as exc:
        _fail(exc.text)
    known = {t.name: t for t in targets}
    unknown = [n for n in names if n not in known]
    if unknown:
        _fail(
            msg(
                "unknown target(s) {names}; configured: {known}",
                names=", ".join(unknown),
                known=", ".join(sorted(known)),
            )
        )
    return [known[n] for n in names] if names else targets


def run_once(app: Flask, target: Target, **kwargs: Any) -> RunReport:
    """One run of one target, with the app's settings (what each scheduled job does)."""
    from sync.push import push_target

    with app.app_context():
        return push_target(db.engine, target, **_options(app), **kwargs)


@sync_cli.command("push")
@click.argument("names", nargs=-1)
@click.option("--batches", type=click.IntRange(min=1), default=None, help="stop after this many batches per target")
def push(names: tuple[str, ...], batches: int | None) -> None:
    """Push now to the named targets (default: all), until caught up or an error."""
    from sync.push import push_target

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    failed = False
    for target in _chosen(app, names):
        report = push_target(db.engine, target, **_options(app), max_batches=batches)
        click.echo(report.line())
        failed = failed or report.error is not None or report.busy
    if failed:
        sys.exit(1)


def anchor_job(app: Flask) -> None:
    """Anchor the screenings no anchor covers yet (scheduled beside the pushes)."""
    try:
        with app.app_context():
            made = anchor_backlog()
    except Exception:  # a lost database must not stop the pushes' schedules
        log.exception("anchoring failed")
        return
    if made:
        log.info("anchored: tree size %d, root %s", made[-1].tree_size, made[-1].root)


def watch_job(app: Flask, index: WatchIndex) -> None:
    """Check the changes since the last check against the watched bidders (scheduled beside the pushes)."""
    try:
        with app.app_context():
            reports = check_backlog(index)
    except Exception:  # a lost database must not stop the pushes' schedules
        log.exception("checking the watches failed")
        return
    raised = sum(len(r.alerts) for r in reports)
    if raised:
        log.info("watches: %d alert(s) raised", raised)


@sync_cli.command("run")
def run() -> None:
    """Start the scheduler: each target is pushed on its schedule, new screenings are anchored every
    REGISTRY_ANCHOR_SECONDS and changes checked against the watched bidders every
    REGISTRY_WATCH_SECONDS, until SIGTERM or Ctrl-C."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Not two lines a second for every job that ran: the jobs log what they did, and their failures.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    # No targets file at all: still anchor and check watches (a registry that pushes nowhere yet must
    # not leave its evidence unanchored); a file given but broken is refused, as by every command.
    targets = _chosen(app, ()) if app.config.get("SYNC_TARGETS") else []
    if not targets:
        log.warning("no push targets (REGISTRY_SYNC_TARGETS): nothing is pushed; anchoring and watches only")
    scheduler = BlockingScheduler(
        timezone="UTC",
        job_defaults={
            # A run that is still going when the next is due is not doubled; missed runs collapse into one.
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": 3600,
        },
    )

    def job(target: Target) -> None:
        try:
            report = run_once(app, target)
        except Exception:  # a bug or a lost database must not stop the other targets' schedules
            log.exception("%s: run failed", target.name)
            return
        (log.warning if report.error else log.info)("%s", report.line())

    for target in targets:
        scheduler.add_job(
            job, target.trigger(), args=[target], id=target.name, name=f"push {target.name}", next_run_time=utcnow()
        )
        log.info("target %s: %s, %s, batches of %d", target.name, target.url, target.schedule, target.batch_size)
    interval = current_runtime().anchor_interval
    scheduler.add_job(
        anchor_job,
        "interval",
        args=[app],
        seconds=interval.total_seconds(),
        id="anchor",
        name="anchor the evidence tree",
        next_run_time=utcnow(),
    )
    log.info("anchoring new screenings every %g s", interval.total_seconds())
    every = current_runtime().watch_interval
    scheduler.add_job(
        watch_job,
        "interval",
        args=[app, WatchIndex()],
        seconds=every.total_seconds(),
        id="watches",
        name="check changes against the watched bidders",
        next_run_time=utcnow(),
    )
    log.info("checking changes against the watched bidders every %g s", every.total_seconds())

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: stopping the scheduler (a batch in flight is resent by the next run)", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()


@sync_cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
def status(as_json: bool) -> None:
    """Cursor, lag, the batch in flight, last success and error, dead letters, and health per target."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    problem, said = None, ""  # the configuration's problem: in English for JSON, in Chinese for a person
    try:
        targets = configured_targets(app.config)
    except TargetConfigError as exc:
        targets, problem, said = [], str(exc), say(exc.text)
    statuses = target_statuses(db.session(), OPERATOR, targets, utcnow())
    if as_json:
        click.echo(
            json.dumps(
                {"config_error": problem, "targets": [{**asdict(s), "healthy": s.healthy} for s in statuses]},
                ensure_ascii=False,
                default=str,
                indent=1,
            )
        )
        return
    if problem:
        click.echo(say(msg("configuration: {problem}", problem=said)), err=True)
    if not statuses:
        click.echo("no targets")
    for s in statuses:
        lag = "caught up" if s.lag_seconds is None else f"{s.lag_events} event(s), oldest {s.lag_seconds:.0f} s"
        click.echo(
            f"{s.name}{'' if s.configured else ' (not configured any more)'}: cursor {s.cursor} of {s.head}; "
            f"lag {lag}; dead letters {s.dead_letters}"
        )
        if s.inflight_key:
            click.echo(f"  in flight: {s.inflight_key}")
        click.echo(
            f"  last success {s.last_success_at or 'never'}; last error {s.last_error_at or 'none'}"
            + (f": {s.last_error}" if s.last_error else "")
        )
        if s.problem:
            click.echo(f"  UNHEALTHY: {s.problem}")


@sync_cli.command("dead-letters")
@click.argument("name")
def dead_letters(name: str) -> None:
    """Records the target rejected: sequence, times rejected, dead or not, and the reason."""
    rows = db.session.scalars(
        sa.select(SyncDeadLetter).where(SyncDeadLetter.target == name).order_by(SyncDeadLetter.seq)
    ).all()
    if not rows:
        click.echo(f"{name}: no rejected records")
    for row in rows:
        click.echo(
            f"seq {row.seq}: rejected {row.rejections}× (HTTP {row.status_code}), "
            f"{'dead since ' + str(row.dead_at) if row.dead else 'still retried'}: {row.reason}"
        )
