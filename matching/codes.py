"""统一社会信用代码 (USCC, GB 32100-2015) and the codes it replaced, as matching evidence.

The matcher needs only two things of a code: its normalised form and whether it is valid.
A malformed code is not an error here: it is simply no evidence. The rules are the standard's
(as registry/codes/uscc.py applies them, which matching/ may not import): 18 characters from
the GB 32100 alphabet, a known registration authority, a 6-digit region, the weighted check
character. Codes starting with A, N or Y are valid (python-stdnum wrongly rejects them).

Bidders still give the codes used before 2015 (`read_code`):

- a 组织机构代码 (GB 11714: eight characters and a check character, often written 72631281-4):
  a USCC's characters 9–17 are the organisation's code, so it identifies a listed entity as
  well as the USCC does (`organisation_part`);
- a 15-digit 注册号 (the business-licence number, ISO 7064 MOD 11,10 check digit): nothing in a
  USCC derives from it, so it is recognised, said so, and is no evidence either way.
"""

from __future__ import annotations

import re
import unicodedata
from operator import mul
from typing import Literal

from stdnum.iso7064 import mod_11_10

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


# --- the codes used before the USCC -------------------------------------------------------

CodeKind = Literal["uscc", "organisation", "registration", "invalid"]
_ORGANISATION_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORGANISATION_BODY = re.compile(r"[0-9A-Z]{8}")


def organisation_check(first8: str) -> str:
    """The 9th character of a 组织机构代码 (GB 11714: weights 3, 7, 9, 10, 5, 8, 4, 2 mod 11;
    10 is X, 11 is 0)."""
    total = sum(w * int(ch, 36) for w, ch in zip(_ORGANISATION_WEIGHTS, first8, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def is_valid_organisation_code(code: str) -> bool:
    """True for a normalised 组织机构代码 with the right check character."""
    return (
        len(code) == 9
        and _ORGANISATION_BODY.fullmatch(code[:8]) is not None
        and organisation_check(code[:8]) == code[8]
    )


def organisation_part(uscc: str) -> str:
    """The 组织机构代码 inside a USCC: its characters 9–17."""
    return uscc[8:17]


def is_registration_number(code: str) -> bool:
    """True for a normalised 15-digit 注册号 with the right check digit."""
    return len(code) == 15 and code.isdigit() and mod_11_10.is_valid(code)


def read_code(raw: str | None) -> tuple[CodeKind, str]:
    """What a code as given is, and its normalised form: a valid USCC, a valid 组织机构代码, a
    valid 15-digit 注册号, or "invalid" (absent, placeholder or malformed: no evidence)."""
    if not raw:
        return "invalid", ""
    code = normalise_code(raw)
    if is_valid_code(code):
        return "uscc", code
    if is_valid_organisation_code(code):
        return "organisation", code
    if is_registration_number(code):
        return "registration", code
    return "invalid", code
