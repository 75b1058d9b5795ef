"""The pictures `yogi calibrate` saves beside a calibrator: the reliability diagram (the share
right — a document fully right, or a block right — against mean confidence per bin, for the raw
and the calibrated confidence) and, for blocks, the risk–coverage curves of the review load."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from training.calibration.metrics import DEFAULT_BINS, ece, reliability_bins
from training.calibration.review_load import TARGET_RIGHT, curve, review_load


def reliability_diagram(
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
    path: Path,
    title: str,
    bins: int = DEFAULT_BINS,
    outcome: str = "fully right",
    unit: str = "documents",
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
    top.set(xlim=(0, 1), ylim=(0, 1), ylabel=f"share {outcome}", title=title)
    top.legend(loc="upper left")
    bottom.set(xlabel="confidence", ylabel=unit)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def risk_coverage_plot(
    curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path, title: str,
    target: float = TARGET_RIGHT,
) -> Path:
    """A PNG: for each named (score, right) pair, the share of the unflagged blocks that are
    right against the share flagged, over every threshold, with the target line (the review
    load is where a curve first reaches it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axis = plt.subplots(figsize=(6, 4.5))
    for name, (score, right) in curves.items():
        points = [p for p in curve(score, right.astype(bool)) if p.unflagged]
        load = review_load(score, right.astype(bool), target).flagged_share
        axis.plot([p.flagged_share for p in points],
                  [p.unflagged_right / p.unflagged for p in points],
                  label=f"{name} (load {load:.0%})")
    axis.axhline(target, color="grey", linestyle="--", linewidth=1, label=f"{target:.0%} right")
    axis.set(xlim=(0, 1), ylim=(0.5, 1.0), xlabel="share of blocks flagged",
             ylabel="share of unflagged blocks right", title=title)
    axis.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
