"""The machine's index file: built once (by the first worker or `flask registry build-index`),
mapped by every worker, kept fresh from the outbox beside the mapping, swapped and re-mapped."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from flask import Flask

from matching import index_file
from matching.matcher import NamePartsMatcher
from matching.types import Query
from registry.screening import index_cli
from registry.screening.index_files import IndexFiles, OutboxMark, index_directory, read_head
from registry.screening.name_index import NameIndex, candidates_from_db, default_matcher
from tests import factories

NAMES = [
    "杭州合晟建设工程有限公司",
    "宁波华宇物流有限公司",
    "温州瑞丰建设工程有限公司瑞安分公司",
    "上海恒通贸易有限公司",
]
ASKED = [
    "杭州合晟建设工程有限公司",
    "杭州合胜建设工程有限公司",
    "合晟建设工程有限公司",
    "宁波华予物流有限公司",
    "温州瑞丰建设工程有限公司",
    "上海恒同贸易有限公司",
]


@pytest.fixture
def listed(session, world):
    entities = [factories.make_entity(session, name) for name in NAMES]
    for entity in entities:
        factories.make_list_entry(session, world.finance, entity)
    return entities


def hits(index: NameIndex, session, asked=ASKED):
    return index.search(session, [Query(name=n) for n in asked]).hits


def in_memory(session):
    return NameIndex(default_matcher, files=None)


def test_the_first_worker_builds_the_file_and_the_next_maps_it(session, listed, tmp_path):
    first = NameIndex(default_matcher, files=IndexFiles(tmp_path))
    assert hits(first, session) == hits(in_memory(session), session)
    assert (first.rebuilds, first.file_loads) == (1, 1)
    second = NameIndex(default_matcher, files=IndexFiles(tmp_path))
    assert hits(second, session) == hits(first, session)
    assert (second.rebuilds, second.file_loads) == (0, 1)
    manifest = index_file.read_manifest(IndexFiles(tmp_path).directory(session))
    assert manifest is not None
    assert manifest.counts["entities"] == len(NAMES)
    assert OutboxMark.from_json(manifest.extra["outbox"]) == read_head(session)


def test_changes_after_the_build_are_applied_beside_the_mapping(session, world, listed, tmp_path):
    files = IndexFiles(tmp_path)
    worker = NameIndex(default_matcher, files=files, max_lag=0)
    worker.ensure_fresh(session)
    built = files.signature(session)
    newcomer = factories.make_entity(session, "嘉兴恒通物流有限公司")
    factories.make_list_entry(session, world.finance, newcomer)
    asked = [*ASKED, "嘉兴恒通物流有限公司", "嘉兴恒同物流有限公司"]
    assert hits(worker, session, asked) == hits(in_memory(session), session, asked)
    assert [h.entity_id for h in hits(worker, session, ["嘉兴恒通物流有限公司"])[0]] == [newcomer.id]
    assert files.signature(session) == built  # the file is not rewritten for a change
    assert worker.file_loads == 1


def test_a_rebuilt_file_is_noticed_and_mapped(app, session, world, listed, tmp_path):
    worker = NameIndex(default_matcher, files=IndexFiles(tmp_path), max_lag=0)
    worker.ensure_fresh(session)
    newcomer = factories.make_entity(session, "嘉兴恒通物流有限公司")
    factories.make_list_entry(session, world.finance, newcomer)
    result = app.test_cli_runner().invoke(index_cli.build_index, ["--directory", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "index file built" in result.output
    assert f"{len(NAMES) + 1} listed entities" in result.output
    asked = [*ASKED, "嘉兴恒通物流有限公司"]
    assert hits(worker, session, asked) == hits(in_memory(session), session, asked)
    assert worker.file_loads == 2
    assert worker.rebuilds == 1  # mapped, not built
    checked = app.test_cli_runner().invoke(index_cli.build_index, ["--directory", str(tmp_path), "--check"])
    assert checked.exit_code == 0, checked.output
    assert "usable" in checked.output
    assert "0 events behind" in checked.output


def test_a_worker_waits_for_the_one_building_then_maps_its_file(session, listed, tmp_path):
    files = IndexFiles(tmp_path, wait=30)
    lock = files.lock(session)
    assert lock.acquire(wait=0)  # another process is building
    builder, head = NamePartsMatcher(), read_head(session)
    builder.build(candidates_from_db(session))
    worker = NameIndex(default_matcher, files=files)
    done = threading.Thread(target=worker.ensure_fresh, args=(session,))
    done.start()
    time.sleep(0.5)  # the worker finds no file and waits for the lock (the session is its alone meanwhile)
    assert done.is_alive()
    files.write(session, builder, head)  # reads nothing through the session
    lock.release()
    done.join(30)
    assert (worker.rebuilds, worker.file_loads) == (0, 1)
    assert hits(worker, session) == hits(in_memory(session), session)


def test_a_worker_builds_in_memory_when_the_lock_stays_held(session, listed, tmp_path):
    files = IndexFiles(tmp_path, wait=0)
    lock = files.lock(session)
    assert lock.acquire(wait=0)
    try:
        worker = NameIndex(default_matcher, files=files)
        assert hits(worker, session) == hits(in_memory(session), session)
        assert (worker.rebuilds, worker.file_loads) == (1, 0)
    finally:
        lock.release()


def test_an_unwritable_directory_leaves_the_index_in_memory(session, listed, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    worker = NameIndex(default_matcher, files=IndexFiles(blocker))
    assert hits(worker, session) == hits(in_memory(session), session)
    assert (worker.rebuilds, worker.file_loads) == (1, 0)


def test_a_file_whose_outbox_event_is_gone_is_rebuilt(session, world, listed, tmp_path):
    files = IndexFiles(tmp_path)
    head = read_head(session)
    stale = NamePartsMatcher()
    stale.build(candidates_from_db(session))
    files.write(session, stale, OutboxMark(head.seq, head.occurred_at, "entity", -1))  # not what the outbox holds
    worker = NameIndex(default_matcher, files=files)
    assert hits(worker, session) == hits(in_memory(session), session)
    assert (worker.rebuilds, worker.file_loads) == (1, 1)
    manifest = index_file.read_manifest(files.directory(session))
    assert OutboxMark.from_json(manifest.extra["outbox"]) == head


def test_a_worker_with_many_changes_writes_a_new_file(session, world, listed, tmp_path, monkeypatch):
    files = IndexFiles(tmp_path)
    worker = NameIndex(default_matcher, files=files, max_lag=0)
    other = NameIndex(default_matcher, files=files, max_lag=0)
    worker.ensure_fresh(session)
    other.ensure_fresh(session)
    monkeypatch.setattr(NamePartsMatcher, "needs_compaction", lambda self: True)
    newcomer = factories.make_entity(session, "嘉兴恒通物流有限公司")
    factories.make_list_entry(session, world.finance, newcomer)
    asked = [*ASKED, "嘉兴恒通物流有限公司"]
    expected = hits(in_memory(session), session, asked)
    assert hits(worker, session, asked) == expected
    assert worker.file_loads == 2  # wrote its index, changes merged, and mapped it
    manifest = index_file.read_manifest(files.directory(session))
    assert OutboxMark.from_json(manifest.extra["outbox"]) == read_head(session)
    monkeypatch.setattr(NamePartsMatcher, "needs_compaction", lambda self: False)
    assert hits(other, session, asked) == expected
    assert other.file_loads == 2  # noticed the new file


def test_where_the_files_live(tmp_path):
    app = Flask("t", instance_path=str(tmp_path))
    assert index_directory(app) == tmp_path / "index"
    app.testing = True
    assert index_directory(app) is None  # the suite's databases come and go: on only when asked
    app.config["INDEX_DIR"] = "shared"
    assert index_directory(app) == tmp_path / "shared"
    app.config["INDEX_DIR"] = "/srv/registry/index"
    assert index_directory(app) == Path("/srv/registry/index")
    app.config["INDEX_DIR"] = "off"
    assert index_directory(app) is None


def test_the_suite_app_keeps_its_index_in_memory(app, session, listed, runtime):
    runtime.name_index.ensure_fresh(session)
    assert runtime.name_index.file_loads == 0


def test_the_command_deletes_other_releases_directories_once_unused(app, session, listed, tmp_path):
    import os

    old, recent = tmp_path / "0123456789abcdef-0123456789abcdef", tmp_path / "fedcba9876543210-0123456789abcdef"
    for directory in (old, recent):
        directory.mkdir()
        (directory / "build.lock").write_text("")
        (directory / "manifest.json").write_text("{}")
    os.utime(old / "manifest.json", (time.time() - 10 * 86400, time.time() - 10 * 86400))
    (tmp_path / "notes").mkdir()  # not an index directory
    result = app.test_cli_runner().invoke(index_cli.build_index, ["--directory", str(tmp_path), "--keep-days", "7"])
    assert result.exit_code == 0, result.output
    assert f"deleted {old}" in result.output
    assert not old.exists()
    assert recent.exists()
    assert (tmp_path / "notes").exists()
    assert IndexFiles(tmp_path).directory(session).exists()


def test_the_command_refuses_in_chinese_when_index_files_are_off(app, session):
    """The suite's app keeps its index in memory (index files off): with no --directory, nothing to build into."""
    result = app.test_cli_runner().invoke(index_cli.build_index, [])
    assert result.exit_code == 2
    assert "错误：索引文件已关闭（REGISTRY_INDEX_DIR=off），请用 --directory 指定目录。" in result.stderr


def test_the_command_refuses_in_chinese_when_another_holds_the_lock(app, session, listed, tmp_path):
    files = IndexFiles(tmp_path)
    with files.lock(session).held(0) as locked:
        assert locked
        result = app.test_cli_runner().invoke(index_cli.build_index, ["--directory", str(tmp_path), "--wait", "0"])
    assert result.exit_code == 2
    assert f"错误：另一进程占用 {files.directory(session)} 的锁已达 0 秒，本次未构建索引。" in result.stderr
