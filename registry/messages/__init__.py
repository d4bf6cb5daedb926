"""Messages people read (提示信息), from one catalogue, in Chinese for people and English for developers.

The English text in the code is the message's id, as in gettext; `zh_Hans.po` beside this module
holds the Chinese for each, read with Babel (`babel.messages.pofile`), and `make lint` checks that
every message the code raises has its Chinese (`tests/registry/test_messages.py`). A message with
values is written `msg("list entry {id} is {status}", id=7, status="removed")`: the template, not
the filled-in text, is looked up, and values that are messages themselves are rendered in the same
language. Plain text that is no message id (a name, a code) passes through unchanged.

Where the language is chosen: the API answers `message` and `errors` in the language the request
prefers (`Accept-Language`; Chinese when it names neither), and always `message_en` and
`errors_en` in English (api/errors.py); pages and the CLI render Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALES = ("zh", "en")  # what a caller may ask for; the first is the default
DEFAULT_LOCALE = "zh"
CATALOGUE = Path(__file__).with_name("zh_Hans.po")


@runtime_checkable
class Renderable(Protocol):
    """Something that reads differently in each language (a message with values, a summary)."""

    def render(self, locale: str) -> str: ...


Text = str | Renderable


@dataclass(frozen=True)
class Msg:
    """A message with values: `template` is its id (English, with `{name}` placeholders)."""

    template: str
    params: tuple[tuple[str, object], ...] = ()

    def render(self, locale: str) -> str:
        values = {name: render(value, locale) if isinstance(value, Msg | str) else value for name, value in self.params}
        return translate(self.template, locale).format(**values)

    def __str__(self) -> str:
        return self.render("en")


def msg(template: str, **params: object) -> Msg:
    """A message from the catalogue, with its values."""
    return Msg(template, tuple(params.items()))


@dataclass(frozen=True)
class InvalidSummary:
    """The one-line summary of refused input ("invalid input: field: reason; …"), for a log or a
    CLI: each reason in the language asked for."""

    errors: tuple[tuple[str, tuple[Text, ...]], ...]

    def render(self, locale: str) -> str:
        parts = [f"{field}: {' '.join(render(r, locale) for r in reasons)}" for field, reasons in self.errors]
        return render(msg("invalid input: {details}", details="; ".join(parts)), locale)

    def __str__(self) -> str:
        return self.render("en")


def summary(errors: Mapping[str, Sequence[Text]]) -> InvalidSummary:
    return InvalidSummary(tuple((field, tuple(reasons)) for field, reasons in errors.items()))


@cache
def _catalogue() -> Catalog:
    with CATALOGUE.open("rb") as fh:
        return read_po(fh, locale="zh_Hans_CN")


def translate(text: str, locale: str) -> str:
    """The catalogue's Chinese for a message id (`locale` "zh"), or the text itself."""
    if locale == "en":
        return text
    found = _catalogue().get(text)
    return str(found.string) if found is not None and found.string else text


def render(value: Text, locale: str) -> str:
    """A message, a summary or plain text, in `locale`."""
    if isinstance(value, str):
        return translate(value, locale)
    return value.render(locale)


def render_errors(errors: Mapping[str, Sequence[Text]], locale: str) -> dict[str, list[str]]:
    return {field: [render(r, locale) for r in reasons] for field, reasons in errors.items()}


def untranslated(ids: Iterable[str]) -> list[str]:
    """Of these message ids, those the catalogue has no Chinese for (for the check in the tests)."""
    catalogue = _catalogue()
    return sorted({i for i in ids if not ((found := catalogue.get(i)) is not None and found.string)})
