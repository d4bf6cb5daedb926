"""A screening's refusals through the HTTP client: said in Chinese in `message` and `errors` (the language
Accept-Language prefers), in English in `message_en` and `errors_en`, each naming its field; nothing stored."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from registry.models import Entity, Screening
from tests import factories
from tests.conftest import auth

URL = "/api/v1/screenings"
LISTED = "杭州合晟建设工程有限公司"  # the shared entity (tests/api/conftest.py)
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


@pytest.fixture
def listed(session: Session, world: factories.World, entity: Entity) -> Entity:
    """The API tests' shared entity, on the procurement blacklist."""
    factories.make_list_entry(session, world.finance, entity)
    session.commit()
    return entity


def body(*subjects: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"domain": "procurement", "project_code": "ZJCG-2026-0042", "subjects": list(subjects), **fields}


def stored(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Screening)) or 0


def refused(
    client: FlaskClient, key: str, data: dict[str, Any], *, status: int = 422, url: str = URL, **headers: str
) -> dict[str, Any]:
    r = client.post(url, json=data, headers={**auth(key), **headers})
    assert r.status_code == status, r.json
    return dict(r.json)


def test_1001_subjects_are_refused_in_chinese_naming_the_field(
    client: FlaskClient, session: Session, world: factories.World
) -> None:
    answer = refused(client, world.screener_key, body(*({"name": f"公司{i}"} for i in range(1001))))
    assert answer["errors"] == {"subjects": ["长度（字符数或项数）须在 1 至 1000 之间。"]}
    assert answer["message"] == "输入有误：subjects: 长度（字符数或项数）须在 1 至 1000 之间。"
    assert answer["errors_en"] == {"subjects": ["Length must be between 1 and 1000."]}
    assert answer["message_en"] == "invalid input: subjects: Length must be between 1 and 1000."
    assert stored(session) == 0
    english = refused(client, world.screener_key, body(), **ENGLISH)  # none at all: the same rule, in English
    assert english["errors"] == english["errors_en"] == {"subjects": ["Length must be between 1 and 1000."]}


def test_an_unknown_domain_is_refused_in_chinese(client: FlaskClient, world: factories.World) -> None:
    answer = refused(client, world.screener_key, body({"name": "甲公司"}, domain="fishing"))
    [reason] = answer["errors"]["domain"]
    assert reason.startswith("须为以下之一：housing, land, mining, procurement")
    assert answer["errors_en"]["domain"][0].startswith("Must be one of: housing, land, mining, procurement")


def test_a_subject_without_name_or_code_is_refused_in_chinese(
    client: FlaskClient, session: Session, world: factories.World
) -> None:
    answer = refused(client, world.screener_key, body({"name": "甲公司"}, {"role": "投标人", "name": ""}))
    assert answer["errors"] == {"subjects.1": ["每个主体须填写名称或统一社会信用代码（uscc）。"]}
    assert answer["errors_en"] == {"subjects.1": ["a subject needs a name or a 统一社会信用代码 (uscc)"]}
    assert answer["message"] == "输入有误：subjects.1: 每个主体须填写名称或统一社会信用代码（uscc）。"
    assert answer["message_en"] == "invalid input: subjects.1: a subject needs a name or a 统一社会信用代码 (uscc)"
    assert stored(session) == 0


def test_a_legal_representatives_invalid_id_number_is_refused_in_chinese(
    client: FlaskClient, session: Session, world: factories.World
) -> None:
    subject = {"name": "甲公司", "legal_representative": {"name": "张三", "id_number": "110101"}}
    answer = refused(client, world.screener_key, body(subject))
    field = "subjects.0.legal_representative.id_number"
    assert answer["errors"] == {field: ["证件号码有误：居民身份证号码应为 18 位，所填为 6 位。"]}
    assert answer["errors_en"] == {field: ["invalid ID document number: a resident ID number has 18 characters, got 6"]}
    assert answer["message"] == f"输入有误：{field}: 证件号码有误：居民身份证号码应为 18 位，所填为 6 位。"
    assert "110101" not in answer["message"] + answer["message_en"]  # only the count, never the number
    english = refused(client, world.screener_key, body(subject), **ENGLISH)
    assert english["errors"] == english["errors_en"]
    assert stored(session) == 0


@pytest.mark.parametrize(
    ("person", "field", "chinese", "english"),
    [
        (
            {"id_type": "resident_id"},
            "subjects.0.legal_representative.id_number",
            "填写证件类型时须填写证件号码。",
            "id_type needs id_number",
        ),
        (
            {"id_type": "driving_licence", "id_number": "X1234567"},
            "subjects.0.legal_representative.id_type",
            "证件类型 'driving_licence' 无法识别，应为以下之一：",
            "unknown document type 'driving_licence'; one of ",
        ),
    ],
    ids=["type-without-number", "unknown-type"],
)
def test_a_persons_id_document_is_refused_in_chinese(
    client: FlaskClient, world: factories.World, person: dict[str, str], field: str, chinese: str, english: str
) -> None:
    answer = refused(client, world.screener_key, body({"name": "甲公司", "legal_representative": person}))
    assert list(answer["errors"]) == [field]
    assert answer["errors"][field][0].startswith(chinese)
    assert answer["errors_en"][field][0].startswith(english)


def test_the_message_names_five_refused_fields_and_counts_the_rest(client: FlaskClient, world: factories.World) -> None:
    answer = refused(client, world.screener_key, body(*({"role": "投标人"} for _ in range(7))))
    assert list(answer["errors"]) == [f"subjects.{i}" for i in range(7)]  # every field, in errors
    assert answer["message"].startswith(
        "输入有误：subjects.0: 每个主体须填写名称或统一社会信用代码（uscc）。; subjects.1:"
    )
    assert answer["message"].endswith("；另有 2 处错误")
    assert "subjects.5" not in answer["message"]
    assert answer["message_en"].endswith("; and 2 more")


def test_an_unknown_disposition_is_refused_in_chinese(
    client: FlaskClient, world: factories.World, listed: Entity
) -> None:
    screening = refused(client, world.screener_key, body({"name": LISTED}), status=201)
    url = f"{URL}/{screening['id']}/dispositions"
    data = {"subject_index": 0, "entity_id": listed.id, "disposition": "maybe", "reason": "同名"}
    answer = refused(client, world.screener_key, data, url=url)
    assert answer["errors"] == {"disposition": ["须为以下之一：false_positive, confirmed。"]}
    assert answer["errors_en"] == {"disposition": ["Must be one of: false_positive, confirmed."]}
    assert answer["message"] == "输入有误：disposition: 须为以下之一：false_positive, confirmed。"


def test_a_disposition_on_no_such_subject_or_hit_is_refused_in_chinese(
    client: FlaskClient, session: Session, world: factories.World, listed: Entity
) -> None:
    screening = refused(client, world.screener_key, body({"name": LISTED}), status=201)
    sid = screening["id"]
    url = f"{URL}/{sid}/dispositions"
    data = {"subject_index": 3, "entity_id": listed.id, "disposition": "confirmed", "reason": "核对营业执照"}
    answer = refused(client, world.screener_key, data, url=url)
    assert answer["errors"] == {"subject_index": [f"核查 {sid} 的主体序号为 0 至 0。"]}
    assert answer["errors_en"] == {"subject_index": [f"screening {sid} has subjects 0 to 0"]}
    other = factories.make_entity(session, "宁波甬江建材有限公司")
    session.commit()
    answer = refused(client, world.screener_key, {**data, "subject_index": 0, "entity_id": other.id}, url=url)
    assert answer["errors"] == {"entity_id": [f"编号为 {other.id} 的主体不是 subjects.0 的命中结果。"]}
    assert answer["errors_en"] == {"entity_id": [f"entity {other.id} is not a hit of subjects.0"]}
    assert answer["message"] == f"输入有误：entity_id: 编号为 {other.id} 的主体不是 subjects.0 的命中结果。"


def test_a_screening_that_does_not_exist_is_said_in_chinese(client: FlaskClient, world: factories.World) -> None:
    r = client.get(f"{URL}/999999/verify", headers=auth(world.screener_key))
    assert r.status_code == 404
    assert (r.json["message"], r.json["message_en"]) == ("核查 999999 不存在。", "screening 999999 does not exist")


def test_an_entitys_measures_for_no_such_entity_are_said_in_chinese(
    client: FlaskClient, world: factories.World
) -> None:
    r = client.get("/api/v1/entities/999999/measures", headers=auth(world.screener_key))
    assert r.status_code == 404
    assert (r.json["message"], r.json["message_en"]) == ("编号为 999999 的主体不存在。", "entity 999999 does not exist")
