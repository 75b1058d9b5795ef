"""Originals storage: the local directory and S3 through moto's server with real boto3."""

from __future__ import annotations

from pathlib import Path

import pytest
from serving_support import new_bucket

from inference.settings import Settings
from inference.store.objects import (
    LocalObjectStore,
    S3ObjectStore,
    object_key,
    object_store_from_settings,
    parse_s3_uri,
)

DOC = "cd" * 32


def test_local_store_round_trip(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path)
    key = object_key(DOC)
    assert key == f"originals/cd/{DOC}" and not store.exists(key)
    store.put(key, b"page bytes", "image/png")
    store.put(key, b"page bytes", "image/png")  # content addressed: a no-op
    assert store.exists(key) and store.get(key) == b"page bytes"
    assert store.describe(key) == f"local:{key}"  # no path of the server's disk
    assert not [p for p in (tmp_path / "originals" / "cd").iterdir() if p.name.startswith(".")]
    with pytest.raises(ValueError):
        store.put("../outside", b"x", "image/png")


def test_s3_store_round_trip(s3) -> None:  # type: ignore[no-untyped-def]
    bucket = new_bucket(s3)
    store = S3ObjectStore(bucket)  # the default client: endpoint from AWS_ENDPOINT_URL
    key = object_key(DOC)
    assert not store.exists(key)
    store.put(key, b"%PDF-1.4 ...", "application/pdf")
    store.put(key, b"%PDF-1.4 ...", "application/pdf")
    assert store.exists(key) and store.get(key) == b"%PDF-1.4 ..."
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentType"] == "application/pdf"
    assert store.describe(key) == f"s3://{bucket}/{key}"


def test_choice_follows_settings(tmp_path: Path, s3) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(object_store_from_settings(Settings(data_dir=tmp_path)), LocalObjectStore)
    bucket = new_bucket(s3)
    chosen = object_store_from_settings(Settings(data_dir=tmp_path, s3_bucket=bucket))
    assert isinstance(chosen, S3ObjectStore) and chosen.bucket == bucket


@pytest.mark.parametrize(
    "uri, expected",
    [("s3://uploads/2026/a b.png", ("uploads", "2026/a b.png")),
     ("s3://my.bucket-1/k?x=1", ("my.bucket-1", "k?x=1")),
     ("s3://bucket", None), ("s3://", None), ("s3:///key", None), ("S3://bucket/key", None),
     ("https://bucket.s3.amazonaws.com/key", None), ("s3://UPPER/key", None)],
)
def test_parse_s3_uri(uri: str, expected: tuple[str, str] | None) -> None:
    if expected is None:
        with pytest.raises(ValueError):
            parse_s3_uri(uri)
    else:
        assert parse_s3_uri(uri) == expected
