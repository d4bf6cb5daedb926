"""Cell values read leniently, as supervisors' sheets write them (表格单元格的取值): text trimmed, codes that
Excel did not turn into numbers, dates as Excel dates or in the usual Chinese forms, amounts in 万元 as
numbers or text, lists, yes/no, and a vocabulary's Chinese labels; every refusal says why.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from registry.errors import Refusal
from registry.imports.tables import header_key
from registry.messages import msg


class CellError(Refusal):
    """A cell's value cannot be read as what its column holds; the message (a catalogue message) says why."""


# ---------------------------------------------------------------------------------------------
# Cell values


def text_value(raw: Any) -> str | None:
    """Text as written, trimmed; empty → None. A number Excel stored (a numeric code) is
    written without a trailing .0."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        raw = raw.date()
    text = str(raw).strip()
    return text or None


def code_value(raw: Any) -> str | None:
    """A registration code or number. Excel turns an all-digit code typed into a General cell
    into a number and keeps only 15 significant digits: such a cell is refused, not guessed."""
    if isinstance(raw, float):
        if not raw.is_integer() or abs(raw) >= 2**53:
            raise CellError(
                "Excel stored this code as a number and dropped digits; format the column as text (文本) and type the "
                "code again"
            )
        raw = int(raw)
    text = text_value(raw)
    return None if text is None else "".join(unicodedata.normalize("NFKC", text).split())


_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_EXCEL_SERIALS = (20_000, 80_000)  # 1954-10-03 … 2119-01-10: a bare number in a date column


def _from_serial(number: float) -> dt.date:
    from openpyxl.utils.datetime import from_excel

    day = from_excel(number)
    return day.date() if isinstance(day, dt.datetime) else cast(dt.date, day)


def date_value(raw: Any) -> dt.date | None:
    """A date from an Excel date cell, an Excel day number, or text: 2026-11-02, 2026/11/2,
    2026.11.2, 2026年11月2日 or 20261102 (a time after it is ignored)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if _EXCEL_SERIALS[0] <= raw <= _EXCEL_SERIALS[1]:
            return _from_serial(raw)
        raise CellError(
            msg("{value} is not a date; write it as 2026-11-02, 2026/11/2 or 2026年11月2日", value=str(raw))
        )
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    match = _DATE_TEXT.fullmatch(text)
    parts: tuple[str, ...] | None = match.groups() if match else None
    if parts is None and re.fullmatch(r"\d{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    if parts is None and re.fullmatch(r"\d{5}", text) and _EXCEL_SERIALS[0] <= int(text) <= _EXCEL_SERIALS[1]:
        return _from_serial(int(text))  # an Excel date saved to CSV from a General cell
    if parts is None:
        raise CellError("is not a date; write it as 2026-11-02, 2026/11/2 or 2026年11月2日")
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as exc:
        raise CellError(msg("is not a day of the calendar ({error})", error=str(exc))) from exc


_WAN = ("万元", "万")


def amount_value(raw: Any) -> Decimal | None:
    """An amount in 万元 (a 2,000 yuan fine is 0.2): a number, or text with or without thousands
    separators or a trailing 万元. At most six decimals (one fen)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        amount = Decimal(repr(raw))  # the shortest form that reads back: 0.2, not 0.2000000000000000111
    elif isinstance(raw, int | Decimal):
        amount = Decimal(raw)
    else:
        text = "".join(unicodedata.normalize("NFKC", str(raw)).split()).replace(",", "")
        if not text:
            return None
        for unit in _WAN:
            if text.endswith(unit):
                text = text[: -len(unit)]
                break
        else:
            if text.endswith("元"):
                raise CellError("the column is in 万元 (ten thousand yuan): a 2,000 yuan fine is 0.2, not 2000元")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise CellError("is not a number (the column is an amount in 万元, e.g. 0.2)") from exc
    if not amount.is_finite():
        raise CellError("is not a number (the column is an amount in 万元, e.g. 0.2)")
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        raise CellError("has more than six decimals: amounts are in 万元 and end at one fen (0.000001)")
    return amount


_LIST_SPLIT = re.compile(r"[；;、，,\n]")


def list_value(raw: Any) -> list[str]:
    """Several values in one cell, separated by ；;、 or a comma (our exports write ;), or a
    JSON list."""
    text = text_value(raw)
    if text is None:
        return []
    if text.startswith("[") and text.endswith("]"):
        try:
            loaded = json.loads(text)
        except ValueError:
            loaded = None
        if isinstance(loaded, list):
            return [str(v).strip() for v in loaded if str(v).strip()]
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


_TRUE = {"是", "y", "yes", "true", "1", "公开", "对"}
_FALSE = {"否", "n", "no", "false", "0", "不公开", "错"}


def bool_value(raw: Any) -> bool | None:
    """是/否 (our exports), yes/no, true/false, 1/0."""
    if isinstance(raw, bool):
        return raw
    text = text_value(raw)
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError("write 是 or 否")


class Vocabulary:
    """A reader for a closed vocabulary: the Chinese term our exports write, or the code itself.

    `labels` are the Chinese terms in order (what the import template offers in its drop-down lists).
    """

    def __init__(self, labels: dict[str, str], aliases: dict[str, str] | None = None) -> None:
        known = {header_key(label): code for code, label in labels.items()}
        known.update({header_key(code): code for code in labels})
        known.update({header_key(alias): code for alias, code in (aliases or {}).items()})
        self.known = known
        self.labels = tuple(labels.values())
        self.choices = "、".join(self.labels)

    def __call__(self, raw: Any) -> str | None:
        text = text_value(raw)
        if text is None:
            return None
        code = self.known.get(header_key(text))
        if code is None:
            raise CellError(msg("is not one of {values}", values=self.choices))
        return code


def vocabulary(labels: dict[str, str], aliases: dict[str, str] | None = None) -> Vocabulary:
    """A reader for a closed vocabulary: the Chinese term our exports write, or the code itself."""
    return Vocabulary(labels, aliases)
