"""`yogi bench baseline`: the generic grid rule on hand-built grids, and the command on two real
dev pages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from training.baseline import Cell, grid_to_blocks


def _rows(blocks) -> list[tuple]:
    return [(b.day, b.name, b.start_time, b.end_time, b.notes) for b in blocks]


def test_days_down_the_first_column_times_along_the_first_row():
    corner, lunch, maths = Cell(""), Cell("Lunch"), Cell("Maths\nSentence Stacking 2")
    grid = [
        [corner, Cell("9-10am"), Cell("10 – 11am"), Cell("12 – 1pm"), Cell("1.15 - 2pm")],
        [Cell("MON"), maths, maths, lunch, Cell("1:30 – 2:00 Science")],
        [Cell("Tues"), Cell("PE"), Cell(""), lunch, Cell("Art")],
    ]
    assert _rows(grid_to_blocks(grid)) == [
        ("Monday", "Maths", "09:00", "11:00", "Sentence Stacking 2"),  # spans two slots
        ("Monday", "Lunch", "12:00", "13:00", None),
        ("Monday", "Science", "13:30", "14:00", None),  # the printed time wins
        ("Tuesday", "PE", "09:00", "10:00", None),
        ("Tuesday", "Lunch", "12:00", "13:00", None),  # one block per day it spans
        ("Tuesday", "Art", "13:15", "14:00", None),
    ]


def test_days_along_a_row_below_a_title_times_down_the_first_column():
    title = Cell("Timetable for 2025")
    grid = [
        [title, title, title],
        [Cell("Period"), Cell("Wed, 27 Aug"), Cell("THURSDAY")],
        [Cell("8:40"), Cell("Reading"), Cell("")],
        [Cell("9.30"), Cell("Music"), Cell("Maths 9:45")],
    ]
    assert _rows(grid_to_blocks(grid)) == [
        ("Wednesday", "Reading", "08:40", "09:30", None),  # a lone start ends at the next
        ("Wednesday", "Music", "09:30", None, None),
        ("Thursday", "Maths", "09:45", None, None),
    ]


def test_a_table_without_two_days_yields_nothing():
    grid = [[Cell("1"), Cell("8:35"), Cell("Students are allowed inside")],
            [Cell("2"), Cell("9:00"), Cell("Late Bell Rings")]]
    assert grid_to_blocks(grid) == []


@pytest.mark.slow
def test_the_command_scores_two_dev_pages(dev_dir: Path, tmp_path: Path):
    images, labels = tmp_path / "images", tmp_path / "labels"
    images.mkdir()
    labels.mkdir()
    for name in ("ly_1_1", "rb_5"):
        (images / f"{name}.png").symlink_to(dev_dir / "images" / f"{name}.png")
        (labels / f"{name}.json").symlink_to(dev_dir / "labels" / f"{name}.json")
    out = tmp_path / "baseline.json"
    yogi = Path(sys.executable).with_name("yogi")
    done = subprocess.run([str(yogi), "bench", "baseline", str(images), str(labels),
                           "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    assert set(report["documents"]) == {"ly_1_1", "rb_5"}
    assert report["micro"]["predicted"] > 0 and report["secondsPerPage"] > 0


def test_a_missing_folder_is_refused(tmp_path: Path):
    yogi = Path(sys.executable).with_name("yogi")
    done = subprocess.run([str(yogi), "bench", "baseline", str(tmp_path / "nope"),
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1
