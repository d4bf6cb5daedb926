"""The report of an import: what it did to how many rows, and every problem it found.

A problem names the spreadsheet row a person sees, the column as written in the file, the value
and the reason; `registry.imports.run.write_report` writes the report as CSV or XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: the spreadsheet row a person sees, the column as written
    in the file ("" for the row as a whole), the value found there, and why."""

    row: int
    column: str
    value: str
    reason: str


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

    def summary(self) -> str:
        """One line for a person: what happened to how many rows."""
        label = "penalties" if self.kind == "penalties" else "list entries"
        counts = (
            f"{self.rows} rows: {self.created} created, {self.unchanged} unchanged, "
            f"{self.conflicts} in conflict, {self.rejected} rejected"
        )
        if not self.written:
            return (
                f"{label} from {self.filename}: {counts}; nothing was written (mode all): fix the rows "
                f"in the report and import the file again, or import with mode skip"
            )
        return f"{label} from {self.filename}: {counts}"
