"""Where the code says something to a person, found in its syntax tree (ast): every `msg("…")`, and every
text given directly as the message or the reason of a domain error (`RegistryError` and its
subclasses, `Refusal` and its subclasses: a code, a number or a cell refused), of `InvalidInput.field`
and of `FileRefused.because`, of the refusals that answer for them (`refuse`, `_fail`, and the reason of
sync/targets.py's `fail`), and, in registry/ and sync/, every reason put in an errors dict that a domain
error is raised with later (`errors.setdefault(field, []).append(reason)`, `errors[field] = [reason]`).

Each site is a string literal (or a module constant naming one), which must be a message id of the
catalogue, or text computed where it is said (an f-string, a concatenation, `.format`), which no
catalogue can hold: `registry/messages` looks a message up by its template, so its values go in as
`msg("… {name} …", name=value)`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("registry", "sync", "api")

# The domain errors and refusals as registry/errors.py declares them; their subclasses anywhere in
# the packages are found from the class definitions (FileRefused, KeyExpired, USCCError …).
BASES = {"RegistryError", "Refusal"}
# A class method that makes a domain error, and the positions and keywords of its message or reason.
MAKERS = {"field": ((1,), ("reason",)), "because": ((0,), ("reason", "short"))}
# Functions whose arguments are the message of a refusal (registry.access.refuse, registry.cli_errors.refuse,
# the commands' _fail): every argument that is text.
REFUSALS = {"refuse", "_fail"}
# Functions that make a refusal from a name and a reason, and the position of the reason (sync/targets.py's
# fail(setting, reason): the setting is a name in the file, not text said to a person).
REASON_AT = {"fail": 1}
# Where reasons are gathered in a dict named `errors` (or `…_errors`) before the domain error is raised. The
# pages (api/pages) gather their form's errors the same way, in Chinese written there for the page: no
# catalogue message, so they are left out.
ERRORS_DICTS = ("registry", "sync")


@dataclass(frozen=True)
class Site:
    path: str  # relative to the repository
    line: int
    text: str | None  # the message id, or None for text computed where it is said
    code: str  # the argument as written

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code}"


def modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _trees() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"), str(path))) for path in modules()]


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def error_classes(trees: list[tuple[Path, ast.Module]]) -> set[str]:
    """The domain errors and refusals: the bases and every class that derives from one, at any depth."""
    found = set(BASES)
    classes = [node for _, tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    while True:
        more = {c.name for c in classes if c.name not in found and any(_name(b) in found for b in c.bases)}
        if not more:
            return found
        found |= more


def _constants(tree: ast.Module) -> dict[str, str]:
    """The module's top-level names bound to one string literal (KIND_REFUSED = "…")."""
    found: dict[str, str] = {}
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            for target in targets:
                if isinstance(target, ast.Name):
                    found[target.id] = value.value
    return found


def _arguments(call: ast.Call, errors: set[str]) -> list[ast.expr]:
    """The arguments of `call` that are a message or a reason said to a person, if it is such a call."""
    name = _name(call.func)
    if isinstance(call.func, ast.Attribute) and name in MAKERS and _name(call.func.value) in errors:
        positions, keywords = MAKERS[name]
        return [call.args[i] for i in positions if i < len(call.args)] + [
            k.value for k in call.keywords if k.arg in keywords
        ]
    if name in errors:  # a domain error or a refusal: its message, and the reasons of its errors
        return call.args[:2] + [k.value for k in call.keywords if k.arg in ("message", "errors", "text")]
    if name == "msg" and call.args:
        return [call.args[0]]
    if name in REFUSALS:
        return list(call.args)
    if name in REASON_AT and isinstance(call.func, ast.Name):
        return call.args[REASON_AT[name] : REASON_AT[name] + 1]
    return []


def _errors_dict(node: ast.expr) -> bool:
    name = _name(node)
    return name is not None and name.endswith("errors")


def _gathered(node: ast.AST) -> list[ast.expr]:
    """The reasons a statement puts in an errors dict: `errors.setdefault(field, []).append(reason)`,
    `errors[field].append(reason)`, `errors[field] = [reason, …]`."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("append", "extend"):
        target = node.func.value
        if (
            isinstance(target, ast.Call)
            and isinstance(target.func, ast.Attribute)
            and target.func.attr == "setdefault"
            and _errors_dict(target.func.value)
        ) or (isinstance(target, ast.Subscript) and _errors_dict(target.value)):
            return [e for a in node.args for e in (a.elts if isinstance(a, ast.List | ast.Tuple) else [a])]
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Subscript) and _errors_dict(t.value) for t in node.targets
    ):
        return list(node.value.elts) if isinstance(node.value, ast.List | ast.Tuple) else [node.value]
    return []


def _texts(node: ast.expr) -> Iterator[ast.expr]:
    """The texts an argument holds: itself, or the reasons of an errors dict ({field: [reason, …]})."""
    if isinstance(node, ast.Dict):
        for value in node.values:
            if isinstance(value, ast.List | ast.Tuple):
                yield from value.elts
            else:
                yield value
    elif isinstance(node, ast.IfExp):
        yield from _texts(node.body)
        yield from _texts(node.orelse)
    else:
        yield node


def _computed(node: ast.expr) -> bool:
    """Text made where it is said: an f-string, a concatenation or %-format of text, `"…".format(…)`."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return any(
            isinstance(side, ast.JoinedStr) or (isinstance(side, ast.Constant) and isinstance(side.value, str))
            for side in (node.left, node.right)
        )
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    )


def message_sites() -> list[Site]:
    trees = _trees()
    errors = error_classes(trees)
    sites: list[Site] = []
    for path, tree in trees:
        constants = _constants(tree)
        where = str(path.relative_to(ROOT))
        gathers = where.startswith(ERRORS_DICTS)
        for found in ast.walk(tree):
            arguments = _arguments(found, errors) if isinstance(found, ast.Call) else []
            if gathers:
                arguments += _gathered(found)
            for argument in arguments:
                for node in _texts(argument):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        sites.append(Site(where, node.lineno, node.value, ast.unparse(node)))
                    elif isinstance(node, ast.Name) and node.id in constants:
                        sites.append(Site(where, node.lineno, constants[node.id], node.id))
                    elif _computed(node):
                        sites.append(Site(where, node.lineno, None, ast.unparse(node)[:100]))
    return sites
