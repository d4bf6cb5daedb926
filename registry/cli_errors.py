"""How the `flask registry …` and `flask sync …` commands refuse: the message in Chinese, from the one
catalogue (registry/messages), each field's reason on a line of its own, nothing written (the session
is rolled back) and a non-zero exit (2 unless told otherwise).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import NoReturn

import click

from registry.database import db
from registry.errors import RegistryError
from registry.messages import InvalidSummary, Text, msg, render


def say(text: Text) -> str:
    """A message as a person at the terminal reads it: in Chinese."""
    return render(text, "zh")


def refuse(
    message: Text,
    reasons: Mapping[str, Sequence[Text]] | None = None,
    *,
    names: Mapping[str, str] | None = None,
    code: int = 2,
) -> NoReturn:
    """Print the refusal on stderr in Chinese (`names`: how each field is called there) and exit."""
    db.session.rollback()
    click.echo(say(msg("error: {message}", message=message)), err=True)
    for field, texts in (reasons or {}).items():
        for text in texts:
            click.echo(f"  {(names or {}).get(field, field)}：{say(text)}", err=True)
    sys.exit(code)


def refuse_error(exc: RegistryError, *, names: Mapping[str, str] | None = None, code: int = 2) -> NoReturn:
    """A domain error's refusal: its message and its reasons field by field (refused input, whose
    one-line message repeats its reasons, is headed by a line of its own)."""
    if exc.reasons and isinstance(exc.text, InvalidSummary):
        refuse("the input was refused", exc.reasons, names=names, code=code)
    # A reason that is the message itself (a file refused as a whole) is said once.
    reasons = {field: [r for r in texts if r is not exc.text] for field, texts in exc.reasons.items()}
    refuse(exc.text, {field: texts for field, texts in reasons.items() if texts}, names=names, code=code)
