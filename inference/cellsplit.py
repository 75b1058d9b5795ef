"""Cell split: a line the page's reading ran across a ruling is read again cell by cell.

Spreadsheets and exported grids print a time flush right in one cell and a name flush left in
the next, a few pixels either side of a thin gridline. The text detector sees one line there
("9:00 AMRegister & Early Work", "End Monday") and the line lands in one cell, so a time header
becomes an event's text and a day header loses its column. The structure stage knows where the
cells are: a line whose box runs well into two side-by-side cells, with the ruling between them
drawn right through the line's height, is cut at the ruling and each part is read again
(`engine.read_crop`). A line on a header band on top of a table (white times on a dark fill,
whose cells the rules did not find) is cut at the rulings between the table's columns. Text a
cell pads from its ruling is two cells' text; glyphs touching the line on both sides are one
text written over it (a sheet's title spilling over empty cells). The parts replace the line
only where, joined, they read as it did: a reading that changes the text is no split of it.
"""

from __future__ import annotations

import difflib

import cv2
import numpy as np

from inference.rulings import RULE_HALF, rule_down
from inference.schema import Box, Cell, OcrLine, Table
from inference.timeparse import find_times

# A part must reach this share of the line's height into a cell to be text of that cell.
MIN_PART = 0.6
# A pixel is ink when this far from the line's ground's grey (a ruling drawn through the line
# is found by `rulings.rule_down`, against the same ground).
INK_CONTRAST = 50
# Joined, the parts read as the line did (letters only, spaces and case aside) to this ratio.
SAME_TEXT = 0.85
# A row of the line's box inked over this share of its width is a rule across it, not text.
ACROSS_RULE = 0.8
_RULING_GAP = 8  # px at most between two cells' regions on either side of one ruling
_MARGIN = 3  # px of ground kept around a part's ink
_PADDING = 2  # px of ground a cell keeps between its text and its ruling, at the least


def _column_edges(cells: list[Cell]) -> list[float]:
    """The rulings between side-by-side drawn cells, left to right."""
    edges: list[float] = []
    for right in sorted(cell.box.x1 for cell in cells):
        for left in (cell.box.x0 for cell in cells):
            edge = (right + left) / 2
            if abs(left - right) <= _RULING_GAP and all(abs(edge - e) > _RULING_GAP
                                                          for e in edges):
                edges.append(edge)
    return sorted(edges)


def _edges_across(table: Table, box: Box) -> list[float]:
    """The rulings a line stands across: those between the drawn cells of its row, or, for a
    line right on top of the table (a header band whose cells were not found, white on a
    dark fill), those between the table's columns."""
    drawn = [cell for cell in table.cells if not cell.from_text]
    row = [cell for cell in drawn
           if cell.box.y0 <= box.cy <= cell.box.y1 and cell.box.x_overlap(box) > 0]
    if row:
        return _column_edges(row)
    below = [cell for cell in drawn if cell.box.y0 >= box.cy]
    top = min((cell.box.y0 for cell in below), default=table.box.y0)
    on_top = (table.box.x0 <= box.x0 and box.x1 <= table.box.x1
              and top - 2 * box.height <= box.y1 <= top + 0.5 * box.height)
    return _column_edges(below) if on_top else []


def _cuts(edges: list[float], box: Box) -> list[float]:
    """The rulings inside the line with a real part of it on each side."""
    reach = MIN_PART * box.height
    return [edge for edge in edges if edge - box.x0 >= reach and box.x1 - edge >= reach]


def _differs(grey: np.ndarray, contrast: int) -> np.ndarray:
    return np.abs(grey.astype(np.int16) - np.median(grey)) > contrast


def _ruled_through(grey: np.ndarray, x: int) -> bool:
    """A ruling within its width of `x` across nearly all the line's rows (a column darker than
    the ground, or lighter on a dark band), with ground between it and the text on one side
    at least: a cell pads its text, while a title spilling over empty cells runs its glyphs
    up to the line on both."""
    if not rule_down(grey, x, np.median(grey)):
        return False
    ink = _differs(grey, INK_CONTRAST).any(axis=0)
    sides = [np.arange(x - _PADDING, x - 1), np.arange(x + 2, x + _PADDING + 1)]
    return not all(ink[side[(side >= 0) & (side < len(ink))]].any() for side in sides)


def _part(image: np.ndarray, ink: np.ndarray, box: Box, x0: int, x1: int
          ) -> tuple[np.ndarray, Box] | None:
    """The crop of the line's ink between x0 and x1 (page x), or None when it holds none."""
    lx0, lx1 = x0 - int(box.x0), x1 - int(box.x0)
    cols = np.nonzero(ink[:, max(0, lx0):max(0, lx1)].any(axis=0))[0]
    if not len(cols):
        return None
    a = max(0, x0 + int(cols.min()) - _MARGIN)
    b = min(image.shape[1], x0 + int(cols.max()) + _MARGIN + 1)
    y0, y1 = int(box.y0), int(np.ceil(box.y1))
    return image[y0:y1, a:b], Box(x0=a, y0=y0, x1=b, y1=y1)


def _letters(text: str) -> str:
    return "".join(text.split()).lower()


def _across_rows(grey: np.ndarray) -> np.ndarray:
    """The rows of the line's crop that a rule running across it (the cell's top or bottom
    edge, caught in the reading's box) does not fill: ink nearly the crop's whole width."""
    return _differs(grey, INK_CONTRAST).mean(axis=1) < ACROSS_RULE


def _split(image: np.ndarray, line: OcrLine, cuts: list[float], engine) -> list[OcrLine] | None:
    box = line.box
    y0, y1 = int(box.y0), int(np.ceil(box.y1))
    grey = cv2.cvtColor(image[y0:y1, int(box.x0):int(np.ceil(box.x1))], cv2.COLOR_BGR2GRAY)
    if not grey.size:
        return None
    rows = _across_rows(grey)
    text_rows = grey[rows]
    if not text_rows.size or not all(_ruled_through(text_rows, int(round(cut - box.x0)))
                                     for cut in cuts):
        return None
    ink = _differs(grey, INK_CONTRAST) & rows[:, None]
    edges = [int(box.x0), *(int(round(cut)) for cut in cuts), int(np.ceil(box.x1))]
    parts = []
    for lo, hi in zip(edges, edges[1:], strict=False):
        found = _part(image, ink, box, lo + (RULE_HALF + 1 if lo > box.x0 else 0),
                      hi - (RULE_HALF + 1 if hi < box.x1 else 0))
        if found is None:
            continue
        crop, part_box = found
        text, score = engine.read_crop(crop)
        if text.strip():
            parts.append(OcrLine(text=text.strip(), box=part_box, score=score))
    joined = "".join(_letters(part.text) for part in parts)
    if len(parts) < 2 or difflib.SequenceMatcher(
            None, joined, _letters(line.text)).ratio() < SAME_TEXT:
        return None
    # A rule never runs through a range written with its dash: a header's range wider than
    # its narrow column runs over it, and a photocopier's streak down the page crosses text
    # it is no edge of. (Two columns' times read glued, "9:009:30", are two texts.)
    if _dashed_ranges(line.text) > sum(_dashed_ranges(part.text) for part in parts):
        return None
    return parts


def _dashed_ranges(text: str) -> int:
    return sum(span.end is not None and span.end > span.start
               and any(dash in text[span.span[0]:span.span[1]] for dash in "-–—~")
               for span in find_times(text))


def split_across_rulings(image: np.ndarray, tables: list[Table], lines: list[OcrLine],
                         engine) -> list[OcrLine]:
    """`lines` with each line read across a drawn ruling replaced by its parts, one per cell."""
    out = []
    for line in lines:
        parts = None
        if line.angle == 0:
            for table in tables:
                cuts = _cuts(_edges_across(table, line.box), line.box)
                if cuts:
                    parts = _split(image, line, cuts, engine)
                    break
        out.extend(parts or [line])
    return out
