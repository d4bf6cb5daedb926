"""Sync to the credit platform (信用中国 / 全国信用信息共享平台): the pull feed, exports and push.

Reads only the outbox (`registry.models.ChangeEvent`): it never diffs tables.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register `flask sync …` (the scheduler runs in its own process, never in web workers)."""
    from sync.cli import sync_cli

    app.cli.add_command(sync_cli)
