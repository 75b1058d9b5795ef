"""Training-time damage to what the structure stage hands the document model.

On real pages the structure stage sometimes merges the cells of a column or a row: a time
column printed without inner rules becomes one tall cell, and every time line in it reads as
row 0 with the same cell box. A model that only ever saw well-cut grids then cannot tell those
rows apart. Training shows it a share of pages with such a merge, so the pair heads learn to
fall back on where the text boxes themselves sit.
"""

from __future__ import annotations

import numpy as np

from inference.document.features import PageReading
from inference.schema import Box


def merge_cells(reading: PageReading, rng: np.random.Generator) -> PageReading | None:
    """A copy of `reading` in which a run of two or more neighbouring cells of one column (or
    one row) of one table is a single cell, as a structure stage that missed the rules between
    them would report it; None when no table has two cells in a line."""
    lanes: dict[tuple[int, int, int], dict[int, list[int]]] = {}
    for i, line in enumerate(reading.lines):
        if line.table < 0:
            continue
        # axis 0: cells of one column, ordered by row; axis 1: cells of one row, by column.
        lanes.setdefault((line.table, 0, line.col), {}).setdefault(line.row, []).append(i)
        lanes.setdefault((line.table, 1, line.row), {}).setdefault(line.col, []).append(i)
    candidates = [key for key, cells in lanes.items() if len(cells) >= 2]
    if not candidates:
        return None
    key = candidates[rng.integers(len(candidates))]
    axis, cells = key[1], lanes[key]
    positions = sorted(cells)
    first = int(rng.integers(len(positions) - 1))
    last = int(rng.integers(first + 1, len(positions)))
    merged = [i for p in positions[first: last + 1] for i in cells[p]]
    lines = list(reading.lines)
    union = Box.enclosing([lines[i].region for i in merged])
    start = positions[first]
    if axis == 0:
        end = max(lines[i].row + max(lines[i].row_span, 1) for i in merged)
        update = {"row": start, "row_span": end - start}
    else:
        end = max(lines[i].col + max(lines[i].col_span, 1) for i in merged)
        update = {"col": start, "col_span": end - start}
    for i in merged:
        lines[i] = lines[i].model_copy(update={"cell_box": union, **update})
    return PageReading(width=reading.width, height=reading.height, lines=lines)
