"""Shared fixtures: where the project's own sample and the shared dev set live; no test leaks
its MLflow tracking URI into the next."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "tests" / "data" / "sample"
DEV_DIR = ROOT.parent / "shared" / "dev"


@pytest.fixture
def sample_png() -> Path:
    return SAMPLE_DIR / "timetable.png"


@pytest.fixture
def dev_dir() -> Path:
    if not (DEV_DIR / "images").is_dir():
        pytest.skip("../shared/dev is not beside this checkout")
    return DEV_DIR


@pytest.fixture(autouse=True)
def _own_tracking_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    """`mlflow.set_tracking_uri` / `set_registry_uri` also set MLFLOW_TRACKING_URI /
    MLFLOW_REGISTRY_URI in os.environ: a test that logs to a temporary registry would hand it
    to every later `yogi` subprocess, which then finds no champion there. Undoing the
    variables after each test keeps registries apart."""
    for name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"):
        monkeypatch.delenv(name, raising=False)
