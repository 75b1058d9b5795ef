"""Cell split (`inference.cellsplit`): a line the page's reading ran across a drawn ruling (a
time flush right in one spreadsheet cell, a name flush left in the next) is read again cell by
cell."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.cellsplit import split_across_rulings
from inference.ocr import get_engine
from inference.schema import Box, Cell, OcrLine, Table
from inference.settings import Settings

LEFT, RIGHT = Box(x0=20, y0=20, x1=160, y1=60), Box(x0=161, y0=20, x1=360, y1=60)
GLUED = OcrLine(text="9:00Maths", box=Box(x0=100, y0=26, x1=220, y1=54), score=0.9)


def _sheet(gridline: int, ruled_through: bool = True) -> np.ndarray:
    """Two cells side by side on a pale grid, "9:00" flush right in the left one and "Maths"
    flush left in the right one; `ruled_through=False` leaves the ruling off the text's rows
    (text spilling over an empty neighbour, as a sheet draws it)."""
    page = np.full((80, 380, 3), 255, np.uint8)
    grey = (gridline,) * 3
    cv2.rectangle(page, (19, 19), (361, 61), grey, 1)
    cv2.line(page, (160, 19), (160, 61), grey, 1)
    if not ruled_through:
        cv2.line(page, (160, 24), (160, 56), (255, 255, 255), 1)
    cv2.putText(page, "9:00", (103, 48), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 2)
    cv2.putText(page, "Maths", (165, 48), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 2)
    return page


def _table() -> Table:
    return Table(box=LEFT.union(RIGHT), cells=[Cell(box=LEFT, col=0), Cell(box=RIGHT, col=1)])


@pytest.fixture(scope="module")
def engine():
    return get_engine("rapid", Settings())


@pytest.mark.parametrize("gridline", [0, 215])  # black, and a spreadsheet's pale grey
def test_a_line_read_across_a_ruling_is_read_again_in_each_cell(engine, gridline):
    lines = split_across_rulings(_sheet(gridline), [_table()], [GLUED], engine)
    assert [line.text for line in lines] == ["9:00", "Maths"]
    assert LEFT.contains_point(lines[0].box.cx, lines[0].box.cy)
    assert RIGHT.contains_point(lines[1].box.cx, lines[1].box.cy)


def test_a_line_whose_box_takes_in_the_rule_over_the_cells_is_still_split(engine):
    # The reading's box reaches up over the cells' top edge (a dense export's small print
    # sits right under it): that rule runs across the box, not between the cells.
    high = GLUED.model_copy(update={"box": Box(x0=100, y0=17, x1=220, y1=54)})
    lines = split_across_rulings(_sheet(0), [_table()], [high], engine)
    assert [line.text for line in lines] == ["9:00", "Maths"]


def test_a_line_over_no_drawn_ruling_stays_whole(engine):
    lines = split_across_rulings(_sheet(0, ruled_through=False), [_table()], [GLUED], engine)
    assert lines == [GLUED]


def test_a_line_inside_one_cell_stays_whole(engine):
    inside = OcrLine(text="Maths", box=Box(x0=165, y0=26, x1=240, y1=54))
    assert split_across_rulings(_sheet(0), [_table()], [inside], engine) == [inside]


def test_a_line_read_across_a_header_band_is_read_again_in_each_column(engine):
    """Times printed white on a dark band over the table, the band's cells not found: the
    rulings between the table's columns part them (lighter lines on the band)."""
    page = np.full((110, 380, 3), 255, np.uint8)
    page[20:56, 20:361] = (90, 40, 110)
    cv2.line(page, (160, 20), (160, 56), (200, 180, 210), 1)
    cv2.rectangle(page, (19, 57), (361, 101), (0, 0, 0), 1)
    cv2.line(page, (160, 57), (160, 101), (0, 0, 0), 1)
    cv2.putText(page, "9:00", (100, 46), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2)
    cv2.putText(page, "9:30", (166, 46), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 2)
    below = [Cell(box=Box(x0=20, y0=58, x1=159, y1=100), col=0),
             Cell(box=Box(x0=161, y0=58, x1=360, y1=100), col=1)]
    table = Table(box=Box(x0=19, y0=19, x1=361, y1=101), cells=below)
    glued = OcrLine(text="9:009:30", box=Box(x0=96, y0=26, x1=222, y1=54), score=0.9)
    lines = split_across_rulings(page, [table], [glued], engine)
    assert [line.text for line in lines] == ["9:00", "9:30"]


def test_a_title_spilling_over_a_ruling_stays_whole(engine):
    """Text written across the line (a sheet's title spilling over empty cells) runs its
    glyphs up to the ruling: no cell padding parts them, so it is no two cells' text."""
    page = np.full((80, 380, 3), 255, np.uint8)
    cv2.rectangle(page, (19, 19), (361, 61), (215, 215, 215), 1)
    cv2.line(page, (160, 19), (160, 61), (215, 215, 215), 1)
    cv2.putText(page, "Timetable", (90, 48), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (0, 0, 0), 2)
    title = OcrLine(text="Timetable", box=Box(x0=88, y0=26, x1=232, y1=54), score=0.95)
    assert split_across_rulings(page, [_table()], [title], engine) == [title]


def test_a_range_a_streak_runs_through_stays_whole(engine):
    # A photocopier's streak down the page through a header's "14:20-15:20", between the
    # digits of its end's hour: it is no ruling of the range's cell.
    page = np.full((80, 380, 3), 255, np.uint8)
    cv2.rectangle(page, (19, 19), (361, 61), (0, 0, 0), 1)
    cv2.putText(page, "14:20-1", (90, 48), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 2)
    cv2.putText(page, "5:20", (179, 48), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 2)
    cv2.line(page, (175, 0), (175, 79), (0, 0, 0), 1)
    cells = [Cell(box=Box(x0=20, y0=20, x1=174, y1=60), col=0),
             Cell(box=Box(x0=176, y0=20, x1=360, y1=60), col=1)]
    whole = OcrLine(text="14:20-15:20", box=Box(x0=88, y0=26, x1=238, y1=54), score=0.95)
    table = Table(box=Box(x0=19, y0=19, x1=361, y1=61), cells=cells)
    assert split_across_rulings(page, [table], [whole], engine) == [whole]
