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
from typing import Protocol, cast, runtime_checkable

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALES = ("zh", "en")  # what a caller may ask for; the first is the default
DEFAULT_LOCALE = "zh"
CATALOGUE = Path(__file__).with_name("zh_Hans.po")


@runtime_checkable
class Renderable(Protocol):
    """Something that reads differently in each language (a message with values, a summary)."""

    def render(self, locale: str) -> str: ...


class Templated(Protocol):
    """A template and its values, rendered as a `Msg` is: a `Msg`, or an `Explanation` of the
    matcher (matching.types), which cannot import this catalogue."""

    @property
    def template(self) -> str: ...

    @property
    def params(self) -> tuple[tuple[str, object], ...]: ...


Text = str | Renderable


@dataclass(frozen=True)
class Msg:
    """A message with values: `template` is its id (English, with `{name}` placeholders)."""

    template: str
    params: tuple[tuple[str, object], ...] = ()

    def render(self, locale: str) -> str:
        return fill(self, locale)

    def __str__(self) -> str:
        return self.render("en")


def fill(message: Templated, locale: str) -> str:
    """A template in `locale` with its values filled in: text and messages among them in the same
    language, numbers as the placeholder's format spec says (`{ratio:.2f}`)."""
    values = {name: _value(value, locale) for name, value in message.params}
    return translate(message.template, locale).format(**values)


def _value(value: object, locale: str) -> object:
    if isinstance(value, str):
        return translate(value, locale)
    if isinstance(value, int | float):  # the usual values first: no protocol check for them
        return value
    if isinstance(value, Msg):
        return fill(value, locale)
    if isinstance(getattr(value, "template", None), str) and hasattr(value, "params"):
        return fill(cast(Templated, value), locale)
    if isinstance(value, Renderable):
        return value.render(locale)
    return value


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
    """`zh_Hans.po`, then every other `.po` file beside it (`screening.po` …), in name order; an id
    already read keeps its first Chinese."""
    with CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="zh_Hans_CN")
    for path in sorted(CATALOGUE.parent.glob("*.po")):
        if path != CATALOGUE:
            with path.open("rb") as fh:
                for message in read_po(fh, locale="zh_Hans_CN"):
                    if message.id and message.id not in catalogue:
                        catalogue[message.id] = message
    return catalogue


def translate(text: str, locale: str) -> str:
    """The catalogue's Chinese for a message id (`locale` "zh"), or the text itself."""
    if locale == "en":
        return text
    found = _catalogue().get(text)
    return str(found.string) if found is not None and found.string else text


def render(value: Text | Templated, locale: str) -> str:
    """A message, a summary, an explanation (anything with `template` and `params`) or plain text,
    in `locale`."""
    if isinstance(value, str):
        return translate(value, locale)
    if isinstance(value, Msg) or isinstance(getattr(value, "template", None), str):
        return fill(cast(Templated, value), locale)  # no protocol check: it costs more than the rendering
    return cast(Renderable, value).render(locale)


def render_errors(errors: Mapping[str, Sequence[Text]], locale: str) -> dict[str, list[str]]:
    return {field: [render(r, locale) for r in reasons] for field, reasons in errors.items()}


def untranslated(ids: Iterable[str]) -> list[str]:
    """Of these message ids, those the catalogue has no Chinese for (for the check in the tests)."""
    catalogue = _catalogue()
    return sorted({i for i in ids if not ((found := catalogue.get(i)) is not None and found.string)})
