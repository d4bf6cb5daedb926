"""A row against the register: whose decision it is, what is recorded under its key, how it differs.

`RowChecks` holds what both writers share before anything is written: a row naming another
authority is refused (谁批准、谁公开); a row whose natural key is recorded is compared field by
field (unchanged, or a conflict reported and not applied); problems are named by the file's own
columns. Its lookups go to the database; the batched writer (`registry.imports.batch`) answers
them from what it read ahead. `registry.imports.row_writer.RowImporter` builds on it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.codes.idnumber import IdentityVault, mask_resident_ids
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER
from registry.errors import RegistryError, said, together
from registry.imports.columns import COLUMNS, PERSON_COLUMNS
from registry.imports.layout import Layout
from registry.imports.report import ImportReport, Problem
from registry.imports.rows import EntityKey, Record, Row, RowRejected, fold, masked, shown
from registry.ledger import Actor
from registry.messages import Msg, Text, msg
from registry.models import Authority, Entity, Licence, ListEntry, Penalty
from registry.publication import Rules
from registry.records.licences import STATES as LICENCE_STATES
from registry.vocab import (
    DOMAINS,
    LIST_ENTRY_STATES,
    LIST_TYPES,
    PENALTY_STATES,
    PROCEDURES,
    SEVERITIES,
)


def subject_code(value: str | None) -> str | None:
    """A subject's code as compared: the 个体工商户 placeholder is the same as no code."""
    if not value:
        return None
    folded = "".join(unicodedata.normalize("NFKC", value).split()).upper()
    return None if folded == INDIVIDUAL_BUSINESS_PLACEHOLDER else folded


# A service's field for the subject and the column that holds it.
_ENTITY_FIELDS = {"kind": "subject_kind", "name": "subject_name", "uscc": "subject_uscc", "entity_id": "subject_name"}
_TERMS: dict[str, Mapping[str, str]] = {
    "severity": SEVERITIES,
    "procedure": PROCEDURES,
    "domain": DOMAINS,
    "domains": DOMAINS,
    "list_type": LIST_TYPES,
}
_STATES: dict[type[Record], Mapping[str, str]] = {
    Penalty: PENALTY_STATES,
    ListEntry: LIST_ENTRY_STATES,
    Licence: LICENCE_STATES,
}
# How a report names a record of each type, and the path its corrections (更正) go to.
RECORD_NAMES: dict[type[Record], tuple[str, str]] = {
    Penalty: ("penalty", "penalties"),
    ListEntry: ("list entry", "list-entries"),
    Licence: ("licence", "licences"),
}


def stored_text(name: str, stored: Any, record: Record) -> str:
    """A recorded value as the file would write it: Chinese terms, 是/否, ；-joined lists."""
    if isinstance(stored, bool):
        return "是" if stored else "否"
    if isinstance(stored, Decimal):
        return f"{stored:f}"
    if name == "status":
        return _STATES[type(record)].get(str(stored), str(stored))
    terms: Mapping[str, str] = _TERMS.get(name, {})
    if isinstance(stored, list):
        return "；".join(terms.get(s, s) for s in stored)
    if isinstance(stored, str):
        return terms.get(stored, stored)
    return shown(stored)


def differing(
    values: Mapping[str, Any],
    record: Record,
    *,
    text: tuple[str, ...] = (),
    exact: tuple[str, ...] = (),
    given: tuple[str, ...] = (),
) -> Iterable[tuple[str, Any]]:
    """The fields in which a row's values differ from a record, with the recorded value: `text` as a
    person reads it (stored free text has its resident ID numbers masked, records.protect_free_text),
    `exact` as it is (an empty cell too), `given` only when the row gives a value."""
    for name in text:
        if name in values and fold(masked(values[name])) != fold(getattr(record, name)):
            yield name, getattr(record, name)
    for name in exact:
        if name in values and values[name] != getattr(record, name):
            yield name, getattr(record, name)
    for name in given:
        if values.get(name) is not None and values[name] != getattr(record, name):
            yield name, getattr(record, name)


@dataclass
class RowChecks:
    """A row checked against the register and named by the file's columns, before it is written.

    The state of both writers is declared here, in the order of their constructor, so that
    `RowImporter(...)` and `BatchImporter(...)` are called as they always were.
    """

    session: Session
    actor: Actor
    authority: Authority
    kind: str
    layout: Layout
    report: ImportReport
    today: dt.date
    rules: Rules
    vault: IdentityVault
    now: dt.datetime | None
    # File-wide defaults given on upload for columns the sheet lacks: severity, domain.
    defaults: Mapping[str, Any] = field(default_factory=dict)
    # Subjects found or created by this import, by how a row names them.
    entities: dict[EntityKey, int] = field(default_factory=dict)
    authorities: dict[str, int | None] = field(default_factory=dict)
    new_entities: int = 0  # created by the row being imported

    # -- problems ------------------------------------------------------------------------------

    def problem(self, row: Row, name: str, reason: Text) -> Problem:
        # The report is shown and kept: a resident ID number typed in a cell appears masked there too.
        return Problem(
            row.number,
            self.layout.header(name, self.kind) if name else "",
            mask_resident_ids(row.shown(name)) if name else "",
            reason,
        )

    def from_error(self, row: Row, exc: RegistryError) -> list[Problem]:
        """A service's refusal, named by the file's columns (its fields are the API's names)."""
        if not exc.reasons:
            return [self.problem(row, "", exc.text)]
        found = []
        known = {c.name for c in COLUMNS[self.kind]}
        for field_name, reasons in exc.reasons.items():
            name = _ENTITY_FIELDS.get(field_name, field_name)
            reason = together(reasons)
            if field_name.startswith("responsible_persons"):
                parts = field_name.split(".")
                name = PERSON_COLUMNS.get(parts[2] if len(parts) > 2 else "", "responsible_names")
                if len(parts) > 1:
                    reason = msg("person {n}: {reason}", n=int(parts[1]) + 1, reason=reason)
            if name == "data_source_authority_id":
                name = "data_source_name"
            if name in known:
                found.append(self.problem(row, name, reason))
            else:
                found.append(self.problem(row, "", said({field_name: reasons})))
        return found

    def check_authority(self, row: Row) -> None:
        """谁批准、谁公开: a row naming another deciding authority is refused, not re-assigned."""
        name, code = row.values.get("authority_name"), row.values.get("authority_uscc")
        authority = self.authority
        problems = []
        if code and code.upper() != authority.uscc:
            problems.append(self.problem(row, "authority_uscc", self.not_ours()))
        if name and fold(name) != fold(authority.name):
            problems.append(self.problem(row, "authority_name", self.not_ours()))
        if problems:
            raise RowRejected(problems)

    def not_ours(self) -> Msg:
        return msg(
            "names another authority: this import records decisions of {authority} (authority {id}) only; each "
            "authority publishes its own decisions (谁批准、谁公开)",
            authority=self.authority.name,
            id=self.authority.id,
        )

    def reject(self, row: Row, name: str, reason: Text) -> NoReturn:
        """Refuse the row for one problem, in the column of field `name`."""
        raise RowRejected([self.problem(row, name, reason)])

    def required(self, row: Row, *names: str) -> None:
        missing = [self.problem(row, n, "must not be empty") for n in names if not row.values.get(n)]
        if missing:
            raise RowRejected(missing)

    # -- lookups (the batched writer answers them from what it read ahead) ---------------------

    def natural_key(self, row: Row) -> tuple[str, ...]:
        """(决定书文号,) for a penalty or a licence, (决定书文号, 名单名称) for a list entry; the authority
        is the import's."""
        if self.kind != "list-entries":
            self.required(row, "decision_number")
            return (row.values["decision_number"],)
        self.required(row, "decision_number", "list_name")
        return (row.values["decision_number"], row.values["list_name"])

    def existing(self, row: Row) -> Record | None:
        key = self.natural_key(row)
        if self.kind == "penalties":
            return self.session.scalar(
                sa.select(Penalty).where(Penalty.authority_id == self.authority.id, Penalty.decision_number == key[0])
            )
        if self.kind == "licences":
            return self.session.scalar(
                sa.select(Licence).where(Licence.authority_id == self.authority.id, Licence.decision_number == key[0])
            )
        return self.session.scalar(
            sa.select(ListEntry).where(
                ListEntry.authority_id == self.authority.id,
                ListEntry.decision_number == key[0],
                ListEntry.list_name == key[1],
            )
        )

    def entity_by_code(self, code: str) -> Entity | None:
        return self.session.scalar(sa.select(Entity).where(Entity.uscc == code))

    def entity_ids_by_name(self, name: str) -> list[int]:
        """Up to two organisations or 个体工商户 whose current name is exactly `name`."""
        return list(
            self.session.scalars(
                sa.select(Entity.id).where(Entity.name == name, Entity.kind != "natural_person").limit(2)
            )
        )

    def entity_of(self, record: Record) -> Entity:
        entity = self.session.get(Entity, record.entity_id)
        if entity is None:  # a foreign key: cannot happen
            raise RuntimeError(f"record {record.id} names entity {record.entity_id}, which does not exist")
        return entity

    def describe(self, record: Record) -> tuple[Msg, Text]:
        """How a conflict names the recorded record, and where it is corrected."""
        label, path = RECORD_NAMES[type(record)]
        return msg("{label} {id}", label=label, id=record.id), f"PATCH /api/v1/{path}/{record.id}"

    # -- unchanged or conflict -----------------------------------------------------------------

    def differences(self, row: Row, record: Record) -> list[Problem]:
        """The fields in which the row differs from the recorded record, as conflict problems."""
        which, where = self.describe(record)
        return [
            self.problem(
                row,
                name,
                msg(
                    "conflict: {record} with this decision number records {stored}; not applied: a recorded decision "
                    "changes only by a correction (更正) with its reason ({where}), not by importing it again",
                    record=which,
                    stored=stored_text(name, stored, record) or msg("(empty)"),
                    where=where,
                ),
            )
            for name, stored in self.compared(row, record)
        ]

    def compared(self, row: Row, record: Record) -> Iterable[tuple[str, Any]]:
        values = row.values
        entity = self.entity_of(record)
        names = {fold(n.name) for n in entity.names} | {fold(entity.name)}
        if isinstance(record, Penalty | Licence):
            names.add(fold(record.subject_name))
            stored_code = record.subject_uscc
        else:
            stored_code = entity.uscc
        if "subject_name" in values and fold(values["subject_name"]) not in names | {
            fold(masked(values["subject_name"]))
        }:
            yield "subject_name", record.subject_name if isinstance(record, Penalty | Licence) else entity.name
        if "subject_uscc" in values and subject_code(values["subject_uscc"]) != subject_code(stored_code):
            yield "subject_uscc", stored_code
        if isinstance(record, Penalty):
            yield from self.compared_penalty(row, record)
        elif isinstance(record, Licence):
            yield from self.compared_licence(row, record)
        else:
            yield from self.compared_list_entry(row, record)

    def compared_penalty(self, row: Row, penalty: Penalty) -> Iterable[tuple[str, Any]]:
        values = row.values
        yield from differing(
            values,
            penalty,
            text=(
                "violation_type",
                "facts",
                "basis",
                "content",
                "licence_affected",
                "remarks",
                "project_code",
                "not_public_reason",
            ),
        )
        if "categories" in values and set(values["categories"]) != set(penalty.categories):
            yield "categories", penalty.categories
        # Left empty, the `given` ones take the registry's default (the derived period, the
        # authority's domain, public, in force): only a value the row gives is compared.
        yield from differing(
            values,
            penalty,
            exact=("fine_amount", "confiscation_amount", "decided_on", "valid_until"),
            given=("publication_ends_on", "severity", "procedure", "domain", "is_public", "status"),
        )
        yield from self.compared_source(row, penalty.data_source_authority_id)

    def compared_licence(self, row: Row, licence: Licence) -> Iterable[tuple[str, Any]]:
        values = row.values
        yield from differing(
            values,
            licence,
            text=(
                "decision_document_name",
                "licence_category",
                "licence_name",
                "licence_number",
                "content",
                "remarks",
                "not_public_reason",
            ),
            exact=("decided_on", "valid_from", "valid_to"),  # an empty 有效期至 is 长期: compared too
            given=("is_public",),
        )
        status = values.get("status")  # 有效 is also what an expired licence's export says
        if status is not None and status not in (licence.status, licence.status_on(self.today)):
            yield "status", licence.status
        yield from self.compared_source(row, licence.data_source_authority_id)

    def compared_source(self, row: Row, recorded: int) -> Iterable[tuple[str, Any]]:
        """数据来源单位, when the row names one: compared with the recorded one."""
        if row.values.get("data_source_name") or row.values.get("data_source_uscc"):
            source = self.data_source(row)
            if source is not None and source != recorded:
                found = self.session.get(Authority, recorded)
                yield "data_source_name", found.name if found else recorded

    def compared_list_entry(self, row: Row, entry: ListEntry) -> Iterable[tuple[str, Any]]:
        values = row.values
        yield from differing(
            values,
            entry,
            text=("reason_category", "facts", "legal_basis", "project_code", "not_public_reason"),
            exact=("listed_on", "expires_on"),
            given=("list_type",),
        )
        if values.get("domains") and set(values["domains"]) != set(entry.domains):
            yield "domains", sorted(entry.domains)
        yield from differing(values, entry, given=("is_public",))
        status = values.get("status")
        if status is not None and status not in (entry.status, entry.status_on(self.today)):
            yield "status", entry.status

    # -- the data source (数据来源单位) --------------------------------------------------------------

    def data_source(self, row: Row) -> int | None:
        """数据来源单位: the deciding authority unless the row names another registered one."""
        code, name = row.values.get("data_source_uscc"), row.values.get("data_source_name")
        if not code and not name:
            return None
        if (code and code.upper() == self.authority.uscc) or (not code and fold(name) == fold(self.authority.name)):
            return self.authority.id
        key = f"uscc:{code.upper()}" if code else f"name:{fold(name)}"
        if key not in self.authorities:
            where = Authority.uscc == code.upper() if code else Authority.name == name
            self.authorities[key] = self.session.scalar(sa.select(Authority.id).where(where))
        found = self.authorities[key]
        if found is None:
            raise RowRejected(
                [
                    self.problem(
                        row,
                        "data_source_uscc" if code else "data_source_name",
                        "is not a registered authority (数据来源单位)",
                    )
                ]
            )
        return found
