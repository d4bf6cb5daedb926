"""The front page: the public search box, and where each role goes."""

from __future__ import annotations

from flask import Blueprint, render_template

from registry.records.public_lookup import MAX_QUERY

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    """首页."""
    return render_template("home.html", max_query=MAX_QUERY)
