"""Planning the penalties (行政处罚): which case, severity and subject, and the decision's details.

The outcome tables say which 处罚类别 go together at each severity, the fine ranges, and how
long a decision stays published (公示期). A few decisions are planned to be corrected (更正),
revoked (撤销) or withheld (不予公开), so the demo shows every path.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from registry.codes import uscc
from registry.demo.plan_base import Planner
from registry.demo.plan_records import EntityPlan, PenaltyPlan
from registry.demo.reference import AUTHORITY_BY_KEY, NOT_PUBLIC_REASON
from registry.demo.reference_cases import CASES, Case
from registry.demo.text import add_months, cn_date, fine_text, parse_cn_date, wan

# 处罚类别 combinations by severity; amounts, licences and periods are filled in per record.
_FIRM_OUTCOMES = {
    "minor": (("警告",), ("通报批评",), ("罚款",), ("警告", "罚款")),
    "general": (("罚款",), ("警告", "罚款"), ("罚款", "没收违法所得"), ("没收非法财物", "罚款")),
    "serious": (
        ("罚款", "吊销许可证件"),
        ("罚款", "责令停产停业"),
        ("罚款", "没收违法所得"),
        ("罚款", "限制开展生产经营活动"),
        ("罚款", "没收违法所得", "降低资质等级"),
    ),
}
_PERSON_OUTCOMES = {
    "minor": (("警告",), ("罚款",)),
    "general": (("罚款",), ("警告", "罚款")),
    "serious": (("罚款", "RESTRICTION"), ("警告", "罚款", "RESTRICTION")),  # see Case.restriction
}
# Fine ranges in yuan and the step they are rounded to.
_FINES = {
    ("legal_entity", "minor"): (500, 3_000, 100),
    ("legal_entity", "general"): (5_000, 500_000, 1_000),
    ("legal_entity", "serious"): (500_000, 5_000_000, 10_000),
    ("individual_business", "minor"): (500, 3_000, 100),
    ("individual_business", "general"): (5_000, 100_000, 1_000),
    ("individual_business", "serious"): (100_000, 500_000, 1_000),
    ("natural_person", "minor"): (200, 1_000, 100),
    ("natural_person", "general"): (1_000, 30_000, 1_000),
    ("natural_person", "serious"): (30_000, 100_000, 1_000),
}
# 公示期 by severity (国办发〔2025〕22号): publication stops by itself at the maximum.
_PUBLICATION_MONTHS = {"minor": 3, "general": 12, "serious": 36}
_SEIZED_GOODS = {
    "drug_procurement": "不合格医疗器械一批",
    "construction_bidding": "不合格钢筋一批",
    "mining": "违法开采的矿产品一批",
}
_SEVERITY_WEIGHTS = {"minor": 25, "general": 45, "serious": 30}
_REVOCATION_REASONS = (
    "经行政复议，原处罚决定被撤销",
    "经行政诉讼判决撤销原处罚决定",
    "处罚机关自行纠错，撤销原处罚决定",
)


class PenaltyPlanner(Planner):
    """Draws the penalties, after the entities (their subjects) and before the list entries."""

    def make_penalties(self, count: int) -> list[PenaltyPlan]:
        severities = list(_SEVERITY_WEIGHTS)
        cases = list(CASES) + [self.rng.choice(CASES) for _ in range(count - len(CASES))]
        self.rng.shuffle(cases)
        levels = severities + self.rng.choices(
            severities, weights=list(_SEVERITY_WEIGHTS.values()), k=count - len(severities)
        )
        self.rng.shuffle(levels)
        plans = [self._penalty(case, level) for case, level in zip(cases, levels, strict=True)]
        # At least one of each: corrected (更正), revoked (撤销), not public (保密审查).
        order = list(range(count))
        self.rng.shuffle(order)
        corrected = order[: max(1, count // 12)]
        revocable = [
            i for i in order[len(corrected) :] if plans[i].data["decided_on"] <= self.today - dt.timedelta(days=30)
        ]
        revoked = revocable[: max(1, count // 20)]
        for i in corrected:
            self._plan_correction(plans[i])
        for i in revoked:
            decided = plans[i].data["decided_on"]
            day = self.between(decided + dt.timedelta(days=20), min(decided + dt.timedelta(days=240), self.today))
            plans[i].revocation = (day, self.rng.choice(_REVOCATION_REASONS))
        hidden = [i for i in order if i not in revoked][: max(1, count // 20)]
        for i in hidden:
            plans[i].data.update(is_public=False, not_public_reason=NOT_PUBLIC_REASON)
        return plans

    def _penalty(self, case: Case, severity: str) -> PenaltyPlan:
        key = self.rng.choice(case.authorities)
        spec = AUTHORITY_BY_KEY[key]
        index = self.offender(self.pool(spec, case.subjects))
        subject = self.entities[index]
        decided_on = self.today - dt.timedelta(days=self.rng.randint(0, 3 * 365 + 120))
        project = self.project(case.domain, spec, decided_on.year) if "{project}" in case.facts else None
        offence_on = decided_on - dt.timedelta(days=self.rng.randint(20, 200))
        facts = f"{cn_date(offence_on)}，" + case.facts.format(project=project.label if project else "") + "。"
        data: dict[str, Any] = {
            "decision_number": self.number(spec.penalty_prefix, decided_on.year),
            "violation_type": case.violation_type,
            "facts": facts,
            "basis": case.basis,
            "decided_on": decided_on,
            "publication_ends_on": add_months(decided_on, _PUBLICATION_MONTHS[severity]),
            "severity": severity,
            "domain": case.domain,
            "project_code": project.code if project else None,
            **self._outcome(case, severity, subject, decided_on),
        }
        if self.rng.random() < 0.2:
            data["remarks"] = self.rng.choice(("已缴纳罚款", "已履行完毕", "当事人已申请行政复议，复议期间不停止执行"))
        plan = PenaltyPlan(key, index, data)
        if spec.parent is not None and self.rng.random() < 0.3:
            plan.data_source = spec.parent  # pushed to the platform through the provincial department
        return plan

    def _outcome(self, case: Case, severity: str, subject: EntityPlan, decided_on: dt.date) -> dict[str, Any]:
        """处罚类别 and what goes with them: amounts in 万元, the licence, 处罚内容, 处罚有效期."""
        domain = case.domain
        person = subject.kind == "natural_person"
        options = [
            combo
            for combo in (_PERSON_OUTCOMES if person else _FIRM_OUTCOMES)[severity]
            if ("降低资质等级" not in combo or domain in ("construction_bidding", "housing"))
            and ("没收非法财物" not in combo or domain in _SEIZED_GOODS)
        ]
        restriction, restriction_text = case.restriction
        categories = [restriction if c == "RESTRICTION" else c for c in self.rng.choice(options)]
        parts: list[str] = []
        out: dict[str, Any] = {"categories": categories}
        valid_until: dt.date | None = None
        for category in categories:
            if category == "罚款":
                low, high, step = _FINES[(subject.kind, severity)]
                yuan = self.rng.randint(low // step, high // step) * step
                out["fine_amount"] = wan(yuan)
                parts.append(fine_text(yuan))
            elif category in ("没收违法所得", "没收非法财物"):
                gained = Decimal(self.rng.randint(100_000, 20_000_000)) / 100  # yuan, to the fen
                out["confiscation_amount"] = wan(gained)
                value = f"人民币{gained:,.2f}元"
                parts.append(
                    f"没收违法所得{value}"
                    if category == "没收违法所得"
                    else f"没收非法财物（{_SEIZED_GOODS[domain]}，货值{value}）"
                )
            elif category == "吊销许可证件":
                out["licence_affected"] = self._licence(domain, subject)
                parts.append(f"吊销{out['licence_affected']}")
            elif category in ("责令停产停业", "限制开展生产经营活动"):
                months = self.rng.choice((1, 3, 6))
                valid_until = add_months(decided_on, months)
                parts.append(f"{category}{months}个月")
            elif category == restriction and person:
                years = self.rng.choice((1, 2, 3, 5))
                valid_until = add_months(decided_on, 12 * years)
                parts.append(restriction_text.format(years=years))
            elif category == "降低资质等级":
                parts.append("降低建筑业企业资质等级（施工总承包二级降为三级）")
            else:
                parts.append(category)
        out["content"] = "；".join(parts)
        out["valid_until"] = valid_until
        return out

    def _licence(self, domain: str, subject: EntityPlan) -> str:
        code = subject.data.get("uscc") or ""
        digits = "".join(self.rng.choice("0123456789") for _ in range(10))
        if domain in ("construction_bidding", "housing"):
            return f"安全生产许可证（（浙）JZ安许证字〔{self.rng.randint(2015, 2023)}〕{digits[:6]}）"
        if domain == "drug_procurement":
            return f"药品经营许可证（浙AA571{digits[:4]}）"
        if domain == "mining":
            return f"采矿许可证（C330000{self.rng.randint(2010, 2022)}{digits}）"
        if domain == "emission_rights" and code and code != uscc.INDIVIDUAL_BUSINESS_PLACEHOLDER:
            return f"排污许可证（{code}001P）"
        if code and code != uscc.INDIVIDUAL_BUSINESS_PLACEHOLDER:
            return f"营业执照（统一社会信用代码{code}）"
        return f"营业执照（注册号{subject.data.get('business_registration_no', '')}）"

    def _plan_correction(self, plan: PenaltyPlan) -> None:
        """更正: the record was entered with a mistake, later corrected from the written decision."""
        data = plan.data
        fine = data.get("fine_amount")
        if fine is not None and self.rng.random() < 0.6:
            yuan = int(fine * 10_000)
            changes = {"fine_amount": fine, "content": data["content"]}
            data["fine_amount"] = wan(yuan * 10)  # entered with one zero too many
            data["content"] = data["content"].replace(fine_text(yuan), fine_text(yuan * 10))
            plan.correction = (changes, "罚款金额录入时多输一位，按处罚决定书原件更正")
        elif data.get("project_code") and self.rng.random() < 0.5:
            changes = {"project_code": data["project_code"]}
            data["project_code"] = data["project_code"][::-1]  # entered back to front
            plan.correction = (changes, "项目编号录入错误，按处罚决定书原件更正")
        else:
            first, rest = data["facts"].split("，", 1)
            changes = {"facts": data["facts"]}
            day = parse_cn_date(first) - dt.timedelta(days=self.rng.randint(1, 15))
            data["facts"] = f"{cn_date(day)}，{rest}"
            plan.correction = (changes, "违法事实中的发生日期录入错误，按处罚决定书原件更正")
