"""A temporary MLflow registry as `make setup` leaves one (the OCR tier's base recogniser as the
`yogi-ocr` champion, the committed document release as `yogi-document`'s), and settings
pointed at it.

The base is logged exactly as `yogi models register` logs it (the OCR pyfunc: an adapter at its
initialisation and the wheel's ONNX, signature, input example), which needs no export.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def ocr_registry(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A sqlite tracking URI whose registry has `yogi-ocr` v1 as champion (the base)."""
    from training.ocr.release import BASE
    from training.registry import ensure_released, load_release

    root = tmp_path_factory.mktemp("registry")
    uri = f"sqlite:///{root}/mlflow.db"
    done = ensure_released(BASE, uri)
    assert done.created and done.alias == "champion"
    # As `make setup` leaves a registry: the committed document release beside it.
    assert ensure_released(load_release("yogi-document"), uri).alias == "champion"
    return uri


@pytest.fixture
def model_settings(ocr_registry: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The environment's settings pointed at that registry for one test (engines are
    cached per registry, so nothing needs clearing)."""
    monkeypatch.setenv("YOGI_MLFLOW_TRACKING_URI", ocr_registry)
    monkeypatch.setenv("YOGI_DATA_DIR", str(tmp_path / "state"))
    return ocr_registry
