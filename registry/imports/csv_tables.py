"""A CSV file as a table: its encoding (UTF-8 with or without BOM, GB18030 as Excel on a Chinese Windows
writes it, UTF-16), its delimiter (comma, tab, full-width comma), read line by line within the limits.
"""

from __future__ import annotations

import codecs
import csv
import io
from typing import IO

from registry.imports.tables import (
    FileRefused,
    HeaderSearch,
    Rows,
    Table,
    binary_refusal,
    checked,
    find_header,
    numbered,
    refusal,
)
from registry.imports.upload_limits import (
    LimitExceeded,
    Limits,
    RowChecker,
    bounded_lines,
    check_csv_size,
)
from registry.messages import msg

# CSV separators, as Excel writes them ("Unicode text" is tab-separated) and as a person types them
# in a Chinese input method (the full-width comma).
_DELIMITERS = ("\t", ",", "，")


def detect_encoding(head: bytes) -> str:
    """The encoding of a CSV from its first bytes: a BOM says it; else UTF-8 if the bytes
    decode as UTF-8, else GB18030 (what Excel on a Chinese Windows writes, a superset of GBK)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # Incremental: the sniffed block may end inside a character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _count_lines(stream: IO[bytes]) -> int:
    start = stream.tell()
    count = 0
    last = b""
    while block := stream.read(1 << 20):
        count += block.count(b"\n")
        last = block
    stream.seek(start)
    return count + (1 if last and not last.endswith(b"\n") else 0)


def _stream_size(stream: IO[bytes]) -> int:
    start = stream.tell()
    end = stream.seek(0, io.SEEK_END)
    stream.seek(start)
    return end - start


def _delimiter(text: io.TextIOWrapper, limits: Limits) -> str:
    """The separator of a CSV, from its first line that has one, among the lines the header row
    is looked for in (a typed title may stand above the header row with none): a tab if it has
    more tabs than commas, else a full-width comma if it has more of those than commas, else a
    comma. Only that line is counted: Chinese text in the data rows is full of full-width commas.
    Leaves `text` anywhere; each line is read bounded and let go."""
    for _ in range(limits.header_rows):
        line = text.readline(limits.line_chars)
        if not line:
            break
        if any(d in line for d in _DELIMITERS):
            if line.count("\t") > line.count(","):
                return "\t"
            return "，" if line.count("，") > line.count(",") else ","
    return ","


def csv_table(stream: IO[bytes], head: bytes, filename: str, search: HeaderSearch, limits: Limits) -> Table:
    try:
        check_csv_size(_stream_size(stream), limits)
    except LimitExceeded as exc:
        raise refusal(exc, filename) from None
    encoding = detect_encoding(head)
    lines = _count_lines(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    try:
        delimiter = _delimiter(text, limits)
        text.seek(0)
    except UnicodeDecodeError as exc:
        text.detach()
        if b"\x00" in head:
            raise binary_refusal(filename) from exc
        raise FileRefused.because(
            msg("{file} is not text in UTF-8 or GB18030: {reason}", file=filename, reason=exc.reason),
            short="the file's text encoding is not one read (UTF-8, GB18030/GBK, UTF-16): it is no readable CSV table",
        ) from exc
    # Line by line, each line bounded; a field is bounded by csv's own field_size_limit (131,072).
    reader = csv.reader(bounded_lines(text, limits), delimiter=delimiter)
    checker = RowChecker(limits)

    def rows() -> Rows:
        try:
            # A record may span lines (a quoted line break); Excel shows it as one row, so rows
            # are numbered as records, not as lines.
            yield from checked(numbered(reader), checker, filename)
        except LimitExceeded as exc:  # a line too long (the rest were turned into refusals)
            raise refusal(exc, filename) from None
        except UnicodeDecodeError as exc:
            raise FileRefused.because(
                msg(
                    "{file} changes encoding part-way ({encoding} at the start): {reason}",
                    file=filename,
                    encoding=encoding,
                    reason=exc.reason,
                ),
                short=msg(
                    "the file's encoding changes part-way ({encoding} at the start, the rest cannot be read so): save "
                    "the whole file in one encoding (UTF-8 or GB18030) and upload it again",
                    encoding=encoding,
                ),
            ) from exc
        except csv.Error as exc:
            raise FileRefused.because(
                msg("{file} is not a well-formed CSV file: {error}", file=filename, error=str(exc)),
                short=msg("not a well-formed CSV file ({error})", error=str(exc)),
            ) from exc
        finally:
            text.detach()

    data_rows = rows()
    header_row, headers = find_header(data_rows, filename, search)
    checker.header_row = header_row
    return Table("csv", header_row, headers, data_rows, max(lines - header_row, 0), encoding=encoding)
