"""`training.document.augment`: the structure stage's merged cells, shown to the model on
purpose."""

from __future__ import annotations

import numpy as np

from inference.document.features import PageReading, ReadLine, time_atoms
from inference.schema import Box
from training.document.augment import merge_cells


def cell_line(text: str, row: int, col: int) -> ReadLine:
    x, y = 100 * col, 40 * row
    return ReadLine(text=text, box=Box(x0=x + 5, y0=y + 5, x1=x + 80, y1=y + 30),
                    cell_box=Box(x0=x, y0=y, x1=x + 100, y1=y + 40), table=0, row=row, col=col,
                    row_span=1, col_span=1, ruled=True)


def time_column() -> PageReading:
    lines = [cell_line(f"{9 + r}:00-{10 + r}:00", r, 0) for r in range(4)]
    return PageReading(width=400, height=200, lines=lines)


def test_a_merged_run_is_one_cell_spanning_its_rows():
    page = time_column()
    merged = merge_cells(page, np.random.default_rng(0))
    changed = [k for k, (a, b) in enumerate(zip(page.lines, merged.lines, strict=True)) if a != b]
    assert len(changed) >= 2
    run = [merged.lines[k] for k in changed]
    first = min(page.lines[k].row for k in changed)
    assert {line.row for line in run} == {first} and {line.row_span for line in run} == {
        len(changed)}
    assert all(line.cell_box == run[0].cell_box for line in run)
    assert run[0].cell_box.height == 40 * len(changed)
    # Texts and boxes are untouched; the merged cell is read as one text, like the pipeline's.
    assert [line.text for line in merged.lines] == [line.text for line in page.lines]
    assert [m for _, _, m in time_atoms(merged.lines)] == [m for _, _, m in
                                                          time_atoms(page.lines)]
    assert page.lines[changed[0]].row_span == 1  # the original is not modified


def test_a_page_without_two_cells_in_a_line_is_left_alone():
    lonely = PageReading(width=100, height=100, lines=[cell_line("Maths", 0, 0)])
    free = PageReading(width=100, height=100, lines=[ReadLine(text="Term 1", box=Box(
        x0=0, y0=0, x1=50, y1=10))])
    rng = np.random.default_rng(1)
    assert merge_cells(lonely, rng) is None and merge_cells(free, rng) is None
