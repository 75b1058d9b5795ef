"""The review load (issue 18): the share of blocks a reviewer must look at so that the blocks
nobody looks at are right often enough, read off a risk–coverage curve.

Every block carries a score (its calibrated confidence; for document-level routing, its
document's confidence, since a routed document is looked at whole) and whether it is right. A
threshold flags the blocks below it; the unflagged ones are trusted as they are. Lowering the
threshold flags fewer blocks and trusts more wrong ones: the curve is (flagged share, share of
the unflagged that are right) for every threshold, and the review load at a target is the
smallest flagged share whose unflagged blocks are at least that often right; the oracle bound
is what a perfect score would flag.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TARGET_RIGHT = 0.98
# The threshold that flags every block: above any probability (the settings' "never").
ABOVE_ALL = 1.01
# The curve as written to JSON: the thresholds 0.00, 0.01, …, 1.00 (every distinct score
# would be thousands of points for the same picture).
CURVE_GRID = tuple(round(k / 100, 2) for k in range(101))


@dataclass(frozen=True)
class CurvePoint:
    threshold: float  # blocks scored below it are flagged
    flagged: int
    unflagged: int
    unflagged_right: int

    @property
    def flagged_share(self) -> float:
        total = self.flagged + self.unflagged
        return self.flagged / total if total else 0.0

    @property
    def unflagged_accuracy(self) -> float | None:
        return self.unflagged_right / self.unflagged if self.unflagged else None

    def as_dict(self) -> dict:
        accuracy = self.unflagged_accuracy
        return {"threshold": round(self.threshold, 4), "flagged": self.flagged,
                "unflagged": self.unflagged, "flaggedShare": round(self.flagged_share, 4),
                "unflaggedAccuracy": None if accuracy is None else round(accuracy, 4)}


def at_threshold(score: np.ndarray, right: np.ndarray, threshold: float) -> CurvePoint:
    """The blocks below `threshold` flagged, the rest trusted."""
    s, y = np.asarray(score, float), np.asarray(right, bool)
    trusted = s >= threshold
    return CurvePoint(threshold, int((~trusted).sum()), int(trusted.sum()),
                      int(y[trusted].sum()))


def curve(score: np.ndarray, right: np.ndarray,
          thresholds: tuple[float, ...] | None = None) -> list[CurvePoint]:
    """The risk–coverage curve at `thresholds` (default: every distinct score, and ABOVE_ALL,
    which flags everything)."""
    s = np.asarray(score, float)
    if thresholds is None:
        thresholds = (*np.unique(s).tolist(), ABOVE_ALL)
    return [at_threshold(s, right, t) for t in thresholds]


def review_load(score: np.ndarray, right: np.ndarray, target: float = TARGET_RIGHT,
                groups: np.ndarray | None = None) -> CurvePoint:
    """The point of the curve with the fewest flagged blocks whose unflagged blocks are at
    least `target` right (flagging everything always qualifies) — in every group of blocks
    `groups` names (one label per block: a threshold must hold on synthetic and real pages
    alike), else overall. Read off the set itself: a lower bound for a threshold chosen
    elsewhere."""
    s, y = np.asarray(score, float), np.asarray(right, bool)
    labels = np.zeros(s.size, int) if groups is None else np.asarray(groups)

    def qualifies(threshold: float) -> bool:
        for label in np.unique(labels):
            accuracy = at_threshold(s[labels == label], y[labels == label],
                                    threshold).unflagged_accuracy
            if accuracy is not None and accuracy < target:
                return False
        return True

    points = [p for p in curve(s, y) if qualifies(p.threshold)]
    return min(points, key=lambda p: (p.flagged, -p.threshold))


def oracle_load(right: np.ndarray, target: float = TARGET_RIGHT) -> dict:
    """The fewest blocks any score could flag for the rest to be `target` right: a perfect
    one flags wrong blocks only, and may leave as many unflagged as the target allows."""
    y = np.asarray(right, bool)
    good = int(y.sum())
    # Wrong blocks the unflagged ones may hold: w with good / (good + w) >= target.
    allowed = int(np.floor(good * (1 - target) / target + 1e-9))
    flagged = int(y.size - good - min(allowed, y.size - good))
    return {"flagged": flagged, "flaggedShare": round(flagged / y.size, 4) if y.size else 0.0}
