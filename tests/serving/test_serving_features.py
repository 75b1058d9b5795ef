"""The service and the feature store (issue 17), with the real extraction: every extraction
records what the features gave its routing and counts it in /metrics; a Redis with nothing
listening leaves the document extracted and routed, marked `unavailable`; a correction updates
the uploader's history online; an S3 upload names its uploader by its key."""

from __future__ import annotations

from pathlib import Path

import prometheus_client
from redis_support import closed_port

from inference.settings import Settings
from serving.app import ServingApp, uploader_from_key
from serving.metrics import get_metrics

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "timetable.png"
TOKEN = "t0ken"


def started(tmp_path: Path, **overrides: object) -> ServingApp:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'yogi.db'}",
                        api_token=TOKEN, **overrides)
    app = ServingApp.from_settings(settings, observer=get_metrics())
    app.start(warm=False)
    return app


def feature_reads(store: str, status: str) -> float:
    value = prometheus_client.REGISTRY.get_sample_value(
        "yogi_feature_reads_total", {"store": store, "status": status})
    return value or 0.0


def test_redis_down_the_document_is_extracted_and_marked(tmp_path: Path):
    app = started(tmp_path, redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    before = feature_reads("redis", "unavailable")
    status, body = app.extract(SAMPLE.read_bytes(), "timetable.png", uploader="school-a")
    assert status == 200 and body["result"]["timeblocks"]
    extraction = app.store.get_document(body["documentId"]).latest_extraction
    assert extraction.features["status"] == "unavailable"
    assert extraction.features["store"] == "redis"
    assert feature_reads("redis", "unavailable") == before + 1
    app.close()


def test_an_extraction_and_a_correction_reach_the_online_store(tmp_path: Path):
    app = started(tmp_path)
    status, body = app.extract(SAMPLE.read_bytes(), "timetable.png", uploader="school-b")
    assert status == 200
    document_id = body["documentId"]
    extraction = app.store.get_document(document_id).latest_extraction
    assert extraction.features["status"] == "online"
    assert extraction.features["values"]["line_count"] > 10
    assert extraction.features["values"]["uploader_known"] is False  # its first document

    corrected = dict(body["result"], timeblocks=body["result"]["timeblocks"][1:])
    app.put_correction(document_id, corrected, "reviewer-1", f"Bearer {TOKEN}")
    row = app.features.client.online([{"document_id": document_id, "uploader": "school-b"}])
    assert row["documents"] == [1] and row["corrections"] == [1]
    assert 0 < row["mean_changed_share"][0] < 1
    app.close()


def test_an_s3_key_names_its_uploader():
    assert uploader_from_key("uploads/school-c/2026/timetable.pdf") == "school-c"
    assert uploader_from_key("uploads/timetable.pdf") is None
    assert uploader_from_key("inbox/school-c/timetable.pdf") is None
