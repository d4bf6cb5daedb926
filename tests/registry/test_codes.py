"""统一社会信用代码, ID numbers and region codes."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from registry.codes import idnumber, region, uscc

VALID = "91110000600037341L"  # python-stdnum's own example


def _with_check(first17: str) -> str:
    return first17 + uscc.check_character(first17)


@pytest.mark.parametrize(
    "raw", [VALID, VALID.lower(), " 9111 0000 6000 3734 1L ", "９１１１００００６０００３７３４１Ｌ"]
)
def test_normalises_case_spaces_and_full_width(raw):
    assert uscc.validate(raw) == VALID


@pytest.mark.parametrize("first", ["A", "N", "Y", "1", "5", "9"])
def test_accepts_every_registration_authority_including_letters(first):
    code = _with_check(first + "1110000600037341")
    assert uscc.validate(code) == code


def test_stdnum_alone_would_reject_letter_authorities():
    # Why the wrapper exists: stdnum refuses these valid GB 32100 codes.
    from stdnum.cn import uscc as stdnum_uscc
    from stdnum.exceptions import ValidationError

    with pytest.raises(ValidationError):
        stdnum_uscc.validate(_with_check("N2110000600037341"))


def test_wrong_check_character_says_which_is_expected():
    with pytest.raises(uscc.USCCError, match=r"check character is wrong: expected 'L', got 'M'"):
        uscc.validate("91110000600037341M")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("9111000060003734", "18 characters"),
        ("91110000600037341LL", "18 characters"),
        ("9111000060003734IL", "outside the GB 32100 alphabet: I"),
        ("B1110000600037341L", "registration-authority code 'B'"),
        ("911A0000600037341L", "6-digit region code"),
    ],
)
def test_structural_errors_are_named(raw, message):
    with pytest.raises(uscc.USCCError, match=message):
        uscc.validate(raw)


def test_placeholder_only_when_allowed():
    assert uscc.validate("00000000000000000x", allow_placeholder=True) == uscc.INDIVIDUAL_BUSINESS_PLACEHOLDER
    with pytest.raises(uscc.USCCError, match="个体工商户"):
        uscc.validate(uscc.INDIVIDUAL_BUSINESS_PLACEHOLDER)


def test_complete_appends_a_check_character_that_validates():
    code = uscc.complete("91330106MA2ABCDE1")
    assert len(code) == 18
    assert uscc.is_valid(code)


def _resident_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def test_resident_id_validation_and_mask():
    number = _resident_id("11010119900307123")
    assert idnumber.validate("resident_id", number.lower()) == number
    assert idnumber.mask(number) == number[:4] + "*" * 10 + number[-4:]
    bad = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(idnumber.IdNumberError, match="check digit"):
        idnumber.validate("resident_id", bad)
    with pytest.raises(idnumber.IdNumberError, match="18 characters"):
        idnumber.validate("resident_id", number[:-2])
    with pytest.raises(idnumber.IdNumberError, match="unknown document type"):
        idnumber.validate("driving_licence", number)


def test_vault_encrypts_and_fingerprints_without_keeping_the_number():
    vault = idnumber.IdentityVault("a-secret-of-sufficient-length")
    number = _resident_id("33010619851212001")
    protected = vault.protect("resident_id", number)
    assert number not in protected.ciphertext
    assert vault.reveal(protected.ciphertext) == number
    assert protected.lookup_hash == vault.fingerprint("resident_id", number)
    assert protected.lookup_hash != idnumber.IdentityVault("another-secret-entirely").fingerprint("resident_id", number)


def test_region_names_and_validation():
    assert region.region_name("330106") == "浙江省杭州市西湖区"
    assert region.region_name("330000") == "浙江省"
    assert region.is_known("110103")  # 崇文区, abolished 2010: old records still resolve
    with pytest.raises(ValueError, match="6-digit"):
        region.validate("33010")
    with pytest.raises(ValueError, match="not a known"):
        region.validate("999999")


def test_complete_refuses_characters_outside_the_alphabet():
    with pytest.raises(uscc.USCCError, match="outside the GB 32100 alphabet: Z"):
        uscc.complete("91330106MA2XYZ123")
