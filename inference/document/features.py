"""What the document model reads from a page: every OCR line with its box, reading angle, OCR
certainty and, when the structure stage put it in a table cell, that cell's grid position.

`PageReading` is the boundary between the pipeline's reading stages and the model: built from a
`PageTrace` at inference time, and cached as JSON for training (training/document/prepare.py).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from inference.reading import reading_order
from inference.schema import Box, CalendarFrame, OcrLine, Table
from inference.timeparse import TimeSpan, find_times, parse_day, parse_day_list


class ReadLine(BaseModel):
    text: str
    box: Box
    score: float = 1.0
    angle: int = 0
    # The cell holding the line (its own box when it is in none) and that cell's grid position
    # (-1: not in a table cell). A line's text box is small; the cell says what it spans.
    cell_box: Box | None = None
    table: int = -1
    row: int = -1
    col: int = -1
    row_span: int = 0
    col_span: int = 0
    ruled: bool = False
    # The cell was inferred from the text's alignment: its box is the text's, not drawn edges.
    from_text: bool = False
    card: Box | None = None  # the filled card the cell's text stands in alone (`Cell.card`)

    @property
    def region(self) -> Box:
        """What the line spans on the page: its cell, or its own box outside a table."""
        return self.cell_box or self.box

    def ocr_line(self) -> OcrLine:
        return OcrLine(text=self.text, box=self.box, score=self.score, angle=self.angle)


class PageReading(BaseModel):
    width: int
    height: int
    lines: list[ReadLine]
    calendar: CalendarFrame | None = None  # a calendar's (`inference/calendar.py`)


def _cell_positions(tables: list[Table]) -> dict[int, tuple]:
    """id(OcrLine) → (cell box, table, row, col, row span, col span, ruled, from text, card)
    for lines in cells."""
    positions = {}
    for t, table in enumerate(tables):
        for cell in table.cells:
            for line in cell.lines:
                positions[id(line)] = (cell.box, t, cell.row, cell.col, cell.row_span,
                                       cell.col_span, table.ruled, cell.from_text, cell.card)
    return positions


def page_reading(trace) -> PageReading:  # trace: inference.pipeline.PageTrace (no import cycle)
    height, width = trace.image.shape[:2]
    positions = _cell_positions(trace.tables)
    lines = []
    for line in trace.lines:
        cell_box, t, row, col, rs, cs, ruled, from_text, card = positions.get(
            id(line), (line.box, -1, -1, -1, 0, 0, False, False, None))
        lines.append(ReadLine(text=line.text, box=line.box, score=line.score, angle=line.angle,
                              cell_box=cell_box, table=t, row=row, col=col, row_span=rs,
                              col_span=cs, ruled=ruled, from_text=from_text, card=card))
    return PageReading(width=width, height=height, lines=lines,
                       calendar=trace.calendar)


def cell_key(line: ReadLine) -> tuple | None:
    """Names the table cell holding the line (None outside a table): lines with one key are
    one cell's text."""
    if line.table < 0:
        return None
    box = line.region
    return (line.table, round(box.x0), round(box.y0), round(box.x1), round(box.y1))


def reading_units(lines: list[ReadLine]) -> list[list[int]]:
    """Indices of lines read as one text, in reading order: all lines of one table cell (OCR
    often splits a written range over lines, "9 –" above "9.30"), and each line outside a table
    alone."""
    units: list[list[int]] = []
    cells: dict[tuple, list[int]] = {}
    for i, line in enumerate(lines):
        if line.table < 0:
            units.append([i])
            continue
        # The cell's box, not only its grid position: the text-derived cells of a crowded
        # region all sit at row 0, column 0 and are separate texts.
        key = cell_key(line)
        if key not in cells:
            cells[key] = []
            units.append(cells[key])
        cells[key].append(i)
    return [in_reading_order(lines, unit) for unit in units]


def in_reading_order(lines: list[ReadLine], unit: list[int]) -> list[int]:
    """The indices `unit` of `lines`, in the order a person reads them."""
    read = [lines[i].ocr_line() for i in unit]
    index_of = {id(line): i for i, line in zip(unit, read, strict=True)}
    return [index_of[id(line)] for line in reading_order(read)]


# Words a header naming days may hold besides them ("Monday – Week A", "Tuesday (PE day)").
_HEADER_WORDS = {"and", "to", "or", "only", "week", "wk", "am", "pm", "day", "days"}


# A day's title with a remark in brackets, and what follows it after a dash: "MONDAY (late
# start) — all periods", "Friday (half day)".
_DAY_REMARKED = re.compile(r"^\s*([A-Za-z]{3,})\s*\([^)]*\)\s*(?:[-–—].*)?$")


def _sentence(text: str) -> bool:
    """A line of running text that mentions days ("PE kits needed Tuesday and Friday. Library
    books back on Thursdays."): more than two words that are no day, so it heads none. A day's
    title with its remark in brackets is no sentence."""
    remarked = _DAY_REMARKED.match(text)
    if remarked and parse_day_list(remarked.group(1)):
        return False
    words = re.findall(r"[A-Za-z]{2,}", text)
    return sum(word.lower() not in _HEADER_WORDS and not parse_day_list(word)
               for word in words) > 2


def line_days(lines: list[ReadLine]) -> list[list[str]]:
    """The days each line names. A line may name several on its own ("Mon – Fri"); a header
    cell may name one that none of its lines names alone, like a day written letter by letter
    down a narrow column (each letter its own OCR line) or a short form that is a day only
    alone in its cell ("Tu", "W"): each line of such a cell names the cell's day."""
    days = [[] if _sentence(line.text) else parse_day_list(line.text) for line in lines]
    for unit in reading_units(lines):
        if any(days[i] for i in unit):
            continue
        day = parse_day(" ".join(lines[i].text for i in unit))
        for i in unit if day else ():
            days[i] = [day]
    return days


def time_atoms(lines: list[ReadLine]) -> list[tuple[int, int, int]]:
    """Every time written on the page as (line index, position in the line, minutes). Times are
    parsed from each reading unit's text in reading order, so a range split over two lines of a
    cell still yields both ends; each end belongs to the line holding its last character."""
    written = []  # (line, span, its text), in reading order
    for unit in reading_units(lines):
        text, owner = "", []  # owner[c]: the line character c of the unit's text comes from
        for i in unit:
            if text:
                text += " "
                owner.append(i)
            text += lines[i].text
            owner.extend([i] * len(lines[i].text))
        for span in find_times(text):
            # One written range or time: its values go to the line that completes it.
            written.append((owner[len(text[: span.span[1]].rstrip()) - 1], span,
                            text[span.span[0]:span.span[1]]))
    ranged = _span_of_ranges([span for _, span, _ in written])
    atoms = []
    position: dict[int, int] = {}
    for i, span, text in written:
        if (ranged and span.end is None and _DOTTED.fullmatch(text.strip())
                and not ranged[0] <= span.start <= ranged[1]
                and not SCHOOL_DAY[0] <= span.start <= SCHOOL_DAY[1]):
            continue  # a room ("6.15" under a lesson's name), no time of the day's
        for minutes in span.values:
            atoms.append((i, position.get(i, 0), minutes))
            position[i] = position.get(i, 0) + 1
    return atoms


# A lone "hour.minutes" (no am/pm) further than this many minutes outside the span of the
# page's written ranges, three of them at least, and outside the school day, is a room
# number, not a time ("6.15" read by the school-hours rule is 18:15; a start-only "8.50"
# before a page's first range is a time).
ROOM_MARGIN = 60
SCHOOL_DAY = (7 * 60, 18 * 60)
MIN_RANGES = 3
_DOTTED = re.compile(r"\d{1,2}\.\d{2}")


def _span_of_ranges(spans: list[TimeSpan]) -> tuple[int, int] | None:
    """The span of the page's written ranges, widened by `ROOM_MARGIN`; None with fewer than
    `MIN_RANGES` ranges."""
    ranges = [span for span in spans if span.end is not None]
    if len(ranges) < MIN_RANGES:
        return None
    return (min(span.start for span in ranges) - ROOM_MARGIN,
            max(span.end for span in ranges) + ROOM_MARGIN)
