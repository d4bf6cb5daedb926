"""Domain errors. Each carries its HTTP status as a class attribute; `api.errors` renders them once.

The status is read from the class (never bound as a default argument) so that a subclass's
status is the one that reaches the client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from registry.messages import Text, render, summary


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
