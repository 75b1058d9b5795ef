"""Block calibration: blocks labelled by the contract's matching, the folds by page, the
cross-fitted refits, the signals kind learning what the raw score misses, and `yogi calibrate
--blocks` / `yogi bench cascade --real` on small labelled sets written here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from inference.calibration import BlockCalibrator, SignalsBlockCalibrator, read_block_calibrator
from inference.document.signals import BlockSignals, SignalledTimetable
from inference.schema import TimeBlock, TimetableData
from training.calibration.block_bench import chosen_threshold, nested_review_load
from training.calibration.block_kinds import BLOCK_KINDS
from training.calibration.blocks import (
    PageBlocks,
    cross_fitted,
    fit_calibrator,
    fold_of,
    honest_confidences,
    page_blocks,
)
from training.calibration.examples import Example
from training.calibration.metrics import auc

ISOTONIC, SIGNALS = BLOCK_KINDS["isotonic"], BLOCK_KINDS["signals"]
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
    [page] = page_blocks([Example("p", prediction, gold)], ISOTONIC)
    assert page.raw.size == 5 and page.raw[-1] == 0.55
    assert page.features.tolist() == [[c] for c in page.raw.tolist()]
    expected = [b.end_time == g.end_time for b, g in zip(prediction.timeblocks, gold.timeblocks,
                                                          strict=False)]
    assert page.right.tolist() == [*expected, False]  # the extra block matches nothing


def test_the_folds_are_by_page_and_the_same_every_time() -> None:
    ids = [f"s{k:04d}:abc" for k in range(300)]
    folds = [fold_of(i, 10) for i in ids]
    assert folds == [fold_of(i, 10) for i in ids]
    assert all(15 < folds.count(k) < 45 for k in range(10))


def test_a_page_fitted_on_is_calibrated_by_a_refit_without_its_fold() -> None:
    rng = np.random.default_rng(1)
    pages = page_blocks([Example(f"p{k}", *_page(rng)) for k in range(12)], ISOTONIC)
    calibrator = fit_calibrator(pages[:10], ISOTONIC, "document", [Path("set")], folds=3)
    honest = honest_confidences([pages[0], pages[11]], calibrator, ISOTONIC, pages)
    fold = fold_of(pages[0].id, 3)
    refit = fit_calibrator([p for p in pages[:10] if fold_of(p.id, 3) != fold], ISOTONIC,
                           "document", [], folds=3)
    assert honest[pages[0].id].tolist() == refit.apply_features(pages[0].features).tolist()
    assert honest[pages[11].id].tolist() == calibrator.apply_features(
        pages[11].features).tolist()
    with pytest.raises(ValueError, match="not given here"):
        honest_confidences([pages[0]], calibrator, ISOTONIC, pages[:2])


def _signals(right: bool, rng: np.random.Generator) -> BlockSignals:
    """Signals where the name's OCR score tells a wrong block (the raw product does not)."""
    return BlockSignals(
        product=0.9, role_name=0.9, role_members=0.9, group_inner=1.0, group_outer=0.0, day=0.9,
        day_margin=0.8, start=0.9, start_margin=0.8, end=0.9, end_margin=0.8, start_none=False,
        end_none=False, start_from_grid=True, end_from_grid=True, end_written=True,
        times_in_cell=False, drawn_cell=True, days_from_grid=False, days=1, lines=1,
        name_lines=1, ocr_name=float(rng.uniform(0.9, 1.0) if right else rng.uniform(0.5, 0.95)),
        ocr_time=0.99, whole_words=1.0, word_pieces=1.0, page_ocr=0.95)


def _signalled(example: Example, rng: np.random.Generator) -> Example:
    """The example's prediction with signals, every block's raw confidence the same."""
    blocks = [b.model_copy(update={"confidence": 0.8}) for b in example.prediction.timeblocks]
    prediction = example.prediction.model_copy(update={"timeblocks": blocks})
    [page] = page_blocks([example], ISOTONIC)
    signals = [_signals(bool(r), rng) for r in page.right]
    return Example(example.id, SignalledTimetable.of(prediction, signals), example.gold)


def test_the_signals_kind_learns_what_the_raw_score_misses() -> None:
    rng = np.random.default_rng(2)
    examples = [_signalled(Example(f"p{k}", *_page(rng)), rng) for k in range(30)]
    pages = page_blocks(examples, SIGNALS)
    honest = cross_fitted(pages, SIGNALS, "document", folds=5)
    scores = np.concatenate([honest[p.id] for p in pages])
    right = np.concatenate([p.right for p in pages])
    assert auc(np.concatenate([p.raw for p in pages]), right) == 0.5  # one raw score for all
    assert auc(scores, right) > 0.85
    calibrator = fit_calibrator(pages, SIGNALS, "document", [Path("set")], folds=5)
    assert isinstance(read_block_calibrator(calibrator.to_json()), SignalsBlockCalibrator)
    nested = nested_review_load(pages, honest, SIGNALS, "document", folds=5)
    assert len(nested["thresholdByFold"]) == 5
    assert nested["sets"]["synthetic"]["flagged"] + nested["sets"]["synthetic"][
        "unflagged"] == right.size


def test_a_threshold_held_on_the_real_pages_flags_what_they_need_not_what_synthetic_ones_do():
    # Synthetic pages: a right block scores 0.9, a wrong one 0.95 (a quarter of them), so only
    # flagging everything below 0.96 leaves them 98 % right. Real pages: right at 0.9 and 0.95,
    # wrong at 0.5; anything above 0.5 leaves them all right.
    def pages(source: str, scores: list[float], right: list[bool]) -> PageBlocks:
        example = Example(source, TimetableData(), TimetableData())
        return PageBlocks(source, example, np.array(scores), np.array(scores)[:, None],
                          np.array(right), source)

    both = [pages("synthetic", [0.9] * 30 + [0.95] * 10, [True] * 30 + [False] * 10),
            pages("real", [0.9] * 20 + [0.95] * 20 + [0.5], [True] * 40 + [False])]
    honest = {p.id: p.raw for p in both}
    assert chosen_threshold(both, honest, "all") > 0.95
    assert 0.5 < chosen_threshold(both, honest, "real") <= 0.9
    # With no real page given, "real" holds it on the synthetic ones.
    assert chosen_threshold(both[:1], honest, "real") == chosen_threshold(both[:1], honest, "all")


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
        blocks = cli.invoke(app, ["calibrate", *with_real, "--blocks", "--block-kind",
                                  "isotonic", "--no-mlflow"])
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
    assert (calibration / "document-blocks-review-load.png").is_file()
    fit_ids = set(calibrator.fitted_on.documents)
    assert calibrator.model_versions == VERSIONS and len(fit_ids) == 24 + 4
    assert calibrator.fitted_on.blocks == 11 * len(fit_ids)
    assert all(b >= a for a, b in zip(calibrator.y, calibrator.y[1:], strict=False))

    report = json.loads(out.read_text())["blocks"]
    synthetic_figures, real_figures = report["sets"]["synthetic"], report["sets"]["real"]
    assert report["fittedPagesGiven"] == 28 and synthetic_figures["pages"] == 24
    assert real_figures["pages"] == 4 and "refitted without each one's fold" in real_figures[
        "confidenceSource"]
    # The job's figures and the bench's agree: the same pages, the same honest confidences.
    assert figures["sets"]["synthetic"]["ece"] == synthetic_figures["ece"]
    assert figures["sets"]["real"]["reviewLoad"]["after"] == real_figures["reviewLoad"]["after"]
    nested = synthetic_figures["reviewLoad"]["after"]["atNestedThreshold"]
    assert nested["flagged"] + nested["unflagged"] == synthetic_figures["blocks"]
    for figures_of_set in (synthetic_figures, real_figures):
        # Overconfident raw scores: calibration brings them closer.
        assert figures_of_set["ece"]["calibrated"] < figures_of_set["ece"]["raw"]
        load = figures_of_set["reviewLoad"]
        assert load["before"]["atSettings"]["flaggedShare"] == 1.0  # no page accepted whole
        assert load["after"]["atSettings"]["flaggedShare"] < 1.0


def _signalled_set(folder: Path, pages: int, seed: int) -> list[Example]:
    """`_write_set`'s pages, their predictions carrying block signals (as the document model's
    would): written to disk for the document-level figures, returned for the block ones."""
    predictions = _write_set(folder, pages, seed)
    rng = np.random.default_rng(seed)
    return [_signalled(Example(row["id"], TimetableData.model_validate(row["result"]),
                               TimetableData.model_validate_json(
                                   (folder / "labels" / f"{row['id']}.json").read_text())), rng)
            for row in map(json.loads, predictions.read_text().splitlines())]


def test_calibrate_signals_blocks_over_two_synthetic_sets_then_bench(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: CliRunner
) -> None:
    from inference.cli import app
    from inference.settings import get_settings
    from training.calibration import signal_pages

    sets = {tmp_path / name: _signalled_set(tmp_path / name, pages, seed)
            for name, pages, seed in (("a", 16, 7), ("b", 16, 8), ("real", 4, 9))}
    # The document model is not run here: each set's pages come signalled already.
    monkeypatch.setattr(signal_pages, "signalled_examples", lambda data, settings: sets[data])
    calibration = tmp_path / "calibration"
    monkeypatch.setenv("YOGI_CALIBRATION_DIR", str(calibration))
    get_settings.cache_clear()
    data = ["--tier", "document", "--data", str(tmp_path / "a"), "--predictions",
            str(tmp_path / "a.jsonl")]
    blocks = [*data, "--blocks-data", str(tmp_path / "b"), "--real", str(tmp_path / "real")]
    out = tmp_path / "bench.json"
    try:
        for args in (["calibrate", *data, "--folds", "4", "--no-mlflow"],
                     ["calibrate", *blocks, "--blocks", "--no-mlflow"],
                     ["bench", "cascade", *blocks, "--folds", "4", "--out", str(out)]):
            run = cli.invoke(app, args)
            assert run.exit_code == 0, run.output
    finally:
        get_settings.cache_clear()
    calibrator = SignalsBlockCalibrator.model_validate_json(
        (calibration / "document-blocks.json").read_text())
    assert calibrator.fitted_on.blocks == 11 * (16 + 16 + 4)
    figures = json.loads((calibration / "document-blocks-figures.json").read_text())
    report = json.loads(out.read_text())["blocks"]
    assert report["kind"] == "signals" and report["sets"]["synthetic"]["pages"] == 32
    for name in ("synthetic", "real"):
        job, bench = figures["sets"][name], report["sets"][name]
        assert job["auc"] == bench["auc"]  # the same pages, the same cross-fitted scores
        assert job["auc"]["calibrated"] > job["auc"]["raw"] == 0.5
        nested = bench["reviewLoad"]["after"]["atNestedThreshold"]
        assert nested == job["reviewLoad"]["after"]["atNestedThreshold"]
