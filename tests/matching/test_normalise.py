"""Normalisation: how a name is written must not matter."""

from __future__ import annotations

import pytest

from matching.normalise import normalise, normalise_many, to_simplified, without_brackets


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("杭州合晟建设工程有限公司", "杭州合晟建设工程有限公司"),
        # full-width forms → half-width (NFKC)
        ("ＩＢＭ（中国）有限公司", "ibm(中国)有限公司"),
        ("合晟２０２４科技有限公司", "合晟2024科技有限公司"),
        # every bracket kind → ( )
        ("合晟建设工程（杭州）有限公司", "合晟建设工程(杭州)有限公司"),
        ("合晟建设工程(杭州)有限公司", "合晟建设工程(杭州)有限公司"),
        ("合晟建设工程【杭州】有限公司", "合晟建设工程(杭州)有限公司"),
        ("合晟建设工程[杭州]有限公司", "合晟建设工程(杭州)有限公司"),
        ("合晟建设工程〔杭州〕有限公司", "合晟建设工程(杭州)有限公司"),
        ("合晟建设工程［杭州］有限公司", "合晟建设工程(杭州)有限公司"),
        # spaces, punctuation and dots go
        ("杭州 合晟 建设工程 有限公司", "杭州合晟建设工程有限公司"),
        ("杭州\u3000合晟建设工程有限公司", "杭州合晟建设工程有限公司"),
        ("杭州·合晟建设工程有限公司。", "杭州合晟建设工程有限公司"),
        ("杭州合晟-建设_工程, 有限公司", "杭州合晟建设工程有限公司"),
        ("A&B科技有限公司", "ab科技有限公司"),
        # traditional → simplified
        ("杭州合晟建設工程有限責任公司", "杭州合晟建设工程有限责任公司"),
        ("臺灣發展實業有限公司", "台湾发展实业有限公司"),
        # Latin case folded
        ("Hangzhou HESHENG Co Ltd", "hangzhouhesheng coltd".replace(" ", "")),
    ],
)
def test_normalise(written, expected):
    assert normalise(written) == expected


def test_empty_and_stray_brackets():
    assert normalise("（）") == ""
    assert normalise("  ") == ""
    assert normalise("合晟()科技") == "合晟科技"
    # unbalanced or nested brackets are dropped, their content kept
    assert normalise("合晟(杭州有限公司") == "合晟杭州有限公司"
    assert normalise("合晟((杭州))有限公司") == "合晟杭州有限公司"


def test_normalise_is_idempotent():
    for written in ("杭州 合晟建設工程（有限責任公司）", "ＩＢＭ（中国）有限公司", "合晟【杭州】科技"):
        once = normalise(written)
        assert normalise(once) == once


def test_without_brackets_keeps_content():
    assert without_brackets("合晟建设工程(杭州)有限公司") == "合晟建设工程杭州有限公司"


def test_to_simplified_uses_opencc():
    assert to_simplified("建設") == "建设"


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [
        ("乾安县启能投资", "乾安縣啓能投資"),
        ("新蔡县钜亿物流", "新蔡縣鉅億物流"),
        ("浚县浙传市政", "濬縣浙傳市政"),
        ("合晟家具", "合晟傢俱"),
        ("杭州合晟建设工程", "杭州合晟建設工程"),
    ],
)
def test_a_name_and_its_traditional_spelling_normalise_the_same(simplified, traditional):
    assert normalise(simplified) == normalise(traditional)


def test_normalise_many_is_normalise_in_batches():
    names = ["杭州 合晟建設工程（有限責任公司）", "", "ＩＢＭ（中国）", "濬縣浙傳", "乾安县", "a\nb"] * 5
    assert normalise_many(names, batch=4) == [normalise(name) for name in names]
