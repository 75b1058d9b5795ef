"""The training side of the `yogi` command line, mounted by the `yogi.commands` entry point.

`yogi data …`, `yogi train …`, `yogi models …`, `yogi calibrate`, and the benchmarks that
measure trained models (`yogi bench document`, `bench ocr`, `bench cascade`). Only typer and
rich load here; each command imports its training stack when it runs, so `yogi --help` is fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from training.baseline import bench_baseline
from training.calibration.cli import register as register_calibration
from training.cli import bench_document, train_app
from training.data_cli import data_app
from training.features.cli import register as register_features
from training.models_cli import models_app
from training.pipeline.cli import dataset_app, pipeline_app
from training.structure_bench import bench_structure

console = Console()


def bench_ocr(
    batch: Annotated[int, typer.Option(min=1)] = 32,
    width: Annotated[int, typer.Option(min=48, help="crop width in pixels (height 48)")] = 320,
    threads: Annotated[int, typer.Option(min=1, help="intra-op threads")] = 2,
    repeats: Annotated[int, typer.Option(min=1)] = 5,
    out: Annotated[Path, typer.Option()] = Path("bench/ocr.json"),
) -> None:
    """Recogniser crops/s: base ONNX vs fine-tuned ONNX (registry champion) vs torch."""
    from inference.console import refuse
    from inference.model_store import ModelUnavailable, resolve_artefact
    from inference.ocr import ModelOcrEngine
    from inference.settings import Settings
    from training.ocr.measure import speed_report
    from training.ocr.onnx_torch import REC_MODEL_PATH

    settings = Settings()
    try:
        where = {"tracking_uri": settings.mlflow_tracking_uri,
                 "cache_dir": settings.model_cache_dir}
        onnx = resolve_artefact(ModelOcrEngine.MODEL, ModelOcrEngine.ARTEFACT, **where)
        adapter = resolve_artefact(ModelOcrEngine.MODEL, "artifacts/adapter", **where)
    except ModelUnavailable as error:
        raise refuse(str(error)) from None
    report = speed_report({"base onnx": REC_MODEL_PATH, "fine-tuned onnx": onnx.path},
                          adapter.path, batch=batch, width=width, threads=threads,
                          repeats=repeats)
    report["fineTunedVersion"] = onnx.version
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    console.print_json(data=report)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.add_typer(data_app, name="data", help="Synthetic data sets: generate, inspect, look at.")
    app.add_typer(train_app, name="train")
    app.add_typer(models_app, name="models")
    app.add_typer(pipeline_app, name="pipeline")
    app.add_typer(dataset_app, name="dataset")
    register_calibration(app, bench_app)  # yogi calibrate, yogi bench cascade
    register_features(app, bench_app)  # yogi features …, yogi bench features
    bench_app.command("document")(bench_document)
    bench_app.command("ocr")(bench_ocr)
    bench_app.command("baseline")(bench_baseline)
    bench_app.command("structure")(bench_structure)
