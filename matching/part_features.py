"""The features of two parsed names, part by part: 字号 (read the way that agrees best), 行业,
行政区划 and 组织形式, each with its agreement, its weight (or evidence against) and a detail for a
person. `comparison` adds them up.
"""

from __future__ import annotations

from matching.characters import Slip
from matching.distinctions import level_note, show
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
from matching.types import Explanation, Feature, explain, joined


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
    how = [h for h in (q_best.how, l_best.how) if h is not None]
    q_trade, l_trade = q_best.trade_name, l_best.trade_name
    if ending:
        how.append(explain("the ending {ending} of both read as an industry", ending=show(q_trade[-ending:])))
        q_trade, l_trade = q_trade[:-ending], l_trade[:-ending]
    q_shown, l_shown = show(q_trade), show(l_trade)
    if found is not None:
        detail = explain(
            "字号 {written} ≈ {listed} ({slip}): one character differs, {written_character} for "
            "{listed_character}, as a misspelling would; counts as {agreement:.2f}, at most possible without a code",
            written=q_shown,
            listed=l_shown,
            slip=found.explanation,
            written_character=found.written,
            listed_character=found.listed,
            agreement=agreement,
        )
    else:
        detail = explain(
            "字号 {written} vs {listed}: similarity {ratio:.2f}, counts as {agreement:.2f}",
            written=q_shown,
            listed=l_shown,
            ratio=ratio,
            agreement=agreement,
        )
    notes = joined(how)
    if notes is not None:
        detail = explain("{detail} ({notes})", detail=detail, notes=notes)
    return Feature("trade_name", agreement, W_TRADE, detail), q_best, l_best, found


def industry_feature(q: ParsedName, listed: ParsedName) -> Feature:
    qi, li = q.industry_text, listed.industry_text
    if not qi and not li:
        return Feature("industry", 1.0, W_INDUSTRY, explain("行业: neither name states one"))
    written, stated = show(qi), show(li)
    if not qi or not li:
        return Feature(
            "industry",
            NEUTRAL_INDUSTRY,
            W_INDUSTRY,
            explain("行业 {written} vs {listed}: stated on one side only", written=written, listed=stated),
        )
    agreement = industry_agreement(q.industry, listed.industry)
    if agreement < INDUSTRY_CONFLICT_BELOW:
        return Feature(
            "industry",
            0.0,
            AGAINST_INDUSTRY,
            explain("行业 {written} vs {listed}: different trades (evidence against)", written=written, listed=stated),
        )
    return Feature(
        "industry",
        agreement,
        W_INDUSTRY,
        explain(
            "行业 {written} vs {listed}: agreement {agreement:.2f}", written=written, listed=stated, agreement=agreement
        ),
    )


def region_feature(
    q_regions: tuple[RegionMention, ...],
    l_regions: tuple[RegionMention, ...],
    listed: ParsedName,
    same_name: bool = False,
) -> Feature:
    qt = "".join(m.text for m in q_regions)
    lt = "".join(m.text for m in l_regions)
    written: str | Explanation = show(qt)
    stated: str | Explanation = show(lt)
    if any(m.inherited for m in l_regions):
        stated = explain("{region} (from the entity's current name)", region=stated)
    if not q_regions and not l_regions:
        return Feature("region", 1.0, W_REGION, explain("行政区划: neither name states one"))
    if not q_regions or not l_regions:
        if same_name:
            detail = explain(
                "行政区划 {written} vs {listed}: stated on one side only (neutral)", written=written, listed=stated
            )
        elif not q_regions:
            detail = explain(
                "行政区划 {written} vs {listed}: stated on one side only: region not given: cannot tell {name} "
                "from a same-name company elsewhere (at most possible)",
                written=written,
                listed=stated,
                name=show(listed.text),
            )
        else:
            detail = explain(
                "行政区划 {written} vs {listed}: stated on one side only: the listed name gives no region: cannot "
                "tell whether it is the subject's {region} company or a same-name company elsewhere (at most possible)",
                written=written,
                listed=stated,
                region=written,
            )
        return Feature("region", NEUTRAL_REGION, W_REGION, detail)
    agreement = region_agreement(most_specific(q_regions), most_specific(l_regions))
    if agreement == 0.0:
        return Feature(
            "region",
            0.0,
            AGAINST_REGION,
            explain(
                "行政区划 {written} vs {listed}: different places (evidence against)", written=written, listed=stated
            ),
        )
    if agreement == 1.0:
        return Feature(
            "region",
            agreement,
            W_REGION,
            explain("行政区划 {written} vs {listed}: the same place", written=written, listed=stated),
        )
    note = level_note(most_specific(q_regions), most_specific(l_regions), qt, lt)
    return Feature(
        "region",
        agreement,
        W_REGION,
        explain("行政区划 {written} vs {listed}: {note}", written=written, listed=stated, note=note),
    )


# What kind of organisation a legal form makes (`legal_forms.LegalForm.family`), for a person.
FAMILIES: dict[str, Explanation] = {
    "company": explain("a company"),
    "partnership": explain("a partnership"),
    "sole_proprietorship": explain("a sole proprietorship"),
    "individual": explain("an individual business"),
    "cooperative": explain("a cooperative"),
    "institution": explain("an institution"),
}


def form_feature(q: ParsedName, listed: ParsedName, bare: str = "") -> Feature:
    """`bare`: a name (its 字号 and industry) that states neither a legal form nor, like the
    other, a region, when that caps the hit."""
    qf, lf = q.legal_form, listed.legal_form
    written, stated = show(q.legal_form_text), show(listed.legal_form_text)
    unsure = (
        explain(
            "{name} states neither a legal form nor a region: it could be any company of that 字号 and trade "
            "(at most possible)",
            name=show(bare),
        )
        if bare
        else None
    )
    detail: Explanation
    if not qf or not lf:
        if not qf and not lf:
            detail, agreement = explain("组织形式: neither name states one"), 1.0
        else:
            detail = explain("组织形式 {written} vs {listed}: stated on one side only", written=written, listed=stated)
            agreement = NEUTRAL_FORM
        if unsure is not None:
            detail = explain("{first}; {then}", first=detail, then=unsure)
        return Feature("legal_form", agreement, W_FORM, detail)
    agreement = form_agreement(qf, lf)
    if agreement == 0.0:
        forms = legal_forms()
        return Feature(
            "legal_form",
            0.0,
            AGAINST_FORM,
            explain(
                "组织形式 {written} vs {listed}: {family} against {other} (evidence against)",
                written=written,
                listed=stated,
                family=FAMILIES.get(forms[qf].family, forms[qf].family),
                other=FAMILIES.get(forms[lf].family, forms[lf].family),
            ),
        )
    if agreement == 1.0:
        detail = explain("组织形式 {written} vs {listed}: equivalent", written=written, listed=stated)
    else:
        detail = explain(
            "组织形式 {written} vs {listed}: agreement {agreement:.2f}",
            written=written,
            listed=stated,
            agreement=agreement,
        )
    return Feature("legal_form", agreement, W_FORM, detail)
