"""Block-level calibration (issue 18): every predicted block labelled right or wrong by the
contract's scoring (`inference.evaluation.blocks_right`), the isotonic fit of right on the raw
block confidence, and calibrated confidences that were never fitted on their own document.

The sets: a synthetic held-out set is split in two halves by a seeded hash of each page's id
(the same halves in every run): the calibrator is fitted on one, figures are reported on the
other. Real pages are few, so all of them are fitted on and each is reported with a calibrator
refitted without it (leave one page out). Blocks of one page are not independent (one misread
day header makes a column wrong), so every split is by page, never by block.
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
    BlockCalibrator,
    BlockFittedOn,
    apply_isotonic,
    load_calibrator,
)
from inference.evaluation import blocks_right
from inference.settings import Settings
from training.calibration.examples import Example, load_examples
from training.calibration.fit import fit_isotonic

SPLIT_SEED = 18


@dataclass(frozen=True)
class PageBlocks:
    """One page's predicted blocks: raw confidence and right/wrong, in the result's order."""

    id: str  # page_id: the same page and label whatever folder they are read from
    example: Example
    raw: np.ndarray
    right: np.ndarray


def page_id(example: Example) -> str:
    """"<id>:<digest of label and prediction>": a page fitted on is recognised from any folder
    (`../shared/dev` or a link to it), and two sets' "s0001" are told apart even where their
    labels happen to be equal (the same model reads different pages differently)."""
    content = json.dumps([example.gold.to_json_dict(), example.prediction.to_json_dict()],
                         sort_keys=True).encode()
    return f"{example.id}:{hashlib.sha256(content).hexdigest()[:12]}"


def page_blocks(examples: list[Example]) -> list[PageBlocks]:
    """The blocks of a set's examples. A block without a confidence counts as 0 (it would be
    flagged at any threshold)."""
    return [
        PageBlocks(
            id=page_id(e), example=e,
            raw=np.array([b.confidence or 0.0 for b in e.prediction.timeblocks], float),
            right=np.array(blocks_right(e.prediction, e.gold), bool),
        )
        for e in examples
    ]


def fit_half(page_id: str, seed: int = SPLIT_SEED) -> bool:
    """Whether a synthetic page is in the half the calibrator is fitted on."""
    return hashlib.sha256(f"{seed}:{page_id}".encode()).digest()[0] % 2 == 0


def pooled(pages: Iterable[PageBlocks]) -> tuple[np.ndarray, np.ndarray]:
    pages = list(pages)
    if not pages:
        return np.zeros(0), np.zeros(0, bool)
    return np.concatenate([p.raw for p in pages]), np.concatenate([p.right for p in pages])


def fit_blocks(pages: list[PageBlocks]) -> tuple[list[float], list[float]]:
    raw, right = pooled(pages)
    if raw.size == 0:
        raise ValueError("no predicted blocks to fit a block calibrator on")
    return fit_isotonic(raw, right.astype(float))


def block_calibrator(pages: list[PageBlocks], tier: str, sets: list[Path],
                     metrics: dict[str, float]) -> BlockCalibrator:
    x, y = fit_blocks(pages)
    _, right = pooled(pages)
    return BlockCalibrator(
        tier=CALIBRATED_TIERS[tier],
        model_versions=pages[0].example.prediction.model_versions,
        x=[round(v, 4) for v in x], y=[round(v, 4) for v in y],
        fitted_on=BlockFittedOn(data=[str(s) for s in sets],
                                documents=sorted(p.id for p in pages),
                                blocks=int(right.size), right=int(right.sum())),
        metrics={name: round(value, 4) for name, value in metrics.items()},
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def honest_confidences(
    pages: list[PageBlocks], calibrator: BlockCalibrator, available: list[PageBlocks]
) -> dict[str, np.ndarray]:
    """Calibrated block confidences of `pages`, each from a calibrator not fitted on it: the
    saved one for a page it was not fitted on, else the same fit refitted on the calibrator's
    pages less this one (`available` must hold them all)."""
    fitted = set(calibrator.fitted_on.documents)
    by_id = {p.id: p for p in available}
    missing = sorted(fitted - by_id.keys())
    if any(p.id in fitted for p in pages) and missing:
        raise ValueError(f"the block calibrator was fitted on pages not given here "
                         f"({len(missing)}, e.g. {missing[0]}): cannot refit it without one")
    result = {}
    for page in pages:
        if page.id not in fitted:
            result[page.id] = np.array([calibrator.apply(c) for c in page.raw])
        else:
            x, y = fit_blocks([by_id[i] for i in sorted(fitted) if i != page.id])
            result[page.id] = np.round(apply_isotonic(x, y, page.raw), 4)
    return result


def document_confidences(pages: list[PageBlocks], tier: str, settings: Settings
                         ) -> dict[str, float]:
    """Each page's calibrated document confidence (what today's router routes on), by the
    saved document calibrator when it belongs to these predictions, else the raw score."""
    calibrator = load_calibrator(settings.calibration_dir, CALIBRATED_TIERS[tier])
    versions = pages[0].example.prediction.model_versions if pages else {}
    usable = calibrator is not None and calibrator.model_versions == versions
    return {p.id: (calibrator.apply(p.example.prediction.confidence)  # type: ignore[union-attr]
                   if usable else p.example.prediction.confidence) for p in pages}


def block_sets(data: Path, real: Path | None, tier: str, settings: Settings,
               predictions: Path | None, real_predictions: Path | None, ocr: str | None
               ) -> tuple[list[PageBlocks], list[PageBlocks]]:
    """(synthetic pages, real pages) with their blocks labelled."""
    synthetic = page_blocks(load_examples(data, tier, predictions, ocr, settings))
    real_pages = (page_blocks(load_examples(real, tier, real_predictions, ocr, settings))
                  if real is not None else [])
    return synthetic, real_pages
