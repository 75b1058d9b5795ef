"""LoRA fine-tuning of the PP-OCRv4 recogniser on data-engine line crops, tracked in MLflow.

`train_ocr` cuts crops (document-level held-out split of the training set, plus any separate
held-out sets), trains peft LoRA adapters on the SVTR neck's Linear layers (optionally the head
too) with CTC loss, evaluates each epoch on the in-set held-out split (loss, CER, word and
exact-line accuracy; overall and by category), merges the adapters and exports ONNX, logs
everything to the `yogi-ocr` experiment, registers the model as `yogi-ocr` and applies the
promotion gate.

The gate scores three models on the SAME held-out crops (the in-set split plus the separate
sets), all through onnxruntime, the form that serves: the shipped base, the new merged model and
the current `champion` (its ONNX artefact downloaded from the registry). The new version becomes
`champion` only if its CER beats both and it is no worse than the base on rotated lines, small
times and handwriting-like fonts; otherwise it is `challenger` with the reason as a tag. Given
labelled real pages (`real_dir`), passing on crops only makes it `challenger`, and the real-page
gate (`real_gate.judge`) decides whether it serves: crops alone once promoted a fine-tune that
misread a real page's header times.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from rapidfuzz.distance import Levenshtein

from training.ocr.crops import Crop, cap_crops, collate, extract_crops, fold_text
from training.ocr.recognizer import Recognizer

EXPERIMENT = "yogi-ocr"
MODEL_NAME = "yogi-ocr"
LINEAR_TARGETS = ["qkv", "proj", "fc1", "fc2"]
# Categories the fine-tuned model must not be worse on than the base (the product's weak spots).
GUARDS = ("rotated_cer", "small_time_cer", "hand_cer")


# --- metrics -----------------------------------------------------------------------------------


def score(preds: list[str], refs: list[str]) -> dict[str, float]:
    """CER (total edit distance / total reference characters), the same ignoring whitespace,
    word accuracy (1 − word error rate, floored at 0) and exact-line accuracy."""
    if not refs:
        return {"cer": float("nan"), "cer_nospace": float("nan"), "word_acc": float("nan"),
                "line_acc": float("nan"), "n": 0}
    pairs = list(zip(preds, refs, strict=True))
    edits = sum(Levenshtein.distance(p, r) for p, r in pairs)
    chars = sum(len(r) for r in refs)
    word_edits = sum(Levenshtein.distance(p.split(), r.split()) for p, r in pairs)
    words = sum(len(r.split()) for r in refs)
    exact = sum(p == r for p, r in pairs)
    # Much of what fine-tuning learns is the labels' spacing (" - " vs "-"); the CER without
    # whitespace shows how much of the gain is reading characters.
    bare = sum(Levenshtein.distance("".join(p.split()), "".join(r.split())) for p, r in pairs)
    bare_chars = sum(len("".join(r.split())) for r in refs)
    return {"cer": edits / max(chars, 1), "cer_nospace": bare / max(bare_chars, 1),
            "word_acc": max(0.0, 1 - word_edits / max(words, 1)),
            "line_acc": exact / len(refs), "n": len(refs)}


CATEGORIES: dict[str, Callable[[Crop], bool]] = {
    "": lambda c: True,
    "rotated_": lambda c: c.angle != 0,
    "upright_": lambda c: c.angle == 0,
    "hand_": lambda c: c.hand,
    "small_time_": lambda c: c.small_time,
}


def category_metrics(crops: Sequence[Crop], preds: Sequence[str]) -> dict[str, float]:
    """`score` overall and per category, keys prefixed by the category (`rotated_cer`…)."""
    metrics: dict[str, float] = {}
    for prefix, keep in CATEGORIES.items():
        sel = [i for i, c in enumerate(crops) if keep(c)]
        s = score([preds[i] for i in sel], [crops[i].text for i in sel])
        metrics.update({f"{prefix}{k}": v for k, v in s.items()})
    return metrics


def predict(recognizer: Recognizer, crops: Sequence[Crop]) -> list[str]:
    """Folded predictions: a dash look-alike is not an error (labels are folded the same way)."""
    return [fold_text(t) for t, _ in recognizer.predict([c.image for c in crops])]


def evaluate(recognizer: Recognizer, crops: list[Crop]) -> tuple[dict[str, float], list[str]]:
    preds = predict(recognizer, crops)
    return category_metrics(crops, preds), preds


# --- the gate ----------------------------------------------------------------------------------


def _worse(new: float, bar: float) -> bool:
    return not (math.isnan(new) or math.isnan(bar)) and new > bar


def gate(new: Mapping[str, float], base: Mapping[str, float],
         champion: Mapping[str, float] | None, champion_error: str | None = None,
         guards: Sequence[str] = GUARDS) -> tuple[str, str]:
    """(alias, reason). All metrics come from the same held-out crops. `champion` is None when
    the registry has none; `champion_error` says why an existing champion could not be
    re-scored, which blocks promotion (an unmeasured bar is never assumed beaten)."""
    cer = new["cer"]
    if not cer < base["cer"]:
        return "challenger", f"held-out CER {cer:.4f} does not beat the base model's " \
                             f"{base['cer']:.4f}"
    for key in guards:
        if _worse(new.get(key, float("nan")), base.get(key, float("nan"))):
            return "challenger", (f"{key} {new[key]:.4f} is worse than the base model's "
                                  f"{base[key]:.4f}")
    if champion_error is not None:
        return "challenger", f"the current champion could not be re-scored: {champion_error}"
    if champion is not None and not cer < champion["cer"]:
        return "challenger", (f"held-out CER {cer:.4f} does not beat the current champion's "
                              f"{champion['cer']:.4f} on the same crops")
    bar = f" and champion {champion['cer']:.4f}" if champion is not None else ""
    return "champion", f"held-out CER {cer:.4f} beats base {base['cer']:.4f}{bar}"


def rescore_champion(crops: list[Crop], tracking_uri: str, batch_size: int = 16,
                     threads: int = 1) -> tuple[dict[str, float] | None, str | None, str | None]:
    """(metrics, version, error) of the current champion on `crops`; (None, None, None) when
    the registry has no champion."""
    from inference.model_store import ModelUnavailable, resolve_artefact
    from training.ocr.pyfunc import ONNX_ARTEFACT
    from training.ocr.recognizer import OnnxRecognizer
    from training.registry import use_tracking, version_by_alias

    client = use_tracking(tracking_uri)
    current = version_by_alias(client, MODEL_NAME, "champion")
    if current is None:
        return None, None, None
    # A one-off download: no need to keep it in the serving cache.
    with tempfile.TemporaryDirectory(prefix="yogi-champion-") as tmp:
        try:
            resolved = resolve_artefact(MODEL_NAME, f"artifacts/{ONNX_ARTEFACT}",
                                        tracking_uri=tracking_uri, cache_dir=Path(tmp))
        except ModelUnavailable as error:
            return None, str(current.version), str(error)
        metrics, _ = evaluate(OnnxRecognizer(resolved.path, batch_size, threads), crops)
    return metrics, resolved.version, None


# --- data --------------------------------------------------------------------------------------


def check_disjoint(train_dir: Path, heldout_dir: Path) -> None:
    """A separate held-out set must not share documents with the training set. The data engine
    makes document i of seed s and family f identically in every set, so one seed and family
    means shared documents."""
    from training.synth.writer import read_manifest

    train, held = read_manifest(train_dir), read_manifest(heldout_dir)
    # Each family draws from its own seeded stream, so only the same family repeats documents.
    same_stream = (train.get("generator"), train["seed"], train.get("family", "mixed")) == (
        held.get("generator"), held["seed"], held.get("family", "mixed"))
    if train_dir.resolve() == heldout_dir.resolve() or same_stream:
        raise ValueError(f"held-out set {heldout_dir} has the training set's seed "
                         f"{train['seed']}: its documents are training documents")


def training_crops(data_dirs: Sequence[Path], held_out: float, max_lines: int | None,
                   seed: int) -> tuple[list[Crop], list[Crop], dict[str, int]]:
    """(train, in-set held-out, counts) over several generated sets (one per layout family,
    say): each set split by document, then the pooled lines capped as `extract_crops` caps one
    set, so every family keeps its share of the lines."""
    train: list[Crop] = []
    test: list[Crop] = []
    counts: dict[str, int] = {}
    for directory in data_dirs:
        part_train, part_test, part = extract_crops(directory, held_out=held_out)
        train += part_train
        test += part_test
        for key, value in part.items():
            counts[key] = counts.get(key, 0) + value
    train, test = cap_crops(train, test, held_out, max_lines, seed)
    counts["train"], counts["held_out"] = len(train), len(test)
    return train, test, counts


def heldout_crops(data_dirs: Sequence[Path], heldout_dirs: Sequence[Path],
                  max_lines: int | None, seed: int) -> tuple[list[Crop], dict[str, int]]:
    """Every dictionary-clean line of the separate held-out sets (sampled to `max_lines`)."""
    crops: list[Crop] = []
    counts: dict[str, int] = {}
    for directory in heldout_dirs:
        for data_dir in data_dirs:
            check_disjoint(data_dir, directory)
        _, test, c = extract_crops(directory, held_out=1.0)
        crops += test
        counts[f"heldout_set_{directory.name}"] = len(test)
    if max_lines is not None and len(crops) > max_lines:
        pick = np.random.default_rng(seed).choice(len(crops), max_lines, replace=False)
        crops = [crops[i] for i in sorted(pick)]
    return crops, counts


# --- training ----------------------------------------------------------------------------------


@dataclass
class OcrTrainResult:
    run_id: str
    version: str
    alias: str
    reason: str
    base: dict[str, float]  # on the gate's held-out crops
    tuned: dict[str, float]
    champion: dict[str, float] | None = None
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


def _loggable(prefix: str, metrics: Mapping[str, float]) -> dict[str, float]:
    return {f"{prefix}{k}": float(v) for k, v in metrics.items() if v == v}  # drop NaN


def train_ocr(
    data_dirs: Sequence[Path | str],
    epochs: int = 2,
    rank: int = 8,
    lr: float = 1e-3,
    batch_size: int = 32,
    max_lines: int | None = 1500,
    tracking_uri: str | None = None,
    out_dir: Path | str = ".yogi/ocr-train",
    max_steps: int | None = None,
    train_head: bool = False,
    held_out: float = 0.15,
    seed: int = 0,
    threads: int | None = 1,
    eval_batch_size: int = 16,
    register: bool = True,
    log_every: int = 0,
    heldout_dirs: Sequence[Path | str] = (),
    heldout_max_lines: int | None = 3000,
    real_dir: Path | str | None = None,
    settings=None,  # inference.settings.Settings: how the real-page gate reads its pages
) -> OcrTrainResult:
    """Fine-tune, evaluate, export, log, register and gate (see the module docstring).

    `threads=1` because on a shared 2-core box one intra-op thread is several times faster than
    two fighting other jobs; `max_steps` stops early (tests); `log_every` > 0 prints the loss
    every that many steps to stderr. `out_dir` receives the adapter, `rec_merged.onnx`,
    `samples.png` and `metrics.json`: a release when copied to `models/ocr`."""
    import mlflow
    from peft import LoraConfig, get_peft_model

    from training.ocr.export import export_onnx, max_abs_diff
    from training.ocr.onnx_torch import REC_MODEL_PATH, load_base_model
    from training.ocr.pyfunc import ONNX_ARTEFACT, load_merged, log_ocr_model
    from training.ocr.recognizer import OnnxRecognizer
    from training.registry import start_training
    from training.synth.mlflow_log import load_dataset

    client, tracking_uri, rng = start_training(EXPERIMENT, tracking_uri, seed, threads)
    data_dirs, out_dir = [Path(d) for d in data_dirs], Path(out_dir)
    heldout_dirs = [Path(d) for d in heldout_dirs]
    if register and real_dir is not None and settings is None:
        raise ValueError("the real-page gate needs the settings to read its pages with")
    out_dir.mkdir(parents=True, exist_ok=True)

    train, test, counts = training_crops(data_dirs, held_out, max_lines, seed)
    extra, extra_counts = heldout_crops(data_dirs, heldout_dirs, heldout_max_lines, seed)
    counts.update(extra_counts)
    if not train or not test:
        raise ValueError(f"need train and held-out crops, got {counts}")
    gate_set = test + extra  # the in-set split first: its predictions are a prefix

    t0 = time.perf_counter()
    base_gate, base_preds = evaluate(OnnxRecognizer(REC_MODEL_PATH, eval_batch_size,
                                                    threads or 1), gate_set)
    base_eval_seconds = time.perf_counter() - t0
    base_metrics = category_metrics(test, base_preds[:len(test)])

    base_model = load_base_model()
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
        "data_dir": ",".join(str(d.resolve()) for d in data_dirs), "epochs": epochs,
        "rank": rank, "lora_alpha": 2 * rank,
        "lr": lr, "batch_size": batch_size, "max_lines": max_lines, "max_steps": max_steps,
        "train_head": train_head, "held_out_share": held_out, "seed": seed, "threads": threads,
        "heldout_dirs": ",".join(str(d.resolve()) for d in heldout_dirs) or "none",
        "heldout_max_lines": heldout_max_lines,
        "target_modules": ",".join(targets), "trainable_params": trainable, "total_params": total,
        "base_model": "rapidocr-onnxruntime ch_PP-OCRv4_rec_infer.onnx",
        "label_fold": "en/em dash, minus, non-breaking hyphen -> '-'",
        **{f"crops_{k}": v for k, v in counts.items()},
    }
    epoch_log: list[dict[str, float]] = []
    with mlflow.start_run(run_name=f"ocr-lora-r{rank}") as run:
        mlflow.log_params(params)
        mlflow.set_tag("source", "training")
        for directory in data_dirs:
            mlflow.log_input(load_dataset(directory), context="training")
        for directory in heldout_dirs:
            mlflow.log_input(load_dataset(directory), context="evaluation")
        mlflow.log_metrics(_loggable("base_heldout_", base_metrics))
        mlflow.log_metrics(_loggable("gate_base_", base_gate))
        mlflow.log_metric("base_eval_crops_per_s", len(gate_set) / base_eval_seconds)

        step = 0
        t_train = time.perf_counter()
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
            tuned_metrics, _ = evaluate(tuned_rec, test)
            record = {"train_loss": float(np.mean(losses)) if losses else float("nan"),
                      "train_crops_per_s": len(losses) * batch_size / max(epoch_train_s, 1e-9),
                      **_loggable("heldout_", tuned_metrics)}
            epoch_log.append(record)
            mlflow.log_metrics({k: v for k, v in record.items() if v == v}, step=epoch + 1)
            if step >= total_steps:
                break
        train_seconds = time.perf_counter() - t_train
        mlflow.log_metric("train_wall_s", train_seconds)

        # The serving form: adapters merged, exported to ONNX, checked against torch.
        adapter_dir = out_dir / "adapter"
        model.save_pretrained(str(adapter_dir))
        merged = load_merged(adapter_dir)
        onnx_path = export_onnx(merged, out_dir / ONNX_ARTEFACT)
        mlflow.log_metric("onnx_max_abs_diff", max_abs_diff(merged, onnx_path))
        tuned_gate, tuned_preds = evaluate(OnnxRecognizer(onnx_path, eval_batch_size,
                                                          threads or 1), gate_set)
        mlflow.log_metrics(_loggable("gate_tuned_", tuned_gate))

        mlflow.log_artifacts(str(adapter_dir), "adapter")
        sheet = _sample_sheet(gate_set, base_preds, tuned_preds, out_dir / "samples.png")
        mlflow.log_artifact(str(sheet))
        rows = [{"doc": c.doc, "angle": c.angle, "font": c.font, "role": c.role,
                 "small_time": c.small_time, "label": c.text, "base": b, "tuned": t}
                for c, b, t in zip(gate_set, base_preds, tuned_preds, strict=True)]
        mlflow.log_dict({"rows": rows}, "heldout_predictions.json")

        version, alias, reason, champion = "", "", "", None
        if register:
            champion, champion_version, error = rescore_champion(
                gate_set, tracking_uri, eval_batch_size, threads or 1)
            if champion is not None:
                mlflow.log_metrics(_loggable("gate_champion_", champion))
            examples = [c.image for c in gate_set[:2]]
            info = log_ocr_model(adapter_dir, onnx_path, examples, MODEL_NAME)
            version = str(info.registered_model_version or "")
            alias, reason = gate(tuned_gate, base_gate, champion, error)
            if alias == "champion" and real_dir is not None and not heldout_dirs:
                alias, reason = "challenger", (f"{reason}; the real-page gate needs separate "
                                               "held-out sets (--heldout)")
            elif alias == "champion" and real_dir is not None:
                from training.ocr.real_gate import judge

                client.set_registered_model_alias(MODEL_NAME, "challenger", version)
                verdict = judge(Path(real_dir), heldout_dirs, settings)
                alias = "champion" if verdict.promote else "challenger"
                reason = f"{reason}; real pages: {verdict.reason}"
            client.set_registered_model_alias(MODEL_NAME, alias, version)
            client.set_model_version_tag(MODEL_NAME, version, "gate_reason", reason)
            client.set_model_version_tag(MODEL_NAME, version, "source", "training")
            client.set_model_version_tag(MODEL_NAME, version, "heldout_cer",
                                         f"{tuned_gate['cer']:.5f}")
            mlflow.set_tags({"gate_alias": alias, "gate_reason": reason,
                             "gate_previous_champion": champion_version or "none"})
        (out_dir / "metrics.json").write_text(json.dumps(
            {"heldout": "in-set split + " + (", ".join(map(str, heldout_dirs)) or "nothing"),
             "base": base_gate, "tuned": tuned_gate, "champion": champion,
             "in_set": {"base": base_metrics, "tuned": epoch_log[-1] if epoch_log else {}},
             "epochs": epoch_log, "train_seconds": train_seconds, "params": params,
             "run_id": run.info.run_id, "version": version, "alias": alias, "reason": reason},
            indent=1))
        mlflow.log_artifact(str(out_dir / "metrics.json"))
        return OcrTrainResult(run.info.run_id, version, alias, reason, base_gate, tuned_gate,
                              champion, epoch_log, train_seconds, str(out_dir))


def result_dict(result: OcrTrainResult) -> dict:
    return asdict(result)
