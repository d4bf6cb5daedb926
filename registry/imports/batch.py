"""The batched writer of imports: the services' own checks, a chunk written with a few statements.

Recording a row through the services costs some twenty statements (lookups, the insert, the
audit append with its counter, the outbox event, a savepoint), about 170 rows a second on
SQLite: far from the hundred thousand rows a minute an import needs. This writer decides a chunk
of rows first and writes it after:

- it reads ahead, in one query each, the chunk's recorded natural keys and subjects;
- each new row is checked and built exactly as the services check and build it: through their
  public seams (`build_entity`, `build_penalty`, `build_list_entry`, `build_licence`: the services' own checks and
  objects, not yet added); a new subject gets a provisional (negative) id that those checks can
  load through `_Overlay`;
- the chunk's good rows are then written in their order: new subjects, then records (ORM
  flushes of many objects, so defaults and types are the models' own), then one audit row and
  one outbox event per record, written by the ledger's batched writer (`record_creations`: one
  counter step each, hash-chained exactly as `record_change` would chain them one by one).

A bad row is never written, so it leaves nothing behind. Should the database refuse a chunk
(a constraint no check foresaw), the chunk's savepoint is rolled back and its rows go through the
per-row writer, which isolates the refused row. tests/registry/test_importing.py imports the same
files through both writers and finds the same records, audit content and outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from registry.codes import uscc as uscc_codes
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER
from registry.errors import RegistryError
from registry.imports.bulk_insert import insert_children, insert_objects
from registry.imports.row_checks import RECORD_NAMES
from registry.imports.row_writer import RowImporter
from registry.imports.rows import (
    EntityKey,
    Record,
    Row,
    RowRejected,
    clean_name,
    read_row,
)
from registry.ledger import Creation, record_creations
from registry.messages import Msg, Text, msg
from registry.models import (
    Entity,
    EntityName,
    Licence,
    ListEntry,
    ListEntryDomain,
    ListEntryTransition,
    Penalty,
    ResponsiblePerson,
)
from registry.national_columns import RECORD_TYPES
from registry.records import entities as entity_service
from registry.records import licences as licence_service
from registry.records import list_entries as list_entry_service
from registry.records import penalties as penalty_service


class _Overlay:
    """The session as the services' checks read it (`get`), plus the subjects the chunk is about
    to create under provisional ids: `load_subject` finds them there as it finds stored ones."""

    def __init__(self, session: Session, staged: dict[int, Entity]) -> None:
        self._session = session
        self._staged = staged

    def get(self, model: Any, ident: Any, **kwargs: Any) -> Any:
        if model is Entity and isinstance(ident, int) and ident < 0:
            return self._staged.get(ident)
        return self._session.get(model, ident, **kwargs)

    def get_one(self, model: Any, ident: Any, **kwargs: Any) -> Any:
        if model is Entity and isinstance(ident, int) and ident < 0:
            return self._staged[ident]
        return self._session.get_one(model, ident, **kwargs)


@dataclass
class _Staged:
    """A good row of the chunk, waiting to be written: its new subjects, then its record."""

    number: int
    entities: list[tuple[int, Entity]]
    record: Record


@dataclass
class BatchImporter(RowImporter):
    """Decides a chunk of rows as the per-row writer does, then writes its good rows together."""

    staged: list[_Staged] = field(default_factory=list)
    staged_entities: dict[int, Entity] = field(default_factory=dict)
    staged_records: dict[tuple[str, ...], Record] = field(default_factory=dict)
    staged_rows: dict[int, int] = field(default_factory=dict)  # id(record) → its row number
    row_entities: list[tuple[int, Entity]] = field(default_factory=list)
    next_provisional: int = -1
    recorded: dict[tuple[str, ...], Record] = field(default_factory=dict)
    by_code: dict[str, Entity] = field(default_factory=dict)
    by_name: dict[str, list[int]] = field(default_factory=dict)
    derived: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)  # periods, dates by their inputs

    def __post_init__(self) -> None:
        self.overlay = cast(Session, _Overlay(self.session, self.staged_entities))

    # -- a chunk -------------------------------------------------------------------------------

    def process(self, rows: list[tuple[int, list[Any]]]) -> None:
        if not rows:
            return
        mark = len(self.report.problems)
        read: list[Row | RowRejected] = []
        for number, cells in rows:
            try:
                read.append(read_row(number, cells, self.layout, self.kind))
            except RowRejected as exc:
                read.append(exc)
        self.read_ahead([r for r in read if isinstance(r, Row)])
        outcomes = []
        for item in read:
            if isinstance(item, RowRejected):
                self.report.problems.extend(item.problems)
                outcomes.append("rejected")
                continue
            try:
                outcomes.append(self.import_row(item))
            except RowRejected as exc:
                self.report.problems.extend(exc.problems)
                outcomes.append("rejected")
        try:
            created = self.write()
        except DBAPIError:
            # A constraint no check foresaw: undo the chunk (its savepoint is rolled back) and let
            # the per-row writer find the row the database refuses.
            del self.report.problems[mark:]
            self.forget_provisional()
            self.reset_chunk()
            fallback = RowImporter(
                self.session,
                self.actor,
                self.authority,
                self.kind,
                self.layout,
                self.report,
                self.today,
                self.rules,
                self.vault,
                self.now,
                defaults=self.defaults,
                entities=self.entities,
                authorities=self.authorities,
            )
            fallback.process(rows)
            return
        for outcome in outcomes:
            self.count(outcome)
        self.report.entities_created += created

    def reset_chunk(self) -> None:
        self.staged.clear()
        self.staged_entities.clear()
        self.staged_records.clear()
        self.staged_rows.clear()
        self.recorded.clear()
        self.by_code.clear()
        self.by_name.clear()

    def forget_provisional(self) -> None:
        for key in [k for k, v in self.entities.items() if v < 0]:
            del self.entities[key]

    def read_ahead(self, rows: list[Row]) -> None:
        """The chunk's recorded natural keys and its subjects, in a few queries."""
        self.reset_chunk()
        numbers = sorted({r.values["decision_number"] for r in rows if r.values.get("decision_number")})
        if numbers and self.kind != "list-entries":  # penalties and licences: keyed by 文号 alone
            model: type[Penalty] | type[Licence] = Penalty if self.kind == "penalties" else Licence
            found = self.session.scalars(
                sa.select(model).where(model.authority_id == self.authority.id, model.decision_number.in_(numbers))
            )
            for record in cast(list[Penalty | Licence], found.all()):
                self.recorded[(record.decision_number,)] = record
        elif numbers:
            for entry in self.session.scalars(
                sa.select(ListEntry).where(
                    ListEntry.authority_id == self.authority.id, ListEntry.decision_number.in_(numbers)
                )
            ):
                self.recorded[(entry.decision_number, entry.list_name)] = entry
        codes: set[str] = set()
        names: set[str] = set()
        for r in rows:
            raw = r.values.get("subject_uscc")
            code = uscc_codes.normalise(raw) if raw else None
            if code and code != INDIVIDUAL_BUSINESS_PLACEHOLDER:
                codes.add(code)
            elif r.values.get("subject_name"):
                names.add(clean_name(r.values["subject_name"]))
        if codes:
            for entity in self.session.scalars(sa.select(Entity).where(Entity.uscc.in_(sorted(codes)))):
                if entity.uscc:
                    self.by_code[entity.uscc] = entity
        if names:
            for entity_id, name in self.session.execute(
                sa.select(Entity.id, Entity.name)
                .where(Entity.name.in_(sorted(names)), Entity.kind != "natural_person")
                .order_by(Entity.id)
            ):
                self.by_name.setdefault(name, []).append(entity_id)

    # -- lookups: what was read ahead, then what this chunk staged -----------------------------

    def existing(self, row: Row) -> Record | None:
        key = self.natural_key(row)
        return self.staged_records.get(key) or self.recorded.get(key)

    def entity_by_code(self, code: str) -> Entity | None:
        return self.by_code.get(code)

    def entity_ids_by_name(self, name: str) -> list[int]:
        return self.by_name.get(name, [])[:2]

    def entity_of(self, record: Record) -> Entity:
        if record.entity_id < 0:
            return self.staged_entities[record.entity_id]
        return super().entity_of(record)

    def describe(self, record: Record) -> tuple[Msg, Text]:
        if record.id is None:
            label = RECORD_NAMES[type(record)][0]
            staged = msg("the {label} of row {row} of this file", label=label, row=self.staged_rows[id(record)])
            return staged, msg("after this import")
        return super().describe(record)

    # -- a new row -----------------------------------------------------------------------------

    def create(self, row: Row) -> None:
        self.new_entities = 0
        self.row_entities = []
        pending: dict[EntityKey, int] = {}
        try:
            entity_id = self.subject(row, pending)
            # The row's own new subject is loadable by the checks while the row is decided.
            self.staged_entities.update(self.row_entities)
            try:
                record = self.build_record(row, entity_id)
            except BaseException:
                for provisional, _ in self.row_entities:
                    del self.staged_entities[provisional]
                raise
        except RegistryError as exc:
            raise RowRejected(self.from_error(row, exc)) from exc
        self.entities.update(pending)
        if isinstance(record, Penalty):
            self.flag_end_as_given(row, record)
        self.staged.append(_Staged(row.number, list(self.row_entities), record))
        self.staged_records[self.natural_key(row)] = record
        self.staged_rows[id(record)] = row.number

    def new_entity(self, row: Row, data: dict[str, Any]) -> int:
        provisional = self.next_provisional
        self.next_provisional -= 1
        # The read-ahead found no entity with the row's code: the service need not look again.
        with self.session.no_autoflush:
            entity = entity_service.build_entity(
                self.session, self.entity_data(row, data), self.actor, self.vault, code_is_free=True
            )
        self.row_entities.append((provisional, entity))
        self.new_entities += 1
        return provisional

    def build_record(self, row: Row, entity_id: int) -> Record:
        if self.kind == "penalties":
            return self.build_penalty(row, entity_id)
        if self.kind == "licences":  # the service's own `build_licence`; the natural key is the uniqueness check
            return licence_service.build_licence(
                self.overlay,
                self.licence_data(row, entity_id),
                self.actor,
                self.today,
                rules=self.rules,
                now=self.now,
                check_unique=False,
            )
        return self.build_list_entry(row, entity_id)

    def build_penalty(self, row: Row, entity_id: int) -> Penalty:
        """The service's own `build_penalty` on the chunk's overlay; the natural key this row
        already passed is the uniqueness check, and the periods are shared across the file."""
        return penalty_service.build_penalty(
            self.overlay,
            self.penalty_data(row, entity_id),
            self.actor,
            self.today,
            rules=self.rules,
            now=self.now,
            keep_given_end=True,
            vault=self.vault,
            check_unique=False,
            periods_cache=self.derived,
        )

    def build_list_entry(self, row: Row, entity_id: int) -> ListEntry:
        """The service's own `build_list_entry` on the chunk's overlay (see `build_penalty`)."""
        return list_entry_service.build_list_entry(
            self.overlay,
            self.list_entry_data(row, entity_id),
            self.actor,
            self.today,
            rules=self.rules,
            now=self.now,
            vault=self.vault,
            check_unique=False,
            dates_cache=self.derived,
        )

    # -- writing the chunk ---------------------------------------------------------------------

    def write(self) -> int:
        """Write the staged rows in their order; returns how many subjects were created."""
        if not self.staged:
            return 0
        new = [entity for staged in self.staged for _, entity in staged.entities]
        records = [staged.record for staged in self.staged]
        with self.session.begin_nested():
            connection = self.session.connection()
            insert_objects(connection, Entity, new)
            insert_children(connection, EntityName, "entity_id", [(e.id, n) for e in new for n in e.names])
            real = {provisional: entity.id for staged in self.staged for provisional, entity in staged.entities}
            for record in records:
                record.entity_id = real.get(record.entity_id, record.entity_id)
            if self.kind == "penalties":
                insert_objects(connection, Penalty, records)
                insert_children(
                    connection,
                    ResponsiblePerson,
                    "penalty_id",
                    [(r.id, p) for r in cast(list[Penalty], records) for p in r.responsible_persons],
                )
            elif self.kind == "licences":
                insert_objects(connection, Licence, records)
            else:
                insert_objects(connection, ListEntry, records)
                entries = cast(list[ListEntry], records)
                insert_children(
                    connection, ListEntryDomain, "list_entry_id", [(e.id, d) for e in entries for d in e.domain_rows]
                )
                insert_children(
                    connection,
                    ListEntryTransition,
                    "list_entry_id",
                    [(e.id, t) for e in entries for t in e.transitions],
                )
                insert_children(
                    connection,
                    ResponsiblePerson,
                    "list_entry_id",
                    [(e.id, p) for e in entries for p in e.responsible_persons],
                )
            record_type = RECORD_TYPES[self.kind]
            changes: list[Creation] = []
            for staged in self.staged:
                changes += [
                    Creation(self.actor, "entity", e.id, e.version, e.snapshot(), None) for _, e in staged.entities
                ]
                record = staged.record
                changes.append(
                    Creation(self.actor, record_type, record.id, record.version, record.snapshot(), self.authority.id)
                )
            record_creations(self.session, changes)
        for key, value in list(self.entities.items()):
            if value < 0:
                self.entities[key] = real[value]
        return len(new)
