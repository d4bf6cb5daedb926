"""How one character of a 字号 may be mistaken for another: the same reading, or a look-alike.

Bidders type names with a pinyin input method, so a slip is most often another character with
the same reading (合胜 for 合晟: hé shèng); a name copied from a scan or written by hand may carry
a look-alike form instead (已 for 己, 宇 for 字). `slip` says whether two 字号 differ by exactly
one such character, and `slip_keys` gives the keys the index files a 字号 under so that such a
slip is found without scanning names.

Readings are pypinyin's table of the readings of each character, tones ignored (晟: chéng,
shèng → cheng, sheng; the first `MAX_READINGS`, which are mostly the common ones), and a
simplified character may also be read as the traditional ones it stands for (干 as 乾 qián:
names are compared in simplified characters). The table is read from pypinyin's data file:
importing pypinyin would also load its phrase table, about 50 MB this matcher does not need.
Look-alike forms (形近字) are a curated list of the groups that occur in company names.
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from matching.normalise import to_simplified
from matching.types import Explanation, explain

MAX_READINGS = 2  # readings kept per character: the rarer ones link too much (行 has five)
MAX_SLIP_LENGTH = 6  # 字号 longer than this get no slip keys (a 字号 has two to four characters)
_TONE_MARKS = frozenset("\u0300\u0301\u0304\u030c")  # grave, acute, macron, caron (ü's ¨ stays)

# 形近字: characters people mistake for one another in print or handwriting, in groups.
LOOK_ALIKE_GROUPS: tuple[str, ...] = (
    "己已巳",
    "戊戌戍戎",
    "末未",
    "士土",
    "日曰",
    "人入",
    "大太犬",
    "王玉主",
    "千干于",
    "天夭",
    "刀力",
    "木术本",
    "白自",
    "田由甲申",
    "免兔",
    "鸟乌",
    "折析拆",
    "拔拨",
    "候侯",
    "晴睛",
    "清情请",
    "辨辩辫瓣",
    "赢嬴羸",
    "汩汨",
    "苟荀",
    "冶治",
    "哀衰衷",
    "崇祟",
    "昊吴",
    "秦泰奏",
    "宇字",
    "往住",
    "徽微",
    "鸣呜",
    "颖颍",
    "亨享亭",
    "锦绵",
    "竞竟",
    "壮状",
    "贝见",
    "几凡",
    "元无",
    "今令",
    "仑仓",
    "延廷",
    "货贷",
    "傅博",
    "晶品",
    "祥样",
    "汤扬场",
    "帅师",
    "沁泌",
    "泊柏",
    "恒桓",
    "贤坚",
    "券卷",
    "杨扬",
)

SlipKind = Literal["homophone", "look_alike"]


def _toneless(syllable: str) -> str:
    """shèng → sheng; lǜ → lü (the tone goes, the ü stays)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))


def _pinyin_table() -> dict[str, str]:
    """pypinyin's code point → readings ("chéng,shèng,jīng"), from its data file."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is not None and spec.origin is not None:
        path = Path(spec.origin).parent / "pinyin_dict.json"
        if path.is_file():
            table: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
            return table
    # another layout of the package: import the table (and pay for the phrase table too)
    from pypinyin.pinyin_dict import pinyin_dict

    return {str(point): readings for point, readings in pinyin_dict.items()}


@lru_cache(maxsize=1)
def toned_readings() -> dict[str, tuple[str, ...]]:
    """Character → its readings with tones (合 → hé, gě), loaded on first use and kept."""
    return {chr(int(point)): tuple(readings.split(",")[:MAX_READINGS]) for point, readings in _pinyin_table().items()}


@lru_cache(maxsize=1)
def _classes() -> dict[str, tuple[str, ...]]:
    """Character → the classes it may be mistaken within: its readings without tones, and
    "~" + the first character of its look-alike group."""
    table = toned_readings()
    letters = {ch for readings in table.values() for r in readings for ch in r}
    plain = str.maketrans({ch: _toneless(ch) for ch in letters if _toneless(ch) != ch})
    classes: dict[str, list[str]] = {}
    for ch, readings in table.items():
        classes[ch] = list(dict.fromkeys(r.translate(plain) for r in readings))
    # Names are compared in simplified characters, and a traditional character may become one
    # of another reading (乾 qián → 干 gān): the simplified one may also be read as its sources.
    sources = list(table)
    for source, simplified in zip(sources, to_simplified("\n".join(sources)).split("\n"), strict=True):
        if simplified != source and len(simplified) == 1 and simplified in classes:
            found = classes[simplified]
            found += [c for c in classes[source] if c not in found]
    for group in LOOK_ALIKE_GROUPS:
        for ch in group:
            classes.setdefault(ch, []).append("~" + group[0])
    return {ch: tuple(found) for ch, found in classes.items()}


def load() -> None:
    """Load the readings table now (a quarter of a second), not on the first search."""
    _wrapped_classes()


def readings_of(ch: str) -> tuple[str, ...]:
    """The readings of a character without tones (晟 → cheng, sheng); () if unknown."""
    return tuple(c for c in _classes().get(ch, ()) if not c.startswith("~"))


@dataclass(frozen=True, slots=True)
class Slip:
    """Two 字号 of one length that differ in one character, which may be mistaken for the other."""

    position: int
    written: str  # the character in the first 字号 (the subject's)
    listed: str  # the character in the second (the listed name's)
    kind: SlipKind
    syllable: str  # the reading both share, without tones ("" for a look-alike)
    listed_trade: str  # the second 字号

    @property
    def reading(self) -> str:
        """The listed 字号 read aloud with the shared reading ("hé shèng"); "" for a look-alike."""
        if self.kind != "homophone":
            return ""
        return _read_aloud(self.listed_trade, self.position, self.syllable)

    @property
    def explanation(self) -> Explanation:
        if self.kind == "homophone":
            return explain("same reading {reading}", reading=self.reading)
        return explain("{written} and {listed} look alike", written=self.written, listed=self.listed)


def _read_aloud(trade: str, position: int, syllable: str) -> str:
    """The 字号 in pinyin with tones, the character at `position` read as `syllable`."""
    table = toned_readings()
    spoken = []
    for i, ch in enumerate(trade):
        options = table.get(ch, (ch,))
        if i == position:
            spoken.append(next((r for r in options if _toneless(r) == syllable), syllable))
        else:
            spoken.append(options[0])
    return " ".join(spoken)


def confusable(a: str, b: str) -> tuple[SlipKind, str] | None:
    """("homophone", shared reading) or ("look_alike", "") when character `a` may be mistaken
    for `b`; None otherwise (and for the same character)."""
    if a == b:
        return None
    classes = _classes()
    a_classes, b_classes = classes.get(a, ()), classes.get(b, ())
    for c in a_classes:
        if c in b_classes:
            return ("look_alike", "") if c.startswith("~") else ("homophone", c)
    return None


def slip(written: str, listed: str) -> Slip | None:
    """The slip when two 字号 of the same length (two characters or more) differ in exactly one
    character, a homophone or a look-alike of the other; None otherwise."""
    if len(written) != len(listed) or len(written) < 2 or written == listed:
        return None
    position = -1
    for i, (a, b) in enumerate(zip(written, listed, strict=True)):
        if a != b:
            if position >= 0:
                return None
            position = i
    found = confusable(written[position], listed[position])
    if found is None:
        return None
    kind, syllable = found
    return Slip(position, written[position], listed[position], kind, syllable, listed)


def slip_keys(trade: str) -> list[str]:
    """The keys a 字号 is filed under so that a slip finds it: for each character, the 字号 with
    that character replaced by each class it belongs to (合晟 → 合·cheng, 合·sheng, he·晟,
    ge·晟). Two 字号 that share a key differ at most in that character, which the other
    may be mistaken for."""
    if not 2 <= len(trade) <= MAX_SLIP_LENGTH:
        return []
    wrapped = _wrapped_classes()
    keys = []
    for i, ch in enumerate(trade):
        found = wrapped.get(ch)
        if found:
            before, after = trade[:i], trade[i + 1 :]
            for c in found:
                keys.append(before + c + after)
    return keys


@lru_cache(maxsize=1)
def _wrapped_classes() -> dict[str, tuple[str, ...]]:
    """`_classes` with each class between NULs, as `slip_keys` puts it in place of a character
    (built once: a build makes keys for every name)."""
    return {ch: tuple(f"\x00{c}\x00" for c in found) for ch, found in _classes().items()}
