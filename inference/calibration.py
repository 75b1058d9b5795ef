"""Calibrated confidence: a tier's raw score → the probability that the document is fully right.

**Fully right** (the event the probability is about): per-document strict F1 = 1 — every gold
block matched, no extra block, every scored time within 5 minutes — and every header field the
gold names (teacher, class, term, year) right. That is "a reviewer would change nothing": the
only outcome for which accepting a document without Claude or a person costs nothing, and the
reading the contract gives `confidence` ("among documents given confidence ≈ c, about a fraction
c should be fully right"). A looser target (strict F1 ≥ 0.9, say) would let a wrong lesson time
into a teacher's calendar and still count as right.

The calibrator is isotonic (monotone, no shape assumed) on the raw confidence alone; it is kept
as breakpoints and applied with linear interpolation, so applying it needs numpy only. Its
output is kept inside [1/(n+2), (n+1)/(n+2)] (Laplace's rule of succession for n fitting
documents): a finite sample cannot show that a score is never, or always, right.

A calibrator belongs to the tier and the model versions whose predictions it was fitted on;
`calibrate_result` applies it only to results from that same tier and those same versions and
otherwise keeps the raw score, saying why.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import structlog
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from inference.evaluation import score_document
from inference.schema import Tier, TimetableData

log = structlog.get_logger(__name__)

FULLY_RIGHT = "strict F1 = 1 and every gold header field right"
DEFAULT_BINS = 10

# The tiers that have calibrators, by their name on the command line → their contract name.
CALIBRATED_TIERS: dict[str, Tier] = {"classical": "classical", "document": "document-model"}


def fully_right(prediction: TimetableData, gold: TimetableData) -> bool:
    """The calibration target (see the module docstring)."""
    scores = score_document(prediction, gold)
    header = scores.header_accuracy
    return scores.strict_f1 == 1.0 and (header is None or header == 1.0)


# --- Maths (pure) -------------------------------------------------------------------------------


def fit_isotonic(confidence: np.ndarray, outcome: np.ndarray) -> tuple[list[float], list[float]]:
    """Breakpoints (x, y) of the isotonic (non-decreasing) fit of outcome on confidence, with
    y clipped to the rule-of-succession bounds. Ties in x are pooled."""
    from sklearn.isotonic import IsotonicRegression

    x = np.asarray(confidence, float)
    y = np.asarray(outcome, float)
    if x.size == 0:
        raise ValueError("cannot fit a calibrator on no documents")
    n = x.size
    low, high = 1.0 / (n + 2), (n + 1.0) / (n + 2)
    model = IsotonicRegression(y_min=low, y_max=high, out_of_bounds="clip").fit(x, y)
    return [float(v) for v in model.X_thresholds_], [float(v) for v in model.y_thresholds_]


def apply_isotonic(x: list[float], y: list[float], confidence: np.ndarray | float) -> np.ndarray:
    """The fitted step-and-slope function at `confidence` (flat beyond the fitted range)."""
    return np.interp(np.asarray(confidence, float), x, y)


def out_of_fold(
    confidence: np.ndarray, outcome: np.ndarray, folds: int = 5, seed: int = 0
) -> np.ndarray:
    """Calibrated confidence of every document from a calibrator fitted without it (k-fold,
    folds stratified by outcome so each keeps the base rate): honest figures on the fitting
    set itself."""
    x = np.asarray(confidence, float)
    y = np.asarray(outcome, float)
    if x.size < folds:
        raise ValueError(f"{x.size} documents cannot be split into {folds} folds")
    rng = np.random.default_rng(seed)
    fold_of = np.empty(x.size, int)
    for value in (0.0, 1.0):
        members = rng.permutation(np.flatnonzero(y == value))
        fold_of[members] = np.arange(members.size) % folds
    calibrated = np.empty(x.size)
    for k in range(folds):
        held = fold_of == k
        bx, by = fit_isotonic(x[~held], y[~held])
        calibrated[held] = apply_isotonic(bx, by, x[held])
    return calibrated


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_confidence: float  # NaN when the bin is empty
    accuracy: float  # share fully right; NaN when the bin is empty


def reliability_bins(
    confidence: np.ndarray, outcome: np.ndarray, bins: int = DEFAULT_BINS
) -> list[ReliabilityBin]:
    """Equal-width bins over [0, 1]; the last bin includes 1.0."""
    p = np.clip(np.asarray(confidence, float), 0.0, 1.0)
    y = np.asarray(outcome, float)
    index = np.minimum((p * bins).astype(int), bins - 1)
    result = []
    for b in range(bins):
        member = index == b
        count = int(member.sum())
        result.append(
            ReliabilityBin(
                low=b / bins,
                high=(b + 1) / bins,
                count=count,
                mean_confidence=float(p[member].mean()) if count else float("nan"),
                accuracy=float(y[member].mean()) if count else float("nan"),
            )
        )
    return result


def ece(confidence: np.ndarray, outcome: np.ndarray, bins: int = DEFAULT_BINS) -> float:
    """Expected calibration error: Σ (bin share) × |accuracy − mean confidence| over
    equal-width bins."""
    total = np.asarray(confidence).size
    if total == 0:
        raise ValueError("ECE of no documents")
    return float(
        sum(
            b.count / total * abs(b.accuracy - b.mean_confidence)
            for b in reliability_bins(confidence, outcome, bins)
            if b.count
        )
    )


def brier(confidence: np.ndarray, outcome: np.ndarray) -> float:
    p, y = np.asarray(confidence, float), np.asarray(outcome, float)
    return float(np.mean((p - y) ** 2))


def reliability_diagram(
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
    path: Path,
    title: str,
    bins: int = DEFAULT_BINS,
) -> Path:
    """A PNG: accuracy against mean confidence per bin for each named (confidence, outcome)
    pair, the diagonal (perfect calibration) and the bin counts beneath."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(6, 7), gridspec_kw={"height_ratios": [3, 1]}, sharex=True
    )
    top.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect")
    width = 1.0 / bins / (len(curves) + 1)
    for k, (name, (p, y)) in enumerate(curves.items()):
        table = [b for b in reliability_bins(p, y, bins) if b.count]
        label = f"{name} (ECE {ece(p, y, bins):.3f})"
        top.plot([b.mean_confidence for b in table], [b.accuracy for b in table], marker="o",
                 label=label)
        bottom.bar([b.low + (k + 0.5) * width for b in table], [b.count for b in table],
                   width=width, align="edge", label=name)
    top.set(xlim=(0, 1), ylim=(0, 1), ylabel="share fully right", title=title)
    top.legend(loc="upper left")
    bottom.set(xlabel="confidence", ylabel="documents")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --- The calibrator file ------------------------------------------------------------------------


class FittedOn(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    data: str  # the set's folder, for people
    documents: int
    fully_right: int
    ids_sha256: str  # names the exact set of documents (see `ids_digest`)


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


def ids_digest(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


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
