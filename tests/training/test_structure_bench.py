"""`yogi bench structure`: cell matching and scores on hand-made boxes, a refused input, and the
command on a tiny generated set."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from training.structure_bench import TrueCell, bench_structure, iou, match_cells, score_page


def test_iou_of_boxes():
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(50 / 150)
    assert iou((0, 0, 10, 10), (10, 0, 20, 10)) == 0.0  # touching is no overlap


def test_matching_is_one_to_one_greedy_by_iou_with_a_threshold():
    true = [(0, 0, 10, 10), (10, 0, 20, 10)]
    predicted = [
        (1, 0, 11, 10),  # IoU 0.82 with true 0, 0.05 with true 1
        (0, 0, 10, 10),  # exactly true 0: wins it, so the one above is left over
        (10, 0, 30, 10),  # IoU 0.5 with true 1: just enough
        (12, 0, 32, 10),  # IoU 0.36 with true 1: not a match
    ]
    assert match_cells(predicted, true) == {0: 1, 1: 2}
    assert match_cells(predicted, true, threshold=0.6) == {0: 1}
    assert match_cells([], true) == {} and match_cells(predicted, []) == {}


def test_page_scores_count_merged_and_ruled_cells_and_tables():
    true = [TrueCell((0, 0, 10, 10), merged=False, ruled=True),
            TrueCell((10, 0, 30, 10), merged=True, ruled=True),  # a cell spanning two columns
            TrueCell((0, 10, 30, 20), merged=True, ruled=False)]  # no lines drawn round it
    predicted = [(0, 0, 10, 10), (10, 0, 20, 10), (20, 0, 30, 10), (0, 20, 30, 30)]
    counts = score_page(predicted, 2, true, 1, seconds=0.5)
    scores = counts.as_dict()
    # Either half of the merged cell has IoU 0.5 with it: one half matches, the other is spare;
    # the box below the unruled cell only touches it.
    assert scores["cells"] == {"predicted": 4, "true": 3, "matched": 2, "mergedTrue": 2,
                               "mergedMatched": 1, "ruledTrue": 2, "ruledMatched": 2}
    assert scores["precision"] == 0.5 and scores["recall"] == pytest.approx(0.6667, abs=1e-4)
    assert scores["f1"] == pytest.approx(2 * 0.5 * 0.6667 / 1.1667, abs=1e-3)
    assert scores["mergedRecall"] == 0.5 and scores["ruledRecall"] == 1.0
    assert (scores["tablesFound"], scores["tablesTrue"], scores["tableCountRight"]) == (2, 1, 0)
    assert scores["secondsPerPage"] == 0.5
    counts.add(score_page([], 0, [], 0))  # a page with nothing on it, nothing found
    assert counts.as_dict()["tableCountRight"] == 0.5 and counts.pages == 2


def test_nothing_predicted_scores_zero_not_a_crash():
    scores = score_page([], 0, [TrueCell((0, 0, 1, 1), False, True)], 1).as_dict()
    assert (scores["precision"], scores["recall"], scores["f1"]) == (None, 0.0, 0.0)


def test_a_folder_without_layouts_is_refused(tmp_path: Path):
    app = typer.Typer()
    app.command()(bench_structure)
    (tmp_path / "pages").mkdir()
    for folder in (tmp_path / "nope", tmp_path):
        done = CliRunner().invoke(app, ["--data", str(folder), "--out", str(tmp_path / "o.json")])
        assert done.exit_code == 2
        assert not (tmp_path / "o.json").exists()


@pytest.mark.slow
def test_the_command_on_a_tiny_generated_set(tmp_path: Path):
    from training.synth.writer import synthesize

    data = tmp_path / "set"
    synthesize(data, 2, seed=3, photo_share=0.0, workers=1)
    out = tmp_path / "structure.json"
    yogi = Path(sys.executable).with_name("yogi")
    done = subprocess.run([str(yogi), "bench", "structure", "--data", str(data),
                           "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert report["pages"] == 2
    assert {"overall", "byCapture", "byLayout", "byRuling", "secondsPerPage"} <= set(report)
    for detector in ("yogi", "img2table"):
        scores = report["overall"][detector]
        assert {"precision", "recall", "f1", "mergedRecall", "tablesFound", "tablesTrue"} \
            <= set(scores)
        assert scores["cells"]["true"] > 0 and report["secondsPerPage"][detector] > 0
    assert sum(group["pages"] for group in report["byCapture"].values()) == 2
