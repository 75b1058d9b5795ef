"""LoRA fine-tuning of the PP-OCRv4 recogniser on data-engine line crops, tracked in MLflow.

`train_ocr` cuts crops (document-level held-out split), evaluates the base model, trains peft
LoRA adapters on the SVTR neck's Linear layers (optionally the head too) with CTC loss, evaluates
each epoch (CER, exact-line accuracy; overall, rotated lines, handwriting-like fonts), logs
everything to the `yogi-ocr` experiment, registers the model as `yogi-ocr` and applies the
promotion gate: alias `champion` only if the held-out CER beats both the base model and the
current champion's logged CER, else `challenger` with the reason as a tag.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from rapidfuzz.distance import Levenshtein

from training.ocr.crops import Crop, collate, extract_crops
from training.ocr.recognizer import Recognizer

EXPERIMENT = "yogi-ocr"
MODEL_NAME = "yogi-ocr"
LINEAR_TARGETS = ["qkv", "proj", "fc1", "fc2"]


# --- metrics -----------------------------------------------------------------------------------


def score(preds: list[str], refs: list[str]) -> dict[str, float]:
    """CER (total edit distance / total reference characters) and exact-line accuracy."""
    if not refs:
        return {"cer": float("nan"), "line_acc": float("nan"), "n": 0}
    edits = sum(Levenshtein.distance(p, r) for p, r in zip(preds, refs, strict=True))
    chars = sum(len(r) for r in refs)
    exact = sum(p == r for p, r in zip(preds, refs, strict=True))
    return {"cer": edits / max(chars, 1), "line_acc": exact / len(refs), "n": len(refs)}


def evaluate(recognizer: Recognizer, crops: list[Crop]) -> tuple[dict[str, float], list[str]]:
    """Metrics on all crops and on the rotated / handwriting-like / upright subsets."""
    preds = [t for t, _ in recognizer.predict([c.image for c in crops])]
    subsets = {
        "": lambda c: True,
        "rotated_": lambda c: c.angle != 0,
        "upright_": lambda c: c.angle == 0,
        "hand_": lambda c: c.hand,
    }
    metrics: dict[str, float] = {}
    for prefix, keep in subsets.items():
        sel = [i for i, c in enumerate(crops) if keep(c)]
        s = score([preds[i] for i in sel], [crops[i].text for i in sel])
        metrics[f"{prefix}cer"], metrics[f"{prefix}line_acc"] = s["cer"], s["line_acc"]
        metrics[f"{prefix}n"] = s["n"]
    return metrics, preds


# --- the gate ----------------------------------------------------------------------------------


def gate(cer: float, base_cer: float, champion_cer: float | None) -> tuple[str, str]:
    """(alias, reason): `champion` only when the held-out CER beats the base and the champion."""
    if not cer < base_cer:
        return "challenger", f"held-out CER {cer:.4f} does not beat the base model's {base_cer:.4f}"
    if champion_cer is not None and not cer < champion_cer:
        return "challenger", (f"held-out CER {cer:.4f} does not beat the current champion's "
                              f"{champion_cer:.4f}")
    bar = f" and champion {champion_cer:.4f}" if champion_cer is not None else ""
    return "champion", f"held-out CER {cer:.4f} beats base {base_cer:.4f}{bar}"


def champion_cer(client, name: str = MODEL_NAME) -> tuple[float | None, str | None]:
    """The current champion's logged held-out CER (and its version), None when there is none."""
    from mlflow.exceptions import MlflowException

    try:
        version = client.get_model_version_by_alias(name, "champion")
    except MlflowException:
        return None, None
    metric = client.get_run(version.run_id).data.metrics.get("heldout_cer")
    return (float(metric) if metric is not None else None), str(version.version)


# --- training ----------------------------------------------------------------------------------


@dataclass
class OcrTrainResult:
    run_id: str
    version: str
    alias: str
    reason: str
    base: dict[str, float]
    tuned: dict[str, float]
    epochs: list[dict[str, float]] = field(default_factory=list)
    train_seconds: float = 0.0
    out_dir: str = ""


def _batches(crops: list[Crop], batch_size: int, rng: np.random.Generator) -> list[list[int]]:
    """Shuffled batches of similar widths (sorted within shuffled pools of 8 batches)."""
    order = rng.permutation(len(crops))
    pool = batch_size * 8
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start:start + pool], key=lambda i: crops[i].image.shape[1])
        batches += [chunk[j:j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def ctc_loss(model, recognizer: Recognizer, crops: list[Crop]) -> torch.Tensor:
    x = torch.from_numpy(collate([c.image for c in crops]))
    probs = model(x)  # (B, T, C) softmax probabilities
    log_probs = probs.clamp_min(1e-10).log().permute(1, 0, 2)  # (T, B, C)
    targets = [recognizer.encode(c.text) for c in crops]
    flat = torch.tensor([i for t in targets for i in t], dtype=torch.long)
    target_lengths = torch.tensor([len(t) for t in targets], dtype=torch.long)
    input_lengths = torch.full((len(crops),), log_probs.shape[0], dtype=torch.long)
    return F.ctc_loss(log_probs, flat, input_lengths, target_lengths, blank=0,
                      reduction="mean", zero_infinity=True)


def _sample_sheet(crops: list[Crop], base: list[str], tuned: list[str], path: Path,
                  count: int = 24) -> Path:
    """A PNG: each crop with its label, the base prediction and the fine-tuned one."""
    from PIL import Image, ImageDraw, ImageFont

    pick = np.linspace(0, len(crops) - 1, min(count, len(crops))).astype(int).tolist()
    # Lines the fine-tuning changed first: they are the interesting ones.
    changed = [i for i in range(len(crops)) if base[i] != tuned[i]][: count // 2]
    pick = list(dict.fromkeys(changed + pick))[:count]
    row_h, text_w, crop_w = 56, 720, 400
    sheet = Image.new("RGB", (crop_w + text_w, row_h * len(pick)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=13)
    for r, i in enumerate(pick):
        im = crops[i].image[:, :crop_w, ::-1]
        sheet.paste(Image.fromarray(np.ascontiguousarray(im)), (0, r * row_h + 4))
        y = r * row_h + 2
        for label, text, colour in (("label", crops[i].text, "black"),
                                    ("base ", base[i], "green" if base[i] == crops[i].text
                                     else "red"),
                                    ("tuned", tuned[i], "green" if tuned[i] == crops[i].text
                                     else "red")):
            draw.text((crop_w + 8, y), f"{label}: {text}", fill=colour, font=font)
            y += 17
    sheet.save(path)
    return path


def train_ocr(
    data_dir: Path | str,
    epochs: int = 2,
    rank: int = 8,
    lr: float = 1e-3,
    batch_size: int = 32,
    max_lines: int | None = 1500,
    tracking_uri: str | None = None,
    out_dir: Path | str = "models/ocr",
    max_steps: int | None = None,
    train_head: bool = False,
    held_out: float = 0.15,
    seed: int = 0,
    threads: int | None = 1,
    eval_batch_size: int = 16,
    register: bool = True,
    log_model: bool = True,
    log_every: int = 0,
    export: bool = False,
) -> OcrTrainResult:
    """Fine-tune, evaluate, log, register and gate (see the module docstring).

    `threads=1` because on a shared 2-core box one intra-op thread is several times faster than
    two fighting other jobs; `max_steps` stops early (tests); `log_every` > 0 prints the loss
    every that many steps to stderr; `export` also writes the merged model as ONNX
    (`out_dir/rec_merged.onnx`, logged under `onnx/`) after checking it against torch."""
    import mlflow
    from mlflow import MlflowClient
    from peft import LoraConfig, get_peft_model

    from training.ocr.onnx_torch import load_base_model
    from training.synth.mlflow_log import load_dataset

    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if tracking_uri is None:
        from inference.settings import get_settings

        tracking_uri = get_settings().mlflow_tracking_uri
    if tracking_uri.startswith("file:"):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    mlflow.set_tracking_uri(tracking_uri)
    client = MlflowClient()
    if client.get_experiment_by_name(EXPERIMENT) is None and tracking_uri.startswith("sqlite:///"):
        # Artefacts beside the database, not in ./mlruns of whatever the working directory is.
        db = Path(tracking_uri.removeprefix("sqlite:///"))
        client.create_experiment(EXPERIMENT, artifact_location=(db.parent / "artifacts").as_uri())
    mlflow.set_experiment(EXPERIMENT)

    train, test, counts = extract_crops(data_dir, held_out=held_out, max_lines=max_lines,
                                        seed=seed)
    if not train or not test:
        raise ValueError(f"need train and held-out crops, got {counts}")

    base_model = load_base_model()
    base_rec = Recognizer(base_model, batch_size=eval_batch_size)
    t0 = time.perf_counter()
    base_metrics, base_preds = evaluate(base_rec, test)
    eval_seconds = time.perf_counter() - t0

    targets = LINEAR_TARGETS + (["head.fc"] if train_head else [])
    config = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules=targets)
    model = get_peft_model(base_model, config)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr,
                                  weight_decay=0.01)
    steps_per_epoch = math.ceil(len(train) / batch_size)
    total_steps = min(epochs * steps_per_epoch, max_steps or 10**9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=lr, total_steps=max(total_steps, 1), pct_start=0.1)
    tuned_rec = Recognizer(model, batch_size=eval_batch_size)

    params = {
        "data_dir": str(data_dir.resolve()), "epochs": epochs, "rank": rank, "lora_alpha": 2 * rank,
        "lr": lr, "batch_size": batch_size, "max_lines": max_lines, "max_steps": max_steps,
        "train_head": train_head, "held_out_share": held_out, "seed": seed, "threads": threads,
        "target_modules": ",".join(targets), "trainable_params": trainable, "total_params": total,
        "base_model": "rapidocr-onnxruntime ch_PP-OCRv4_rec_infer.onnx",
        **{f"crops_{k}": v for k, v in counts.items()},
    }
    epoch_log: list[dict[str, float]] = []
    with mlflow.start_run(run_name=f"ocr-lora-r{rank}") as run:
        mlflow.log_params(params)
        mlflow.log_input(load_dataset(data_dir), context="training")
        mlflow.log_metrics({f"base_heldout_{k}": v for k, v in base_metrics.items()})
        mlflow.log_metric("base_eval_crops_per_s", len(test) / eval_seconds)

        step = 0
        t_train = time.perf_counter()
        tuned_metrics, tuned_preds = base_metrics, base_preds
        for epoch in range(epochs):
            model.train()
            losses = []
            t_epoch = time.perf_counter()
            for batch in _batches(train, batch_size, rng):
                if step >= total_steps:
                    break
                loss = ctc_loss(model, tuned_rec, [train[i] for i in batch])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                scheduler.step()
                losses.append(loss.item())
                step += 1
                mlflow.log_metric("train_loss_step", losses[-1], step=step)
                if log_every and step % log_every == 0:
                    print(f"step {step}/{total_steps} loss {np.mean(losses[-log_every:]):.4f} "
                          f"{time.perf_counter() - t_train:.0f} s", file=sys.stderr, flush=True)
            epoch_train_s = time.perf_counter() - t_epoch
            tuned_metrics, tuned_preds = evaluate(tuned_rec, test)
            record = {"train_loss": float(np.mean(losses)) if losses else float("nan"),
                      "train_crops_per_s": len(losses) * batch_size / max(epoch_train_s, 1e-9),
                      **{f"heldout_{k}": v for k, v in tuned_metrics.items()}}
            epoch_log.append(record)
            mlflow.log_metrics(record, step=epoch + 1)
            if step >= total_steps:
                break
        train_seconds = time.perf_counter() - t_train
        mlflow.log_metric("train_wall_s", train_seconds)

        # Artefacts: adapter files, sample sheet, per-line predictions.
        adapter_dir = out_dir / "adapter"
        model.save_pretrained(str(adapter_dir))
        mlflow.log_artifacts(str(adapter_dir), "adapter")
        sheet = _sample_sheet(test, base_preds, tuned_preds, out_dir / "samples.png")
        mlflow.log_artifact(str(sheet))
        rows = [{"doc": c.doc, "angle": c.angle, "font": c.font, "label": c.text,
                 "base": b, "tuned": t} for c, b, t in zip(test, base_preds, tuned_preds,
                                                           strict=True)]
        mlflow.log_dict({"rows": rows}, "heldout_predictions.json")
        (out_dir / "metrics.json").write_text(json.dumps(
            {"base": base_metrics, "tuned": tuned_metrics, "epochs": epoch_log,
             "train_seconds": train_seconds, "params": params}, indent=1))

        if export:
            from training.ocr.export import export_onnx, max_abs_diff
            from training.ocr.pyfunc import load_merged

            merged = load_merged(adapter_dir)
            onnx_path = export_onnx(merged, out_dir / "rec_merged.onnx")
            mlflow.log_metric("onnx_max_abs_diff", max_abs_diff(merged, onnx_path))
            mlflow.log_artifact(str(onnx_path), "onnx")

        version, alias, reason = "", "", ""
        if log_model:
            info = _log_pyfunc(adapter_dir, test[:2], tuned_rec,
                               MODEL_NAME if register else None)
            version = str(info.registered_model_version or "")
        if register and version:
            bar, bar_version = champion_cer(client)
            alias, reason = gate(tuned_metrics["cer"], base_metrics["cer"], bar)
            client.set_registered_model_alias(MODEL_NAME, alias, version)
            client.set_model_version_tag(MODEL_NAME, version, "gate_reason", reason)
            client.set_model_version_tag(MODEL_NAME, version, "heldout_cer",
                                         f"{tuned_metrics['cer']:.5f}")
            mlflow.set_tags({"gate_alias": alias, "gate_reason": reason,
                             "gate_previous_champion": bar_version or "none"})
        return OcrTrainResult(run.info.run_id, version, alias, reason, base_metrics,
                              tuned_metrics, epoch_log, train_seconds, str(out_dir))


def _log_pyfunc(adapter_dir: Path, example: list[Crop], recognizer: Recognizer,
                registered_name: str | None):
    """The pyfunc (base from the rapidocr wheel + adapter artefacts), with signature and example."""
    from importlib.metadata import version

    import mlflow
    import pandas as pd
    from mlflow.models import infer_signature

    from training.ocr.pyfunc import OcrPyfunc, encode_png

    frame = pd.DataFrame({"image": [encode_png(c.image) for c in example]})
    results = recognizer.predict([c.image for c in example])
    output = pd.DataFrame({"text": [t for t, _ in results],
                           "confidence": [float(c) for _, c in results]})
    reqs = [f"{p}=={version(p)}" for p in ("torch", "peft", "rapidocr-onnxruntime", "onnx",
                                            "onnxslim", "opencv-python-headless", "pandas")]
    return mlflow.pyfunc.log_model(
        name="model", python_model=OcrPyfunc(), artifacts={"adapter": str(adapter_dir)},
        signature=infer_signature(frame, output), input_example=frame,
        pip_requirements=reqs, registered_model_name=registered_name,
    )


def result_dict(result: OcrTrainResult) -> dict:
    return asdict(result)
