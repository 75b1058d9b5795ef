"""Where the store lives and how to connect: the default URL, the engine (with the SQLite
pragmas that make several processes safe on one file) and alembic migrations.

SQLite is the embedded default (under `YOGI_DATA_DIR`), PostgreSQL the production database
(`YOGI_DATABASE_URL`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'yogi.db'}"


def database_url(settings: Any) -> str:
    """The settings' database: YOGI_DATABASE_URL, else SQLite under YOGI_DATA_DIR."""
    return settings.database_url or default_database_url(settings.data_dir)


def _json_dumps(value: Any) -> str:
    # NaN/Infinity are not JSON (PostgreSQL refuses them); callers validate first.
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, json_serializer=_json_dumps, connect_args={"check_same_thread": False}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's BEGIN below be the only transaction control (pysqlite's own
            # deferred BEGIN would let two writers both read, then one fail to upgrade).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, json_serializer=_json_dumps, pool_pre_ping=True)


def alembic_config(url: str | None = None) -> Any:
    """An alembic Config for the migrations in this package (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        # ConfigParser interpolation: a literal % in a password must be doubled.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine, url: str, revision: str = "head") -> None:
    """Bring the schema to `revision` with alembic (idempotent; safe at every start)."""
    _alembic(engine, url, "upgrade", revision)


def downgrade(engine: Engine, url: str, revision: str = "base") -> None:
    _alembic(engine, url, "downgrade", revision)


def _alembic(engine: Engine, url: str, action: str, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)
