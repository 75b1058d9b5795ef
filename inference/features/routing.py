"""The cascade's one step into the feature store: once the tier has read a document, push its
reading, read the `routing` feature service online (one `get_online_features` call: the
reading, the uploader's history, the on-demand signals) and let the feature calibrator turn
them into the confidence the router decides on.

The store is never on the failure path: Redis down, slow (short socket timeouts) or the
registry missing → `FeatureReadout(status="unavailable")`, the isotonic calibration stands,
and the document is extracted and routed as before, marked as read without features.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import structlog
from pydantic import BaseModel, Field

from inference.calibration import CALIBRATED_TIERS, Calibrated, fitted_for
from inference.features.calibrator import load_feature_calibrator
from inference.features.reading import document_reading
from inference.schema import TimetableData
from inference.trace import PageTrace

if TYPE_CHECKING:
    from inference.features.client import FeatureClient
    from inference.store.repository import Store

log = structlog.get_logger(__name__)

FeatureStatus = Literal["online", "unavailable", "off"]


class FeatureReadout(BaseModel):
    """What the feature store gave one document (kept in its extraction record)."""

    status: FeatureStatus
    store: str = ""  # the online store's kind: sqlite, redis
    reason: str = ""
    read_ms: float = 0.0  # the push and the get_online_features call together
    values: dict[str, Any] = Field(default_factory=dict)


def read_features(client: FeatureClient | None, document_id: str | None,
                  uploader: str | None, result: TimetableData, raw_confidence: float,
                  traces: list[PageTrace]) -> FeatureReadout:
    """Push the document's reading and read its routing features back. Never raises."""
    if client is None or document_id is None:
        return FeatureReadout(status="off", reason="no feature store or no document id")
    started = time.perf_counter()
    try:
        reading = document_reading(document_id, result, raw_confidence, traces, uploader)
        client.push([reading])
        row = client.online([{"document_id": document_id, "uploader": reading.uploader}])
    except Exception as error:  # noqa: BLE001 - any store fault: route without features
        readout = FeatureReadout(status="unavailable", store=client.online_kind,
                                 reason=f"{type(error).__name__}: {error}"[:300],
                                 read_ms=round(1000 * (time.perf_counter() - started), 2))
        log.warning("features.unavailable", document_id=document_id, store=readout.store,
                    reason=readout.reason, ms=readout.read_ms)
        return readout
    values = {name: column[0] for name, column in row.items()
              if name not in ("document_id", "uploader")}
    return FeatureReadout(status="online", store=client.online_kind,
                          read_ms=round(1000 * (time.perf_counter() - started), 2),
                          values=values)


def calibrate_with_features(calibrated: Calibrated, readout: FeatureReadout,
                            result: TimetableData, directory: Path) -> Calibrated:
    """The feature calibrator's probability when the features were read and a calibrator for
    this tier and these model versions exists; otherwise `calibrated` unchanged."""
    if readout.status != "online" or result.tier not in CALIBRATED_TIERS.values():
        return calibrated
    try:
        calibrator = load_feature_calibrator(directory, result.tier)
    except (OSError, ValueError) as error:
        log.warning("features.calibrator_unreadable", error=repr(error)[:300])
        return calibrated
    if calibrator is None or not fitted_for(calibrator.model_versions, result.model_versions):
        return calibrated
    confidence = calibrator.probability(readout.values)
    log.info("cascade.calibration", source="features", raw=calibrated.raw,
             isotonic=calibrated.confidence, confidence=confidence)
    return Calibrated(confidence, calibrated.raw, "features",
                      f"{result.tier} feature calibrator (reading + uploader history)")


def refresh_uploader(client: FeatureClient | None, store: Store, uploader: str | None) -> bool:
    """After an extraction or a correction: the uploader's history recomputed from the store
    and pushed (offline log and online). False, logged, when the feature store is down."""
    from inference.features.history import events_from_store, history_rows

    if client is None or not uploader:
        return False
    try:
        rows = history_rows(uploader, events_from_store(store, uploader))
        client.push(rows[-1:])
    except Exception as error:  # noqa: BLE001 - the event is in the store; rebuild catches up
        log.warning("features.history_unavailable", uploader=uploader,
                    reason=f"{type(error).__name__}: {error}"[:300])
        return False
    return True


def record_readout(store: Store, extraction_id: int, readout: FeatureReadout) -> None:
    """The readout into its extraction's record (`extractions.features`)."""
    from sqlalchemy import update

    from inference.store.tables import Extraction

    with store.engine.begin() as connection:
        connection.execute(update(Extraction).where(Extraction.id == extraction_id)
                           .values(features=readout.model_dump(mode="json")))
