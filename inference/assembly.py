"""Cells → timeblocks, by geometry.

Every timetable has a day axis and a time axis. Day header cells ("Monday", "Tu") stacked
vertically mean days are rows and the time headers run along the top; side by side, days are
columns and times run down the left. A list layout (one table per day group, rows of
`time | event`) has no day headers: its days come from the table's title. Each header cell is
an *anchor*: an extent along its axis with a day or a time range. An event cell takes every
day whose band it covers and the times where its edges fall on the time anchors (a merged
cell takes the union; an edge inside a slot is interpolated and the time marked implied).
A time printed inside the cell overrides the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from statistics import median

from inference.reading import cell_text, reading_order
from inference.schema import DAYS, Box, Cell, OcrLine, Table, TimeBlock
from inference.timeparse import (
    find_times,
    is_time_text,
    parse_day,
    parse_day_list,
    strip_times,
    to_hhmm,
)

WEEKDAYS = list(DAYS[:5])


@dataclass
class Anchor:
    """A header cell's extent [lo, hi] along its axis, with what it names."""

    lo: float
    hi: float
    day: str | None = None
    start: int | None = None
    end: int | None = None
    end_implied: bool = False
    # A grid's start-only time header: its implied end places a time inside its slot, but a
    # block ending on it has no end (as real start-only grids are labelled; a list's lone start
    # keeps the next row's as an unscored end, as real lists are).
    end_unsaid: bool = False


@dataclass
class Assembly:
    blocks: list[TimeBlock] = field(default_factory=list)
    heading_lines: list[OcrLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    layouts: list[str] = field(default_factory=list)


# --- reading a cell ------------------------------------------------------------------------


def _line_size(line: OcrLine) -> float:
    return line.box.width if line.angle else line.box.height


# Short words that start a wrapped line on their own, not the tail of a broken word.
_SHORT_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to",
                "with", "&"}


def _join(parts: list[str]) -> str:
    """Join wrapped lines; a lowercase fragment right after a line is a word broken in two
    ("Engli" + "sh", "Comprehens" + "ion/library")."""
    text = ""
    for part in parts:
        first_word = part.split()[0]
        broken = bool(text) and text[-1].isalpha() and part[:1].islower() and (
            len(first_word) <= 3 or part.startswith(("ion", "tion", "ing", "ment"))
        ) and first_word not in _SHORT_WORDS
        text = text + part if broken else f"{text} {part}".strip()
    return text


def name_and_notes(lines: list[OcrLine]) -> tuple[str, str | None]:
    """The event name (the first line and lines of the same size after it) and the notes
    (smaller lines after it), with printed times removed."""
    parts = [(strip_times(line.text), line) for line in reading_order(lines)]
    parts = [(text, line) for text, line in parts if re.search(r"[A-Za-z0-9]", text)]
    if not parts:
        return "", None
    first_size = _line_size(parts[0][1])
    split = 1
    while split < len(parts) and _line_size(parts[split][1]) >= 0.85 * first_size:
        if parts[split][0].startswith("("):
            break
        split += 1
    name = _join([text for text, _ in parts[:split]])
    notes = _join([text for text, _ in parts[split:]]) or None
    return name, notes


# --- anchors and bands ---------------------------------------------------------------------


def _extent(box: Box, axis: str) -> tuple[float, float]:
    return (box.y0, box.y1) if axis == "y" else (box.x0, box.x1)


def _tile(anchors: list[Anchor]) -> list[Anchor]:
    """Sort anchors and close the gaps between neighbours (unruled headers are only as big as
    their text), so every position between the first and last anchor belongs to one."""
    anchors = sorted(anchors, key=lambda a: a.lo)
    for a, b in zip(anchors, anchors[1:], strict=False):
        if b.lo > a.hi:
            middle = (a.hi + b.lo) / 2
            a.hi, b.lo = middle, middle
    return anchors


def _fill_single_times(anchors: list[Anchor]) -> None:
    """A header with only a start time ends where the next one starts (implied)."""
    for a, b in zip(anchors, anchors[1:], strict=False):
        if a.end is None and a.start is not None and b.start is not None and b.start > a.start:
            a.end, a.end_implied = b.start, True


def _round5(minutes: float) -> int:
    return int(5 * round(minutes / 5))


def time_at(anchors: list[Anchor], pos: float, edge: str) -> tuple[int | None, bool]:
    """The time at `pos` on the time axis, as a start or an end edge; and whether it falls on
    a header boundary (exact) or inside a slot (interpolated, i.e. implied)."""
    timed = [a for a in anchors if a.start is not None]
    if not timed:
        return None, False

    def boundary(a: Anchor) -> float:
        return a.lo if edge == "start" else a.hi

    nearest = min(timed, key=lambda a: abs(boundary(a) - pos))
    value = nearest.start if edge == "start" else nearest.end
    if abs(boundary(nearest) - pos) <= 0.25 * (nearest.hi - nearest.lo):
        if edge == "end" and nearest.end_unsaid:
            return None, True  # the contract's null, scored: the page says no end
        exact = edge == "start" or not nearest.end_implied
        return value, exact and value is not None
    inside = [a for a in timed if a.lo <= pos <= a.hi and a.end is not None]
    if not inside:
        return value, False
    a = inside[0]
    assert a.start is not None and a.end is not None
    return _round5(a.start + (pos - a.lo) / (a.hi - a.lo) * (a.end - a.start)), False


def slot_at(anchors: list[Anchor], pos: float) -> tuple[int | None, int | None]:
    """Start and end of the time slot whose band holds `pos`."""
    for a in anchors:
        if a.lo <= pos <= a.hi and a.start is not None:
            return a.start, a.end
    return None, None


def _covered_days(day_anchors: list[Anchor], lo: float, hi: float) -> list[str]:
    days = []
    for a in day_anchors:
        overlap = min(hi, a.hi) - max(lo, a.lo)
        if overlap >= 0.5 * min(a.hi - a.lo, hi - lo) and a.day and a.day not in days:
            days.append(a.day)
    return days


# --- one table -----------------------------------------------------------------------------


def _first_time(text: str) -> tuple[int | None, int | None]:
    times = find_times(text)
    ranges = [t for t in times if t.end is not None]
    chosen = (ranges or times or [None])[0]
    return (chosen.start, chosen.end) if chosen else (None, None)


def _day_axis(day_cells: list[Cell]) -> str | None:
    if len({parse_day(c_text(c)) for c in day_cells}) < 2:
        return None
    xs = [c.box.cx for c in day_cells]
    ys = [c.box.cy for c in day_cells]
    return "y" if (max(ys) - min(ys)) > (max(xs) - min(xs)) else "x"


def c_text(cell: Cell) -> str:
    return cell_text(cell.lines)


def _block(day: str, name: str, notes: str | None, start: int | None, end: int | None,
           exact: bool, cell: Cell) -> TimeBlock:
    score = min((line.score for line in cell.lines), default=0.0)
    return TimeBlock(
        day=day,
        name=name,
        notes=notes,
        start_time=to_hhmm(start) if start is not None else None,
        end_time=to_hhmm(end) if end is not None and (start is None or end > start) else None,
        time_scored=exact,
        confidence=round(score * (1.0 if exact else 0.8), 3),
        source_box=cell.box,
    )


def _event_blocks(cell: Cell, days: list[str], time_anchors: list[Anchor], axis: str
                  ) -> list[TimeBlock]:
    name, notes = name_and_notes(cell.lines)
    if not name or not days:
        return []
    start, end = _first_time(c_text(cell))
    exact = start is not None and end is not None
    if not exact:
        lo, hi = _extent(cell.box, axis)
        if cell.from_text:
            # Only the text's box is known, not the cell's edges: take the slot it sits in.
            header_start, header_end = slot_at(time_anchors, (lo + hi) / 2)
            start_exact = end_exact = False
        else:
            header_start, start_exact = time_at(time_anchors, lo, "start")
            header_end, end_exact = time_at(time_anchors, hi, "end")
        start = start if start is not None else header_start
        end = header_end
        exact = start_exact and end_exact
    return [_block(day, name, notes, start, end, exact, cell) for day in days]


def assemble_table(table: Table, context_days: list[str]) -> tuple[list[TimeBlock], str]:
    """Blocks from one table and the layout it was read as ("days-rows", "days-columns",
    "list" or "none" for a table with no timetable in it)."""
    texts = {id(c): c_text(c) for c in table.cells}
    day_cells = [c for c in table.cells if parse_day(texts[id(c)])]
    axis = _day_axis(day_cells)
    if axis is not None:
        return _grid_blocks(table, day_cells, axis, texts)
    return _list_blocks(table, texts, context_days)


def _grid_blocks(table: Table, day_cells: list[Cell], day_axis: str, texts: dict[int, str]
                 ) -> tuple[list[TimeBlock], str]:
    time_axis = "x" if day_axis == "y" else "y"
    day_anchors = _tile([
        Anchor(*_extent(c.box, day_axis), day=parse_day(texts[id(c)])) for c in day_cells
    ])
    # The day headers sit in one column (or row); the time headers before the first day.
    header_edge = min(_extent(c.box, day_axis)[0] for c in day_cells)
    day_line_end = median(_extent(c.box, time_axis)[1] for c in day_cells)
    tol = 0.3 * median(a.hi - a.lo for a in day_anchors)
    time_anchors = []
    events = []
    for cell in table.cells:
        if cell in day_cells or not texts[id(cell)]:
            continue
        lo_d, hi_d = _extent(cell.box, day_axis)
        lo_t, _ = _extent(cell.box, time_axis)
        if hi_d <= header_edge + tol:
            start, end = _first_time(texts[id(cell)])
            if start is not None:
                time_anchors.append(Anchor(*_extent(cell.box, time_axis), start=start, end=end,
                                           end_unsaid=end is None))
        elif lo_t >= day_line_end - tol:
            events.append(cell)
    time_anchors = _tile(time_anchors)
    _fill_single_times(time_anchors)
    blocks = []
    for cell in events:
        days = _covered_days(day_anchors, *_extent(cell.box, day_axis))
        blocks.extend(_event_blocks(cell, days, time_anchors, time_axis))
    return blocks, f"days-{'rows' if day_axis == 'y' else 'columns'}"


def _list_blocks(table: Table, texts: dict[int, str], context_days: list[str]
                 ) -> tuple[list[TimeBlock], str]:
    time_cells = [c for c in table.cells if texts[id(c)] and is_time_text(texts[id(c)])]
    if len(time_cells) < 2:
        return [], "none"
    body_top = min(c.box.y0 for c in time_cells)
    titles = [c for c in table.cells if c.box.y1 <= body_top + 5 and texts[id(c)]]
    days = [d for c in titles for d in parse_day_list(texts[id(c)])] or context_days
    time_anchors = []
    for cell in time_cells:
        start, end = _first_time(texts[id(cell)])
        time_anchors.append(Anchor(cell.box.y0, cell.box.y1, start=start, end=end))
    time_anchors = _tile(time_anchors)
    _fill_single_times(time_anchors)
    blocks = []
    for cell in table.cells:
        if cell in time_cells or cell in titles or not texts[id(cell)]:
            continue
        if re.fullmatch(r"\d{1,2}", texts[id(cell)]):
            continue  # a row number
        blocks.extend(_event_blocks(cell, days, time_anchors, "y"))
    return blocks, "list"


def _days_above(table: Table, outside: list[OcrLine]) -> list[str]:
    """The days named by the nearest line above `table` that names any and stands over it: a
    page of per-day lists whose titles fell outside their ruled boxes ("Wednesday" over one,
    "Friday" over the next) gives each list its own day."""
    over = [line for line in outside
            if line.box.y1 <= table.box.y0 + 0.5 * line.box.height
            and line.box.shares_column(table.box)]
    for line in sorted(over, key=lambda line: -line.box.y1):
        days = parse_day_list(line.text)
        if days:
            return days
    return []


def assemble(tables: list[Table], outside: list[OcrLine]) -> Assembly:
    """All blocks of the page plus the heading text (everything that is not a timetable). A
    table with no day of its own takes the days of the heading line just above it, else those
    of the whole heading."""
    result = Assembly(heading_lines=list(outside))
    heading_days = parse_day_list(" ".join(line.text for line in outside))
    for table in tables:
        context = _days_above(table, outside) or heading_days or WEEKDAYS
        blocks, layout = assemble_table(table, context)
        result.layouts.append(layout)
        if layout == "none":
            result.heading_lines.extend(line for cell in table.cells for line in cell.lines)
            continue
        if layout == "list" and not heading_days and not any(
            parse_day_list(c_text(c)) for c in table.cells
        ):
            result.warnings.append("no day named for a list table: assumed Monday to Friday")
        result.blocks.extend(blocks)
    return result
