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

**Blocks** (issue 18) have their own calibrator (`<tier>-blocks.json`, `calibrate_blocks`): a
block's confidence becomes the probability that the block is right as strict F1 counts it
(BLOCK_RIGHT), so the router can accept a document whose every block is sure and a reviewer
looks only at the others.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import structlog
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from inference.schema import Tier, TimetableData

log = structlog.get_logger(__name__)

FULLY_RIGHT = "strict F1 = 1 and every gold header field right"
BLOCK_RIGHT = ("matched to a gold block (same day, name similarity >= 0.8) with start and end "
               "within 5 minutes where the gold scores times")

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


class IsotonicCalibrator(BaseModel):
    """An isotonic fit of one tier's confidence for one event (`target`)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    tier: Tier
    # The registry versions of the models that produced the fitting predictions (the result's
    # `modelVersions`); the calibrator applies only to results with exactly these.
    model_versions: dict[str, str] = Field(default_factory=dict)
    target: str
    x: list[float]
    y: list[float]
    metrics: dict[str, float] = Field(default_factory=dict)
    mlflow_run_id: str | None = None
    created_at: str

    def apply(self, confidence: float) -> float:
        return round(float(apply_isotonic(self.x, self.y, confidence)), 4)

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json", by_alias=True), indent=1) + "\n"


class Calibrator(IsotonicCalibrator):
    """What `yogi calibrate` writes to models/calibration/<tier>.json: the document's
    confidence → the probability that it is fully right."""

    target: str = FULLY_RIGHT
    fitted_on: FittedOn


class BlockFittedOn(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    data: list[str]  # the sets' folders
    documents: list[str]  # "<set folder>/<id>" of every document whose blocks were fitted on
    blocks: int
    right: int


class BlockCalibrator(IsotonicCalibrator):
    """What `yogi calibrate --blocks` writes to models/calibration/<tier>-blocks.json: a
    block's confidence → the probability that the block is right (BLOCK_RIGHT)."""

    target: str = BLOCK_RIGHT
    fitted_on: BlockFittedOn


C = TypeVar("C", bound=IsotonicCalibrator)


def tier_file_name(tier: Tier) -> str:
    return next(name for name, contract in CALIBRATED_TIERS.items() if contract == tier)


def calibrator_path(directory: Path, tier: Tier) -> Path:
    return Path(directory) / f"{tier_file_name(tier)}.json"


def block_calibrator_path(directory: Path, tier: Tier) -> Path:
    return Path(directory) / f"{tier_file_name(tier)}-blocks.json"


def load_calibrator(directory: Path, tier: Tier) -> Calibrator | None:
    path = calibrator_path(directory, tier)
    return Calibrator.model_validate_json(path.read_text()) if path.is_file() else None


def load_block_calibrator(directory: Path, tier: Tier) -> BlockCalibrator | None:
    path = block_calibrator_path(directory, tier)
    return BlockCalibrator.model_validate_json(path.read_text()) if path.is_file() else None


@dataclass(frozen=True)
class Calibrated:
    confidence: float
    raw: float
    source: str  # "calibrator" or "raw"
    reason: str



def fitted_for(fitted: dict[str, str], served: dict[str, str]) -> bool:
    """Whether a calibrator fitted on results of the `fitted` model versions applies to a result
    of the `served` ones: every model it names must have served at that version. A model it
    does not name was not a registered one when it was fitted (the OCR tier's base recogniser
    before it was registered), so it is not checked."""
    return all(served.get(name) == version for name, version in fitted.items())

def _matching(
    result: TimetableData, directory: Path, kind: type[C], path_of: Callable[[Path, Tier], Path]
) -> tuple[C | None, str]:
    """The calibrator of `kind` that belongs to the result's tier and model versions, or None
    and why not."""
    if result.tier not in CALIBRATED_TIERS.values():
        return None, f"tier {result.tier} has no calibration"
    path = path_of(directory, result.tier)
    try:
        calibrator = kind.model_validate_json(path.read_text()) if path.is_file() else None
    except (OSError, ValueError) as err:
        return None, f"calibrator unreadable: {err!r}"[:300]
    if calibrator is None:
        return None, f"no calibrator at {path}"
    if not fitted_for(calibrator.model_versions, result.model_versions):
        return None, (f"calibrator fitted for model versions {calibrator.model_versions}, "
                      f"result from {result.model_versions}")
    return calibrator, f"{path.name} fitted on"


def calibrate_result(result: TimetableData, directory: Path) -> Calibrated:
    """The calibrated confidence of a tier's result, or its raw confidence (with the reason)
    when no calibrator belongs to the tier and model versions that produced it."""
    raw = result.confidence
    calibrator, reason = _matching(result, directory, Calibrator, calibrator_path)
    if calibrator is None:
        calibrated = Calibrated(raw, raw, "raw", reason)
    else:
        calibrated = Calibrated(calibrator.apply(raw), raw, "calibrator",
                                f"{reason} {calibrator.fitted_on.documents} documents")
    log_event = log.info if calibrated.source == "calibrator" else log.warning
    log_event("cascade.calibration", tier=result.tier, raw=raw,
              confidence=calibrated.confidence, source=calibrated.source,
              reason=calibrated.reason)
    return calibrated


@dataclass(frozen=True)
class CalibratedBlocks:
    result: TimetableData  # the blocks' confidences calibrated (kept raw when source is "raw")
    raw: list[float | None]
    source: str  # "calibrator" or "raw"
    reason: str

    @property
    def confidences(self) -> list[float | None] | None:
        """The calibrated block confidences; None when they are raw scores, which no block
        threshold is about."""
        if self.source != "calibrator":
            return None
        return [block.confidence for block in self.result.timeblocks]


def calibrate_blocks(result: TimetableData, directory: Path) -> CalibratedBlocks:
    """The result with every block's confidence calibrated by the tier's block calibrator, or
    unchanged (with the reason) when none belongs to its tier and model versions. A block
    without a confidence keeps none."""
    raw = [block.confidence for block in result.timeblocks]
    calibrator, reason = _matching(result, directory, BlockCalibrator, block_calibrator_path)
    if calibrator is None:
        calibrated = CalibratedBlocks(result, raw, "raw", reason)
    else:
        blocks = [block.model_copy(update={"confidence": calibrator.apply(block.confidence)})
                  if block.confidence is not None else block for block in result.timeblocks]
        calibrated = CalibratedBlocks(
            result.model_copy(update={"timeblocks": blocks}), raw, "calibrator",
            f"{reason} {calibrator.fitted_on.blocks} blocks")
    log_event = log.info if calibrated.source == "calibrator" else log.warning
    log_event("cascade.block_calibration", tier=result.tier, blocks=len(raw),
              source=calibrated.source, reason=calibrated.reason)
    return calibrated
