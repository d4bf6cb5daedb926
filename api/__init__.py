"""HTTP only: blueprints, schemas, authentication, error handling. Rules live in `registry`."""

from __future__ import annotations

from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from api import errors, hostile, lifecycle, ratelimit
from api.resources import (
    authorities,
    calendar,
    credit_reports,
    entities,
    evidence,
    exports,
    feed,
    health,
    history,
    imports,
    licences,
    list_entries,
    measures,
    monitoring,
    penalties,
    repairs,
    reports,
    screenings,
    sync_status,
)
from api.schemas.common import Amount
from api.smorest import Api

API_PREFIX = "/api/v1"


def init_app(app: Flask) -> None:
    """Register the JSON API, its OpenAPI document and docs page, and the health checks."""
    app.config.setdefault("API_TITLE", "Credit registry for public resource trading (公共资源交易信用登记)")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    # The docs page loads Swagger UI from this server, not from a CDN: registries run on closed networks.
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", f"{API_PREFIX}/docs/assets/")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "components": {"securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}}},
            "security": [{"apiKey": []}, {}],
        },
    )

    errors.init_app(app)
    hostile.init_app(app)  # before lifecycle: its checks run before a key is looked up
    lifecycle.init_app(app)
    ratelimit.init_app(app)
    api = Api(app)
    # Amounts travel as decimal strings ("0.5"), never binary floats: say so in the document.
    api.ma_plugin.map_to_openapi_type(Amount, "string", "decimal")
    for module in (
        authorities,
        calendar,
        entities,
        list_entries,
        penalties,
        repairs,
        history,
        reports,
        measures,
        screenings,
        evidence,
        feed,
        exports,
        imports,
        monitoring,
        credit_reports,
        licences,
    ):
        api.register_blueprint(module.blp)
    api.register_blueprint(sync_status.blp)
    api.document_errors()
    app.register_blueprint(sync_status.metrics_blp)
    app.register_blueprint(health.blp)

    @app.get(f"{API_PREFIX}/docs/assets/<path:filename>")
    def swagger_assets(filename: str):  # type: ignore[no-untyped-def]
        return send_from_directory(str(swagger_ui_path), filename)
