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
                                           help="cap on training lines (held-out scaled)")] = 4000,
    out: Annotated[Path, typer.Option("--out", help="adapter, samples, metrics")] = Path(
        "models/ocr"),
    train_head: Annotated[bool, typer.Option("--train-head/--no-train-head",
                                             help="LoRA on the classifier too")] = False,
    threads: Annotated[int, typer.Option(min=1, help="torch intra-op threads")] = 1,
) -> None:
    """Train LoRA adapters, evaluate base vs fine-tuned on held-out documents, log to MLflow,
    register `yogi-ocr` and apply the champion/challenger gate."""
    from inference.settings import get_settings
    from training.ocr.train import train_ocr

    result = train_ocr(data, epochs=epochs, rank=rank, lr=lr, batch_size=batch_size,
                       max_lines=max_lines, tracking_uri=get_settings().mlflow_tracking_uri,
                       out_dir=out, train_head=train_head, threads=threads,
                       log_every=10)
    table = Table("held-out", "base", "fine-tuned", "n")
    for key in ("", "rotated_", "upright_", "hand_"):
        for metric in ("cer", "line_acc"):
            table.add_row(f"{key}{metric}", f"{result.base[key + metric]:.4f}",
                          f"{result.tuned[key + metric]:.4f}", str(result.base[key + "n"]))
    console.print(table)
    console.print(f"run {result.run_id}: yogi-ocr v{result.version} → {result.alias} "
                  f"({result.reason}); training {result.train_seconds:.0f} s; files in {out}")


if __name__ == "__main__":
    ocr_app()
