"""The private-names contract (tools/private_names.py) finds a module's `_private` names used
elsewhere, in both forms, and leaves dunders, a module's own names and objects' attributes alone."""

from __future__ import annotations

from pathlib import Path

from tools.private_names import Project, offences_in


def _project(tmp_path: Path, files: dict[str, str]) -> Project:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Project(tmp_path, ["pkg"])


def _found(tmp_path: Path, files: dict[str, str], module: str) -> list[str]:
    project = _project(tmp_path, {"pkg/__init__.py": "", "pkg/rules.py": "def _check(): ...\n__all__ = []\n", **files})
    return [f"{o.line}:{o.module}.{o.name}" for o in offences_in(tmp_path / module, project)]


def test_a_private_name_imported_from_another_module_is_reported(tmp_path: Path) -> None:
    found = _found(tmp_path, {"pkg/caller.py": "from pkg.rules import _check\n"}, "pkg/caller.py")
    assert found == ["1:pkg.rules._check"]


def test_a_relative_import_is_resolved(tmp_path: Path) -> None:
    found = _found(
        tmp_path, {"pkg/sub/__init__.py": "", "pkg/sub/caller.py": "from ..rules import _check\n"}, "pkg/sub/caller.py"
    )
    assert found == ["1:pkg.rules._check"]


def test_a_private_attribute_of_an_imported_module_is_reported(tmp_path: Path) -> None:
    source = "from pkg import rules as r\nimport pkg.rules\n\nr._check()\npkg.rules._check()\n"
    found = _found(tmp_path, {"pkg/caller.py": source}, "pkg/caller.py")
    assert sorted(found) == ["4:pkg.rules._check", "5:pkg.rules._check"]


def test_dunders_objects_and_third_party_modules_are_not_reported(tmp_path: Path) -> None:
    source = (
        "import os\nfrom pkg import rules\n\nclass A:\n    def f(self):\n        return self._x\n\n"
        "rules.__all__\nos._exit\n"
    )
    assert _found(tmp_path, {"pkg/caller.py": source}, "pkg/caller.py") == []


def test_a_module_may_use_its_own_private_names(tmp_path: Path) -> None:
    assert _found(tmp_path, {}, "pkg/rules.py") == []
