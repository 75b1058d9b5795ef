"""The kinds of block calibrator `yogi calibrate --blocks` fits (issue 18), by name: what each
reads of a block, how it is fitted and where its pages' answers come from.

- `isotonic`: the block's raw confidence alone (one product of the model's probabilities),
  from a predictions file, else as below for the document tier; any calibrated tier.
- `signals`: every block's decoding signals (`inference.document.signals.FEATURES`), from the
  document model run here (`signal_pages`); the document tier only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference.calibration import BlockCalibrator, SignalsBlockCalibrator
from inference.document.signals import FEATURES, block_features, signals_of
from inference.settings import Settings
from training.calibration.examples import Example, load_examples
from training.calibration.fit import fit_isotonic

AnyBlockCalibrator = BlockCalibrator | SignalsBlockCalibrator


@dataclass(frozen=True)
class BlockKind:
    name: str
    calibrator: Callable[..., AnyBlockCalibrator]
    features: Callable[[Example], np.ndarray]  # (blocks, features) of one page
    fit: Callable[[np.ndarray, np.ndarray], dict[str, Any]]  # → the calibrator's own fields
    # (set folder, tier, settings, predictions file, OCR engine) → the set's labelled pages
    examples: Callable[[Path, str, Settings, Path | None, str | None], list[Example]]
    tiers: tuple[str, ...]


def _raw(example: Example) -> np.ndarray:
    return np.array([[b.confidence or 0.0] for b in example.prediction.timeblocks],
                    float).reshape(-1, 1)


def _fit_raw(features: np.ndarray, right: np.ndarray) -> dict[str, Any]:
    x, y = fit_isotonic(features[:, 0], right.astype(float))
    return {"x": [round(v, 4) for v in x], "y": [round(v, 4) for v in y]}


def _predicted(data: Path, tier: str, settings: Settings, predictions: Path | None,
               ocr: str | None) -> list[Example]:
    """The predictions file's answers; else the document model's on the set's cached
    readings (the same answers, without a file); else the set's cache or the tier run."""
    if predictions is None and tier == "document":
        return _signalled(data, tier, settings, predictions, ocr)
    return load_examples(data, tier, predictions, ocr, settings)


def _signals(example: Example) -> np.ndarray:
    signals = signals_of(example.prediction)
    if signals is None:
        raise ValueError(f"{example.id}: the prediction carries no block signals")
    return block_features(example.prediction, signals)


def _fit_signals(features: np.ndarray, right: np.ndarray) -> dict[str, Any]:
    from training.calibration.signal_fit import fit_signals

    fit = fit_signals(features, right)
    return {"features": list(FEATURES), "mean": fit.mean, "scale": fit.scale, "coef": fit.coef,
            "intercept": fit.intercept, "x": fit.x, "y": fit.y}


def _signalled(data: Path, tier: str, settings: Settings, predictions: Path | None,
               ocr: str | None) -> list[Example]:
    from training.calibration.signal_pages import signalled_examples

    return signalled_examples(data, settings)


BLOCK_KINDS: dict[str, BlockKind] = {
    "isotonic": BlockKind("isotonic", BlockCalibrator, _raw, _fit_raw, _predicted,
                          ("classical", "document")),
    "signals": BlockKind("signals", SignalsBlockCalibrator, _signals, _fit_signals, _signalled,
                         ("document",)),
}
# What `yogi calibrate --blocks` fits for a tier unless told otherwise.
DEFAULT_KIND = {"classical": "isotonic", "document": "signals"}


def block_kind(name: str, tier: str) -> BlockKind:
    kind = BLOCK_KINDS[name]
    if tier not in kind.tiers:
        raise ValueError(f"a {name} block calibrator is for the {', '.join(kind.tiers)} tier, "
                         f"not {tier}")
    return kind
