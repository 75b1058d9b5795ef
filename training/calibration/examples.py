"""A tier's calibration examples: the labelled documents of a set, each with the tier's
prediction, and the calibration target (fully right) of each.

The set is `labels/*.json` beside `pages/` or `images/`; the tier's predictions come from a
predictions file (JSON lines `{"id": ..., "result": TimetableData}`), the set's reading cache
(`reading-<ocr>.jsonl`, whose lines carry the tier's result under the tier's name) or, failing
both, the tier run on every page (slow: seconds of CPU per page).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import structlog

from inference.calibration import CALIBRATED_TIERS
from inference.evaluation import score_document
from inference.schema import TimetableData
from inference.settings import Settings

log = structlog.get_logger(__name__)

DOCUMENT_FOLDERS = ("pages", "images")


def fully_right(prediction: TimetableData, gold: TimetableData) -> bool:
    """The calibration target (inference.calibration.FULLY_RIGHT): strict F1 = 1 and every
    header field the gold names right."""
    scores = score_document(prediction, gold)
    header = scores.header_accuracy
    return scores.strict_f1 == 1.0 and (header is None or header == 1.0)


def ids_digest(ids: list[str]) -> str:
    """Names the exact set of documents a calibrator was fitted on."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


@dataclass(frozen=True)
class Example:
    id: str
    prediction: TimetableData
    gold: TimetableData


def document_files(data: Path) -> dict[str, Path]:
    """Document id (file stem) → file. A PDF's page is also rendered beside it as a PNG; the
    PDF is the document."""
    found: dict[str, Path] = {}
    for folder in DOCUMENT_FOLDERS:
        for path in sorted((data / folder).glob("*")) if (data / folder).is_dir() else []:
            if path.is_file() and (path.stem not in found or path.suffix == ".pdf"):
                found[path.stem] = path
    return found


def read_predictions(path: Path, tier: str) -> dict[str, TimetableData]:
    """A predictions file or a reading cache → {id: the tier's TimetableData}."""
    predictions = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            result = row["result"] if "result" in row else row[tier]
            predictions[str(row["id"])] = TimetableData.model_validate(result)
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(
                f"{path}:{number}: not {{'id', 'result'}} nor a reading cache line with "
                f"'{tier}' ({type(err).__name__}: {err})"[:300]
            ) from None
    return predictions


def run_tier(documents: dict[str, Path], tier: str, ocr: str | None, settings: Settings
             ) -> dict[str, TimetableData]:
    """The tier's predictions, run here."""
    from inference.errors import InputRefused
    from inference.loading import load_path
    from inference.pipeline import extract_pages

    predictions = {}
    for doc_id, path in documents.items():
        try:
            predictions[doc_id], _ = extract_pages(load_path(path), ocr, tier,
                                                   settings=settings)
        except InputRefused as err:
            log.warning("calibrate.refused", document=str(path), reason=err.reason)
            predictions[doc_id] = TimetableData(tier=CALIBRATED_TIERS[tier])
        log.info("calibrate.predicted", document=doc_id)
    return predictions


def load_examples(
    data: Path, tier: str, predictions: Path | None = None, ocr: str | None = None,
    settings: Settings | None = None,
) -> list[Example]:
    """The labelled documents of `data` with the tier's predictions (see the module doc)."""
    labels_dir = data / "labels"
    if not labels_dir.is_dir():
        raise ValueError(f"{data} has no labels/ folder")
    gold = {p.stem: TimetableData.model_validate_json(p.read_text())
            for p in sorted(labels_dir.glob("*.json"))}
    cache = data / f"reading-{ocr or 'rapid'}.jsonl"
    if predictions is not None:
        predicted = read_predictions(predictions, tier)
    elif cache.is_file():
        predicted = read_predictions(cache, tier)
    else:
        documents = {k: v for k, v in document_files(data).items() if k in gold}
        if settings is None:
            raise ValueError(f"{data} has no reading cache: running the tier needs settings")
        predicted = run_tier(documents, tier, ocr, settings)
    ids = sorted(gold.keys() & predicted.keys())
    if not ids:
        raise ValueError(f"no prediction matches a label in {labels_dir}")
    expected = CALIBRATED_TIERS[tier]
    wrong = sorted({predicted[i].tier for i in ids} - {expected})
    if wrong:
        raise ValueError(f"the predictions come from tier {wrong[0]}, not {expected}")
    versions = {json.dumps(predicted[i].model_versions, sort_keys=True) for i in ids}
    if len(versions) > 1:
        raise ValueError(f"the predictions mix model versions {sorted(versions)}; a calibrator "
                         "belongs to one")
    log.info("calibrate.examples", labelled=len(gold), predicted=len(predicted), used=len(ids))
    return [Example(i, predicted[i], gold[i]) for i in ids]


def arrays(examples: list[Example]) -> tuple[np.ndarray, np.ndarray]:
    """(raw confidence, fully right as 0/1) per document."""
    confidence = np.array([e.prediction.confidence for e in examples], float)
    outcome = np.array([fully_right(e.prediction, e.gold) for e in examples], float)
    return confidence, outcome
