"""An import-linter contract: every view is at most a number of lines (15 in this project).

A view reads the request, calls a service and renders the answer; when one grows past a screen it
has started to hold a rule of its own (a check, a mapping of refusals to messages) that no other
caller can reach and no test can name. The house rule is thin views with small, named helpers.

A view is a module-level function decorated with a route (``@bp.get(...)``, ``@bp.route(...)``,
``@blp.post(...)``: a call of ``get``, ``post``, ``put``, ``patch``, ``delete`` or ``route`` on a
module-level name), or a ``get``/``post``/``put``/``patch``/``delete`` method of a class that
derives from ``MethodView`` (flask-smorest's resources). Its length is the lines of its body after
the docstring that are neither blank nor only a comment: a docstring or a comment that says why
costs nothing. Registered in ``pyproject.toml`` under ``contract_types``; ``make lint`` runs it
with the others.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck

ROUTE_DECORATORS = frozenset({"get", "post", "put", "patch", "delete", "route"})
VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete"})

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class LongView:
    path: str
    line: int
    name: str
    lines: int

    def render(self, most: int) -> str:
        return f"{self.path}:{self.line} {self.name} has {self.lines} lines (at most {most})"


def _is_route(decorator: ast.expr) -> bool:
    """``@<name>.get(...)`` and the like: a blueprint's route decorator."""
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and isinstance(decorator.func.value, ast.Name)
        and decorator.func.attr in ROUTE_DECORATORS
    )


def _is_method_view(node: ast.ClassDef) -> bool:
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else ""
        if name == "MethodView":
            return True
    return False


def views_in(tree: ast.Module) -> list[tuple[str, FunctionNode]]:
    """Every view of a module, with the name it is reported by (``Class.method`` for a MethodView's)."""
    found: list[tuple[str, FunctionNode]] = []
    for node in tree.body:
        if isinstance(node, FunctionNode) and any(_is_route(d) for d in node.decorator_list):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef) and _is_method_view(node):
            found.extend(
                (f"{node.name}.{item.name}", item)
                for item in node.body
                if isinstance(item, FunctionNode) and item.name in VIEW_METHODS
            )
    return found


def body_lines(function: FunctionNode, source: list[str]) -> int:
    """The lines of the body after the docstring that are neither blank nor only a comment."""
    body = function.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]
    if not body:
        return 0
    first, last = body[0].lineno, function.end_lineno or body[-1].lineno
    return sum(1 for text in source[first - 1 : last] if text.strip() and not text.strip().startswith("#"))


def long_views(root: Path, packages: list[str], most: int) -> list[LongView]:
    """Every view under the packages (below ``root``: ``api``, ``api.pages`` or ``api/pages``) longer than
    ``most`` lines."""
    found = []
    for package in packages:
        for path in sorted(root.joinpath(*package.split(".")).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            tree = ast.parse(text, filename=str(path))
            source = text.splitlines()
            for name, function in views_in(tree):
                lines = body_lines(function, source)
                if lines > most:
                    found.append(LongView(str(path.relative_to(root)), function.lineno, name, lines))
    return found


class ViewLengthContract(Contract):
    """Views under ``source_packages`` have at most ``max_lines`` lines of body each."""

    type_name = "view_length"

    source_packages = fields.ListField(subfield=fields.StringField())
    max_lines = fields.IntegerField()

    def check(self, graph: object, verbose: bool) -> ContractCheck:
        packages: list[str] = self.source_packages  # type: ignore[assignment]  # parsed by the field
        most: int = self.max_lines  # type: ignore[assignment]  # parsed by the field
        found = long_views(Path.cwd(), packages, most)
        return ContractCheck(kept=not found, metadata={"long": [v.render(most) for v in found]})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["long"]:
            output.print_error(line, bold=False)
        output.new_line()
        output.print("Move the rule into a small named helper (parse, call a service, render).")
