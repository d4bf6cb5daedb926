"""The one error a catalogue file raises when it is malformed."""

from __future__ import annotations


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file and the entry."""
