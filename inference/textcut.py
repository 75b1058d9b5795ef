"""Cells cut by their own text: one cell found as two, either side of the word it holds.

White letters on a dark band ("R E C E S S" spaced out across the week's row) are gaps in the
band's fill, and the ruling finder, which takes the dark fill for ink, finds the band's ground
as two regions either side of the word and none under it. The word then stands in neither
cell and is read as no part of the table. Two cells side by side in one row, of one height,
with a line of text running across the gap between them and well into both, are one cell
where the gap is wider than a ruling: a header's text overflowing its narrow cell runs over
the ruling between two cells, which stay two. Touching cells are one where nothing is drawn
between them above and below the line: a low-resolution band's white letters, blurred into
its fill, cut it right through a word ("Mon|day"), where no rule runs.
"""

from __future__ import annotations

import cv2
import numpy as np

from inference.rulings import rule_down
from inference.schema import Box, Cell, OcrLine, Table

# The two cells' tops and bottoms agree within this share of the cell's height.
SAME_HEIGHT = 0.2
# The line reaches at least this share of its height into each cell, and the gap between
# them is wider than this share of it (a ruling is thin against the print).
INTO_CELL = 0.5
WIDER_THAN_RULING = 0.5
# Between touching cells, a rule (or a change of fill) runs their whole height at their
# boundary, through the line's print too (`rulings.rule_down`); a letter's stem only its own.
# The ground is that of a strip this many px either side of the boundary.
_GROUND = 10


def _drawn_between(grey: np.ndarray, a: Box, b: Box) -> bool:
    """Whether a rule or a change of fill parts the touching cells `a` and `b` (two cells
    found on the page: their boundary is on it)."""
    x = int(round((a.x1 + b.x0) / 2))
    rows = grey[int(max(a.y0, b.y0)):int(min(a.y1, b.y1))]
    return not rows.size or rule_down(
        rows, x, np.median(rows[:, max(0, x - _GROUND):x + _GROUND + 1]))


def _cut_by(line: OcrLine, left: Cell, right: Cell, cells: list[Cell], grey: np.ndarray
            ) -> list[Cell] | None:
    """The pieces of the band between `left` and `right` (cells lower than `line`'s print,
    left between its letters) where the two are one row's cells either side of a gap `line`
    runs across with no other of the table's `cells` in it, or touching with nothing drawn
    between them; None where they are not."""
    a, b, box = left.box, right.box, line.box
    tolerance = SAME_HEIGHT * max(a.height, b.height)
    reach = INTO_CELL * box.height
    if not (left.row == right.row and left.row_span == right.row_span
            and abs(a.y0 - b.y0) <= tolerance and abs(a.y1 - b.y1) <= tolerance
            and max(a.y0, b.y0) - reach <= box.y0 and box.y1 <= min(a.y1, b.y1) + reach
            and a.x1 <= b.x0 + 1 and box.x0 <= a.x1 - reach and b.x0 + reach <= box.x1
            and (b.x0 - a.x1 > WIDER_THAN_RULING * box.height
                 or not _drawn_between(grey, a, b))):
        return None
    gap = Box(x0=a.x1, y0=max(a.y0, b.y0), x1=b.x0, y1=min(a.y1, b.y1))
    inside = [cell for cell in cells if cell is not left and cell is not right
              and cell.box.overlap_area(gap) > 0]
    pieces = [cell for cell in inside if cell.box.height < box.height
              and box.x0 <= cell.box.x0 and cell.box.x1 <= box.x1]
    return pieces if len(pieces) == len(inside) else None


def _joined(left: Cell, right: Cell) -> Cell:
    end = max(left.col + left.col_span, right.col + right.col_span)
    col = min(left.col, right.col)
    return left.model_copy(update={
        "box": Box.enclosing([left.box, right.box]), "col": col, "col_span": end - col})


def join_cells_cut_by_text(image: np.ndarray, tables: list[Table], lines: list[OcrLine]
                           ) -> None:
    """Join in place each ruled table's two cells a line of text runs across (see the
    module), as often as a line runs across another gap."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    for table in tables:
        if not table.ruled:
            continue
        for line in lines:
            if line.angle:
                continue
            while True:
                touched = [cell for cell in table.cells if cell.box.overlap_area(line.box) > 0]
                cut = next(((left, right, pieces) for left in touched for right in touched
                            if left is not right
                            and (pieces := _cut_by(line, left, right, table.cells, grey))
                            is not None),
                           None)
                if cut is None:
                    break
                left, right, pieces = cut
                gone = [left, right, *pieces]
                table.cells = [cell for cell in table.cells
                               if not any(cell is other for other in gone)] + [
                                   _joined(left, right)]
