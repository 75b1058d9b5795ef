"""The calibration target, and `yogi calibrate` / `yogi bench cascade` on a tiny labelled set
written here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from inference.calibration import Calibrator
from inference.schema import TimeBlock, TimetableData
from training.calibration.examples import fully_right


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

    from training.calibration.examples import load_examples
    from training.calibration.job import fit_calibrator, log_to_mlflow

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
