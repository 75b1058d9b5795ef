"""A tiny synthetic set shared by the OCR- and document-tier tests (generated once per session),
and the same set read by the pipeline for the document model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def ocr_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from training.synth.writer import synthesize

    out = tmp_path_factory.mktemp("ocr") / "set"
    # Seed 3 gives three pages that include 90/270° rotated lines and a clean capture.
    synthesize(out, 3, seed=3, photo_share=0.0, workers=1)
    return out


@pytest.fixture(scope="session")
def ocr_heldout_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A separate held-out set: another seed, so none of its documents is a training one."""
    from training.synth.writer import synthesize

    out = tmp_path_factory.mktemp("ocr-heldout") / "set"
    synthesize(out, 1, seed=4, photo_share=0.0, workers=1)
    return out


@pytest.fixture(scope="session")
def prepared(ocr_set: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`ocr_set` read once by the pipeline (yogi train document-prepare)."""
    from training.document.data import READING_FILE
    from training.document.prepare import prepare

    data = tmp_path_factory.mktemp("doc") / "set"
    shutil.copytree(ocr_set, data)
    assert prepare(data, data / READING_FILE, "rapid", workers=1) == 3
    return data
