"""Real backing services for the serving tests: PostgreSQL on 127.0.0.1:5432 (a throw-away
database per test, started if it is down), moto's S3 server with the real boto3 client, and
documents that exercise every refusal."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from serving_support import (
    PG_URL,
    TOKEN,
    Service,
    _start_postgres,
    aws_env,
    create_pg_database,
    drop_pg_database,
    new_bucket,
    sample_bytes,
)

from inference.settings import get_settings
from inference.store.repository import Store
from serving.bench import ManagedServer, free_port


@pytest.fixture(scope="session", autouse=True)
def no_claude_key() -> Iterator[None]:
    """No test (nor a server it starts) may call the real Claude API: a document the cascade
    sends to Claude fails over to the review queue (`no_api_key`)."""
    with pytest.MonkeyPatch.context() as patch:
        for key in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"):
            patch.delenv(key, raising=False)
        yield


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres() -> str:
    """Make sure PostgreSQL answers on 127.0.0.1:5432; skip (saying why) if it cannot."""
    problem = _start_postgres()
    if problem is not None:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is down and cannot be started: {problem}")
    return PG_URL


@pytest.fixture(scope="session")
def pg_databases():  # type: ignore[no-untyped-def]
    """(create, drop) for a throw-away PostgreSQL database (for tests outside this file)."""
    return create_pg_database, drop_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test on the embedded default and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'yogi.db'}"
        return
    request.getfixturevalue("postgres")
    name = create_pg_database()
    yield PG_URL.format(name=name)
    drop_pg_database(name)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store on each of the two databases."""
    store = Store(db_url)
    store.migrate()
    yield store
    store.dispose()


# --- S3 (moto server) ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto in server mode: a real HTTP S3 endpoint that boto3 talks to like AWS."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    with pytest.MonkeyPatch.context() as patch:
        for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL_S3"):
            patch.delenv(key, raising=False)
        for key, value in aws_env(endpoint).items():
            patch.setenv(key, value)
        yield endpoint
    server.stop()


@pytest.fixture
def s3(moto_endpoint: str):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client("s3", endpoint_url=moto_endpoint)


# --- settings -----------------------------------------------------------------------------------


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set YOGI_* variables through the returned monkeypatch; settings are re-read."""
    for key in list(os.environ):
        if key.startswith("YOGI_"):
            monkeypatch.delenv(key)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


# --- the service, started for real -------------------------------------------------------------

@pytest.fixture(scope="session", params=["sqlite-local", "postgres-s3"])
def service(request: pytest.FixtureRequest, moto_endpoint: str) -> Iterator[Service]:
    """`yogi serve` as a real process: SQLite + local originals, or PostgreSQL + S3 (moto);
    a 2 MB upload limit, an API token, one allowed input bucket."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    incoming = new_bucket(s3, "incoming")
    env = {"YOGI_API_TOKEN": TOKEN, "YOGI_MAX_UPLOAD_MB": "2",
           "YOGI_S3_INPUT_BUCKETS": json.dumps([incoming])}
    database = originals = None
    if request.param == "postgres-s3":
        request.getfixturevalue("postgres")
        database = create_pg_database()
        originals = new_bucket(s3, "originals")
        env |= {"YOGI_DATABASE_URL": PG_URL.format(name=database), "YOGI_S3_BUCKET": originals}
    server = ManagedServer(env)
    try:
        server.wait_ready()
        yield Service(server.url, request.param, server, incoming, originals, s3)
    finally:
        server.stop()
        if database:
            drop_pg_database(database)


@pytest.fixture(scope="session")
def uploaded(service: Service) -> dict:
    with service.client() as client:
        response = client.post("/extract", files={"file": ("timetable.png", sample_bytes(),
                                                           "image/png")})
    assert response.status_code == 200, response.text
    return response.json()


# --- documents ----------------------------------------------------------------------------------

