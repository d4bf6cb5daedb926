"""Who may call what: every /api/v1 operation against every kind of caller, from one table.

Each row of `CASES` is one operation (method and rule, as in `app.url_map`) on one target, with
the status each caller gets:

- `public`: no key; `admin`; `own`: the supervisor of authority A (财政厅), whose records the
  requests touch; `other`: the supervisor of authority B (住建厅); `screener`; `platform`;
  `entity`: the listed company's own key (信用代证), which gets the public's status on every
  operation (403 where the public gets 401) unless a row says otherwise.
- and two keys that must open nothing: a revoked admin key and an expired admin key (401 on
  every operation, the expired one saying so).

What the table states (README "Using the API"):
- 谁批准、谁公开: a supervisor writes only its own authority's records (`other` gets 403 where
  `own` succeeds); administrators write any; the platform and screeners write none.
- Read scopes: the public and screeners read what is published; a supervisor also its own
  authority's unpublished records (another authority's are 404, never a hint that they exist);
  administrators and the platform read everything. Histories, repair applications and reports
  are for the record's authority, administrators and the platform. Screenings are the screener's
  that made them (another screener: 404), the platform's and administrators'. The feed, exports
  and push status are the platform's and administrators'.

`test_every_api_operation_has_a_row` fails when an operation is added without a row (or a row
outlives its operation): a new endpoint must say who may call it. tests/api/test_access.py keeps
the finer points (error shapes, the X-API-Key header, idempotency).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from stdnum.cn import ric

from api.credit_report_pdf import FONT_CANDIDATES
from registry import access
from registry.database import utcnow
from registry.evidence.anchoring import anchor
from registry.models import Alert, Entity, Licence, ListEntry, Penalty, RepairApplication, Watch
from tests import factories
from tests.conftest import auth
from tests.import_sheets import PENALTY_HEADERS, company, penalty_row, xlsx_bytes

ROLES = ("public", "admin", "own", "other", "screener", "platform", "entity")
DEAD_KEYS = ("revoked", "expired")
REPAIRABLE_LIST = "重大税收违法失信主体名单"  # repairable at once (registry/catalogue/lists.json)


@dataclass
class Req:
    path: str
    json: Any = None
    data: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Stage:
    """The records a request needs, made on first use (each test makes only what its row asks for).

    Every record belongs to authority A (财政厅), so `own` acts on its own authority's record and
    `other` on another's."""

    def __init__(self, client: FlaskClient, session: Session, world: factories.World) -> None:
        self.client, self.session, self.world = client, session, world

    # --- keys -----------------------------------------------------------------------------------

    @cached_property
    def keys(self) -> dict[str, str | None]:
        w = self.world
        revoked = access.create_key(self.session, role="admin", name="revoked ops")
        access.revoke_key(self.session, revoked[0].id)
        now = utcnow()
        expired = access.create_key(
            self.session,
            role="admin",
            name="expired ops",
            expires_at=now - dt.timedelta(hours=1),
            now=now - dt.timedelta(days=30),
        )
        self.session.commit()
        return {
            "public": None,
            "admin": w.admin_key,
            "own": w.finance_key,
            "other": w.housing_key,
            "screener": w.screener_key,
            "platform": w.platform_key,
            "entity": access.create_key(self.session, role="entity", name="合晟", entity_id=self.entity.id)[1],
            "revoked": revoked[1],
            "expired": expired[1],
        }

    def _ok(self, response: Any, status: int = 201) -> dict[str, Any]:
        assert response.status_code == status, response.get_json()
        found: dict[str, Any] = response.get_json()
        return found

    # --- records of authority A -----------------------------------------------------------------

    @cached_property
    def entity(self) -> Entity:
        made = factories.make_entity(self.session, "杭州合晟建设工程有限公司")
        self.session.commit()
        return made

    @cached_property
    def person(self) -> Entity:
        number = "33010619851212001" + ric.calc_check_digit("33010619851212001" + "0")
        made = factories.make_entity(
            self.session, "张伟", kind="natural_person", uscc=None, id_type="resident_id", id_number=number
        )
        self.session.commit()
        return made

    @cached_property
    def alias_id(self) -> int:
        r = self.client.post(
            f"/api/v1/entities/{self.entity.id}/names",
            json={"name": "合晟建设", "kind": "alias"},
            headers=auth(self.world.admin_key, If_Match=self.etag(Entity, self.entity.id)),
        )
        return int(next(n["id"] for n in self._ok(r)["names"] if n["name"] == "合晟建设"))

    def penalty(self, **fields: Any) -> Penalty:
        made = factories.make_penalty(
            self.session, self.world.finance, self.entity, decided_on=dt.date(2026, 5, 1), **fields
        )
        self.session.commit()
        return made

    @cached_property
    def published_penalty(self) -> Penalty:
        return self.penalty()

    @cached_property
    def hidden_penalty(self) -> Penalty:
        return self.penalty(is_public=False, not_public_reason="涉及国家秘密（保密审查）")

    def entry(self, **fields: Any) -> ListEntry:
        made = factories.make_list_entry(
            self.session, self.world.finance, self.entity, list_name=REPAIRABLE_LIST, **fields
        )
        self.session.commit()
        return made

    @cached_property
    def published_entry(self) -> ListEntry:
        return self.entry()

    @cached_property
    def hidden_entry(self) -> ListEntry:
        return self.entry(is_public=False, not_public_reason="涉及国家秘密（保密审查）")

    def repair(self, *, accepted: bool) -> int:
        r = self.client.post(
            "/api/v1/repairs",
            headers=auth(self.world.finance_key),
            json={
                "record_type": "penalty",
                "record_id": self.penalty().id,
                "statement": "已全额缴纳罚款，并完成整改",
                "commitment": "本单位承诺今后依法诚信参与公共资源交易活动",
            },
        )
        made = self._ok(r)["id"]
        if accepted:
            self._ok(
                self.client.post(
                    f"/api/v1/repairs/{made}/accept", headers=auth(self.world.finance_key, If_Match='"v1"')
                ),
                200,
            )
        return int(made)

    @cached_property
    def submitted_repair(self) -> int:
        return self.repair(accepted=False)

    @cached_property
    def accepted_repair(self) -> int:
        return self.repair(accepted=True)

    def screening_by(self, key: str) -> int:
        r = self.client.post(
            "/api/v1/screenings",
            headers=auth(key),
            json={
                "domain": "procurement",
                "project_code": "ZJCG-2026-0042",
                "stage": "资格审查",
                "subjects": [{"name": self.entity.name}],
            },
        )
        return int(self._ok(r)["id"])

    @cached_property
    def screening(self) -> int:
        """The screener's screening of the listed entity (one hit, subject 0)."""
        self.published_entry  # noqa: B018 (listed, so the screening has a hit to dispose of)
        return self.screening_by(self.world.screener_key)

    @cached_property
    def disputed_screening(self) -> int:
        """The screener's screening whose one hit it marked a false positive (a final decision may follow)."""
        self.published_entry  # noqa: B018
        made = self.screening_by(self.world.screener_key)
        self._ok(
            self.client.post(
                f"/api/v1/screenings/{made}/dispositions",
                headers=auth(self.world.screener_key),
                json={
                    "subject_index": 0,
                    "entity_id": self.entity.id,
                    "disposition": "false_positive",
                    "reason": "代码不同",
                },
            )
        )
        return made

    @cached_property
    def licence(self) -> int:
        """A published licence of authority A."""
        return int(
            self._ok(
                self.client.post(f"{V1}/licences", json=_licence_body(self), headers=auth(self.world.finance_key))
            )["id"]
        )

    @cached_property
    def report(self) -> str:
        """A public credit report of the listed company (asked for by nobody in particular)."""
        r = self.client.post(
            f"{V1}/credit-reports",
            json={"entity_id": self.entity.id, "purpose": "bidding", "from": "2024-01-01", "to": "2026-11-23"},
        )
        return str(self._ok(r)["number"])

    @cached_property
    def watch(self) -> int:
        """The screener's screening watched until 2027-01-31 (its one subject)."""
        r = self.client.post(
            f"{V1}/watches",
            headers=auth(self.world.screener_key),
            json={"screening_id": self.screening, "watch_until": "2027-01-31"},
        )
        return int(self._ok(r)[0]["id"])  # type: ignore[index]

    @cached_property
    def alert(self) -> int:
        """An alert on that watch, as the checker writes one."""
        watch = self.session.get_one(Watch, self.watch)
        made = Alert(
            watch_id=watch.id,
            screening_id=watch.screening_id,
            subject_index=0,
            api_key_id=watch.api_key_id,
            decision_then="clear",
            decision_now="block",
            change_seq=1,
            entity_id=self.entity.id,
            details={},
        )
        self.session.add(made)
        self.session.commit()
        return made.id

    @cached_property
    def anchored_size(self) -> int:
        """The screener's screening, anchored: the evidence tree's size."""
        self.screening  # noqa: B018
        made = anchor(self.session, self.client.application.extensions["registry"].signer)
        assert made is not None
        self.session.commit()
        return made.tree_size

    @cached_property
    def foreign_screening(self) -> int:
        """A screening made by another screener key."""
        _, key = access.create_key(self.session, role="screener", name="另一家代理机构")
        self.session.commit()
        return self.screening_by(key)

    @cached_property
    def calendar_2027(self) -> str:
        self._ok(
            self.client.put("/api/v1/calendar/years/2027", json=CALENDAR_2027, headers=auth(self.world.admin_key)), 200
        )
        return "/api/v1/calendar/years/2027"

    def etag(self, model: type[Any], record_id: int) -> str:
        record = self.session.get(model, record_id, populate_existing=True)
        return f'"v{record.version}"'

    @property
    def a(self) -> int:
        return self.world.finance.id


CALENDAR_2027 = {
    "notice": "国务院办公厅关于2027年部分节假日安排的通知",
    "days": [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
        {"date": "2027-02-06", "kind": "workday", "name": "春节调休上班"},
    ],
}


def _multipart(data: bytes, **form: str) -> tuple[bytes, str]:
    boundary = "----access-matrix"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in form.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="双公示.xlsx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _import(s: Stage) -> Req:
    name, code = company(45)
    sheet = xlsx_bytes(PENALTY_HEADERS, [penalty_row(s.world.finance, name, code, "浙财采罚〔2026〕1001号")])
    body, content_type = _multipart(sheet, authority_id=str(s.a))
    return Req("/api/v1/imports", data=body, content_type=content_type)


def _penalty_body(s: Stage) -> dict[str, Any]:
    data = factories.penalty_data(s.entity, authority_id=s.a)
    return {**data, "decided_on": data["decided_on"].isoformat()}


def _entry_body(s: Stage) -> dict[str, Any]:
    data = factories.list_entry_data(s.entity, authority_id=s.a)
    return {**data, "listed_on": data["listed_on"].isoformat(), "expires_on": data["expires_on"].isoformat()}


def _licence_body(s: Stage) -> dict[str, Any]:
    return {
        "entity_id": s.entity.id,
        "authority_id": s.a,
        "decision_document_name": "准予行政许可决定书",
        "decision_number": f"浙许〔2026〕{s.entity.id}号",
        "licence_category": "普通",
        "content": "经营许可",
        "decided_on": "2026-11-02",
        "valid_from": "2026-11-02",
    }


def _changed(s: Stage, path: str, model: type[Any], record_id: int, body: Any = None) -> Req:
    return Req(path, json=body, headers={"If-Match": s.etag(model, record_id)})


@dataclass(frozen=True)
class Case:
    method: str
    rule: str
    target: str  # what the request touches, for the test id
    build: Callable[[Stage], Req]
    expect: dict[str, int]

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule} [{self.target}]"


def expect(public: int, admin: int, own: int, other: int, screener: int, platform: int) -> dict[str, int]:
    return {"public": public, "admin": admin, "own": own, "other": other, "screener": screener, "platform": platform}


def everyone(status: int) -> dict[str, int]:
    return expect(status, status, status, status, status, status)


V1 = "/api/v1"
# Writes of authority A's records: its supervisor and administrators (谁批准、谁公开).
A_WRITES = expect(public=401, admin=200, own=200, other=403, screener=403, platform=403)
A_CREATES = {**A_WRITES, "admin": 201, "own": 201}
# Shared master data (entities): any supervisor, administrators.
MASTER_DATA = expect(public=401, admin=200, own=200, other=200, screener=403, platform=403)
ADMIN_ONLY = expect(public=401, admin=200, own=403, other=403, screener=403, platform=403)
PLATFORM = expect(public=401, admin=200, own=403, other=403, screener=403, platform=200)
# History of a record of authority A: its authority, administrators, the platform.
A_HISTORY = expect(public=401, admin=200, own=200, other=403, screener=403, platform=200)
# Read a record of A kept from the public: its authority, administrators, the platform; others 404.
A_HIDDEN = expect(public=404, admin=200, own=200, other=404, screener=404, platform=200)
# Read one repair application of A.
A_REPAIR_READ = expect(public=401, admin=200, own=200, other=404, screener=403, platform=200)
# Decide on a repair application of A: its supervisor, administrators.
# 谁认定、谁修复 (国办发〔2025〕22号): only the deciding authority decides a credit repair, not an administrator.
A_REPAIR_DECIDE = {**A_WRITES, "admin": 403}

CASES: tuple[Case, ...] = (
    # the OpenAPI document and its docs page are public
    Case("GET", f"{V1}/openapi.json", "document", lambda s: Req(f"{V1}/openapi.json"), everyone(200)),
    Case("GET", f"{V1}/docs", "page", lambda s: Req(f"{V1}/docs"), everyone(200)),
    Case(
        "GET",
        f"{V1}/docs/assets/<path:filename>",
        "stylesheet",
        lambda s: Req(f"{V1}/docs/assets/swagger-ui.css"),
        everyone(200),
    ),
    # authorities (机关): anyone reads, administrators write
    Case("GET", f"{V1}/authorities", "all", lambda s: Req(f"{V1}/authorities"), everyone(200)),
    Case(
        "POST",
        f"{V1}/authorities",
        "new",
        lambda s: Req(
            f"{V1}/authorities",
            json={"name": "浙江省发展和改革委员会", "uscc": factories.code("11330000"), "region_code": "330000"},
        ),
        {**ADMIN_ONLY, "admin": 201},
    ),
    Case("GET", f"{V1}/authorities/<int:authority_id>", "A", lambda s: Req(f"{V1}/authorities/{s.a}"), everyone(200)),
    Case(
        "PATCH",
        f"{V1}/authorities/<int:authority_id>",
        "A",
        lambda s: Req(f"{V1}/authorities/{s.a}", json={"name": "浙江省财政厅（更名）"}, headers={"If-Match": '"v1"'}),
        ADMIN_ONLY,
    ),
    Case(
        "GET",
        f"{V1}/authorities/<int:record_id>/history",
        "A",
        lambda s: Req(f"{V1}/authorities/{s.a}/history"),
        expect(public=401, admin=200, own=200, other=200, screener=403, platform=200),
    ),
    # the working-day calendar: anyone reads, administrators load
    Case("GET", f"{V1}/calendar/years/<int:year>", "2027", lambda s: Req(f"{V1}/calendar/years/2027"), everyone(200)),
    Case(
        "PUT",
        f"{V1}/calendar/years/<int:year>",
        "2027",
        lambda s: Req(f"{V1}/calendar/years/2027", json=CALENDAR_2027),
        ADMIN_ONLY,
    ),
    Case(
        "DELETE",
        f"{V1}/calendar/years/<int:year>",
        "2027 loaded",
        lambda s: Req(s.calendar_2027),
        {**ADMIN_ONLY, "admin": 204},
    ),
    Case(
        "GET",
        f"{V1}/calendar/working-days",
        "deadline",
        lambda s: Req(f"{V1}/calendar/working-days?from=2026-11-23&add=5"),
        everyone(200),
    ),
    # entities (市场主体): shared master data; natural persons are not shown to the public or screeners
    Case("GET", f"{V1}/entities", "search", lambda s: Req(f"{V1}/entities?name=合晟"), everyone(200)),
    Case(
        "POST",
        f"{V1}/entities",
        "new",
        lambda s: Req(
            f"{V1}/entities",
            json={"kind": "legal_entity", "name": "宁波恒泰建设工程有限公司", "uscc": factories.code("91330200")},
        ),
        {**MASTER_DATA, "admin": 201, "own": 201, "other": 201},
    ),
    Case(
        "GET",
        f"{V1}/entities/<int:entity_id>",
        "organisation",
        lambda s: Req(f"{V1}/entities/{s.entity.id}"),
        everyone(200),
    ),
    Case(
        "GET",
        f"{V1}/entities/<int:entity_id>",
        "natural person",
        lambda s: Req(f"{V1}/entities/{s.person.id}"),
        expect(public=404, admin=200, own=200, other=200, screener=404, platform=200),
    ),
    Case(
        "PATCH",
        f"{V1}/entities/<int:entity_id>",
        "organisation",
        lambda s: _changed(s, f"{V1}/entities/{s.entity.id}", Entity, s.entity.id, {"legal_representative": "王五"}),
        MASTER_DATA,
    ),
    Case(
        "POST",
        f"{V1}/entities/<int:entity_id>/names",
        "organisation",
        lambda s: _changed(
            s, f"{V1}/entities/{s.entity.id}/names", Entity, s.entity.id, {"name": "合晟工程", "kind": "former"}
        ),
        {**MASTER_DATA, "admin": 201, "own": 201, "other": 201},
    ),
    Case(
        "DELETE",
        f"{V1}/entities/<int:entity_id>/names/<int:name_id>",
        "alias",
        lambda s: _changed(
            s, f"{V1}/entities/{s.entity.id}/names/{s.alias_id}", Entity, s.entity.id, {"reason": "录入错误"}
        ),
        MASTER_DATA,
    ),
    Case(
        "GET",
        f"{V1}/entities/<int:record_id>/history",
        "organisation",
        lambda s: Req(f"{V1}/entities/{s.entity.id}/history"),
        expect(public=401, admin=200, own=200, other=200, screener=403, platform=200),
    ),
    Case(
        "GET",
        f"{V1}/entities/<int:entity_id>/measures",
        "organisation",
        lambda s: Req(f"{V1}/entities/{s.entity.id}/measures?domain=procurement"),
        expect(public=401, admin=200, own=200, other=200, screener=200, platform=200),
    ),
    Case("GET", f"{V1}/measures", "catalogue", lambda s: Req(f"{V1}/measures"), everyone(200)),
    # list entries (名单) of authority A
    Case("GET", f"{V1}/list-entries", "all", lambda s: Req(f"{V1}/list-entries"), everyone(200)),
    Case("POST", f"{V1}/list-entries", "for A", lambda s: Req(f"{V1}/list-entries", json=_entry_body(s)), A_CREATES),
    Case(
        "GET",
        f"{V1}/list-entries/<int:entry_id>",
        "A published",
        lambda s: Req(f"{V1}/list-entries/{s.published_entry.id}"),
        everyone(200),
    ),
    Case(
        "GET",
        f"{V1}/list-entries/<int:entry_id>",
        "A not public",
        lambda s: Req(f"{V1}/list-entries/{s.hidden_entry.id}"),
        A_HIDDEN,
    ),
    Case(
        "PATCH",
        f"{V1}/list-entries/<int:entry_id>",
        "A",
        lambda s: _changed(
            s,
            f"{V1}/list-entries/{s.published_entry.id}",
            ListEntry,
            s.published_entry.id,
            {"facts": "提供虚假业绩证明材料（更正）", "reason": "笔误"},
        ),
        A_WRITES,
    ),
    *(
        Case(
            "POST",
            f"{V1}/list-entries/<int:entry_id>/{action}",
            "A",
            lambda s, action=action: _changed(
                s,
                f"{V1}/list-entries/{s.published_entry.id}/{action}",
                ListEntry,
                s.published_entry.id,
                {"reason": "依申请处理"},
            ),
            A_REPAIR_DECIDE if action == "repair" else A_WRITES,
        )
        for action in ("remove", "repair", "revoke")
    ),
    Case(
        "GET",
        f"{V1}/list-entries/<int:record_id>/history",
        "A",
        lambda s: Req(f"{V1}/list-entries/{s.published_entry.id}/history"),
        A_HISTORY,
    ),
    # penalties (行政处罚) of authority A
    Case("GET", f"{V1}/penalties", "all", lambda s: Req(f"{V1}/penalties"), everyone(200)),
    Case("POST", f"{V1}/penalties", "for A", lambda s: Req(f"{V1}/penalties", json=_penalty_body(s)), A_CREATES),
    Case(
        "GET",
        f"{V1}/penalties/<int:penalty_id>",
        "A published",
        lambda s: Req(f"{V1}/penalties/{s.published_penalty.id}"),
        everyone(200),
    ),
    Case(
        "GET",
        f"{V1}/penalties/<int:penalty_id>",
        "A not public",
        lambda s: Req(f"{V1}/penalties/{s.hidden_penalty.id}"),
        A_HIDDEN,
    ),
    Case(
        "PATCH",
        f"{V1}/penalties/<int:penalty_id>",
        "A",
        lambda s: _changed(
            s,
            f"{V1}/penalties/{s.published_penalty.id}",
            Penalty,
            s.published_penalty.id,
            {"facts": "提供虚假业绩证明材料（更正）", "reason": "笔误"},
        ),
        A_WRITES,
    ),
    Case(
        "POST",
        f"{V1}/penalties/<int:penalty_id>/revoke",
        "A",
        lambda s: _changed(
            s,
            f"{V1}/penalties/{s.published_penalty.id}/revoke",
            Penalty,
            s.published_penalty.id,
            {"reason": "行政复议决定撤销"},
        ),
        A_WRITES,
    ),
    Case(
        "GET",
        f"{V1}/penalties/<int:record_id>/history",
        "A",
        lambda s: Req(f"{V1}/penalties/{s.published_penalty.id}/history"),
        A_HISTORY,
    ),
    # licences (行政许可) of authority A
    Case("GET", f"{V1}/licences", "all", lambda s: Req(f"{V1}/licences"), everyone(200)),
    Case("POST", f"{V1}/licences", "for A", lambda s: Req(f"{V1}/licences", json=_licence_body(s)), A_CREATES),
    Case(
        "GET",
        f"{V1}/licences/<int:licence_id>",
        "A published",
        lambda s: Req(f"{V1}/licences/{s.licence}"),
        everyone(200),
    ),
    Case(
        "PATCH",
        f"{V1}/licences/<int:licence_id>",
        "A",
        lambda s: _changed(s, f"{V1}/licences/{s.licence}", Licence, s.licence, {"remarks": "补充", "reason": "补录"}),
        A_WRITES,
    ),
    Case(
        "POST",
        f"{V1}/licences/<int:licence_id>/end",
        "A",
        lambda s: _changed(
            s, f"{V1}/licences/{s.licence}/end", Licence, s.licence, {"status": "cancelled", "reason": "申请注销"}
        ),
        A_WRITES,
    ),
    # credit repair (信用修复) of A's records: submitted by the platform or the record's authority
    Case(
        "GET",
        f"{V1}/repairs",
        "all",
        lambda s: Req(f"{V1}/repairs"),
        expect(public=401, admin=200, own=200, other=200, screener=403, platform=200),
    ),
    Case(
        "POST",
        f"{V1}/repairs",
        "A's penalty",
        lambda s: Req(
            f"{V1}/repairs",
            json={
                "record_type": "penalty",
                "record_id": s.published_penalty.id,
                "statement": "已全额缴纳罚款，并完成整改",
                "commitment": "本单位承诺今后依法诚信参与公共资源交易活动",
            },
        ),
        {**A_CREATES, "platform": 201},
    ),
    Case(
        "GET",
        f"{V1}/repairs/<int:application_id>",
        "A",
        lambda s: Req(f"{V1}/repairs/{s.submitted_repair}"),
        A_REPAIR_READ,
    ),
    Case(
        "POST",
        f"{V1}/repairs/<int:application_id>/accept",
        "A submitted",
        lambda s: _changed(s, f"{V1}/repairs/{s.submitted_repair}/accept", RepairApplication, s.submitted_repair),
        A_REPAIR_DECIDE,
    ),
    Case(
        "POST",
        f"{V1}/repairs/<int:application_id>/reject",
        "A submitted",
        lambda s: _changed(
            s,
            f"{V1}/repairs/{s.submitted_repair}/reject",
            RepairApplication,
            s.submitted_repair,
            {"reason": "材料不全"},
        ),
        A_REPAIR_DECIDE,
    ),
    Case(
        "POST",
        f"{V1}/repairs/<int:application_id>/complete",
        "A accepted",
        lambda s: _changed(
            s,
            f"{V1}/repairs/{s.accepted_repair}/complete",
            RepairApplication,
            s.accepted_repair,
            {"reason": "已履行义务并作出信用承诺"},
        ),
        A_REPAIR_DECIDE,
    ),
    Case(
        "GET",
        f"{V1}/repairs/<int:record_id>/history",
        "A",
        lambda s: Req(f"{V1}/repairs/{s.submitted_repair}/history"),
        A_HISTORY,
    ),
    # timeliness reports (公开时效): a supervisor on its own authority only
    *(
        Case(
            "GET",
            f"{V1}/reports/timeliness{tail}",
            scope,
            lambda s, tail=tail, scope=scope: Req(
                f"{V1}/reports/timeliness{tail}?from=2026-01-01&to=2026-11-23"
                + (f"&authority_id={s.a}" if scope == "A" else "")
            ),
            expect(public=401, admin=200, own=200, other=403 if scope == "A" else 200, screener=403, platform=200),
        )
        for tail in ("", "/overdue")
        for scope in ("A", "every authority")
    ),
    # screenings (资格审查): screeners screen; a screening is read by its screener, the platform, admin
    Case(
        "GET",
        f"{V1}/screenings",
        "all",
        lambda s: Req(f"{V1}/screenings"),
        expect(public=401, admin=200, own=403, other=403, screener=200, platform=200),
    ),
    Case(
        "POST",
        f"{V1}/screenings",
        "new",
        lambda s: Req(
            f"{V1}/screenings",
            json={"domain": "procurement", "project_code": "ZJCG-2026-0042", "subjects": [{"name": "甲公司"}]},
        ),
        expect(public=401, admin=201, own=403, other=403, screener=201, platform=403),
    ),
    *(
        Case(
            "GET",
            f"{V1}/screenings/<int:screening_id>{tail}",
            "the screener's",
            lambda s, tail=tail: Req(f"{V1}/screenings/{s.screening}{tail}"),
            expect(public=401, admin=200, own=403, other=403, screener=200, platform=200),
        )
        for tail in ("", "/verify")
    ),
    *(
        Case(
            "GET",
            f"{V1}/screenings/<int:screening_id>{tail}",
            "another screener's",
            lambda s, tail=tail: Req(f"{V1}/screenings/{s.foreign_screening}{tail}"),
            expect(public=401, admin=200, own=403, other=403, screener=404, platform=200),
        )
        for tail in ("", "/verify")
    ),
    Case(
        "POST",
        f"{V1}/screenings/<int:screening_id>/dispositions",
        "the screener's",
        lambda s: Req(
            f"{V1}/screenings/{s.screening}/dispositions",
            json={"subject_index": 0, "entity_id": s.entity.id, "disposition": "confirmed", "reason": "核实为同一主体"},
        ),
        expect(public=401, admin=201, own=403, other=403, screener=201, platform=403),
    ),
    Case(
        "POST",
        f"{V1}/screenings/<int:screening_id>/final-decisions",
        "the screener's",
        lambda s: Req(
            f"{V1}/screenings/{s.disputed_screening}/final-decisions",
            json={"subject_index": 0, "decision": "admitted", "reason": "经核对营业执照，非名单主体"},
        ),
        expect(public=401, admin=201, own=403, other=403, screener=201, platform=403),
    ),
    # 专项信用报告: anyone asks for a company's report, reads a public one and verifies any
    Case(
        "POST",
        f"{V1}/credit-reports",
        "a company's",
        lambda s: Req(
            f"{V1}/credit-reports",
            json={"entity_id": s.entity.id, "purpose": "bidding", "from": "2024-01-01", "to": "2026-11-23"},
        ),
        everyone(201),
    ),
    Case(
        "GET",
        f"{V1}/credit-reports/<string:number>",
        "a public one",
        lambda s: Req(f"{V1}/credit-reports/{s.report}"),
        everyone(200),
    ),
    Case(
        "GET",
        f"{V1}/credit-reports/<string:number>.pdf",
        "a public one",
        lambda s: Req(f"{V1}/credit-reports/{s.report}.pdf"),
        everyone(200 if any(Path(p).is_file() for p in FONT_CANDIDATES) else 503),
    ),
    Case(
        "GET",
        f"{V1}/credit-reports/<string:number>/verify",
        "any",
        lambda s: Req(f"{V1}/credit-reports/{s.report}/verify"),
        everyone(200),
    ),
    # 持续监测: an agency's watches and alerts
    Case(
        "GET",
        f"{V1}/watches",
        "the agency's",
        lambda s: Req(f"{V1}/watches"),
        expect(public=401, admin=200, own=403, other=403, screener=200, platform=200),
    ),
    Case(
        "POST",
        f"{V1}/watches",
        "the screener's screening",
        lambda s: Req(f"{V1}/watches", json={"screening_id": s.screening, "watch_until": "2027-01-31"}),
        expect(public=401, admin=201, own=403, other=403, screener=201, platform=403),
    ),
    Case(
        "GET",
        f"{V1}/watches/<int:watch_id>",
        "the screener's",
        lambda s: Req(f"{V1}/watches/{s.watch}"),
        expect(public=401, admin=200, own=403, other=403, screener=200, platform=200),
    ),
    Case(
        "POST",
        f"{V1}/watches/<int:watch_id>/end",
        "the screener's",
        lambda s: Req(f"{V1}/watches/{s.watch}/end", json={"reason": "合同已签订"}),
        expect(public=401, admin=200, own=403, other=403, screener=200, platform=403),
    ),
    Case(
        "GET",
        f"{V1}/alerts",
        "the agency's",
        lambda s: Req(f"{V1}/alerts"),
        expect(public=401, admin=200, own=403, other=403, screener=200, platform=200),
    ),
    Case(
        "GET",
        f"{V1}/alerts/<int:alert_id>",
        "the screener's",
        lambda s: Req(f"{V1}/alerts/{s.alert}"),
        expect(public=401, admin=200, own=403, other=403, screener=200, platform=200),
    ),
    Case(
        "POST",
        f"{V1}/alerts/<int:alert_id>/acknowledge",
        "the screener's",
        lambda s: Req(f"{V1}/alerts/{s.alert}/acknowledge", json={"reason": "已取消其中标候选人资格"}),
        expect(public=401, admin=200, own=403, other=403, screener=200, platform=403),
    ),
    # the evidence tree (存证): its key, anchors and proofs are public
    Case("GET", f"{V1}/evidence/key", "the key", lambda s: Req(f"{V1}/evidence/key"), everyone(200)),
    Case("GET", f"{V1}/evidence/anchors", "all", lambda s: Req(f"{V1}/evidence/anchors"), everyone(200)),
    Case(
        "GET",
        f"{V1}/evidence/consistency",
        "anchored sizes",
        lambda s: Req(f"{V1}/evidence/consistency?from={s.anchored_size}&to={s.anchored_size}"),
        everyone(200),
    ),
    # the credit platform's feed, exports and push status
    Case("GET", f"{V1}/feed", "from the start", lambda s: Req(f"{V1}/feed"), PLATFORM),
    Case("GET", f"{V1}/exports/<string:name>", "penalties.csv", lambda s: Req(f"{V1}/exports/penalties.csv"), PLATFORM),
    Case("GET", f"{V1}/sync/targets", "all", lambda s: Req(f"{V1}/sync/targets"), PLATFORM),
    Case("GET", f"{V1}/metrics", "all", lambda s: Req(f"{V1}/metrics"), PLATFORM),
    # bulk import (双公示 sheets) for authority A
    Case("POST", f"{V1}/imports", "for A", _import, A_WRITES),
    # the import template: for whoever may import (a supervisor of any authority, administrators)
    Case(
        "GET",
        f"{V1}/imports/template",
        "penalties",
        lambda s: Req(f"{V1}/imports/template?kind=penalties"),
        expect(public=401, admin=200, own=200, other=200, screener=403, platform=403),
    ),
)


def _operations(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(V1)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def test_every_api_operation_has_a_row(app: Flask) -> None:
    """A new endpoint must state who may call it; a row whose operation is gone must go too."""
    tabled = {(case.method, case.rule) for case in CASES}
    operations = _operations(app)
    assert operations - tabled == set(), "operations without a row in CASES"
    assert tabled - operations == set(), "rows in CASES for operations that do not exist"


def _send(client: FlaskClient, method: str, req: Req, key: str | None) -> Any:
    headers = {**req.headers, **(auth(key) if key else {})}
    kwargs: dict[str, Any] = {"headers": headers}
    if req.json is not None:
        kwargs["json"] = req.json
    if req.data is not None:
        kwargs["data"], kwargs["content_type"] = req.data, req.content_type
    response = client.open(req.path, method=method, **kwargs)
    response.close()
    return response


def _as_public(status: int) -> int:
    """An entity's own key (信用代证) gets what the public gets, but is known: 403 where the public
    is asked to authenticate. Its own full credit report is tests/api/test_entity_keys.py's."""
    return 403 if status == 401 else status


@pytest.fixture
def stage(client: FlaskClient, session: Session, world: factories.World) -> Stage:
    return Stage(client, session, world)


@pytest.mark.parametrize("role", ROLES + DEAD_KEYS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_access(client: FlaskClient, stage: Stage, case: Case, role: str) -> None:
    key = stage.keys[role]
    req = case.build(stage)
    r = _send(client, case.method, req, key)
    wanted = 401 if role in DEAD_KEYS else case.expect.get(role, _as_public(case.expect["public"]))
    assert r.status_code == wanted, (role, case.id, r.get_data(as_text=True)[:300])
    if role == "revoked":
        assert r.json["message"] == "API 密钥无效或已被吊销。"
        assert r.json["message_en"] == "the API key is unknown or revoked"
    elif role == "expired":
        assert r.json["message"].startswith("API 密钥已于 ")
        assert r.json["message_en"].startswith("the API key expired on ")
