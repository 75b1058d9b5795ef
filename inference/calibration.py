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
looks only at the others. The file names its kind: `isotonic` (format 1; a file without a kind
is one) maps the block's raw confidence alone; `signals` (format 2) reads every block's
decoding signals (`inference.document.signals`): a logistic regression on their features, then
an isotonic step, so it applies only to results that carry them (the document tier's).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import numpy as np
import structlog
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.alias_generators import to_camel

from inference.document.signals import FEATURES, block_features, signals_of
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


def logistic(features: np.ndarray, mean: ArrayLike, scale: ArrayLike, coef: ArrayLike,
             intercept: float) -> np.ndarray:
    """The logistic regression's probability of rows of `features`, standardised first."""
    z = (np.asarray(features, float) - np.asarray(mean, float)) / np.asarray(scale, float)
    return 1.0 / (1.0 + np.exp(-(z @ np.asarray(coef, float) + intercept)))


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
    """What `yogi calibrate --blocks --block-kind isotonic` writes to
    models/calibration/<tier>-blocks.json: a block's raw confidence → the probability that the
    block is right (BLOCK_RIGHT)."""

    kind: Literal["isotonic"] = "isotonic"
    format_version: Literal[1] = 1
    target: str = BLOCK_RIGHT
    # Pages are assigned to `folds` cross-fitting folds by a seeded hash of their id
    # (training/calibration/blocks.py): how a figure of a page fitted on is reproduced.
    folds: int = 10
    # The kinds of page its block accept threshold was chosen to hold on: "real" (the real
    # pages given to the fit) or "all" (synthetic and real alike).
    threshold_on: Literal["real", "all"] = "all"
    fitted_on: BlockFittedOn

    def apply_features(self, features: np.ndarray) -> np.ndarray:
        """Calibrated confidences of blocks whose one feature is the raw confidence."""
        return np.round(apply_isotonic(self.x, self.y, np.asarray(features, float)[:, 0]), 4)

    def block_confidences(self, result: TimetableData) -> tuple[list[float | None] | None, str]:
        return [None if b.confidence is None else self.apply(b.confidence)
                for b in result.timeblocks], ""


class SignalsBlockCalibrator(IsotonicCalibrator):
    """What `yogi calibrate --blocks` writes for the document tier: a block's signals →
    `features` (inference.document.signals.FEATURES when it was fitted) → standardised by
    `mean` and `scale` → logistic regression (`coef`, `intercept`) → the isotonic step (`x`,
    `y`) → the probability that the block is right (BLOCK_RIGHT)."""

    kind: Literal["signals"] = "signals"
    format_version: Literal[2] = 2
    target: str = BLOCK_RIGHT
    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    folds: int = 10  # as BlockCalibrator's
    threshold_on: Literal["real", "all"] = "all"  # as BlockCalibrator's
    fitted_on: BlockFittedOn

    def apply_features(self, features: np.ndarray) -> np.ndarray:
        """Calibrated confidences of blocks with these features (blocks × `features`)."""
        regression = logistic(features, self.mean, self.scale, self.coef, self.intercept)
        return np.round(apply_isotonic(self.x, self.y, regression), 4)

    def block_confidences(self, result: TimetableData) -> tuple[list[float | None] | None, str]:
        signals = signals_of(result)
        if signals is None:
            return None, "the result carries no block signals"
        if tuple(self.features) != FEATURES:
            return None, "the calibrator reads other block features than this build computes"
        if not signals:
            return [], ""
        return self.apply_features(block_features(result, signals)).tolist(), ""


AnyBlockCalibrator = Annotated[BlockCalibrator | SignalsBlockCalibrator,
                               Field(discriminator="kind")]
_BLOCK_CALIBRATOR = TypeAdapter(AnyBlockCalibrator)


def read_block_calibrator(text: str) -> BlockCalibrator | SignalsBlockCalibrator:
    """A block calibrator file of either kind (format 1 files name no kind: isotonic)."""
    data = json.loads(text)
    if isinstance(data, dict):
        data.setdefault("kind", "isotonic")
    return _BLOCK_CALIBRATOR.validate_python(data)


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


def load_block_calibrator(directory: Path, tier: Tier
                          ) -> BlockCalibrator | SignalsBlockCalibrator | None:
    path = block_calibrator_path(directory, tier)
    return read_block_calibrator(path.read_text()) if path.is_file() else None


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
    result: TimetableData, directory: Path, read: Callable[[str], C],
    path_of: Callable[[Path, Tier], Path]
) -> tuple[C | None, str]:
    """The calibrator `read` makes of its file that belongs to the result's tier and model
    versions, or None and why not."""
    if result.tier not in CALIBRATED_TIERS.values():
        return None, f"tier {result.tier} has no calibration"
    path = path_of(directory, result.tier)
    try:
        calibrator = read(path.read_text()) if path.is_file() else None
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
    calibrator, reason = _matching(result, directory, Calibrator.model_validate_json,
                                   calibrator_path)
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
    unchanged (with the reason) when none belongs to its tier and model versions, or the
    result lacks what it reads (a signals calibrator, a result without block signals). A
    block without a confidence keeps none under the isotonic kind."""
    raw = [block.confidence for block in result.timeblocks]
    calibrator, reason = _matching(result, directory, read_block_calibrator,
                                   block_calibrator_path)
    confidences, why_not = (None, reason) if calibrator is None else (
        calibrator.block_confidences(result))
    if calibrator is None or confidences is None:
        calibrated = CalibratedBlocks(result, raw, "raw", why_not)
    else:
        blocks = [block.model_copy(update={"confidence": c})
                  for block, c in zip(result.timeblocks, confidences, strict=True)]
        calibrated = CalibratedBlocks(
            result.model_copy(update={"timeblocks": blocks}), raw, "calibrator",
            f"{reason} {calibrator.fitted_on.blocks} blocks ({calibrator.kind})")
    log_event = log.info if calibrated.source == "calibrator" else log.warning
    log_event("cascade.block_calibration", tier=result.tier, blocks=len(raw),
              source=calibrated.source, reason=calibrated.reason)
    return calibrated
