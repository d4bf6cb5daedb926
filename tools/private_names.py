"""An import-linter contract: no module uses another module's ``_private`` names.

A leading underscore says "this belongs to its module"; a caller elsewhere that
reaches for one has found a rule without a public seam, and the next change to the
module breaks it silently. The built-in contracts look only at which modules import
which, so this one reads the source: it reports

* ``from registry.records.penalties import _validate`` (a private name imported), and
* ``penalty_service._validate(...)`` where ``penalty_service`` is a project module
  (a private attribute of an imported module).

Dunder names (``__version__``) are public. Attributes of objects that are not
modules (``self._cache``) are not this contract's business. Registered in
``pyproject.toml`` under ``contract_types``; ``make lint`` runs it with the others.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


@dataclass(frozen=True)
class Offence:
    path: str
    line: int
    module: str
    name: str

    def render(self) -> str:
        return f"{self.path}:{self.line} uses {self.module}.{self.name}"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


class Project:
    """The first-party modules under a root directory, by dotted name."""

    def __init__(self, root: Path, packages: list[str]) -> None:
        self.root = root
        self.packages = set(packages)

    def is_module(self, dotted: str) -> bool:
        if dotted.split(".")[0] not in self.packages:
            return False
        base = self.root.joinpath(*dotted.split("."))
        return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()

    def module_name(self, path: Path) -> str:
        parts = list(path.relative_to(self.root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def files(self) -> list[Path]:
        found: list[Path] = []
        for package in sorted(self.packages):
            found.extend(sorted((self.root / package).rglob("*.py")))
        return found


def _resolve(module: str | None, level: int, current: str, is_package: bool) -> str:
    """The absolute name of ``from <level dots><module> import …`` inside ``current``."""
    if level == 0:
        return module or ""
    parts = current.split(".")
    if not is_package:
        parts = parts[:-1]
    parts = parts[: len(parts) - (level - 1)]
    return ".".join(parts + ([module] if module else []))


def offences_in(path: Path, project: Project) -> list[Offence]:
    current = project.module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases: dict[str, str] = {}  # local name -> first-party module it is bound to
    found: list[Offence] = []
    shown = str(path.relative_to(project.root))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if project.is_module(alias.name):
                    local = alias.asname or alias.name.split(".")[0]
                    aliases[local] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(node.module, node.level, current, path.name == "__init__.py")
            if not project.is_module(source):
                continue
            for alias in node.names:
                if project.is_module(f"{source}.{alias.name}"):
                    aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
                elif _private(alias.name) and source != current:
                    found.append(Offence(shown, node.lineno, source, alias.name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            target = _dotted(node.value, aliases)
            if target and project.is_module(target) and target != current:
                found.append(Offence(shown, node.lineno, target, node.attr))
    return found


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """``a.b.c`` as the dotted module name it denotes, when ``a`` is a bound module."""
    if isinstance(node, ast.Name):
        return aliases.get(node.id)
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value, aliases)
        return f"{head}.{node.attr}" if head else None
    return None


class PrivateNamesContract(Contract):
    """Packages listed in ``source_packages`` never use another module's private names."""

    type_name = "private_names"

    source_packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph: object, verbose: bool) -> ContractCheck:
        packages: list[str] = self.source_packages  # type: ignore[assignment]  # parsed by the field
        project = Project(Path.cwd(), packages)
        offences = [o for path in project.files() for o in offences_in(path, project)]
        return ContractCheck(kept=not offences, metadata={"offences": [o.render() for o in offences]})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["offences"]:
            output.print_error(line, bold=False)
        output.new_line()
        output.print("Give the rule a public name in its own module (a seam), or move the caller there.")
