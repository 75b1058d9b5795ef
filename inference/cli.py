"""The `yogi` command line: the one entry point for users and jobs."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from enum import StrEnum
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import structlog
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table as RichTable

from inference.console import refuse
from inference.errors import InputRefused
from inference.logs import configure
from inference.schema import TimetableData
from inference.settings import OcrEngineName, TierName

if TYPE_CHECKING:
    from inference.cascade import CascadeResult
    from inference.features.client import FeatureClient
    from inference.settings import Settings
    from inference.store.repository import Store

app = typer.Typer(help="yogi: school timetable documents → structured timetable data.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
bench_app = typer.Typer(help="Benchmarks that write JSON.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")

console = Console()
err_console = Console(stderr=True)


class OutputFormat(StrEnum):
    json = "json"
    table = "table"
    csv = "csv"


# `--ocr` and `--tier` choices are the settings' names (which tests/inference/test_tiers.py
# holds equal to the engine and tier registries); mypy cannot see members made from a Literal.
OcrChoice = StrEnum("OcrChoice", [(n, n) for n in get_args(OcrEngineName)])  # type: ignore[misc]
TierChoice = StrEnum("TierChoice", [(n, n) for n in get_args(TierName)])  # type: ignore[misc]


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False
         ) -> None:
    configure("INFO" if verbose else "WARNING")


def timetable_table(result: TimetableData) -> RichTable:
    heading = " · ".join(
        f"{label}: {value}"
        for label, value in (("Teacher", result.teacher), ("Class", result.class_name),
                             ("Term", result.term), ("Year", result.year))
        if value is not None
    )
    table = RichTable(title=f"Timetable ({result.tier}, confidence {result.confidence:.2f})",
                      caption=heading or None)
    for column in ("Day", "Start", "End", "Event", "Notes"):
        table.add_column(column)
    for block in result.timeblocks:
        table.add_row(block.day, block.start_time or "", block.end_time or "", block.name,
                      block.notes or "")
    return table


def timetable_csv(result: TimetableData) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["day", "startTime", "endTime", "name", "notes"])
    for b in result.timeblocks:
        writer.writerow([b.day, b.start_time or "", b.end_time or "", b.name, b.notes or ""])
    return buffer.getvalue()


def reading_threads() -> None:
    """One torch (OpenMP) thread for the commands that read pages, unless OMP_NUM_THREADS says
    otherwise; set before torch is first imported. On this shared 2-core machine the second
    thread mostly waits for a core: reading one page's document model took 0.5-1.3 s with one
    thread against 2.7-3.4 s with two (bench/threads-ab*.json). Training commands keep torch's
    default."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="PNG, JPEG, TIFF, BMP, WebP or PDF.")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    ocr: Annotated[OcrChoice | None, typer.Option(help="OCR engine (default from settings).")
                   ] = None,
    out: Annotated[Path | None, typer.Option(help="Write the output here instead of stdout.")
                   ] = None,
    debug: Annotated[Path | None, typer.Option(help="Write grid and OCR drawings here.")] = None,
    tier: Annotated[TierChoice | None, typer.Option(help="default from settings (auto)")
                    ] = None,
) -> None:
    """Extract the timetable from one document through the cascade (tier, calibrated
    confidence, Claude for the uncertain ones). The route taken is one JSON line on stderr."""
    reading_threads()
    from inference.loading import load_path, page_limits
    from inference.settings import Settings

    settings = Settings()
    try:
        pages = load_path(file, **page_limits(settings))
    except InputRefused as error:
        raise refuse(f"{file}: {error}") from None
    # Only a document worth reading pays for the cascade's imports (Feast alone is ≈6 CPU-s):
    # a refused one answers in well under a second.
    from inference.cascade import run_cascade_pages
    from inference.model_store import ModelUnavailable
    from inference.store.repository import Store

    data = file.read_bytes()
    # The service's store: the Claude spend cap is shared with it, and silver labels land there.
    store = Store.from_settings(settings)
    store.migrate()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch") as prefetch:
        opening = prefetch.submit(load_after_reading, settings, tier.value if tier else None)
        try:
            outcome = run_cascade_pages(pages, settings=settings, ledger=store,
                                        document_id=hashlib.sha256(data).hexdigest(),
                                        ocr=ocr.value if ocr else None,
                                        tier=tier.value if tier else None, features=opening)
        except ModelUnavailable as error:  # --tier document / --ocr model, none registered
            raise refuse(str(error)) from None
    if outcome.silver:
        store_silver_label(store, settings, data, file.name, outcome)
    status_line(outcome)
    result = outcome.result
    if debug is not None:
        from inference.debug import write_debug

        for path in write_debug(outcome.traces, debug, file.stem):
            err_console.print(f"debug drawing: {path}")
    if format is OutputFormat.json:
        text = json.dumps(result.to_json_dict(), indent=2, ensure_ascii=False)
    elif format is OutputFormat.csv:
        text = timetable_csv(result)
    else:
        if out is None:
            console.print(timetable_table(result))
            return
        capture = Console(record=True, width=140, file=io.StringIO())
        capture.print(timetable_table(result))
        text = capture.export_text()
    if out is not None:
        out.write_text(text + ("\n" if not text.endswith("\n") else ""))
    else:
        sys.stdout.write(text + "\n")


def load_after_reading(settings: Settings, tier: str | None) -> FeatureClient | None:
    """What the cascade needs once the page is read, loaded on the second core while the first
    reads it: the tier's model (≈3 CPU-s of transformers and peft) and the feature store
    (≈6 CPU-s of Feast). Returns the feature client."""
    from inference.features.client import open_client
    from inference.model_store import ModelUnavailable
    from inference.tiers import resolve_tier

    with suppress(ModelUnavailable):  # the reading asks again and tells the user
        resolve_tier(tier or settings.tier, settings)
    return open_client(settings)


def status_line(outcome: CascadeResult) -> None:
    """The cascade's route as one structured line on stderr, whatever the log level: the
    caller's only way to see the status (stdout carries the contract JSON alone)."""
    logger = structlog.wrap_logger(
        structlog.PrintLogger(sys.stderr),
        wrapper_class=structlog.BoundLogger,  # not the configured level filter
        processors=[structlog.processors.add_log_level,
                    structlog.processors.TimeStamper(fmt="iso"),
                    structlog.processors.JSONRenderer()],
    )
    logger.info("cascade", status=outcome.status, reason=outcome.reason,
                route=outcome.decision.action, confidence=outcome.calibration.confidence,
                raw_confidence=outcome.calibration.raw, calibration=outcome.calibration.source,
                features=outcome.features.status,
                tier=outcome.result.tier, cost_usd=round(outcome.cost_usd, 6))


def store_silver_label(store: Store, settings: Settings, data: bytes, filename: str,
                       outcome: CascadeResult) -> None:
    """An accepted Claude answer → the store as a silver label, as the service keeps it."""
    from inference.store.labels import keep_silver_label
    from inference.store.objects import object_store_from_settings

    keep_silver_label(store, object_store_from_settings(settings), data, filename, outcome,
                      settings)


@app.command("eval")
def evaluate(
    images: Annotated[Path, typer.Argument(help="Folder of documents.")],
    labels: Annotated[Path, typer.Argument(help="Folder of gold TimetableData JSON (same stems).")],
    ocr: Annotated[OcrChoice | None, typer.Option()] = None,
    tier: Annotated[TierChoice | None, typer.Option(help="default from settings (auto)")
                    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the scores here.")] = None,
) -> None:
    """Score extractions against gold labels exactly as CONTRACT.md defines."""
    reading_threads()
    from inference.evaluation import labelled_documents, score_set
    from inference.pipeline import extract_file
    from inference.settings import Settings

    if not images.is_dir() or not labels.is_dir():
        raise refuse(f"{images if not images.is_dir() else labels}: not a folder")
    documents = labelled_documents(images, labels)
    if not documents:
        raise refuse(f"no document in {images} has a label in {labels}")
    settings = Settings()
    pairs = {}
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("extracting", total=len(documents))
        for document in documents:
            try:
                prediction, _ = extract_file(document.path, ocr.value if ocr else None,
                                             tier.value if tier else None, settings=settings)
            except InputRefused as error:
                err_console.print(f"skipped {document.path.name}: {error}")
                prediction = TimetableData()
            pairs[document.path.stem] = (prediction, document.gold)
            progress.advance(task)
    scores = score_set(pairs)
    report = scores.as_dict()
    table = RichTable(title=f"Evaluation ({ocr.value if ocr else 'default'} OCR)")
    for column in ("document", "strict F1", "event F1", "time acc", "header acc", "pred", "gold"):
        table.add_column(column, justify="right" if column != "document" else "left")

    def fmt(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    for name, s in [*scores.per_document.items(), ("micro", scores.micro)]:
        table.add_row(name, fmt(s.strict_f1), fmt(s.event_f1), fmt(s.time_accuracy),
                      fmt(s.header_accuracy), str(s.counts.predicted), str(s.counts.gold))
    console.print(table)
    console.print(f"mean per-document strict F1: {scores.mean_strict_f1:.3f}")
    if json_out is not None:
        json_out.write_text(json.dumps(report, indent=2))


@bench_app.command("pipeline")
def bench_pipeline_command(
    files: Annotated[list[Path], typer.Argument(help="Documents to time.")],
    runs: Annotated[int, typer.Option(min=1)] = 3,
    ocr: Annotated[OcrChoice | None, typer.Option(help="OCR engine (default from settings).")
                   ] = None,
    labels: Annotated[Path | None, typer.Option(
        help="Gold TimetableData JSON by file stem: score the timed predictions too.")] = None,
    tesseract: Annotated[bool, typer.Option(
        help="Time Tesseract alone on the same pages (the ratio).")] = True,
    out: Annotated[Path, typer.Option()] = Path("bench/pipeline.json"),
) -> None:
    """Seconds per page and per stage (p50/p95), CPU seconds, peak memory, Tesseract's
    seconds on the same pages and, with --labels, the accuracy; saved as JSON."""
    reading_threads()
    from inference.bench import bench_pipeline
    from inference.settings import Settings

    missing = [f for f in files if not f.is_file()]
    if missing:
        raise refuse(f"{missing[0]}: no such file")
    if labels is not None and not labels.is_dir():
        raise refuse(f"{labels}: not a folder")
    settings = Settings()
    report = bench_pipeline(files, runs, ocr.value if ocr else settings.ocr_engine, settings,
                            labels=labels, tesseract=tesseract)
    _write_report(report, out)


@bench_app.command("cli")
def bench_cli_command(
    file: Annotated[Path, typer.Argument(help="One document.")],
    runs: Annotated[int, typer.Option(min=1)] = 3,
    out: Annotated[Path, typer.Option()] = Path("bench/cli.json"),
) -> None:
    """Cold processes: `yogi --help` and `yogi extract FILE --format json`, wall and CPU
    seconds (p50/p95) and peak memory, saved as JSON."""
    from inference.bench import bench_cli

    if not file.is_file():
        raise refuse(f"{file}: no such file")
    _write_report(bench_cli(file, runs), out)


@bench_app.command("robustness")
def bench_robustness_command(
    images: Annotated[Path, typer.Argument(help="Folder of documents.")],
    labels: Annotated[Path, typer.Argument(help="Folder of gold TimetableData JSON (same stems).")],
    variant: Annotated[list[str] | None, typer.Option(
        help="name:strength, repeatable (default: clean, scale:0.6, scale:0.75, rotate:1.5, "
             "rotate:-3, blur:1.2, jpeg:40); names: clean, scale, rotate, blur, jpeg")] = None,
    out: Annotated[Path, typer.Option()] = Path("bench/robustness.json"),
) -> None:
    """The labelled pages scaled down, tilted, blurred and recompressed, each variant scored
    as `yogi eval` scores (micro strict F1, blocks predicted / gold, per page); saved as JSON."""
    reading_threads()
    from inference.evaluation import labelled_documents
    from inference.robustness import DEFAULT_VARIANTS, Variant, bench_robustness
    from inference.settings import Settings

    try:
        variants = [Variant.parse(text) for text in variant or DEFAULT_VARIANTS]
    except ValueError as error:
        raise refuse(str(error)) from None
    documents = labelled_documents(images, labels)
    if not documents:
        raise refuse(f"no document in {images} has a label in {labels}")
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("degrading and extracting", total=len(documents) * len(variants))
        report = bench_robustness(documents, variants, Settings(),
                                  advance=lambda: progress.advance(task))
    table = RichTable(title="Robustness (micro over the pages)")
    for column in ("variant", "strict F1", "time acc", "pred", "gold", "worst page"):
        table.add_column(column, justify="left" if column in ("variant", "worst page") else "right")
    for label, scores in report["variants"].items():
        worst = min(scores["perDocument"].items(), key=lambda item: item[1])
        table.add_row(label, f"{scores['strictF1']:.3f}",
                      "—" if scores["timeAccuracy"] is None else f"{scores['timeAccuracy']:.3f}",
                      str(scores["predicted"]), str(scores["gold"]), f"{worst[0]} {worst[1]:.3f}")
    err_console.print(table)
    _write_report(report, out)


def _write_report(report: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    console.print_json(data=report)


def _mount_plugins() -> None:
    """The serving and training commands, found through the `yogi.commands` entry points
    (pyproject.toml): this package names neither, so nothing here imports them."""
    for entry in sorted(entry_points(group="yogi.commands"), key=lambda e: e.name):
        try:
            register = entry.load()
        except ModuleNotFoundError as error:
            # An image that ships without that package (the Bento carries no training/).
            if error.name != entry.module.split(".")[0]:
                raise
            continue
        register(app, bench_app)


_mount_plugins()
