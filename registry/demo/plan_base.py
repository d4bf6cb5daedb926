"""The demo planner's state and the draws every kind of record shares (规划器的公共部分).

`Planner` holds the seeded PRNG, the day the demo is counted back from, the list catalogue and
what has been handed out so far (codes, names, 文号 series, offenders, the entities). It draws
what entities, penalties and list entries all need: USCCs, cities and trade names, subjects,
文号, days and projects. plan_entities, plan_penalties and plan_list_entries extend it with what
each kind of record needs; plan.plan_demo calls them in a fixed order, and that order (every
draw from the one PRNG) is what makes the same seed give the same registry.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from registry.catalogue import Catalogue
from registry.codes import uscc
from registry.demo.plan_records import EntityPlan
from registry.demo.reference import AUTHORITIES, CITIES, CITY_BY_CODE, AuthoritySpec, City, trade_names
from registry.demo.text import organisation_code, place_name


@dataclass(frozen=True)
class Project:
    """A project a record is about (项目), named and numbered the way its domain does it."""

    name: str
    code: str

    @property
    def label(self) -> str:
        return f"“{self.name}”" if self.code in self.name else f"“{self.name}”（项目编号：{self.code}）"


@dataclass
class Planner:
    """The planner's state: the PRNG, the day counted back from, and what is already handed out."""

    rng: random.Random
    today: dt.date
    catalogue: Catalogue
    usccs: set[str] = field(default_factory=set)
    id_numbers: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    numbers: dict[tuple[str, int], int] = field(default_factory=dict)
    offenders: set[int] = field(default_factory=set)
    entities: list[EntityPlan] = field(default_factory=list)

    # authorities

    def authority_codes(self) -> dict[str, str]:
        codes = {}
        for spec in AUTHORITIES:
            body = "00" + "".join(self.rng.choice("0123456789") for _ in range(6))
            codes[spec.key] = self.unique_uscc("11" + spec.region_code, body)
        return codes

    def unique_uscc(self, head: str, body: str | None = None) -> str:
        """A fresh valid code: head (registration authority, category, region) + organisation code + check."""
        while True:
            code = uscc.complete(head + organisation_code(body or self._org_body()))
            if code not in self.usccs:
                self.usccs.add(code)
                return code
            body = None

    def _org_body(self) -> str:
        """Eight characters of a GB 11714 organisation code: digits (older) or MA… (since 2015)."""
        if self.rng.random() < 0.5:
            return "".join(self.rng.choice("0123456789") for _ in range(8))
        return "MA" + "".join(self.rng.choice(uscc.ALPHABET) for _ in range(6))

    # cities and trade names (entities and projects both draw them)

    def city(self) -> City:
        return self.rng.choices(CITIES, weights=[c.weight for c in CITIES])[0]

    def trade(self) -> str:
        return self.rng.choice(trade_names())

    # subjects

    def pool(self, spec: AuthoritySpec, kinds: tuple[str, ...]) -> list[int]:
        pool = [
            i
            for i, e in enumerate(self.entities)
            if e.kind in kinds and (e.kind != "legal_entity" or spec.sectors is None or e.sector in spec.sectors)
        ]
        return pool or [i for i, e in enumerate(self.entities) if e.kind in kinds]

    def offender(self, pool: list[int]) -> int:
        """Pick a subject; repeat offenders are likelier, as under 联合惩戒 one firm is on several lists."""
        again = sorted(self.offenders.intersection(pool))
        chosen = self.rng.choice(again) if again and self.rng.random() < 0.3 else self.rng.choice(pool)
        self.offenders.add(chosen)
        return chosen

    def commendable(self, pool: list[int]) -> int:
        clean = [i for i in pool if i not in self.offenders]
        return self.rng.choice(clean or pool)

    # shared record details

    def number(self, prefix: str, year: int) -> str:
        """The next 文号 of a series: 浙财采罚〔2025〕17号."""
        n = self.numbers.get((prefix, year)) or self.rng.randint(1, 30)
        self.numbers[(prefix, year)] = n + 1
        return f"{prefix}〔{year}〕{n}号"

    def between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def project(self, domain: str, spec: AuthoritySpec, year: int) -> Project:
        """A project named the way its domain numbers projects (采购项目编号, 地块编号, 投资项目代码 …)."""
        city = CITY_BY_CODE.get(spec.region_code[:4] + "00") or self.city()
        district = self.rng.choice(city.districts)
        place = place_name(district)
        n = self.rng.randint(1, 999)
        if domain == "procurement":
            name = self.rng.choice(
                (
                    f"{place}{year}年度办公设备采购项目",
                    f"{place}智慧校园信息化建设项目",
                    f"{place}机关物业管理服务采购项目",
                    f"{place}医疗设备采购项目",
                    f"{place}道路保洁服务采购项目",
                )
            )
            return Project(name, f"{city.pinyin}CG-{year}-{n:04d}")
        if domain in ("construction_bidding", "housing"):
            if domain == "housing":
                name = self.rng.choice((f"{place}保障性租赁住房项目", f"{place}公共租赁住房（{n % 9 + 1}期）"))
            else:
                name = self.rng.choice(
                    (
                        f"{place}道路综合整治工程",
                        f"{place}安置房（二期）工程施工",
                        f"{place}第{n % 20 + 1}中学新建工程",
                        f"{place}污水管网提升改造工程",
                        f"{place}综合交通枢纽工程",
                    )
                )
            industry = "47" if domain == "housing" else "48"  # GB/T 4754: 房屋建筑业, 土木工程建筑业
            return Project(name, f"{year}-{district}-{industry}-01-{self.rng.randint(1, 999_999):06d}")
        if domain == "land":
            code = f"{city.abbr}政储出〔{year}〕{n % 80 + 1}号"
            return Project(f"{code}地块", code)
        if domain == "mining":
            return Project(f"{place}建筑用石料（凝灰岩）矿采矿权出让", f"{city.abbr}矿出〔{year}〕{n % 20 + 1}号")
        if domain == "drug_procurement":
            what = self.rng.choice(("药品", "医用耗材", "骨科医用耗材", "药品（第二轮）"))
            return Project(f"浙江省{what}集中带量采购", f"ZJYC-{year}-{n % 60 + 1:03d}")
        if domain == "state_assets":
            owner = self.rng.choice(("城建", "交通", "水务", "文旅"))
            share = self.rng.choice((10, 15, 20, 30, 51))
            return Project(
                f"{city.short}市{owner}集团所持{self.trade()}公司{share}%股权转让项目", f"ZJCQ-{year}-{n:04d}"
            )
        return Project(f"浙江省排污权交易（{year}年第{n % 12 + 1}期）", f"ZJPW-{year}-{n % 300 + 1:03d}")
