"""The Lambda handlers on real event shapes (API Gateway REST proxy, S3 ObjectCreated:Put),
with PostgreSQL and S3 (moto server) behind them, as in production."""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote_plus

import httpx
import pytest
from serving_support import close_cached, new_bucket, sample_bytes, sha256, small_page

from inference.settings import get_settings
from inference.store.objects import object_key
from serving import lambda_handlers as handlers

TOKEN = "lambda-token"


@dataclass
class Context:
    """What the Lambda runtime passes as `context` (the attributes Powertools reads)."""

    function_name: str = "yogi-api"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 3008
    invoked_function_arn: str = "arn:aws:lambda:eu-west-2:123456789012:function:yogi-api"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/yogi-api"
    log_stream_name: str = "2026/11/23/[$LATEST]abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


def rest_event(method: str, path: str, resource: str, *, body: bytes | str | None = None,
               headers: dict[str, str] | None = None, query: dict[str, str] | None = None,
               path_parameters: dict[str, str] | None = None, binary: bool = False) -> dict:
    """An API Gateway REST API (v1) proxy integration event."""
    headers = {"Host": "abc123.execute-api.eu-west-2.amazonaws.com",
               "User-Agent": "upload-pipeline/1.0", "X-Forwarded-Proto": "https",
               **(headers or {})}
    if isinstance(body, bytes) and binary:
        encoded: str | None = base64.b64encode(body).decode()
    elif isinstance(body, bytes):
        encoded = body.decode()
    else:
        encoded = body
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012", "apiId": "abc123", "resourceId": "r1",
            "stage": "prod", "requestId": str(uuid.uuid4()), "resourcePath": resource,
            "httpMethod": method, "path": f"/prod{path}", "protocol": "HTTP/1.1",
            "requestTimeEpoch": 1795440000000, "domainName":
            "abc123.execute-api.eu-west-2.amazonaws.com",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "upload-pipeline/1.0"},
        },
        "body": encoded,
        "isBase64Encoded": binary,
    }


def s3_event(bucket: str, key: str, size: int) -> dict:
    """An S3 event notification for ObjectCreated:Put (keys arrive URL-encoded)."""
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "eu-west-2",
        "eventTime": "2026-11-23T12:00:00.000Z", "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "203.0.113.7"},
        "responseElements": {
            "x-amz-request-id": "C3D13FE58DE4C810",
            "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5",
        },
        "s3": {
            "s3SchemaVersion": "1.0", "configurationId": "yogi-uploads",
            "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                       "arn": f"arn:aws:s3:::{bucket}"},
            "object": {"key": quote_plus(key, safe="/"), "size": size,
                       "eTag": "d41d8cd98f00b204e9800998ecf8427e",
                       "sequencer": "0055AED6DCD90281E5"},
        },
    }]}


@pytest.fixture(scope="module")
def lambda_env(moto_endpoint: str, postgres: str, tmp_path_factory, pg_databases  # type: ignore[no-untyped-def]
               ) -> Iterator[dict]:
    import boto3

    create_pg_database, drop_pg_database = pg_databases

    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    originals, incoming = new_bucket(s3, "originals"), new_bucket(s3, "incoming")
    database = create_pg_database()
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.startswith("YOGI_")]:
            patch.delenv(key)
        patch.setenv("YOGI_DATA_DIR", str(tmp_path_factory.mktemp("lambda")))
        patch.setenv("YOGI_DATABASE_URL", postgres.format(name=database))
        patch.setenv("YOGI_S3_BUCKET", originals)
        patch.setenv("YOGI_API_TOKEN", TOKEN)
        get_settings.cache_clear()
        handlers.core.cache_clear()
        yield {"s3": s3, "originals": originals, "incoming": incoming}
        close_cached(handlers.core)
        get_settings.cache_clear()
    drop_pg_database(database)


def call(event: dict) -> tuple[int, dict]:
    response = handlers.api_handler(event, Context())
    body = response["body"]
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return response["statusCode"], json.loads(body)


def emf_records(output: str) -> list[dict]:
    records = []
    for line in output.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and "_aws" in record:
            records.append(record)
    return records


@pytest.fixture(scope="module")
def uploaded(lambda_env: dict) -> dict:
    form = httpx.Request("POST", "https://x/extract",
                         files={"file": ("timetable.png", sample_bytes(), "image/png")})
    event = rest_event("POST", "/extract", "/extract", body=form.read(), binary=True,
                       headers={"Content-Type": form.headers["content-type"]})
    status, body = call(event)
    assert status == 200, body
    return body


def test_api_extract_from_base64_multipart(uploaded: dict, capsys) -> None:  # type: ignore[no-untyped-def]
    assert uploaded["documentId"] == sha256(sample_bytes())
    assert uploaded["status"] in ("done", "awaiting_review") and uploaded["result"]["timeblocks"]


def test_api_emits_emf_metrics(lambda_env: dict, capsys) -> None:  # type: ignore[no-untyped-def]
    form = httpx.Request("POST", "https://x/extract", files={"file": ("a.txt", b"plain text")})
    event = rest_event("POST", "/extract", "/extract", body=form.read(), binary=True,
                       headers={"Content-Type": form.headers["content-type"]})
    status, body = call(event)
    assert (status, body["error"]) == (415, "unsupported_format")
    records = emf_records(capsys.readouterr().out)
    names = {m["Name"] for r in records for d in r["_aws"]["CloudWatchMetrics"]
             for m in d["Metrics"]}
    assert {"Failures", "Requests"} <= names
    assert all(d["Namespace"] == "Yogi" for r in records for d in r["_aws"]["CloudWatchMetrics"])


def test_api_routes(lambda_env: dict, uploaded: dict) -> None:
    document_id = uploaded["documentId"]
    params = {"document_id": document_id}
    reader = {"Authorization": f"Bearer {TOKEN}"}
    status, body = call(rest_event("GET", f"/documents/{document_id}",
                                   "/documents/{document_id}", path_parameters=params))
    assert (status, body["error"]) == (401, "unauthorized")  # reads need the token too
    status, document = call(rest_event("GET", f"/documents/{document_id}",
                                       "/documents/{document_id}", path_parameters=params,
                                       headers=reader))
    assert status == 200 and document["status"] == uploaded["status"]
    assert document["tier"] == uploaded["result"]["tier"]

    path, resource = f"/documents/{document_id}/timetable", "/documents/{document_id}/timetable"
    corrected = json.dumps(dict(uploaded["result"], teacher="Mrs Joynes"))
    json_type = {"Content-Type": "application/json"}
    status, body = call(rest_event("PUT", path, resource, body=corrected, path_parameters=params,
                                   headers={"X-Reviewer": "ann"}))
    assert (status, body["error"]) == (401, "unauthorized")
    auth = {"Authorization": f"Bearer {TOKEN}", "X-Reviewer": "ann"}
    status, body = call(rest_event("PUT", path, resource, body=corrected, path_parameters=params,
                                   headers={**auth, "Content-Type": "text/plain"}))
    assert (status, body["error"]) == (415, "unsupported_media_type")
    status, body = call(rest_event("PUT", path, resource, body="{", path_parameters=params,
                                   headers={**auth, **json_type}))
    assert (status, body["error"]) == (400, "malformed_json")
    status, body = call(rest_event("PUT", path, resource, body=corrected, path_parameters=params,
                                   headers={"authorization": f"Bearer {TOKEN}",
                                            "x-reviewer": "ann", "content-type":
                                            "application/json; charset=utf-8"}))
    assert status == 200 and body["source"] == "gold" and body["author"] == "ann"

    status, page = call(rest_event("GET", "/corrections", "/corrections", headers=reader,
                                   query={"since": "2020-01-01T00:00:00Z", "source": "gold"}))
    assert status == 200 and page["corrections"][0]["timetable"]["teacher"] == "Mrs Joynes"
    assert page["corrections"][0]["object"] == (
        f"s3://{lambda_env['originals']}/{object_key(document_id)}")
    status, body = call(rest_event("GET", "/corrections", "/corrections", headers=reader,
                                   query={"after": "x"}))
    assert (status, body["error"]) == (422, "invalid_request")

    lambda_env["s3"].put_object(Bucket=lambda_env["incoming"], Key="a.png", Body=sample_bytes())
    # JSON bodies arrive as plain text (not base64); this bucket is not an allowed input.
    status, body = call(rest_event("POST", "/extract", "/extract", headers={
        "Content-Type": "application/json"}, body=json.dumps(
            {"s3Uri": f"s3://{lambda_env['incoming']}/a.png"})))
    assert (status, body["error"]) == (403, "s3_bucket_not_allowed")
    status, body = call(rest_event("GET", "/documents/" + "0" * 64, "/documents/{document_id}",
                                   path_parameters={"document_id": "0" * 64}, headers=reader))
    assert (status, body["error"]) == (404, "document_not_found")
    status, body = call(rest_event("GET", "/nowhere", "/nowhere"))
    assert (status, body["error"]) == (404, "not_found")
    assert call(rest_event("GET", "/readyz", "/readyz"))[0] == 200
    assert call(rest_event("GET", "/livez", "/livez"))[0] == 200


def test_s3_object_created(lambda_env: dict) -> None:
    s3, incoming, originals = lambda_env["s3"], lambda_env["incoming"], lambda_env["originals"]
    page = small_page("s3-event")
    s3.put_object(Bucket=incoming, Key="uploads/Week 1+2.png", Body=page)
    s3.put_object(Bucket=incoming, Key="uploads/notes.txt", Body=b"not a timetable")
    event = s3_event(incoming, "uploads/Week 1+2.png", len(page))
    event["Records"] += s3_event(incoming, "uploads/notes.txt", 15)["Records"]
    own = object_key(sha256(page))
    event["Records"] += s3_event(originals, own, len(page))["Records"]  # our own write: skipped
    result = handlers.s3_handler(event, Context(function_name="yogi-s3"))
    document = handlers.core().get_document(sha256(page))
    assert document["filename"] == "Week 1+2.png" and document["result"]["timeblocks"]
    assert result["results"][0] == {"bucket": incoming, "key": "uploads/Week 1+2.png",
                                    "documentId": sha256(page), "status": document["status"]}
    assert result["results"][1]["error"] == "unsupported_format"
    assert len(result["results"]) == 2
    assert s3.get_object(Bucket=originals, Key=own)["Body"].read() == page
