"""ServingApp's rules, with a stand-in extraction (fast), on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import httpx
import pytest
from serving_support import locked_pdf, new_bucket, sha256

from inference.errors import InputRefused
from inference.schema import TimeBlock, TimetableData
from inference.settings import Settings
from inference.store import status as st
from inference.store.objects import S3ObjectStore, object_key
from serving import app as serving_app
from serving.app import ServingApp
from serving.errors import ServingError
from serving.extraction import ExtractionOutcome
from serving.requests import multipart_file

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # sniffs as PNG; the stand-in never decodes it


def answer(tier: str = "classical", confidence: float = 0.9) -> TimetableData:
    return TimetableData(
        teacher="Miss Joynes", tier=tier, confidence=confidence,
        model_versions={"ocr": "3"} if tier != "claude" else {"claude": "claude-sonnet-4-6"},
        timeblocks=[TimeBlock(day="Monday", name="Maths", start_time="09:30",
                              end_time="10:00")],
    )


class FakeExtraction:
    """Counts calls; can be slow, crash once, refuse, or route to review / Claude."""

    def __init__(self) -> None:
        self.calls = 0
        self.delay = 0.0
        self.crash_next = False
        self.refuse: InputRefused | None = None
        self.outcome = ExtractionOutcome(answer(), route_reason="accepted")

    def __call__(self, data: bytes, settings: object,
                 tier_lock: AbstractContextManager | None = None,
                 **context: object) -> ExtractionOutcome:  # features, uploader: unused here
        self.calls += 1
        with tier_lock or nullcontext():  # the worker's slot, as the real reading holds it
            time.sleep(self.delay)
            if self.crash_next:
                self.crash_next = False
                raise RuntimeError("model exploded")
            if self.refuse is not None:
                raise self.refuse
        return self.outcome


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeExtraction:
    fake = FakeExtraction()
    monkeypatch.setattr(serving_app, "run_extraction", fake)
    return fake


def make_app(tmp_path: Path, db_url: str, **overrides: object) -> ServingApp:
    values: dict = {"data_dir": tmp_path, "database_url": db_url, "api_token": "t0ken",
                    "max_upload_mb": 1, **overrides}
    settings = Settings(**values)
    app = ServingApp.from_settings(settings)
    app.start(warm=False)
    return app


@pytest.fixture
def app(tmp_path: Path, db_url: str) -> ServingApp:
    app = make_app(tmp_path, db_url)
    yield app
    app.close()


def test_same_bytes_at_the_same_time_are_extracted_once(app: ServingApp, fake) -> None:  # type: ignore[no-untyped-def]
    fake.delay = 0.5
    results: list[tuple[int, dict]] = []
    barrier = threading.Barrier(6)

    def upload() -> None:
        barrier.wait()
        results.append(app.extract(PNG, "t.png"))

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fake.calls == 1
    assert {status for status, _ in results} == {200}
    assert {body["documentId"] for _, body in results} == {sha256(PNG)}
    assert sorted(body["cached"] for _, body in results) == [False] + [True] * 5
    assert all(body["result"]["teacher"] == "Miss Joynes" for _, body in results)
    assert len(app.store.get_document(sha256(PNG)).extractions) == 1
    # Later uploads are answered from the store.
    assert app.extract(PNG)[1]["cached"] is True and fake.calls == 1


def test_a_crash_keeps_the_document_and_a_resend_retries(app: ServingApp, fake) -> None:  # type: ignore[no-untyped-def]
    fake.crash_next = True
    with pytest.raises(ServingError) as caught:
        app.extract(PNG, "t.png")
    assert caught.value.status == 500 and caught.value.code == "extraction_failed"
    document = app.get_document(sha256(PNG))
    assert document["status"] == st.FAILED and document["error"]["error"] == st.INTERNAL_ERROR
    assert app.objects.get(object_key(sha256(PNG))) == PNG  # the original is kept
    status, body = app.extract(PNG)
    assert status == 200 and body["status"] == st.DONE and fake.calls == 2
    document = app.get_document(sha256(PNG))
    assert [e["status"] for e in document["extractions"]] == [st.FAILED, st.DONE]
    assert document["attempts"] == 2


def test_a_refusal_is_stored_once_and_repeated(app: ServingApp, fake) -> None:  # type: ignore[no-untyped-def]
    fake.refuse = InputRefused("encrypted_pdf", "The PDF is password-protected.")
    for _ in range(2):
        with pytest.raises(ServingError) as caught:
            app.extract(PNG)
        assert (caught.value.status, caught.value.code) == (422, "encrypted_pdf")
    assert fake.calls == 1
    assert app.get_document(sha256(PNG))["status"] == st.FAILED


def test_a_non_document_is_refused_before_anything_is_stored(app: ServingApp, fake) -> None:  # type: ignore[no-untyped-def]
    for data, status, code in [(b"hello, world", 415, "unsupported_format"),
                               (b"", 422, "empty")]:
        with pytest.raises(ServingError) as caught:
            app.extract(data)
        assert (caught.value.status, caught.value.code) == (status, code)
        with pytest.raises(ServingError):
            app.get_document(sha256(data))
    with pytest.raises(ServingError) as caught:
        app.extract(PNG + bytes(2 * 1024 * 1024))
    assert (caught.value.status, caught.value.code) == (413, "upload_too_large")
    assert fake.calls == 0


def test_an_upload_keeps_its_uploader_and_a_too_long_one_is_refused(app: ServingApp, fake) -> None:  # type: ignore[no-untyped-def]
    app.extract(PNG, "page.png", uploader="school-7")
    assert app.store.get_document_row(sha256(PNG)).uploader == "school-7"
    with pytest.raises(ServingError) as caught:
        app.extract(PNG + b"x", "page.png", uploader="x" * 201)
    assert (caught.value.status, caught.value.code) == (422, "invalid_uploader")
    assert app.store.get_document_row(sha256(PNG + b"x")) is None  # nothing kept


def test_real_refusals_map_to_4xx(app: ServingApp) -> None:
    with pytest.raises(ServingError) as caught:
        app.extract(locked_pdf())
    assert (caught.value.status, caught.value.code) == (422, "encrypted_pdf")
    assert app.get_document(sha256(locked_pdf()))["error"]["error"] == "encrypted_pdf"


def test_review_route_then_correction(app: ServingApp, fake) -> None:  # type: ignore[no-untyped-def]
    fake.outcome = ExtractionOutcome(answer(confidence=0.4), status=st.AWAITING_REVIEW,
                                     route_reason="confidence 0.40 < review threshold 0.80")
    status, body = app.extract(PNG)
    assert body["status"] == st.AWAITING_REVIEW
    document_id = body["documentId"]
    corrected = answer().model_copy(update={"teacher": "Mrs Joynes"})
    saved = app.put_correction(document_id, corrected.to_json_dict(), "ann", "Bearer t0ken")
    assert saved["source"] == "gold" and saved["timetable"]["tier"] == "human"
    document = app.get_document(document_id)
    assert document["status"] == st.DONE
    assert document["resultSource"] == "gold" and document["result"]["teacher"] == "Mrs Joynes"
    assert saved["correctsExtractionId"] == document["extractions"][-1]["id"]
    # A second correction adds to the history.
    app.put_correction(document_id, corrected.to_json_dict(), "bob", "Bearer t0ken")
    page = app.list_corrections()
    assert [c["author"] for c in page["corrections"]] == ["ann", "bob"]
    assert app.list_corrections(after=page["corrections"][0]["labelId"])["count"] == 1


def test_accepted_claude_answer_becomes_a_silver_label(app: ServingApp, fake) -> None:  # type: ignore[no-untyped-def]
    fake.outcome = ExtractionOutcome(answer(tier="claude"), route_reason="claude accepted",
                                     cost_usd=0.0123)
    app.extract(PNG)
    silver = app.list_corrections(source="silver")["corrections"]
    assert len(silver) == 1
    assert silver[0]["author"] == "claude-sonnet-4-6" and silver[0]["costUsd"] == 0.0123
    assert app.get_document(sha256(PNG))["costUsd"] == pytest.approx(0.0123)


def test_correction_rules(app: ServingApp, fake, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    document_id = app.extract(PNG)[1]["documentId"]
    good = answer().to_json_dict()

    def refused(*args: object) -> ServingError:
        with pytest.raises(ServingError) as caught:
            app.put_correction(*args)  # type: ignore[arg-type]
        return caught.value

    assert refused(document_id, good, "ann", None).status == 401
    assert refused(document_id, good, "ann", "Bearer wrong").code == "unauthorized"
    assert refused(document_id, good, "ann", "Basic t0ken").status == 401
    assert refused(document_id, good, None, "Bearer t0ken").code == "missing_reviewer"
    assert refused("f" * 64, good, "ann", "Bearer t0ken").status == 404
    assert refused(document_id, {"timeblocks": [{"day": "Funday"}]}, "ann",
                   "Bearer t0ken").code == "invalid_timetable"
    for lax in [{**good, "year": True}, {**good, "year": "2026"}, {**good, "teacher": 7}]:
        assert refused(document_id, lax, "ann", "Bearer t0ken").code == "invalid_timetable"
    nan = {**good, "timeblocks": [{**good["timeblocks"][0], "confidence": math.nan}]}
    assert refused(document_id, nan, "ann", "Bearer t0ken").code == "invalid_timetable"
    # NUL (PostgreSQL cannot store it) and lone surrogates are cleaned, not refused.
    odd = {**good, "teacher": "Miss\x00Joynes", "term": "Autumn \ud800", "\x00": "x"}
    saved = app.put_correction(document_id, odd, "ann", "Bearer t0ken")
    assert saved["timetable"]["teacher"] == "MissJoynes"
    assert saved["timetable"]["term"] == "Autumn \ufffd"
    assert refused(document_id, b"{not json", "ann", "Bearer t0ken").code == "malformed_json"
    # Without a configured token every write is refused.
    closed = make_app(tmp_path / "closed", db_url, api_token=None)
    with pytest.raises(ServingError) as caught:
        closed.put_correction(document_id, good, "ann", "Bearer t0ken")
    assert (caught.value.status, caught.value.code) == (401, "no_api_token")
    closed.close()


def test_list_corrections_validation(app: ServingApp) -> None:
    for kwargs, code in [({"since": "yesterday"}, "invalid_since"),
                         ({"source": "bronze"}, "invalid_source"),
                         ({"limit": 0}, "invalid_limit"),
                         ({"after": -1}, "invalid_after"),
                         ({"after": 2**31}, "invalid_after")]:
        with pytest.raises(ServingError) as caught:
            app.list_corrections(**kwargs)  # type: ignore[arg-type]
        assert caught.value.code == code
    assert app.list_corrections(since="2026-01-01T00:00:00Z")["count"] == 0
    assert app.list_corrections(since="2026-01-01t00:00:60.123456789+01:00")["count"] == 0
    for bad in ["2026-01-01", "0.5", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00"]:
        with pytest.raises(ServingError) as caught:
            app.list_corrections(since=bad)
        assert caught.value.code == "invalid_since"
    for bad in ["", "abc", "A" * 64, "g" * 64, "\x00" * 64]:
        with pytest.raises(ServingError) as caught:
            app.get_document(bad)
        assert caught.value.status == 404


def test_multipart_body_parsing() -> None:
    request = httpx.Request("POST", "http://x/extract",
                            files={"file": ("page one.png", PNG, "image/png")},
                            data={"note": "hi"})
    body = request.read()
    assert multipart_file(body, request.headers["content-type"], "file") == ("page one.png", PNG)
    with pytest.raises(ServingError) as caught:
        multipart_file(body, request.headers["content-type"], "document")
    assert caught.value.code == "missing_file"
    with pytest.raises(ServingError) as caught:
        multipart_file(body, "multipart/form-data", "file")
    assert caught.value.code == "malformed_multipart"


def test_originals_in_s3_and_s3_uris(tmp_path: Path, db_url: str, s3, fake) -> None:  # type: ignore[no-untyped-def]
    originals, incoming = new_bucket(s3, "originals"), new_bucket(s3, "incoming")
    app = make_app(tmp_path, db_url, s3_bucket=originals, s3_input_buckets=[incoming])
    assert isinstance(app.objects, S3ObjectStore)
    s3.put_object(Bucket=incoming, Key="2026/week 1.png", Body=PNG)
    status, body = app.extract_s3_uri(f"s3://{incoming}/2026/week 1.png")
    assert status == 200 and body["documentId"] == sha256(PNG)
    stored = s3.get_object(Bucket=originals, Key=object_key(sha256(PNG)))
    assert stored["Body"].read() == PNG and stored["ContentType"] == "image/png"
    assert app.get_document(sha256(PNG))["filename"] == "week 1.png"
    for uri, status_code, code in [
        (f"s3://{incoming}/missing.png", 404, "s3_object_not_found"),
        ("s3://not-allowed-bucket/x.png", 403, "s3_bucket_not_allowed"),
        ("https://example.com/x.png", 422, "invalid_s3_uri"),
        ("s3://Bad_Bucket/x", 422, "invalid_s3_uri"),
        (42, 422, "invalid_s3_uri"),
    ]:
        with pytest.raises(ServingError) as caught:
            app.extract_s3_uri(uri)
        assert (caught.value.status, caught.value.code) == (status_code, code)
    s3.put_object(Bucket=incoming, Key="big.png", Body=PNG + bytes(2 * 1024 * 1024))
    with pytest.raises(ServingError) as caught:
        app.extract_s3_uri(f"s3://{incoming}/big.png")
    assert caught.value.status == 413
    assert app.is_own_original(originals, object_key(sha256(PNG)))
    assert not app.is_own_original(incoming, "2026/week 1.png")
    app.close()
