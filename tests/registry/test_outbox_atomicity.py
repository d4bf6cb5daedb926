"""A crash between a write and its outbox event is impossible by construction: the record, its audit
row and its outbox event are written in one transaction, so they commit together or not at all.

- A failure after the record's flush but before the outbox insert, and one after the outbox insert
  but at the commit, leave neither the record nor its event (nor its audit row, nor a used number).
- A process killed (os._exit, no rollback said) after the outbox insert and before the commit leaves
  nothing behind in the database; the same script not killed commits all three.
- Structurally: every service function that flushes a change hands the same session to
  `record_change` (audit row + outbox event), or is one of the few audited-only writes named below.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from registry import ledger
from registry.codes.idnumber import IdentityVault
from registry.database import db
from registry.ledger import verify_audit_chain
from registry.models import AuditLog, ChangeEvent, Entity, LedgerCounter, ListEntry, Penalty
from registry.records import entities, list_entries, penalties
from tests import factories
from tests.integration.test_concurrency import Committed, committed  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
# Every package that holds services (functions that change the registry and flush).
SERVICES = [ROOT / "registry" / package for package in ("records", "calendar", "screening", "accounts", "monitoring")]


def _service_files() -> list[Path]:
    return sorted(path for package in SERVICES for path in package.glob("*.py"))


def _module(path: Path) -> str:
    return f"{path.parent.name}.{path.stem}"


class Crash(RuntimeError):
    """The process 'dies' here."""


def _ledgers(session: Session) -> tuple[int, int, dict[str, int]]:
    counters = {
        c.name: c.value for c in session.scalars(sa.select(LedgerCounter).execution_options(populate_existing=True))
    }
    return (
        session.scalar(sa.select(sa.func.count()).select_from(ChangeEvent)) or 0,
        session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) or 0,
        counters,
    )


@pytest.fixture
def scene(session: Session) -> dict[str, Any]:
    finance = factories.make_authority(session, "浙江省财政厅", ("procurement",))
    entity = factories.make_entity(session, "杭州原子建设工程有限公司")
    penalty = factories.make_penalty(session, finance, entity)
    entry = factories.make_list_entry(session, finance, entity)
    session.commit()
    return {"finance": finance, "entity": entity, "penalty": penalty, "entry": entry}


# Each write: (name, do it, find what it wrote afterwards: a true value if the change is there)
def _writes(session: Session, scene: dict[str, Any]) -> dict[str, tuple[Callable[[], Any], Callable[[], bool]]]:
    finance, entity = scene["finance"], scene["entity"]
    supervisor = factories.supervisor_of(finance)
    rules = factories.rules(session)
    penalty_id, entry_id = scene["penalty"].id, scene["entry"].id
    vault = IdentityVault("test-data-protection-secret")
    code = factories.code()

    def penalty_number(number: str) -> bool:
        return session.scalar(sa.select(Penalty.id).where(Penalty.decision_number == number)) is not None

    def content_of_penalty() -> str | None:
        return session.scalar(
            sa.select(Penalty.content).where(Penalty.id == penalty_id).execution_options(populate_existing=True)
        )

    def status_of_entry() -> str | None:
        return session.scalar(
            sa.select(ListEntry.status).where(ListEntry.id == entry_id).execution_options(populate_existing=True)
        )

    return {
        "create entity": (
            lambda: entities.create_entity(
                session, {"kind": "legal_entity", "name": "杭州原子新设有限公司", "uscc": code}, factories.ADMIN, vault
            ),
            lambda: session.scalar(sa.select(Entity.id).where(Entity.uscc == code)) is not None,
        ),
        "record penalty": (
            lambda: penalties.record_penalty(
                session,
                _decimal(factories.penalty_data(entity, decision_number="浙财原子〔2026〕1号")),
                supervisor,
                factories.TODAY,
                rules=rules,
            ),
            lambda: penalty_number("浙财原子〔2026〕1号"),
        ),
        "correct penalty": (
            lambda: penalties.correct_penalty(
                session,
                penalty_id,
                {"content": "罚款人民币六千元"},
                "笔误",
                supervisor,
                1,
                factories.TODAY,
                rules=rules,
            ),
            lambda: content_of_penalty() == "罚款人民币六千元",
        ),
        "create list entry": (
            lambda: list_entries.create_list_entry(
                session,
                factories.list_entry_data(entity, decision_number="浙财原子决〔2026〕1号"),
                supervisor,
                factories.TODAY,
                rules=rules,
            ),
            lambda: (
                session.scalar(sa.select(ListEntry.id).where(ListEntry.decision_number == "浙财原子决〔2026〕1号"))
                is not None
            ),
        ),
        "remove list entry": (
            lambda: list_entries.remove_list_entry(
                session, entry_id, "经复核移出", None, supervisor, 1, factories.TODAY
            ),
            lambda: status_of_entry() == "removed",
        ),
    }


def _decimal(data: dict[str, Any]) -> dict[str, Any]:
    from decimal import Decimal

    return {**data, "fine_amount": Decimal(data["fine_amount"])}


WRITES = ("create entity", "record penalty", "correct penalty", "create list entry", "remove list entry")


@pytest.mark.parametrize("write", WRITES)
def test_a_failure_before_the_outbox_insert_leaves_no_record(
    session: Session,
    scene: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    write: str,
) -> None:
    do, done = _writes(session, scene)[write]
    before = _ledgers(session)
    reached: list[str] = []

    def crash(*args: Any, **kwargs: Any) -> None:
        reached.append(kwargs["record_type"])
        assert done(), "the record's change is flushed when its outbox event is written"
        raise Crash

    monkeypatch.setattr(ledger, "emit_event", crash)
    with pytest.raises(Crash):
        do()
    session.rollback()  # what every entry point does with an error

    assert reached  # the crash came after the record was flushed and audited
    assert not done()
    assert _ledgers(session) == before


@pytest.mark.parametrize("write", WRITES)
def test_a_failed_commit_after_the_outbox_insert_leaves_neither(
    session: Session,
    scene: dict[str, Any],
    write: str,
) -> None:
    do, done = _writes(session, scene)[write]
    events, audits, counters = _ledgers(session)
    do()
    session.flush()
    assert done()
    assert _ledgers(session)[:2] == (events + 1, audits + 1)  # both are written, in this transaction

    def fail(_: Session) -> None:
        raise Crash

    sa.event.listen(session, "before_commit", fail)
    try:
        with pytest.raises(Crash):
            session.commit()
    finally:
        sa.event.remove(session, "before_commit", fail)
    session.rollback()

    assert not done()
    assert _ledgers(session) == (events, audits, counters)


# -- a real process killed between the outbox insert and the commit ------------------------------

CRASH_SCRIPT = """
import json, os, sys
from decimal import Decimal
import datetime as dt
from api.app import create_app
from registry import ledger
from registry.database import db, write_intent
from registry.ledger import Actor
from registry.runtime import current_rules
from registry.records.penalties import record_penalty

args = json.loads(sys.argv[1])
app = create_app({"DATABASE_URL": args["url"], "DATA_KEY": "test-data-protection-secret"})
real_emit = ledger.emit_event

def emit_then_die(session, **kwargs):
    event = real_emit(session, **kwargs)
    session.flush()  # the event's row is in the database, inside the open transaction
    if args["kill"]:
        os._exit(17)  # killed: no rollback, no commit, the connection just goes
    return event

ledger.emit_event = emit_then_die
with app.app_context():
    write_intent.set(True)
    data = dict(args["data"], fine_amount=Decimal(args["data"]["fine_amount"]),
                decided_on=dt.date.fromisoformat(args["data"]["decided_on"]))
    actor = Actor(key_id=None, name="crash test", role="supervisor", authority_id=args["authority_id"])
    record_penalty(db.session(), data, actor, dt.date(2026, 11, 23), rules=current_rules(db.session()))
    db.session.commit()
print("committed")
"""


def _run_writer(
    app: Flask, authority_id: int, entity_id: int, number: str, *, kill: bool
) -> subprocess.CompletedProcess[str]:
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    data = factories.penalty_data(Entity(id=entity_id), decision_number=number)
    data["decided_on"] = data["decided_on"].isoformat()
    payload = json.dumps({"url": url, "kill": kill, "authority_id": authority_id, "data": data}, ensure_ascii=False)
    return subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, payload],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture
def written(committed: Committed) -> tuple[Committed, int, int]:  # noqa: F811
    app = committed.app
    with app.app_context():
        finance = factories.make_authority(db.session, "浙江省财政厅", ("procurement",))
        entity = factories.make_entity(db.session, "杭州断电建设工程有限公司")
        db.session.commit()
        ids = finance.id, entity.id
        db.session.remove()
    return committed, *ids


def _state(c: Committed) -> tuple[int, int, list[tuple[Any, ...]]]:
    return (
        c.scalar(sa.select(sa.func.count()).select_from(ChangeEvent)),
        c.scalar(sa.select(sa.func.count()).select_from(AuditLog)),
        c.rows(
            sa.select(LedgerCounter.name, LedgerCounter.value, LedgerCounter.last_hash).order_by(LedgerCounter.name)
        ),
    )


def test_a_process_killed_before_the_commit_leaves_nothing(written: tuple[Committed, int, int]) -> None:
    c, authority_id, entity_id = written
    before = _state(c)

    killed = _run_writer(c.app, authority_id, entity_id, "浙财断电〔2026〕1号", kill=True)
    assert killed.returncode == 17, killed.stderr[-3000:]
    assert c.scalar(sa.select(sa.func.count()).select_from(Penalty)) == 0
    assert _state(c) == before  # no event, no audit row, no number taken

    # the same writer, not killed, commits the penalty with its audit row and its event
    survived = _run_writer(c.app, authority_id, entity_id, "浙财断电〔2026〕2号", kill=False)
    assert survived.returncode == 0, survived.stderr[-3000:]
    penalty_id = c.scalar(sa.select(Penalty.id).where(Penalty.decision_number == "浙财断电〔2026〕2号"))
    assert penalty_id is not None
    assert c.rows(
        sa.select(ChangeEvent.record_type, ChangeEvent.record_id, ChangeEvent.seq).where(ChangeEvent.seq > before[0])
    ) == [("penalty", penalty_id, before[0] + 1)]
    assert c.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == before[1] + 1
    with c.app.app_context():
        try:
            assert verify_audit_chain(db.session).ok
        finally:
            db.session.remove()


# -- structure: every service write goes through record_change with its own session ----------------

# Writes that are audited but are no registry record the credit platform receives (no outbox event):
AUDITED_ONLY = {
    "calendar.service.load_calendar_year": "the working-day calendar is configuration; its years are audited only",
    "calendar.service.delete_calendar_year": "as above",
    "screening.dispositions.dispose_hit": "a screener's note on a screening: audited evidence, not a registry record",
    "accounts.store.save": "a person's account: audited (who changed it, before and after), never sent to the platform",
    "screening.final_decisions.record_final_decision": "an agency's decision beside a screening: audited evidence",
    "monitoring.watches.watch_screening": "an agency's watch on its own screening: audited, never sent to the platform",
    "monitoring.watches.end_watch": "as above",
    "monitoring.alerts.acknowledge_alert": "an agency's acknowledgement of its own alert: audited",
    "monitoring.detect.check_watches": "an alert for one agency: audited as the system's, never sent to the platform",
}
# Writes of no record at all, neither audited nor sent: the state of signing in itself.
NOT_RECORDS = {
    "accounts.sessions.start_page_session": "a page session (登录会话): opened by the audited sign-in",
    "accounts.signin.record_unknown_failure": "failed sign-ins under a name no account has: a throttle, kept minutes",
    "monitoring.detect._cursor": "the alert checker's cursor, made once where a database predates it",
}
LEDGER_CALLS = {"record_change", "apply_derived"}


def _called(node: ast.AST) -> Iterator[tuple[str, ast.Call]]:
    for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
        if isinstance(call.func, ast.Name):
            yield call.func.id, call
        elif isinstance(call.func, ast.Attribute):
            yield call.func.attr, call


def _receiver(call: ast.Call) -> str | None:
    value = call.func.value if isinstance(call.func, ast.Attribute) else None
    return value.id if isinstance(value, ast.Name) else None


def unrecorded_writes(source: str, module: str) -> list[str]:
    """Functions that flush or add to a session without handing that session to the ledger."""
    problems = []
    for fn in (n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)):
        calls = list(_called(fn))
        params = {
            a.arg
            for a in fn.args.args + fn.args.kwonlyargs
            if a.arg == "session" or (a.annotation is not None and "Session" in ast.unparse(a.annotation))
        }
        sessions = {_receiver(c) for name, c in calls if name in ("flush", "add", "add_all")} & params
        if not sessions:
            continue
        name = f"{module}.{fn.name}"
        if name in NOT_RECORDS:
            continue
        wanted = {"append_audit"} if name in AUDITED_ONLY else LEDGER_CALLS
        handed = {a.id for fname, c in calls if fname in wanted for a in c.args[:1] if isinstance(a, ast.Name)}
        handed |= {
            k.value.id
            for fname, c in calls
            if fname in wanted
            for k in c.keywords
            if k.arg == "session" and isinstance(k.value, ast.Name)
        }
        if not sessions <= handed:
            problems.append(
                f"{name} writes with {sorted(sessions)} but hands {sorted(handed) or 'nothing'} "
                f"to {'/'.join(sorted(wanted))}"
            )
    return problems


def test_every_service_write_hands_its_session_to_the_ledger() -> None:
    problems = []
    for path in _service_files():
        problems += unrecorded_writes(path.read_text(encoding="utf-8"), _module(path))
    assert problems == []
    functions = {
        f"{_module(p)}.{n.name}"
        for p in _service_files()
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(n, ast.FunctionDef)
    }
    assert set(AUDITED_ONLY) | set(NOT_RECORDS) <= functions  # the exceptions still exist (else drop them)


def test_record_change_writes_the_audit_row_and_the_event_with_the_session_it_is_given() -> None:
    tree = ast.parse(Path(ledger.__file__).read_text(encoding="utf-8"))
    record_change = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "record_change")
    handed = {
        name: c.args[0].id
        for name, c in _called(record_change)
        if name in ("append_audit", "emit_event") and c.args and isinstance(c.args[0], ast.Name)
    }
    assert handed == {"append_audit": "session", "emit_event": "session"}


def test_the_structure_check_finds_a_write_without_its_event() -> None:
    source = (
        "def sneak(session, record):\n    session.add(record)\n    session.flush()\n\n"
        "def elsewhere(session, other: Session, record):\n    other.flush()\n    record_change(session, record=record)\n\n"
        "def fine(session, record):\n    session.flush()\n    record_change(session, record=record)\n"
    )
    assert [p.split(" ")[0] for p in unrecorded_writes(source, "m")] == ["m.sneak", "m.elsewhere"]
