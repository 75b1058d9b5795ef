"""`yogi calibrate --blocks`: fit a tier's block calibrator on held-out synthetic sets plus the
real pages, pick the block accept threshold, measure both where they were not fitted, write
`<tier>-blocks.json` (with its reliability diagram, its risk–coverage curves and
`-figures.json`: the figures and curves below) and log it all to MLflow.

- Fitted on: every page of every set (the saved calibrator); its kind (`block_kinds`): the
  blocks' decoding signals for the document tier, the raw block confidence otherwise.
- Measured: each page by the same fit refitted without its fold (`blocks.cross_fitted`; pages
  are dealt into folds by a hash of their id), per kind of page (synthetic, real).
- Threshold: the lowest at which the unflagged blocks of the real pages (`threshold_on`
  "real", the default when real pages are given: they are what the platform serves; the
  synthetic pages, a quarter of their blocks wrong, would hold it far above what real pages
  need) — or of synthetic and real pages each ("all") — are ≥ 98 % right with half a point of
  margin, on those cross-fitted confidences (`block_bench.chosen_threshold`); the figure to
  expect of it is the nested one (`block_bench.nested_review_load`: each fold flagged at a
  threshold chosen on the other folds alone). The threshold at which the same figures are
  reported ("atSettings") was chosen on them: a bound, not a promise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.calibration import block_calibrator_path
from inference.settings import Settings
from training.calibration.block_bench import (
    THRESHOLD_ON,
    chosen_threshold,
    nested_review_load,
    set_figures,
)
from training.calibration.block_kinds import DEFAULT_KIND, AnyBlockCalibrator, block_kind
from training.calibration.blocks import (
    DEFAULT_FOLDS,
    block_sets,
    cross_fitted,
    document_confidences,
    fit_calibrator,
    fold_of,
    pooled,
)
from training.calibration.job import EXPERIMENT
from training.calibration.metrics import DEFAULT_BINS
from training.calibration.plots import reliability_diagram, risk_coverage_plot


@dataclass
class FittedBlocks:
    calibrator: AnyBlockCalibrator
    path: Path
    diagram: Path
    curves: Path
    report: Path
    figures: dict


def _flat_metrics(threshold: float, sets: dict) -> dict[str, float]:
    """The figures MLflow keeps, per set (None, nothing left unflagged, is no figure)."""
    metrics = {"threshold": threshold}
    for name, s in sets.items():
        load = s["reviewLoad"]
        nested = load["after"].get("atNestedThreshold", {})
        for key, value in {
            "ece_raw": s["ece"]["raw"], "ece_calibrated": s["ece"]["calibrated"],
            "auc_raw": s["auc"]["raw"], "auc_calibrated": s["auc"]["calibrated"],
            "review_load_before": load["before"]["atSettings"]["flaggedShare"],
            "review_load_after": load["after"]["atSettings"]["flaggedShare"],
            "unflagged_accuracy_after": load["after"]["atSettings"]["unflaggedAccuracy"],
            "review_load_nested": nested.get("flaggedShare"),
            "unflagged_accuracy_nested": nested.get("unflaggedAccuracy"),
            "review_load_best": load["after"]["bestOnThisSet"]["flaggedShare"],
            "review_load_oracle": load["oracle"]["flaggedShare"],
        }.items():
            if value is not None:
                metrics[f"{key}_{name}"] = value
    return metrics


def calibrate_blocks(
    data: Path, *, tier: str, settings: Settings, real: Path | None = None,
    predictions: Path | None = None, real_predictions: Path | None = None,
    ocr: str | None = None, bins: int = DEFAULT_BINS, mlflow: bool = True,
    more_data: list[Path] | None = None, kind: str | None = None, folds: int = DEFAULT_FOLDS,
    threshold_on: str = "real",
) -> FittedBlocks:
    chosen_kind = block_kind(kind or DEFAULT_KIND[tier], tier)
    sets = [data, *(more_data or [])]
    synthetic, real_pages = block_sets(sets, real, tier, settings, chosen_kind, predictions,
                                       real_predictions, ocr)
    pages = synthetic + real_pages
    if len({fold_of(p.id, folds) for p in pages}) < 2:
        raise ValueError(f"{len(pages)} pages cannot be cross-fitted in {folds} folds")
    if threshold_on not in THRESHOLD_ON:
        raise ValueError(f"threshold on {threshold_on!r}: choose {' or '.join(THRESHOLD_ON)}")
    on = threshold_on if real_pages else "all"
    calibrator = fit_calibrator(pages, chosen_kind, tier, [*sets, *([real] if real else [])],
                                folds, threshold_on=on)
    honest = cross_fitted(pages, chosen_kind, tier, folds)
    threshold = chosen_threshold(pages, honest, on)
    nested = nested_review_load(pages, honest, chosen_kind, tier, folds, on)
    at_chosen = settings.model_copy(update={"block_accept_threshold": threshold})
    figures: dict = {"kind": chosen_kind.name, "folds": folds, "thresholdOn": on,
                     "threshold": {"threshold": round(threshold, 4), **nested}, "sets": {}}
    curves = {}
    for name, members in (("synthetic", synthetic), ("real", real_pages)):
        if not members:
            continue
        figures["sets"][name] = set_figures(
            members, honest, document_confidences(members, tier, settings), at_chosen,
            source=f"cross-fitted: each page by the fit without its fold ({folds} folds)",
            bins=bins, nested=nested["sets"].get(name))
        raw, right = pooled(members)
        curves[f"raw ({name})"] = (raw, right.astype(float))
        curves[f"calibrated ({name})"] = (np.concatenate([honest[p.id] for p in members]),
                                          right.astype(float))
    calibrator.metrics = {k: round(v, 4)
                          for k, v in _flat_metrics(threshold, figures["sets"]).items()}
    path = block_calibrator_path(settings.calibration_dir, calibrator.tier)
    path.parent.mkdir(parents=True, exist_ok=True)
    title = f"{tier} blocks ({chosen_kind.name}), cross-fitted by page"
    diagram = reliability_diagram(curves, path.with_name(f"{path.stem}-reliability.png"), title,
                                  bins, outcome="right", unit="blocks")
    coverage = risk_coverage_plot(curves, path.with_name(f"{path.stem}-review-load.png"), title)
    report = path.with_name(f"{path.stem}-figures.json")
    report.write_text(json.dumps(figures, indent=2) + "\n")
    path.write_text(calibrator.to_json())
    fitted = FittedBlocks(calibrator, path, diagram, coverage, report, figures)
    if mlflow:
        calibrator.mlflow_run_id = log_blocks_to_mlflow(fitted, settings.mlflow_tracking_uri,
                                                        bins)
        path.write_text(calibrator.to_json())
    return fitted


def log_blocks_to_mlflow(fitted: FittedBlocks, tracking_uri: str, bins: int) -> str:
    """The run in experiment `yogi-calibration`: what it was fitted on, ECE, AUC and review load
    per set, the reliability diagram and risk–coverage curves, the calibrator and the figures
    with curves."""
    import mlflow

    from training.registry import ensure_experiment, use_tracking

    calibrator = fitted.calibrator
    ensure_experiment(use_tracking(tracking_uri), EXPERIMENT)
    with mlflow.start_run(run_name=fitted.path.stem) as run:
        mlflow.log_params({
            "tier": calibrator.tier, "level": "blocks", "kind": calibrator.kind,
            "folds": calibrator.folds, "threshold_on": calibrator.threshold_on,
            "data": ",".join(calibrator.fitted_on.data),
            "documents": len(calibrator.fitted_on.documents),
            "blocks": calibrator.fitted_on.blocks, "blocks_right": calibrator.fitted_on.right,
            "bins": bins, "target": calibrator.target,
            "model_versions": json.dumps(calibrator.model_versions, sort_keys=True),
        })
        mlflow.log_metrics(calibrator.metrics)
        mlflow.log_artifact(str(fitted.diagram))
        mlflow.log_artifact(str(fitted.curves))
        mlflow.log_dict(json.loads(calibrator.to_json()), fitted.path.name)
        mlflow.log_dict(fitted.figures, "review-load.json")
        return str(run.info.run_id)
