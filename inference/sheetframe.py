"""Sheet frame: a screenshot of a spreadsheet app read without the app around the sheet.

A timetable kept in Excel, Calc, Numbers or Google Sheets is uploaded as a screenshot: the sheet
sits in a frame of column letters ("A B C …" along the top) and row numbers ("1 2 3 …" down the
left), under the app's toolbar and formula bar, above its sheet tabs and beside its side panels.
To the page's reading all of it is text: a column letter "M" or "F" is a day name, the formula
bar repeats a cell ("Science Rm 310"), a tab "Sheet3" is an event. The frame says where the sheet
is: letters in sheet order along one text row, numbers counting up down one column left of
them. Where it is found, its own lines, the formula bar and the app below and beside the sheet
are dropped; and where the sheet hides its gridlines (under fills, or turned off), its cells
are the lattice the frame and the empty cells around the timetable still draw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from inference.schema import Box, OcrLine, Table
from inference.structure import cluster, index_cells

# Column letters in sheet order along one row: at least this many make a frame.
MIN_LETTERS = 4
# Row numbers counting up down one column, left of the letters: at least this many.
MIN_NUMBERS = 3
# The selected cell's reference that begins the formula bar ("E6", "AB12").
_CELL_REF = re.compile(r"^[A-Z]{1,2}[1-9]\d{0,3}$")
# A sheet's title floats above the letters at most this many line heights (Numbers): the
# app's ribbon and toolbars stand further up.
TITLE_GAP = 2
# Cell edges this close (px) are one ruling of the sheet's lattice.
RULING_GAP = 6
# A line reaches into a lattice cell by this share of the smaller of the two.
OVERLAP = 0.25
# Letters alone make a frame at this many (a sheet whose row numbers the reading missed).
LETTERS_ALONE = 6


def _column_index(text: str) -> int | None:
    """A sheet's column letter ("A" → 1, "AB" → 28), or None."""
    text = text.strip()
    if not (1 <= len(text) <= 2 and text.isascii() and text.isalpha() and text.isupper()):
        return None
    index = 0
    for letter in text:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index


def _row_number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 4 else None


def _counting_up(lines: list[OcrLine], value, position) -> list[OcrLine]:
    """The longest run of `lines`, in order of `position`, whose values strictly increase."""
    ordered = sorted(lines, key=position)
    best: list[list[OcrLine]] = []
    for k, line in enumerate(ordered):
        before = [best[j] for j in range(k) if value(ordered[j]) < value(line)]
        best.append(max(before, key=len, default=[]) + [line])
    return max(best, key=len, default=[])


def _longest_count(lines: list[OcrLine], value, across, along, tolerance: float
                   ) -> list[OcrLine]:
    """Among lines grouped by their position `across` (neighbours within `tolerance`: one text
    row, or one column), the longest run whose `value` counts up `along` it."""
    groups: list[list[OcrLine]] = []
    for line in sorted(lines, key=across):
        if groups and across(line) - across(groups[-1][-1]) <= tolerance:
            groups[-1].append(line)
        else:
            groups.append([line])
    return max((_counting_up(group, value, along) for group in groups), key=len, default=[])


def _letter_row(lines: list[OcrLine], height: float) -> list[OcrLine]:
    letters = [line for line in lines if _column_index(line.text) is not None]
    return _longest_count(letters, lambda line: _column_index(line.text),
                          lambda line: line.box.cy, lambda line: line.box.cx, 0.5 * height)


def _number_column(lines: list[OcrLine], left_of: float, below: float, height: float
                   ) -> list[OcrLine]:
    numbers = [line for line in lines if _row_number(line.text) is not None
               and line.box.x1 < left_of and line.box.cy > below]
    return _longest_count(numbers, lambda line: _row_number(line.text),
                          lambda line: line.box.cx, lambda line: line.box.cy, height)


def _formula_bar(lines: list[OcrLine], top: float, height: float) -> list[OcrLine]:
    """Lines on the formula bar's row: the row above the sheet that begins with the selected
    cell's reference ("E6"), and repeats that cell's text beside it."""
    refs = [line for line in lines if line.box.cy < top and _CELL_REF.match(line.text.strip())]
    return [line for line in lines
            if any(abs(line.box.cy - ref.box.cy) <= 0.5 * height for ref in refs)]


@dataclass(frozen=True)
class SheetFrame:
    """Where a spreadsheet app's frame puts the sheet: under `top` (the letter row), right of
    `left` (the row numbers), above `bottom` (a row under the last number shown), inside
    `table` (the ruled grid of the sheet's cells, when found); `dropped`: the frame's own
    lines and the formula bar's; `bar_bottom`: where the formula bar ends."""

    top: float
    left: float
    bottom: float
    table: int | None
    dropped: frozenset[int]
    bar_bottom: float
    height: float


def find_frame(lines: list[OcrLine], tables: list[Table]) -> SheetFrame | None:
    """The sheet frame on the page, or None when the page shows none."""
    upright = [line for line in lines if line.angle == 0]
    if not upright:
        return None
    height = median(line.box.height for line in upright)
    letters = _letter_row(upright, height)
    if len(letters) < MIN_LETTERS:
        return None
    numbers = _number_column(upright, min(line.box.x0 for line in letters),
                             max(line.box.y1 for line in letters), height)
    if len(numbers) < MIN_NUMBERS and len(letters) < LETTERS_ALONE:
        return None
    top = min(line.box.y0 for line in letters)
    bottom = float("inf")
    if len(numbers) >= 2:  # the last row shown, and a row more: tabs and status bar below
        # (the pitch of the rows there, not of the timetable's taller rows)
        pitch = (numbers[-1].box.cy - numbers[-2].box.cy) / (
            _row_number(numbers[-1].text) - _row_number(numbers[-2].text))
        bottom = numbers[-1].box.cy + max(pitch, height)
    # The ruled grid the letters head runs on under them: a strip of the letters alone (the
    # letter bar ruled as a row of its own) is none of the sheet.
    under = max(line.box.y1 for line in letters) + 2 * height
    table = next((k for k, table in enumerate(tables)
                  if table.box.y1 > under and sum(table.box.contains_point(line.box.cx, line.box.cy)
                                                  for line in letters) * 2 > len(letters)), None)
    formula_bar = _formula_bar(upright, top, height)
    return SheetFrame(
        top=top, left=max((line.box.x1 for line in numbers), default=0.0), bottom=bottom,
        table=table, dropped=frozenset(id(line) for line in letters + numbers + formula_bar),
        bar_bottom=max((line.box.y1 for line in formula_bar), default=0.0), height=height)


def _in_sheet(line: OcrLine, frame: SheetFrame, tables: list[Table]) -> bool:
    """Below the letters, the sheet reaches as far as the ruled grid it heads (its empty cells
    run to the window's edges): tabs, a status bar and side panels lie outside it. Above the
    letters, only a title right above them is the sheet's (Numbers prints it there)."""
    x, y = line.box.cx, line.box.cy
    if id(line) in frame.dropped or x <= frame.left or y >= frame.bottom:
        return False
    sheet = None if frame.table is None else tables[frame.table].box
    if sheet is not None and not sheet.x0 <= x <= sheet.x1:
        return False
    if y < frame.top:
        return (line.box.y1 >= frame.top - TITLE_GAP * frame.height
                and line.box.y0 >= frame.bar_bottom)
    return sheet is None or sheet.contains_point(x, y)


def _lattice(table: Table, axis: str) -> list[float]:
    """The sheet's column (x) or row (y) edges: cell edges two or more drawn cells share (the
    empty cells around the timetable and the frame's own carry every one)."""
    boxes = [cell.box for cell in table.cells if not cell.from_text]
    edges = [edge for b in boxes for edge in ((b.x0, b.x1) if axis == "x" else (b.y0, b.y1))]
    return cluster(edges, RULING_GAP, min_size=2)


def _span(lo: float, hi: float, edges: list[float]) -> tuple[int, int] | None:
    """The lattice intervals [k, m] the extent lo–hi reaches well into, or None."""
    inside = [k for k, (a, b) in enumerate(zip(edges, edges[1:], strict=False))
              if min(hi, b) - max(lo, a) >= OVERLAP * min(hi - lo, b - a)]
    return (inside[0], inside[-1]) if inside else None


def _side_by_side(spans: list[tuple[int, int]]) -> bool:
    """Two of the lattice column spans lie apart: the lines are in cells side by side."""
    return any(a[1] < b[0] or b[1] < a[0] for a in spans for b in spans)


def _centred_across(lines: list[OcrLine], spans: dict, xs: list[float]) -> dict:
    """Spans of lines merged and centred across the week ("Merge & Center"): a row's last line,
    every other line of its row in the first used column (its time or label), standing at the
    middle of the used columns after that one. "B R E A K" written once across the days then
    covers them all, as the sheet means it."""
    placed = [(line, cols, rows) for line in lines
              for cols, rows in [spans[id(line)]] if cols is not None and rows is not None]
    if not placed:
        return {}
    first = min(cols[0] for _, cols, _ in placed)
    last = max(cols[1] for _, cols, _ in placed)
    centre = (xs[first + 1] + xs[last + 1]) / 2
    width = (xs[last + 1] - xs[first + 1]) / max(1, last - first)
    out = {}
    for line, cols, rows in placed:
        row = [other for other, _, r in placed if r == rows and other is not line]
        if (cols[0] > first and all(spans[id(other)][0][1] == first for other in row)
                and abs(line.box.cx - centre) <= width / 2 and last - first >= 2):
            out[id(line)] = ((first + 1, last), rows)
    return out


def _sheet_cells(lines: list[OcrLine], table: Table) -> Table:
    """The sheet's table with a cell for each group of lines in no drawn cell: a sheet hides
    its gridlines under fills and inside its used range, but its cells are the lattice the
    frame and the empty cells draw. A drawn region holding lines side by side in different
    columns is such a used range, not a cell. A line reaching into several lattice cells (a
    merge, a title spilling over empty cells) takes them all; lines in one lattice cell are
    its text."""
    xs, ys = _lattice(table, "x"), _lattice(table, "y")
    spans = {id(line): (_span(line.box.x0, line.box.x1, xs), _span(line.box.y0, line.box.y1, ys))
             for line in lines}
    drawn = []
    for cell in table.cells:
        inside = [spans[id(line)][0] for line in lines
                  if cell.box.contains_point(line.box.cx, line.box.cy)]
        if not _side_by_side([span for span in inside if span is not None]):
            drawn.append(cell.box)
    spans.update(_centred_across(lines, spans, xs))
    boxes: list[Box] = []
    for line in lines:
        cols, rows = spans[id(line)]
        if cols is None or rows is None or any(
                box.contains_point(line.box.cx, line.box.cy) for box in drawn):
            continue
        box = Box(x0=xs[cols[0]], y0=ys[rows[0]], x1=xs[cols[1] + 1], y1=ys[rows[1] + 1])
        merged = [other for other in boxes if other.x_overlap(box) > 0
                  and min(other.y1, box.y1) > max(other.y0, box.y0)]
        boxes = [other for other in boxes if other not in merged]
        boxes.append(Box.enclosing([box, *merged]))
    if len(drawn) == len(table.cells) and not boxes:
        return table
    tolerance = max(6.0, 0.006 * max(table.box.width, table.box.height))
    return table.model_copy(update={"cells": index_cells(drawn + boxes, tolerance)})


def read_sheet(lines: list[OcrLine], tables: list[Table]
               ) -> tuple[list[OcrLine], list[Table]]:
    """The page's lines without a spreadsheet app's frame and the app around the sheet, and
    its tables with the sheet's cells where the sheet hides its gridlines; both as they are
    when the page shows no sheet frame."""
    frame = find_frame(lines, tables)
    if frame is None:
        return lines, tables
    lines = [line for line in lines if _in_sheet(line, frame, tables)]
    if frame.table is not None:
        tables = [_sheet_cells(lines, table) if k == frame.table else table
                  for k, table in enumerate(tables)]
    return lines, tables
