"""Slips in a 字号: one character for another of the same reading, or of a look-alike form."""

from __future__ import annotations

import pytest

from matching.characters import confusable, readings_of, slip, slip_keys


def test_readings_ignore_tones_and_keep_every_reading():
    assert readings_of("晟") == ("cheng", "sheng")  # chéng, shèng (the rarer jīng is left out)
    assert readings_of("合") == ("he", "ge")
    assert readings_of("绿") == ("lü", "lu")  # the ü is not a u
    assert readings_of("A") == ()


def test_a_simplified_character_is_also_read_as_the_traditional_ones_it_stands_for():
    # names are compared in simplified characters, and 收乾吧 becomes 收干吧
    assert "qian" in readings_of("干")
    assert slip("收干吧", "收钱吧") is not None


@pytest.mark.parametrize(
    ("written", "listed", "kind", "reading"),
    [
        ("合胜", "合晟", "homophone", "hé shèng"),
        ("金元达", "金源达", "homophone", "jīn yuán dá"),
        ("已达", "己达", "look_alike", ""),
        ("华字", "华宇", "look_alike", ""),
    ],
)
def test_one_character_mistaken(written, listed, kind, reading):
    found = slip(written, listed)
    assert found is not None
    assert (found.kind, found.reading) == (kind, reading)
    assert (found.written, found.listed) == (written[found.position], listed[found.position])


@pytest.mark.parametrize(
    ("written", "listed"),
    [
        ("合达", "合晟"),  # another character, neither sounding nor looking alike
        ("和胜", "合晟"),  # both characters differ, however alike they sound
        ("合晟", "合晟"),  # the same
        ("合晟达", "合晟"),  # another length
        ("合", "和"),  # a 字号 has two characters at least
    ],
)
def test_not_a_slip(written, listed):
    assert slip(written, listed) is None


def test_confusable_characters():
    assert confusable("胜", "晟") == ("homophone", "sheng")
    assert confusable("己", "已") == ("look_alike", "")
    assert confusable("达", "晟") is None
    assert confusable("晟", "晟") is None


def test_slip_keys_meet_exactly_when_one_character_may_be_mistaken():
    def meet(a, b):
        return bool(set(slip_keys(a)) & set(slip_keys(b)))

    assert meet("合胜", "合晟")
    assert meet("己达", "已达")
    assert meet("金元达", "金源达")
    assert not meet("合达", "合晟")
    assert not meet("和胜", "合晟")
    assert slip_keys("合") == []
    assert slip_keys("合晟达合晟达合") == []  # too long to be a 字号
