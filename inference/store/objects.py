"""Where originals live: a local directory by default, S3 in production.

Keys are content addressed (`originals/ab/abcdef…`), so writing the same document twice is a
no-op and a key never changes meaning. `put` returns only once the bytes are durable: the local
store writes a temporary file, fsyncs it, renames it into place and fsyncs the directory; S3
acknowledges a PUT only after it has stored the object.

S3 uses the standard boto3 configuration (credentials, region, `AWS_ENDPOINT_URL` /
`AWS_ENDPOINT_URL_S3`), so a moto server or MinIO works by setting the endpoint.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

ORIGINALS_PREFIX = "originals/"


def object_key(document_id: str) -> str:
    return f"{ORIGINALS_PREFIX}{document_id[:2]}/{document_id}"


class ObjectStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> bool:
        """Store the object; True when this call wrote it (False: it was there already)."""
        ...

    def delete(self, key: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def describe(self, key: str) -> str:
        """Where the object is, for people: an s3:// URI, or `local:<key>` (a response never
        shows a path of the server's disk)."""
        ...


class LocalObjectStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"object key escapes the store: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> bool:
        path = self._path(key)
        if path.is_file() and path.stat().st_size == len(data):
            return False  # content addressed: already there
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        return True

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def describe(self, key: str) -> str:
        return f"local:{key}"


def s3_client() -> Any:
    import boto3
    from botocore.config import Config

    # Retries with backoff for throttling and transient 5xx; endpoints from the environment.
    return boto3.client("s3", config=Config(retries={"max_attempts": 5, "mode": "standard"}))


class S3ObjectStore:
    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self.bucket = bucket
        self.client = client or s3_client()

    def put(self, key: str, data: bytes, content_type: str) -> bool:
        if self.exists(key):
            return False
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def describe(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"


def object_store_from_settings(settings: Any) -> ObjectStore:
    if settings.s3_bucket:
        return S3ObjectStore(settings.s3_bucket)
    return LocalObjectStore(Path(settings.data_dir) / "objects")


_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """`s3://bucket/key` → (bucket, key); ValueError for anything else."""
    if not uri.startswith("s3://"):
        raise ValueError("expected s3://bucket/key")
    bucket, _, key = uri[len("s3://"):].partition("/")
    if not _BUCKET.match(bucket) or not key:
        raise ValueError("expected s3://bucket/key with a valid bucket name and a key")
    return bucket, key
