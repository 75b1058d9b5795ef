"""The calibrator file and who it applies to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inference.calibration import (
    BlockCalibrator,
    BlockFittedOn,
    Calibrated,
    Calibrator,
    FittedOn,
    SignalsBlockCalibrator,
    calibrate_blocks,
    calibrate_result,
    read_block_calibrator,
)
from inference.document.signals import FEATURES, BlockSignals, SignalledTimetable
from inference.schema import TimeBlock, TimetableData


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
        # Fitted on OCR v2 results: a result read by v3 is not what it was fitted on.
        (TimetableData(confidence=0.4, model_versions={"ocr": "3"}), "model versions"),
        (TimetableData(confidence=0.4, tier="document-model"), "no calibrator"),
        (TimetableData(confidence=0.4, tier="claude"), "has no calibration"),
    ],
)
def test_without_a_matching_calibrator_the_raw_score_is_kept(
    tmp_path: Path, result: TimetableData, why: str
) -> None:
    got = calibrate_result(result, _calibrator(tmp_path, {"ocr": "2"}))
    assert (got.confidence, got.source) == (0.4, "raw") and why in got.reason


def test_an_unreadable_calibrator_keeps_the_raw_score(tmp_path: Path) -> None:
    (tmp_path / "classical.json").write_text("{not json")
    got = calibrate_result(TimetableData(confidence=0.4), tmp_path)
    assert (got.confidence, got.source) == (0.4, "raw") and "unreadable" in got.reason


# --- blocks (issue 18) --------------------------------------------------------------------------


def _block_calibrator(tmp_path: Path, versions: dict[str, str]) -> Path:
    calibrator = BlockCalibrator(
        tier="document-model", model_versions=versions, x=[0.3, 0.6, 0.9], y=[0.2, 0.7, 0.99],
        fitted_on=BlockFittedOn(data=["set"], documents=["p1:0", "p2:0"], blocks=80, right=60),
        created_at="2026-12-03T00:00:00+00:00",
    )
    (tmp_path / "document-blocks.json").write_text(calibrator.to_json())
    return tmp_path


def _document(*confidences: float | None, versions: dict[str, str] | None = None
              ) -> TimetableData:
    return TimetableData(
        tier="document-model", confidence=0.5, model_versions=versions or {"document": "4"},
        timeblocks=[TimeBlock(day="Monday", name=f"Lesson {k}", confidence=c)
                    for k, c in enumerate(confidences)])


def test_block_confidences_are_calibrated_block_by_block(tmp_path: Path) -> None:
    directory = _block_calibrator(tmp_path, {"document": "4"})
    got = calibrate_blocks(_document(0.1, 0.45, 0.9, None), directory)
    assert got.source == "calibrator" and "80 blocks" in got.reason
    assert got.confidences == [0.2, 0.45, 0.99, None]  # flat below the fit, none kept none
    assert got.raw == [0.1, 0.45, 0.9, None]
    assert got.result.confidence == 0.5  # the document's own confidence is not touched here
    assert not (directory / "document.json").exists()  # one calibrator needs not the other


def test_the_block_calibrator_is_monotone(tmp_path: Path) -> None:
    directory = _block_calibrator(tmp_path, {"document": "4"})
    grid = [k / 50 for k in range(51)]
    got = calibrate_blocks(_document(*grid), directory).confidences
    assert got is not None and all(a <= b for a, b in zip(got, got[1:], strict=False))


@pytest.mark.parametrize(
    ("result", "why"),
    [
        (_document(0.9, versions={"document": "5"}), "model versions"),
        (_document(0.9).model_copy(update={"tier": "classical"}), "no calibrator"),
        (_document(0.9).model_copy(update={"tier": "claude"}), "has no calibration"),
    ],
)
def test_block_confidences_stay_raw_without_a_matching_calibrator(
    tmp_path: Path, result: TimetableData, why: str
) -> None:
    got = calibrate_blocks(result, _block_calibrator(tmp_path, {"document": "4"}))
    assert got.source == "raw" and why in got.reason
    assert got.confidences is None and got.result.timeblocks[0].confidence == 0.9


# --- block signals (issue 18, format 2) ---------------------------------------------------------


def _signals(**changes: object) -> BlockSignals:
    """Every signal sure (1), but those changed."""
    return BlockSignals.model_validate({**dict.fromkeys(BlockSignals.model_fields, 1), **changes})


def _signals_calibrator(tmp_path: Path, features: list[str] | None = None) -> Path:
    """Reads the name's OCR score alone (its logit, standardised by 1): 0.99 → about 0.99."""
    coef = [1.0 if name == "logit_ocr_name" else 0.0 for name in FEATURES]
    calibrator = SignalsBlockCalibrator(
        tier="document-model", model_versions={"document": "4"}, features=features or FEATURES,
        mean=[0.0] * len(FEATURES), scale=[1.0] * len(FEATURES), coef=coef, intercept=0.0,
        x=[0.0, 1.0], y=[0.0, 1.0],
        fitted_on=BlockFittedOn(data=["set"], documents=["p1:0"], blocks=80, right=60),
        created_at="2026-12-03T00:00:00+00:00",
    )
    (tmp_path / "document-blocks.json").write_text(calibrator.to_json())
    return tmp_path


def _signalled(*ocr_scores: float) -> SignalledTimetable:
    return SignalledTimetable.of(_document(*[0.5] * len(ocr_scores)),
                                 [_signals(ocr_name=s) for s in ocr_scores])


def test_a_signals_calibrator_reads_each_blocks_signals(tmp_path: Path) -> None:
    directory = _signals_calibrator(tmp_path)
    got = calibrate_blocks(_signalled(0.99, 0.5), directory)
    assert got.source == "calibrator" and "(signals)" in got.reason
    assert got.confidences == [0.99, 0.5]  # the same raw 0.5, told apart by their signals
    assert got.raw == [0.5, 0.5]


@pytest.mark.parametrize(
    ("result", "features", "why"),
    [
        (_document(0.9), None, "carries no block signals"),  # e.g. read back from JSON
        (_signalled(0.99), ["logit_product"] * len(FEATURES), "other block features"),
    ],
)
def test_without_what_it_reads_a_signals_calibrator_keeps_the_raw_score(
    tmp_path: Path, result: TimetableData, features: list[str] | None, why: str
) -> None:
    got = calibrate_blocks(result, _signals_calibrator(tmp_path, features))
    assert got.source == "raw" and why in got.reason and got.confidences is None


def test_a_block_calibrator_file_names_its_kind_and_format(tmp_path: Path) -> None:
    isotonic = json.loads((_block_calibrator(tmp_path, {}) / "document-blocks.json").read_text())
    assert (isotonic["kind"], isotonic["formatVersion"]) == ("isotonic", 1)
    del isotonic["kind"], isotonic["formatVersion"]  # a file written before kinds existed
    assert isinstance(read_block_calibrator(json.dumps(isotonic)), BlockCalibrator)
    signals = (_signals_calibrator(tmp_path) / "document-blocks.json").read_text()
    assert json.loads(signals)["formatVersion"] == 2
    assert isinstance(read_block_calibrator(signals), SignalsBlockCalibrator)
