"""An import-linter contract: no module over a number of lines (400 in this project).

A module that grows past a few hundred lines has usually started to hold a second thing; the
house rule is small modules named for what they hold. The count is the file's lines, all of
them (docstrings and comments are part of what a reader reads). Migrations and tests are not
checked: a migration is frozen as written, and a test file reads best whole.
Registered in ``pyproject.toml`` under ``contract_types``; ``make lint`` runs it with the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


@dataclass(frozen=True)
class LongModule:
    path: str
    lines: int

    def render(self, most: int) -> str:
        return f"{self.path} has {self.lines} lines (at most {most})"


def long_modules(root: Path, packages: list[str], most: int) -> list[LongModule]:
    """Every ``*.py`` under the packages with more than ``most`` lines, longest first."""
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > most:
                found.append(LongModule(str(path.relative_to(root)), lines))
    return sorted(found, key=lambda m: (-m.lines, m.path))


class ModuleLengthContract(Contract):
    """Modules under ``source_packages`` have at most ``max_lines`` lines."""

    type_name = "module_length"

    source_packages = fields.ListField(subfield=fields.StringField())
    max_lines = fields.IntegerField()
    # Modules still over the limit while they are being split; each leaves the list when it is.
    exempt = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: object, verbose: bool) -> ContractCheck:
        packages: list[str] = self.source_packages  # type: ignore[assignment]  # parsed by the field
        most: int = self.max_lines  # type: ignore[assignment]  # parsed by the field
        listed: list[str] = self.exempt or []  # type: ignore[assignment]  # parsed by the field
        exempt = set(listed)
        found = [m for m in long_modules(Path.cwd(), packages, most) if m.path not in exempt]
        return ContractCheck(kept=not found, metadata={"long": [m.render(most) for m in found]})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["long"]:
            output.print_error(line, bold=False)
        output.new_line()
        output.print("Split the module by what it holds (see docs/architecture.md).")
