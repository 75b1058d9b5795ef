"""Divided cells: a ruled cell holding two entries one above the other, a dashed line between.

A primary timetable splits a period between two lessons ("Phonics" over "Handwriting") by a
dashed or dotted line across the cell. The ruling stage finds only long unbroken strokes, so
the cell comes out whole, and the cell-as-unit decoding reads one event "Phonics Handwriting".
Here each drawn cell is looked at between its stacked lines: a row of that gap whose ink runs
across the cell, from near its left side to near its right, though broken (a dash, a dot),
divides it, and each part is a cell of its own, as wide as the cell. An underline spans its
word only, not the cell, and a gap no row of ink crosses divides nothing.
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from inference.schema import Box, Cell, Table

# Ink: this far darker than the cell's ground (its median grey).
INK_CONTRAST = 60
# The divider inks this share of the cell's width at least (dashes and their gaps) ...
MIN_COVER = 0.35
# ... and its first and last ink stand within this share of the width of the cell's sides.
REACH = 0.12
# The cell's ruled sides are not looked at: this share of its width in from each.
INSET = 0.03


def _divider(grey: np.ndarray, box: Box, lo: float, hi: float) -> float | None:
    """The row (page y) of a divider across `box` between rows `lo` and `hi`, if any."""
    x0, x1 = int(box.x0 + INSET * box.width), int(box.x1 - INSET * box.width)
    y0, y1 = int(np.ceil(lo)), int(hi)
    if y1 - y0 < 2 or x1 - x0 < 10:
        return None
    cell = grey[int(box.y0):int(box.y1), x0:x1]
    band = grey[y0:y1, x0:x1].astype(np.int16)
    ink = band < int(np.median(cell)) - INK_CONTRAST
    width = x1 - x0
    for k in np.argsort(-ink.mean(1)):
        columns = np.flatnonzero(ink[k])
        if ink[k].mean() < MIN_COVER:
            return None
        if columns[0] <= REACH * width and columns[-1] >= (1 - REACH) * width:
            return float(y0 + k)
    return None


def _parts(grey: np.ndarray, cell: Cell) -> list[Cell]:
    """The cell as its divided parts, top to bottom (itself when undivided)."""
    if cell.from_text or len(cell.lines) < 2:
        return [cell]
    lines = sorted(cell.lines, key=lambda line: line.box.y0)
    for upper, lower in itertools.pairwise(lines):
        lo, hi = upper.box.y1, lower.box.y0
        if any(line.box.y0 < hi and line.box.y1 > lo for line in lines):
            continue  # a line beside them stands in the gap: no row is clear across
        y = _divider(grey, cell.box, lo, hi)
        if y is None:
            continue
        b = cell.box
        top = cell.model_copy(update={"box": Box(x0=b.x0, y0=b.y0, x1=b.x1, y1=y),
                                      "lines": [line for line in lines if line.box.cy < y]})
        rest = cell.model_copy(update={"box": Box(x0=b.x0, y0=y, x1=b.x1, y1=b.y1),
                                       "lines": [line for line in lines if line.box.cy >= y]})
        return [top, *_parts(grey, rest)]
    return [cell]


def split_divided_cells(image: np.ndarray, table: Table) -> Table:
    """`table` with each drawn cell that a dashed line divides between its stacked lines cut
    into its parts (see the module)."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    cells = [part for cell in table.cells for part in _parts(grey, cell)]
    return table if len(cells) == len(table.cells) else table.model_copy(update={"cells": cells})
