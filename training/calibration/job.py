"""`yogi calibrate`: fit a tier's calibrator on a labelled set, measure it k-fold, write it
(with its reliability diagram) under the calibration dir and log it to MLflow.

Every figure is measured on documents the calibrator was not fitted on: k-fold ECE and Brier.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import structlog

from inference.calibration import CALIBRATED_TIERS, Calibrator, FittedOn, calibrator_path
from inference.settings import Settings
from training.calibration.examples import Example, arrays, ids_digest, load_examples
from training.calibration.fit import fit_isotonic, out_of_fold
from training.calibration.metrics import DEFAULT_BINS, brier, ece
from training.calibration.plots import reliability_diagram

log = structlog.get_logger(__name__)

EXPERIMENT = "yogi-calibration"


@dataclass
class Fitted:
    calibrator: Calibrator
    path: Path
    diagram: Path


def fit_calibrator(
    examples: list[Example],
    *,
    tier: str,
    data: Path,
    out_dir: Path,
    folds: int = 5,
    bins: int = DEFAULT_BINS,
    seed: int = 0,
) -> Fitted:
    """Fit on every example, measure k-fold, write the calibrator JSON and the reliability
    diagram (raw vs out-of-fold calibrated) under `out_dir`."""
    confidence, outcome = arrays(examples)
    held_out = out_of_fold(confidence, outcome, folds, seed)
    x, y = fit_isotonic(confidence, outcome)
    metrics = {
        "ece_raw": ece(confidence, outcome, bins),
        "ece_calibrated_cv": ece(held_out, outcome, bins),
        "brier_raw": brier(confidence, outcome),
        "brier_calibrated_cv": brier(held_out, outcome),
        "fully_right_rate": float(outcome.mean()),
    }
    calibrator = Calibrator(
        tier=CALIBRATED_TIERS[tier],
        model_versions=examples[0].prediction.model_versions,
        x=[round(v, 4) for v in x],
        y=[round(v, 4) for v in y],
        fitted_on=FittedOn(
            data=str(data), documents=len(examples), fully_right=int(outcome.sum()),
            ids_sha256=ids_digest([e.id for e in examples]),
        ),
        metrics={name: round(value, 4) for name, value in metrics.items()},
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    path = calibrator_path(out_dir, calibrator.tier)
    diagram = reliability_diagram(
        {"raw": (confidence, outcome), f"calibrated ({folds}-fold)": (held_out, outcome)},
        path.with_name(f"{path.stem}-reliability.png"),
        f"{tier} tier on {data.name} ({len(examples)} documents)",
        bins,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(calibrator.to_json())
    return Fitted(calibrator, path, diagram)


def log_to_mlflow(fitted: Fitted, tracking_uri: str, folds: int, bins: int) -> str:
    """The run (params, ECE, diagram, calibrator) in experiment `yogi-calibration`, and a tag
    on every registered model version the calibrator belongs to. Returns the run id, which is
    then recorded in the calibrator file."""
    import mlflow
    from mlflow.exceptions import MlflowException

    from training.registry import ensure_experiment, use_tracking

    calibrator = fitted.calibrator
    client = use_tracking(tracking_uri)
    ensure_experiment(client, EXPERIMENT)
    name = fitted.path.stem
    with mlflow.start_run(run_name=f"{name}-{Path(calibrator.fitted_on.data).name}") as run:
        mlflow.log_params({
            "tier": calibrator.tier, "data": calibrator.fitted_on.data,
            "documents": calibrator.fitted_on.documents, "folds": folds, "bins": bins,
            "target": calibrator.target,
            "model_versions": json.dumps(calibrator.model_versions, sort_keys=True),
        })
        mlflow.log_metrics(calibrator.metrics)
        mlflow.log_artifact(str(fitted.diagram))
        mlflow.log_dict(json.loads(calibrator.to_json()), fitted.path.name)
        run_id = run.info.run_id
    for key, version in calibrator.model_versions.items():
        try:
            client.set_model_version_tag(f"yogi-{key}", version, "calibration_run_id", run_id)
            client.set_model_version_tag(f"yogi-{key}", version, "calibration_ece",
                                         str(calibrator.metrics["ece_calibrated_cv"]))
        except MlflowException as err:
            log.warning("calibrate.no_registered_version", model=f"yogi-{key}",
                        version=version, error=str(err)[:200])
    return run_id


def calibrate(
    data: Path,
    *,
    tier: str,
    settings: Settings,
    predictions: Path | None = None,
    ocr: str | None = None,
    folds: int = 5,
    bins: int = DEFAULT_BINS,
    mlflow: bool = True,
) -> Fitted:
    """`yogi calibrate`: fit, write under settings.calibration_dir, log to MLflow."""
    examples = load_examples(data, tier, predictions, ocr, settings)
    fitted = fit_calibrator(examples, tier=tier, data=data,
                            out_dir=settings.calibration_dir, folds=folds, bins=bins)
    if mlflow:
        run_id = log_to_mlflow(fitted, settings.mlflow_tracking_uri, folds, bins)
        fitted.calibrator.mlflow_run_id = run_id
        fitted.path.write_text(fitted.calibrator.to_json())
    return fitted
