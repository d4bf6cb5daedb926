"""Planning the list entries (名单): which list, authority, state, ground and subject, and the dates.

Every list of every authority that keeps it appears, and every state (in force, expired,
removed, repaired, revoked); the dates are chosen so the entry is in that state on `today`,
and repair (信用修复) only where the list catalogue allows it. Offenders are chosen before the
red lists (守信激励), which prefer entities with a clean record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from registry.demo.plan_base import Planner
from registry.demo.plan_records import ListEntryPlan
from registry.demo.reference import AUTHORITY_BY_KEY, NOT_PUBLIC_REASON
from registry.demo.reference_lists import LISTS, Ground, ListKind
from registry.demo.text import add_months, cn_date

# How often an entry is in each state on `today`, and the reasons recorded with each change of state.
_STATE_WEIGHTS = {"active": 50, "expired": 18, "removed": 14, "repaired": 18, "revoked": 3}
_REVOCATION_REASON = "行政复议决定撤销原列入决定"
_REPAIR_REASON = "信用修复：已纠正失信行为、履行法定义务并作出信用承诺，经审核同意修复"
_REMOVAL_REASONS = {
    "black": ("已履行处罚决定并完成整改，依申请提前移出", "原列入决定经行政复议被撤销，予以移出"),
    "watch": ("整改到位，移出{list_name}", "已补正相关信息并经核实，移出{list_name}"),
    "red": ("激励期内发生失信行为，移出{list_name}", "经复核不再符合激励条件，移出{list_name}"),
}


class ListEntryPlanner(Planner):
    """Draws the list entries; plan_demo calls it after the penalties, so a penalised firm can be listed too."""

    def make_list_entries(self, count: int) -> list[ListEntryPlan]:
        states = list(_STATE_WEIGHTS)
        specs: list[tuple[ListKind, str, str]] = []
        for kind in LISTS:  # every list of every authority that keeps it
            for key in kind.authorities:
                specs.append((kind, key, self._state_for(kind)))
        for state in states:  # every state
            kind = self.rng.choice([k for k in LISTS if self._fits(k, state)])
            specs.append((kind, self.rng.choice(kind.authorities), state))
        while len(specs) < count:
            kind = self.rng.choice(LISTS)
            specs.append((kind, self.rng.choice(kind.authorities), self._state_for(kind)))
        self.rng.shuffle(specs)
        grounds = [self.rng.choice(kind.grounds) for kind, _, _ in specs]
        subjects: dict[int, int] = {}
        # Offenders first, so the red lists can prefer entities with a clean record.
        for red in (False, True):
            for i, (kind, key, _) in enumerate(specs):
                if (kind.list_type == "red") != red:
                    continue
                pool = self.pool(AUTHORITY_BY_KEY[key], ("natural_person",) if grounds[i].people else kind.subjects)
                subjects[i] = self.commendable(pool) if red else self.offender(pool)
        return [
            self._list_entry(kind, key, state, grounds[i], subjects[i]) for i, (kind, key, state) in enumerate(specs)
        ]

    def _state_for(self, kind: ListKind) -> str:
        states = [s for s in _STATE_WEIGHTS if self._fits(kind, s)]
        return self.rng.choices(states, weights=[_STATE_WEIGHTS[s] for s in states])[0]

    def _list_entry(self, kind: ListKind, key: str, state: str, ground: Ground, entity: int) -> ListEntryPlan:
        spec = AUTHORITY_BY_KEY[key]
        listed_on, expires_on, changed_on = self._list_dates(kind, state)
        project = self.project(kind.domains[0], spec, listed_on.year) if "{project}" in ground.facts else None
        facts = ground.facts.format(project=project.label if project else "")
        if kind.list_type != "red":
            facts = f"{cn_date(listed_on - dt.timedelta(days=self.rng.randint(30, 240)))}，{facts}"
        data: dict[str, Any] = {
            "list_type": kind.list_type,
            "list_name": kind.list_name,
            "domains": list(kind.domains),
            "decision_number": self.number(spec.list_prefix, listed_on.year),
            "reason_category": ground.category,
            "facts": facts + "。",
            "legal_basis": ground.basis,
            "project_code": project.code if project else None,
            "listed_on": listed_on,
            "expires_on": expires_on,
        }
        if kind.list_type != "red" and self.rng.random() < 0.04:
            data.update(is_public=False, not_public_reason=NOT_PUBLIC_REASON)
        subject = self.entities[entity].data
        if kind.list_type == "black" and subject.get("legal_rep_id_number"):
            # 失信相关人 (发改法规〔2018〕457号): the decision names the company's legal representative.
            data["responsible_persons"] = [
                {
                    "role": "legal_representative",
                    "name": subject["legal_representative"],
                    "id_type": subject["legal_rep_id_type"],
                    "id_number": subject["legal_rep_id_number"],
                }
            ]
        plan = ListEntryPlan(key, entity, data, state)
        if state == "removed" and changed_on is not None:
            reason = self.rng.choice(_REMOVAL_REASONS[kind.list_type]).format(list_name=kind.list_name)
            plan.transition = ("removed", changed_on, reason)
        elif state == "repaired" and changed_on is not None:
            plan.transition = ("repaired", changed_on, _REPAIR_REASON)
        elif state == "revoked" and changed_on is not None:
            plan.transition = ("revoked", changed_on, _REVOCATION_REASON)
        return plan

    def _list_dates(self, kind: ListKind, state: str) -> tuple[dt.date, dt.date | None, dt.date | None]:
        """(listed_on, expires_on, the day of removal or repair) that put the entry in `state` today."""
        today = self.today
        months: int | None = None
        if kind.months is not None:
            low, high = kind.months
            months = self.rng.choice(range(low, high + 1, 6))
            if state == "repaired" and months <= self._repair_after(kind):
                months = high
        if state == "expired" and months is not None:
            listed_on = add_months(today, -months) - dt.timedelta(days=self.rng.randint(0, 720))
        else:
            earliest = (add_months(today, -months) if months else today - dt.timedelta(days=3 * 365)) + dt.timedelta(
                days=1
            )
            latest = add_months(today, -self._repair_after(kind)) if state == "repaired" else today
            listed_on = self.between(earliest, latest)
        expires_on = None
        if months is not None:
            # expires_on is the last day in force: a 12-month ban listed 2026-03-01 ends 2027-02-28.
            expires_on = add_months(listed_on, months) - dt.timedelta(days=1)
            # Month ends can land the last day of an entry meant to be current before today
            # (listed 2023-08-30 for 6 months ends 2024-02-28): list it a day later.
            while state != "expired" and expires_on < today:
                listed_on += dt.timedelta(days=1)
                expires_on = add_months(listed_on, months) - dt.timedelta(days=1)
        changed_on = None
        if state in ("removed", "revoked"):
            changed_on = self.between(listed_on, today)
        elif state == "repaired":
            changed_on = self.between(min(add_months(listed_on, self._repair_after(kind)), today), today)
        return listed_on, expires_on, changed_on

    def _repair_after(self, kind: ListKind) -> int:
        months = self.catalogue.list_repair_after_months(kind.list_name)
        if months is None:
            raise ValueError(f"{kind.list_name} cannot be repaired")
        return months

    def _fits(self, kind: ListKind, state: str) -> bool:
        """Whether an entry of `kind` can be in `state`: no expiry, no expired; repaired only where
        the list catalogue allows repair (never red lists) within the listing period."""
        if state == "expired":
            return kind.months is not None
        if state == "repaired":
            months = self.catalogue.list_repair_after_months(kind.list_name)
            return kind.list_type != "red" and months is not None and (kind.months is None or kind.months[1] > months)
        return True
