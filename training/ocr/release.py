"""The released OCR model (`models/ocr`) as a registry entry: what `ensure_released` logs.

The release folder holds the LoRA adapter, `metrics.json` (the training run's params and its
held-out figures, base vs fine-tuned) and `samples.png`. The merged ONNX that serving runs is
git-ignored, so it is rebuilt here from the adapter and the base model in the rapidocr wheel.
Heavy imports (torch, peft) happen only when a release is actually registered.
"""

from __future__ import annotations

import json
from pathlib import Path

from inference.settings import PROJECT_ROOT
from training.registry import Release, ReleaseBundle

MODEL_NAME = "yogi-ocr"
EXPERIMENT = "yogi-ocr"
EXAMPLE_LINES = ("Maths 9:00-9:45", "Phonics")


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
        tags={"tier": "ocr"},
    )


RELEASE = Release(name=MODEL_NAME, folder=PROJECT_ROOT / "models" / "ocr",
                  identity=PROJECT_ROOT / "models" / "ocr" / "adapter", experiment=EXPERIMENT,
                  build=build)
