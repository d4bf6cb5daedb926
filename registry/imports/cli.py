"""`flask registry import FILE`: penalties, list entries or licences from an XLSX or CSV file (批量导入).

The operator (registry.ledger.OPERATOR) imports for the authority named with --authority, with
a progress bar on stderr. Exit 0 when every row was imported or found unchanged; 1 when rows
were rejected or in conflict (the summary says how many and where the report is); 2 when the
file cannot be read or the command cannot run (the message names the problem). The command
commits once: in mode all only when every row was good, in mode skip the good rows.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from registry.cli_errors import refuse, refuse_error, say
from registry.database import db, write_intent
from registry.errors import RegistryError
from registry.imports.run import (
    KINDS,
    MODES,
    REPORT_FORMATS,
    ImportReport,
    import_records,
    write_report,
)
from registry.ledger import OPERATOR
from registry.messages import msg
from registry.runtime import current_rules, current_runtime
from registry.vocab import DOMAINS, SEVERITIES

SHOWN_PROBLEMS = 20  # on the terminal without --report; the report file holds every one


def _show_problems(report: ImportReport) -> None:
    """The first problems on stderr, each with its row, column and value, the reason in Chinese."""
    for p in report.problems[:SHOWN_PROBLEMS]:
        where = say(msg("row {row}, {column}", row=p.row, column=p.column) if p.column else msg("row {row}", row=p.row))
        value = f" {p.value!r}" if p.value else ""
        click.echo(f"  {where}{value}：{p.said('zh')}", err=True)
    if len(report.problems) > SHOWN_PROBLEMS:
        more = msg(
            "… {count} more; --report PATH.csv (or .xlsx) writes every problem",
            count=len(report.problems) - SHOWN_PROBLEMS,
        )
        click.echo(f"  {say(more)}", err=True)


@click.command("import")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default=None,
    help="penalties, list-entries or licences (default: told by the header row)",
)
@click.option(
    "--mode",
    type=click.Choice(MODES),
    default="all",
    show_default=True,
    help="all: one bad row and nothing is written; skip: write the good rows, report the others",
)
@click.option(
    "--authority",
    "authority_id",
    type=int,
    default=None,
    help="id of the authority whose decisions the file holds (required: 谁批准、谁公开)",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="write every problem (row, column, value, reason) to PATH.csv or PATH.xlsx",
)
@click.option(
    "--severity",
    type=click.Choice(list(SEVERITIES)),
    default=None,
    help="失信程度 for rows that leave it empty (the standard 双公示 sheet has no such column)",
)
@click.option(
    "--domain",
    type=click.Choice(list(DOMAINS)),
    default=None,
    help="交易领域 for rows that leave it empty (needed when the authority supervises several)",
)
def import_file(
    file: Path,
    kind: str | None,
    mode: str,
    authority_id: int | None,
    report_path: Path | None,
    severity: str | None,
    domain: str | None,
) -> None:
    """Import the penalties, list entries or licences of an XLSX or CSV FILE with the standard Chinese headers."""
    write_intent.set(True)
    fmt = report_path.suffix.lower().lstrip(".") if report_path is not None else None
    if fmt is not None and fmt not in REPORT_FORMATS:
        refuse(msg("--report {path}: the report is written as .csv or .xlsx", path=str(report_path)))
    if authority_id is None:
        refuse(
            "--authority ID is required: the file is imported as the decisions of that authority (list them with "
            "GET /api/v1/authorities)"
        )
    runtime = current_runtime()
    session = db.session()
    try:
        with click.progressbar(length=0, label=f"importing {file.name}", show_pos=True, file=sys.stderr) as bar:

            def progress(done: int, total: int) -> None:
                bar.length = max(total, done)
                bar.update(done - bar.pos)

            report = import_records(
                session,
                file,
                file.name,
                actor=OPERATOR,
                kind=kind,
                mode=mode,
                today=runtime.clock.today(),
                rules=current_rules(session),
                vault=runtime.vault,
                progress=progress,
                authority_id=authority_id,
                now=runtime.clock.now(),
                defaults={"severity": severity, "domain": domain},
            )
    except RegistryError as exc:  # the file cannot be read, or the authority is unknown
        refuse_error(exc)
    if report.written:
        session.commit()
    else:
        session.rollback()
    if report_path is not None and fmt is not None:
        with report_path.open("wb") as out:
            write_report(report, fmt, out)
    click.echo(say(report.summary()))
    if report.entities_created:
        click.echo(
            say(msg("{count} subjects (行政相对人) were registered along the way", count=report.entities_created))
        )
    for column in report.ignored_columns:
        click.echo(say(msg("column {column} is derived by the registry and was not imported", column=column)))
    for note in report.chinese_notes:
        click.echo(say(msg("note: {note}", note=note)))
    if report.problems:
        count = len(report.problems)
        found = (
            msg("{count} problems; every problem is in {path}:", count=count, path=str(report_path))
            if report_path is not None
            else msg("{count} problems:", count=count)
        )
        click.echo(say(found), err=True)
        _show_problems(report)
    if report.bad_rows:
        bad = msg(
            "{rejected} rows rejected, {conflicts} in conflict", rejected=report.rejected, conflicts=report.conflicts
        )
        if report_path is not None:
            bad = msg("{bad}; see {path}", bad=bad, path=str(report_path))
        click.echo(say(bad), err=True)
        sys.exit(1)
