"""Table structure: ruled grid lines → cells with row/column spans.

Ruling lines are found by morphological opening of the binarised page with long thin kernels.
The regions enclosed by lines are the cells (a merged cell is simply a larger region), and
each table is a connected group of lines. Row and column indices come from clustering the
cells' edges, so spans fall out of how many grid lines a cell crosses.
"""

from __future__ import annotations

import cv2
import numpy as np

from inference.rulings import fill_edges, line_mask
from inference.schema import Box, Cell, OcrLine, Table
from inference.timeparse import find_times, parse_day

# A name, a teacher, a room and a class in the corners: more paragraphs than that in one ruled
# region are entries of a table the ruling only frames.
_MAX_PARAGRAPHS_PER_EVENT = 4


def _cluster(values: list[float], tolerance: float) -> list[float]:
    """Sorted cluster centres of 1-D values: neighbours within `tolerance` merge."""
    if not values:
        return []
    values = sorted(values)
    groups: list[list[float]] = [[values[0]]]
    for value in values[1:]:
        if value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [float(np.mean(g)) for g in groups]


def _nearest(centres: list[float], value: float) -> int:
    return int(np.argmin([abs(c - value) for c in centres]))


def index_cells(boxes: list[Box], tolerance: float) -> list[Cell]:
    """Give each cell box a row/column index and span from the clustered cell edges."""
    xs = _cluster([b.x0 for b in boxes] + [b.x1 for b in boxes], tolerance)
    ys = _cluster([b.y0 for b in boxes] + [b.y1 for b in boxes], tolerance)
    cells = []
    for box in boxes:
        c0, c1 = _nearest(xs, box.x0), _nearest(xs, box.x1)
        r0, r1 = _nearest(ys, box.y0), _nearest(ys, box.y1)
        cells.append(
            Cell(box=box, row=r0, col=c0, row_span=max(1, r1 - r0), col_span=max(1, c1 - c0))
        )
    return cells


def find_tables(image: np.ndarray, min_cells: int = 2) -> list[Table]:
    """Ruled tables on the page (BGR or grey), each with its cells (no text yet): rules are
    dark strokes and the boundaries between fills."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    mask = cv2.bitwise_or(line_mask(gray, gridlines=True),
                          cv2.dilate(fill_edges(image), np.ones((3, 3), np.uint8), iterations=2))
    h, w = gray.shape
    page_area = h * w
    tolerance = max(6.0, 0.006 * max(h, w))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    tables: list[Table] = []
    for i in range(1, n):
        x, y, bw, bh, _area = stats[i]
        if bw < w * 0.08 or bh < h * 0.03:
            continue
        region = (labels[y : y + bh, x : x + bw] == i).astype(np.uint8)
        boxes = _outermost(_enclosed_regions(region, x, y, page_area))
        if len(boxes) < min_cells:
            continue
        tables.append(
            Table(
                box=Box(x0=x, y0=y, x1=x + bw, y1=y + bh),
                cells=index_cells(boxes, tolerance),
                ruled=True,
            )
        )
    return sorted(tables, key=lambda t: (t.box.y0, t.box.x0))


def _enclosed_regions(region: np.ndarray, ox: int, oy: int, page_area: int) -> list[Box]:
    """Boxes of the areas fully enclosed by the lines of one table."""
    free = (1 - region).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(free, connectivity=4)
    rh, rw = region.shape
    boxes = []
    for j in range(1, n):
        x, y, bw, bh, area = stats[j]
        touches_border = x == 0 or y == 0 or x + bw >= rw or y + bh >= rh
        if touches_border or area < max(150, page_area * 0.00015) or bw < 8 or bh < 8:
            continue
        # The dilated lines ate a few pixels of each cell; give them back.
        pad = 3
        boxes.append(
            Box(x0=ox + x - pad, y0=oy + y - pad, x1=ox + x + bw + pad, y1=oy + y + bh + pad)
        )
    return boxes


def _outermost(boxes: list[Box]) -> list[Box]:
    """The boxes not inside another: cells of a grid never nest, so a region inside a cell
    is the cell's decoration (a highlighted time, a text box), not a cell of its own."""
    def inside(inner: Box, outer: Box) -> bool:
        return (inner is not outer and inner.x0 >= outer.x0 and inner.y0 >= outer.y0
                and inner.x1 <= outer.x1 and inner.y1 <= outer.y1)
    return [box for box in boxes if not any(inside(box, other) for other in boxes)]


def assign_lines(tables: list[Table], lines: list[OcrLine]) -> list[OcrLine]:
    """Put each OCR line into the cell holding its centre; return the lines outside all cells.

    A line whose centre falls on a ruling line (between two cells) goes to the cell it
    overlaps most."""
    outside: list[OcrLine] = []
    for line in lines:
        best: Cell | None = None
        best_overlap = 0.0
        for table in tables:
            for cell in table.cells:
                overlap = _overlap_area(cell.box, line.box)
                if overlap > best_overlap:
                    best, best_overlap = cell, overlap
        area = max(1.0, line.box.width * line.box.height)
        if best is not None and best_overlap >= 0.5 * area:
            best.lines.append(line)
        else:
            outside.append(line)
    return outside


def _overlap_area(a: Box, b: Box) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(0.0, w) * max(0.0, h)


def _adjacent(a: OcrLine, b: OcrLine) -> bool:
    """Two lines of the same paragraph: stacked with a small gap and overlapping across
    (for rotated text, side by side and overlapping along)."""
    if a.angle or b.angle:
        size = min(a.box.width, b.box.width)
        gap = max(a.box.x0, b.box.x0) - min(a.box.x1, b.box.x1)
        overlap = min(a.box.y1, b.box.y1) - max(a.box.y0, b.box.y0)
        return gap < 0.8 * size and overlap > 0.3 * min(a.box.height, b.box.height)
    size = min(a.box.height, b.box.height)
    gap = max(a.box.y0, b.box.y0) - min(a.box.y1, b.box.y1)
    overlap = min(a.box.x1, b.box.x1) - max(a.box.x0, b.box.x0)
    same_row = abs(a.box.cy - b.box.cy) < 0.5 * size
    near_in_row = same_row and overlap > -0.6 * size
    return near_in_row or (gap < 0.8 * size and overlap > 0.3 * min(a.box.width, b.box.width))


def text_blocks(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Group lines into paragraphs (the contents of one cell) by union-find on adjacency."""
    parent = list(range(len(lines)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            if _adjacent(lines[i], lines[j]):
                parent[root(i)] = root(j)
    groups: dict[int, list[OcrLine]] = {}
    for i, line in enumerate(lines):
        groups.setdefault(root(i), []).append(line)
    return list(groups.values())


def _block_cell(block: list[OcrLine]) -> Cell:
    return Cell(box=Box.enclosing([line.box for line in block]), lines=list(block), from_text=True)


def _holds_several_events(blocks: list[list[OcrLine]]) -> bool:
    """Whether a ruled cell's paragraphs are several entries rather than one event: two or
    more carry their own times or day names (list rows, a header band), or there are so many
    that the ruling is only a frame around an unruled table. A name with a teacher code and a
    room in its corners ("MATH EXT3" over "SE … MR1") is one event: the cell is the unit."""
    texts = [" ".join(line.text for line in block) for block in blocks]
    labelled = sum(bool(find_times(text) or parse_day(text)) for text in texts)
    return labelled >= 2 or len(blocks) > _MAX_PARAGRAPHS_PER_EVENT


def split_crowded_cells(table: Table) -> Table:
    """A ruled region holding several entries (a partly ruled table, list rows sharing one
    frame) becomes one text-derived cell per paragraph; a region holding one event with its
    notes stays one cell."""
    cells: list[Cell] = []
    for cell in table.cells:
        blocks = text_blocks(cell.lines) if len(cell.lines) > 1 else [cell.lines]
        # A word written letter by letter down a cell is one text, not several.
        worded = [b for b in blocks if sum(len(line.text.strip()) for line in b) >= 2]
        if len(worded) > 1 and _holds_several_events(worded):
            cells.extend(_block_cell(block) for block in blocks)
        else:
            cells.append(cell)
    return table.model_copy(update={"cells": cells})


def text_table(lines: list[OcrLine]) -> Table | None:
    """Fallback for unruled tables: one text-derived cell per paragraph of text."""
    if len(lines) < 4:
        return None
    cells = [_block_cell(block) for block in text_blocks(lines)]
    return Table(box=Box.enclosing([cell.box for cell in cells]), cells=cells, ruled=False)
