"""A tiny synthetic set shared by the OCR-tier tests (generated once per session)."""

from __future__ import annotations

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
