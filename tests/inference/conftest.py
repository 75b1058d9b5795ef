"""A temporary MLflow registry holding a stand-in `yogi-ocr` champion, and settings pointed at it.

The stand-in is logged exactly like a real release (the OCR pyfunc: adapter + ONNX artefact,
signature, input example) but cheaply: its adapter is freshly initialised (LoRA B = 0, so it
changes nothing) and its ONNX is a copy of the shipped recogniser, so no export is needed.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest


def log_standin(model_dir: Path, release_name: str = "stand-in"):
    """Log the stand-in OCR pyfunc in the active run; returns its ModelInfo."""
    import torch
    from peft import LoraConfig, get_peft_model

    from training.ocr.onnx_torch import REC_MODEL_PATH, load_base_model
    from training.ocr.pyfunc import ONNX_ARTEFACT, log_ocr_model, text_crop
    from training.ocr.train import LINEAR_TARGETS

    torch.set_num_threads(1)
    adapter = model_dir / "adapter"
    if not adapter.exists():
        model = get_peft_model(load_base_model(), LoraConfig(r=2, target_modules=LINEAR_TARGETS))
        model.save_pretrained(str(adapter))
    onnx = model_dir / ONNX_ARTEFACT
    if not onnx.exists():
        shutil.copy(REC_MODEL_PATH, onnx)
    return log_ocr_model(adapter, onnx, [text_crop("Maths 9:00"), text_crop(release_name)])


def standin_release(folder: Path):
    """A `Release` of the stand-in (what the OCR tier's release does, minus the export)."""
    from training.ocr.release import RELEASE
    from training.registry import ReleaseBundle

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "release.txt").write_text("stand-in release")  # what names the release

    def build(release, scratch: Path) -> ReleaseBundle:
        return ReleaseBundle(params={"kind": "stand-in"}, metrics={"heldout_cer": 0.05},
                             files=[], log_model=lambda: log_standin(folder))

    return replace(RELEASE, folder=folder, identity=folder / "release.txt", build=build)


@pytest.fixture
def make_standin_release():
    return standin_release


@pytest.fixture(scope="session")
def ocr_registry(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A sqlite tracking URI whose registry has `yogi-ocr` v1 as champion (the stand-in)."""
    from training.registry import ensure_released, load_release

    root = tmp_path_factory.mktemp("registry")
    uri = f"sqlite:///{root}/mlflow.db"
    done = ensure_released(standin_release(root / "release"), uri)
    assert done.created and done.alias == "champion"
    # As `make setup` leaves a registry: the committed document release beside it.
    assert ensure_released(load_release("yogi-document"), uri).alias == "champion"
    return uri


@pytest.fixture
def model_settings(ocr_registry: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The environment's settings pointed at the stand-in registry for one test (engines are
    cached per registry, so nothing needs clearing)."""
    monkeypatch.setenv("YOGI_MLFLOW_TRACKING_URI", ocr_registry)
    monkeypatch.setenv("YOGI_DATA_DIR", str(tmp_path / "state"))
    return ocr_registry
