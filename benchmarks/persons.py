"""失信相关人 at size: a bidder's legal representative found among the responsible persons of listed
records, by ID number and by name, and what it costs a screening.

    python -m benchmarks.persons --entities 10000 --queries 2000

Builds a temporary SQLite registry by the migrations and loads, through the batched importer,
`--entities` procurement black-list entries (generated enterprise names and codes from
benchmarks.dataset), each naming its company's legal representative as a 失信相关人 with a valid
resident ID number; names repeat as real names do (a few hundred surnames and given names). Then
screens, over the Flask test client (`POST /api/v1/screenings`, 10 subjects per request), four
labelled families of bidders whose legal representative is:

- `person_by_id`: a responsible person, given by name and ID number: must be linked by ID (found);
- `person_by_name`: a responsible person's name, no number: must be reviewed, never blocked;
- `person_other_id`: a responsible person's name with another valid number: no link (another person);
- `person_stranger`: a name and number no record names: no link.

Printed: each family's rate against its goal, and the screening's latency with the legal
representatives against the same requests without them, measured in the same run (the baseline).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from stdnum.cn import ric

from api.app import create_app
from benchmarks.dataset import generate_entities
from registry import access
from registry.codes import uscc
from registry.database import db
from registry.imports.run import import_records
from registry.ledger import Actor
from registry.records.authorities import create_authority
from registry.runtime import current_rules, current_runtime

TODAY = dt.date(2026, 11, 23)
AUTHORITY_USCC = uscc.complete("11330000002481253")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌辉海燕鹏飞"
HEADERS = [
    "主体名称",
    "统一社会信用代码",
    "名单名称",
    "列入决定文书号",
    "列入事由类别",
    "失信（守信）事实",
    "列入依据",
    "列入日期",
    "有效期截止日期",
    "涉及领域",
    "失信相关人角色",
    "失信相关人姓名",
    "失信相关人证件号码",
]
GOALS = {
    "person_by_id": ("found", 1.0),
    "person_by_name": ("reviewed, never blocked", 1.0),
    "person_other_id": ("not linked", 1.0),
    "person_stranger": ("not linked", 1.0),
}


class People:
    """Valid, distinct resident ID numbers and realistic (repeating) names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def name(self) -> str:
        return self.rng.choice(_SURNAMES) + "".join(self.rng.choice(_GIVEN) for _ in range(self.rng.choice((1, 2))))

    def number(self) -> str:
        while True:
            born = dt.date(1960, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 40 * 365))
            first17 = f"330106{born:%Y%m%d}{self.rng.randrange(0, 1000):03d}"
            number = first17 + ric.calc_check_digit(first17 + "0")
            if number not in self.used:
                self.used.add(number)
                return number


def registry_sheet(count: int, people: People, seed: int) -> tuple[bytes, list[tuple[str, str]]]:
    """A list-entry CSV of `count` procurement black-list entries, and each one's (name, ID)."""
    entities = generate_entities(count, seed=seed).entities
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    reps = []
    for i, entity in enumerate(entities):
        rep = (people.name(), people.number())
        reps.append(rep)
        writer.writerow(
            [
                entity.name,
                entity.code,
                "政府采购严重违法失信行为记录名单",
                f"浙财采决〔2026〕{i + 1}号",
                "提供虚假材料谋取中标、成交",
                "提供虚假业绩证明材料",
                "《中华人民共和国政府采购法》第七十七条",
                "2026-03-01",
                "2027-02-28",
                "政府采购",
                "法定代表人",
                rep[0],
                rep[1],
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8"), reps


def labelled_subjects(reps: list[tuple[str, str]], people: People, count: int) -> list[tuple[str, dict[str, Any]]]:
    rng = people.rng
    families = list(GOALS)
    found = []
    for i in range(count):
        family = families[i % len(families)]
        name, number = rng.choice(reps)
        rep = {
            "person_by_id": {"name": name, "id_number": number},
            "person_by_name": {"name": name},
            "person_other_id": {"name": name, "id_number": people.number()},
            "person_stranger": {"name": "欧阳" + people.name()[1:], "id_number": people.number()},
        }[family]
        found.append((family, {"name": f"宁波测试{i}贸易有限公司", "legal_representative": rep}))
    return found


def outcome(family: str, subject: dict[str, Any]) -> bool:
    links = subject.get("person_links", [])
    if family == "person_by_id":
        return any(link["identified_by"] == "id_number" for link in links)
    if family == "person_by_name":
        return (
            subject["decision"] == "review" and bool(links) and all(link["identified_by"] == "name" for link in links)
        )
    return not links


def run(entities: int, queries: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    people = People(rng)
    with tempfile.TemporaryDirectory() as folder:
        # One screener key driven flat out: the per-key screening limit would measure itself.
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'persons.db'}",
                "DATA_KEY": "benchmark-data-protection-key-not-secret",
                "RATE_LIMIT_SCREENING": 0,
            }
        )
        with app.app_context():
            upgrade()
            admin = Actor(key_id=None, name="benchmark", role="admin")
            session = db.session()
            authority = create_authority(
                session,
                {"name": "浙江省财政厅", "uscc": AUTHORITY_USCC, "region_code": "330000", "domains": ["procurement"]},
                admin,
            )
            _, key = access.create_key(session, role="screener", name="交易中心")
            session.commit()
            data, reps = registry_sheet(entities, people, seed)
            started = time.perf_counter()
            report = import_records(
                session,
                io.BytesIO(data),
                "名单.csv",
                actor=admin,
                authority_id=authority.id,
                today=TODAY,
                rules=current_rules(session),
                vault=current_runtime().vault,
            )
            session.commit()
            load_seconds = time.perf_counter() - started
            if report.bad_rows:
                raise RuntimeError(f"the generated sheet was refused: {report.problems[:5]}")
        client = app.test_client()
        headers = {"Authorization": f"Bearer {key}"}
        labelled = labelled_subjects(reps, people, queries)
        right: dict[str, list[bool]] = {f: [] for f in GOALS}
        with_persons: list[float] = []
        without: list[float] = []
        for start in range(0, len(labelled), 10):
            batch = labelled[start : start + 10]
            for persons in (False, True):
                subjects = [s if persons else {"name": s["name"]} for _, s in batch]
                began = time.perf_counter()
                r = client.post(
                    "/api/v1/screenings",
                    headers=headers,
                    json={"domain": "procurement", "project_code": "BENCH-1", "subjects": subjects},
                )
                (with_persons if persons else without).append(time.perf_counter() - began)
                if r.status_code != 201:
                    raise RuntimeError(f"screening answered {r.status_code}: {r.get_data(as_text=True)[:300]}")
                if persons:
                    for (family, _), subject in zip(batch, r.get_json()["document"]["subjects"], strict=True):
                        right[family].append(outcome(family, subject))
    return {
        "entities": entities,
        "queries": queries,
        "load_seconds": load_seconds,
        "families": {f: {"n": len(v), "rate": sum(v) / len(v) if v else None} for f, v in right.items()},
        "latency_ms": {
            "with_persons": {
                "p50": 1000 * statistics.median(with_persons),
                "p99": 1000 * sorted(with_persons)[int(0.99 * (len(with_persons) - 1))],
            },
            "baseline_without": {
                "p50": 1000 * statistics.median(without),
                "p99": 1000 * sorted(without)[int(0.99 * (len(without) - 1))],
            },
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    figures = run(args.entities, args.queries, args.seed)
    print(
        f"失信相关人 benchmark: {figures['entities']} listed records, each naming its legal representative "
        f"(loaded in {figures['load_seconds']:.1f} s); {figures['queries']} bidders, 10 per screening"
    )
    failed = False
    for family, stats in figures["families"].items():
        what, goal = GOALS[family]
        ok = stats["rate"] is not None and stats["rate"] >= goal
        failed |= not ok
        print(
            f"  {family:<16} n={stats['n']:<5} {what:<24} {100 * stats['rate']:6.2f} %  goal ≥ {100 * goal:.1f} %  "
            f"{'PASS' if ok else 'FAIL'}"
        )
    w, b = figures["latency_ms"]["with_persons"], figures["latency_ms"]["baseline_without"]
    print(f"  screening of 10, with legal representatives: p50 {w['p50']:.1f} ms, p99 {w['p99']:.1f} ms")
    print(
        f"  baseline, the same names without them:     p50 {b['p50']:.1f} ms, p99 {b['p99']:.1f} ms  "
        f"(ratio {w['p50'] / b['p50']:.2f}× at p50)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
