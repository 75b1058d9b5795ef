"""alembic environment for the store schema (SQLite and PostgreSQL alike).

Used two ways: by `Store.migrate()` at start-up, which hands over its own connection in
`config.attributes["connection"]`, and by the alembic CLI (`alembic upgrade head` with the
repository's alembic.ini), which connects to `sqlalchemy.url` or, when that is empty, to the
URL the platform settings name (`YOGI_DATABASE_URL`, else SQLite under `YOGI_DATA_DIR`).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from inference.store.database import database_url, make_engine
from inference.store.tables import Base

config = context.config
target_metadata = Base.metadata

# Any 64-bit number fixed for this schema: concurrent starts on PostgreSQL migrate one at a time.
_PG_LOCK_KEY = 0x796F6769  # "yogi"


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from inference.settings import get_settings

    return database_url(get_settings())


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
