"""Notes bidders add to a name that are no part of any registered name: set aside before parsing.

A bid form asks for the bidder's name, and bidders write what they are as well:
杭州合晟建设工程有限公司（联合体成员）, …（牵头人）, …（盖章）, …（联合体：A公司、B公司）, or
联合体牵头人：杭州合晟建设工程有限公司. None of these is part of the name the company is
registered under, and leaving them in makes the name unrecognisable (the note would be read as
part of the 字号). `set_aside` takes them out of a subject's name and says what it took, so the
match explanation can say so.

What is set aside, and nothing else:

- a bracketed group (any bracket kind, any width, nested brackets inside it included) whose
  content is a role or a seal note (`ROLE_NOTES`: 联合体成员, 牵头人, 成员, 主体, 投标人, 供应商,
  盖章, 公章 …, optionally followed by 单位 or 方), or begins with 联合体 (a consortium note, with
  or without the other members' names);
- a leading "role：" label (联合体牵头人：…, 投标人：…), only with a colon after it.

Brackets that hold a region (合晟建设工程（杭州）有限公司), a legal form (（有限合伙）), 集团 or
股份, or a branch qualifier stay as they are: they belong to registered names. Only a subject's
name is read this way; listed names are registered names and are parsed as they are.
"""

from __future__ import annotations

import re
import unicodedata

from matching.normalise import normalise, unify_brackets
from matching.types import Explanation, explain

# Roles in a bid and notes about a seal, as written inside brackets after (or before) the name.
ROLE_NOTES: frozenset[str] = frozenset(
    {
        "联合体",
        "联合体成员",
        "联合体牵头人",
        "联合体牵头方",
        "联合体主办方",
        "联合体协办方",
        "联合体主体",
        "联合体成员方",
        "联合体一方",
        "牵头人",
        "牵头方",
        "牵头",
        "主办方",
        "协办方",
        "成员",
        "成员方",
        "主体",
        "投标人",
        "投标方",
        "投标单位",
        "供应商",
        "申请人",
        "响应人",
        "报价人",
        "竞买人",
        "中标人",
        "中标候选人",
        "承包人",
        "分包人",
        "磋商供应商",
        "盖章",
        "公章",
        "签章",
        "印章",
        "单位盖章",
        "单位公章",
        "加盖公章",
        "盖公章",
        "签字盖章",
        "电子签章",
        "电子章",
        "法人章",
    }
)
_TRAILING = ("单位", "方")  # 成员单位, 牵头单位: the same role
_LEADING_LABEL = re.compile(r"^\s*(?P<label>[^:：()（）]{2,8})\s*[:：]\s*(?P<rest>\S.*)$")


def _is_note(content: str) -> bool:
    """Whether a bracket's content (as written) is a role, a seal note or a consortium note."""
    text = normalise(content).replace("(", "").replace(")", "")
    if not text:
        return False
    if text.startswith("联合体"):
        return True
    if text in ROLE_NOTES:
        return True
    return any(text.endswith(t) and text[: -len(t)] in ROLE_NOTES for t in _TRAILING)


def _outer_groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost bracketed group, nested brackets inside it included;
    unbalanced brackets make no group."""
    groups: list[tuple[int, int]] = []
    depth, start = 0, -1
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")" and depth > 0:
            depth -= 1
            if depth == 0:
                groups.append((start, i + 1))
    return groups


def set_aside(raw: str) -> tuple[str, tuple[str, ...]]:
    """(the name without the notes that are no part of a registered name, the notes set aside
    as written). A name without such notes comes back unchanged, with no notes."""
    text = unify_brackets(unicodedata.normalize("NFKC", raw))
    notes: list[str] = []
    if "(" in text:
        kept: list[str] = []
        last = 0
        for start, end in _outer_groups(text):
            if _is_note(text[start + 1 : end - 1]):
                kept.append(text[last:start])
                notes.append(text[start:end])
                last = end
        if notes:
            text = "".join(kept) + text[last:]
    label = _LEADING_LABEL.match(text)
    if label is not None and _is_note(label["label"]):
        notes.insert(0, label["label"] + "：")
        text = label["rest"]
    if not notes:
        return raw, ()
    return text.strip(), tuple(notes)


def set_aside_detail(notes: tuple[str, ...]) -> Explanation:
    """The explanation of what `set_aside` took out of a subject's name."""
    return explain(
        "set aside {notes}: a role, seal or consortium note, not part of a registered name; the name was compared "
        "without it",
        notes="、".join(f"「{n}」" for n in notes),
    )
