"""Domain errors. Each carries its HTTP status as a class attribute; `api.errors` renders them once.

The status is read from the class (never bound as a default argument) so that a subclass's
status is the one that reaches the client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from registry.messages import Text, render, summary


@dataclass(frozen=True)
class Details:
    """Reasons by field on one line ("field: reason; field: reason"), each in the language asked
    for: a message's value where the message says what was refused as a whole."""

    errors: tuple[tuple[str, tuple[Text, ...]], ...]

    def render(self, locale: str) -> str:
        return "; ".join(f"{field}: {' '.join(render(r, locale) for r in reasons)}" for field, reasons in self.errors)

    def __str__(self) -> str:
        return self.render("en")


def said(errors: Mapping[str, Sequence[Text]]) -> Details:
    return Details(tuple((field, tuple(reasons)) for field, reasons in errors.items()))


@dataclass(frozen=True)
class Together:
    """Several reasons said one after the other, each in the language asked for."""

    parts: tuple[Text, ...]

    def render(self, locale: str) -> str:
        return " ".join(render(part, locale) for part in self.parts)

    def __str__(self) -> str:
        return self.render("en")


def together(reasons: Sequence[Text]) -> Text:
    """One reason as it is; several as one text."""
    return reasons[0] if len(reasons) == 1 else Together(tuple(reasons))


class RegistryError(Exception):
    """Base of every error the domain raises on purpose."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad Request"

    def __init__(self, message: Text, errors: Mapping[str, Sequence[Text]] | None = None) -> None:
        english = render(message, "en")
        super().__init__(english)
        self.message = english  # for logs and developers; `text` and `reasons` render in any language
        self.text = message
        self.reasons: dict[str, list[Text]] = {k: list(v) for k, v in (errors or {}).items()}
        self.errors: dict[str, list[str]] = {k: [render(r, "en") for r in v] for k, v in self.reasons.items()}


class Refusal(ValueError):
    """A value refused below the services (a code, a document number, a cell of an import): the
    reason as a catalogue message (`text`, also `args[0]`), which a service passes on as a field's
    reason; `str()` is the English."""

    def __init__(self, text: Text) -> None:
        super().__init__(text)

    @property
    def text(self) -> Text:
        return self.args[0]  # type: ignore[no-any-return]

    def __str__(self) -> str:
        return render(self.text, "en")


class InvalidInput(RegistryError):
    """The input is well-formed but breaks a rule; `errors` names each field and why."""

    status = 422
    title = "Unprocessable Entity"

    @classmethod
    def field(cls, field: str, reason: Text) -> InvalidInput:
        return cls(summary({field: [reason]}), {field: [reason]})


class NotAuthenticated(RegistryError):
    status = 401
    title = "Unauthorized"


class NotPermitted(RegistryError):
    """The caller is known but this is outside its role or authority (谁批准、谁公开)."""

    status = 403
    title = "Forbidden"


class NotFound(RegistryError):
    status = 404
    title = "Not Found"


class Conflict(RegistryError):
    """The change contradicts the registry's current state (a duplicate, a finished record)."""

    status = 409
    title = "Conflict"


class StaleVersion(RegistryError):
    """The caller's If-Match names an older version: applying the change would lose a write."""

    status = 412
    title = "Precondition Failed"


class VersionRequired(RegistryError):
    """An update came without If-Match; the registry never applies a blind overwrite."""

    status = 428
    title = "Precondition Required"
