"""What a row of an import means as a record (记录的数据): the penalty's, the list entry's or the
licence's data in the services' own shape, the trading domain a row is about (the file's default where the row gives
none), and the 失信相关人 columns read into persons.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.imports.columns import DOMAIN_FIELD, read_id_type
from registry.imports.files import CellError
from registry.imports.row_checks import RowChecks
from registry.imports.rows import Row, RowRejected
from registry.messages import msg
from registry.publication import Decider, default_severity
from registry.records.licences import CORRECTABLE
from registry.vocab import DOMAINS

# A licence's fields that are not read from a cell as they are: the subject found or registered, the
# 数据来源单位 by name or code, 是否公开 only when the row gives it.
_NOT_IN_CELLS = ("entity_id", "data_source_authority_id", "is_public")


@dataclass
class RowData(RowChecks):
    """The record data of a row, for `RowImporter` (and so for the batched writer too)."""

    def rules_severity(self, data: Mapping[str, Any]) -> str | None:
        if not isinstance(data.get("decided_on"), dt.date):
            return None
        return default_severity(
            self.rules.catalogue,
            decided_on=data["decided_on"],
            procedure=data.get("procedure"),
            categories=list(data.get("categories") or []),
            decider=Decider(self.authority.sector, self.authority.region_code),
        )

    def domain_default(self, row: Row) -> str:
        domains = list(self.authority.domains)
        if len(domains) == 1:
            return domains[0]
        raise RowRejected(
            [
                self.problem(
                    row,
                    DOMAIN_FIELD[self.kind],
                    msg(
                        "is empty and {authority} supervises several trading domains: name one of {domains}",
                        authority=self.authority.name,
                        domains="、".join(DOMAINS[d] for d in domains),
                    ),
                )
            ]
        )

    def penalty_data(self, row: Row, entity_id: int) -> dict[str, Any]:
        """What record_penalty is given for the row."""
        values = row.values
        if values.get("status") not in (None, "effective"):
            self.reject(
                row,
                "status",
                "a new penalty is recorded in force (有效); a revocation (撤销) is made afterwards with its reason",
            )
        data: dict[str, Any] = {
            name: values.get(name)
            for name in (
                "decision_number",
                "violation_type",
                "facts",
                "basis",
                "categories",
                "content",
                "fine_amount",
                "confiscation_amount",
                "licence_affected",
                "decided_on",
                "valid_until",
                "publication_ends_on",
                "remarks",
                "severity",
                "procedure",
                "project_code",
                "not_public_reason",
            )
        }
        data["entity_id"] = entity_id
        data["authority_id"] = self.authority.id
        # A row's own 失信程度; else what the rules say (Order 36: 简易程序, 警告, 通报批评 are 轻微);
        # else the file-wide default given on upload.
        data["severity"] = values.get("severity") or self.rules_severity(data) or self.defaults.get("severity")
        data["domain"] = values.get("domain") or self.defaults.get("domain") or self.domain_default(row)
        if values.get("is_public") is not None:
            data["is_public"] = values["is_public"]
        source = self.data_source(row)
        if source is not None:
            data["data_source_authority_id"] = source
        data["responsible_persons"] = self.responsible_persons(row)
        return data

    def licence_data(self, row: Row, entity_id: int) -> dict[str, Any]:
        """What record_licence is given for the row (its checks are the service's own)."""
        values = row.values
        status, ends = values.get("status"), values.get("valid_to")
        if status in ("revoked", "cancelled"):
            self.reject(
                row,
                "status",
                "a new licence is recorded in force (有效); a revocation (撤销) or cancellation (注销) is made "
                "afterwards with its reason",
            )
        if status == "expired" and not (isinstance(ends, dt.date) and ends < self.today):
            self.reject(row, "status", "is 已过期 but 有效期至 has not passed: expiry is read from 有效期至")
        # The licence's own fields the sheet holds; the subject, the source and 是否公开 follow.
        data: dict[str, Any] = {name: values.get(name) for name in CORRECTABLE if name not in _NOT_IN_CELLS}
        data.update(entity_id=entity_id, authority_id=self.authority.id)
        if values.get("is_public") is not None:
            data["is_public"] = values["is_public"]
        source = self.data_source(row)
        if source is not None:
            data["data_source_authority_id"] = source
        return data

    def responsible_persons(self, row: Row) -> list[dict[str, Any]]:
        """The row's 失信相关人 as the services take them, one per name; the other columns give one
        value per name, or one for all (角色, 证件类型), or none (证件号码 left empty)."""
        values = row.values
        names = values.get("responsible_names") or []
        columns = {
            key: values.get(key) or []
            for key in ("responsible_roles", "responsible_id_types", "responsible_id_numbers")
        }
        if not names:
            given = [key for key, found in columns.items() if found]
            if given:
                raise RowRejected(
                    [
                        self.problem(
                            row,
                            "responsible_names",
                            "the persons' names are empty but their roles or documents are given",
                        )
                    ]
                )
            return []
        for key, found in columns.items():
            allowed = (len(names),) if key == "responsible_id_numbers" else (1, len(names))
            if found and len(found) not in allowed:
                raise RowRejected(
                    [
                        self.problem(
                            row,
                            key,
                            msg(
                                "{count} values for {names} names: one value per name, or one for all",
                                count=len(found),
                                names=len(names),
                            )
                            if 1 in allowed
                            else msg(
                                "{count} values for {names} names: one value per name",
                                count=len(found),
                                names=len(names),
                            ),
                        )
                    ]
                )
        if not columns["responsible_roles"]:
            raise RowRejected(
                [
                    self.problem(
                        row,
                        "responsible_roles",
                        "give the persons' roles (法定代表人, 自然人股东, 评标评审专家 …)",
                    )
                ]
            )

        def nth(key: str, i: int) -> str | None:
            found = columns[key]
            return None if not found else found[i] if len(found) > 1 else found[0]

        persons = []
        for i, name in enumerate(names):
            number = columns["responsible_id_numbers"][i] if columns["responsible_id_numbers"] else None
            id_type = nth("responsible_id_types", i)
            person: dict[str, Any] = {"role": nth("responsible_roles", i), "name": name}
            if number is not None:
                person["id_number"] = number
                try:
                    person["id_type"] = read_id_type(id_type) if id_type else "resident_id"
                except CellError as exc:
                    raise RowRejected([self.problem(row, "responsible_id_types", exc.text)]) from exc
            persons.append(person)
        return persons

    def list_entry_data(self, row: Row, entity_id: int) -> dict[str, Any]:
        """What create_list_entry is given for the row; 名单类型 left empty is the catalogue's for a
        list it knows."""
        values = row.values
        if values.get("status") not in (None, "active"):
            raise RowRejected(
                [
                    self.problem(
                        row,
                        "status",
                        "a new list entry is recorded as listed (有效); removal, repair and revocation are made "
                        "afterwards with their reason",
                    )
                ]
            )
        list_type = values.get("list_type")
        if list_type is None:
            known = self.rules.catalogue.lists.get(values["list_name"])
            if known is None:
                raise RowRejected(
                    [
                        self.problem(
                            row,
                            "list_type",
                            msg(
                                "is empty and {list} is not a list the catalogue knows: write 黑名单, 红名单 or 重点关注名单",
                                list=values["list_name"],
                            ),
                        )
                    ]
                )
            list_type = known.list_type
        data: dict[str, Any] = {
            name: values.get(name)
            for name in (
                "list_name",
                "decision_number",
                "reason_category",
                "facts",
                "legal_basis",
                "project_code",
                "listed_on",
                "expires_on",
                "not_public_reason",
            )
        }
        data.update(
            entity_id=entity_id,
            authority_id=self.authority.id,
            list_type=list_type,
            domains=values.get("domains") or [self.defaults.get("domain") or self.domain_default(row)],
        )
        if values.get("is_public") is not None:
            data["is_public"] = values["is_public"]
        data["responsible_persons"] = self.responsible_persons(row)
        if data["listed_on"] is None:
            raise RowRejected([self.problem(row, "listed_on", "must not be empty")])
        return data
