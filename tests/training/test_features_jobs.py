"""The feature store's batch side (training/features/): the calibrator fitted on one half of
each uploader's pages and measured on the other, the events replayed for point-in-time
features, the rebuild from the document store, and `yogi features show`'s view of one
document."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from inference.features.client import FeatureClient
from inference.features.reading import DocumentReading
from inference.schema import TimeBlock, TimetableData
from inference.settings import Settings
from inference.store.labels import record_extraction
from inference.store.repository import Store
from inference.store.status import GOLD
from training.features.examples import FeatureExample
from training.features.fit import fit_and_measure, split
from training.features.rebuild import rebuild
from training.features.replay import replay
from training.features.show import show


def example(k: int, uploader: str, right: bool, rng: np.random.Generator) -> FeatureExample:
    """A page whose raw confidence says little and whose OCR says more (as the real ones)."""
    ocr = float(rng.uniform(0.9, 1.0) if right else rng.uniform(0.6, 0.9))
    reading = DocumentReading(
        document_id=f"{uploader}-{k}".encode().hex().ljust(64, "0")[:64], uploader=uploader,
        ocr_mean_confidence=ocr, ocr_min_confidence=ocr / 2, line_count=40, rotated_share=0.0,
        ruled=True, grid_rows=6, grid_cols=6, skew_degrees=0.0, blur=500.0, page_count=1,
        raw_confidence=float(rng.uniform(0.5, 1.0)), tier="document-model",
        model_versions='{"document": "1"}')
    return FeatureExample(id=f"{k:03d}", uploader=uploader, reading=reading, fully_right=right,
                          changed_share=0.0 if right else 0.3)


def test_the_feature_calibrator_is_measured_only_on_pages_it_was_not_fitted_on(tmp_path: Path):
    rng = np.random.default_rng(3)
    examples = [example(k, uploader, bool(rng.uniform() < share), rng)
                for uploader, share in (("careful", 0.8), ("sloppy", 0.2))
                for k in range(20)]
    fit = split(examples)
    assert fit.sum() == 20 and list(fit[:4]) == [True, False, True, False]
    client = FeatureClient(Settings(data_dir=tmp_path))
    client.apply()
    features = replay(client, examples, Settings(data_dir=tmp_path))
    # Point in time: an uploader's nth page sees the n - 1 before it.
    assert features["documents"].fillna(0).tolist()[:3] == [0, 1, 2]
    calibrator, report = fit_and_measure(examples, features, ["made up"])
    assert report["documents"] == {"fit": 20, "heldOut": 20,
                                   "heldOutFullyRight": report["documents"]["heldOutFullyRight"],
                                   "heldOutByUploader": {"careful": 10, "sloppy": 10}}
    assert calibrator.fitted_on["documents"] == 20
    # The OCR confidence separates right from wrong here and the raw confidence does not.
    assert report["features"]["brier"] < report["isotonic"]["brier"]
    assert all(0 < calibrator.probability(row) < 1 for row in features.to_dict("records"))


def test_rebuild_and_show_follow_the_store(tmp_path: Path):
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'y.db'}")
    store = Store.from_settings(settings)
    store.migrate()
    client = FeatureClient(settings)
    client.apply()
    document_id = "ab" * 32
    store.get_or_create_document(document_id, filename="t.png", content_type="image/png",
                                 size=1, object_key="k", uploader="school-d")
    answer = TimetableData(tier="document-model", confidence=0.7, timeblocks=[
        TimeBlock(day="Monday", name="Maths", start_time="09:00", end_time="10:00"),
        TimeBlock(day="Monday", name="Art", start_time="10:00", end_time="11:00")])
    extraction = record_extraction(store, document_id, answer, status="done",
                                   route_reason="claude_failed:no_api_key", timings={},
                                   latency_s=1.0, cost_usd=0.0, settings=settings)
    corrected = answer.model_copy(update={"timeblocks": answer.timeblocks[:1]})
    store.add_label(document_id, corrected.to_json_dict(), source=GOLD, author="r",
                    corrects_extraction_id=extraction.id)
    # The reading reached the offline log only (the online store was down at the time).
    client.push([DocumentReading(
        document_id=document_id, uploader="school-d", ocr_mean_confidence=0.9,
        ocr_min_confidence=0.5, line_count=30, rotated_share=0.0, ruled=True, grid_rows=5,
        grid_cols=5, skew_degrees=0.0, blur=100.0, page_count=1, raw_confidence=0.7,
        tier="document-model", model_versions="{}")], online=False)

    assert rebuild(client, store) == {"uploaders": 1, "historyRows": 2}
    report = show(client, store, document_id)
    online = report["online"]
    assert online["line_count"] == 30  # materialised from the offline log
    assert (online["documents"], online["corrections"], online["claude_escalations"]) == (1, 1, 1)
    assert online["mean_changed_share"] == round(1 - 2 / 3, 4)  # one of two blocks gone
    assert report["upload"]["uploader"] == "school-d"
    assert len(report["offline"]["uploaderHistory"]) == 2
    json.dumps(report, default=str)
    store.dispose()


def test_a_dataset_gets_the_features_as_they_were_when_each_label_was_made(tmp_path: Path):
    import pandas as pd

    from training.features.dataset import attach_features

    settings = Settings(data_dir=tmp_path)
    client = FeatureClient(settings)
    client.apply()
    reading = DocumentReading(
        document_id="cd" * 32, uploader="school-e", ocr_mean_confidence=0.8,
        ocr_min_confidence=0.3, line_count=12, rotated_share=0.5, ruled=False, grid_rows=0,
        grid_cols=0, skew_degrees=1.0, blur=20.0, page_count=2, raw_confidence=0.4,
        tier="document-model", model_versions="{}")
    client.push([reading])
    made = reading.event_timestamp.isoformat()
    exported = {"documents": [
        {"id": "cd" * 32, "uploader": "school-e", "createdAt": made},
        {"id": "cd" * 32, "uploader": "school-e", "createdAt": "2020-01-01T00:00:00+00:00"},
    ]}
    path = attach_features(exported, settings, tmp_path)
    frame = pd.read_parquet(path)
    assert frame["line_count"].tolist()[0] == 12
    assert pd.isna(frame["line_count"].tolist()[1])  # a label from before the reading
