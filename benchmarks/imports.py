"""Bulk import at size: rows per second for XLSX and CSV, memory, and what share is parsing.

    python -m benchmarks.imports --rows 100000
    python -m benchmarks.imports --rows 10000 --formats csv

Generates a 双公示 penalty sheet of N realistic rows (generated enterprise names and valid
codes from benchmarks.dataset, about three new subjects in four rows, a mix of 处罚类别 with
their amounts, dates as Excel dates in the XLSX and as text in the CSV), writes it as XLSX and as
CSV (UTF-8 with BOM, as our exports and Excel write it), and imports each into its own
temporary SQLite database built by the migrations, through `registry.imports.run.import_records`
for one supervisor, then commits once, as the CLI does. Printed per format: rows/s of the
import, the commit's time, the peak resident set during the import, and a baseline measured in
the same run: reading the same file with plain openpyxl (read-only) or csv and nothing else, to
show what share of the import is parsing (for an XLSX of 1 MB or more the importer parses in a
second process while it imports, so that share is hidden rather than added). After each import the
audit chain is verified and the outbox counted (one event per record and per new subject). Peak
RSS is the importing process's (both imports run in one process, one after the other).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from openpyxl import Workbook, load_workbook

from api.app import create_app
from benchmarks.dataset import generate_entities
from benchmarks.exports import PeakSampler
from registry.codes import uscc
from registry.database import db
from registry.imports.run import import_records
from registry.ledger import Actor, verify_audit_chain
from registry.models import ChangeEvent, Penalty
from registry.records.authorities import create_authority
from registry.records.penalty_fields import PENALTY_FIELDS
from registry.runtime import current_rules, current_runtime

FORMATS = ("xlsx", "csv")
AUTHORITY = "浙江省财政厅"
AUTHORITY_USCC = uscc.complete("11330000002481253")
TODAY = dt.date(2026, 11, 23)
HEADERS = [f.header for f in PENALTY_FIELDS] + ["严重程度", "涉及领域", "项目编号"]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌辉海燕鹏飞"
_CASES = (
    # 违法行为类型, 违法事实, 处罚依据, 处罚类别, 严重程度
    (
        "提供虚假材料谋取中标",
        "在{project}中提供虚假业绩证明材料，谋取中标",
        "《中华人民共和国政府采购法》第七十七条第一款第（一）项",
        ("罚款",),
        "一般",
    ),
    (
        "串通投标",
        "在{project}中与其他投标人相互串通投标报价",
        "《中华人民共和国招标投标法》第五十三条",
        ("罚款", "没收违法所得"),
        "严重",
    ),
    (
        "未按规定签订合同",
        "{project}中标后未在规定期限内签订政府采购合同",
        "《中华人民共和国政府采购法实施条例》第六十七条",
        ("警告",),
        "轻微",
    ),
    (
        "以他人名义投标",
        "在{project}中借用他人资质参加投标",
        "《中华人民共和国招标投标法》第五十四条",
        ("罚款", "吊销许可证件"),
        "严重",
    ),
)


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))


def penalty_rows(count: int, *, seed: int = 2026) -> list[list[Any]]:
    """`count` rows of a 双公示 penalty sheet in HEADERS order; about three in four rows name a
    subject not seen before."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    subjects = generate_entities(max(1, count * 3 // 4) + 1, seed=seed).entities
    rows = []
    for i in range(count):
        subject = subjects[i * 3 // 4]
        violation, facts, basis, categories, severity = rng.choice(_CASES)
        project = f"ZJCG-2026-{rng.randrange(1, 99999):05d}号采购项目"
        fine = rng.choice(("0.5", "1", "2.35", "5", "10", "0.2")) if "罚款" in categories else None
        confiscated = rng.choice(("0.8", "3.2")) if "没收违法所得" in categories else None
        decided = TODAY - dt.timedelta(days=rng.randrange(1, 600))
        values = {
            "subject_name": subject.name,
            "subject_kind": "个体工商户" if subject.kind == "individual_business" else "法人及非法人组织",
            "subject_uscc": subject.code,
            "legal_representative": _person(rng),
            "decision_number": f"浙财采罚〔{decided.year}〕{i + 1}号",
            "violation_type": violation,
            "facts": facts.format(project=project),
            "basis": basis,
            "categories": "；".join(categories),
            "content": "；".join(categories) + (f"，罚款人民币{fine}万元" if fine else ""),
            "fine_amount": float(fine) if fine else None,
            "confiscation_amount": float(confiscated) if confiscated else None,
            "licence_affected": f"政府采购代理资格证书 第{rng.randrange(10**5, 10**6)}号"
            if "吊销许可证件" in categories
            else None,
            "decided_on": decided,
            "authority_name": AUTHORITY,
            "authority_uscc": AUTHORITY_USCC,
            "data_source_name": AUTHORITY,
            "data_source_uscc": AUTHORITY_USCC,
        }
        rows.append([values.get(f.name) for f in PENALTY_FIELDS] + [severity, "政府采购", project[:16]])
    return rows


def write_xlsx(rows: list[list[Any]], path: Path) -> None:
    book = Workbook(write_only=True)
    sheet: Any = book.create_sheet("行政处罚")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)


def write_csv(rows: list[list[Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])


def parse_only(path: Path) -> tuple[int, float]:
    """The baseline: read every row of the file and do nothing with it."""
    started = time.perf_counter()
    count = 0
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True, data_only=True)
        for _ in book.worksheets[0].iter_rows(values_only=True):
            count += 1
        book.close()
    else:
        with path.open(encoding="utf-8-sig", newline="") as text:
            for _ in csv.reader(text):
                count += 1
    return count - 1, time.perf_counter() - started


def import_once(path: Path, tmp: Path, log: Any) -> dict[str, Any]:
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp / (path.suffix[1:] + '.db')}", "DATA_KEY": "benchmark-data-protection-secret"}
    )
    with app.app_context():
        upgrade()
        session = db.session()
        authority = create_authority(
            session,
            {"name": AUTHORITY, "uscc": AUTHORITY_USCC, "region_code": "330000", "domains": ["procurement"]},
            Actor(key_id=None, name="benchmark", role="admin"),
        )
        session.commit()
        supervisor = Actor(key_id=None, name="benchmark importer", role="supervisor", authority_id=authority.id)
        rules = current_rules(session)
        vault = current_runtime().vault
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.perf_counter() - last[0] > 10:
                last[0] = time.perf_counter()
                log(f"    {done:,} / {total:,}")

        with PeakSampler() as memory:
            started = time.perf_counter()
            report = import_records(
                session,
                path,
                path.name,
                actor=supervisor,
                mode="all",
                today=TODAY,
                rules=rules,
                vault=vault,
                progress=progress,
            )
            imported = time.perf_counter() - started
            session.commit()
            committed = time.perf_counter() - started - imported
        chain = verify_audit_chain(session)
        events = session.query(ChangeEvent).count()
        penalties = session.query(Penalty).count()
        db.session.remove()
        db.engine.dispose()
    if report.bad_rows or not chain.ok:
        raise SystemExit(f"import failed: {report.summary()}; {report.problems[:5]}; chain {chain}")
    return {
        "rows": report.rows,
        "created": report.created,
        "entities_created": report.entities_created,
        "seconds": round(imported, 2),
        "commit_seconds": round(committed, 2),
        "rows_per_second": round(report.rows / imported),
        "peak_rss_mb": round(memory.peak / 2**20),
        "rss_growth_mb": round(memory.growth / 2**20),
        "penalties": penalties,
        "outbox_events": events,
        "audit_rows": chain.rows_checked,
    }


def run(rows: int, formats: list[str], log: Any = print) -> list[dict[str, Any]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="imports-bench-") as name:
        tmp = Path(name)
        started = time.perf_counter()
        data = penalty_rows(rows)
        log(f"generated {rows:,} penalty rows in {time.perf_counter() - started:.1f} s")
        for fmt in formats:
            path = tmp / f"penalties.{fmt}"
            (write_xlsx if fmt == "xlsx" else write_csv)(data, path)
            size = path.stat().st_size
            parsed, parse_seconds = parse_only(path)
            log(
                f"{fmt}: {size / 2**20:.1f} MB; plain read of {parsed:,} rows: {parse_seconds:.1f} s "
                f"({parsed / parse_seconds:,.0f} rows/s)"
            )
            result = {
                "format": fmt,
                "file_mb": round(size / 2**20, 1),
                "parse_only_seconds": round(parse_seconds, 2),
                "parse_only_rows_per_second": round(parsed / parse_seconds),
                **import_once(path, tmp, log),
            }
            result["parsing_share"] = round(parse_seconds / result["seconds"], 2)
            results.append(result)
            log(
                f"{fmt}: imported {result['rows']:,} rows in {result['seconds']:.1f} s = "
                f"{result['rows_per_second']:,} rows/s (+ commit {result['commit_seconds']:.1f} s); "
                f"{result['entities_created']:,} subjects created; peak RSS {result['peak_rss_mb']} MB "
                f"(+{result['rss_growth_mb']} MB); parsing alone is {result['parsing_share']:.0%} of the import; "
                f"audit chain intact ({result['audit_rows']:,} rows), {result['outbox_events']:,} outbox events"
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.imports", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="penalty rows to import (default 100,000)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: xlsx,csv")
    parser.add_argument("--json", action="store_true", help="print the results as JSON at the end")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if any(f not in FORMATS for f in formats) or args.rows < 1:
        parser.error(f"formats are {', '.join(FORMATS)}; rows at least 1")
    results = run(args.rows, formats)
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
