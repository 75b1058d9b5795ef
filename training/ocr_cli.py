"""`yogi train ocr …`: LoRA fine-tuning of the PP-OCRv4 recogniser on data-engine line crops."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

ocr_app = typer.Typer(help="Fine-tuned OCR tier: LoRA on the PP-OCRv4 recogniser.",
                      no_args_is_help=True)
console = Console()


@ocr_app.callback()
def _group() -> None:
    """Fine-tuned OCR tier: LoRA on the PP-OCRv4 recogniser."""


@ocr_app.command()
def train(
    data: Annotated[Path, typer.Option("--data", exists=True, file_okay=False,
                                       help="a generated set (yogi data synth)")],
    epochs: Annotated[int, typer.Option(min=1)] = 2,
    rank: Annotated[int, typer.Option(min=1, help="LoRA rank")] = 8,
    lr: Annotated[float, typer.Option(help="peak learning rate (one-cycle)")] = 1e-3,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 32,
    max_lines: Annotated[int, typer.Option("--max-lines", min=1,
                                           help="cap on training lines (held-out scaled)")] = 1500,
    out: Annotated[Path, typer.Option("--out", help="adapter, samples, metrics")] = Path(
        "models/ocr"),
    train_head: Annotated[bool, typer.Option("--train-head/--no-train-head",
                                             help="LoRA on the classifier too")] = False,
    threads: Annotated[int, typer.Option(min=1, help="torch intra-op threads")] = 1,
    export: Annotated[bool, typer.Option("--export/--no-export",
                                         help="also write the merged model as ONNX")] = True,
) -> None:
    """Train LoRA adapters, evaluate base vs fine-tuned on held-out documents, log to MLflow,
    register `yogi-ocr` and apply the champion/challenger gate."""
    from inference.settings import get_settings
    from training.ocr.train import train_ocr

    result = train_ocr(data, epochs=epochs, rank=rank, lr=lr, batch_size=batch_size,
                       max_lines=max_lines, tracking_uri=get_settings().mlflow_tracking_uri,
                       out_dir=out, train_head=train_head, threads=threads,
                       log_every=10, export=export)
    table = Table("held-out", "base", "fine-tuned", "n")
    for key in ("", "rotated_", "upright_", "hand_"):
        for metric in ("cer", "line_acc"):
            table.add_row(f"{key}{metric}", f"{result.base[key + metric]:.4f}",
                          f"{result.tuned[key + metric]:.4f}", str(result.base[key + "n"]))
    console.print(table)
    console.print(f"run {result.run_id}: yogi-ocr v{result.version} → {result.alias} "
                  f"({result.reason}); training {result.train_seconds:.0f} s; files in {out}")


@ocr_app.command()
def export(
    adapter: Annotated[Path, typer.Option("--adapter", exists=True, file_okay=False,
                                          help="a saved LoRA adapter folder")] = Path(
        "models/ocr/adapter"),
    out: Annotated[Path, typer.Option("--out", help="ONNX file to write")] = Path(
        "models/ocr/rec_merged.onnx"),
    bench: Annotated[bool, typer.Option("--bench/--no-bench",
                                        help="crops/s at batch 32, width 320")] = True,
    threads: Annotated[int, typer.Option(min=1, help="intra-op threads")] = 1,
) -> None:
    """Merge the adapter into the base weights and export ONNX (dynamic batch and width)."""
    from training.ocr.export import benchmark, export_onnx, max_abs_diff
    from training.ocr.onnx_torch import REC_MODEL_PATH
    from training.ocr.pyfunc import load_merged

    merged = load_merged(adapter)
    path = export_onnx(merged, out)
    console.print(f"wrote {path}; max |onnxruntime - torch| = {max_abs_diff(merged, path):.2e}")
    if bench:
        speeds = benchmark(merged, {"base onnx": REC_MODEL_PATH, "merged onnx": path},
                           threads=threads)
        for name, value in speeds.items():
            console.print(f"{name}: {value:.1f} crops/s (batch 32, 48×320, {threads} thread)")


if __name__ == "__main__":
    ocr_app()
