"""The bidders (投标人) of a screening as a person gives them: typed or pasted lines, or a CSV/XLSX file.

Whatever the source, the result is a list of `Bidder`s in the API's subject shape (name, uscc,
role, consortium), each remembering where it came from ("第 3 行", "文件第 5 行") so that an error
names the line a person can find. Reading is lenient about what Excel and Chinese Windows
produce (tabs, full-width commas, GB18030, a title row above the headers, header variants);
the rules a subject must meet are the API's (`api.schemas.screenings.SubjectIn` lengths, a
name or a code, 1 to `MAX_SUBJECTS`), stated here in Chinese.

A file is read by the importer's reader (`registry.imports.files.open_table`: format, encoding,
separator, header row, the upload limits), under this page's own limits and with its own header
row; what it refuses is said here in Chinese (`FileRefused.chinese`).
"""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from api.pages.bidder_columns import (
    FIELD_NAMES,
    HEADER_FIELDS,
    QUIET_HEADERS,
    id_type_code,
)
from api.pages.bidder_columns import (
    HEADERS as HEADERS,
)
from api.pages.bidder_columns import (
    LIMITS as LIMITS,
)
from api.pages.bidder_columns import (
    PART_NAMES as PART_NAMES,
)
from api.pages.bidder_columns import (
    max_length as max_length,
)
from registry.imports import files
from registry.imports.upload_limits import IMPORT_LIMITS
from registry.screening.service import MAX_SUBJECTS

HEADER_SEARCH_ROWS = 10  # a title row or two may stand above the header row
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # an XLSX of 1,000 bidders unpacks to well under 1 MB
# The import's limits (registry/imports/upload_limits.py) with this page's sizes: one project's bidders.
# Reading stops after MAX_SUBJECTS + 1 bidders anyway; the row cap bounds the blank rows around them.
UPLOAD_LIMITS = dataclasses.replace(
    IMPORT_LIMITS,
    unpacked_bytes=MAX_UNPACKED_BYTES,
    rows=2 * MAX_SUBJECTS,
    csv_bytes=16 * 1024 * 1024,
    header_rows=HEADER_SEARCH_ROWS,
)
_SHOWN_ERRORS = 20

# A code-like cell: a USCC (18), an old 注册号 (15 digits) or a 组织机构代码 (8 + check, maybe with a hyphen).
_CODE_LIKE = re.compile(r"[0-9A-Z]{18}|\d{15}|[0-9A-Z]{8}-?[0-9A-Z]")
_SEPARATORS = re.compile(r"[,，]")


@dataclass
class Bidder:
    """One subject as given, and where: 第 3 行 (typed) or 文件第 5 行 (uploaded)."""

    source: str
    name: str | None = None
    uscc: str | None = None
    role: str | None = None
    consortium: str | None = None
    legal_rep_name: str | None = None
    legal_rep_id_type: str | None = None
    legal_rep_id_number: str | None = None
    id_type: str | None = None
    id_number: str | None = None

    def subject(self) -> dict[str, Any]:
        """The subject as `POST /api/v1/screenings` takes it."""
        subject: dict[str, Any] = {
            "name": self.name,
            "uscc": self.uscc,
            "role": self.role,
            "consortium": self.consortium,
        }
        if self.legal_rep_name or self.legal_rep_id_number:
            subject["legal_representative"] = {
                "name": self.legal_rep_name,
                "id_type": id_type_code(self.legal_rep_id_type),
                "id_number": self.legal_rep_id_number,
            }
        if self.id_number:
            subject["id_type"], subject["id_number"] = id_type_code(self.id_type), self.id_number
        return subject


@dataclass
class BidderList:
    """What was read: the bidders, the problems (each names its line), and notes for the person."""

    bidders: list[Bidder] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    count: int = 0  # non-empty lines or rows seen
    stopped: bool = False  # a file: reading stopped after MAX_SUBJECTS + 1 rows


class UnreadableFile(ValueError):
    """The upload is not a CSV or XLSX bidder table; the message says why, in Chinese."""


def header_key(text: str) -> str:
    """A header as compared: the importer's form (full-width folded, no spaces, no required-field
    star or (必填)/(必录) note), in lower case."""
    return files.header_key(text).lower()


def _cell(value: Any) -> str | None:
    """A cell as text: integral numbers without ".0" (Excel stores every number as a float)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None


def looks_like_code(text: str) -> bool:
    """Whether a cell is a code rather than a name (a name has Chinese characters or is short)."""
    compact = unicodedata.normalize("NFKC", text).replace(" ", "").upper()
    return bool(_CODE_LIKE.fullmatch(compact)) and any(ch.isdigit() for ch in compact)


def _columns(cells: list[str | None], *, strict: bool = False) -> tuple[dict[str, int], list[str]] | None:
    """The header row's mapping field → column, and the columns ignored; None if not a header row.

    A header row names a name or code column, and most of its cells are headers known here;
    `strict` (a typed first line, where 「某某公司, , 投标人」 is a bidder): all of them.
    """
    keys = [header_key(c) if c else "" for c in cells]
    mapping: dict[str, int] = {}
    ignored: list[str] = []
    for i, key in enumerate(keys):
        found = HEADER_FIELDS.get(key)
        if found and found not in mapping:
            mapping[found] = i
        elif key and key not in QUIET_HEADERS:
            ignored.append(cells[i] or "")
    if "name" not in mapping and "uscc" not in mapping:
        return None
    if len(ignored) > (0 if strict else len(mapping)):
        return None
    return mapping, ignored


def _check(bidder: Bidder, errors: list[str]) -> bool:
    """The API's rules for one subject, in Chinese: no NUL, a name or a code, each field within its limit."""
    ok = True
    for f, label in FIELD_NAMES.items():
        value = getattr(bidder, f)
        if value is not None and "\x00" in value:  # a file's cell (a form field with one is refused earlier)
            errors.append(f"{bidder.source}：{label}含有 NUL 字符（二进制内容），请删除后再上传")
            ok = False
    for f, limit in LIMITS.items():
        value = getattr(bidder, f)
        if value is not None and len(value) > limit:
            errors.append(f"{bidder.source}：{FIELD_NAMES[f]}过长（{len(value)} 字，最多 {limit} 字）")
            ok = False
    if not bidder.name and not bidder.uscc:
        errors.append(f"{bidder.source}：既没有名称，也没有统一社会信用代码（至少填写一项）")
        ok = False
    return ok


def _from_positions(cells: list[str | None], source: str) -> Bidder:
    """A typed line: 名称, 统一社会信用代码, 角色, 联合体, 法定代表人, 法定代表人证件号码 by position
    (a lone code, or a code first, is understood)."""
    cells = cells + [None] * (6 - len(cells))
    name, code, role, consortium, rep_name, rep_number = cells[:6]
    if name and looks_like_code(name) and (code is None or not looks_like_code(code)):
        name, code = code, name  # "91330106…, 杭州某某公司" or a line with the code alone
    return Bidder(source, name, code, role, consortium, rep_name, None, rep_number)


def _from_columns(cells: list[str | None], mapping: dict[str, int], source: str) -> Bidder:
    def at(f: str) -> str | None:
        i = mapping.get(f)
        return cells[i] if i is not None and i < len(cells) else None

    return Bidder(
        source,
        at("name"),
        at("uscc"),
        at("role"),
        at("consortium"),
        at("legal_rep_name"),
        at("legal_rep_id_type"),
        at("legal_rep_id_number"),
        at("id_type"),
        at("id_number"),
    )


def _split_line(line: str) -> list[str | None]:
    # Excel pastes cells with tabs; a person types commas (half- or full-width). A name with a
    # comma in it is rare, but a pasted row keeps it whole because tabs win.
    parts = line.split("\t") if "\t" in line else _SEPARATORS.split(line)
    return [_cell(p) for p in parts]


def _collect(
    rows: Iterable[tuple[str, list[str | None]]], mapping: dict[str, int] | None, read: BidderList, *, stop: bool
) -> None:
    """Read the rows into `read`; past MAX_SUBJECTS only count them (or, for a file, stop)."""
    for source, cells in rows:
        if not any(cells):
            continue
        read.count += 1
        if read.count > MAX_SUBJECTS:
            if stop:  # a file may hold anything: reading it all only to refuse it helps no one
                return
            continue
        bidder = _from_columns(cells, mapping, source) if mapping else _from_positions(cells, source)
        if _check(bidder, read.errors):
            read.bidders.append(bidder)


def _finish(read: BidderList, what: str) -> BidderList:
    if read.count > MAX_SUBJECTS:
        counted = f"共 {read.count} 个" if not read.stopped else f"至少 {read.count} 个"
        read.errors.insert(
            0, f"{what}的投标人超过 {MAX_SUBJECTS} 个（{counted}）：一次最多核查 {MAX_SUBJECTS} 个，请分批提交"
        )
    elif read.count == 0:
        read.errors.append(f"{what}没有投标人：至少填写 1 个")
    if len(read.errors) > _SHOWN_ERRORS:
        hidden = len(read.errors) - _SHOWN_ERRORS
        read.errors = [*read.errors[:_SHOWN_ERRORS], f"……另有 {hidden} 处问题未列出"]
    group_consortia(read)
    return read


def parse_lines(text: str) -> BidderList:
    """Bidders typed or pasted one per line: 名称[, 统一社会信用代码[, 角色[, 联合体]]], or
    tab-separated as Excel pastes them; a first line of headers (名称, 统一社会信用代码 …) sets the columns."""
    read = BidderList()
    lines = [(f"第 {n} 行", _split_line(line)) for n, line in enumerate(text.splitlines(), start=1)]
    filled = [(s, c) for s, c in lines if any(c)]
    mapping = None
    if filled:
        header = _columns(filled[0][1], strict=True)
        if header is not None:
            mapping = header[0]
            filled = filled[1:]
            read.notes.append("第一行是表头，已按表头识别各列")
    _collect(filled, mapping, read, stop=False)
    return _finish(read, "列表中")


# --- files -------------------------------------------------------------------------------------


def _is_header(texts: list[str]) -> bool:
    return _columns([_cell(t) for t in texts]) is not None


def read_file(filename: str, data: bytes) -> BidderList:
    """Bidders from an uploaded CSV or XLSX, by its header row (found within the first rows),
    read by the importer's reader under this page's limits; a refusal is said in Chinese."""
    accepted = "、".join(HEADERS["name"][:3] + HEADERS["uscc"][:1])
    missing = (
        f"{filename}: no header row naming the bidders' names or codes (名称, 统一社会信用代码 …) "
        f"in its first {HEADER_SEARCH_ROWS} rows",
        f"前 {HEADER_SEARCH_ROWS} 行中没有找到表头：表头应含「{accepted}」等列名之一",
    )
    try:
        with files.open_table(io.BytesIO(data), filename, _is_header, UPLOAD_LIMITS, header_hint=missing) as table:
            header = _columns([_cell(h) for h in table.headers])
            if header is None:  # never: the header row is the row _is_header took
                raise UnreadableFile(missing[1])
            mapping, ignored = header
            read = BidderList(notes=list(table.chinese_notes))
            if ignored:
                read.notes.append(f"未识别的列已忽略：{'、'.join(ignored)}")
            read.stopped = True  # only matters past MAX_SUBJECTS, where reading stops
            rows = ((f"文件第 {n} 行", [_cell(c) for c in cells]) for n, cells in table.rows)
            _collect(rows, mapping, read, stop=True)
    except files.FileRefused as exc:
        raise UnreadableFile(exc.chinese) from exc
    return _finish(read, "文件中")


# --- consortia ---------------------------------------------------------------------------------


def group_consortia(read: BidderList) -> None:
    """Give consortium (联合体) members a common label when the person gave none.

    The API groups members by an explicit label; a bidder list usually says only 联合体牵头人 /
    联合体成员 in its role column. Without any label: a row whose role names the 牵头 (lead) starts
    a new consortium, and the following rows whose role names a 联合体 member join it. Labels
    given anywhere are taken as they are, and nothing is guessed.
    """
    if any(b.consortium for b in read.bidders):
        return
    number = 0
    current: str | None = None
    for bidder in read.bidders:
        role = bidder.role or ""
        if "牵头" in role:
            number += 1
            current = f"联合体{number}"
        elif "联合体" not in role and "成员" not in role:
            current = None  # a bidder on its own ends the consortium before it
            continue
        elif current is None:
            number += 1
            current = f"联合体{number}"
        bidder.consortium = current
    if number:
        read.notes.append(f"按「角色」列识别出 {number} 个联合体（牵头人及其后的联合体成员为一组）")
