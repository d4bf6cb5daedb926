"""The application factory: configuration, then each package registers itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: at most 2^31 − 1, the widest value a path id (an INTEGER
    primary key on PostgreSQL, a year) can hold.

    werkzeug's own accepts any length, and a 30-digit id then failed in the database (SQLite:
    "Python int too large"; PostgreSQL: "integer out of range") as a 500; now it matches no
    route: a 404.
    """

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then REGISTRY_* environment variables, then `config`."""
    app = Flask("registry_app", root_path=str(Path(__file__).parent), instance_path=_instance_path())
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.config.from_mapping(
        DATABASE_URL=None,
        DATA_KEY=None,
        # Signs the evidence tree's anchors: 64 hex digits of an Ed25519 private key (REGISTRY_SIGNING_KEY;
        # else generated into instance/signing_key). Its public half is GET /api/v1/evidence/key.
        SIGNING_KEY=None,
        # `flask sync run` anchors new screenings this often (seconds; 0 < n ≤ 3600).
        ANCHOR_SECONDS=1,
        # `flask sync run` checks changes against the watched bidders this often (seconds; 0 < n ≤ 3600).
        WATCH_SECONDS=1,
        # 专项信用报告 PDFs: a CJK TrueType font file (None: the first of api/credit_report_pdf.FONT_CANDIDATES).
        REPORT_FONT=None,
        # Screenings of one process are committed together, one transaction for all waiting
        # (registry/screening/writer.py): true, false (each in its request's transaction), or
        # "auto": on SQLite only (docs/performance.md has the figures).
        GROUP_COMMIT="auto",
        CATALOGUE_DIR=None,
        # A cached API key is trusted this long: a revocation reaches every worker within it.
        KEY_CACHE_SECONDS=5,
        # Per caller (API key, else client address) and per worker process: see api/ratelimit.py.
        # "N/second|minute|hour"; 0 turns a limit off.
        RATE_LIMIT_SCREENING="60/minute",  # POST /api/v1/screenings and the screening page
        RATE_LIMIT_SEARCH="120/minute",  # GET /api/v1/entities and the public /search page
        RATE_LIMIT_REPORTS="20/minute",  # POST /api/v1/credit-reports and the public report page
        # A worker asks the database for outbox events (other workers' changes) at most this often.
        INDEX_MAX_LAG_SECONDS=1,
        # Where the machine's name-index file lives (one copy mapped by every worker; `flask registry
        # build-index`); None: instance/index; "off": each worker keeps its own index in memory.
        INDEX_DIR=None,
        # Records marked not public (保密审查) go to the credit platform only if this is set.
        SYNC_INCLUDE_NOT_PUBLIC=False,
        # The push targets file (TOML, docs/sync.md); `flask sync run` needs it.
        SYNC_TARGETS=None,
        # 数据来源单位 of the records this registry itself keeps (entities, authorities).
        DATA_SOURCE_NAME=None,
        DATA_SOURCE_USCC=None,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        # Signs the pages' session cookie (REGISTRY_SECRET_KEY; else generated into instance/secret_key).
        SECRET_KEY=None,
        # The pages' session cookie goes over HTTPS only; set false only for plain-HTTP development.
        SESSION_COOKIE_SECURE=True,
        # Personal accounts (docs/accounts.md). A page session ends after this many minutes without
        # a page, and this many hours after sign-in whatever happens.
        SESSION_IDLE_MINUTES=30,
        SESSION_MAX_HOURS=12,
        # This many failed sign-ins in a row lock an account (or a name no account has) for
        # LOCKOUT_MINUTES; a failure older than that no longer counts.
        LOCKOUT_ATTEMPTS=5,
        LOCKOUT_MINUTES=15,
        # A password older than this many days must be changed at sign-in (定期更换); 0: never.
        PASSWORD_MAX_AGE_DAYS=90,
        # The roles whose API keys may sign in to the pages (使用密钥登录), comma-separated: people use
        # their own accounts, so every audit row names the person; "" turns key sign-in off.
        PAGE_KEY_ROLES="admin",
        JSON_SORT_KEYS=False,
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (werkzeug's
        # ProxyFix); 0 trusts none. Behind one proxy set 1, or every anonymous caller shares the
        # proxy's address (one rate-limit bucket) and redirects say http.
        TRUSTED_PROXIES=0,
    )
    app.config.from_prefixed_env("REGISTRY")
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"] or (
        "sqlite:///" + str(Path(app.instance_path) / "registry.database")
    )
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})

    import api
    import api.pages
    import registry
    import sync

    registry.init_app(app)
    api.init_app(app)
    api.pages.init_app(app)
    sync.init_app(app)
    return app


def _instance_path() -> str:
    return str(Path(__file__).resolve().parent.parent / "instance")
