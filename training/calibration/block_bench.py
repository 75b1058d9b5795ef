"""The review load before and after routing by blocks (issue 18), on one set of pages whose
block confidences were calibrated without them (`blocks.honest_confidences`).

Before: the document-level router (inference.router.route on the document's calibrated
confidence alone); a document it does not accept is looked at whole, every block of it. After:
the same router given the calibrated block confidences; a reviewer looks at the flagged blocks
of a document it does not accept. Both are also given as risk–coverage curves (a block scored
by its document's confidence before, by its own after) and the fewest blocks to look at for the
unflagged ones to be 98 % right, read off each curve (the best any threshold could do on this
set: a bound, not a figure for a threshold chosen elsewhere).

What no block score can show: a gold block nobody predicted. `acceptedByBlocks` counts those on
the pages routing by blocks accepts, with the header accuracy of those pages (the block
calibrator says nothing about the heading).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from inference.calibration import CALIBRATED_TIERS, block_calibrator_path, load_block_calibrator
from inference.evaluation import score_set
from inference.router import route
from inference.settings import Settings
from training.calibration.blocks import (
    PageBlocks,
    block_sets,
    document_confidences,
    honest_confidences,
    pooled,
)
from training.calibration.metrics import DEFAULT_BINS, brier, ece
from training.calibration.review_load import (
    CURVE_GRID,
    TARGET_RIGHT,
    CurvePoint,
    curve,
    review_load,
)


def routed_point(pages: list[PageBlocks], calibrated: dict[str, np.ndarray] | None,
                 document_confidence: dict[str, float], settings: Settings) -> CurvePoint:
    """The blocks a reviewer looks at under the router at the settings' thresholds: the
    flagged blocks of every document not accepted (all its blocks when `calibrated` is None,
    the document-level routing)."""
    flagged = unflagged = unflagged_right = 0
    for page in pages:
        blocks = None if calibrated is None else calibrated[page.id].tolist()
        decision = route(document_confidence[page.id], settings, blocks)
        looked = np.zeros(page.raw.size, bool)
        if decision.action != "accept":
            looked[list(decision.flagged_blocks) if blocks is not None else slice(None)] = True
        flagged += int(looked.sum())
        unflagged += int((~looked).sum())
        unflagged_right += int(page.right[~looked].sum())
    threshold = settings.accept_threshold if calibrated is None else settings.block_accept_threshold
    return CurvePoint(threshold, flagged, unflagged, unflagged_right)


def accepted_by_blocks(pages: list[PageBlocks], calibrated: dict[str, np.ndarray],
                       document_confidence: dict[str, float], settings: Settings) -> dict:
    accepted = [p for p in pages
                if route(document_confidence[p.id], settings,
                         calibrated[p.id].tolist()).action == "accept"]
    scores = score_set({p.id: (p.example.prediction, p.example.gold) for p in accepted}).micro
    counts = scores.counts
    return {"pages": len(accepted), "blocks": counts.predicted, "goldBlocks": counts.gold,
            "missedGoldBlocks": counts.gold - counts.matched,
            "headerAccuracy": (None if scores.header_accuracy is None
                               else round(scores.header_accuracy, 4))}


def set_figures(pages: list[PageBlocks], calibrated: dict[str, np.ndarray],
                document_confidence: dict[str, float], settings: Settings, *,
                source: str, bins: int = DEFAULT_BINS) -> dict:
    """ECE of the block confidence raw vs calibrated, and the review load before vs after."""
    raw, right = pooled(pages)
    if raw.size == 0:
        raise ValueError("no predicted blocks on these pages")
    cal = np.concatenate([calibrated[p.id] for p in pages])
    per_block_document = np.concatenate(
        [np.full(p.raw.size, document_confidence[p.id]) for p in pages])
    y = right.astype(float)
    return {
        "pages": len(pages),
        "blocks": int(raw.size),
        "blocksRight": int(right.sum()),
        "confidenceSource": source,
        "ece": {"raw": round(ece(raw, y, bins), 4), "calibrated": round(ece(cal, y, bins), 4)},
        "brier": {"raw": round(brier(raw, y), 4), "calibrated": round(brier(cal, y), 4)},
        "reviewLoad": {
            "target": TARGET_RIGHT,
            "before": {
                "atSettings": routed_point(pages, None, document_confidence, settings).as_dict(),
                "bestOnThisSet": review_load(per_block_document, right).as_dict(),
                "curve": [p.as_dict() for p in curve(per_block_document, right, CURVE_GRID)],
            },
            "after": {
                "atSettings": routed_point(pages, calibrated, document_confidence,
                                           settings).as_dict(),
                "bestOnThisSet": review_load(cal, right).as_dict(),
                "curve": [p.as_dict() for p in curve(cal, right, CURVE_GRID)],
            },
        },
        "acceptedByBlocks": accepted_by_blocks(pages, calibrated, document_confidence,
                                               settings),
    }


def block_review(
    data: Path, *, tier: str, settings: Settings, real: Path | None = None,
    predictions: Path | None = None, real_predictions: Path | None = None,
    ocr: str | None = None, bins: int = DEFAULT_BINS,
) -> dict:
    """`yogi bench cascade`'s block section: the figures of `set_figures` on the pages of
    `data` the block calibrator was not fitted on, and on every page of `real` (those it was
    fitted on with a refit that leaves the page out)."""
    calibrator = load_block_calibrator(settings.calibration_dir, CALIBRATED_TIERS[tier])
    if calibrator is None:
        path = block_calibrator_path(settings.calibration_dir, CALIBRATED_TIERS[tier])
        return {"skipped": f"no block calibrator at {path}; run `yogi calibrate --blocks`"}
    synthetic, real_pages = block_sets(data, real, tier, settings, predictions,
                                       real_predictions, ocr)
    versions = synthetic[0].example.prediction.model_versions
    if calibrator.model_versions != versions:
        raise ValueError(f"the block calibrator belongs to model versions "
                         f"{calibrator.model_versions}, the predictions come from {versions}")
    fitted = set(calibrator.fitted_on.documents)
    held = [p for p in synthetic if p.id not in fitted]
    sets = {}
    for name, pages in (("synthetic", held), ("real", real_pages)):
        if not pages:
            continue
        refit = sum(p.id in fitted for p in pages)
        source = (f"{block_calibrator_path(settings.calibration_dir, calibrator.tier).name}"
                  + (f"; {refit} pages it was fitted on: refitted without each" if refit
                     else " (not fitted on these pages)"))
        honest = honest_confidences(pages, calibrator, synthetic + real_pages)
        sets[name] = set_figures(pages, honest, document_confidences(pages, tier, settings),
                                 settings, source=source, bins=bins)
    return {"blockAcceptThreshold": settings.block_accept_threshold,
            "leftOutFittedPages": len(synthetic) - len(held), "sets": sets}
