"""The per-row writer of imports: `RowImporter` decides each row and records it through the services.

`registry.imports.run` is the entry point; it chooses between two writers. This one records each
new row through the services (`create_entity`, `record_penalty`, `create_list_entry`,
`record_licence`) in a savepoint; the batched writer of `registry.imports.batch` subclasses it (the same validation,
written a chunk at a time). Both decide a row the same way: a row naming another authority is
refused; a row whose natural key is recorded is compared (unchanged or conflict,
`registry.imports.row_checks`); a new row finds or creates its subject and records its decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from registry.codes import idnumber
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER
from registry.codes.uscc import normalise as normalise_uscc
from registry.errors import RegistryError
from registry.imports.row_data import RowData
from registry.imports.rows import EntityKey, Row, RowRejected, clean_name, fold, read_row
from registry.messages import msg
from registry.models import Entity, Penalty
from registry.records.entities import create_entity
from registry.records.licences import record_licence
from registry.records.list_entries import create_list_entry
from registry.records.penalties import record_penalty

_ENTITY_DETAILS = (
    "business_registration_no",
    "organization_code",
    "tax_registration_no",
    "institution_certificate_no",
    "social_org_registration_no",
    "legal_representative",
    "legal_rep_id_type",
    "legal_rep_id_number",
)


@dataclass
class RowImporter(RowData):
    """Decides and imports rows one at a time; the new records go through the services.

    Subclasses change where records and subjects are looked up and how a new row is written
    (`registry.imports.batch`); what a row means is decided here for both.
    """

    # -- rows ----------------------------------------------------------------------------------

    def process(self, rows: list[tuple[int, list[Any]]]) -> None:
        """Import a chunk of rows (spreadsheet number, cells), counting each in the report."""
        for number, cells in rows:
            self.count(self.outcome(number, cells))

    def outcome(self, number: int, cells: list[Any]) -> str:
        try:
            return self.import_row(read_row(number, cells, self.layout, self.kind))
        except RowRejected as exc:
            self.report.problems.extend(exc.problems)
            return "rejected"

    def count(self, outcome: str) -> None:
        report = self.report
        report.rows += 1
        if outcome == "created":
            report.created += 1
        elif outcome == "unchanged":
            report.unchanged += 1
        elif outcome == "conflict":
            report.conflicts += 1
        else:
            report.rejected += 1

    def import_row(self, row: Row) -> str:
        """Import one row; returns created, unchanged or conflict, or raises RowRejected."""
        self.check_authority(row)
        existing = self.existing(row)
        if existing is not None:
            differences = self.differences(row, existing)
            if not differences:
                return "unchanged"
            self.report.problems.extend(differences)
            return "conflict"
        self.create(row)
        return "created"

    def create(self, row: Row) -> None:
        """Record the row's decision (and its subject if new) through the services, in a savepoint:
        a refused row leaves nothing behind."""
        self.new_entities = 0
        pending: dict[EntityKey, int] = {}
        try:
            with self.session.begin_nested():
                entity_id = self.subject(row, pending)
                if self.kind == "penalties":
                    penalty = record_penalty(
                        self.session,
                        self.penalty_data(row, entity_id),
                        self.actor,
                        self.today,
                        rules=self.rules,
                        now=self.now,
                        keep_given_end=True,
                        vault=self.vault,
                    )
                    self.flag_end_as_given(row, penalty)
                elif self.kind == "licences":
                    record_licence(
                        self.session,
                        self.licence_data(row, entity_id),
                        self.actor,
                        self.today,
                        rules=self.rules,
                        now=self.now,
                    )
                else:
                    create_list_entry(
                        self.session,
                        self.list_entry_data(row, entity_id),
                        self.actor,
                        self.today,
                        rules=self.rules,
                        now=self.now,
                        vault=self.vault,
                    )
        except RegistryError as exc:
            raise RowRejected(self.from_error(row, exc)) from exc
        except DBAPIError as exc:  # a constraint the checks did not foresee: the row fails, not the file
            raise RowRejected(
                [self.problem(row, "", msg("the database refused the row: {error}", error=str(exc.orig)))]
            ) from exc
        # Only now that the row's savepoint is released do its new subjects serve later rows.
        self.entities.update(pending)
        self.report.entities_created += self.new_entities

    def flag_end_as_given(self, row: Row, penalty: Penalty) -> None:
        """Real 双公示 data was computed under many local rules: a 公示截止期 outside the national
        period is kept as given and flagged in the report, never refused."""
        if penalty.publication_end_as_given:
            self.report.problems.append(
                self.problem(
                    row,
                    "publication_ends_on",
                    msg("kept as given, flagged: {note}", note=penalty.publication_note or ""),
                )
            )

    # -- the subject ---------------------------------------------------------------------------

    def subject(self, row: Row, pending: dict[EntityKey, int]) -> int:
        """The entity the row is about: found by 统一社会信用代码, by 证件号码 (a person), or by
        its exact name when the code is empty or the 个体工商户 placeholder; created if missing.
        `pending` collects how this row named the subjects it found or made."""
        values = row.values
        self.required(row, "subject_name")
        name = clean_name(values["subject_name"])
        code = values.get("subject_uscc")
        kind = values.get("subject_kind")
        if code:
            # Checked (GB 32100) when a subject is created with it; a stored one is valid.
            code = normalise_uscc(code)
        if kind == "natural_person" or (kind is None and not code and values.get("id_number")):
            return self.person(row, name, pending)
        if code and code != INDIVIDUAL_BUSINESS_PLACEHOLDER:
            key: EntityKey = ("uscc", code)
            found = self.entities.get(key) or pending.get(key)
            if found is None:
                entity = self.entity_by_code(code)
                if entity is not None:
                    self.check_name(row, entity, name)
                    found = entity.id
            if found is None:
                # GB 32100: 9 then 2 is a 个体工商户 registered by 市场监管.
                default = "individual_business" if code.startswith("92") else "legal_entity"
                found = self.new_entity(row, {"kind": kind or default, "name": name, "uscc": code})
            pending[key] = found
            return found
        key = ("name", name)
        found = self.entities.get(key) or pending.get(key)
        if found is None:
            ids = self.entity_ids_by_name(name)
            if len(ids) > 1:
                raise RowRejected(
                    [
                        self.problem(
                            row,
                            "subject_name",
                            "several registered entities carry this exact name; give the 统一社会信用代码 to say which",
                        )
                    ]
                )
            if ids:
                found = ids[0]
        if found is None:
            default = "individual_business" if code == INDIVIDUAL_BUSINESS_PLACEHOLDER else "legal_entity"
            found = self.new_entity(row, {"kind": kind or default, "name": name, "uscc": code})
        pending[key] = found
        return found

    def person(self, row: Row, name: str, pending: dict[EntityKey, int]) -> int:
        values = row.values
        self.required(row, "id_type", "id_number")
        number = values["id_number"]
        if "*" in number:
            raise RowRejected(
                [
                    self.problem(
                        row,
                        "id_number",
                        "is masked (as the registry shows it); a new subject needs the full number",
                    )
                ]
            )
        try:
            clean = idnumber.validate(values["id_type"], number)
        except idnumber.IdNumberError as exc:
            raise RowRejected([self.problem(row, "id_number", exc.text)]) from exc
        key: EntityKey = ("person", self.vault.fingerprint(values["id_type"], clean))
        found = self.entities.get(key) or pending.get(key)
        if found is None:
            entity = self.session.scalar(sa.select(Entity).where(Entity.id_number_hash == key[1]))
            if entity is not None:
                self.check_name(row, entity, name)
                found = entity.id
        if found is None:
            found = self.new_entity(
                row, {"kind": "natural_person", "name": name, "id_type": values["id_type"], "id_number": clean}
            )
        pending[key] = found
        return found

    def check_name(self, row: Row, entity: Entity, name: str) -> None:
        """A code names one subject: a row whose name is none of that subject's names is more
        likely a mistyped code than a new name, so it is refused rather than filed under it."""
        if fold(name) in {fold(n.name) for n in entity.names} | {fold(entity.name)}:
            return
        column = "subject_uscc" if entity.kind != "natural_person" else "id_number"
        raise RowRejected(
            [
                self.problem(
                    row,
                    "subject_name",
                    msg(
                        "the {column} given belongs to entity {id}, {name}, and this name is none of its names "
                        "(current, former, alias): check the code, or record the new name on the entity first",
                        column=self.layout.header(column, self.kind),
                        id=entity.id,
                        name=entity.name,
                    ),
                )
            ]
        )

    def entity_data(self, row: Row, data: dict[str, Any]) -> dict[str, Any]:
        """What create_entity is given for a new subject: its kind, name and code, and the
        registration numbers and legal representative the row carries."""
        for name in _ENTITY_DETAILS:
            if row.values.get(name):
                data[name] = row.values[name]
        return data

    def new_entity(self, row: Row, data: dict[str, Any]) -> int:
        entity = create_entity(self.session, self.entity_data(row, data), self.actor, self.vault)
        self.new_entities += 1
        return entity.id

    # -- record data ---------------------------------------------------------------------------
