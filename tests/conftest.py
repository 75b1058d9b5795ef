"""Shared fixtures: where the project's own sample and the shared dev set live."""

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
