"""The message catalogue (registry/messages): Chinese for people, English for developers, one place."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

import tests.message_sites as message_sites_module
from api.errors import library_message
from registry.errors import InvalidInput
from registry.messages import CATALOGUE, msg, render, summary, translate, untranslated
from tests.message_sites import message_sites


def test_a_message_with_values_is_looked_up_by_its_template_and_filled_in_each_language() -> None:
    refused = msg(
        "too many {what} from {who}: the limit is {count}/{period}; retry in {seconds} s",
        what="screenings",
        who="this API key",
        count=2,
        period="minute",
        seconds=30,
    )
    assert render(refused, "zh") == "此密钥的资格审查请求过于频繁（每分钟最多 2 次），请 30 秒后再试。"
    assert render(refused, "en") == "too many screenings from this API key: the limit is 2/minute; retry in 30 s"
    assert str(refused) == render(refused, "en")


def test_text_that_is_no_message_id_passes_through() -> None:
    assert translate("杭州原子建设工程有限公司", "zh") == "杭州原子建设工程有限公司"
    assert translate("Missing data for required field.", "en") == "Missing data for required field."
    assert untranslated(["Missing data for required field.", "no such message id"]) == ["no such message id"]


def test_a_domain_error_keeps_english_for_logs_and_renders_chinese_for_people() -> None:
    exc = InvalidInput.field("uscc", "Missing data for required field.")
    assert exc.message == "invalid input: uscc: Missing data for required field."
    assert exc.errors == {"uscc": ["Missing data for required field."]}
    assert render(exc.text, "zh") == "输入有误：uscc: 必填项，不能为空。"
    assert render(summary(exc.reasons), "en") == exc.message


@pytest.mark.parametrize("path", sorted(CATALOGUE.parent.glob("*.po")), ids=lambda p: p.name)
def test_every_entry_of_the_catalogue_has_chinese_and_keeps_its_placeholders(path) -> None:
    """zh_Hans.po and every other catalogue file beside it (screening.po …), which the catalogue merges."""
    with path.open("rb") as fh:
        catalogue = read_po(fh)
    entries = [m for m in catalogue if m.id]
    assert len(entries) >= (20 if path == CATALOGUE else 1)
    for m in entries:
        assert m.string, f"no Chinese for {m.id!r}"
        ids = {part.split("}")[0] for part in str(m.id).split("{")[1:]}
        found = {part.split("}")[0] for part in str(m.string).split("{")[1:]}
        assert ids == found, f"{m.id!r}: placeholders {ids} in English, {found} in Chinese"


@pytest.mark.parametrize(
    ("language", "message", "reason"),
    [
        (None, "输入有误：", "未知字段。"),
        ("zh-CN,zh;q=0.9", "输入有误：", "未知字段。"),
        ("en-US,en;q=0.9", "invalid input: ", "Unknown field."),
        ("fr-FR, en;q=0.5", "invalid input: ", "Unknown field."),
        ("fr-FR", "输入有误：", "未知字段。"),
    ],
)
def test_the_api_answers_in_the_language_asked_for_and_always_in_english_too(
    client: FlaskClient, language: str | None, message: str, reason: str
) -> None:
    headers = {"Accept-Language": language} if language else {}
    r = client.get("/api/v1/entities?staus=active", headers=headers)
    assert r.status_code == 422
    assert r.json["message"].startswith(message)
    assert r.json["errors"] == {"staus": [reason]}
    assert r.json["message_en"] == "invalid input: staus: Unknown field."
    assert r.json["errors_en"] == {"staus": ["Unknown field."]}


@pytest.mark.parametrize(
    ("said", "chinese"),
    [
        ("Length must be between 1 and 1000.", "长度（字符数或项数）须在 1 至 1000 之间。"),
        ("Longer than maximum length 200.", "长度（字符数或项数）不能超过 200。"),
        ("Must be one of: block.", "须为以下之一：block。"),  # a code, even where it is a message id too
        ("Must be greater than or equal to 0 and less than or equal to 999.", "须在 0 至 999 之间（含两端）。"),
        ("Must be greater than or equal to 1.", "不能小于 1。"),
        ("Not a valid integer.", "应为整数。"),  # the library's fixed messages, as they are
    ],
)
def test_marshmallows_filled_in_messages_are_read_back_into_their_templates(said: str, chinese: str) -> None:
    message = library_message(said)
    assert (render(message, "zh"), render(message, "en")) == (chinese, said)


# --- every message the code says is in the catalogue (tests/message_sites.py finds them) -----------------

# The scan covers registry/ (registry/screening/ included), sync/ and api/; matching/, a pure library below
# the catalogue, says its match explanations as `explain(…)` templates, held to the catalogue by
# tests/registry/test_screening_messages.py. What the scan leaves alone on purpose: the pages' own Chinese
# (api/pages write their form errors in Chinese, no catalogue id), and diagnostics that refuse nothing (a
# screening's verification `problems`, `flask registry build-index --check`'s report, log lines).


def test_every_message_the_code_says_has_its_chinese() -> None:
    sites = [s for s in message_sites() if s.text is not None]
    assert len(sites) > 400  # the scan finds the sites: msg(…) and the domain errors' texts
    missing = set(untranslated(s.text for s in sites if s.text is not None))
    assert [str(s) for s in sites if s.text in missing] == []


def test_no_message_is_computed_where_it_is_said() -> None:
    """An f-string (or a concatenation, a .format) has no template to look up: `msg("… {name} …", name=…)`."""
    computed = [s for s in message_sites() if s.text is None]
    assert [str(s) for s in computed] == []


def test_the_scan_finds_what_it_must(tmp_path, monkeypatch) -> None:
    """An English-only message, an f-string and a reason in an errors dict are each found, wherever they
    are said: as a domain error's message, a field's reason, a refusal's or a msg's template."""
    package = tmp_path / "registry"
    package.mkdir()
    (package / "errors.py").write_text("class RegistryError(Exception): ...\nclass Refusal(ValueError): ...\n")
    (package / "made_up.py").write_text(
        "from registry.errors import RegistryError, Refusal\n"
        "class Clash(RegistryError): ...\n"
        "class OddCode(Refusal): ...\n"
        "NAMED = 'a named message nobody translated'\n"
        "def f(n):\n"
        "    raise Clash('an English-only message', {'field': ['an English-only reason']})\n"
        "def g(n):\n"
        "    raise Clash.field('x', f'{n} is computed')\n"
        "def h(n):\n"
        "    raise OddCode(NAMED)\n"
        "def i(n):\n"
        "    return msg('must not be empty')\n"
        "def j(n, errors):\n"
        "    errors.setdefault('a', []).append('a gathered reason nobody translated')\n"
        "    errors['b'] = [f'{n} gathered and computed']\n"
        "    raise fail('setting', 'a reason of a made-up setting')\n"
    )
    monkeypatch.setattr(message_sites_module, "ROOT", tmp_path)
    sites = {(s.line, s.text) for s in message_sites()}
    assert sites == {
        (6, "an English-only message"),
        (6, "an English-only reason"),
        (8, None),
        (10, "a named message nobody translated"),
        (12, "must not be empty"),
        (14, "a gathered reason nobody translated"),
        (15, None),
        (16, "a reason of a made-up setting"),
    }
    assert untranslated(text for _, text in sites if text) == sorted(
        [
            "a gathered reason nobody translated",
            "a named message nobody translated",
            "a reason of a made-up setting",
            "an English-only message",
            "an English-only reason",
        ]
    )


def test_the_scan_reaches_the_screening_requests_gathered_reasons() -> None:
    """registry/screening is scanned like the rest: the reasons a screening request gathers field by field
    (request.py, person_links.py) are found, each a catalogue message, none computed where it is said."""
    screening = [s for s in message_sites() if s.path.startswith("registry/screening/")]
    gathered = {s.text for s in screening if s.path.endswith(("request.py", "person_links.py"))}
    assert {"a subject needs a name or a 统一社会信用代码 (uscc)", "id_type needs id_number"} <= gathered
    assert {"invalid ID document number: {why}", "give 1 to {most} subjects, got {got}"} <= gathered
    assert [str(s) for s in screening if s.text is None] == []
    assert untranslated(s.text for s in screening if s.text is not None) == []
