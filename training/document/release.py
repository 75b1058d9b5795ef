"""The released document model (`models/document`) as a registry entry for `ensure_released`.

The release folder holds `release/` (LoRA weights, new layers and heads as safetensors, and the
config), `metrics.json` (the training run's params and held-out figures, rules vs model),
`example_reading.json` (one held-out page's reading: the pyfunc's input example) and the sample
pages with their predicted roles drawn. A release whose training gate said `challenger` is
registered as a challenger: committing it never makes it the default.
"""

from __future__ import annotations

import json
from pathlib import Path

from inference.document.features import PageReading
from inference.document.tier import MODEL_NAME
from inference.settings import PROJECT_ROOT
from training.document.train import EXPERIMENT
from training.registry import Release, ReleaseBundle


def release_metrics(report: dict) -> dict[str, float]:
    """metrics.json → `rules_heldout_*`, `gate_*` and `gate_role_f1_*` numbers."""
    out: dict[str, float] = {}
    for prefix, key in (("rules_heldout_", "rules"), ("gate_", "tuned")):
        for name, value in (report.get(key) or {}).items():
            if isinstance(value, int | float) and value == value:
                out[prefix + name] = float(value)
    out.update({f"gate_role_f1_{k}": float(v) for k, v in report.get("role_f1", {}).items()})
    if "train_seconds" in report:
        out["train_wall_s"] = float(report["train_seconds"])
    return out


def build(release: Release, scratch: Path) -> ReleaseBundle:
    from training.document.pyfunc import log_document_model

    report = json.loads((release.folder / "metrics.json").read_text())
    example = PageReading.model_validate_json(
        (release.folder / "example_reading.json").read_text())
    files = [("release", release.identity), ("", release.folder / "metrics.json")]
    files += [("sample_pages", path) for path in sorted(release.folder.glob("roles-*.png"))]
    return ReleaseBundle(
        params={k: str(v)[:500] for k, v in report.get("params", {}).items()},
        metrics=release_metrics(report),
        files=files,
        log_model=lambda: log_document_model(release.identity, [example]),
        tags={"tier": "document", "gate_alias": report.get("alias") or "champion",
              "gate_reason": report.get("reason", "")},
    )


RELEASE = Release(name=MODEL_NAME, folder=PROJECT_ROOT / "models" / "document",
                  identity=PROJECT_ROOT / "models" / "document" / "release",
                  experiment=EXPERIMENT, build=build)
