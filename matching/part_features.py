"""The features of two parsed names, part by part: 字号 (read the way that agrees best), 行业,
行政区划 and 组织形式, each with its agreement, its weight (or evidence against) and a detail for a
person. `comparison` adds them up.
"""

from __future__ import annotations

from matching.characters import Slip
from matching.distinctions import level_note
from matching.industries import industry_agreement
from matching.legal_forms import form_agreement, legal_forms
from matching.parse import ParsedName, RegionMention, most_specific
from matching.readings import Reading, reading_pairs, readings
from matching.regions import region_agreement
from matching.thresholds import (
    AGAINST_FORM,
    AGAINST_INDUSTRY,
    AGAINST_REGION,
    INDUSTRY_CONFLICT_BELOW,
    NEUTRAL_FORM,
    NEUTRAL_INDUSTRY,
    NEUTRAL_REGION,
    W_FORM,
    W_INDUSTRY,
    W_REGION,
    W_TRADE,
)
from matching.trade_similarity import trade_agreement
from matching.types import Feature


def show(text: str) -> str:
    return f"「{text}」" if text else "(none)"


def trade_feature(q: ParsedName, listed: ParsedName) -> tuple[Feature, Reading, Reading, Slip | None]:
    """The trade-name feature, read the way that agrees best (see `reading_pairs`), the
    readings used, and the slip it rests on, if it does."""
    pairs = reading_pairs(readings(q), readings(listed))
    q_best, l_best = pairs[0]
    ratio, agreement, found, ending = trade_agreement(q_best.trade_name, l_best.trade_name)
    for q_reading, l_reading in pairs[1:]:
        if agreement >= 1.0:
            break
        alt = trade_agreement(q_reading.trade_name, l_reading.trade_name)
        if alt[1] > agreement:
            (ratio, agreement, found, ending), q_best, l_best = alt, q_reading, l_reading
    how = [h for h in (q_best.how, l_best.how) if h]
    q_trade, l_trade = q_best.trade_name, l_best.trade_name
    if ending:
        how.append(f"the ending {show(q_trade[-ending:])} of both read as an industry")
        q_trade, l_trade = q_trade[:-ending], l_trade[:-ending]
    notes = "; ".join(how)
    q_shown, l_shown = show(q_trade), show(l_trade)
    if found is not None:
        detail = (
            f"字号 {q_shown} ≈ {l_shown} ({found.explanation}): one character differs, "
            f"{found.written} for {found.listed}, as a misspelling would; counts as "
            f"{agreement:.2f}, at most possible without a code"
        )
    else:
        detail = f"字号 {q_shown} vs {l_shown}: similarity {ratio:.2f}, counts as {agreement:.2f}"
    detail += f" ({notes})" if notes else ""
    return Feature("trade_name", agreement, W_TRADE, detail), q_best, l_best, found


def industry_feature(q: ParsedName, listed: ParsedName) -> Feature:
    qi, li = q.industry_text, listed.industry_text
    if not qi and not li:
        return Feature("industry", 1.0, W_INDUSTRY, "行业: neither name states one")
    if not qi or not li:
        return Feature(
            "industry",
            NEUTRAL_INDUSTRY,
            W_INDUSTRY,
            f"行业 {show(qi)} vs {show(li)}: stated on one side only",
        )
    agreement = industry_agreement(q.industry, listed.industry)
    if agreement < INDUSTRY_CONFLICT_BELOW:
        return Feature(
            "industry",
            0.0,
            AGAINST_INDUSTRY,
            f"行业 {show(qi)} vs {show(li)}: different trades (evidence against)",
        )
    return Feature("industry", agreement, W_INDUSTRY, f"行业 {show(qi)} vs {show(li)}: agreement {agreement:.2f}")


def region_feature(
    q_regions: tuple[RegionMention, ...],
    l_regions: tuple[RegionMention, ...],
    listed: ParsedName,
    same_name: bool = False,
) -> Feature:
    qt = "".join(m.text for m in q_regions)
    lt = "".join(m.text for m in l_regions)
    if any(m.inherited for m in l_regions):
        lt += "(from the entity's current name)"
    if not q_regions and not l_regions:
        return Feature("region", 1.0, W_REGION, "行政区划: neither name states one")
    if not q_regions or not l_regions:
        shown = f"行政区划 {show(qt)} vs {show(lt)}: stated on one side only"
        if same_name:
            why = " (neutral)"
        elif not q_regions:
            why = (
                f": region not given: cannot tell {show(listed.text)} from a same-name company "
                "elsewhere (at most possible)"
            )
        else:
            why = (
                f": the listed name gives no region: cannot tell whether it is the subject's "
                f"{show(qt)} company or a same-name company elsewhere (at most possible)"
            )
        return Feature("region", NEUTRAL_REGION, W_REGION, shown + why)
    agreement = region_agreement(most_specific(q_regions), most_specific(l_regions))
    if agreement == 0.0:
        return Feature(
            "region",
            0.0,
            AGAINST_REGION,
            f"行政区划 {show(qt)} vs {show(lt)}: different places (evidence against)",
        )
    if agreement == 1.0:
        return Feature("region", agreement, W_REGION, f"行政区划 {show(qt)} vs {show(lt)}: the same place")
    return Feature(
        "region",
        agreement,
        W_REGION,
        f"行政区划 {show(qt)} vs {show(lt)}: " + level_note(most_specific(q_regions), most_specific(l_regions), qt, lt),
    )


def form_feature(q: ParsedName, listed: ParsedName, bare: str = "") -> Feature:
    """`bare`: a name (its 字号 and industry) that states neither a legal form nor, like the
    other, a region, when that caps the hit."""
    qf, lf = q.legal_form, listed.legal_form
    shown = f"组织形式 {show(q.legal_form_text)} vs {show(listed.legal_form_text)}"
    unsure = (
        f"; {show(bare)} states neither a legal form nor a region: it could be any company "
        "of that 字号 and trade (at most possible)"
        if bare
        else ""
    )
    if not qf and not lf:
        return Feature("legal_form", 1.0, W_FORM, "组织形式: neither name states one" + unsure)
    if not qf or not lf:
        return Feature("legal_form", NEUTRAL_FORM, W_FORM, f"{shown}: stated on one side only{unsure}")
    agreement = form_agreement(qf, lf)
    if agreement == 0.0:
        forms = legal_forms()
        return Feature(
            "legal_form",
            0.0,
            AGAINST_FORM,
            f"{shown}: a {forms[qf].family} against a {forms[lf].family} (evidence against)",
        )
    how = "equivalent" if agreement == 1.0 else f"agreement {agreement:.2f}"
    return Feature("legal_form", agreement, W_FORM, f"{shown}: {how}")
