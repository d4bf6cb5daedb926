"""统一社会信用代码 (USCC, GB 32100-2015) as matching evidence.

The matcher needs only two things of a code: its normalised form and whether it is valid.
A malformed code is not an error here: it is simply no evidence. The rules are the standard's
(as registry/codes/uscc.py applies them, which matching/ may not import): 18 characters from
the GB 32100 alphabet, a known registration authority, a 6-digit region, the weighted check
character. Codes starting with A, N or Y are valid (python-stdnum wrongly rejects them).
"""

from __future__ import annotations

import re
import unicodedata
from operator import mul

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_ALPHABET_SET = frozenset(ALPHABET)
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 登记管理部门代码 (position 1).
_AUTHORITIES = frozenset("123456789ANY")
# A 个体工商户 without a code is published with this placeholder: it identifies nobody.
PLACEHOLDER = "00000000000000000X"
_SPACES_AND_HYPHENS = re.compile(r"[\s-]+")


def normalise_code(raw: str) -> str:
    """Fold full-width forms, drop spaces and hyphens, upper-case: how people paste codes."""
    if len(raw) == 18 and raw.isascii() and raw.isalnum():
        return raw.upper()
    return _SPACES_AND_HYPHENS.sub("", unicodedata.normalize("NFKC", raw)).upper()


def check_character(first17: str) -> str:
    """The 18th character for the first seventeen (weights 1, 3, 9, … mod 31)."""
    total = sum(map(mul, map(_VALUE.__getitem__, first17), _WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid_code(code: str) -> bool:
    """True for a normalised, well-formed code with the right check character."""
    if len(code) != 18 or code[0] not in _AUTHORITIES or not code[2:8].isdigit():
        return False
    if not _ALPHABET_SET.issuperset(code):
        return False
    return check_character(code[:17]) == code[17]


def valid_code(raw: str | None) -> str | None:
    """The normalised code when `raw` is a valid USCC, else None (absent, placeholder, malformed)."""
    if not raw:
        return None
    code = normalise_code(raw)
    return code if is_valid_code(code) else None
