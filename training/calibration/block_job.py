"""`yogi calibrate --blocks`: fit a tier's block calibrator on half of a synthetic held-out set
plus the real pages, pick the block accept threshold, measure both where they were not fitted,
write `<tier>-blocks.json` (with its reliability diagram and `-figures.json`: the figures and
curves below) and log it all to MLflow.

- Fitted on: the synthetic set's fit half (`blocks.fit_half`) and every real page.
- Threshold: the review-load point (unflagged blocks ≥ 98 % right) of the synthetic fit half,
  each page calibrated leave-one-page-out within that half: never chosen on a reported page.
- Reported: the synthetic set's other half with the saved calibrator; each real page with the
  calibrator refitted without it (`block_bench.set_figures`, as `yogi bench cascade` does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.calibration import BlockCalibrator, block_calibrator_path
from inference.settings import Settings
from training.calibration.block_bench import set_figures
from training.calibration.blocks import (
    PageBlocks,
    block_calibrator,
    block_sets,
    document_confidences,
    fit_half,
    honest_confidences,
    pooled,
)
from training.calibration.job import EXPERIMENT
from training.calibration.metrics import DEFAULT_BINS
from training.calibration.plots import reliability_diagram
from training.calibration.review_load import review_load


@dataclass
class FittedBlocks:
    calibrator: BlockCalibrator
    path: Path
    diagram: Path
    report: Path
    figures: dict


def chosen_threshold(half: list[PageBlocks], tier: str, data: Path) -> dict:
    """The block accept threshold from the synthetic fit half alone, leave-one-page-out."""
    within = block_calibrator(half, tier, [data], {})
    honest = honest_confidences(half, within, half)
    _, right = pooled(half)
    point = review_load(np.concatenate([honest[p.id] for p in half]), right)
    return {"threshold": round(point.threshold, 4), "onFitHalf": point.as_dict()}


def calibrate_blocks(
    data: Path, *, tier: str, settings: Settings, real: Path | None = None,
    predictions: Path | None = None, real_predictions: Path | None = None,
    ocr: str | None = None, bins: int = DEFAULT_BINS, mlflow: bool = True,
) -> FittedBlocks:
    synthetic, real_pages = block_sets(data, real, tier, settings, predictions,
                                       real_predictions, ocr)
    half = [p for p in synthetic if fit_half(p.id)]
    held = [p for p in synthetic if not fit_half(p.id)]
    if not half or not held:
        raise ValueError(f"{data}: {len(synthetic)} pages cannot be split into a fit and a "
                         "report half")
    fit_pages = half + real_pages
    calibrator = block_calibrator(fit_pages, tier, [d for d in (data, real) if d], {})
    threshold = chosen_threshold(half, tier, data)
    at_chosen = settings.model_copy(update={"block_accept_threshold": threshold["threshold"]})
    reported = {"synthetic": (held, "the saved calibrator (fitted on the other half)")}
    if real_pages:
        reported["real"] = (real_pages, "leave-one-page-out refits of the saved calibrator")
    figures: dict = {"threshold": threshold, "sets": {}}
    curves = {}
    for name, (pages, source) in reported.items():
        honest = honest_confidences(pages, calibrator, fit_pages)
        figures["sets"][name] = set_figures(pages, honest, document_confidences(pages, tier,
                                            settings), at_chosen, source=source, bins=bins)
        raw, right = pooled(pages)
        curves[f"raw ({name})"] = (raw, right.astype(float))
        curves[f"calibrated ({name})"] = (np.concatenate([honest[p.id] for p in pages]),
                                          right.astype(float))
    calibrator.metrics = {
        "threshold": threshold["threshold"],
        **{f"{key}_{name}": value for name, s in figures["sets"].items() for key, value in {
            "ece_raw": s["ece"]["raw"], "ece_calibrated": s["ece"]["calibrated"],
            "review_load_before": s["reviewLoad"]["before"]["atSettings"]["flaggedShare"],
            "review_load_after": s["reviewLoad"]["after"]["atSettings"]["flaggedShare"],
            # None (nothing left unflagged) is no figure, and not 0.
            "unflagged_accuracy_after": s["reviewLoad"]["after"]["atSettings"][
                "unflaggedAccuracy"],
        }.items() if value is not None},
    }
    path = block_calibrator_path(settings.calibration_dir, calibrator.tier)
    path.parent.mkdir(parents=True, exist_ok=True)
    diagram = reliability_diagram(
        curves, path.with_name(f"{path.stem}-reliability.png"),
        f"{tier} blocks, reported where not fitted", bins, outcome="right", unit="blocks")
    report = path.with_name(f"{path.stem}-figures.json")
    report.write_text(json.dumps(figures, indent=2) + "\n")
    path.write_text(calibrator.to_json())
    fitted = FittedBlocks(calibrator, path, diagram, report, figures)
    if mlflow:
        calibrator.mlflow_run_id = log_blocks_to_mlflow(fitted, settings.mlflow_tracking_uri,
                                                        bins)
        path.write_text(calibrator.to_json())
    return fitted


def log_blocks_to_mlflow(fitted: FittedBlocks, tracking_uri: str, bins: int) -> str:
    """The run in experiment `yogi-calibration`: what it was fitted on, ECE and review load
    per reported set, the reliability diagram, the calibrator and the figures with curves."""
    import mlflow

    from training.registry import ensure_experiment, use_tracking

    calibrator = fitted.calibrator
    ensure_experiment(use_tracking(tracking_uri), EXPERIMENT)
    with mlflow.start_run(run_name=fitted.path.stem) as run:
        mlflow.log_params({
            "tier": calibrator.tier, "level": "blocks", "data": ",".join(calibrator.fitted_on.data),
            "documents": len(calibrator.fitted_on.documents),
            "blocks": calibrator.fitted_on.blocks, "blocks_right": calibrator.fitted_on.right,
            "bins": bins, "target": calibrator.target,
            "model_versions": json.dumps(calibrator.model_versions, sort_keys=True),
        })
        mlflow.log_metrics(calibrator.metrics)
        mlflow.log_artifact(str(fitted.diagram))
        mlflow.log_dict(json.loads(calibrator.to_json()), fitted.path.name)
        mlflow.log_dict(fitted.figures, "review-load.json")
        return str(run.info.run_id)
