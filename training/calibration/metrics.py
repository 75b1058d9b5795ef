"""How well a confidence is calibrated: reliability bins, expected calibration error and the
Brier score of (confidence, fully right) pairs; and how well it ranks them (AUC).

Written out rather than taken from scikit-learn: `calibration_curve` puts a confidence on a bin
edge into the lower bin (these bins put it into the upper one) and drops empty bins, and
`brier_score_loss` differs in the last digit; the recorded figures come from these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_BINS = 10


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


def auc(score: np.ndarray, outcome: np.ndarray) -> float | None:
    """Area under the ROC curve: the chance that a right block scores above a wrong one (ties
    count half); None when every block is right, or every one wrong."""
    s, y = np.asarray(score, float), np.asarray(outcome, bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return None
    from scipy.stats import rankdata

    ranks = rankdata(s)
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / (positives * negatives))
