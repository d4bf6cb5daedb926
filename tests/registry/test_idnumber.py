"""Resident ID numbers (居民身份证号码, GB 11643-1999): region code, birth date and check digit.

A number carries the administrative-division code (GB/T 2260) in force when it was issued, which
may be older or newer than the holder's birth date; the region part is checked against the whole
history of codes in python-stdnum's table (stdnum/cn/loc.dat), never against the birth year.
Check digits are computed with python-stdnum's GB 11643 function, not written by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric

from registry.codes import idnumber, region


def _resident_id(first17: str) -> str:
    """first17 with the GB 11643-1999 check digit appended."""
    return first17 + ric.calc_check_digit(first17 + "0")


def test_region_code_newer_than_birth_date_is_accepted():
    """GB 11643-1999: the region code is the one in force when the number was issued.

    330106 (杭州市西湖区) exists since 1983 in stdnum's table; a person born in 1970 holds a
    number issued later with that code. stdnum.cn.ric.validate refuses it (birth-year check).
    """
    number = "330106197003152010"
    assert ric.calc_check_digit(number) == number[-1]
    assert idnumber.validate("resident_id", number) == number


def test_region_code_abolished_before_birth_date_is_accepted():
    """GB 11643-1999: the region code is the one in force when the number was issued.

    110110 (北京市燕山区) is marked "[-1986]" in stdnum/cn/loc.dat: abolished, but it existed, so a
    number carrying it is accepted whatever the birth date (here 1990, after the abolition).
    """
    assert region.is_known("110110")
    assert "[-1986]" in _loc_dat_line("11", "0110")
    number = _resident_id("11011019900501123")
    assert not ric.is_valid(number)  # stdnum alone refuses it
    assert idnumber.validate("resident_id", number) == number


@pytest.mark.parametrize("code", ["999999", "110199"])
def test_region_code_that_never_existed_is_refused(code):
    """GB 11643-1999: the first six digits are a GB/T 2260 administrative-division code.

    A code absent from stdnum's table (which keeps abolished codes) never existed.
    """
    assert not region.is_known(code)
    number = _resident_id(code + "19900501123")
    with pytest.raises(idnumber.IdNumberError, match=f"region code {code}"):
        idnumber.validate("resident_id", number)


def test_impossible_birth_date_is_refused():
    """GB 11643-1999: digits 7-14 are the birth date YYYYMMDD; 1970-02-30 is no calendar date."""
    number = _resident_id("33010619700230201")
    with pytest.raises(idnumber.IdNumberError, match="birth date .* not a calendar date") as info:
        idnumber.validate("resident_id", number)
    assert "19700230" not in str(info.value)  # personal data is not repeated in the message


def test_future_birth_date_is_refused():
    """GB 11643-1999: digits 7-14 are the birth date; a number cannot be issued before birth."""
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    number = _resident_id("330106" + tomorrow.strftime("%Y%m%d") + "201")
    with pytest.raises(idnumber.IdNumberError, match="birth date .* in the future"):
        idnumber.validate("resident_id", number)


def test_birth_date_before_1900_is_refused():
    """GB 11643-1999: digits 7-14 are the birth date; the registry accepts 1900-01-01 onwards."""
    with pytest.raises(idnumber.IdNumberError, match="birth date .* before 1900-01-01"):
        idnumber.validate("resident_id", _resident_id("33010618991231201"))
    first = _resident_id("33010619000101201")
    assert idnumber.validate("resident_id", first) == first


def test_wrong_check_digit_is_refused():
    """GB 11643-1999: the 18th character is the ISO 7064 MOD 11-2 check digit."""
    number = "330106197003152010"
    for wrong in "123456789X":
        with pytest.raises(idnumber.IdNumberError, match="check digit"):
            idnumber.validate("resident_id", number[:-1] + wrong)


def test_lowercase_x_check_character_is_normalised():
    """GB 11643-1999: check value 10 is written X; a lowercase x is the same number."""
    number = next(n for seq in range(100, 1000) if (n := _resident_id(f"33010619700315{seq}")).endswith("X"))
    assert idnumber.validate("resident_id", number.lower()) == number
    masked = idnumber.mask_resident_ids(f"bidder {number.lower()} listed")
    assert masked == f"bidder {number[:4]}{'*' * 10}{number[-4:]} listed"


def test_mask_resident_ids_masks_a_number_stdnum_alone_refuses():
    """GB 11643-1999: the region code is the one in force when the number was issued.

    The free-text masking must mask 330106197003152010, or the full number would be shown.
    """
    assert idnumber.mask_resident_ids("x 330106197003152010 y") == "x 3301**********2010 y"


def _loc_dat_line(province: str, county: str) -> str:
    """The line of stdnum/cn/loc.dat for county code `county` under `province`."""
    from importlib import resources

    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    current = ""
    for line in text.splitlines():
        if line and not line[0].isspace():
            current = line.split()[0]
        elif current == province and line.split()[:1] == [county]:
            return line
    raise AssertionError(f"{province}{county} not in loc.dat")
