"""失信相关人 in an import (发改法规〔2018〕457号): four columns, one value per person in each, in the
same order (a single 角色 or 证件类型 stands for all). Both writers keep them as the API does:
validated, encrypted, masked; a row that names them wrongly is refused, naming the column."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
import sqlalchemy as sa

from registry.codes.idnumber import IdentityVault, mask
from registry.imports.run import import_records
from registry.models import AuditLog, Penalty, ResponsiblePerson
from sync.national import DataSource, render_record
from tests import factories
from tests.import_sheets import PENALTY_HEADERS, PERSON_ID, company, penalty_row, xlsx_bytes

VAULT = IdentityVault("test-data-protection-secret")
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
COLUMNS = ["失信相关人角色", "失信相关人姓名", "失信相关人证件类型", "失信相关人证件号码"]


def _second_id() -> str:
    from stdnum.cn import ric

    first17 = "33010619800101123"
    return first17 + ric.calc_check_digit(first17 + "0")


def run(session, rows, writer):
    data = xlsx_bytes([*PENALTY_HEADERS, *COLUMNS], rows)
    return import_records(
        session,
        io.BytesIO(data),
        "双公示.xlsx",
        actor=factories.supervisor_of(rows[0]["_authority"]),
        today=factories.TODAY,
        rules=factories.rules(session),
        vault=VAULT,
        now=NOW,
        writer=writer,
    )


def _row(world, i, **persons):
    name, code = company(i)
    row = penalty_row(world.finance, name, code, f"浙财采罚〔2026〕{900 + i}号", **persons)
    row["_authority"] = world.finance
    return row


@pytest.mark.parametrize("writer", ["batched", "services"])
def test_persons_are_read_kept_masked_and_audited(session, world, writer):
    second = _second_id()
    rows = [
        _row(
            world,
            1,
            **{
                "失信相关人角色": "法定代表人；自然人股东",
                "失信相关人姓名": "张三；李四",
                "失信相关人证件类型": "身份证",
                "失信相关人证件号码": f"{PERSON_ID}；{second}",
            },
        ),
        _row(world, 2, **{"失信相关人角色": "评标评审专家", "失信相关人姓名": "王五"}),
    ]
    report = run(session, rows, writer)
    assert report.bad_rows == 0, report.problems
    persons = session.scalars(sa.select(ResponsiblePerson).order_by(ResponsiblePerson.id)).all()
    assert [(p.role, p.name, p.id_type, p.id_number_masked) for p in persons] == [
        ("legal_representative", "张三", "resident_id", mask(PERSON_ID)),
        ("natural_person_shareholder", "李四", "resident_id", mask(second)),
        ("evaluation_expert", "王五", None, None),
    ]
    assert persons[0].id_number_hash == VAULT.fingerprint("resident_id", PERSON_ID)
    audit = json.dumps([row.after for row in session.scalars(sa.select(AuditLog))], ensure_ascii=False)
    assert mask(PERSON_ID) in audit
    assert PERSON_ID not in audit
    penalty = session.scalars(sa.select(Penalty).order_by(Penalty.id)).first()
    rendered = render_record("penalty", "create", penalty.snapshot(), None, {}, DataSource(None, None), 1, NOW, True)
    assert rendered["responsible_persons"] == [
        f"法定代表人:张三:居民身份证:{mask(PERSON_ID)}",
        f"自然人股东:李四:居民身份证:{mask(second)}",
    ]


@pytest.mark.parametrize("writer", ["batched", "services"])
@pytest.mark.parametrize(
    ("cells", "column", "words"),
    [
        (
            {"失信相关人角色": "法定代表人", "失信相关人姓名": "张三；李四", "失信相关人证件号码": PERSON_ID},
            "失信相关人证件号码",
            "不对应",
        ),
        ({"失信相关人角色": "老板", "失信相关人姓名": "张三"}, "失信相关人角色", "角色"),
        ({"失信相关人姓名": "张三"}, "失信相关人角色", "角色"),
        ({"失信相关人角色": "法定代表人", "失信相关人证件号码": PERSON_ID}, "失信相关人姓名", "姓名"),
        (
            {"失信相关人角色": "法定代表人", "失信相关人姓名": "张三", "失信相关人证件号码": "110101199003078510"},
            "失信相关人证件号码",
            "校验码有误",
        ),
    ],
)
def test_a_row_naming_persons_wrongly_is_refused_at_the_column(session, world, writer, cells, column, words):
    report = run(session, [_row(world, 3, **cells)], writer)
    assert report.bad_rows == 1
    problem = report.problems[0]
    assert problem.column == column
    assert words in problem.said("zh")  # the reason as the report gives it, in Chinese
    assert PERSON_ID not in problem.value
    assert session.scalar(sa.select(sa.func.count()).select_from(ResponsiblePerson)) == 0
