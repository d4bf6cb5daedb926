"""The HTTP reference point: a minimal Flask JSON endpoint, served by gunicorn like the registry.

It parses the same screening request body and answers with a small JSON document, doing
nothing else, so its requests per second are what Flask, gunicorn and the client cost alone.
Serve it with `gunicorn 'benchmarks.minimal_app:create_app()'`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request


def create_app() -> Flask:
    """A Flask app with POST /api/v1/screenings echoing one clear decision per subject."""
    app = Flask(__name__)

    @app.get("/readyz")
    def readyz() -> Any:
        return {"status": "ok"}

    @app.post("/api/v1/screenings")
    def screen() -> Any:
        body = request.get_json()
        subjects = body.get("subjects", []) if isinstance(body, dict) else []
        return {
            "decision": "clear",
            "subjects": [{"name": s.get("name"), "decision": "clear", "hits": []} for s in subjects],
        }, 201

    return app
