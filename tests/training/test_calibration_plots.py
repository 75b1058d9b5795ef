"""The reliability diagram is a PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from training.calibration.plots import reliability_diagram


def test_reliability_diagram_writes_a_png(tmp_path: Path) -> None:
    p = np.array([0.1, 0.4, 0.8, 0.9])
    y = np.array([0, 1, 1, 1.0])
    path = reliability_diagram({"raw": (p, y), "calibrated": (p * 0.9, y)},
                               tmp_path / "r.png", "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
