"""Block-level calibration (issue 18): every predicted block labelled right or wrong by the
contract's scoring (`inference.evaluation.blocks_right`) with what its calibrator's kind reads
(`block_kinds`), the calibrator fitted on them, and calibrated confidences that were never
fitted on their own page.

Blocks of one page are not independent (one misread day header makes a column wrong), so every
split is by page, never by block: pages are dealt into `folds` folds by a seeded hash of their
id (the same folds in every run, for the job and the bench alike), and a page the calibrator was
fitted on is scored by the same fit refitted without its fold (cross-fitting).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from inference.calibration import (
    CALIBRATED_TIERS,
    BlockFittedOn,
    load_calibrator,
)
from inference.evaluation import blocks_right
from inference.settings import Settings
from training.calibration.block_kinds import AnyBlockCalibrator, BlockKind
from training.calibration.examples import Example

SPLIT_SEED = 18
DEFAULT_FOLDS = 10
SOURCES = ("synthetic", "real")  # what a page is, for figures reported per set


@dataclass(frozen=True)
class PageBlocks:
    """One page's predicted blocks, in the result's order: raw confidence, what the calibrator
    reads, right/wrong, and which kind of set the page came from."""

    id: str  # page_id: the same page and label whatever folder they are read from
    example: Example
    raw: np.ndarray
    features: np.ndarray  # (blocks, features of the kind)
    right: np.ndarray
    source: str  # one of SOURCES


def page_id(example: Example) -> str:
    """"<id>:<digest of label and prediction>": a page fitted on is recognised from any folder
    (`../shared/dev` or a link to it), and two sets' "s0001" are told apart even where their
    labels happen to be equal (the same model reads different pages differently)."""
    content = json.dumps([example.gold.to_json_dict(), example.prediction.to_json_dict()],
                         sort_keys=True).encode()
    return f"{example.id}:{hashlib.sha256(content).hexdigest()[:12]}"


def page_blocks(examples: list[Example], kind: BlockKind, source: str = "synthetic"
                ) -> list[PageBlocks]:
    """The blocks of a set's examples. A block without a confidence counts as 0 (it would be
    flagged at any threshold)."""
    return [
        PageBlocks(
            id=page_id(e), example=e,
            raw=np.array([b.confidence or 0.0 for b in e.prediction.timeblocks], float),
            features=kind.features(e),
            right=np.array(blocks_right(e.prediction, e.gold), bool), source=source,
        )
        for e in examples
    ]


def fold_of(page: str, folds: int, seed: int = SPLIT_SEED) -> int:
    """The cross-fitting fold of a page (by its `page_id`)."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{page}".encode()).digest()[:4]) % folds


def pooled(pages: Iterable[PageBlocks]) -> tuple[np.ndarray, np.ndarray]:
    """(raw confidences, right) of every block of `pages`."""
    pages = list(pages)
    if not pages:
        return np.zeros(0), np.zeros(0, bool)
    return np.concatenate([p.raw for p in pages]), np.concatenate([p.right for p in pages])


def fit_calibrator(pages: list[PageBlocks], kind: BlockKind, tier: str, sets: list[Path],
                   folds: int, metrics: dict[str, float] | None = None,
                   threshold_on: str = "all") -> AnyBlockCalibrator:
    """The kind's calibrator fitted on every block of `pages` (`threshold_on`: the pages its
    threshold is chosen to hold on, recorded with it)."""
    blocks = [p for p in pages if p.right.size]
    if not blocks:
        raise ValueError("no predicted blocks to fit a block calibrator on")
    features = np.concatenate([p.features for p in blocks])
    right = np.concatenate([p.right for p in blocks])
    return kind.calibrator(
        tier=CALIBRATED_TIERS[tier], model_versions=pages[0].example.prediction.model_versions,
        folds=folds, threshold_on=threshold_on, **kind.fit(features, right),
        fitted_on=BlockFittedOn(data=[str(s) for s in sets],
                                documents=sorted(p.id for p in pages),
                                blocks=int(right.size), right=int(right.sum())),
        metrics={name: round(value, 4) for name, value in (metrics or {}).items()},
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def cross_fitted(pages: list[PageBlocks], kind: BlockKind, tier: str, folds: int
                 ) -> dict[str, np.ndarray]:
    """Each page's calibrated block confidences from the kind's fit on the pages of `pages`
    outside its fold."""
    by_fold: dict[int, list[PageBlocks]] = {}
    for page in pages:
        by_fold.setdefault(fold_of(page.id, folds), []).append(page)
    scores = {}
    for fold, held in by_fold.items():
        rest = [p for p in pages if fold_of(p.id, folds) != fold]
        calibrator = fit_calibrator(rest, kind, tier, [], folds)
        scores.update({p.id: calibrator.apply_features(p.features) for p in held})
    return scores


def honest_confidences(
    pages: list[PageBlocks], calibrator: AnyBlockCalibrator, kind: BlockKind,
    available: list[PageBlocks]
) -> dict[str, np.ndarray]:
    """Calibrated block confidences of `pages`, each from a calibrator not fitted on it: the
    saved one for a page it was not fitted on, else the same fit refitted on the calibrator's
    pages outside the page's fold (`available` must hold them all)."""
    fitted = set(calibrator.fitted_on.documents)
    by_id = {p.id: p for p in available}
    missing = sorted(fitted - by_id.keys())
    if any(p.id in fitted for p in pages) and missing:
        raise ValueError(f"the block calibrator was fitted on pages not given here "
                         f"({len(missing)}, e.g. {missing[0]}): cannot refit it without one")
    result = {p.id: calibrator.apply_features(p.features) for p in pages if p.id not in fitted}
    if len(result) < len(pages):
        refits = cross_fitted([by_id[i] for i in sorted(fitted)], kind,
                              _tier_name(calibrator), calibrator.folds)
        result.update({p.id: refits[p.id] for p in pages if p.id in fitted})
    return result


def _tier_name(calibrator: AnyBlockCalibrator) -> str:
    return next(name for name, tier in CALIBRATED_TIERS.items() if tier == calibrator.tier)


def document_confidences(pages: list[PageBlocks], tier: str, settings: Settings
                         ) -> dict[str, float]:
    """Each page's calibrated document confidence (what today's router routes on), by the
    saved document calibrator when it belongs to these predictions, else the raw score."""
    calibrator = load_calibrator(settings.calibration_dir, CALIBRATED_TIERS[tier])
    versions = pages[0].example.prediction.model_versions if pages else {}
    usable = calibrator is not None and calibrator.model_versions == versions
    return {p.id: (calibrator.apply(p.example.prediction.confidence)  # type: ignore[union-attr]
                   if usable else p.example.prediction.confidence) for p in pages}


def block_sets(data: list[Path], real: Path | None, tier: str, settings: Settings,
               kind: BlockKind, predictions: Path | None, real_predictions: Path | None,
               ocr: str | None) -> tuple[list[PageBlocks], list[PageBlocks]]:
    """(synthetic pages of every set in `data`, real pages) with their blocks labelled;
    `predictions` belong to the first set of `data`."""
    synthetic = [page for k, folder in enumerate(data) for page in page_blocks(
        kind.examples(folder, tier, settings, predictions if k == 0 else None, ocr), kind)]
    real_pages = (page_blocks(kind.examples(real, tier, settings, real_predictions, ocr), kind,
                              "real") if real is not None else [])
    ids = [p.id for p in synthetic + real_pages]
    if len(set(ids)) < len(ids):
        raise ValueError("a page is given twice (the same set named twice?)")
    versions = {json.dumps(p.example.prediction.model_versions, sort_keys=True)
                for p in synthetic + real_pages}
    if len(versions) > 1:
        raise ValueError(f"the sets' predictions come from model versions {sorted(versions)}; "
                         "a calibrator belongs to one")
    return synthetic, real_pages
