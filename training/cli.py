"""`yogi train …`: one sub-command per trainable tier (`ocr`, `document`).

Only typer and rich are imported at module level: the training stacks (torch, peft, MLflow) load
inside each command, so `yogi --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from mlflow import MlflowClient

train_app = typer.Typer(help="Fine-tune a tier, log it to MLflow, register it and gate it.",
                        no_args_is_help=True)
console = Console()


@train_app.command("ocr")
def ocr(
    data: Annotated[list[Path], typer.Option("--data", exists=True, file_okay=False,
                                             help="a generated set (yogi data synth); repeat "
                                                  "for several families")],
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
    real: Annotated[Path | None, typer.Option(
        "--real", exists=True, file_okay=False,
        help="labelled real pages the gate also reads (default: YOGI_GATE_REAL_DIR)")] = None,
) -> None:
    """LoRA on the PP-OCRv4 recogniser, gated against base and champion on the same crops.

    Trains, scores base vs fine-tuned vs the current champion on the same held-out crops, logs
    to MLflow and registers `yogi-ocr`. What beats both on crops is a challenger until the real
    pages (`--real`, or YOGI_GATE_REAL_DIR when it exists) say it reads them better too
    (training/ocr/real_gate.py); with no real pages the crops decide."""
    from inference.console import refuse
    from inference.settings import Settings
    from training.ocr.train import train_ocr

    settings = Settings()
    default_real = settings.gate_real_dir
    real = real or (default_real if default_real and default_real.is_dir() else None)
    try:
        result = train_ocr(data, epochs=epochs, rank=rank, lr=lr, batch_size=batch_size,
                           max_lines=max_lines, out_dir=out, train_head=train_head,
                           threads=threads, seed=seed, register=register, log_every=10,
                           heldout_dirs=heldout or [], heldout_max_lines=heldout_max_lines,
                           real_dir=real, settings=settings)
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


@train_app.command("document-prepare")
def document_prepare(
    data: Annotated[Path, typer.Option("--data", exists=True, file_okay=False,
                                       help="a generated set (yogi data synth)")],
    workers: Annotated[int, typer.Option(min=1, help="OCR processes")] = 2,
    limit: Annotated[int | None, typer.Option(min=1, help="first N pages only")] = None,
) -> None:
    """Read every page of a generated set once (clean-up, OCR, structure) and cache what the
    document model sees, with the classical rules' answer; resumes where it stopped."""
    from rich.progress import Progress

    from inference.console import refuse
    from training.document.data import READING_FILE
    from training.document.prepare import document_pages, prepare

    if not (data / "pages").is_dir():
        raise refuse(f"{data} holds no pages/ folder (a set from yogi data synth)")
    total = len(document_pages(data / "pages"))  # every document, PNG or not
    with Progress(console=console) as bar:
        task = bar.add_task("reading pages", total=min(total, limit or total))
        done = prepare(data, data / READING_FILE, "rapid", workers=workers, limit=limit,
                       progress=lambda k: bar.advance(task, k))
    console.print(f"{done} pages cached in {data / READING_FILE}")


@train_app.command("align-check")
def align_check(
    data: Annotated[list[Path], typer.Option("--data", exists=True, file_okay=False,
                                             help="a prepared generated set; repeatable")],
    limit: Annotated[int | None, typer.Option(min=1, help="first N pages of each set")] = None,
    out: Annotated[Path, typer.Option()] = Path("bench/align.json"),
) -> None:
    """How well targets aligned from a contract label alone (as a reviewer's correction gives
    them) agree with the targets the data engine's layout labels give, per head."""
    import json
    from dataclasses import asdict

    from training.document.align import agreement, aligned_targets
    from training.document.data import load_examples

    pages = []
    for folder in data:
        try:
            examples = load_examples(folder, limit)
        except FileNotFoundError as error:
            from inference.console import refuse

            raise refuse(str(error)) from None
        pages.extend((e.reading, aligned_targets(e.reading, e.label), e.targets)
                     for e in examples)
    report = {"pages": len(pages), "sets": [str(d) for d in data],
              "agreement": asdict(agreement(pages))}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    table = Table("head", "agreement", title=f"label-only alignment vs layout labels "
                  f"({len(pages)} pages)")
    for head, value in report["agreement"].items():
        table.add_row(head, f"{value:.3f}")
    console.print(table)


@train_app.command("document")
def document(
    data: Annotated[list[Path], typer.Option(
        "--data", exists=True, file_okay=False,
        help="a prepared generated set (train document-prepare); repeatable, each split alike")],
    epochs: Annotated[int, typer.Option(min=1)] = 10,
    rank: Annotated[int, typer.Option(min=1, help="LoRA rank")] = 8,
    lr: Annotated[float, typer.Option(help="peak learning rate (one-cycle)")] = 1e-3,
    accumulate: Annotated[int, typer.Option(min=1, help="pages per optimiser step")] = 2,
    merge_share: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="share of training pages shown with a run of cells merged")
                           ] = 0.3,
    heldout: Annotated[list[Path] | None, typer.Option(
        "--heldout", exists=True, file_okay=False,
        help="a separate prepared held-out set (another seed); repeatable")] = None,
    real: Annotated[Path | None, typer.Option(
        "--real", exists=True, file_okay=False,
        help="labelled real pages (images/, labels/) the gate also checks; never trained on")
                    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="first N pages of each --data")
                     ] = None,
    out: Annotated[Path, typer.Option("--out", help="release, samples, metrics")] = Path(
        ".yogi/document-train"),
    threads: Annotated[int, typer.Option(min=1, help="torch intra-op threads")] = 2,
    seed: Annotated[int, typer.Option(help="split, shuffling and init seed")] = 0,
    register: Annotated[bool, typer.Option("--register/--no-register",
                                           help="register yogi-document and apply the gate")
                        ] = True,
) -> None:
    """LoRA on MiniLM + layout embeddings + page transformer; gated against the classical
    rules and the champion on the same held-out pages."""
    from rich.progress import BarColumn, Progress, TextColumn

    from inference.console import refuse
    from training.document.train import train_document

    with Progress(TextColumn("training"), BarColumn(), TextColumn("{task.completed}/"
                  "{task.total} steps, loss {task.fields[loss]:.3f}"), console=console) as bar:
        task = bar.add_task("train", total=None, loss=float("nan"))

        def progress(step: int, total: int, loss: float) -> None:
            bar.update(task, completed=step, total=total, loss=loss)

        try:
            result = train_document(data, epochs=epochs, rank=rank, lr=lr, limit=limit,
                                    accumulate=accumulate, merge_share=merge_share,
                                    real_dir=real,
                                    heldout_dirs=heldout or [], out_dir=out, threads=threads,
                                    seed=seed, register=register, progress=progress)
        except (ValueError, FileNotFoundError) as error:
            raise refuse(str(error)) from None
    table = Table("held-out pages", "classical rules", "document model", "champion")
    for key in ("strictF1", "eventF1", "timeAccuracy", "headerAccuracy", "meanStrictF1"):
        champion = result.champion.get(key) if result.champion else None
        table.add_row(key, *(f"{v:.4f}" if v is not None else "–" for v in (
            result.rules.get(key), result.tuned.get(key), champion)))
    console.print(table)
    console.print("per-role F1: " + ", ".join(f"{k} {v:.3f}" for k, v in result.role_f1.items()))
    registered = (f"yogi-document v{result.version} → {result.alias} ({result.reason})"
                  if result.version else "not registered")
    console.print(f"run {result.run_id}: {registered}; training {result.train_seconds:.0f} s; "
                  f"files in {out}")


def bench_document(
    data: Annotated[list[Path], typer.Option("--data", exists=True, file_okay=False,
                                             help="prepared held-out sets; repeatable")],
    out: Annotated[Path, typer.Option()] = Path("bench/document.json"),
    alias: Annotated[str, typer.Option(help="registry alias of yogi-document")] = "champion",
    threads: Annotated[int, typer.Option(min=1)] = 2,
) -> None:
    """Classical rules vs the registry's document model on the same prepared pages: scores
    overall and per capture kind, per-role F1, model latency per page, peak memory."""
    import json

    import torch

    from inference.console import refuse
    from inference.document.tier import load_champion
    from inference.model_store import ModelUnavailable
    from inference.settings import Settings
    from training.document.measure import compare

    torch.set_num_threads(threads)
    settings = Settings()
    try:
        model, version = load_champion(alias, tracking_uri=settings.mlflow_tracking_uri,
                                       cache_dir=settings.model_cache_dir)
        report = compare(model, version, data)
    except (ModelUnavailable, FileNotFoundError) as error:
        raise refuse(str(error)) from None
    predictions = out.with_name(out.stem + "-predictions.jsonl")
    predictions.parent.mkdir(parents=True, exist_ok=True)
    predictions.write_text("".join(json.dumps(p) + "\n" for p in report.pop("predictions")))
    out.write_text(json.dumps(report, indent=2))
    table = Table("pages", "n", "tier", "strict F1", "event F1", "time acc", "header acc")
    for name, group in [("all", {"pages": report["pages"], **report["all"]}),
                        *report["byCapture"].items()]:
        for tier in ("classical", "document"):
            s = group[tier]
            table.add_row(name, str(group["pages"]), tier, *(
                "–" if s.get(k) is None else f"{s[k]:.3f}"
                for k in ("strictF1", "eventF1", "timeAccuracy", "headerAccuracy")))
    console.print(table)
    console.print(f"model latency {report['latencyMs']}, peak RSS {report['peakRssMb']} MB; "
                  f"saved {out} and {predictions}")


def _holds_trained_version(client: MlflowClient, report: dict) -> bool:
    """Whether this registry holds the version a training report names, from that very run (a
    committed release copied to another machine is registered there under other ids)."""
    from mlflow.exceptions import MlflowException

    from inference.document.tier import MODEL_NAME

    if not report.get("version"):
        return False
    try:
        version = client.get_model_version(MODEL_NAME, report["version"])
    except MlflowException:
        return False
    return version.run_id == report.get("run_id")


@train_app.command("ocr-gate")
def ocr_gate(
    real: Annotated[Path, typer.Option("--real", exists=True, file_okay=False,
                                       help="labelled real pages (images/, labels/)")],
    heldout: Annotated[list[Path], typer.Option(
        "--heldout", exists=True, file_okay=False,
        help="a generated held-out set no recogniser trained on; repeatable")],
    challenger: Annotated[str, typer.Option(help="registry alias to compare")] = "challenger",
    release: Annotated[Path | None, typer.Option(
        "--release", exists=True, file_okay=False,
        help="a release folder (models/ocr) to record the verdict in, when the challenger is "
             "that release")] = None,
    out: Annotated[Path, typer.Option()] = Path("bench/ocr-gate.json"),
) -> None:
    """The OCR champion vs a challenger on real pages and held-out crops; the challenger
    becomes champion (what serves) only if it beats it (training/ocr/real_gate.py)."""
    import json

    from rich.progress import Progress

    from inference.console import refuse
    from inference.model_store import ModelUnavailable
    from inference.ocr import ModelOcrEngine
    from inference.settings import Settings
    from training.ocr.real_gate import judge
    from training.registry import CHAMPION, RELEASE_TAG, tree_sha256, use_tracking, version_by_alias

    images, labels = real / "images", real / "labels"
    if not images.is_dir() or not labels.is_dir():
        raise refuse(f"{real}: needs images/ and labels/")
    settings = Settings()
    name = ModelOcrEngine.MODEL
    client = use_tracking(settings.mlflow_tracking_uri)
    candidate = version_by_alias(client, name, challenger)
    if candidate is None:
        raise refuse(f"{name} has no version with the alias {challenger!r}")
    # Only the version registered from this very adapter may carry its verdict home; a wrong
    # --release is refused before the registry or any file is touched.
    if release is not None and candidate.tags.get(RELEASE_TAG) != tree_sha256(
            release / "adapter"):
        raise refuse(f"{challenger} (v{candidate.version}) was not registered from {release}")
    pages = len(list(labels.glob("*.json")))
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("reading the real pages", total=2 * pages)
            verdict = judge(real, heldout, settings, challenger,
                            progress=lambda: bar.advance(task))
    except ModelUnavailable as error:
        raise refuse(str(error)) from None
    report = {"real": str(real), "heldout": [str(d) for d in heldout], **verdict.model_dump()}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    if release is not None:
        metrics = json.loads((release / "metrics.json").read_text())
        metrics["gate"] = {key: report[key] for key in
                           ("promote", "reason", "real", "champion", "challenger")}
        (release / "metrics.json").write_text(json.dumps(metrics, indent=1))
    serving = version_by_alias(client, name, CHAMPION).version
    console.print(f"{'promoted' if verdict.promote else 'kept'}: {verdict.reason}; "
                  f"champion is v{serving}")


@train_app.command("document-gate")
def document_gate(
    release: Annotated[Path, typer.Option("--release", exists=True, file_okay=False,
                                          help="a training run's folder (metrics.json, release/)")],
    real: Annotated[Path, typer.Option("--real", exists=True, file_okay=False,
                                       help="labelled real pages (images/, labels/)")],
) -> None:
    """Re-apply the gate to a trained document model with labelled real pages added: its
    alias (in metrics.json, and on its registry version) becomes what the gate now says."""
    import json

    from inference.document.model import load_release
    from inference.document.tier import MODEL_NAME
    from training.document.evaluate import real_page_scores
    from training.document.gate import current_champion, gate
    from training.registry import use_tracking, version_by_alias

    report = json.loads((release / "metrics.json").read_text())
    real_scores = real_page_scores(load_release(release / "release"), real)
    client = use_tracking()
    current = version_by_alias(client, MODEL_NAME, "champion")
    # The champion's own reading of the real pages, unless it is the very model re-gated here.
    champion_real = (current_champion(client.tracking_uri).real_scores(real)
                     if current is not None and str(current.version) != str(report.get("version"))
                     else None)
    alias, reason = gate(report["tuned"], report["rules"], report.get("champion"), None,
                         real_scores, champion_real)
    report.update(alias=alias, reason=reason, real={"document": real_scores[0],
                                                    "rules": real_scores[1], "dir": str(real)})
    (release / "metrics.json").write_text(json.dumps(report, indent=1))
    if _holds_trained_version(client, report):
        if alias == "challenger" and current is not None and \
                str(current.version) == str(report["version"]):
            client.delete_registered_model_alias(MODEL_NAME, "champion")  # no longer earned
        client.set_registered_model_alias(MODEL_NAME, alias, report["version"])
        client.set_model_version_tag(MODEL_NAME, report["version"], "gate_reason", reason)
    else:
        console.print("registry left alone: it holds no version from this training run (a "
                      "committed release takes its alias from metrics.json when registered)")
    console.print(f"real pages: model {real_scores[0]['strictF1']:.4f}, rules "
                  f"{real_scores[1]['strictF1']:.4f} → {alias} ({reason})")
