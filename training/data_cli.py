"""`yogi data …`: generate synthetic timetable documents, describe a set, look at it."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

data_app = typer.Typer(help="Synthetic training data: generate, describe, look.",
                       no_args_is_help=True)
console = Console()

Dir = Annotated[Path, typer.Argument(exists=True, file_okay=False, help="a generated set")]


@data_app.command()
def synth(
    n: Annotated[int, typer.Option("--n", min=1, help="number of documents")],
    out: Annotated[Path, typer.Option("--out", help="output directory")],
    seed: Annotated[int, typer.Option(help="same seed and n give identical files")] = 0,
    photo_share: Annotated[float, typer.Option(min=0.0, max=1.0,
                                               help="share of camera-captured pages")] = 0.4,
    workers: Annotated[int, typer.Option(min=1, help="processes")] = 1,
    log_mlflow: Annotated[bool, typer.Option("--mlflow/--no-mlflow",
                                             help="log the set as an MLflow dataset")] = True,
    family: Annotated[str, typer.Option(
        help="layout family: mixed (every primary-school style), asc (aSc Timetables exports), "
             "start-only (header gives start times only), letters-down (college grid with a "
             "B-R-E-A-K column)")] = "mixed",
) -> None:
    """Generate N timetable pages with contract labels and layout labels into OUT."""
    from training.synth.families import FAMILIES
    from training.synth.writer import synthesize  # heavy (albumentations): load on use

    if family not in FAMILIES:
        raise typer.BadParameter(f"one of {', '.join(FAMILIES)}", param_hint="--family")
    columns = (TextColumn("synth"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("synth", total=n)
        manifest = synthesize(out, n, seed=seed, photo_share=photo_share, workers=workers,
                              progress=lambda k: bar.advance(task, k), family=family)
    console.print(f"wrote {n} {family} documents to {out} "
                  f"(content hash {manifest['contentHash'][:16]})")
    if log_mlflow:
        from inference.settings import get_settings
        from training.synth.mlflow_log import log_dataset

        run_id = log_dataset(out, get_settings().mlflow_tracking_uri)
        console.print(f"logged to MLflow experiment yogi-datasets, run {run_id}")


@data_app.command()
def stats(directory: Dir) -> None:
    """Describe a generated set: layout mix, photo share, rotated text, blocks, fonts…"""
    from training.synth.stats import stats_table

    console.print(stats_table(directory))


@data_app.command()
def sheet(
    directory: Dir,
    out: Annotated[Path, typer.Option(help="PNG to write")] = Path("sheet.png"),
    with_real: Annotated[Path | None, typer.Option("--with",
                                                   help="folder of real page images")] = None,
    count: Annotated[int, typer.Option(min=1, help="generated pages to show")] = 12,
) -> None:
    """A contact sheet PNG of generated pages next to real ones."""
    from training.synth.sheet import contact_sheet

    console.print(f"wrote {contact_sheet(directory, out, with_real, count)}")


class LabelSource(StrEnum):
    gold = "gold"
    silver = "silver"
    all = "all"


@data_app.command()
def labels(
    out: Annotated[Path, typer.Option("--out", help="folder to write (pages/, labels/)")],
    source: Annotated[LabelSource, typer.Option(
        help="gold: reviewers' corrections; silver: accepted Claude answers")] = LabelSource.all,
) -> None:
    """Export the store's labels for training: one contract JSON per document (gold beats
    silver, newest wins), its original, and manifest.json."""
    from inference.settings import get_settings
    from inference.store.objects import object_store_from_settings
    from inference.store.repository import Store
    from training.label_export import export_labels

    settings = get_settings()
    store = Store.from_settings(settings)
    store.migrate()
    manifest = export_labels(store, object_store_from_settings(settings), source.value, out)
    counts = manifest["counts"]
    console.print(f"wrote {len(manifest['documents'])} labels to {out} "
                  f"({counts['gold']} gold, {counts['silver']} silver)")


if __name__ == "__main__":
    data_app()
