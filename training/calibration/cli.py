"""`yogi calibrate` and `yogi bench cascade`, mounted into `yogi` by training/commands.py.

Thin: options → training/calibration/job.py or bench.py → a table on stdout and files. Nothing
heavy is imported until a command runs."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, get_args

import typer
from rich.console import Console
from rich.table import Table

from inference.calibration import CALIBRATED_TIERS
from inference.settings import OcrEngineName

console = Console()


# The tiers that have calibrators (inference.calibration.CALIBRATED_TIERS).
TierChoice = StrEnum("TierChoice", [(n, n) for n in CALIBRATED_TIERS])  # type: ignore[misc]
CLASSICAL = TierChoice("classical")


DataDir = Annotated[Path, typer.Option(
    "--data", help="a labelled set: labels/*.json beside pages/ or images/")]
Predictions = Annotated[Path | None, typer.Option(
    "--predictions", help="JSON lines {id, result}; default: the set's reading-<ocr>.jsonl "
    "cache, else the tier is run on every page")]
TierOption = Annotated[TierChoice, typer.Option(
    "--tier", help="the tier whose confidence is calibrated")]
# The settings' engine names as typer choices (mypy cannot see members made from a Literal).
OcrName = StrEnum("OcrName", [(n, n) for n in get_args(OcrEngineName)])  # type: ignore[misc]
Ocr = Annotated[OcrName | None, typer.Option(
    "--ocr", help="OCR engine of the reading cache, and when the tier is run here")]
Real = Annotated[Path | None, typer.Option(
    "--real", help="labelled real pages (labels/ beside images/ or pages/, e.g. ../shared/dev); "
    "block calibration fits on all of them and reports each page left out")]
RealPredictions = Annotated[Path | None, typer.Option(
    "--real-predictions", help="predictions of the --real pages (as --predictions)")]
MoreData = Annotated[list[Path] | None, typer.Option(
    "--blocks-data", help="more labelled held-out synthetic sets the block calibrator is "
    "fitted and measured on (repeatable; read from their own caches)")]
BlockKindOption = Annotated[str | None, typer.Option(
    "--block-kind", help="signals (the blocks' decoding signals; document tier, run on the "
    "sets' cached readings: --predictions is not read for it) or isotonic (the raw block "
    "confidence); default: signals for the document tier")]
Folds = Annotated[int, typer.Option("--folds", min=2, help="k of the k-fold held-out figures")]
ThresholdOn = Annotated[str, typer.Option(
    "--threshold-on", help="the pages the block accept threshold must hold 98 % on: real (the "
    "--real pages, what the platform serves) or all (synthetic and real each)")]
Bins = Annotated[int, typer.Option("--bins", min=2, help="equal-width ECE bins")]


def _check_inputs(data: Path, predictions: Path | None, real: Path | None = None,
                  real_predictions: Path | None = None, more: list[Path] | None = None) -> None:
    from inference.console import refuse

    for folder in (data, real, *(more or [])):
        if folder is not None and not folder.is_dir():
            raise refuse(f"{folder}: not a folder")
    for file in (predictions, real_predictions):
        if file is not None and not file.is_file():
            raise refuse(f"{file}: no such file")


def calibrate_command(
    data: DataDir,
    predictions: Predictions = None,
    tier: TierOption = CLASSICAL,
    ocr: Ocr = None,
    folds: Folds = 5,
    bins: Bins = 10,
    mlflow: Annotated[bool, typer.Option("--mlflow/--no-mlflow")] = True,
    blocks: Annotated[bool, typer.Option(
        "--blocks", help="the blocks' calibrator instead (<tier>-blocks.json): fitted on "
        "--data, --blocks-data and --real, reported cross-fitted by page")] = False,
    real: Real = None,
    real_predictions: RealPredictions = None,
    more_data: MoreData = None,
    block_kind: BlockKindOption = None,
    threshold_on: ThresholdOn = "real",
) -> None:
    """Fit the tier's confidence calibrator (isotonic) on a labelled set; report ECE on
    held-out folds; save it under models/calibration/ and log it to MLflow."""
    from inference.console import refuse
    from inference.settings import Settings
    from training.calibration.job import calibrate

    _check_inputs(data, predictions, real, real_predictions, more_data)
    if blocks:
        _calibrate_blocks(data, predictions, tier.value, ocr.value if ocr else None, bins,
                          mlflow, real, real_predictions, more_data or [], block_kind,
                          threshold_on)
        return
    try:
        fitted = calibrate(data, tier=tier.value, settings=Settings(),
                           predictions=predictions, ocr=ocr.value if ocr else None,
                           folds=folds, bins=bins, mlflow=mlflow)
    except ValueError as error:
        raise refuse(str(error)) from None
    calibrator = fitted.calibrator
    table = Table("documents", "fully right", "ECE raw", f"ECE calibrated ({folds}-fold)",
                  "Brier raw", "Brier calibrated",
                  title=f"{calibrator.tier} calibration ({calibrator.target})")
    m = calibrator.metrics
    table.add_row(str(calibrator.fitted_on.documents), str(calibrator.fitted_on.fully_right),
                  f"{m['ece_raw']:.4f}", f"{m['ece_calibrated_cv']:.4f}",
                  f"{m['brier_raw']:.4f}", f"{m['brier_calibrated_cv']:.4f}")
    console.print(table)
    console.print(f"calibrator: {fitted.path}\nreliability diagram: {fitted.diagram}")
    if calibrator.mlflow_run_id:
        console.print(f"MLflow run {calibrator.mlflow_run_id} (experiment yogi-calibration)")


def _calibrate_blocks(data: Path, predictions: Path | None, tier: str, ocr: str | None,
                      bins: int, mlflow: bool, real: Path | None,
                      real_predictions: Path | None, more_data: list[Path],
                      kind: str | None, threshold_on: str) -> None:
    from inference.console import refuse
    from inference.settings import Settings
    from training.calibration.block_job import calibrate_blocks
    from training.calibration.block_kinds import BLOCK_KINDS

    if kind is not None and kind not in BLOCK_KINDS:
        raise refuse(f"--block-kind {kind}: choose {' or '.join(BLOCK_KINDS)}")
    try:
        fitted = calibrate_blocks(data, tier=tier, settings=Settings(), real=real,
                                  predictions=predictions, real_predictions=real_predictions,
                                  ocr=ocr, bins=bins, mlflow=mlflow, more_data=more_data,
                                  kind=kind, threshold_on=threshold_on)
    except ValueError as error:
        raise refuse(str(error)) from None
    figures = fitted.figures
    console.print(f"{fitted.calibrator.tier} blocks ({fitted.calibrator.kind}): fitted on "
                  f"{len(fitted.calibrator.fitted_on.documents)} pages, "
                  f"{fitted.calibrator.fitted_on.blocks} blocks "
                  f"({fitted.calibrator.fitted_on.right} right); block accept threshold "
                  f"chosen on {figures['thresholdOn']} pages, cross-fitted: "
                  f"{figures['threshold']['threshold']}")
    console.print(review_table(figures["sets"], "block calibration, cross-fitted by page "
                               "(\"after\" at that threshold; nested: chosen without the page)"))
    console.print(f"calibrator: {fitted.path}\nreliability diagram: {fitted.diagram}\n"
                  f"risk–coverage: {fitted.curves}\nfigures: {fitted.report}")
    if fitted.calibrator.mlflow_run_id:
        console.print(f"MLflow run {fitted.calibrator.mlflow_run_id} (experiment "
                      "yogi-calibration)")


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def review_table(sets: dict, title: str) -> Table:
    """ECE, AUC and review load at 98 % per set: before (document routing), after (blocks, at
    the threshold), nested (a threshold chosen without the page), the best any threshold does
    on the set and the oracle bound."""
    table = Table("set", "pages (blocks)", "right", "ECE raw → cal.", "AUC raw → cal.",
                  "before", "after (≥ t): flagged, unflagged right", "nested", "best / oracle",
                  title=title)
    for name, s in sets.items():
        load = s["reviewLoad"]
        after = load["after"]["atSettings"]
        nested = load["after"].get("atNestedThreshold")
        auc = s["auc"]
        table.add_row(
            name, f"{s['pages']} ({s['blocks']})", _share(s["blocksRight"] / s["blocks"]),
            f"{s['ece']['raw']:.3f} → {s['ece']['calibrated']:.3f}",
            " → ".join("—" if v is None else f"{v:.3f}" for v in (auc["raw"], auc["calibrated"])),
            _share(load["before"]["atSettings"]["flaggedShare"]),
            f"{after['flaggedShare']:.1%} ({after['threshold']}), "
            f"{_share(after['unflaggedAccuracy'])}",
            "—" if nested is None else f"{nested['flaggedShare']:.1%}, "
            f"{_share(nested['unflaggedAccuracy'])}",
            f"{load['after']['bestOnThisSet']['flaggedShare']:.1%} / "
            f"{load['oracle']['flaggedShare']:.1%}")
    return table


def bench_cascade_command(
    data: DataDir,
    predictions: Predictions = None,
    tier: TierOption = CLASSICAL,
    ocr: Ocr = None,
    folds: Folds = 5,
    bins: Bins = 10,
    out: Annotated[Path | None, typer.Option(
        help="JSON report (default bench/cascade-<tier>-<set>.json)")] = None,
    real: Real = None,
    real_predictions: RealPredictions = None,
    more_data: MoreData = None,
) -> None:
    """The cascade on a labelled set: ECE before/after calibration and a sweep of (accept,
    review) thresholds: shares accepted / to Claude / to review, strict F1 and share fully
    right of the accepted, Claude's cost per 1,000 documents; with a block calibrator, the
    review load (share of blocks a reviewer looks at, unflagged ones 98 % right) before and
    after routing by blocks, on --data and --real."""
    from inference.console import refuse
    from inference.settings import Settings
    from training.calibration.bench import bench_cascade
    from training.calibration.review_load import TARGET_RIGHT

    _check_inputs(data, predictions, real, real_predictions, more_data)
    try:
        report = bench_cascade(data, tier=tier.value, settings=Settings(),
                               predictions=predictions, ocr=ocr.value if ocr else None,
                               folds=folds, bins=bins, real=real,
                               real_predictions=real_predictions, more_data=more_data)
    except ValueError as error:
        raise refuse(str(error)) from None
    out = out or Path("bench") / f"cascade-{report['tier']}-{data.resolve().name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    console.print(sweep_table(report))
    console.print(
        f"ECE raw {report['ece']['raw']:.4f} → calibrated {report['ece']['calibrated']:.4f} "
        f"({report['confidenceSource']}); {report['fullyRight']}/{report['documents']} fully "
        f"right\nClaude per 1,000 documents ({report['claudeCost']['assumption']}):")
    for key, what in (("atSettings", "calibrated"), ("atSettingsRaw", "raw, uncalibrated")):
        row = report[key]
        low, high = row["claudeUsdPer1000"]
        console.print(f"  at accept {row['accept']:.2f} / review {row['review']:.2f} on {what} "
                      f"confidence: {row['toClaude']:.1%} to Claude → ${low:.2f}–${high:.2f}")
    blocks = report["blocks"]
    if "sets" in blocks:
        console.print(review_table(blocks["sets"], "review load (blocks looked at so the "
                                   f"unflagged are {TARGET_RIGHT:.0%} right)"))
    else:
        console.print(blocks["skipped"])
    console.print(f"wrote {out}")


def sweep_table(report: dict) -> Table:
    def share(value: float | None) -> str:
        return "—" if value is None else f"{value:.3f}"

    table = Table("accept ≥", "review <", "accepted", "to Claude", "to review",
                  "strict F1 (accepted)", "fully right (accepted)", "Claude $/1000 docs",
                  title=f"{report['tier']} tier on {report['data']} ({report['documents']} "
                  "documents)")
    for row in report["sweep"]:
        table.add_row(f"{row['accept']:.2f}", f"{row['review']:.2f}", share(row["accepted"]),
                      share(row["toClaude"]), share(row["toReview"]),
                      share(row["acceptedStrictF1"]), share(row["acceptedFullyRight"]),
                      "–".join(f"{usd:.0f}" for usd in row["claudeUsdPer1000"]))
    return table


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    app.command("calibrate")(calibrate_command)
    bench_app.command("cascade")(bench_cascade_command)
