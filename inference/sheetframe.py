"""Sheet frame: a screenshot of a spreadsheet app read without the app around the sheet.

A timetable kept in Excel, Calc, Numbers or Google Sheets is uploaded as a screenshot: the sheet
sits in a frame of column letters ("A B C …" along the top) and row numbers ("1 2 3 …" down the
left), under the app's toolbar and formula bar, above its sheet tabs and beside its side panels.
To the page's reading all of it is text: a column letter "M" or "F" is a day name, the formula
bar repeats a cell ("Science Rm 310"), a tab "Sheet3" is an event. The frame says where the sheet
is: letters in sheet order along one text row, numbers counting up down one column left of
them. Where it is found, its own lines, the formula bar and the app below and beside the sheet
are dropped.
"""

from __future__ import annotations

import re
from statistics import median

from inference.schema import OcrLine, Table

# Column letters in sheet order along one row: at least this many make a frame.
MIN_LETTERS = 4
# Row numbers counting up down one column, left of the letters: at least this many.
MIN_NUMBERS = 3
# The selected cell's reference that begins the formula bar ("E6", "AB12").
_CELL_REF = re.compile(r"^[A-Z]{1,2}[1-9]\d{0,3}$")
# A sheet's title floats above the letters at most this many line heights (Numbers): the
# app's ribbon and toolbars stand further up.
TITLE_GAP = 2
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


def _letter_row(lines: list[OcrLine], height: float) -> list[OcrLine]:
    letters = [line for line in lines if _column_index(line.text) is not None]
    rows: list[list[OcrLine]] = []
    for line in sorted(letters, key=lambda line: line.box.cy):
        if rows and abs(line.box.cy - rows[-1][-1].box.cy) <= 0.5 * height:
            rows[-1].append(line)
        else:
            rows.append([line])
    runs = [_counting_up(row, lambda line: _column_index(line.text), lambda line: line.box.cx)
            for row in rows]
    return max(runs, key=len, default=[])


def _number_column(lines: list[OcrLine], left_of: float, below: float, height: float
                   ) -> list[OcrLine]:
    numbers = sorted((line for line in lines if _row_number(line.text) is not None
                      and line.box.x1 < left_of and line.box.cy > below),
                     key=lambda line: line.box.cx)
    columns: list[list[OcrLine]] = []
    for line in numbers:
        if columns and abs(line.box.cx - columns[-1][0].box.cx) <= height:
            columns[-1].append(line)
        else:
            columns.append([line])
    runs = [_counting_up(column, lambda line: _row_number(line.text), lambda line: line.box.cy)
            for column in columns]
    return max(runs, key=len, default=[])


def _formula_bar(lines: list[OcrLine], top: float, height: float) -> list[OcrLine]:
    """Lines on the formula bar's row: the row above the sheet that begins with the selected
    cell's reference ("E6"), and repeats that cell's text beside it."""
    refs = [line for line in lines if line.box.cy < top and _CELL_REF.match(line.text.strip())]
    return [line for line in lines
            if any(abs(line.box.cy - ref.box.cy) <= 0.5 * height for ref in refs)]


def drop_sheet_frame(lines: list[OcrLine], tables: list[Table]) -> list[OcrLine]:
    """`lines` without a spreadsheet app's frame and the app around the sheet it frames; all
    of `lines` when the page shows no sheet frame. Below the letter row the sheet reaches as
    far as the ruled grid it heads (its empty cells run to the window's edges): tabs, a status
    bar and side panels lie outside it. Above the letters, only a title right above them
    stays (Numbers prints it there): the ribbon, toolbars and formula bar go."""
    upright = [line for line in lines if line.angle == 0]
    if not upright:
        return lines
    height = median(line.box.height for line in upright)
    letters = _letter_row(upright, height)
    if len(letters) < MIN_LETTERS:
        return lines
    numbers = _number_column(upright, min(line.box.x0 for line in letters),
                             max(line.box.y1 for line in letters), height)
    if len(numbers) < MIN_NUMBERS and len(letters) < LETTERS_ALONE:
        return lines
    top = min(line.box.y0 for line in letters)
    left = max((line.box.x1 for line in numbers), default=0.0)
    bottom = float("inf")
    if len(numbers) >= 2:  # the last row shown, and a row more: tabs and status bar below
        pitch = (numbers[-1].box.cy - numbers[-2].box.cy) / (  # the rows there, not the timetable's
            _row_number(numbers[-1].text) - _row_number(numbers[-2].text))
        bottom = numbers[-1].box.cy + max(pitch, height)
    sheet = next((table.box for table in tables
                  if sum(table.box.contains_point(line.box.cx, line.box.cy)
                         for line in letters) * 2 > len(letters)), None)
    formula_bar = _formula_bar(upright, top, height)
    dropped = {id(line) for line in letters + numbers + formula_bar}
    # A title floats right above the letters, under the formula bar where there is one.
    bar_bottom = max((line.box.y1 for line in formula_bar), default=0.0)

    def in_sheet(line: OcrLine) -> bool:
        x, y = line.box.cx, line.box.cy
        if id(line) in dropped or x <= left or y >= bottom:
            return False
        if sheet is not None and not sheet.x0 <= x <= sheet.x1:
            return False
        if y < top:  # only a title floating right above the letters
            return line.box.y1 >= top - TITLE_GAP * height and line.box.y0 >= bar_bottom
        return sheet is None or sheet.contains_point(x, y)

    return [line for line in lines if in_sheet(line)]
