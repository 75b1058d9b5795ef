"""Divided cells (`inference.dividers`): a dashed line across a ruled cell between its stacked
lines makes two cells; an underline or a clear gap does not."""

from __future__ import annotations

import cv2
import numpy as np

from inference.dividers import split_divided_cells
from inference.schema import Box, Cell, OcrLine, Table

CELL = Box(x0=100, y0=100, x1=400, y1=260)
PHONICS = OcrLine(text="Phonics", box=Box(x0=200, y0=130, x1=300, y1=155), score=0.99)
HANDWRITING = OcrLine(text="Handwriting", box=Box(x0=180, y0=205, x1=320, y1=230), score=0.99)


def _page(stroke: str) -> np.ndarray:
    """The ruled cell with its two lines' ink, and a dashed divider, an underline or nothing."""
    page = np.full((360, 500, 3), 255, np.uint8)
    cv2.rectangle(page, (100, 100), (400, 260), (0, 0, 0), 2)
    for line in (PHONICS, HANDWRITING):
        b = line.box
        cv2.rectangle(page, (int(b.x0), int(b.y0) + 5), (int(b.x1), int(b.y1) - 5),
                      (40, 40, 40), -1)
    if stroke == "dashed":
        for x in range(104, 398, 12):
            cv2.line(page, (x, 180), (x + 6, 180), (90, 90, 90), 1)
    if stroke == "underline":
        cv2.line(page, (200, 160), (300, 160), (0, 0, 0), 2)
    return page


def _split(stroke: str) -> list[Cell]:
    table = Table(box=CELL, cells=[Cell(box=CELL, lines=[PHONICS, HANDWRITING])])
    return split_divided_cells(_page(stroke), table).cells


def test_a_dashed_line_across_a_cell_between_two_lessons_divides_it():
    top, bottom = _split("dashed")
    assert [top.text, bottom.text] == ["Phonics", "Handwriting"]
    assert (top.box.y0, top.box.y1, bottom.box.y0, bottom.box.y1) == (100, 180, 180, 260)
    assert top.box.x0 == bottom.box.x0 == 100 and top.box.x1 == bottom.box.x1 == 400


def test_an_underline_or_a_clear_gap_divides_nothing():
    assert [cell.text for cell in _split("underline")] == ["Phonics Handwriting"]
    assert [cell.text for cell in _split("none")] == ["Phonics Handwriting"]
