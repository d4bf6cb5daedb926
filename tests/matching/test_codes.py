"""统一社会信用代码 as evidence: valid or not, never an exception."""

from __future__ import annotations

import pytest

from matching.codes import (
    PLACEHOLDER,
    check_character,
    is_valid_code,
    is_valid_organisation_code,
    normalise_code,
    organisation_check,
    organisation_part,
    read_code,
    valid_code,
)

VALID = "91110000600037341L"  # python-stdnum's own example


@pytest.mark.parametrize(
    "raw",
    [VALID, VALID.lower(), " 9111 0000 6000 3734 1L ", "９１１１００００６０００３７３４１Ｌ", "91110000-600037341L"],
)
def test_valid_code_normalises_how_people_paste_codes(raw):
    assert valid_code(raw) == VALID


@pytest.mark.parametrize("first", ["1", "5", "9", "A", "N", "Y"])
def test_letter_authorities_are_valid(first):
    first17 = first + "1110000600037341"
    assert is_valid_code(first17 + check_character(first17))


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "91110000600037341M",  # wrong check character
        "9111000060003734",  # too short
        "91110000600037341LL",  # too long
        "Z1110000600037341L",  # unknown authority
        "91AB0000600037341L",  # region not digits
        "91110000600O37341L",  # O is not in the alphabet
        PLACEHOLDER,  # a 个体工商户 without a code
        "not a code at all",
    ],
)
def test_malformed_codes_are_no_evidence_not_errors(raw):
    assert valid_code(raw) is None


def test_normalise_code():
    assert normalise_code(" 9111 0000-6000 3734 1l ") == VALID


def test_organisation_check_character():
    # GB 11714's own example: 12345678-8; and a check of 10 is written X
    assert organisation_check("12345678") == "8"
    assert is_valid_organisation_code("123456788")
    assert not is_valid_organisation_code("123456789")
    assert not is_valid_organisation_code("12345678")
    assert organisation_part(VALID) == "600037341"
    assert is_valid_organisation_code(organisation_part(VALID))


@pytest.mark.parametrize(
    ("raw", "kind", "code"),
    [
        (VALID, "uscc", VALID),
        ("60003734-1", "organisation", "600037341"),
        ("600037341", "organisation", "600037341"),
        ("330106000123458", "registration", "330106000123458"),
        ("330106000123459", "invalid", "330106000123459"),  # wrong check digit
        ("600037342", "invalid", "600037342"),
        ("", "invalid", ""),
        (None, "invalid", ""),
    ],
)
def test_read_code(raw, kind, code):
    assert read_code(raw) == (kind, code)
