"""The screening's reasons and the matcher's explanations come from the catalogue: every template the
code can say has its Chinese (registry/messages/screening.po), and an explanation of the pure
matcher (`matching.types.Explanation`) renders as a message does, format specs included."""

from __future__ import annotations

import ast
from pathlib import Path

from matching.types import Explanation, explain, joined
from registry.messages import msg, render, untranslated

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (ROOT / "matching", ROOT / "registry" / "screening")
MAKERS = {"explain", "Explanation", "msg", "Msg"}


def _templates() -> dict[str, str]:
    """Every literal first argument of explain(…), Explanation(…) and msg(…) in the packages, with where."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted(package.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                first = node.args[0]
                if name in MAKERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.setdefault(first.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_template_the_matcher_and_the_screening_say_has_its_chinese() -> None:
    templates = _templates()
    assert len(templates) >= 100  # the walk finds them (a rename of the helpers would find none)
    missing = untranslated(templates)
    assert missing == [], [f"{templates[t]}: {t}" for t in missing]


def test_an_explanation_renders_like_a_message_with_its_format_specs_in_both_languages() -> None:
    said = explain(
        "字号 {written} vs {listed}: similarity {ratio:.2f}, counts as {agreement:.2f}",
        written="「合晟」",
        listed="「合胜」",
        ratio=0.5,
        agreement=0.25,
    )
    assert str(said) == render(said, "en") == "字号 「合晟」 vs 「合胜」: similarity 0.50, counts as 0.25"
    assert render(said, "zh") == "字号「合晟」与「合胜」：相似度 0.50，按 0.25 计"


def test_explanations_inside_explanations_and_messages_are_said_in_the_same_language() -> None:
    notes = joined([explain("{region} read as a region", region="兴和"), explain("(none)")])
    assert isinstance(notes, Explanation)
    assert str(notes) == "兴和 read as a region; (none)"
    assert render(notes, "zh") == "「兴和」视为行政区划；（无）"
    reason = msg("block: {link}", link=explain("the same ID document number"))
    assert render(reason, "en") == "block: the same ID document number"
    assert render(reason, "zh") == "禁止：证件号码一致"
    assert joined([]) is None
