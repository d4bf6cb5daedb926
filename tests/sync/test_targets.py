"""The push targets file: every mistake is refused with the target and setting named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from sync.targets import Target, TargetConfigError, load_targets, parse_schedule

SECRET = "s3cret-s3cret-s3cret"


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_a_full_target_is_read_with_its_settings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f'''
[targets.provincial]
url = "https://credit.example.test/receive"
secret = "{SECRET}"
schedule = "*/5 * * * *"
batch_size = 200
format = "json-zh"
timeout_seconds = 12.5
attempts = 3
reject_limit = 2
''',
    )
    [target] = load_targets(path)
    assert target == Target(
        name="provincial",
        url="https://credit.example.test/receive",
        secret=SECRET,
        schedule="*/5 * * * *",
        batch_size=200,
        format="json-zh",
        timeout_seconds=12.5,
        attempts=3,
        reject_limit=2,
    )
    assert isinstance(target.trigger(), CronTrigger)


def test_defaults_and_a_secret_from_the_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[targets.national]\nurl = "http://127.0.0.1:9/receive"\nsecret_env = "NATIONAL_SECRET"\n', mode=0o644
    )  # no secret in the file: readable by others is fine
    [target] = load_targets(path, environ={"NATIONAL_SECRET": SECRET})
    assert (target.secret, target.schedule, target.batch_size, target.format) == (SECRET, "every 60s", 500, "json")
    trigger = target.trigger()
    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval.total_seconds() == 60


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('url = "ftp://x/receive"\nsecret = "{s}"', "url: must be an http"),
        ('secret = "{s}"', "url: is required"),
        ('url = "http://x/r"', "secret: is required"),
        ('url = "http://x/r"\nsecret = "short"', "secret: must be at least 16"),
        ('url = "http://x/r"\nsecret_env = "MISSING_VARIABLE"', "MISSING_VARIABLE is not set"),
        ('url = "http://x/r"\nsecret = "{s}"\nsecret_env = "X"', "give secret or secret_env, not both"),
        ('url = "http://x/r"\nsecret = "{s}"\nbatch_size = 0', "batch_size: must be a whole number from 1 to 5000"),
        ('url = "http://x/r"\nsecret = "{s}"\nbatch_size = 9000', "batch_size"),
        ('url = "http://x/r"\nsecret = "{s}"\nbatch_size = true', "batch_size"),
        ('url = "http://x/r"\nsecret = "{s}"\nformat = "xml"', "format: must be one of json, json-zh"),
        ('url = "http://x/r"\nsecret = "{s}"\nschedule = "sometimes"', "schedule: is neither"),
        ('url = "http://x/r"\nsecret = "{s}"\nschedule = "every 0s"', "schedule"),
        ('url = "http://x/r"\nsecret = "{s}"\ntimeout_seconds = -1', "timeout_seconds"),
        ('url = "http://x/r"\nsecret = "{s}"\nbatchsize = 5', "batchsize: unknown setting"),
    ],
)
def test_each_mistake_names_the_target_and_setting(tmp_path: Path, body: str, named: str) -> None:
    path = write(tmp_path, "[targets.t1]\n" + body.format(s=SECRET) + "\n")
    with pytest.raises(TargetConfigError) as caught:
        load_targets(path, environ={})
    assert "target 't1'" in str(caught.value)
    assert named in str(caught.value)


def test_a_secret_in_a_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, f'[targets.t1]\nurl = "http://x/r"\nsecret = "{SECRET}"\n', mode=0o644)
    with pytest.raises(TargetConfigError, match="readable by other users"):
        load_targets(path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no [targets.NAME] table"),
        ("[targets", "not valid TOML"),
        (f'[other]\nx = 1\n[targets.a]\nurl = "http://x/r"\nsecret = "{SECRET}"', "unknown top-level setting(s) other"),
        (f'[targets.Bad_Name]\nurl = "http://x/r"\nsecret = "{SECRET}"', "name: use 1 to 64 lower-case"),
    ],
)
def test_the_file_itself_is_checked(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(TargetConfigError, match=problem.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        load_targets(write(tmp_path, text))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TargetConfigError, match="cannot read the sync targets file"):
        load_targets(tmp_path / "nope.toml")


@pytest.mark.parametrize(("schedule", "seconds"), [("every 30s", 30), ("every 5 min", 300), ("every 2h", 7200)])
def test_interval_schedules(schedule: str, seconds: int) -> None:
    trigger = parse_schedule(schedule)
    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval.total_seconds() == seconds
