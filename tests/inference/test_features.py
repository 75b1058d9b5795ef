"""The feature store's client (inference/features/): a page's reading as features, an
uploader's history, the round trip through Feast on the SQLite default and the real Redis,
point-in-time reads, and a Redis that is down or hung costing a document its features, never
its extraction."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from redis_support import closed_port, redis_url, silent_server  # noqa: F401 - fixture

from inference.features.client import FeatureClient
from inference.features.config import redis_connection_string
from inference.features.history import Corrected, Extracted, history_rows
from inference.features.reading import DocumentReading, document_reading, skew_degrees
from inference.features.routing import read_features
from inference.settings import Settings

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "timetable.png"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sample_read():
    """The sample page read once by the default tier: (result, traces)."""
    from inference.pipeline import extract_file

    return extract_file(SAMPLE, settings=Settings())


def reading(document_id: str, uploader: str = "school-a", **values) -> DocumentReading:
    base = dict(ocr_mean_confidence=0.93, ocr_min_confidence=0.41, line_count=57,
                rotated_share=0.05, ruled=True, grid_rows=7, grid_cols=6, skew_degrees=0.4,
                blur=812.0, page_count=1, raw_confidence=0.88, tier="document-model",
                model_versions='{"document": "1"}')
    return DocumentReading(document_id=document_id, uploader=uploader, **{**base, **values})


@pytest.fixture(params=["sqlite", "redis"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> FeatureClient:
    redis = request.getfixturevalue("redis_url") if request.param == "redis" else None
    client = FeatureClient(Settings(data_dir=tmp_path, redis_url=redis))
    client.apply()
    return client


def test_a_page_reading_describes_what_the_stages_found(sample_read):
    result, traces = sample_read
    row = document_reading("d" * 64, result, result.confidence, traces, "school-a")
    lines = traces[0].lines
    assert row.line_count == len(lines) > 10
    assert row.ocr_min_confidence <= row.ocr_mean_confidence <= 1.0
    assert row.ruled and row.grid_rows > 2 and row.grid_cols > 2
    assert row.page_count == 1 and row.blur > 0
    assert row.raw_confidence == round(result.confidence, 4)
    assert row.uploader == "school-a" and '"document"' in row.model_versions


def test_skew_leaves_out_quarter_turns():
    def rotation(degrees: float) -> np.ndarray:
        a = np.radians(degrees)
        return np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])

    assert skew_degrees(rotation(3.0)) == pytest.approx(3.0)
    assert skew_degrees(rotation(93.0)) == pytest.approx(3.0)
    assert skew_degrees(rotation(-2.5)) == pytest.approx(-2.5)


def test_uploader_history_folds_extractions_and_corrections():
    rows = history_rows("school-a", [
        Extracted("a", T0, escalated=False),
        Extracted("b", T0 + timedelta(minutes=1), escalated=True),
        Corrected("b", T0 + timedelta(minutes=2), changed_share=0.25),
        Corrected("b", T0 + timedelta(minutes=3), changed_share=0.5),  # corrected again
    ])
    last = rows[-1]
    assert [r.documents for r in rows] == [1, 2, 2, 2]
    assert (last.corrections, last.correction_rate, last.mean_changed_share) == (1, 0.5, 0.5)
    assert last.claude_escalations == 1
    assert (last.first_seen, last.last_seen) == (T0, T0 + timedelta(minutes=3))


def test_redis_url_becomes_feasts_connection_string_with_short_timeouts():
    assert redis_connection_string("rediss://:p%40ss@cache.example:6380/2", 0.05) == (
        'cache.example:6380,db=2,socket_timeout=0.05,socket_connect_timeout=0.05,retry=null,'
        'ssl=true,password="p@ss"')
    with pytest.raises(ValueError, match="redis://"):
        redis_connection_string("http://localhost", 0.05)


def test_pushed_features_come_back_in_one_online_read(client: FeatureClient):
    # Ids of this run: Redis outlives the test and keeps only a row newer than the last.
    document, uploader = uuid.uuid4().hex * 2, f"school-{uuid.uuid4().hex[:8]}"
    client.push([reading(document, uploader)])
    client.push(history_rows(uploader, [Extracted("x", T0, False),
                                        Corrected("x", T0 + timedelta(minutes=1), 0.2)])[-1:])
    row = client.online([{"document_id": document, "uploader": uploader},
                         {"document_id": "2" * 64, "uploader": "nobody"}])
    assert row["line_count"] == [57, None]
    assert row["corrections"] == [1, None]
    # The on-demand view: the Beta(1, 1)-smoothed correction rate; none known for "nobody".
    assert row["uploader_error_rate"] == [pytest.approx(2 / 3), pytest.approx(0.5)]
    assert row["uploader_known"] == [True, False]


def test_historical_features_see_only_what_was_written_before(tmp_path: Path):
    client = FeatureClient(Settings(data_dir=tmp_path))
    client.apply()
    client.push([reading("1" * 64).model_copy(update={"event_timestamp": T0}),
                 reading("2" * 64).model_copy(update={"event_timestamp": T0 + timedelta(hours=2)})],
                online=False)
    client.push(history_rows("school-a", [
        Extracted("1" * 64, T0 + timedelta(minutes=1), False),
        Corrected("1" * 64, T0 + timedelta(hours=1), 0.4)]), online=False)
    frame = client.historical(pd.DataFrame({
        "document_id": ["1" * 64, "2" * 64],
        "uploader": ["school-a", "school-a"],
        "event_timestamp": [T0 + timedelta(seconds=30), T0 + timedelta(hours=2, seconds=30)],
    }))
    first, second = frame.to_dict("records")
    # The first document was routed before any history: kept, with the prior's signals.
    assert first["raw_confidence"] == 0.88 and first["uploader_known"] is False
    assert second["documents"] == 1 and second["corrections"] == 1
    assert second["uploader_error_rate"] == pytest.approx(2 / 3)


@pytest.mark.parametrize("fault", ["nothing listening", "never answers"])
def test_a_redis_down_or_hung_costs_the_features_not_the_document(
        tmp_path: Path, sample_read, fault: str):
    result, traces = sample_read
    healthy = FeatureClient(Settings(data_dir=tmp_path))
    healthy.apply()  # registry and offline logs in place; only the online store is faulty
    with silent_server() as hung:
        port = closed_port() if fault == "nothing listening" else hung
        client = FeatureClient(Settings(data_dir=tmp_path,
                                        redis_url=f"redis://127.0.0.1:{port}/0"))
        started = time.perf_counter()
        readout = read_features(client, "e" * 64, "school-a", result, 0.9, traces)
        elapsed = time.perf_counter() - started
    assert readout.status == "unavailable" and readout.store == "redis"
    assert "Error" in readout.reason
    assert elapsed < 1.0  # 50 ms socket timeouts, no retries


def test_the_cascade_routes_on_features_and_without_them(tmp_path: Path):
    """The real cascade on the sample page: with the SQLite store the feature calibrator
    (models/calibration/document-features.json) gives the confidence; with Redis down the
    document is still extracted and routed on the isotonic calibration, marked as such."""
    from inference.cascade import run_cascade

    data = SAMPLE.read_bytes()
    online = FeatureClient(Settings(data_dir=tmp_path / "ok"))
    online.apply()
    down = FeatureClient(Settings(data_dir=tmp_path / "ok",
                                  redis_url=f"redis://127.0.0.1:{closed_port()}/0"))
    settings = Settings(data_dir=tmp_path / "ok")
    with_features = run_cascade(data, settings=settings, document_id="f" * 64,
                                features=online, uploader="school-a")
    without = run_cascade(data, settings=settings, document_id="f" * 64, features=down,
                          uploader="school-a")
    assert with_features.features.status == "online"
    assert with_features.features.values["line_count"] > 10
    assert with_features.calibration.source == "features"
    assert without.features.status == "unavailable"
    assert without.calibration.source != "features"
    assert without.result.timeblocks and without.status in ("accepted", "awaiting_review")


def test_a_store_still_opening_is_waited_for_once_the_page_is_read(tmp_path: Path):
    """`yogi extract` opens Feast on a second thread while the page is read and hands the
    cascade the Future: the routing is the same as with an open store."""
    from concurrent.futures import Future

    from inference.cascade import run_cascade

    settings = Settings(data_dir=tmp_path)
    opening: Future[FeatureClient | None] = Future()

    def open_late() -> None:
        client = FeatureClient(settings)
        client.apply()
        opening.set_result(client)

    threading.Timer(0.5, open_late).start()
    outcome = run_cascade(SAMPLE.read_bytes(), settings=settings, document_id="e" * 64,
                          features=opening, uploader="school-b")
    assert opening.done()
    assert outcome.features.status == "online"
    assert outcome.calibration.source == "features"
