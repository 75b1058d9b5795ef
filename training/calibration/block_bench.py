"""The review load before and after routing by blocks (issue 18), on one set of pages whose
block confidences were calibrated without them (`blocks.honest_confidences`).

Before: the document-level router (inference.router.route on the document's calibrated
confidence alone); a document it does not accept is looked at whole, every block of it. After:
the same router given the calibrated block confidences; a reviewer looks at the flagged blocks
of a document it does not accept. Both are also given as risk–coverage curves (a block scored
by its document's confidence before, by its own after) and the fewest blocks to look at for the
unflagged ones to be 98 % right, read off each curve (the best any threshold could do on this
set: a bound, not a figure for a threshold chosen elsewhere), beside the oracle bound (what a
perfect score would flag) and, on the pages the calibrator was fitted on, the review load at a
threshold never chosen on the page it is applied to (`nested_review_load`): the figure to
expect of a threshold chosen on all of them.

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
from training.calibration.block_kinds import BLOCK_KINDS, BlockKind
from training.calibration.blocks import (
    PageBlocks,
    block_sets,
    cross_fitted,
    document_confidences,
    fold_of,
    honest_confidences,
    pooled,
)
from training.calibration.metrics import DEFAULT_BINS, auc, brier, ece
from training.calibration.review_load import (
    CURVE_GRID,
    TARGET_RIGHT,
    CurvePoint,
    at_threshold,
    curve,
    oracle_load,
    review_load,
)

# The threshold is chosen where the unflagged blocks are this much more often right than the
# target: chosen at 98 % itself on the calibration sets, the nested check (each fold at a
# threshold chosen without it) came out at 97.95 %. With half a point, a refit on 26 real
# pages held 98.6 % on them and 97.9 % on a sealed set of 370 blocks (session 34): a set of
# that size reads a 98 % rate only to about ±0.7 points, so the margin is one point.
CHOICE_MARGIN = 0.01


# The kinds of page a threshold may be chosen to hold on (`chosen_threshold`).
THRESHOLD_ON = ("real", "all")


def held_pages(pages: list[PageBlocks], on: str) -> list[PageBlocks]:
    """The pages the threshold must hold on: the real ones (`on="real"`, when there are any),
    else all."""
    real = [p for p in pages if p.source == "real"]
    return real if on == "real" and real else pages


def chosen_threshold(pages: list[PageBlocks], calibrated: dict[str, np.ndarray],
                     on: str = "all") -> float:
    """The lowest block accept threshold at which the unflagged blocks of every kind of page
    (synthetic, real; only the real ones with `on="real"`) are 98 % right, with
    CHOICE_MARGIN, on these pages (1.01, never, when none is)."""
    pages = held_pages(pages, on)
    scores = np.concatenate([calibrated[p.id] for p in pages])
    right = np.concatenate([p.right for p in pages])
    sources = np.concatenate([np.full(p.right.size, p.source) for p in pages])
    return review_load(scores, right, TARGET_RIGHT + CHOICE_MARGIN, groups=sources).threshold


def nested_review_load(pages: list[PageBlocks], calibrated: dict[str, np.ndarray],
                       kind: BlockKind, tier: str, folds: int, on: str = "all") -> dict:
    """Per kind of page, the blocks flagged when each fold's pages (scored by the fit on the
    other folds, `calibrated`) are flagged at the threshold `chosen_threshold` picks on the
    other folds' pages, themselves cross-fitted among those folds: no page is scored, nor its
    threshold chosen, with its own blocks."""
    by_fold: dict[int, list[PageBlocks]] = {}
    for page in pages:
        by_fold.setdefault(fold_of(page.id, folds), []).append(page)
    counts: dict[str, list[int]] = {}
    thresholds = {}
    for fold, held in sorted(by_fold.items()):
        rest = [p for p in pages if fold_of(p.id, folds) != fold]
        threshold = chosen_threshold(rest, cross_fitted(rest, kind, tier, folds), on)
        thresholds[str(fold)] = round(threshold, 4)
        for page in held:
            point = at_threshold(calibrated[page.id], page.right, threshold)
            total = counts.setdefault(page.source, [0, 0, 0])
            total[0] += point.flagged
            total[1] += point.unflagged
            total[2] += point.unflagged_right
    # Each fold had its own threshold: the points name none.
    points = {source: CurvePoint(0.0, *c).as_dict() for source, c in counts.items()}
    return {"thresholdByFold": thresholds,
            "sets": {source: {k: v for k, v in point.items() if k != "threshold"}
                     for source, point in points.items()}}


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
                source: str, bins: int = DEFAULT_BINS, nested: dict | None = None) -> dict:
    """ECE and AUC of the block confidence raw vs calibrated, and the review load before vs
    after (`nested`: this set's figure of `nested_review_load`)."""
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
        "auc": {"raw": _rounded(auc(raw, y)), "calibrated": _rounded(auc(cal, y))},
        "reviewLoad": {
            "target": TARGET_RIGHT,
            "oracle": oracle_load(right),
            "before": {
                "atSettings": routed_point(pages, None, document_confidence, settings).as_dict(),
                "bestOnThisSet": review_load(per_block_document, right).as_dict(),
                "curve": [p.as_dict() for p in curve(per_block_document, right, CURVE_GRID)],
            },
            "after": {
                "atSettings": routed_point(pages, calibrated, document_confidence,
                                           settings).as_dict(),
                "bestOnThisSet": review_load(cal, right).as_dict(),
                **({"atNestedThreshold": nested} if nested is not None else {}),
                "curve": [p.as_dict() for p in curve(cal, right, CURVE_GRID)],
            },
        },
        "acceptedByBlocks": accepted_by_blocks(pages, calibrated, document_confidence,
                                               settings),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def block_review(
    data: Path, *, tier: str, settings: Settings, real: Path | None = None,
    predictions: Path | None = None, real_predictions: Path | None = None,
    ocr: str | None = None, bins: int = DEFAULT_BINS, more_data: list[Path] | None = None,
) -> dict:
    """`yogi bench cascade`'s block section: the figures of `set_figures` on the synthetic
    pages of `data` and `more_data` and on the `real` pages, each scored by the block
    calibrator where it was not fitted on it (pages it was fitted on by a refit without their
    fold, with the nested review load of those pages)."""
    calibrator = load_block_calibrator(settings.calibration_dir, CALIBRATED_TIERS[tier])
    if calibrator is None:
        path = block_calibrator_path(settings.calibration_dir, CALIBRATED_TIERS[tier])
        return {"skipped": f"no block calibrator at {path}; run `yogi calibrate --blocks`"}
    kind = BLOCK_KINDS[calibrator.kind]
    synthetic, real_pages = block_sets([data, *(more_data or [])], real, tier, settings, kind,
                                       predictions, real_predictions, ocr)
    versions = synthetic[0].example.prediction.model_versions
    if calibrator.model_versions != versions:
        raise ValueError(f"the block calibrator belongs to model versions "
                         f"{calibrator.model_versions}, the predictions come from {versions}")
    fitted = set(calibrator.fitted_on.documents)
    pages = synthetic + real_pages
    honest = honest_confidences(pages, calibrator, kind, pages)
    fitted_pages = [p for p in pages if p.id in fitted]
    nested = (nested_review_load(fitted_pages, honest, kind, tier, calibrator.folds,
                                 calibrator.threshold_on)["sets"]
              if fitted_pages else {})
    name = block_calibrator_path(settings.calibration_dir, calibrator.tier).name
    sets = {}
    for source, members in (("synthetic", synthetic), ("real", real_pages)):
        if not members:
            continue
        refit = sum(p.id in fitted for p in members)
        how = (f"{name} ({calibrator.kind})" + (
            f"; {refit} pages it was fitted on: refitted without each one's fold "
            f"({calibrator.folds} folds)" if refit else " (not fitted on these pages)"))
        sets[source] = set_figures(members, honest, document_confidences(members, tier, settings),
                                   settings, source=how, bins=bins, nested=nested.get(source))
    return {"blockAcceptThreshold": settings.block_accept_threshold, "kind": calibrator.kind,
            "fittedPagesGiven": len(fitted_pages), "sets": sets}
