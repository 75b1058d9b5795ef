"""The reliability diagram `yogi calibrate` saves beside a calibrator: a PNG of the share right
(a document fully right, or a block right) against mean confidence per bin, for the raw and the
calibrated confidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from training.calibration.metrics import DEFAULT_BINS, ece, reliability_bins


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
