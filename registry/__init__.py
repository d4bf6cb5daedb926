"""The registry domain: models, rules and services (no Flask request objects here)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate

from registry.access import KeyCache
from registry.accounts.settings import AccountSettings, SecretBox
from registry.catalogue import load_catalogue
from registry.clock import Clock
from registry.codes.idnumber import IdentityVault
from registry.database import db, enable_sqlite_transactions
from registry.evidence.signing import EvidenceSigner, new_private_key_hex
from registry.runtime import Runtime
from registry.screening.dossiers import DossierCache
from registry.screening.measures import load_measures
from registry.screening.name_index import NameIndex, default_matcher
from registry.screening.writer import ScreeningWriter

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
migrate = Migrate()
log = logging.getLogger(__name__)


def instance_secret(
    app: Flask, setting: str, file_name: str, generate: Callable[[], str] = lambda: secrets.token_urlsafe(32)
) -> str:
    """A secret from REGISTRY_<setting>, else one generated once into instance/<file_name> (mode 600)."""
    configured = app.config.get(setting)
    if configured:
        return str(configured)
    path = Path(app.instance_path) / file_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker created it first: read theirs
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(generate())
            log.warning("REGISTRY_%s is not set; created %s. Set it in production and keep it safe.", setting, path)
    return path.read_text().strip()


def _data_key(app: Flask) -> str:
    """The secret that protects ID numbers: from REGISTRY_DATA_KEY, else a key file in instance/."""
    return instance_secret(app, "DATA_KEY", "data_key")


def _signer(app: Flask) -> EvidenceSigner:
    """The key that signs evidence anchors: REGISTRY_SIGNING_KEY, else a key file in instance/."""
    return EvidenceSigner.from_hex(instance_secret(app, "SIGNING_KEY", "signing_key", new_private_key_hex))


def _seconds(app: Flask, name: str, *, least: float = 0) -> float:
    """A duration setting (REGISTRY_<name>), checked at start: a typo must not start a server."""
    raw = app.config[name]
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"REGISTRY_{name} must be a number of seconds, got {raw!r}") from None
    if not least <= value <= 3600:
        raise ValueError(f"REGISTRY_{name} must be between {least:g} and 3600 seconds, got {raw!r}")
    return value


def _screening_writer(app: Flask) -> ScreeningWriter | None:
    """The process's group committer of screenings (REGISTRY_GROUP_COMMIT: true, false, or "auto":
    on SQLite only, where writers queue for one lock; PostgreSQL commits concurrent transactions
    side by side and already flushes them together, and measured no faster with it)."""
    setting = app.config["GROUP_COMMIT"]
    if setting not in (True, False, "auto"):
        raise ValueError(f'REGISTRY_GROUP_COMMIT must be true, false or "auto", got {setting!r}')
    with app.app_context():
        engine = db.engine
        wanted = setting is True or (setting == "auto" and engine.dialect.name == "sqlite")
        return ScreeningWriter(engine) if wanted else None


def init_app(app: Flask) -> None:
    """Bind the database, migrations, services and the `flask registry` commands to `app`."""
    from registry import cli, models  # noqa: F401  (models must be imported before migrations look)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            enable_sqlite_transactions(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(MIGRATIONS_DIR),
        compare_type=True,
        compare_server_default=True,
        render_as_batch=True,  # SQLite alters tables by copying them
    )
    # Built on first use, then fed from the outbox; the runtime's dossiers forget what its events touch.
    name_index = NameIndex(default_matcher, max_lag=_seconds(app, "INDEX_MAX_LAG_SECONDS"))
    data_key = _data_key(app)
    app.extensions["registry"] = Runtime(
        clock=Clock(),
        vault=IdentityVault(data_key),
        catalogue=load_catalogue(app.config.get("CATALOGUE_DIR")),
        measures=load_measures(app.config.get("CATALOGUE_DIR")),
        name_index=name_index,
        keys=KeyCache(_seconds(app, "KEY_CACHE_SECONDS")),
        dossiers=DossierCache(),
        signer=_signer(app),
        anchor_interval=dt.timedelta(seconds=_seconds(app, "ANCHOR_SECONDS", least=0.1)),
        watch_interval=dt.timedelta(seconds=_seconds(app, "WATCH_SECONDS", least=0.1)),
        screening_writer=_screening_writer(app),
        accounts=AccountSettings.from_config(app.config),
        secret_box=SecretBox(data_key),
    )
    app.cli.add_command(cli.registry_cli)
