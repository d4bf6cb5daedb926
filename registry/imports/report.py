"""The report of an import: what it did to how many rows, and every problem it found.

A problem names the spreadsheet row a person sees, the column as written in the file, the value
and the reason (a catalogue message: Chinese for people, English for developers);
`registry.imports.run.write_report` writes the report as CSV or XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from registry.messages import Msg, Text, msg, render
from registry.vocab import Term

# How the summary names the kind of records imported.
_LABELS = {
    "penalties": Term("penalties", "行政处罚"),
    "list-entries": Term("list entries", "名单"),
    "licences": Term("licences", "行政许可"),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: the spreadsheet row a person sees, the column as written
    in the file ("" for the row as a whole), the value found there, and why."""

    row: int
    column: str
    value: str
    reason: Text

    def said(self, locale: str) -> str:
        """The reason in `locale`."""
        return render(self.reason, locale)


@dataclass
class ImportReport:
    """What an import did, row by row, and every problem it found.

    `created`, `unchanged`, `conflicts` and `rejected` count data rows. In mode "all" a file
    with any rejected or conflicting row writes nothing: its good new rows are counted in
    `held_back` and `created` stays 0.
    """

    filename: str
    kind: str
    mode: str
    authority_id: int
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    conflicts: int = 0
    rejected: int = 0
    held_back: int = 0
    entities_created: int = 0
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  # columns our exports write that are derived
    notes: list[str] = field(default_factory=list)
    chinese_notes: list[str] = field(default_factory=list)  # the notes, said in Chinese (the upload page)
    # The file-wide defaults given on upload (severity, domain codes), used where a row leaves the cell empty.
    defaults: dict[str, str] = field(default_factory=dict)

    @property
    def bad_rows(self) -> int:
        """Rows rejected or in conflict."""
        return self.rejected + self.conflicts

    @property
    def written(self) -> bool:
        """Whether the good rows were written (always in mode skip; in mode all only without bad rows)."""
        return self.mode == "skip" or self.bad_rows == 0

    def summary(self) -> Msg:
        """One line for a person: what happened to how many rows."""
        counts = msg(
            "{rows} rows: {created} created, {unchanged} unchanged, {conflicts} in conflict, {rejected} rejected",
            rows=self.rows,
            created=self.created,
            unchanged=self.unchanged,
            conflicts=self.conflicts,
            rejected=self.rejected,
        )
        label = _LABELS.get(self.kind, Term(self.kind, self.kind))
        if not self.written:
            return msg(
                "{label} from {file}: {counts}; nothing was written (mode all): fix the rows in the report and import "
                "the file again, or import with mode skip",
                label=label,
                file=self.filename,
                counts=counts,
            )
        return msg("{label} from {file}: {counts}", label=label, file=self.filename, counts=counts)
