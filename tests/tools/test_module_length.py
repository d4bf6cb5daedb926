"""The module-length contract (tools/module_length.py) reports every module over the limit, longest first."""

from __future__ import annotations

from pathlib import Path

from tools.module_length import long_modules


def _write(root: Path, name: str, lines: int) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x = 1\n" * lines, encoding="utf-8")


def test_modules_over_the_limit_are_reported_longest_first(tmp_path: Path) -> None:
    _write(tmp_path, "pkg/short.py", 400)
    _write(tmp_path, "pkg/long.py", 401)
    _write(tmp_path, "pkg/sub/longer.py", 900)
    _write(tmp_path, "elsewhere/huge.py", 5000)
    found = long_modules(tmp_path, ["pkg"], 400)
    assert [(m.path, m.lines) for m in found] == [("pkg/sub/longer.py", 900), ("pkg/long.py", 401)]
    assert found[1].render(400) == "pkg/long.py has 401 lines (at most 400)"


def test_nothing_over_the_limit_is_nothing_reported(tmp_path: Path) -> None:
    _write(tmp_path, "pkg/a.py", 10)
    assert long_modules(tmp_path, ["pkg"], 400) == []
