"""`flask registry build-index`: build the machine's index file (`index_files`) from the database.

Run it before starting the web workers (after a deploy, a restore, a bulk import), or from cron:
the workers map the new file within seconds of its swap, without a restart, and catch up from
the outbox event it reflects. It waits for the directory's lock while another process builds.
`--check` only says whether the current file is usable and how far behind the outbox it is.
Exit 0 when done (or, with --check, when the file is usable); 1 when --check finds it unusable;
2 when index files are off or the directory cannot be written (said in Chinese, registry/cli_errors).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from matching import index_file
from matching.matcher import NamePartsMatcher
from registry.cli_errors import refuse
from registry.database import db
from registry.messages import msg
from registry.screening.index_files import (
    DEFAULT_KEEP_DAYS,
    DEFAULT_WAIT,
    IndexFiles,
    OutboxMark,
    index_directory,
    read_head,
)
from registry.screening.name_index import DEFAULT_MAX_PENDING, candidates_from_db


@click.command("build-index")
@with_appcontext
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="the index root (default: REGISTRY_INDEX_DIR, else instance/index)",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=DEFAULT_WAIT,
    show_default=True,
    help="seconds to wait for another process that holds the lock",
)
@click.option(
    "--keep-days",
    type=click.FloatRange(min=0),
    default=DEFAULT_KEEP_DAYS,
    show_default=True,
    help="delete other releases' and databases' index directories unchanged for this many days",
)
@click.option("--check", is_flag=True, help="only check the current file; build nothing")
def build_index(directory: Path | None, wait: float, keep_days: float, check: bool) -> None:
    """Build the candidate index once into a file that every worker maps (shared pages)."""
    root = directory or index_directory(current_app)
    if root is None:
        refuse("index files are off (REGISTRY_INDEX_DIR=off); give --directory")
    files = IndexFiles(root, wait=wait)
    session = db.session()
    head = read_head(session)
    target = files.directory(session)
    if check:
        _check(files, target, head)
        return
    started = time.perf_counter()
    try:
        with files.lock(session).held(wait) as locked:
            if not locked:
                refuse(
                    msg(
                        "another process held the lock on {directory} for {seconds:g} s",
                        directory=str(target),
                        seconds=wait,
                    )
                )
            matcher = NamePartsMatcher()
            matcher.build(candidates_from_db(session))
            manifest = files.write(session, matcher, head)
    except OSError as exc:
        refuse(msg("cannot write the index file: {error}", error=str(exc)))
    click.echo(
        f"index file built in {time.perf_counter() - started:.1f} s: {manifest.counts['entities']:,} listed "
        f"entities, {manifest.counts['rows']:,} names, {manifest.size / 1e6:.1f} MB, at outbox seq {head.seq}"
    )
    click.echo(f"  {manifest.path}")
    for path in files.prune(session, keep_days):
        click.echo(f"  deleted {path} (another release's or database's, unchanged for {keep_days:g} days)")


def _check(files: IndexFiles, target: Path, head: OutboxMark) -> None:
    """Say whether the current file is usable at `head` (exit 1 if not)."""
    try:
        manifest = index_file.read_manifest(target)
        if manifest is None:
            click.echo(f"no index file in {target}")
            sys.exit(1)
        index_file.open_base(manifest, verify=True)
    except index_file.IndexFileError as exc:
        click.echo(f"unusable: {exc}")
        sys.exit(1)
    mark, problem = files.assess(db.session(), manifest, head, DEFAULT_MAX_PENDING)
    if problem is not None:
        click.echo(f"unusable: {manifest.path}: {problem}")
        sys.exit(1)
    click.echo(
        f"usable: {manifest.path}, {manifest.counts['entities']:,} listed entities, {manifest.size / 1e6:.1f} MB, "
        f"built {manifest.created}, outbox seq {mark.seq} ({head.seq - mark.seq} events behind the head)"
    )
