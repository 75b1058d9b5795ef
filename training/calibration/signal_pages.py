"""The labelled pages a signals block calibrator is fitted and measured on (issue 18): each
page's document-model answer with its blocks' decoding signals (`inference.document.signals`),
made here by the registry's document model, since a predictions file keeps the contract's
fields only.

A prepared set (`yogi train document-prepare`: `reading-rapid.jsonl` beside `labels/`) is read
by the model from its cached readings, the same answers `yogi bench document` writes (no OCR);
a set without that cache (`../shared/dev`) is read by the pipeline, as `yogi eval` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import structlog

from inference.document.features import PageReading
from inference.document.signals import signals_of
from inference.schema import TimetableData
from inference.settings import Settings
from training.calibration.examples import Example, document_files, run_tier

log = structlog.get_logger(__name__)

READING_FILE = "reading-rapid.jsonl"  # training.document.data.READING_FILE, without torch


def _from_readings(path: Path, settings: Settings) -> dict[str, TimetableData]:
    from inference.document.tier import document_result, read_page
    from inference.tiers import get_tier

    tier = get_tier("document", settings)
    model, version = tier.model, tier.version  # type: ignore[attr-defined]
    predictions: dict[str, TimetableData] = {}
    for line in path.read_text().splitlines():
        record = json.loads(line)
        rules = TimetableData.model_validate(record["classical"]).timeblocks
        page = read_page(model, PageReading.model_validate(record), rules=rules)
        predictions[record["id"]] = document_result([page], {"document": version})
    return predictions


def signalled_examples(data: Path, settings: Settings) -> list[Example]:
    """The labelled pages of `data` with the document model's answers, every block's signals
    beside it (`signals_of(example.prediction)`)."""
    labels = data / "labels"
    if not labels.is_dir():
        raise ValueError(f"{data} has no labels/ folder")
    gold = {p.stem: TimetableData.model_validate_json(p.read_text())
            for p in sorted(labels.glob("*.json"))}
    cache = data / READING_FILE
    if cache.is_file():
        predicted = _from_readings(cache, settings)
    else:
        documents = {k: v for k, v in document_files(data).items() if k in gold}
        predicted = run_tier(documents, "document", None, settings)
    ids = sorted(gold.keys() & predicted.keys())
    if not ids:
        raise ValueError(f"no page of {data} has both a label and a reading")
    missing = [i for i in ids if signals_of(predicted[i]) is None]
    if missing:
        raise ValueError(f"{data}: the document tier gave no block signals for {missing[0]} "
                         "(another tier answered?)")
    log.info("calibrate.signalled", data=str(data), pages=len(ids))
    return [Example(i, predicted[i], gold[i]) for i in ids]
