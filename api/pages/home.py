"""The front page: what the registry is and where to go."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    """首页."""
    return render_template("home.html")
