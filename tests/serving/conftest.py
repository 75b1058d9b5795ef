"""Real backing services for the serving tests: PostgreSQL on 127.0.0.1:5432 (a throw-away
database per test, started if it is down), moto's S3 server with the real boto3 client, and
documents that exercise every refusal."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import time
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from inference.settings import get_settings
from serving.bench import ManagedServer, free_port
from serving.objects import object_key

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "timetable.png"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


@pytest.fixture(scope="session", autouse=True)
def no_claude_key() -> Iterator[None]:
    """No test (nor a server it starts) may call the real Claude API: a document the cascade
    sends to Claude fails over to the review queue (`no_api_key`)."""
    with pytest.MonkeyPatch.context() as patch:
        for key in ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"):
            patch.delenv(key, raising=False)
        yield


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_connect():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(PG_ADMIN, autocommit=True)


def _start_postgres() -> str | None:
    """Start the local cluster if it is down; None when it runs, else why it cannot."""
    try:
        _pg_connect().close()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means: try to start it
        first = str(error)
    versions = sorted(p.name for p in Path("/etc/postgresql").glob("*")) if Path(
        "/etc/postgresql").is_dir() else []
    for version in versions:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                       capture_output=True, timeout=60)
    for _ in range(30):
        try:
            _pg_connect().close()
            return None
        except Exception as error:  # noqa: BLE001
            first = str(error)
            time.sleep(0.5)
    return first


@pytest.fixture(scope="session")
def postgres() -> str:
    """Make sure PostgreSQL answers on 127.0.0.1:5432; skip (saying why) if it cannot."""
    problem = _start_postgres()
    if problem is not None:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is down and cannot be started: {problem}")
    return PG_URL


def create_pg_database() -> str:
    name = f"yogi_test_{uuid.uuid4().hex[:12]}"
    with _pg_connect() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_pg_database(name: str) -> None:
    with _pg_connect() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


# --- S3 (moto server) ---------------------------------------------------------------------------


def aws_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }


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


def new_bucket(client, prefix: str = "yogi") -> str:  # type: ignore[no-untyped-def]
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    client.create_bucket(Bucket=name)
    return name


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

TOKEN = "test-token-3f9a"
AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Reviewer": "ann@school.example"}


@dataclass
class Service:
    """A running `yogi serve` and the backing stores it was started with."""

    url: str
    backend: str
    server: ManagedServer
    incoming: str
    originals: str | None
    s3: object

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=300.0)

    def original_exists(self, document_id: str) -> bool:
        key = object_key(document_id)
        if self.originals is None:
            return (self.server.tmp / "data" / "objects" / key).is_file()
        self.s3.head_object(Bucket=self.originals, Key=key)  # type: ignore[attr-defined]
        return True


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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


def unique_sample(tag: str) -> bytes:
    """The sample page with a PNG text chunk: same pixels, new content hash."""
    from serving.bench import unique_copy

    return unique_copy(sample_bytes(), 0, f"{tag}-{uuid.uuid4().hex}")


def small_page(tag: str) -> bytes:
    """A small drawn timetable (fast to extract: two lessons), made unique by `tag`."""
    from serving.app import warmup_page
    from serving.bench import unique_copy

    return unique_copy(warmup_page(), 0, f"{tag}-{uuid.uuid4().hex}")


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def huge_png(side: int = 8000) -> bytes:
    """A small file declaring side x side pixels (over the 60 MP limit at the default)."""
    row = bytes(1 + (side + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def _arcfour(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) & 0xFF
        state[i], state[j] = state[j], state[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) & 0xFF
        j = (j + state[i]) & 0xFF
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) & 0xFF])
    return bytes(out)


def locked_pdf(user_password: bytes = b"secret") -> bytes:
    """A one-page PDF under the standard security handler (R2, 40-bit), user password set:
    PDFium cannot open it without the password."""
    padding = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
    doc_id = hashlib.md5(b"yogi-serving-test").digest()
    permissions = struct.pack("<i", -44)
    owner_key = hashlib.md5((b"owner" + padding)[:32]).digest()[:5]
    owner_entry = _arcfour(owner_key, (user_password + padding)[:32])
    file_key = hashlib.md5(
        (user_password + padding)[:32] + owner_entry + permissions + doc_id
    ).digest()[:5]
    user_entry = _arcfour(file_key, padding)
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + owner_entry.hex().encode() + b"> /U <"
        + user_entry.hex().encode() + b"> /P -44 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    hex_id = doc_id.hex().encode()
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<" % (len(bodies) + 1)
            + hex_id + b"> <" + hex_id + b">] >>\nstartxref\n%d\n%%%%EOF\n" % start)
    return bytes(out)
