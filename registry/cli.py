"""`flask registry …`: keys, the audit-chain check and demo data. Each command commits once."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import NoReturn

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from registry import access, demo
from registry.accounts import cli as accounts_cli
from registry.calendar import cli as calendar_cli
from registry.cli_errors import refuse, refuse_error
from registry.clock import CHINA
from registry.database import db, utcnow, write_intent
from registry.errors import RegistryError
from registry.evidence import cli as evidence_cli
from registry.evidence.check import verify_tree
from registry.imports import cli as import_cli
from registry.ledger import OPERATOR
from registry.ledger.check import read_heads, verify_ledgers
from registry.messages import Text, msg
from registry.models import Entity
from registry.monitoring import cli as monitoring_cli
from registry.records.recompute import recompute_derived_dates
from registry.runtime import current_rules, current_runtime
from registry.screening import index_cli

registry_cli = AppGroup("registry", help="Registry administration: keys, audit chain, demo data.")


def _fail(message: Text) -> NoReturn:
    refuse(message)


@registry_cli.command("create-key")
@click.option("--role", required=True, type=click.Choice(sorted(access.ROLES)), help="what the key may do")
@click.option("--authority", "authority_id", type=int, help="authority id (supervisor keys only)")
@click.option("--entity", "entity_ref", default=None, help="the entity's USCC or id (entity keys only: 信用代证)")
@click.option("--name", default=None, help="who holds the key (default: the role)")
@click.option(
    "--expires",
    "expires_on",
    default=None,
    metavar="YYYY-MM-DD",
    help="last day the key works (China time); refused from 00:00 the day after",
)
@click.option("--days", type=int, default=None, help="the key works for N days from now")
def create_key(
    role: str,
    authority_id: int | None,
    entity_ref: str | None,
    name: str | None,
    expires_on: str | None,
    days: int | None,
) -> None:
    """Create an API key and print it once; only its hash is stored. Without --expires or --days it
    works until revoked."""
    write_intent.set(True)
    now = utcnow()
    expires_at = _key_end(expires_on, days, now)
    try:
        entity_id = None if entity_ref is None else _entity_id(entity_ref)
        key, secret = access.create_key(
            db.session(),
            role=role,
            name=name or role,
            authority_id=authority_id,
            entity_id=entity_id,
            expires_at=expires_at,
            actor=OPERATOR,
            now=now,
        )
    except RegistryError as exc:
        refuse_error(exc)
    db.session.commit()
    ends = "" if expires_at is None else f", expires {expires_at.astimezone(CHINA):%Y-%m-%d %H:%M} China time"
    click.echo(
        f"key {key.id} ({key.role}{'' if authority_id is None else f', authority {authority_id}'}{ends}):", err=True
    )
    click.echo(secret)


def _entity_id(reference: str) -> int:
    """The id of the entity named by `--entity`: its 统一社会信用代码, or the registry's id."""
    text = reference.strip().upper()
    found = (
        db.session.get(Entity, int(text))
        if text.isdigit() and len(text) < 18
        else db.session.scalar(sa.select(Entity).where(Entity.uscc == text))
    )
    if found is None:
        _fail(msg("--entity {reference}: no entity with this code or id", reference=reference))
    return found.id


def _key_end(expires_on: str | None, days: int | None, now: dt.datetime) -> dt.datetime | None:
    """When a new key stops working: the end of the --expires day in China, or --days from now."""
    if expires_on is not None and days is not None:
        _fail("give --expires or --days, not both")
    if days is not None:
        if not 1 <= days <= 36_500:
            _fail(msg("--days must be a whole number of days from 1 to 36500, got {days}", days=days))
        return now + dt.timedelta(days=days)
    if expires_on is None:
        return None
    last_day = _iso_date(expires_on)
    if last_day is None:
        _fail(msg("--expires must be a date as YYYY-MM-DD, got {value!r}", value=expires_on))
    today = now.astimezone(CHINA).date()
    if last_day < today:
        _fail(msg("--expires {day} is in the past (today is {today} in China)", day=last_day, today=today))
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), CHINA).astimezone(dt.UTC)


def _iso_date(text: str) -> dt.date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@registry_cli.command("revoke-key")
@click.argument("key_id", type=int)
def revoke_key(key_id: int) -> None:
    """Revoke an API key: refused at once here, by running web workers within REGISTRY_KEY_CACHE_SECONDS."""
    write_intent.set(True)
    try:
        key = access.revoke_key(db.session(), key_id, actor=OPERATOR)
    except RegistryError as exc:
        refuse_error(exc)
    db.session.commit()
    current_runtime().keys.forget(key.secret_hash)  # this process's own cache (a server's workers wait out theirs)
    seconds = current_runtime().keys.ttl
    click.echo(f"key {key_id} revoked" + (f"; running servers refuse it within {seconds:g} s" if seconds else ""))


@registry_cli.command("recompute-rules")
def recompute_rules() -> None:
    """Re-derive publication periods, repair dates and deadlines after the catalogue or calendar changed."""
    write_intent.set(True)
    session = db.session()
    try:
        report = recompute_derived_dates(session, current_rules(session), OPERATOR)
    except RegistryError as exc:
        refuse_error(exc)
    db.session.commit()
    click.echo(
        f"recomputed: {report.penalties} penalties, {report.list_entries} list entries and "
        f"{report.repairs} repair applications changed"
    )


@registry_cli.command("verify-audit")
@click.option(
    "--against",
    "against",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="a file of chain heads the credit platform kept (JSON list or lines of {seq, hash})",
)
def verify_audit(against: Path | None) -> None:
    """Check the audit chain, every outbox event and every record against it, the evidence tree (each
    leaf its screening's, each anchor's root and signature), and (with --against) the heads the
    platform kept; name each problem (exit 1 if any)."""
    try:
        heads = read_heads(against) if against is not None else None
    except (OSError, ValueError) as exc:
        _fail(msg("--against: {error}", error=str(exc)))
    report = verify_ledgers(db.session(), heads=heads)
    tree = verify_tree(db.session())
    checked = f"{report.events_checked} outbox events and {report.records_checked} records" + (
        f" and {report.heads_checked} platform heads" if heads else ""
    )
    problems = [f"audit chain {p}" for p in report.problems] + [f"evidence tree: {p}" for p in tree.problems]
    if not problems:
        click.echo(f"audit chain intact: {report.rows_checked} rows; {checked} match it")
        click.echo(
            f"evidence tree intact: {tree.size} leaves, each its screening's; {tree.anchors_checked} anchors signed"
        )
        return
    for problem in problems[:50]:
        click.echo(problem, err=True)
    if len(problems) > 50:
        click.echo(f"  … and {len(problems) - 50} more", err=True)
    sys.exit(1)


@registry_cli.command("seed-demo")
@click.option(
    "--entities",
    "entity_count",
    type=click.IntRange(min=demo.MIN_ENTITIES),
    default=300,
    show_default=True,
    help="how many entities (市场主体) to generate",
)
@click.option(
    "--seed",
    "rng_seed",
    type=int,
    default=2026,
    show_default=True,
    help="seed of the generator: the same seed and day give the same registry",
)
@click.option("--if-empty", is_flag=True, help="do nothing (exit 0) if the registry already has an entity")
def seed_demo(entity_count: int, rng_seed: int, if_empty: bool) -> None:
    """Load a small demo registry (authorities, entities, lists, penalties, keys) through the services."""
    write_intent.set(True)
    if if_empty and db.session.scalar(sa.select(Entity.id).limit(1)) is not None:
        db.session.rollback()
        click.echo("the registry already has entities: skipped loading demo data (--if-empty)")
        return
    runtime = current_runtime()
    today = runtime.clock.today()
    try:
        summary = demo.seed_demo(
            db.session(),
            vault=runtime.vault,
            rules=current_rules(db.session()),
            today=today,
            rng_seed=rng_seed,
            entities=entity_count,
        )
    except RegistryError as exc:
        refuse_error(exc)
    db.session.commit()
    click.echo(f"demo registry loaded (seed {rng_seed}, dates counted back from {today}):")
    click.echo(f"  authorities   {summary.authorities}")
    click.echo(f"  entities      {summary.entities}")
    click.echo(f"  list entries  {summary.list_entries}")
    click.echo(f"  penalties     {summary.penalties}")
    if summary.responsible_person is not None:
        name, number, company, list_name = summary.responsible_person
        click.echo(f"  失信相关人    {name} (demo ID {number}): legal representative of {company}, on {list_name};")
        click.echo("                screen a bidder with legal_representative {name, id_number} to see it found")
    click.echo("demo API keys (shown once; only their hashes are stored):")
    for key in summary.keys:
        bound = "" if key.authority_id is None else f", authority {key.authority_id}"
        click.echo(f"  {key.role:<10} {key.key}  {key.name}{bound}")
    click.echo("demo accounts for the pages (sign in at /login; passwords shown once, only their hashes are stored):")
    for person in summary.accounts:
        manager = "，账户管理员" if person.manages_accounts else ""
        click.echo(
            f"  {person.role:<10} {person.login:<17} {person.password}  {person.name}（{person.unit or '—'}{manager}）"
        )


registry_cli.add_command(accounts_cli.create_admin)
registry_cli.add_command(calendar_cli.calendar)
registry_cli.add_command(import_cli.import_file)
registry_cli.add_command(evidence_cli.anchor_command)
registry_cli.add_command(index_cli.build_index)
registry_cli.add_command(monitoring_cli.watch_check)
