"""Text as a spreadsheet cell (CSV and XLSX downloads, the import report): never a live formula.

Names, decision numbers, facts and imported values come from other people's input. A cell that
starts with one of FORMULA_START is a formula to Excel and WPS (CSV/formula injection, e.g.
`=cmd|' /C calc'!A0`), so such text is written with a leading apostrophe, which the spreadsheet
shows as text. The check also looks past leading control characters: an XLSX cell drops those XML
cannot carry (so "\\x01=1+1" would arrive as "=1+1", a live formula), and a spreadsheet may skip
them when it reads a CSV cell.

The guard is undone exactly when an export is imported again (`unguarded`, called on every text
cell an import reads): text the guard would change is text whose apostrophes are followed by a
formula character, so such text gets one more apostrophe (`'=x` is written `''=x`) and one is
taken away on reading. Text that merely starts with an apostrophe (`'abc`) is written and read
as it is. The round trip `unguarded(guarded(t)) == t` holds for all text.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = "".join(chr(c) for c in range(0x20))
# XML 1.0 cannot carry these, and openpyxl refuses them: removed from XLSX cells after the guard.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _runs(text: str) -> bool:
    """Whether `text` would run as a formula, looking past leading control characters."""
    return text.startswith(FORMULA_START) or text.lstrip(_CONTROL).startswith(FORMULA_START)


def guarded(text: str) -> str:
    """`text` as a cell that cannot run as a formula (and that `unguarded` reads back as `text`)."""
    return "'" + text if _runs(text.lstrip("'")) else text


def unguarded(text: str) -> str:
    """A cell written by `guarded` as the text it was: the one apostrophe the guard added removed.

    Only an apostrophe the guard could have added goes (one before text that would run as a
    formula, after any further apostrophes); any other text, `'abc` included, is left alone.
    """
    return text[1:] if text.startswith("'") and _runs(text.lstrip("'")) else text


def xlsx_text(text: str) -> str:
    """`text` guarded, then without the characters XML cannot carry (the guard saw what they hid)."""
    return XML_ILLEGAL.sub("", guarded(text))
