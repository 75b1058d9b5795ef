"""The OCR tier's two registry entries: the shipped recogniser (`BASE`) and the released
fine-tune (`models/ocr`, `RELEASE`), in that order, so the registry always holds what a
fine-tune must beat and the `champion` is what serves, whichever it is.

`BASE` is PP-OCRv4's recogniser from the rapidocr wheel, logged in the fine-tune's own form: a
LoRA adapter at its initialisation (B = 0, so it merges to exactly the base weights, and a
warm start continues from it like from any adapter) and the wheel's ONNX file unchanged.

The release folder holds the LoRA adapter, `metrics.json` (the training run's params and its
held-out figures, base vs fine-tuned, and the real-page gate's verdict that `yogi train ocr-gate`
writes) and `samples.png`. The merged ONNX is git-ignored, so it is rebuilt here from the
adapter. The release becomes `champion` only when its recorded verdict says it beat the base
on the real pages' text and on synthetic crops; otherwise it waits as `challenger`. Heavy
imports (torch, peft) happen only when a release is actually registered.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

from inference.settings import PROJECT_ROOT
from training.registry import CHALLENGER, CHAMPION, Release, ReleaseBundle

MODEL_NAME = "yogi-ocr"
EXPERIMENT = "yogi-ocr"
EXAMPLE_LINES = ("Maths 9:00-9:45", "Phonics")
# The wheel's recogniser, found without importing rapidocr (registration stays light when
# everything is registered already).
WHEEL_RECOGNISER = (Path(importlib.util.find_spec("rapidocr_onnxruntime").origin).parent
                    / "models" / "ch_PP-OCRv4_rec_infer.onnx")
BASE_RANK = 8  # the rank `yogi train ocr` uses, so a warm start from the base is a normal one


def _flat_params(params: dict) -> dict[str, str]:
    # MLflow params are strings of at most 6,000 characters; the training params are short.
    return {k: str(v)[:500] for k, v in params.items()}


def release_metrics(report: dict) -> dict[str, float]:
    """metrics.json → the names a training run logs (`base_heldout_*`, `heldout_*`)."""
    out: dict[str, float] = {}
    for prefix, key in (("base_heldout_", "base"), ("heldout_", "tuned")):
        for name, value in report.get(key, {}).items():
            if isinstance(value, int | float) and value == value:  # NaN is not loggable
                out[prefix + name] = float(value)
    if "train_seconds" in report:
        out["train_wall_s"] = float(report["train_seconds"])
    return out


def gate_tags(report: dict) -> dict[str, str]:
    """The alias the real-page gate (`yogi train ocr-gate`, recorded in metrics.json) gave the
    release; never gated → challenger: a recogniser is not served on synthetic figures alone."""
    gate = report.get("gate")
    if not gate:
        return {"gate_alias": CHALLENGER,
                "gate_reason": "not gated on real pages (run `yogi train ocr-gate`)"}
    return {"gate_alias": CHAMPION if gate["promote"] else CHALLENGER,
            "gate_reason": gate["reason"]}


def identity_adapter(out: Path, rank: int = BASE_RANK) -> Path:
    """A LoRA adapter at its initialisation (B = 0): the base recogniser in adapter form."""
    import torch
    from peft import LoraConfig, get_peft_model

    from training.ocr.onnx_torch import load_base_model
    from training.ocr.train import LINEAR_TARGETS

    torch.manual_seed(0)
    config = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0,
                        target_modules=LINEAR_TARGETS)
    get_peft_model(load_base_model(), config).save_pretrained(str(out))
    return out


def build_base(release: Release, scratch: Path) -> ReleaseBundle:
    from training.ocr.pyfunc import ONNX_ARTEFACT, log_ocr_model, text_crop

    adapter = identity_adapter(scratch / "adapter")
    onnx_path = scratch / ONNX_ARTEFACT
    shutil.copy(release.identity, onnx_path)
    examples = [text_crop(line) for line in EXAMPLE_LINES]
    return ReleaseBundle(
        params={"base_model": f"rapidocr-onnxruntime {release.identity.name}",
                "adapter": f"LoRA r={BASE_RANK} at initialisation (B = 0): the base weights"},
        metrics={},
        files=[],
        log_model=lambda: log_ocr_model(adapter, onnx_path, examples),
        tags={"tier": "ocr", "kind": "base"},
    )


def build(release: Release, scratch: Path) -> ReleaseBundle:
    from training.ocr.export import export_onnx, max_abs_diff
    from training.ocr.pyfunc import ONNX_ARTEFACT, load_merged, log_ocr_model, text_crop

    adapter = release.identity
    report = json.loads((release.folder / "metrics.json").read_text())
    merged = load_merged(adapter)
    onnx_path = export_onnx(merged, scratch / ONNX_ARTEFACT)
    metrics = release_metrics(report)
    metrics["onnx_max_abs_diff"] = max_abs_diff(merged, onnx_path, shapes=((2, 320),))
    # The ONNX is not logged with the run: the model's artefacts carry it (11 MB, once).
    files = [("adapter", adapter)]
    files += [("", release.folder / name) for name in ("metrics.json", "samples.png")
              if (release.folder / name).exists()]
    examples = [text_crop(line) for line in EXAMPLE_LINES]
    return ReleaseBundle(
        params={**_flat_params(report.get("params", {})), "release_folder": str(release.folder)},
        metrics=metrics,
        files=files,
        log_model=lambda: log_ocr_model(adapter, onnx_path, examples),
        tags={"tier": "ocr", "kind": "fine-tune", **gate_tags(report)},
    )


BASE = Release(name=MODEL_NAME, folder=WHEEL_RECOGNISER.parent, identity=WHEEL_RECOGNISER,
               experiment=EXPERIMENT, build=build_base)
RELEASE = Release(name=MODEL_NAME, folder=PROJECT_ROOT / "models" / "ocr",
                  identity=PROJECT_ROOT / "models" / "ocr" / "adapter", experiment=EXPERIMENT,
                  build=build)
