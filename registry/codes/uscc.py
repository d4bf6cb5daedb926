"""统一社会信用代码 (Unified Social Credit Code, GB 32100-2015).

python-stdnum computes the check character, but its validator refuses codes whose
first character (the registration authority, 登记管理部门) is a letter. GB 32100
assigns A (中央军委改革和编制办公室), N (农业) and Y (其他): such codes are valid and
must be accepted, so the structure is checked here and only the weighted check
character is taken from stdnum.
"""

from __future__ import annotations

import unicodedata

from stdnum.cn import uscc as _stdnum_uscc

from registry.errors import Refusal
from registry.messages import msg

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V

# 登记管理部门代码 (position 1) and what it stands for.
REGISTRATION_AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

# A 个体工商户 registered before it had a code is published with this placeholder (17 zeros + X).
INDIVIDUAL_BUSINESS_PLACEHOLDER = "00000000000000000X"


class USCCError(Refusal):
    """The code is not a valid 统一社会信用代码; the message (a catalogue message) says why, for a person to read."""


def normalise(raw: str) -> str:
    """Fold full-width forms, drop spaces and hyphens, upper-case: how people paste codes."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").upper()


def check_character(first17: str) -> str:
    """The 18th character for the first seventeen (weights 1, 3, 9, … mod 31)."""
    return str(_stdnum_uscc.calc_check_digit(first17))


def validate(raw: str, *, allow_placeholder: bool = False) -> str:
    """Return the normalised code, or raise USCCError naming what is wrong."""
    code = normalise(raw)
    if code == INDIVIDUAL_BUSINESS_PLACEHOLDER:
        if allow_placeholder:
            return code
        raise USCCError("the placeholder 00000000000000000X is allowed only for a 个体工商户 (individual_business)")
    if len(code) != 18:
        raise USCCError(msg("must be 18 characters, got {count}", count=len(code)))
    bad = sorted({ch for ch in code if ch not in ALPHABET})
    if bad:
        raise USCCError(
            msg(
                "contains characters outside the GB 32100 alphabet: {characters} (I, O, Z, S and V are never used)",
                characters="".join(bad),
            )
        )
    if code[0] not in REGISTRATION_AUTHORITIES:
        raise USCCError(
            msg(
                "registration-authority code {code!r} (position 1) is not one of {values}",
                code=code[0],
                values=", ".join(REGISTRATION_AUTHORITIES),
            )
        )
    if not code[2:8].isdigit():
        raise USCCError(msg("positions 3-8 must be a 6-digit region code, got {got!r}", got=code[2:8]))
    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError(
            msg("check character is wrong: expected {expected!r}, got {got!r}", expected=expected, got=code[17])
        )
    return code


def is_valid(raw: str) -> bool:
    """True when `raw` is a valid code (the placeholder is not)."""
    try:
        validate(raw)
    except USCCError:
        return False
    return True


def complete(first17: str) -> str:
    """Append the check character: for generating demo and test codes."""
    first17 = normalise(first17)
    if len(first17) != 17:
        raise USCCError(msg("need 17 characters to complete a code, got {count}", count=len(first17)))
    bad = sorted({ch for ch in first17 if ch not in ALPHABET})
    if bad:
        raise USCCError(msg("contains characters outside the GB 32100 alphabet: {characters}", characters="".join(bad)))
    return first17 + check_character(first17)
