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
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def default_database_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'yogi.db'}"


def database_url(settings: Any) -> str:
    """The settings' database: YOGI_DATABASE_URL, else SQLite under YOGI_DATA_DIR."""
    return settings.database_url or default_database_url(settings.data_dir)


def _json_dumps(value: Any) -> str:
    # NaN/Infinity are not JSON (PostgreSQL refuses them); callers validate first.
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


def make_engine(url: str, *, connect_timeout_s: float = 5.0,
                statement_timeout_s: float = 30.0) -> Engine:
    """The engine for `url`. Every wait on the database is bounded: a connection attempt by
    `connect_timeout_s`, a statement (or, on SQLite, a wait for the write lock) by
    `statement_timeout_s`."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, json_serializer=_json_dumps,
            connect_args={"check_same_thread": False, "timeout": statement_timeout_s},
        )
        busy_ms = int(statement_timeout_s * 1000)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's BEGIN below be the only transaction control (pysqlite's own
            # deferred BEGIN would let two writers both read, then one fail to upgrade).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # No client-side pool: a pooled connection to a server that stopped answering cannot be
    # bounded from psycopg's blocking API (statement_timeout is enforced by the server, and a
    # hung one enforces nothing), while a new connection's attempt is bounded by
    # connect_timeout. In production RDS Proxy is the pool; locally a connection costs ~ms.
    return create_engine(
        url, json_serializer=_json_dumps, poolclass=NullPool,
        connect_args={
            "connect_timeout": max(1, round(connect_timeout_s)),
            "options": f"-c statement_timeout={int(statement_timeout_s * 1000)}",
            # Unacknowledged writes (a server host gone) fail after this, not the kernel's 15 min.
            "tcp_user_timeout": int(connect_timeout_s * 1000),
        },
    )


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
