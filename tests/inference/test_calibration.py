"""The calibrator file and who it applies to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inference.calibration import Calibrated, Calibrator, FittedOn, calibrate_result
from inference.schema import TimetableData


def _calibrator(tmp_path: Path, versions: dict[str, str] | None = None) -> Path:
    calibrator = Calibrator(
        tier="classical", model_versions=versions or {}, x=[0.2, 0.6], y=[0.1, 0.99],
        fitted_on=FittedOn(data="set", documents=50, fully_right=20, ids_sha256="0" * 64),
        created_at="2026-11-23T00:00:00+00:00",
    )
    (tmp_path / "classical.json").write_text(calibrator.to_json())
    return tmp_path


def test_the_calibrator_of_the_tier_and_versions_is_applied(tmp_path: Path) -> None:
    directory = _calibrator(tmp_path)
    got = calibrate_result(TimetableData(confidence=0.4), directory)
    assert got == Calibrated(0.545, 0.4, "calibrator", got.reason)
    assert json.loads((directory / "classical.json").read_text())["fittedOn"]["documents"] == 50


@pytest.mark.parametrize(
    ("result", "why"),
    [
        (TimetableData(confidence=0.4, model_versions={"ocr": "3"}), "model versions"),
        (TimetableData(confidence=0.4, tier="document-model"), "no calibrator"),
        (TimetableData(confidence=0.4, tier="claude"), "has no calibration"),
    ],
)
def test_without_a_matching_calibrator_the_raw_score_is_kept(
    tmp_path: Path, result: TimetableData, why: str
) -> None:
    got = calibrate_result(result, _calibrator(tmp_path))
    assert (got.confidence, got.source) == (0.4, "raw") and why in got.reason


def test_an_unreadable_calibrator_keeps_the_raw_score(tmp_path: Path) -> None:
    (tmp_path / "classical.json").write_text("{not json")
    got = calibrate_result(TimetableData(confidence=0.4), tmp_path)
    assert (got.confidence, got.source) == (0.4, "raw") and "unreadable" in got.reason
