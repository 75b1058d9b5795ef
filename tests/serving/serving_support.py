"""Helpers the serving tests import (constants, documents, throw-away databases, the
`Service` handle); the fixtures that start real backing services live in conftest.py."""

from __future__ import annotations

import hashlib
import struct
import subprocess
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

import httpx

from inference.store.objects import object_key
from serving.bench import ManagedServer

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "timetable.png"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


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


def create_pg_database() -> str:
    name = f"yogi_test_{uuid.uuid4().hex[:12]}"
    with _pg_connect() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_pg_database(name: str) -> None:
    with _pg_connect() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def aws_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }


def new_bucket(client, prefix: str = "yogi") -> str:  # type: ignore[no-untyped-def]
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    client.create_bucket(Bucket=name)
    return name


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

    def client(self, *, token: bool = True) -> httpx.Client:
        """An HTTP client of the service; with the API token (reads need it) unless
        `token=False` (a caller without one)."""
        headers = {"Authorization": f"Bearer {TOKEN}"} if token else {}
        return httpx.Client(base_url=self.url, timeout=300.0, headers=headers)

    def original_exists(self, document_id: str) -> bool:
        key = object_key(document_id)
        if self.originals is None:
            return (self.server.tmp / "data" / "objects" / key).is_file()
        self.s3.head_object(Bucket=self.originals, Key=key)  # type: ignore[attr-defined]
        return True


def close_cached(factory) -> None:  # type: ignore[no-untyped-def]
    """Forget the ServingApp a Lambda adapter keeps (an `lru_cache`d factory), closing it
    first: its recovery sweep would go on polling a database the test is about to drop."""
    if factory.cache_info().currsize:
        factory().close()
    factory.cache_clear()


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
    from serving.bench import unique_copy
    from serving.warmup import warmup_page

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

