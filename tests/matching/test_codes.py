"""统一社会信用代码 as evidence: valid or not, never an exception."""

from __future__ import annotations

import pytest

from matching.codes import PLACEHOLDER, check_character, is_valid_code, normalise_code, valid_code

VALID = "91110000600037341L"  # python-stdnum's own example


@pytest.mark.parametrize(
    "raw", [VALID, VALID.lower(), " 9111 0000 6000 3734 1L ", "９１１１００００６０００３７３４１Ｌ", "91110000-600037341L"]
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
