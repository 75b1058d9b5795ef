"""OCR-tier tools beside `yogi train ocr` (training/cli.py), run as `python -m training.ocr_cli`:
merge + export an adapter to ONNX, and the held-out / real-page measurements as JSON."""

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
    from inference.logs import configure

    configure("WARNING")  # JSON logs on stderr, as under `yogi`


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


@ocr_app.command()
def evaluate(
    heldout: Annotated[list[Path], typer.Option("--heldout", exists=True, file_okay=False,
                                                help="a held-out set; repeatable")],
    onnx: Annotated[Path | None, typer.Option(
        "--onnx", exists=True, dir_okay=False,
        help="fine-tuned ONNX (default: the registry champion)")] = None,
    max_lines: Annotated[int | None, typer.Option("--max-lines", min=1)] = None,
    threads: Annotated[int, typer.Option(min=1)] = 1,
    out: Annotated[Path, typer.Option()] = Path("bench/ocr-heldout.json"),
) -> None:
    """Held-out CER / word / line accuracy by category: base vs fine-tuned, same crops."""
    import json

    from inference.model_store import resolve_artefact
    from inference.settings import Settings
    from training.ocr.measure import heldout_report
    from training.ocr.onnx_torch import REC_MODEL_PATH

    version = "file"
    if onnx is None:
        settings = Settings()
        resolved = resolve_artefact("yogi-ocr", "artifacts/rec_merged.onnx",
                                    tracking_uri=settings.mlflow_tracking_uri,
                                    cache_dir=settings.model_cache_dir)
        onnx, version = resolved.path, resolved.version
    report = heldout_report(heldout, {"base": REC_MODEL_PATH, "fine-tuned": onnx},
                            threads=threads, max_lines=max_lines)
    report["fine_tuned"] = {"onnx": str(onnx), "version": version}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    table = Table("held-out", "base", "fine-tuned", "n")
    base, tuned = report["models"]["base"], report["models"]["fine-tuned"]
    for key in ("", "rotated_", "small_time_", "hand_", "upright_"):
        for metric in ("cer", "cer_nospace", "word_acc", "line_acc"):
            table.add_row(f"{key}{metric}", f"{base[key + metric]:.4f}",
                          f"{tuned[key + metric]:.4f}", str(base[key + "n"]))
    console.print(table)
    console.print(f"wrote {out}")


@ocr_app.command()
def names(
    images: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
    labels: Annotated[Path, typer.Argument(exists=True, file_okay=False)],
    out: Annotated[Path, typer.Option()] = Path("bench/ocr-names.json"),
) -> None:
    """Share of labelled event names found in the page OCR text: rapid (base) vs model."""
    import json

    from inference.ocr import get_engine
    from inference.settings import Settings
    from training.ocr.measure import name_recall

    settings = Settings()
    report = name_recall(images, labels, {name: get_engine(name, settings)
                                          for name in ("rapid", "model")})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    for engine, r in report["engines"].items():
        console.print(f"{engine}: {r['fuzzy_share']:.3f} fuzzy, {r['exact_share']:.3f} exact "
                      f"of {r['names']} names")
    console.print(f"wrote {out}")


if __name__ == "__main__":
    ocr_app()
