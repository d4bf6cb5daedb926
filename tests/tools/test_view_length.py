"""The view-length contract (tools/view_length.py) reports every route view and MethodView method longer
than the limit, counting only the body's code lines, and leaves helpers alone."""

from __future__ import annotations

from pathlib import Path

from tools.view_length import long_views


def _write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _body(lines: int, indent: str = "    ") -> str:
    return "".join(f"{indent}x{i} = {i}\n" for i in range(lines))


def _found(tmp_path: Path, text: str) -> list[str]:
    _write(tmp_path, "pkg/views.py", text)
    return [v.render(15) for v in long_views(tmp_path, ["pkg"], 15)]


def test_a_long_route_view_is_reported(tmp_path: Path) -> None:
    source = f'@bp.get("/a")\n@login_required("x")\ndef a():\n{_body(16)}'
    assert _found(tmp_path, source) == ["pkg/views.py:3 a has 16 lines (at most 15)"]


def test_a_view_of_fifteen_lines_is_not_reported(tmp_path: Path) -> None:
    source = f'@bp.route("/a", methods=["GET", "POST"])\ndef a():\n{_body(15)}'
    assert _found(tmp_path, source) == []


def test_a_method_view_method_is_counted(tmp_path: Path) -> None:
    source = (
        f'@blp.route("")\nclass Things(MethodView):\n    @blp.response(201, Out)\n'
        f"    def post(self, data):\n{_body(16, '        ')}\n"
        f"    def helper(self):\n{_body(20, '        ')}"
    )
    assert _found(tmp_path, source) == ["pkg/views.py:4 Things.post has 16 lines (at most 15)"]


def test_a_helper_without_a_route_is_not_counted(tmp_path: Path) -> None:
    source = (
        f"def _helper():\n{_body(40)}\n@bp.context_processor\ndef helpers():\n{_body(40)}\n"
        f"class NotAView:\n    def get(self):\n{_body(40, '        ')}"
    )
    assert _found(tmp_path, source) == []


def test_docstring_blank_and_comment_lines_do_not_count(tmp_path: Path) -> None:
    filler = '    """A docstring\n\n    of several lines."""\n\n    # a comment that says why\n\n'
    source = f'@bp.post("/a")\ndef a():\n{filler}{_body(8)}\n    # another\n\n{_body(7)}'
    assert _found(tmp_path, source) == []
    source = f'@bp.post("/a")\ndef a():\n{filler}{_body(8)}\n    # another\n\n{_body(8)}'
    assert _found(tmp_path, source) == ["pkg/views.py:2 a has 16 lines (at most 15)"]


def test_every_module_under_the_packages_is_read(tmp_path: Path) -> None:
    _write(tmp_path, "pkg/sub/more.py", f'@bp.delete("/b")\ndef b():\n{_body(17)}')
    _write(tmp_path, "elsewhere/huge.py", f'@bp.get("/c")\ndef c():\n{_body(99)}')
    found = [(v.path, v.name, v.lines) for v in long_views(tmp_path, ["pkg"], 15)]
    assert found == [("pkg/sub/more.py", "b", 17)]
