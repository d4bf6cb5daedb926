"""Planning the entities (市场主体): firms, 个体工商户 and natural persons.

Their names (行政区划 + 字号 + 行业 + 组织形式, 别名, 曾用名), codes (USCC, 工商注册号,
组织机构代码) and ID numbers (GB 11643) are drawn before the records; once the records are
planned, `finish_entities` says who registers each entity and which firms were renamed (更名)
after their last record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from stdnum.cn import ric

from registry.codes import idnumber, uscc
from registry.demo.plan_base import Planner
from registry.demo.plan_records import EntityPlan, ListEntryPlan, PenaltyPlan
from registry.demo.reference import CITIES, CITY_BY_CODE, GIVEN_NAMES, LEGAL_FORMS, SECTORS, SHOP_GOODS, SURNAMES, City
from registry.demo.text import place_name, registration_number


class EntityPlanner(Planner):
    """Draws the entities: `make_entities` before the records, `finish_entities` after them."""

    def make_entities(self, count: int) -> None:
        people = max(2, count // 20)
        shops = max(3, count // 15)
        firms = count - people - shops
        sectors = list(SECTORS)
        weights = [s.weight for s in SECTORS.values()]
        plans = [self._firm(sectors[i] if i < len(sectors) else self._pick(sectors, weights)) for i in range(firms)]
        plans += [self._shop() for _ in range(shops)]
        plans += [self._person() for _ in range(people)]
        if not any(p.alias for p in plans):
            plans[0].alias = f"{plans[0].trade}{SECTORS[sectors[0]].short}"
        self.rng.shuffle(plans)
        self.entities = plans

    def _pick(self, options: list[str], weights: list[int]) -> str:
        return self.rng.choices(options, weights=weights)[0]

    def _person_name(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)

    def _company_name(self, sector: str, trade: str, city: City) -> tuple[str, str]:
        """(name, industry): 行政区划 + 字号 + 行业 + 组织形式, sometimes with the region in brackets."""
        industry = self.rng.choice(SECTORS[sector].industries)
        form = self._pick(list(LEGAL_FORMS), list(LEGAL_FORMS.values()))
        place = "浙江" if form == "集团有限公司" or self.rng.random() < 0.08 else city.short
        if self.rng.random() < 0.15:
            return f"{trade}{industry}（{place}）{form}", industry
        return f"{place}{trade}{industry}{form}", industry

    def _fresh_company_name(self, sector: str, city: City, trade: str | None = None) -> tuple[str, str, str]:
        for _ in range(50):
            trade = trade or self.trade()
            name, industry = self._company_name(sector, trade, city)
            if name not in self.names:
                self.names.add(name)
                return name, trade, industry
            trade = None
        raise RuntimeError("ran out of distinct demo company names")  # 3,000 trade names: never in practice

    def _firm(self, sector: str) -> EntityPlan:
        city = self.city()
        district = self.rng.choice(city.districts)
        name, trade, industry = self._fresh_company_name(sector, city)
        code = self.unique_uscc("91" + district)
        founded = self.today - dt.timedelta(days=self.rng.randint(2 * 365, 20 * 365))
        data: dict[str, Any] = {"kind": "legal_entity", "name": name, "uscc": code, "name_since": founded}
        roll = self.rng.random()
        if roll < 0.75:
            data["legal_representative"] = self._person_name()
        if roll < 0.35:
            data["legal_rep_id_type"] = "resident_id"
            data["legal_rep_id_number"] = self._id_number(district)
        if code[8:10] != "MA" and self.rng.random() < 0.3:
            data["organization_code"] = f"{code[8:16]}-{code[16]}"  # the pre-2015 组织机构代码 inside the USCC
        plan = EntityPlan(data, sector=sector, trade=trade, industry=industry)
        roll = self.rng.random()
        if roll < 0.10:
            plan.alias = trade + SECTORS[sector].short
        elif roll < 0.14:
            former, _, _ = self._fresh_company_name(sector, city, trade)
            since = founded - dt.timedelta(days=self.rng.randint(2 * 365, 8 * 365))
            plan.former = (former, since, founded)
        return plan

    def _shop(self) -> EntityPlan:
        """个体工商户: 杭州市西湖区张记五金店; some registered before codes and so on the placeholder."""
        city = self.city()
        district = self.rng.choice(city.districts)
        surname = self.rng.choice(SURNAMES)
        place = place_name(district)
        while True:
            style = self.rng.random()
            if style < 0.5:
                name = f"{place}{surname}记{self.rng.choice(SHOP_GOODS)}店"
            elif style < 0.8:
                name = f"{place}{self.trade()}{self.rng.choice(SHOP_GOODS)}经营部"
            else:
                name = f"{place}{self.trade()}大药房"
            if name not in self.names:
                self.names.add(name)
                break
        data: dict[str, Any] = {
            "kind": "individual_business",
            "name": name,
            "region_code": district,
            "legal_representative": surname + self.rng.choice(GIVEN_NAMES),
        }
        if self.rng.random() < 0.4:
            data["uscc"] = uscc.INDIVIDUAL_BUSINESS_PLACEHOLDER
            data["business_registration_no"] = registration_number(
                district + "600" + "".join(self.rng.choice("0123456789") for _ in range(5))
            )
        else:
            data["uscc"] = self.unique_uscc(
                "92" + district, "MA" + "".join(self.rng.choice(uscc.ALPHABET) for _ in range(6))
            )
        return EntityPlan(data)

    def _person(self) -> EntityPlan:
        district = self.rng.choice(self.city().districts)
        return EntityPlan(
            {
                "kind": "natural_person",
                "name": self._person_name(),
                "region_code": district,
                "id_type": "resident_id",
                "id_number": self._id_number(district),
            }
        )

    def _id_number(self, district: str) -> str:
        """A valid 18-digit 居民身份证号码 (GB 11643) of someone born in 1960-2004.

        GB 11643 (and stdnum) want the region code to have existed in the birth year; several
        districts are younger than that (萧山区 2001, 柯桥区 2013), so after enough tries the
        number falls back to the city's oldest district.
        """
        city = CITY_BY_CODE[district[:4] + "00"]
        for attempt in range(200):
            place = district if attempt < 100 else city.districts[0]
            born = dt.date(1960, 1, 1) + dt.timedelta(days=self.rng.randint(0, 45 * 365))
            first17 = f"{place}{born:%Y%m%d}{self.rng.randint(1, 999):03d}"
            number = first17 + ric.calc_check_digit(first17 + "0")
            if number in self.id_numbers:
                continue
            try:
                idnumber.validate("resident_id", number)
            except idnumber.IdNumberError:
                continue  # the district did not exist yet in that year
            self.id_numbers.add(number)
            return number
        raise RuntimeError(f"could not make a resident ID number for region {district}")

    # after the records: who registers each entity, and which are renamed

    def finish_entities(self, list_entries: list[ListEntryPlan], penalties: list[PenaltyPlan]) -> None:
        latest: dict[int, dt.date] = {}
        records: list[ListEntryPlan | PenaltyPlan] = [*list_entries, *penalties]
        for record in records:  # in the order seed_demo writes them
            if record.entity not in latest:
                self.entities[record.entity].registrar = record.authority  # whoever first records it
            days = [record.data.get("listed_on") or record.data["decided_on"]]
            if isinstance(record, ListEntryPlan) and record.transition:
                days.append(record.transition[1])
            if isinstance(record, PenaltyPlan) and record.revocation:
                days.append(record.revocation[0])
            latest[record.entity] = max([*days, latest.get(record.entity, dt.date.min)])
        # 更名: a few firms were renamed after their last record, which keeps the name it was decided under.
        starts: dict[int, tuple[dt.date, str]] = {}
        for i, plan in enumerate(self.entities):
            if plan.kind == "legal_entity" and plan.sector is not None:
                start = max(latest.get(i, dt.date.min), plan.data["name_since"] + dt.timedelta(days=365))
                if start < self.today:
                    starts[i] = (start, plan.sector)
        renamed = [i for i in starts if self.rng.random() < 0.08] or list(starts)[:1]
        for i in renamed:
            plan, (start, sector) = self.entities[i], starts[i]
            city = next((c for c in CITIES if plan.data["uscc"][2:6] == c.code[:4]), CITIES[0])
            if plan.trade and plan.industry and self.rng.random() < 0.4 and "集团" not in plan.name:
                new_name = f"浙江{plan.trade}{plan.industry}集团有限公司"
                if new_name in self.names:
                    new_name = self._fresh_company_name(sector, city)[0]
                self.names.add(new_name)
            else:
                new_name = self._fresh_company_name(sector, city)[0]
            plan.rename = (new_name, self.between(start + dt.timedelta(days=1), self.today))
