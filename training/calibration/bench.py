"""`yogi bench cascade`: the cascade a tier's calibrator drives, on a labelled set: ECE and
Brier before and after calibration, a sweep of (accept, review) thresholds and what Claude costs.

Every figure is measured on documents the calibrator was not fitted on: out-of-fold confidences
when it is given the calibrator's own fitting set, the saved calibrator otherwise. The same holds
for the block section (the review load, issue 18; `block_bench.py`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from inference.calibration import CALIBRATED_TIERS, load_calibrator
from inference.claude import price_per_mtok
from inference.evaluation import score_set
from inference.router import route
from inference.settings import Settings
from training.calibration.block_bench import block_review
from training.calibration.examples import Example, arrays, ids_digest, load_examples
from training.calibration.fit import out_of_fold
from training.calibration.metrics import DEFAULT_BINS, brier, ece

# What one Claude page costs, for the cost estimate: the image (≤ 1.15 MP ≈ 1,530 tokens) plus
# the prompt, tool schema and OCR hint in, and the tool call out (a sparse week to a 100-block
# one), measured on real pages with the Claude tier.
CLAUDE_INPUT_TOKENS_PER_PAGE = 2_900
CLAUDE_OUTPUT_TOKENS_PER_PAGE = (2_000, 3_600)

# Calibrated probabilities of a weak tier sit low, so the grid reaches down as far as 0.2.
SWEEP_ACCEPT = (0.2, 0.3, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99)
SWEEP_REVIEW = (0.0, 0.05, 0.1, 0.2, 0.5, 0.8)


def claude_cost_per_page(model: str) -> tuple[float, float]:
    """(low, high) USD for one page at the model's list price (CLAUDE_*_TOKENS_PER_PAGE)."""
    price_in, price_out = price_per_mtok(model)
    low, high = (
        (CLAUDE_INPUT_TOKENS_PER_PAGE * price_in + tokens * price_out) / 1_000_000
        for tokens in CLAUDE_OUTPUT_TOKENS_PER_PAGE
    )
    return low, high


def sweep_row(
    examples: list[Example], confidence: np.ndarray, outcome: np.ndarray, settings: Settings,
    accept: float, review: float,
) -> dict:
    """Where the documents go at these thresholds, how good the accepted ones are and what
    Claude costs per 1,000 documents (low, high)."""
    thresholds = settings.model_copy(update={"accept_threshold": accept,
                                             "review_threshold": review})
    actions = [route(float(c), thresholds).action for c in confidence]
    accepted = [k for k, action in enumerate(actions) if action == "accept"]
    scores = score_set({examples[k].id: (examples[k].prediction, examples[k].gold)
                        for k in accepted})
    n = len(examples)
    to_claude = actions.count("claude") / n
    return {
        "accept": accept,
        "review": review,
        "accepted": round(len(accepted) / n, 4),
        "toClaude": round(to_claude, 4),
        "toReview": round(actions.count("review") / n, 4),
        "acceptedStrictF1": round(scores.micro.strict_f1, 4) if accepted else None,
        "acceptedMeanStrictF1": round(scores.mean_strict_f1, 4) if accepted else None,
        "acceptedFullyRight": round(float(outcome[accepted].mean()), 4) if accepted else None,
        "claudeUsdPer1000": [round(to_claude * cost * 1000, 2)
                             for cost in claude_cost_per_page(settings.claude_model)],
    }


def bench_cascade(
    data: Path,
    *,
    tier: str,
    settings: Settings,
    predictions: Path | None = None,
    ocr: str | None = None,
    folds: int = 5,
    bins: int = DEFAULT_BINS,
    real: Path | None = None,
    real_predictions: Path | None = None,
    more_data: list[Path] | None = None,
) -> dict:
    """ECE before/after calibration, the threshold sweep and the Claude cost at the settings'
    thresholds, on documents the calibrator was not fitted on; the review load before and
    after routing by blocks on `data` (and `more_data`) and on the `real` pages
    (`block_bench.block_review`)."""
    examples = load_examples(data, tier, predictions, ocr, settings)
    confidence, outcome = arrays(examples)
    calibrator = load_calibrator(settings.calibration_dir, CALIBRATED_TIERS[tier])
    if calibrator is None:
        raise ValueError(f"no calibrator for the {tier} tier in {settings.calibration_dir}; "
                         f"run `yogi calibrate --tier {tier}` first")
    versions = examples[0].prediction.model_versions
    if calibrator.model_versions != versions:
        raise ValueError(f"the calibrator belongs to model versions {calibrator.model_versions}"
                         f", the predictions come from {versions}")
    # The calibrator's own set (or another draw of the same folder): out of fold, to be honest.
    same_set = calibrator.fitted_on.ids_sha256 == ids_digest([e.id for e in examples])
    if same_set or Path(calibrator.fitted_on.data).name == data.resolve().name:
        calibrated = out_of_fold(confidence, outcome, folds)
        source = f"out-of-fold ({folds}-fold): the calibrator was fitted on this set"
    else:
        calibrated = np.array([calibrator.apply(c) for c in confidence])
        source = f"calibrator fitted on {calibrator.fitted_on.data}"
    sweep = [sweep_row(examples, calibrated, outcome, settings, a, r)
             for a in SWEEP_ACCEPT for r in SWEEP_REVIEW if r <= a]
    configured = (settings.accept_threshold, settings.review_threshold)
    return {
        "data": str(data),
        "tier": tier,
        "modelVersions": versions,
        "documents": len(examples),
        "fullyRight": int(outcome.sum()),
        "target": calibrator.target,
        "confidenceSource": source,
        "bins": bins,
        "ece": {"raw": round(ece(confidence, outcome, bins), 4),
                "calibrated": round(ece(calibrated, outcome, bins), 4)},
        "brier": {"raw": round(brier(confidence, outcome), 4),
                  "calibrated": round(brier(calibrated, outcome), 4)},
        "sweep": sweep,
        # The configured thresholds on calibrated confidence, and on the raw score (what the
        # cascade would do without the calibrator).
        "atSettings": sweep_row(examples, calibrated, outcome, settings, *configured),
        "atSettingsRaw": sweep_row(examples, confidence, outcome, settings, *configured),
        "claudeCost": {
            "model": settings.claude_model,
            "assumption": (f"{CLAUDE_INPUT_TOKENS_PER_PAGE} input + "
                           f"{CLAUDE_OUTPUT_TOKENS_PER_PAGE[0]}-{CLAUDE_OUTPUT_TOKENS_PER_PAGE[1]}"
                           " output tokens per page, one page per document, list price"),
            "perPageUsd": [round(cost, 4) for cost in claude_cost_per_page(settings.claude_model)],
        },
        "blocks": block_review(data, tier=tier, settings=settings, real=real,
                               predictions=predictions, real_predictions=real_predictions,
                               ocr=ocr, bins=bins, more_data=more_data),
    }
