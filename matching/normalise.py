"""Normalising how a name is written: width, brackets, spaces and punctuation, script, case.

Bidders write the same enterprise name with full-width or half-width forms, any kind of bracket,
spaces, dots and traditional characters. `normalise` folds all of that away, keeping only
letters, digits and brackets (unified to ASCII `(` `)`), because a bracket can carry meaning: the
region of 合晟建设工程（杭州）有限公司 or the form of …合伙企业（有限合伙）.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

# Every bracket kind people use in names, after NFKC (which already maps （）［］｛｝ to ASCII).
_BRACKETS = str.maketrans(
    {
        "[": "(",
        "]": ")",
        "{": "(",
        "}": ")",
        "【": "(",
        "】": ")",
        "〔": "(",
        "〕": ")",
        "〖": "(",
        "〗": ")",
        "〈": "(",
        "〉": ")",
        "﹝": "(",
        "﹞": ")",
        "⦅": "(",
        "⦆": ")",
    }
)
# Anything that is not a letter, a digit or a bracket: spaces, punctuation, dots (·), symbols.
_NOT_KEPT = re.compile(r"[^\w()]|_")
_EMPTY_BRACKETS = re.compile(r"\(\)")
_BRACKET_GROUP = re.compile(r"\(([^()]*)\)")


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    """An OpenCC converter (`s2t`, `t2s`), created on first use."""
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Simplified characters, the same whichever script the name was written in: 建設 → 建设,
    臺灣 → 台湾, 濬縣 → 浚县.

    OpenCC's `t2s` alone is not enough: it converts by phrase, and changes simplified text too,
    so a name and its traditional spelling could differ after it (乾安县 → 干安县 but 乾安縣 →
    乾安县; 钜亿 stays but 鉅億 → 巨亿). Converting to traditional first (`s2t`) and back makes
    both spellings one. (Character by character would be cheaper but misses the phrases that
    have their own forms: 家具/傢俱, 浚县/濬縣.) Lines are converted independently, so
    `normalise_many` converts many names in one call.
    """
    traditional: str = _converter("s2t").convert(text)
    simplified: str = _converter("t2s").convert(traditional)
    return simplified


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
            if depth > 1:
                return False
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def unify_brackets(text: str) -> str:
    """Every bracket kind as `(` `)` (after NFKC, which maps the full-width ones): nothing else
    changed."""
    return text.translate(_BRACKETS)


def _fold(text: str) -> str:
    """Everything `normalise` does but the script."""
    folded = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    kept = _NOT_KEPT.sub("", folded).casefold()
    if "(" in kept or ")" in kept:
        kept = _EMPTY_BRACKETS.sub("", kept)
        if not _balanced(kept):
            kept = kept.replace("(", "").replace(")", "")
    return kept


def normalise(text: str) -> str:
    """The name as compared: NFKC, brackets unified to `(` `)`, no spaces or punctuation,
    simplified characters, Latin case folded.

    Brackets are kept only when they pair up one level deep; stray or nested ones are dropped
    (their content stays). Empty brackets are dropped.
    """
    kept = _fold(text)
    return kept if kept.isascii() else to_simplified(kept)


def normalise_many(texts: list[str], batch: int = 1000) -> list[str]:
    """`normalise` for many names, with one OpenCC call per `batch` names (a third of the time:
    the call, not the conversion, is most of its cost)."""
    folded = [_fold(text) for text in texts]
    pending = [i for i, text in enumerate(folded) if not text.isascii()]
    for start in range(0, len(pending), batch):
        chunk = pending[start : start + batch]
        converted = to_simplified("\n".join(folded[i] for i in chunk)).split("\n")
        for i, text in zip(chunk, converted, strict=True):
            folded[i] = text
    return folded


def without_brackets(text: str) -> str:
    """A normalised name with its brackets removed and their content kept in place."""
    return text.replace("(", "").replace(")", "")


def bracket_groups(text: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of each bracketed group of a normalised name, left to right."""
    return [(m.start(), m.end(), m.group(1)) for m in _BRACKET_GROUP.finditer(text)]
