"""Calibration maths on small synthetic arrays, the calibrator file and who it applies to, and
`yogi calibrate` / `yogi bench cascade` on a tiny labelled set written here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from inference.calibration import (
    Calibrated,
    Calibrator,
    FittedOn,
    apply_isotonic,
    calibrate_result,
    ece,
    fit_isotonic,
    fully_right,
    out_of_fold,
    reliability_bins,
    reliability_diagram,
)
from inference.schema import TimeBlock, TimetableData

# --- maths ----------------------------------------------------------------------------------------


def test_isotonic_fit_is_monotone_and_bounded() -> None:
    rng = np.random.default_rng(0)
    confidence = rng.uniform(0, 1, 300)
    outcome = (rng.uniform(0, 1, 300) < confidence**3).astype(float)
    x, y = fit_isotonic(confidence, outcome)
    grid = np.linspace(-0.5, 1.5, 201)
    values = apply_isotonic(x, y, grid)
    assert np.all(np.diff(values) >= 0)
    n = confidence.size
    assert values.min() >= 1 / (n + 2) - 1e-12 and values.max() <= (n + 1) / (n + 2) + 1e-12
    # The raw score is overconfident (truth is c³): calibration pulls the middle down.
    assert apply_isotonic(x, y, 0.5) < 0.35


def test_isotonic_fit_separates_a_clean_split() -> None:
    confidence = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    outcome = np.array([0, 0, 0, 1, 1, 1], float)
    x, y = fit_isotonic(confidence, outcome)
    assert apply_isotonic(x, y, 0.15) == pytest.approx(1 / 8)  # never claims 0 on 6 documents
    assert apply_isotonic(x, y, 0.85) == pytest.approx(7 / 8)


def test_ece_of_a_perfectly_calibrated_set_is_zero() -> None:
    confidence = np.array([0.25] * 100 + [0.75] * 100)
    outcome = np.array([1] * 25 + [0] * 75 + [1] * 75 + [0] * 25, float)
    assert ece(confidence, outcome) == pytest.approx(0.0, abs=1e-12)


def test_ece_of_a_large_calibrated_sample_is_small_and_of_an_overconfident_one_is_not() -> None:
    rng = np.random.default_rng(1)
    confidence = rng.uniform(0, 1, 20_000)
    outcome = (rng.uniform(0, 1, confidence.size) < confidence).astype(float)
    assert ece(confidence, outcome) < 0.02
    assert ece(np.full(100, 0.9), np.array([1, 0] * 50, float)) == pytest.approx(0.4)


def test_reliability_bins_are_equal_width_and_keep_one_in_the_last_bin() -> None:
    bins = reliability_bins(np.array([0.0, 0.05, 0.5, 1.0]), np.array([0, 0, 1, 1.0]), bins=4)
    assert [(b.low, b.high) for b in bins] == [(0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1)]
    assert [b.count for b in bins] == [2, 0, 1, 1]
    assert np.isnan(bins[1].accuracy) and bins[3].accuracy == 1.0


def test_out_of_fold_calibration_fixes_an_overconfident_score() -> None:
    rng = np.random.default_rng(2)
    truth = rng.uniform(0, 1, 2000)
    outcome = (rng.uniform(0, 1, truth.size) < truth).astype(float)
    raw = np.sqrt(truth)  # overconfident
    held_out = out_of_fold(raw, outcome, folds=5)
    assert ece(raw, outcome) > 0.1
    assert ece(held_out, outcome) < 0.04


def test_reliability_diagram_writes_a_png(tmp_path: Path) -> None:
    p = np.array([0.1, 0.4, 0.8, 0.9])
    y = np.array([0, 1, 1, 1.0])
    path = reliability_diagram({"raw": (p, y), "calibrated": (p * 0.9, y)},
                               tmp_path / "r.png", "test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- the target ----------------------------------------------------------------------------------


def _timetable(**changes: object) -> TimetableData:
    blocks = [
        TimeBlock(day="Monday", name="Maths", start_time="09:00", end_time="10:00"),
        TimeBlock(day="Tuesday", name="English", start_time="10:00", end_time="11:00"),
    ]
    return TimetableData(teacher="Miss Joynes", year=2024, timeblocks=blocks).model_copy(
        update=changes)


def test_fully_right_needs_every_block_time_and_header_field() -> None:
    gold = _timetable()
    assert fully_right(_timetable(confidence=0.3, warnings=["x"]), gold)
    late = _timetable(timeblocks=[gold.timeblocks[0].model_copy(update={"end_time": "10:10"}),
                                  gold.timeblocks[1]])
    assert not fully_right(late, gold)
    assert not fully_right(_timetable(timeblocks=gold.timeblocks[:1]), gold)
    assert not fully_right(_timetable(teacher="Mr Lewis"), gold)
    # A header field the gold does not name is not scored.
    assert fully_right(_timetable(term="Autumn 1"), gold)


# --- the calibrator file and who it applies to ---------------------------------------------------


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


# --- yogi calibrate / yogi bench cascade on a tiny set -------------------------------------------


@pytest.fixture
def cli():  # type: ignore[no-untyped-def]
    """A CliRunner; the app's callback points structlog at the runner's stderr, which closes
    after each call, so the logging configuration is put back afterwards."""
    import structlog

    saved = structlog.get_config()
    yield CliRunner()
    structlog.configure(**saved)


@pytest.fixture
def labelled_set(tmp_path: Path) -> tuple[Path, Path]:
    """40 documents: the prediction is right when its raw confidence is high (overconfident
    below), so calibration has something to fix."""
    rng = np.random.default_rng(3)
    data = tmp_path / "set"
    (data / "labels").mkdir(parents=True)
    gold = _timetable()
    wrong = _timetable(teacher="Nobody")
    lines = []
    for k in range(40):
        raw = float(rng.uniform(0.5, 1.0))
        right = rng.uniform() < (raw - 0.5) * 2
        doc = f"doc-{k:02d}"
        (data / "labels" / f"{doc}.json").write_text(json.dumps(gold.to_json_dict()))
        prediction = (gold if right else wrong).model_copy(update={"confidence": round(raw, 4)})
        lines.append(json.dumps({"id": doc, "result": prediction.to_json_dict()}))
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("\n".join(lines) + "\n")
    return data, predictions


def test_calibrate_then_bench_cascade(
    tmp_path: Path, labelled_set: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
    cli: CliRunner,
) -> None:
    from inference.cli import app
    from inference.settings import get_settings

    data, predictions = labelled_set
    monkeypatch.setenv("YOGI_CALIBRATION_DIR", str(tmp_path / "calibration"))
    get_settings.cache_clear()
    try:
        fitted = cli.invoke(app, ["calibrate", "--data", str(data), "--predictions",
                                     str(predictions), "--folds", "4", "--no-mlflow"])
        assert fitted.exit_code == 0, fitted.output
        calibrator = Calibrator.model_validate_json(
            (tmp_path / "calibration" / "classical.json").read_text())
        assert calibrator.fitted_on.documents == 40 and calibrator.tier == "classical"
        assert {"ece_raw", "ece_calibrated_cv"} <= calibrator.metrics.keys()
        assert (tmp_path / "calibration" / "classical-reliability.png").is_file()

        out = tmp_path / "bench.json"
        bench = cli.invoke(app, ["bench", "cascade", "--data", str(data), "--predictions",
                                    str(predictions), "--folds", "4", "--out", str(out)])
        assert bench.exit_code == 0, bench.output
    finally:
        get_settings.cache_clear()
    report = json.loads(out.read_text())
    assert report["documents"] == 40 and report["confidenceSource"].startswith("out-of-fold")
    for row in report["sweep"]:
        assert row["accepted"] + row["toClaude"] + row["toReview"] == pytest.approx(1.0)
    everything = next(r for r in report["sweep"] if r["accept"] == 0.5 and r["review"] == 0.0)
    assert everything["acceptedStrictF1"] is not None
    low, high = report["claudeCost"]["perPageUsd"]
    assert (low, high) == (pytest.approx(0.0387), pytest.approx(0.0627))
    for row in report["sweep"] + [report["atSettings"], report["atSettingsRaw"]]:
        assert row["claudeUsdPer1000"] == [pytest.approx(row["toClaude"] * cost * 1000, abs=0.01)
                                           for cost in (low, high)]
    # Raw scores 0.5-1.0 at the default 0.98/0.80: most of the set is in Claude's band.
    assert report["atSettingsRaw"]["toClaude"] > 0.3


def test_calibrate_refuses_a_missing_folder_in_one_line(tmp_path: Path, cli: CliRunner) -> None:
    from inference.cli import app

    result = cli.invoke(app, ["calibrate", "--data", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: {tmp_path / 'nowhere'}: not a folder"]


def test_the_calibrator_is_logged_to_mlflow_and_tagged_on_its_model_version(
    tmp_path: Path, labelled_set: tuple[Path, Path]
) -> None:
    from mlflow import MlflowClient

    from training.calibrate import fit_calibrator, load_examples, log_to_mlflow

    data, predictions = labelled_set
    document_tier = tmp_path / "document.jsonl"
    document_tier.write_text("".join(
        json.dumps({"id": row["id"], "result": row["result"] | {
            "tier": "document-model", "modelVersions": {"document": "1"}}}) + "\n"
        for row in map(json.loads, predictions.read_text().splitlines())))
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = MlflowClient(uri, registry_uri=uri)
    client.create_registered_model("yogi-document")
    client.create_model_version("yogi-document", str(tmp_path), run_id=None)

    examples = load_examples(data, "document", document_tier)
    fitted = fit_calibrator(examples, tier="document", data=data, out_dir=tmp_path / "cal",
                            folds=4)
    assert fitted.path.name == "document.json"
    assert fitted.calibrator.model_versions == {"document": "1"}
    run_id = log_to_mlflow(fitted, uri, folds=4, bins=10)

    run = client.get_run(run_id)
    assert run.data.metrics["ece_calibrated_cv"] == fitted.calibrator.metrics["ece_calibrated_cv"]
    assert {a.path for a in client.list_artifacts(run_id)} == {
        "document.json", "document-reliability.png"}
    assert client.get_model_version("yogi-document", "1").tags["calibration_run_id"] == run_id
