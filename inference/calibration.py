"""Calibrated confidence: a tier's raw score → the probability that the document is fully right,
by a calibrator fitted beforehand (training/calibration) and read here from the calibration dir.

**Fully right** (the event the probability is about): per-document strict F1 = 1 — every gold
block matched, no extra block, every scored time within 5 minutes — and every header field the
gold names (teacher, class, term, year) right. That is "a reviewer would change nothing": the
only outcome for which accepting a document without Claude or a person costs nothing, and the
reading the contract gives `confidence` ("among documents given confidence ≈ c, about a fraction
c should be fully right"). A looser target (strict F1 ≥ 0.9, say) would let a wrong lesson time
into a teacher's calendar and still count as right.

A calibrator is kept as the breakpoints of an isotonic fit and applied with linear
interpolation, so applying it needs numpy only. It belongs to the tier and the model versions
whose predictions it was fitted on; `calibrate_result` applies it only to results from that
same tier and those same versions and otherwise keeps the raw score, saying why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import structlog
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from inference.schema import Tier, TimetableData

log = structlog.get_logger(__name__)

FULLY_RIGHT = "strict F1 = 1 and every gold header field right"

# The tiers that have calibrators, by their name on the command line → their contract name.
CALIBRATED_TIERS: dict[str, Tier] = {"classical": "classical", "document": "document-model"}


def apply_isotonic(x: list[float], y: list[float], confidence: np.ndarray | float) -> np.ndarray:
    """The fitted step-and-slope function at `confidence` (flat beyond the fitted range)."""
    return np.interp(np.asarray(confidence, float), x, y)


# --- The calibrator file ------------------------------------------------------------------------


class FittedOn(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    data: str  # the set's folder, for people
    documents: int
    fully_right: int
    # Names the exact set of documents (training.calibration.examples.ids_digest).
    ids_sha256: str


class Calibrator(BaseModel):
    """What `yogi calibrate` writes to models/calibration/<tier>.json."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    tier: Tier
    # The registry versions of the models that produced the fitting predictions (the result's
    # `modelVersions`); the calibrator applies only to results with exactly these.
    model_versions: dict[str, str] = Field(default_factory=dict)
    target: str = FULLY_RIGHT
    x: list[float]
    y: list[float]
    fitted_on: FittedOn
    metrics: dict[str, float] = Field(default_factory=dict)
    mlflow_run_id: str | None = None
    created_at: str

    def apply(self, confidence: float) -> float:
        return round(float(apply_isotonic(self.x, self.y, confidence)), 4)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json", by_alias=True), indent=1) + "\n"


def tier_file_name(tier: Tier) -> str:
    return next(name for name, contract in CALIBRATED_TIERS.items() if contract == tier)


def calibrator_path(directory: Path, tier: Tier) -> Path:
    return Path(directory) / f"{tier_file_name(tier)}.json"


def load_calibrator(directory: Path, tier: Tier) -> Calibrator | None:
    path = calibrator_path(directory, tier)
    return Calibrator.model_validate_json(path.read_text()) if path.is_file() else None


@dataclass(frozen=True)
class Calibrated:
    confidence: float
    raw: float
    source: str  # "calibrator" or "raw"
    reason: str


def calibrate_result(result: TimetableData, directory: Path) -> Calibrated:
    """The calibrated confidence of a tier's result, or its raw confidence (with the reason)
    when no calibrator belongs to the tier and model versions that produced it."""
    raw = result.confidence
    if result.tier not in CALIBRATED_TIERS.values():
        return Calibrated(raw, raw, "raw", f"tier {result.tier} has no calibration")
    try:
        calibrator = load_calibrator(directory, result.tier)
    except (OSError, ValueError) as err:
        calibrated = Calibrated(raw, raw, "raw", f"calibrator unreadable: {err!r}"[:300])
    else:
        if calibrator is None:
            path = calibrator_path(directory, result.tier)
            calibrated = Calibrated(raw, raw, "raw", f"no calibrator at {path}")
        elif calibrator.model_versions != result.model_versions:
            calibrated = Calibrated(
                raw, raw, "raw",
                f"calibrator fitted for model versions {calibrator.model_versions}, result "
                f"from {result.model_versions}",
            )
        else:
            calibrated = Calibrated(
                calibrator.apply(raw), raw, "calibrator",
                f"{calibrator_path(directory, result.tier).name} fitted on "
                f"{calibrator.fitted_on.documents} documents",
            )
    log_event = log.info if calibrated.source == "calibrator" else log.warning
    log_event("cascade.calibration", tier=result.tier, raw=raw,
              confidence=calibrated.confidence, source=calibrated.source,
              reason=calibrated.reason)
    return calibrated
