"""The labelled queries made from a generated registry: `QueryMaker.make` writes one query of a
family (`benchmarks.query_families`) as a bidder would, and labels it with the entity it must
find, or none."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from stdnum.iso7064 import mod_11_10

from benchmarks import distinction_families, names
from benchmarks.dataset_types import FoundAt, LabelledQuery, ListedEntity, NameParts
from benchmarks.name_rules import mistakable, overlap, same_line_nearby, scopes, sector_of
from benchmarks.names import Region
from benchmarks.query_families import REVIEW_FAMILIES
from benchmarks.synthetic_registry import SyntheticRegistry, registration_number, weighted
from matching.types import Query, Relation
from registry.codes import uscc

_SPACES = (" ", "  ", "\u3000")
_LOWER_FORMS = {
    "有限公司": "有限责任公司",
    "有限责任公司": "有限公司",
    "集团有限公司": "集团有限责任公司",
    "集团有限责任公司": "集团有限公司",
}
# What bidders put where a name is required and they have none to give.
PLACEHOLDERS = ("无", "暂无", "不详", "N/A", "n/a", "/", "-", "——", "（）", "…", "null")


def extra_word(a: str, b: str) -> bool:
    """Whether one industry is the other with words added before or after it (建设 and 建设工程;
    not 建材 and 建筑材料)."""
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return len(long) > len(short) and short in long


@dataclass
class QueryMaker:
    state: SyntheticRegistry
    rng: random.Random
    s2t: Callable[[str], str]

    def __post_init__(self) -> None:
        entities = self.state.entities
        self.companies = [e for e in entities if e.kind == "legal_entity"]
        self.bracketed = [e for e in self.companies if e.parts.bracketed]
        self.city_level = [
            e for e in self.companies if e.parts.region in (e.region.city_short, e.region.city, e.region.province_short)
        ]
        self.renamed = [e for e in entities if e.former]
        self.latin = [e for e in entities if e.parts.trade.isascii()]
        self.limited = [e for e in self.companies if e.parts.form in _LOWER_FORMS]
        self.characters = "".join(sorted({ch for t in self.state.trades[:5000] for ch in t}))
        self.chinese = [e for e in self.companies if not e.parts.trade.isascii()]
        self.synonymous = [e for e in self.companies if e.parts.industry in names.INDUSTRY_SYNONYMS]
        self.shared_line = [e for e in self.companies if self.others_in_line(e)]
        # characters of 字号 by their common reading, for misspelling one as a bidder would
        self.by_reading: dict[str, list[str]] = defaultdict(list)
        for ch in self.characters:
            found = names.readings(ch)
            if found:
                self.by_reading[found[0]].append(ch)
        self.negative_keys: set[tuple[str, str, str, str]] = set()
        self.by_id = {e.entity_id: e for e in entities}
        self.by_province: dict[str, list[Region]] = defaultdict(list)
        for region in self.state.regions:
            self.by_province[region.province_code].append(region)

    def pick(self, pool: Sequence[ListedEntity]) -> ListedEntity:
        return self.rng.choice(pool or self.state.entities)

    def positive(
        self,
        family: str,
        entity: ListedEntity,
        name: str | None,
        code: str | None = None,
        relation: Relation = "self",
        parts: NameParts | None = None,
    ) -> LabelledQuery:
        found_at: FoundAt = "possible" if family in REVIEW_FAMILIES else "strong"
        return LabelledQuery(
            Query(name=name, code=code),
            family,
            entity.entity_id,
            relation,
            parts=parts,
            region=entity.region.code if parts else None,
            found_at=found_at,
        )

    def others_in_line(self, e: ListedEntity) -> list[int]:
        """Other listed entities with `e`'s 字号 in its line of business (elsewhere, by
        construction)."""
        sector = sector_of(e.parts.industry)
        return [
            eid for _, s, eid in self.state.trade_entries.get(e.parts.trade, ()) if s == sector and eid != e.entity_id
        ]

    def slipped(self, trade: str) -> str | None:
        """`trade` with one character replaced as a bidder might: mostly by another with the same
        reading (合胜 for 合晟), sometimes by a look-alike form (已 for 己)."""
        rng = self.rng
        alike = [i for i, ch in enumerate(trade) if ch in names.look_alikes()]
        if alike and rng.random() < 0.3:
            i = rng.choice(alike)
            return trade[:i] + rng.choice(names.look_alikes()[trade[i]]) + trade[i + 1 :]
        i = rng.randrange(len(trade))
        sounds = names.readings(trade[i])
        if not sounds:
            return None
        # the bidder types the reading they know (the common one) and picks a wrong character
        options = [ch for ch in self.by_reading.get(sounds[0], ()) if ch != trade[i]]
        return trade[:i] + rng.choice(options) + trade[i + 1 :] if options else None

    def unmistakably_other(self, trade: str) -> str | None:
        """`trade` with one character replaced by one that neither sounds nor looks like it."""
        i = self.rng.randrange(len(trade))
        for _ in range(20):
            ch = self.rng.choice(self.characters)
            if ch != trade[i] and not mistakable(trade[i], ch):
                return trade[:i] + ch + trade[i + 1 :]
        return None

    def loosely(self, parts: NameParts) -> NameParts:
        """Sometimes the legal form written the other way (有限公司 ↔ 有限责任公司)."""
        form = _LOWER_FORMS.get(parts.form)
        return replace(parts, form=form) if form and self.rng.random() < 0.2 else parts

    def written(self, parts: NameParts) -> str:
        """The name as a bidder types it: mostly as is, sometimes with spaces between the parts
        or in traditional characters."""
        roll = self.rng.random()
        if roll < 0.2:
            return self.spaced(parts) if parts.region else " ".join(parts.pieces()[1:])
        if roll < 0.35:
            return self.s2t(parts.text)
        return parts.text

    def free_name(self, parts: NameParts, e: ListedEntity) -> bool:
        """Whether a name made from `e`'s can still mean `e` only: it is no listed name, and no
        other listed entity with its 字号 works in its line of business where `e` is."""
        return parts.key not in self.state.keys and not same_line_nearby(
            self.state.trade_entries.get(parts.trade, ()), e.scopes, sector_of(parts.industry), besides=e.entity_id
        )

    def spaced(self, parts: NameParts) -> str:
        pieces = parts.pieces()
        gaps = self.rng.sample(range(1, len(pieces)), k=self.rng.choice((1, 2)))
        return "".join((self.rng.choice(_SPACES) if i in gaps else "") + p for i, p in enumerate(pieces))

    def misspelt(self, text: str, trade: str) -> str:
        """One slip in the 字号: a wrong character, one left out, or two swapped."""
        start = text.index(trade)
        i = start + self.rng.randrange(len(trade))
        roll = self.rng.random()
        if roll < 0.25 and len(trade) >= 3:
            return text[:i] + text[i + 1 :]
        if roll < 0.5 and trade[0] != trade[1]:
            return text[:start] + trade[1] + trade[0] + text[start + 2 :]
        others = self.characters.replace(text[i], "")
        return text[:i] + self.rng.choice(others) + text[i + 1 :]

    def malformed_code(self, code: str) -> str:
        roll = self.rng.randrange(6)
        if roll == 0:
            return code[:-1]  # 17 characters
        if roll == 1:  # wrong check character
            wrong = uscc.ALPHABET[(uscc.ALPHABET.index(code[-1]) + 1) % len(uscc.ALPHABET)]
            return code[:-1] + wrong
        if roll == 2:
            return code[:10] + "O" + code[11:]  # O is not in the GB 32100 alphabet
        if roll == 3:  # its 组织机构代码 with a wrong check character
            check = code[16]
            return code[8:16] + ("0" if check == "X" else "X" if check == "9" else str(int(check) + 1))
        if roll == 4:  # a 注册号 with a wrong check digit
            body = code[2:8] + "".join(self.rng.choice("0123456789") for _ in range(8))
            return body + str((int(mod_11_10.calc_check_digit(body)) + 1) % 10)
        return "12345"

    def make(self, family: str) -> LabelledQuery | None:
        rng = self.rng
        if family == "exact":
            e = self.pick(self.state.entities)
            return self.positive(family, e, e.name)
        if family == "bracket_width":
            e = self.pick(self.bracketed)
            if not e.parts.bracketed:
                return None
            roll = rng.random()
            if roll < 0.6:
                return self.positive(family, e, e.name.replace("（", "(").replace("）", ")"))
            if roll < 0.8:
                return self.positive(family, e, e.name.replace("（", "【").replace("）", "】"))
            return self.positive(family, e, e.name.replace("）", ")"))
        if family == "latin_width_case":
            e = self.pick(self.latin)
            if not e.parts.trade.isascii():
                return None
            roll = rng.random()
            trade = e.parts.trade.lower() if roll < 0.4 else e.parts.trade
            if roll >= 0.3:  # full-width forms: ＡＢＫ (U+FF21…)
                trade = "".join(chr(ord(ch) + 0xFEE0) for ch in trade)
            return self.positive(family, e, e.name.replace(e.parts.trade, trade))
        if family == "spaces":
            e = self.pick(self.state.entities)
            return self.positive(family, e, self.spaced(e.parts))
        if family == "traditional":
            e = self.pick(self.state.entities)
            text = self.s2t(e.name)
            return self.positive(family, e, text) if text != e.name else None
        if family == "legal_form":
            e = self.pick(self.limited)
            form = _LOWER_FORMS.get(e.parts.form)
            return self.positive(family, e, replace(e.parts, form=form).text) if form else None
        if family == "region_dropped":
            e = self.pick(self.companies)
            sector = sector_of(e.parts.industry)
            if any(s == sector and eid != e.entity_id for _, s, eid in self.state.trade_entries[e.parts.trade]):
                return None  # without its region, the name could mean another listed entity as well
            return self.positive(family, e, f"{e.parts.trade}{e.parts.industry}{e.parts.form}")
        if family == "region_moved":
            e = self.pick(self.city_level)  # （杭州）, （杭州市）, （浙江）: a county in brackets is rare
            moved = replace(e.parts, bracketed=not e.parts.bracketed).text
            if rng.random() < 0.3:
                moved = moved.replace("（", "(").replace("）", ")")
            return self.positive(family, e, moved)
        if family == "branch":
            e = self.pick(self.companies)
            city = rng.choice(self.state.regions).city_short
            suffix = rng.choice(("分公司", "分公司", "分公司", "办事处"))
            return self.positive(family, e, f"{e.name}{city}{suffix}", relation="branch_of")
        if family == "former_name":
            e = self.pick(self.renamed)
            if not e.former:
                return None
            return self.positive(family, e, e.former_names[0], relation="former_name")
        if family == "code_only":
            e = self.pick(self.state.entities)
            code = e.code
            if rng.random() < 0.3:
                code = f"{code[:6]} {code[6:12]} {code[12:]}".lower()  # pasted with spaces, in lower case
            return self.positive(family, e, None, code)
        if family == "code_misspelt_name":
            e = self.pick(self.state.entities)
            return self.positive(family, e, self.misspelt(e.name, e.parts.trade), e.code)
        if family == "combined":
            e = self.pick(self.limited)
            parts = replace(e.parts, form=_LOWER_FORMS.get(e.parts.form, e.parts.form))
            text = self.spaced(parts) if rng.random() < 0.6 else parts.text
            text = self.s2t(text).replace("（", "(").replace("）", ")")
            return self.positive(family, e, text)
        if family == "neg_same_trade_other_city":
            e = self.pick(self.companies)
            region = self.free_region(e.parts.trade, near=e.region if rng.random() < 0.6 else None)
            if region is None:
                return None
            parts = NameParts(region.city_short, e.parts.trade, e.parts.industry, e.parts.form)
            return self.negative(family, parts, region)
        if family == "neg_same_trade_region_other_industry":
            e = self.pick(self.companies)
            industry = weighted(rng, self.state.industries, self.state.industry_cum)
            if same_line_nearby(self.state.trade_entries.get(e.parts.trade, ()), e.scopes, sector_of(industry)):
                return None  # 软件 for 信息技术 might be one company written loosely; 建设工程 is not
            return self.negative(family, replace(e.parts, industry=industry), e.region)
        if family == "neg_same_region_industry":
            e = self.pick(self.companies)
            trade = rng.choice(self.state.trades)
            if overlap(self.state.trade_scopes.get(trade, ()), e.scopes):
                return None
            return self.negative(family, replace(e.parts, trade=trade), e.region)
        if family == "neg_random":
            trade = rng.choice(self.state.trades)
            region = self.free_region(trade)
            if region is None:
                return None
            industry = weighted(rng, self.state.industries, self.state.industry_cum)
            form = weighted(rng, self.state.forms, self.state.form_cum)
            return self.negative(family, NameParts(region.city_short, trade, industry, form), region)
        if family == "industry_synonym":
            e = self.pick(self.synonymous)
            synonyms = names.INDUSTRY_SYNONYMS.get(e.parts.industry)
            if not synonyms:
                return None
            parts = self.loosely(replace(e.parts, industry=rng.choice(synonyms)))
            if extra_word(parts.industry, e.parts.industry):
                family = "industry_synonym_extra_word"
            return self.positive(family, e, self.written(parts), parts=parts) if self.free_name(parts, e) else None
        if family == "homophone_trade":
            e = self.pick(self.chinese)
            trade = self.slipped(e.parts.trade) if not e.parts.trade.isascii() else None
            if trade is None:
                return None
            parts = self.loosely(replace(e.parts, trade=trade))
            if rng.random() < 0.15:  # and no region either
                parts = replace(parts, region="", bracketed=False)
            return self.positive(family, e, self.written(parts), parts=parts) if self.free_name(parts, e) else None
        if family == "region_dropped_shared":
            e = self.pick(self.shared_line)
            if not self.others_in_line(e):
                return None  # then it is plain region_dropped
            parts = self.loosely(replace(e.parts, region="", bracketed=False))
            return self.positive(family, e, self.written(parts), parts=parts)
        if family == "organisation_code":
            e = self.pick(self.state.entities)
            code = e.code[8:17]
            roll = rng.random()
            if roll < 0.3:
                code = f"{code[:8]}-{code[8]}"  # as printed on the old certificates
            if roll > 0.8:
                code = code.lower()
            return self.positive(family, e, None, code)
        if family == "registration_number_with_name":
            e = self.pick(self.state.entities)
            text = self.spaced(e.parts) if rng.random() < 0.3 else e.name
            return self.positive(family, e, text, registration_number(rng, e.region))
        if family == "neg_one_char_off_trade":
            e = self.pick(self.chinese)
            trade = self.unmistakably_other(e.parts.trade) if not e.parts.trade.isascii() else None
            if trade is None or overlap(self.state.trade_scopes.get(trade, ()), e.scopes):
                return None
            return self.negative(family, replace(e.parts, trade=trade), e.region)
        if family in distinction_families.WEIGHTS:
            return distinction_families.make(self, family)
        if family == "bad_empty":
            return LabelledQuery(Query(name="" if rng.random() < 0.5 else None), family, None)
        if family == "bad_whitespace":
            return LabelledQuery(Query(name=rng.choice(("   ", "\u3000", " \t ")), code=""), family, None)
        if family == "bad_placeholder":
            return LabelledQuery(Query(name=rng.choice(PLACEHOLDERS)), family, None)
        if family == "bad_malformed_code":
            e = self.pick(self.state.entities)
            return LabelledQuery(Query(code=self.malformed_code(e.code)), family, None)
        if family == "bad_malformed_code_with_name":
            e = self.pick(self.state.entities)
            return self.positive(family, e, e.name, self.malformed_code(e.code))
        raise ValueError(f"unknown query family {family!r}")

    def free_region(self, trade: str, near: Region | None = None) -> Region | None:
        """A region where no listed entity with `trade` could be the same company: another city
        (of the province of `near`, when given and possible), never under a province-level name."""
        taken = self.state.trade_scopes.get(trade, set())
        pool: Sequence[Region] = self.state.regions
        if near is not None:
            pool = self.by_province.get(near.province_code, pool)
        for _ in range(20):
            region = self.rng.choice(pool)
            if not overlap(taken, scopes(region, region.city_short)):
                return region
        return None

    def negative(self, family: str, parts: NameParts, region: Region) -> LabelledQuery | None:
        if parts.key in self.state.keys or parts.key in self.negative_keys:
            return None
        self.negative_keys.add(parts.key)
        code = None
        if self.rng.random() < 0.3:  # bidders often give their (different, valid) code too
            code = self.state.code("91", region)
        return LabelledQuery(Query(name=parts.text, code=code), family, None, parts=parts, region=region.code)
