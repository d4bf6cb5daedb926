"""Aliases (别名, NameRecord kind "alias"): names a listed entity is known by that are no
registered name, such as 鸿展实业 for 上海鸿展实业有限公司 or 合晟建工 for 杭州合晟建设工程有限公司.

An alias says less than a registered name: often neither a region nor a legal form. Matched as
written, a bare alias would decide more strongly than any registered name could (the subject
鸿展实业 equal to the alias 鸿展实业 would be `exact`, where against 鸿展实业有限公司 it is a bare
字号 and industry, `possible` at most). So an alias is read as its *fuller name* (`fuller_name`):
the alias with the region and the legal form of the entity's current name where it states none
(合晟建工 of 杭州合晟建设工程有限公司 → 杭州合晟建工有限公司), and scored as that name would be.
An alias never decides more strongly than its fuller name, and a hit on it has the relation
`alias`, not `former_name`; its explanation says how the alias was read (`alias_feature`).
"""

from __future__ import annotations

from matching.parse import ParsedName, parse_name
from matching.types import Feature, explain


def fuller_name(alias: ParsedName, current: ParsedName | None) -> ParsedName:
    """The alias with the current name's region before it when it states none, and the current
    name's legal form after it when it has none (a branch's: its head company's); the alias as
    it is when it states both, names a branch, or there is no current name to complete it from."""
    if current is None or alias.branch is not None or alias.is_empty:
        return alias
    head = current.branch.head if current.branch is not None else current
    prefix = "" if alias.regions else "".join(m.text for m in head.regions)
    suffix = "" if alias.legal_form else head.legal_form_text
    if not prefix and not suffix:
        return alias
    return parse_name(prefix + alias.text + suffix)


def alias_feature(alias_text: str, fuller: ParsedName) -> Feature:
    """The explanation of an alias hit: which fuller name was compared."""
    read_as = (
        explain("read as the fuller name {name} (region and legal form of the current name)", name=f"「{fuller.text}」")
        if fuller.text != alias_text
        else explain("compared as it is")
    )
    return Feature(
        "alias",
        1.0,
        0.0,
        explain(
            "{alias} is an alias (别名), not a registered name: {read_as}; an alias decides no more strongly than "
            "that name would",
            alias=f"「{alias_text}」",
            read_as=read_as,
        ),
    )
