"""The generated set as an MLflow dataset: named and digested by its content hash, so a training
run's `mlflow.log_input(load_dataset(dir))` names exactly the files it trained on."""

from __future__ import annotations

import os
from pathlib import Path

import mlflow
import pandas as pd
from mlflow.data.pandas_dataset import PandasDataset

from training.synth.stats import compute_stats
from training.synth.writer import read_manifest

EXPERIMENT = "yogi-datasets"


def _frame(manifest: dict) -> pd.DataFrame:
    rows = [{k: v for k, v in d.items() if k != "files"} for d in manifest["documents"]]
    return pd.DataFrame(rows)


def load_dataset(directory: Path) -> PandasDataset:
    manifest = read_manifest(directory)
    digest = manifest["contentHash"]
    return mlflow.data.from_pandas(
        _frame(manifest), source=str(Path(directory).resolve()),
        name=f"yogi-synth-{digest[:12]}", digest=digest[:32],
    )


def log_dataset(directory: Path, tracking_uri: str) -> str:
    """Log the set in a run of experiment `yogi-datasets`; returns the run id."""
    manifest = read_manifest(directory)
    if tracking_uri.startswith("file:"):
        # The project's default store is a local mlruns/ folder, which MLflow 3 only accepts
        # when asked explicitly.
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment(EXPERIMENT)
    dataset = load_dataset(directory)
    with mlflow.start_run(run_name=dataset.name) as run:
        mlflow.log_params({
            "seed": manifest["seed"], "n": manifest["n"], "generator": manifest["generator"],
            "family": manifest.get("family", "mixed"),  # sets from before families: mixed
            "photo_share": manifest["knobs"]["photoShare"],
            "pdf_share": manifest["knobs"]["pdfShare"],
            "content_hash": manifest["contentHash"],
        })
        stats = compute_stats(Path(directory))
        mlflow.log_metrics({k.replace(" ", "_").replace("(", "").replace(")", ""): float(v)
                            for k, v in stats.items() if isinstance(v, int | float)})
        mlflow.log_dict(stats, "stats.json")
        mlflow.log_dict(manifest["knobs"], "knobs.json")
        mlflow.log_input(dataset, context="synthetic")
        return run.info.run_id
