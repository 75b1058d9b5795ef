"""Fitting a tier's calibrator (`yogi calibrate`) and measuring the cascade it drives
(`yogi bench cascade`).

Both read a labelled set (`labels/*.json` beside `pages/` or `images/`) and the tier's
predictions for it: a predictions file (JSON lines `{"id": ..., "result": TimetableData}`), the
set's reading cache (`reading-<ocr>.jsonl`, whose lines carry the tier's result under the tier's
name) or, failing both, the tier run on every page (slow: seconds of CPU per page).

Every figure is measured on documents the calibrator was not fitted on: `yogi calibrate` reports
k-fold ECE, and `yogi bench cascade` uses out-of-fold confidences when it is given the
calibrator's own fitting set, the saved calibrator otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import structlog

from inference.calibration import (
    CALIBRATED_TIERS,
    DEFAULT_BINS,
    Calibrator,
    FittedOn,
    brier,
    calibrator_path,
    ece,
    fit_isotonic,
    fully_right,
    ids_digest,
    load_calibrator,
    out_of_fold,
    reliability_diagram,
)
from inference.claude import price_per_mtok
from inference.evaluation import score_set
from inference.router import route
from inference.schema import TimetableData
from inference.settings import Settings

log = structlog.get_logger(__name__)

EXPERIMENT = "yogi-calibration"
DOCUMENT_FOLDERS = ("pages", "images")

# What one Claude page costs, for the cost estimate: the image (≤ 1.15 MP ≈ 1,530 tokens) plus
# the prompt, tool schema and OCR hint in, and the tool call out (a sparse week to a 100-block
# one), measured on real pages with the Claude tier.
CLAUDE_INPUT_TOKENS_PER_PAGE = 2_900
CLAUDE_OUTPUT_TOKENS_PER_PAGE = (2_000, 3_600)

# Calibrated probabilities of a weak tier sit low, so the grid reaches down as far as 0.2.
SWEEP_ACCEPT = (0.2, 0.3, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99)
SWEEP_REVIEW = (0.0, 0.05, 0.1, 0.2, 0.5, 0.8)


# --- Inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    id: str
    prediction: TimetableData
    gold: TimetableData


def document_files(data: Path) -> dict[str, Path]:
    """Document id (file stem) → file. A PDF's page is also rendered beside it as a PNG; the
    PDF is the document."""
    found: dict[str, Path] = {}
    for folder in DOCUMENT_FOLDERS:
        for path in sorted((data / folder).glob("*")) if (data / folder).is_dir() else []:
            if path.is_file() and (path.stem not in found or path.suffix == ".pdf"):
                found[path.stem] = path
    return found


def read_predictions(path: Path, tier: str) -> dict[str, TimetableData]:
    """A predictions file or a reading cache → {id: the tier's TimetableData}."""
    predictions = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            result = row["result"] if "result" in row else row[tier]
            predictions[str(row["id"])] = TimetableData.model_validate(result)
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(
                f"{path}:{number}: not {{'id', 'result'}} nor a reading cache line with "
                f"'{tier}' ({type(err).__name__}: {err})"[:300]
            ) from None
    return predictions


def run_tier(documents: dict[str, Path], tier: str, ocr: str | None) -> dict[str, TimetableData]:
    """The tier's predictions, run here."""
    from inference.errors import InputRefused
    from inference.loading import load_path
    from inference.pipeline import extract_pages

    predictions = {}
    for doc_id, path in documents.items():
        try:
            predictions[doc_id], _ = extract_pages(load_path(path), ocr, tier)
        except InputRefused as err:
            log.warning("calibrate.refused", document=str(path), reason=err.reason)
            predictions[doc_id] = TimetableData(tier=CALIBRATED_TIERS[tier])
        log.info("calibrate.predicted", document=doc_id)
    return predictions


def load_examples(
    data: Path, tier: str, predictions: Path | None = None, ocr: str | None = None
) -> list[Example]:
    """The labelled documents of `data` with the tier's predictions (see the module doc)."""
    labels_dir = data / "labels"
    if not labels_dir.is_dir():
        raise ValueError(f"{data} has no labels/ folder")
    gold = {p.stem: TimetableData.model_validate_json(p.read_text())
            for p in sorted(labels_dir.glob("*.json"))}
    cache = data / f"reading-{ocr or 'rapid'}.jsonl"
    if predictions is not None:
        predicted = read_predictions(predictions, tier)
    elif cache.is_file():
        predicted = read_predictions(cache, tier)
    else:
        documents = {k: v for k, v in document_files(data).items() if k in gold}
        predicted = run_tier(documents, tier, ocr)
    ids = sorted(gold.keys() & predicted.keys())
    if not ids:
        raise ValueError(f"no prediction matches a label in {labels_dir}")
    expected = CALIBRATED_TIERS[tier]
    wrong = sorted({predicted[i].tier for i in ids} - {expected})
    if wrong:
        raise ValueError(f"the predictions come from tier {wrong[0]}, not {expected}")
    versions = {json.dumps(predicted[i].model_versions, sort_keys=True) for i in ids}
    if len(versions) > 1:
        raise ValueError(f"the predictions mix model versions {sorted(versions)}; a calibrator "
                         "belongs to one")
    log.info("calibrate.examples", labelled=len(gold), predicted=len(predicted), used=len(ids))
    return [Example(i, predicted[i], gold[i]) for i in ids]


def arrays(examples: list[Example]) -> tuple[np.ndarray, np.ndarray]:
    """(raw confidence, fully right as 0/1) per document."""
    confidence = np.array([e.prediction.confidence for e in examples], float)
    outcome = np.array([fully_right(e.prediction, e.gold) for e in examples], float)
    return confidence, outcome


# --- yogi calibrate -----------------------------------------------------------------------------


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
    examples = load_examples(data, tier, predictions, ocr)
    fitted = fit_calibrator(examples, tier=tier, data=data,
                            out_dir=settings.calibration_dir, folds=folds, bins=bins)
    if mlflow:
        run_id = log_to_mlflow(fitted, settings.mlflow_tracking_uri, folds, bins)
        fitted.calibrator.mlflow_run_id = run_id
        fitted.path.write_text(fitted.calibrator.to_json())
    return fitted


# --- yogi bench cascade -------------------------------------------------------------------------


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
) -> dict:
    """ECE before/after calibration, the threshold sweep and the Claude cost at the settings'
    thresholds, on documents the calibrator was not fitted on."""
    examples = load_examples(data, tier, predictions, ocr)
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
    }
