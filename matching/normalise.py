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


@lru_cache(maxsize=1)
def _to_simplified() -> opencc.OpenCC:
    """The OpenCC traditional→simplified converter, created on first use."""
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC `t2s`): 建設 → 建设, 臺灣 → 台湾."""
    result: str = _to_simplified().convert(text)
    return result


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


def normalise(text: str) -> str:
    """The name as compared: NFKC, brackets unified to `(` `)`, no spaces or punctuation,
    simplified characters, Latin case folded.

    Brackets are kept only when they pair up one level deep; stray or nested ones are dropped
    (their content stays). Empty brackets are dropped.
    """
    folded = unicodedata.normalize("NFKC", text).translate(_BRACKETS)
    kept = _NOT_KEPT.sub("", folded).casefold()
    if "(" in kept or ")" in kept:
        kept = _EMPTY_BRACKETS.sub("", kept)
        if not _balanced(kept):
            kept = kept.replace("(", "").replace(")", "")
    if kept.isascii():
        return kept
    return to_simplified(kept)


def without_brackets(text: str) -> str:
    """A normalised name with its brackets removed and their content kept in place."""
    return text.replace("(", "").replace(")", "")


def bracket_groups(text: str) -> list[tuple[int, int, str]]:
    """(start, end, content) of each bracketed group of a normalised name, left to right."""
    return [(m.start(), m.end(), m.group(1)) for m in _BRACKET_GROUP.finditer(text)]
