"""`yogi train …`: one sub-command per trainable tier (`ocr`; `document` joins it here).

Only typer and rich are imported at module level: the training stacks (torch, peft, MLflow) load
inside each command, so `yogi --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

train_app = typer.Typer(help="Fine-tune a tier, log it to MLflow, register it and gate it.",
                        no_args_is_help=True)
console = Console()


@train_app.command("ocr")
def ocr(
    data: Annotated[Path, typer.Option("--data", exists=True, file_okay=False,
                                       help="a generated set (yogi data synth)")],
    epochs: Annotated[int, typer.Option(min=1)] = 2,
    rank: Annotated[int, typer.Option(min=1, help="LoRA rank")] = 8,
    lr: Annotated[float, typer.Option(help="peak learning rate (one-cycle)")] = 1e-3,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1)] = 32,
    max_lines: Annotated[int, typer.Option("--max-lines", min=1,
                                           help="cap on training lines (held-out scaled)")] = 1500,
    heldout: Annotated[list[Path] | None, typer.Option(
        "--heldout", exists=True, file_okay=False,
        help="a separate held-out set (another seed); repeatable")] = None,
    heldout_max_lines: Annotated[int, typer.Option(
        "--heldout-max-lines", min=1, help="sample of the separate held-out lines")] = 3000,
    out: Annotated[Path, typer.Option("--out", help="adapter, ONNX, samples, metrics")] = Path(
        ".yogi/ocr-train"),
    train_head: Annotated[bool, typer.Option("--train-head/--no-train-head",
                                             help="LoRA on the classifier too")] = False,
    threads: Annotated[int, typer.Option(min=1, help="torch intra-op threads")] = 1,
    seed: Annotated[int, typer.Option(help="sampling, shuffling and init seed")] = 0,
    register: Annotated[bool, typer.Option("--register/--no-register",
                                           help="register yogi-ocr and apply the gate")] = True,
) -> None:
    """LoRA on the PP-OCRv4 recogniser, gated against base and champion on the same crops.

    Trains, scores base vs fine-tuned vs the current champion on the same held-out crops, logs
    to MLflow, registers `yogi-ocr` and promotes only what beats both."""
    from inference.cli import refuse
    from training.ocr.train import train_ocr

    try:
        result = train_ocr(data, epochs=epochs, rank=rank, lr=lr, batch_size=batch_size,
                           max_lines=max_lines, out_dir=out, train_head=train_head,
                           threads=threads, seed=seed, register=register, log_every=10,
                           heldout_dirs=heldout or [], heldout_max_lines=heldout_max_lines)
    except (ValueError, FileNotFoundError) as error:
        raise refuse(str(error)) from None
    columns = ["held-out", "base", "fine-tuned"] + (["champion"] if result.champion else [])
    table = Table(*columns, "n")
    for key in ("", "rotated_", "small_time_", "hand_", "upright_"):
        for metric in ("cer", "cer_nospace", "word_acc", "line_acc"):
            row = [f"{key}{metric}", f"{result.base[key + metric]:.4f}",
                   f"{result.tuned[key + metric]:.4f}"]
            if result.champion:
                row.append(f"{result.champion[key + metric]:.4f}")
            table.add_row(*row, str(int(result.base[key + "n"])))
    console.print(table)
    registered = (f"yogi-ocr v{result.version} → {result.alias} ({result.reason})"
                  if result.version else "not registered")
    console.print(f"run {result.run_id}: {registered}; training {result.train_seconds:.0f} s; "
                  f"files in {out}")
