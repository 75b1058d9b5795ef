"""Block calibration: blocks labelled by the contract's matching, the split by page, the
leave-one-page-out refits, and `yogi calibrate --blocks` / `yogi bench cascade --real` on small
labelled sets written here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from inference.calibration import BlockCalibrator
from inference.schema import TimeBlock, TimetableData
from training.calibration.blocks import (
    block_calibrator,
    fit_blocks,
    fit_half,
    honest_confidences,
    page_blocks,
)
from training.calibration.examples import Example

VERSIONS = {"document": "7"}


def _gold(n: int) -> TimetableData:
    return TimetableData(teacher="Miss Joynes", timeblocks=[
        TimeBlock(day=("Monday", "Tuesday")[k % 2], name=f"Lesson {k}",
                  start_time=f"{8 + k // 2:02d}:00", end_time=f"{8 + k // 2:02d}:45")
        for k in range(n)])


def _page(rng: np.random.Generator, n: int = 10) -> tuple[TimetableData, TimetableData]:
    """(prediction, gold): a block's raw confidence is off (right always above 0.75, 30 % of
    the time below); a wrong block has its end 40 minutes off."""
    gold = _gold(n)
    blocks = []
    for block in gold.timeblocks:
        raw = float(rng.uniform(0.5, 1.0))
        right = raw > 0.75 or rng.uniform() < 0.3
        blocks.append(block.model_copy(update={
            "confidence": round(raw, 4),
            "end_time": block.end_time if right else f"{block.end_time[:2]}:05"}))
    blocks.append(TimeBlock(day="Friday", name="Caption", confidence=0.55))  # an extra: wrong
    prediction = gold.model_copy(update={"timeblocks": blocks, "tier": "document-model",
                                         "confidence": 0.3, "model_versions": VERSIONS})
    return prediction, gold


def _write_set(folder: Path, pages: int, seed: int) -> Path:
    """A labelled set `folder/labels/*.json` and its predictions file; returns the latter."""
    rng = np.random.default_rng(seed)
    (folder / "labels").mkdir(parents=True)
    lines = []
    for k in range(pages):
        prediction, gold = _page(rng)
        (folder / "labels" / f"p{k:02d}.json").write_text(json.dumps(gold.to_json_dict()))
        lines.append(json.dumps({"id": f"p{k:02d}", "result": prediction.to_json_dict()}))
    predictions = folder.with_suffix(".jsonl")
    predictions.write_text("\n".join(lines) + "\n")
    return predictions


def test_blocks_are_labelled_by_the_contracts_matching() -> None:
    prediction, gold = _page(np.random.default_rng(0), n=4)
    [page] = page_blocks([Example("p", prediction, gold)])
    assert page.raw.size == 5 and page.raw[-1] == 0.55
    expected = [b.end_time == g.end_time for b, g in zip(prediction.timeblocks, gold.timeblocks,
                                                          strict=False)]
    assert page.right.tolist() == [*expected, False]  # the extra block matches nothing


def test_the_split_is_by_page_and_the_same_every_time() -> None:
    ids = [f"s{k:04d}:abc" for k in range(200)]
    halves = [fit_half(i) for i in ids]
    assert halves == [fit_half(i) for i in ids]
    assert 70 < sum(halves) < 130


def test_a_page_fitted_on_is_calibrated_by_a_refit_without_it() -> None:
    rng = np.random.default_rng(1)
    pages = page_blocks([Example(f"p{k}", *_page(rng)) for k in range(6)])
    calibrator = block_calibrator(pages[:4], "document", [Path("set")], {})
    honest = honest_confidences([pages[0], pages[5]], calibrator, pages)
    x, y = fit_blocks(pages[1:4])
    assert honest[pages[0].id] == pytest.approx(np.interp(pages[0].raw, x, y), abs=1e-4)
    assert honest[pages[5].id].tolist() == [calibrator.apply(c) for c in pages[5].raw]
    with pytest.raises(ValueError, match="not given here"):
        honest_confidences([pages[0]], calibrator, pages[:2])


@pytest.fixture
def cli():  # type: ignore[no-untyped-def]
    import structlog

    saved = structlog.get_config()
    yield CliRunner()
    structlog.configure(**saved)


def test_calibrate_blocks_then_bench_the_review_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: CliRunner
) -> None:
    from inference.cli import app
    from inference.settings import get_settings

    synthetic, real = tmp_path / "synthetic", tmp_path / "real"
    synthetic_predictions = _write_set(synthetic, 24, seed=5)
    real_predictions = _write_set(real, 4, seed=6)
    calibration = tmp_path / "calibration"
    monkeypatch.setenv("YOGI_CALIBRATION_DIR", str(calibration))
    get_settings.cache_clear()
    data = ["--tier", "document", "--data", str(synthetic), "--predictions",
            str(synthetic_predictions)]
    with_real = [*data, "--real", str(real), "--real-predictions", str(real_predictions)]
    try:
        document = cli.invoke(app, ["calibrate", *data, "--folds", "4", "--no-mlflow"])
        assert document.exit_code == 0, document.output
        blocks = cli.invoke(app, ["calibrate", *with_real, "--blocks", "--no-mlflow"])
        assert blocks.exit_code == 0, blocks.output
        calibrator = BlockCalibrator.model_validate_json(
            (calibration / "document-blocks.json").read_text())
        figures = json.loads((calibration / "document-blocks-figures.json").read_text())
        monkeypatch.setenv("YOGI_BLOCK_ACCEPT_THRESHOLD",
                           str(figures["threshold"]["threshold"]))
        out = tmp_path / "bench.json"
        bench = cli.invoke(app, ["bench", "cascade", *with_real, "--folds", "4",
                                 "--out", str(out)])
        assert bench.exit_code == 0, bench.output
    finally:
        get_settings.cache_clear()
    assert (calibration / "document-blocks-reliability.png").is_file()
    fit_ids = set(calibrator.fitted_on.documents)
    assert calibrator.model_versions == VERSIONS and len(fit_ids) < 24 + 4
    assert calibrator.fitted_on.blocks == 11 * len(fit_ids)
    assert all(b >= a for a, b in zip(calibrator.y, calibrator.y[1:], strict=False))

    report = json.loads(out.read_text())["blocks"]
    synthetic_figures, real_figures = report["sets"]["synthetic"], report["sets"]["real"]
    # Every synthetic page is either fitted on (left out of the figures) or reported.
    assert report["leftOutFittedPages"] + synthetic_figures["pages"] == 24
    assert real_figures["pages"] == 4 and "refitted without each" in real_figures[
        "confidenceSource"]
    # The job's figures and the bench's agree: the same pages, the same honest confidences.
    assert figures["sets"]["synthetic"]["ece"] == synthetic_figures["ece"]
    assert figures["sets"]["real"]["reviewLoad"]["after"] == real_figures["reviewLoad"]["after"]
    for figures_of_set in (synthetic_figures, real_figures):
        # Overconfident raw scores: calibration brings them closer.
        assert figures_of_set["ece"]["calibrated"] < figures_of_set["ece"]["raw"]
        load = figures_of_set["reviewLoad"]
        assert load["before"]["atSettings"]["flaggedShare"] == 1.0  # no page accepted whole
        assert load["after"]["atSettings"]["flaggedShare"] < 1.0
