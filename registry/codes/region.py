"""行政区划代码 (GB/T 2260 administrative-division codes), read from the table python-stdnum ships.

The table keeps codes that were abolished (marked with their years), so a code on an old
record still resolves. It is read once, lazily, and kept in memory (about 7,000 rows).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from registry.errors import Refusal
from registry.messages import msg

_LINE = re.compile(r'^(?P<indent>\s*)(?P<code>\d+)\s+\w+="(?P<name>[^"]*)"')
_YEARS = re.compile(r"^\[(?P<start>\d*)-(?P<end>\d*)\]")


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, bool]]:
    """code -> (full name, still in use)."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    table: dict[str, tuple[str, bool]] = {}
    province_code, province_name = "", ""
    for line in text.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        code, name = m["code"], m["name"]
        if not m["indent"]:
            province_code, province_name = code, name
            continue
        full = province_code + code
        # A county may carry several names over time: "[-2010]崇文区,[2010-]…"; take the newest.
        current = name.split(",")[-1]
        years = _YEARS.match(current)
        in_use = not (years and years["end"])
        current = _YEARS.sub("", current)
        if code == "0000" or current == province_name:
            table[full] = (province_name, in_use)
        else:
            city = table.get(full[:4] + "00", ("", True))[0]
            prefix = province_name if not city or city in ("市辖区", "县", province_name) else city
            if full.endswith("00"):
                prefix = province_name
            table[full] = (prefix + current if current not in ("市辖区", "县") else prefix, in_use)
    return table


def region_name(code: str) -> str | None:
    """The name of a 6-digit region code, or None if the table does not know it."""
    entry = _table().get(code)
    return entry[0] if entry else None


def is_known(code: str) -> bool:
    """True for a 6-digit code in the table (current or abolished)."""
    return code in _table()


def current_codes() -> list[tuple[str, str]]:
    """(code, name) of the regions still in use, for generating demo data."""
    return [(code, name) for code, (name, in_use) in _table().items() if in_use]


class RegionError(Refusal):
    """Not a region code; the message (a catalogue message) says why."""


def validate(raw: str) -> str:
    """Return the code, or raise RegionError (a ValueError) saying why it is not a known region code."""
    code = raw.strip()
    if not re.fullmatch(r"\d{6}", code):
        raise RegionError("must be a 6-digit administrative-division code (GB/T 2260)")
    if not is_known(code):
        raise RegionError(msg("{code} is not a known administrative-division code (GB/T 2260)", code=code))
    return code
