"""How a screening's reasons and match explanations are said: the words they share (a decision, a
match level, a vocabulary term), several notes said as one, and the stored document's text in
both languages. The reasons are messages of the catalogue (registry/messages, `screening.po`), the
matcher's explanations too (`matching.types.Explanation`); both are rendered once, when the
document is built: Chinese where a person reads (`reasons`, `detail`), English beside it
(`reasons_en`, `detail_en`) for developers and for the record of what the code said.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from registry.messages import Msg, Text, msg, render
from registry.screening.measures import MeasureHit

# A decision or an effect as a reason says it.
DECISION_WORDS: dict[str, Msg] = {
    "block": msg("block"),
    "review": msg("review"),
    "clear": msg("clear"),
}
EFFECT_WORDS: dict[str, Msg] = {
    "block": DECISION_WORDS["block"],
    "review": DECISION_WORDS["review"],
    "incentive": msg("incentive"),
}
MATCH_WORDS: dict[str, Msg] = {
    "exact": msg("exact match"),
    "strong": msg("strong match"),
    "possible": msg("possible match"),
}


@dataclass(frozen=True)
class Term:
    """A vocabulary code (a domain, a role) said as its code in English and by its Chinese label
    (registry.vocab) in Chinese."""

    code: str
    label: str

    def render(self, locale: str) -> str:
        return self.code if locale == "en" else self.label

    def __str__(self) -> str:
        return self.code


def term(code: str, labels: Mapping[str, str]) -> Term:
    return Term(code, labels.get(code, code))


def listing(parts: Iterable[Text]) -> Text | None:
    """Several notes said as one ("first; then", in Chinese "first；then"), or None when there are none."""
    found: Text | None = None
    for part in parts:
        found = part if found is None else msg("{first}; {then}", first=found, then=part)
    return found


def measure_words(hit: MeasureHit) -> Msg:
    """A measure as the reasons name it: its code, its name and its legal basis."""
    m = hit.measure
    return msg("{code} {name} ({basis})", code=m.code, name=m.name, basis="、".join(m.legal_basis))


def both(texts: Iterable[Text]) -> tuple[list[str], list[str]]:
    """The texts in Chinese and in English."""
    shown = list(texts)
    return [render(t, "zh") for t in shown], [render(t, "en") for t in shown]


def said(subject: dict[str, Any]) -> dict[str, Any]:
    """A subject's document with its reasons (messages while it was decided) said in Chinese,
    `reasons`, and in English, `reasons_en`."""
    subject["reasons"], subject["reasons_en"] = both(subject["reasons"])
    return subject
