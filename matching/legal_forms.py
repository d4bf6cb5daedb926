"""组织形式 (legal forms) and 分支机构 suffixes, as they end an enterprise name.

Forms that the law treats as one are given one canonical name: 有限公司 ≡ 有限责任公司
(公司法 Art. 7), 集团 ≡ 集团公司 ≡ 集团有限公司, 股份公司 ≡ 股份有限公司. Each form belongs to a
family; forms of different families (a company and a 个体工商户's …店) are different kinds of
subject, which is evidence against a match.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class LegalForm:
    """A canonical legal form and its family."""

    canonical: str
    family: str  # company | partnership | sole_proprietorship | individual | cooperative | institution


_FORMS: dict[str, tuple[str, str]] = {
    # surface: (canonical, family)
    "有限责任公司": ("有限公司", "company"),
    "有限公司": ("有限公司", "company"),
    "股份有限公司": ("股份有限公司", "company"),
    "股份公司": ("股份有限公司", "company"),
    "股份合作公司": ("股份合作公司", "company"),
    "集团有限公司": ("集团", "company"),
    "集团有限责任公司": ("集团", "company"),
    "集团公司": ("集团", "company"),
    "集团": ("集团", "company"),
    "集团股份有限公司": ("集团股份有限公司", "company"),
    "控股集团有限公司": ("集团", "company"),
    "总公司": ("总公司", "company"),
    "公司": ("公司", "company"),
    "合伙企业": ("合伙企业", "partnership"),
    "合伙企业(普通合伙)": ("合伙企业", "partnership"),
    "合伙企业(有限合伙)": ("合伙企业(有限合伙)", "partnership"),
    "(普通合伙)": ("合伙企业", "partnership"),
    "(有限合伙)": ("合伙企业(有限合伙)", "partnership"),
    "(特殊普通合伙)": ("合伙企业(特殊普通合伙)", "partnership"),
    "合伙企业(特殊普通合伙)": ("合伙企业(特殊普通合伙)", "partnership"),
    "个人独资企业": ("个人独资企业", "sole_proprietorship"),
    "农民专业合作社": ("合作社", "cooperative"),
    "专业合作社": ("合作社", "cooperative"),
    "合作社": ("合作社", "cooperative"),
    "事务所": ("事务所", "institution"),
    "研究院": ("研究院", "institution"),
    "研究所": ("研究所", "institution"),
    "设计院": ("设计院", "institution"),
    # 个体工商户 and small-business forms
    "店": ("店", "individual"),
    "商店": ("店", "individual"),
    "便利店": ("便利店", "individual"),
    "专卖店": ("专卖店", "individual"),
    "门市部": ("门市部", "individual"),
    "经营部": ("经营部", "individual"),
    "经销部": ("经销部", "individual"),
    "批发部": ("批发部", "individual"),
    "服务部": ("服务部", "individual"),
    "维修部": ("维修部", "individual"),
    "商行": ("商行", "individual"),
    "商社": ("商社", "individual"),
    "工作室": ("工作室", "individual"),
    "厂": ("厂", "individual"),
    "工厂": ("厂", "individual"),
    "加工厂": ("加工厂", "individual"),
    "超市": ("超市", "individual"),
    "个体工商户": ("个体工商户", "individual"),
}

# Suffixes of a 分支机构, which is not a legal person: its head company answers for it.
BRANCH_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        (
            "分公司",
            "分店",
            "分厂",
            "分部",
            "分行",
            "支行",
            "分理处",
            "办事处",
            "营业部",
            "分所",
            "分社",
            "分院",
            "分中心",
            "代表处",
            "分场",
            "经营处",
        ),
        key=len,
        reverse=True,
    )
)

# The forms that can end the head company's part of a branch name (…有限公司 + 宁波 + 分公司).
# In order of preference: the rightmost 公司 wins over a 厂 or 店 that a qualifier may contain.
HEAD_ENDINGS: tuple[str, ...] = ("公司", "集团", "合伙)", "合伙企业", "企业", "事务所", "厂", "店", "社")


@lru_cache(maxsize=1)
def legal_forms() -> dict[str, LegalForm]:
    """Surface → canonical form, for every written form the parser knows."""
    return {surface: LegalForm(*entry) for surface, entry in _FORMS.items()}


@lru_cache(maxsize=1)
def _lengths_by_last_character() -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for surface in legal_forms():
        lengths.setdefault(surface[-1], set()).add(len(surface))
    return {last: tuple(sorted(found, reverse=True)) for last, found in lengths.items()}


def legal_form_suffix(text: str) -> str | None:
    """The longest legal form `text` ends with, leaving at least one character before it."""
    if not text:
        return None
    lengths = _lengths_by_last_character().get(text[-1])
    if lengths is None:
        return None
    forms = legal_forms()
    for length in lengths:
        if len(text) > length and text[-length:] in forms:
            return text[-length:]
    return None


def branch_suffix(text: str) -> str | None:
    """The 分支机构 suffix `text` ends with (分公司, 办事处 …), or None."""
    if not text.endswith(BRANCH_SUFFIXES):
        return None
    for suffix in BRANCH_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return suffix
    return None


def form_agreement(a: str, b: str) -> float:
    """How far two canonical forms agree: 1.0 same, 0.0 different families."""
    if a == b:
        return 1.0
    forms = legal_forms()
    fa, fb = forms[a].family, forms[b].family
    if fa != fb:
        return 0.0
    if fa != "company":
        return 0.7  # two forms of one family (经营部 ~ 门市部)
    if "公司" in (a, b) or {a, b} == {"集团", "集团股份有限公司"}:
        return 0.8  # a bare 公司 says less than it could; a 集团 of either kind
    return 0.6  # 有限公司 ~ 股份有限公司 ~ 集团 ~ 总公司: companies are renamed on conversion
