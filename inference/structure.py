"""Table structure: ruled grid lines → cells with row/column spans.

Ruling lines are found by morphological opening of the binarised page with long thin kernels.
The regions enclosed by lines are the cells (a merged cell is simply a larger region), and
each table is a connected group of lines. Row and column indices come from clustering the
cells' edges, so spans fall out of how many grid lines a cell crosses.
"""

from __future__ import annotations

import itertools
import re
from statistics import median

import cv2
import numpy as np

from inference.fills import filled_box, one_fill
from inference.rowaxis import GAP, cut_at_row_edges, line_gap, line_spacing
from inference.rulings import fill_edges, line_mask, paper_filled, paper_ruling, without_streaks
from inference.schema import Box, Cell, OcrLine, Table
from inference.tiles import tile_cells
from inference.timeparse import (
    find_times,
    holds_a_name,
    is_day_heading,
    is_time_text,
    parse_day,
    prints_a_range,
    strip_times,
)

# A name, a teacher, a room and a class in the corners: more paragraphs than that in one ruled
# region are entries of a table the ruling only frames.
_MAX_PARAGRAPHS_PER_EVENT = 4
# A ruled table lying this much inside a tiled grid (`inference/tiles.py`) is made of its tiles'
# edges and letters, not drawn.
TILED_OVER = 0.5
# A region whose inner regions cover this share of it is a ring round a grid (`_outermost`).
FRAMED_SHARE = 0.4
# A line this share of a cell's width or nearer to its left or right side hugs it (a corner).
CORNER_SHARE = 0.08
# Pixels a text may overhang a rule it does not cross, or a cut stay clear of a cell's side.
RULE_SLACK = 4


def cluster(values: list[float], tolerance: float, min_size: int = 1) -> list[float]:
    """Sorted cluster centres of 1-D values: neighbours within `tolerance` merge; clusters of
    fewer than `min_size` values are left out."""
    if not values:
        return []
    values = sorted(values)
    groups: list[list[float]] = [[values[0]]]
    for value in values[1:]:
        if value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [float(np.mean(g)) for g in groups if len(g) >= min_size]


def _nearest(centres: list[float], value: float) -> int:
    return int(np.argmin([abs(c - value) for c in centres]))


def index_cells(boxes: list[Box], tolerance: float) -> list[Cell]:
    """Give each cell box a row/column index and span from the clustered cell edges."""
    xs = cluster([b.x0 for b in boxes] + [b.x1 for b in boxes], tolerance)
    ys = cluster([b.y0 for b in boxes] + [b.y1 for b in boxes], tolerance)
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
    paper = paper_ruling(gray)
    if paper is not None:  # a table drawn on ruled paper: its lines are no cell's edges
        gray, image = paper_filled(gray, paper), paper_filled(image, paper)
    mask = without_streaks(cv2.bitwise_or(
        line_mask(gray, gridlines=True),
        cv2.dilate(fill_edges(image), np.ones((3, 3), np.uint8), iterations=2)))
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
    tables = [table for table in tables if not _frames_a_table(table, tables)]
    tiled = tile_cells(image, tolerance)
    if tiled:
        # A tiled grid's edges and letters made any ruled table found over it.
        box = Box.enclosing(tiled)
        tables = [table for table in tables if table.box.overlap_area(box)
                  < TILED_OVER * table.box.width * table.box.height]
        tables.append(Table(box=box, cells=index_cells(tiled, tolerance), ruled=True))
    return sorted(tables, key=lambda t: (t.box.y0, t.box.x0))


# A drawn region holding a whole table is no cell: with at most this many regions, the
# table it belongs to is a frame round the page (a sheet's edge, a margin's line).
_FRAME_CELLS = 3


def _frames_a_table(table: Table, tables: list[Table]) -> bool:
    return len(table.cells) <= _FRAME_CELLS and any(
        other is not table and cell.box.overlap_area(other.box) >= 0.95 * other.box.width
        * other.box.height for cell in table.cells for other in tables)


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
    is the cell's decoration (a highlighted time, a text box), not a cell of its own. A box
    holding a grid (two or more regions over `FRAMED_SHARE` of it) is the margin between a
    frame and the grid, a ring, not a cell: a photographed sheet's edge against the desk, or
    a border drawn round the table, that a rule runs into."""
    def inside(inner: Box, outer: Box) -> bool:
        return (inner is not outer and inner.x0 >= outer.x0 and inner.y0 >= outer.y0
                and inner.x1 <= outer.x1 and inner.y1 <= outer.y1)

    def frames(outer: Box) -> bool:
        held = [box for box in boxes if inside(box, outer)]
        return len(held) >= 2 and sum(box.width * box.height for box in held) >= (
            FRAMED_SHARE * outer.width * outer.height)

    boxes = [box for box in boxes if not frames(box)]
    return [box for box in boxes if not any(inside(box, other) for other in boxes)]


def _grid_edges(cells: list[Cell], axis: str) -> list[float] | None:
    """Where each of a table's columns (`axis` "x") or rows ("y") begins, and where the last
    ends: the median of the cell edges on each grid line; None where a grid line has none."""
    start, span = ("col", "col_span") if axis == "x" else ("row", "row_span")
    count = max(getattr(c, start) + getattr(c, span) for c in cells)
    edges = []
    for k in range(count + 1):
        found = ([getattr(c.box, f"{axis}0") for c in cells if getattr(c, start) == k]
                 + [getattr(c.box, f"{axis}1") for c in cells
                    if getattr(c, start) + getattr(c, span) == k])
        if not found:
            return None
        edges.append(float(np.median(found)))
    return edges


def cover_gaps(tables: list[Table], lines: list[OcrLine]) -> None:
    """Give a ruled table the cells its grid lacks where text stands: a rule lost at a rounded
    corner or between two cells of one colour leaves a slot of the grid with no cell, and its
    text (the last rows' times down a tinted first column) would fall outside the table. A
    line wholly inside one row and one column of the grid, where no cell lies, gets that
    slot's cell."""
    for table in tables:
        if not table.ruled or not table.cells:
            continue
        xs, ys = _grid_edges(table.cells, "x"), _grid_edges(table.cells, "y")
        if xs is None or ys is None:
            continue
        taken = {(r, c) for cell in table.cells for r in range(cell.row, cell.row + cell.row_span)
                 for c in range(cell.col, cell.col + cell.col_span)}
        for line in lines:
            col = next((c for c in range(len(xs) - 1)
                        if xs[c] <= line.box.x0 and line.box.x1 <= xs[c + 1]), None)
            row = next((r for r in range(len(ys) - 1)
                        if ys[r] <= line.box.y0 and line.box.y1 <= ys[r + 1]), None)
            if row is None or col is None or (row, col) in taken:
                continue
            taken.add((row, col))
            table.cells.append(Cell(box=Box(x0=xs[col], y0=ys[row], x1=xs[col + 1],
                                            y1=ys[row + 1]), row=row, col=col))


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
                overlap = cell.box.overlap_area(line.box)
                if overlap > best_overlap:
                    best, best_overlap = cell, overlap
        area = max(1.0, line.box.width * line.box.height)
        if best is not None and best_overlap >= 0.5 * area:
            best.lines.append(line)
        else:
            outside.append(line)
    return outside


def _same_row(a: OcrLine, b: OcrLine) -> bool:
    """The two lines sit on one text row: their centres closer than half a line's height."""
    return abs(a.box.cy - b.box.cy) < 0.5 * min(a.box.height, b.box.height)


# Stacked lines of one paragraph are at most this many line heights apart; in one filled box,
# CARD_GAP (a card's name wrapped over two lines, its time set off below them).
PARAGRAPH_GAP = 0.8
CARD_GAP = 2.0


def _adjacent(a: OcrLine, b: OcrLine, gap_share: float = PARAGRAPH_GAP) -> bool:
    """Two lines of the same paragraph: stacked with a gap of at most `gap_share` line heights
    and overlapping across (for rotated text, side by side and overlapping along)."""
    if a.angle or b.angle:
        size = min(a.box.width, b.box.width)
        gap = max(a.box.x0, b.box.x0) - min(a.box.x1, b.box.x1)
        overlap = min(a.box.y1, b.box.y1) - max(a.box.y0, b.box.y0)
        return gap < gap_share * size and overlap > 0.3 * min(a.box.height, b.box.height)
    size = min(a.box.height, b.box.height)
    gap = max(a.box.y0, b.box.y0) - min(a.box.y1, b.box.y1)
    overlap = a.box.x_overlap(b.box)
    near_in_row = _same_row(a, b) and overlap > -0.6 * size
    return near_in_row or (gap < gap_share * size
                           and overlap > 0.3 * min(a.box.width, b.box.width))


def _ruled_apart(a: OcrLine, b: OcrLine, rules: np.ndarray) -> bool:
    """Whether a drawn rule runs in the gap between two stacked lines, across both of them and
    on past their ends: a rule between a table's rows, not a stroke of the text itself nor
    the dark gap between two lines of light text."""
    upper, lower = (a, b) if a.box.cy < b.box.cy else (b, a)
    past = min(a.box.height, b.box.height)
    x0 = int(min(a.box.x0, b.box.x0) - past)
    x1 = int(max(a.box.x1, b.box.x1) + past)
    y0, y1 = int(upper.box.y1) - 2, int(lower.box.y0) + 3
    band = rules[max(0, y0):y1, max(0, x0):x1] > 0
    return band.size > 0 and bool((band.mean(axis=1) > 0.8).any())


def text_blocks(lines: list[OcrLine], rules: np.ndarray | None = None,
                fills: list[Box | None] | None = None) -> list[list[OcrLine]]:
    """Group lines into paragraphs (the contents of one cell) by union-find on adjacency; no
    paragraph crosses a drawn rule (`rules`: a mask of them, `_row_rules`). Where two lines
    stand in one filled box (`fills`, by line: a card of a visual timetable), they are one
    paragraph further apart than a paragraph's lines elsewhere (`CARD_GAP`); a line in a
    filled box and a line on the ground outside it are never one (a day's title over its
    first card)."""
    parent = list(range(len(lines)))
    # A day's name, alone or with its date, on a line of its own is a heading: never one
    # paragraph with the lines over or under it ("Tue" over "1. 0850-0950 Biology", "Tuesday
    # 11 November" right under Monday's last row), where the rule under it was lost.
    headings = [is_day_heading(line.text) for line in lines]

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            carded = (fills is not None and fills[i] is not None and fills[j] is not None
                      and one_fill(fills[i], fills[j]))
            if _adjacent(lines[i], lines[j], CARD_GAP if carded else PARAGRAPH_GAP) and not (
                    rules is not None and _ruled_apart(lines[i], lines[j], rules)
                    or fills is not None and _carded_apart(lines, fills, i, j)
                    or (headings[i] or headings[j]) and not _same_row(lines[i], lines[j])):
                parent[root(i)] = root(j)
    groups: dict[int, list[OcrLine]] = {}
    for i, line in enumerate(lines):
        groups.setdefault(root(i), []).append(line)
    return list(groups.values())


def cut_between_ranges(block: list[OcrLine], spacing: float = 0.0) -> list[list[OcrLine]]:
    """A paragraph holding several events one under another, each printing its own range
    ("Mathematics / 08:45 – 09:45 / Room M4" over "Biology / 09:45 – 10:45 / Lab B2": two
    cards whose gap a photo of a screen washed out), cut at the widest gap between the lines
    from one range to the next where there is white between them, or, on a page whose
    paragraphs' lines overlap (`spacing`, in line heights: a blurred photo's boxes), where
    the gap is `rowaxis.GAP` wider than that; each part must hold a name. The paragraph whole
    otherwise (a column of times, a range written over two lines)."""
    lines = sorted(block, key=lambda line: line.box.cy)
    spans = [find_times(line.text) for line in lines]
    ranged = [k for k, found in enumerate(spans) if any(t.end is not None for t in found)]
    ranges = {tuple(t.values) for k in ranged for t in spans[k]}
    if len(ranged) < 2 or len(ranges) < 2:
        return [block]
    cuts = []
    for a, b in zip(ranged, ranged[1:], strict=False):
        widest = max(range(a, b), key=lambda k: lines[k + 1].box.y0 - lines[k].box.y1)
        gap = line_gap(lines[widest], lines[widest + 1])
        if gap > 0 or gap >= spacing + GAP:
            cuts.append(widest + 1)
    parts = [lines[lo:hi] for lo, hi in zip([0, *cuts], [*cuts, len(lines)], strict=False)]
    if any(not any(holds_a_name(line.text) for line in part) for part in parts):
        return [block]
    return parts


def _carded_apart(lines: list[OcrLine], fills: list[Box | None], i: int, j: int) -> bool:
    """One of the two lines stands in a filled box and the other on the ground outside it."""
    for inner, outer in ((i, j), (j, i)):
        box = fills[inner]
        if box is not None and fills[outer] is None and not box.contains_point(
                lines[outer].box.cx, lines[outer].box.cy):
            return True
    return False


# A paragraph with this many lines carrying their own times is a list, one entry per row
# ("8:30 – 9:15" under "8:30 – 9:15"), not a range written over two lines ("9 –" over "9.30").
_LIST_TIMES = 3


def _rows(block: list[OcrLine]) -> list[list[OcrLine]]:
    """The block's lines grouped by the row they sit on, top to bottom."""
    rows: list[list[OcrLine]] = []
    for line in sorted(block, key=lambda line: line.box.cy):
        if rows and any(_same_row(line, other) for other in rows[-1]):
            rows[-1].append(line)
        else:
            rows.append([line])
    return rows


def _upright(block: list[OcrLine]) -> bool:
    return not any(line.angle for line in block)


def list_rows(blocks: list[list[OcrLine]], cards: dict[int, Box] | None = None
              ) -> list[list[OcrLine]]:
    """Paragraphs that are list rows split into one paragraph per row: lines packed as tightly
    as a paragraph's but each carrying its own time, and the column beside them whose rows
    line up with those times one for one (the names of "8:30 – 9:15  English"). Rows standing
    in one filled box with one time between them stay one (`cards`: the filled box of each
    line, by id; a visual timetable's small cards packed down a day, each a name over its
    time)."""
    timed = [b for b in blocks if _upright(b) and sum(bool(find_times(line.text)) for line in b)
             >= _LIST_TIMES]
    entries = [line for block in timed for line in block if find_times(line.text)]
    out: list[list[OcrLine]] = []
    for block in blocks:
        rows = _rows(block) if _upright(block) and len(block) > 1 else [block]
        partners = {next((id(e) for e in entries if _same_row(row[0], e)), None) for row in rows}
        partners.discard(None)
        listed = (block in timed or _named_and_timed(rows)
                  or len(partners) >= 2 and len(partners) >= len(rows) - 1)
        out.extend(_by_card(rows, cards or {}) if listed else [block])
    return out


def _named_and_timed(rows: list[list[OcrLine]]) -> bool:
    """Two rows or more, each a name with its own time ("Registration, Form room, 8:40" over
    "Period 1: English, Rm 14,  8:50-9:50"): list rows, however few. (A range written over two
    lines, "9 –" over "9.30", names nothing.)"""
    texts = [" ".join(line.text for line in row) for row in rows]
    return len(rows) >= 2 and all(find_times(text) and holds_a_name(strip_times(text))
                                  for text in texts)


def _by_card(rows: list[list[OcrLine]], cards: dict[int, Box]) -> list[list[OcrLine]]:
    """Rows in reading order, each joined to the one before where both stand in one filled
    box and the two hold one time between them."""
    out: list[list[OcrLine]] = []
    for row in rows:
        if out and _one_card(out[-1] + row, cards) and sum(
                bool(find_times(line.text)) for line in out[-1] + row) <= 1:
            out[-1] = out[-1] + row
        else:
            out.append(row)
    return out


def _one_card(lines: list[OcrLine], cards: dict[int, Box]) -> bool:
    boxes = [cards.get(id(line)) for line in lines]
    return all(box is not None and one_fill(box, boxes[0]) for box in boxes)


def _whole_entry(row: list[OcrLine]) -> bool:
    """A row that is an event on its own: a name and its whole time range on one line
    ("Tutor Group  8:40 AM - 8:55 AM")."""
    text = " ".join(line.text for line in sorted(row, key=lambda line: line.box.x0))
    named = sum(ch.isalpha() for ch in strip_times(text)) >= 2
    return named and prints_a_range(text)


def one_line_entries(blocks: list[list[OcrLine]]) -> list[list[OcrLine]]:
    """Paragraphs split after each row that is a whole event when a row below carries a time
    of its own: a calendar's short event printed on one line, packed against the next event
    ("Tutor Group 8:40 - 8:55" over "Science" over "8:55 - 9:55"), is an event of its own; a
    name and its range over a room ("Maths 9:00 - 10:00" over "Room 12") stays one."""
    out: list[list[OcrLine]] = []
    for block in blocks:
        rows = _rows(block) if _upright(block) and len(block) > 1 else [block]
        start = 0
        for k, row in enumerate(rows[:-1]):
            later = " ".join(line.text for rest in rows[k + 1:] for line in rest)
            if _whole_entry(row) and find_times(later):
                out.append([line for r in rows[start:k + 1] for line in r])
                start = k + 1
        out.append([line for r in rows[start:] for line in r])
    return out


def _block_cell(block: list[OcrLine], card: Box | None = None) -> Cell:
    return Cell(box=Box.enclosing([line.box for line in block]), lines=list(block), from_text=True,
                card=card)


def _own_card(entry: list[OcrLine], lines: list[OcrLine], cards: dict[int, Box]) -> Box | None:
    """The filled box the entry's lines stand in when no other line stands in it: a card of its
    own, not a band of shading many entries share (a zebra table's row)."""
    if not _one_card(entry, cards):
        return None
    card = cards[id(entry[0])]
    inside = {id(line) for line in entry}
    if any(id(line) not in inside and id(line) in cards and one_fill(cards[id(line)], card)
           for line in lines):
        return None
    return card


def _day_headers(lines: list[OcrLine]) -> list[OcrLine]:
    return [line for line in lines if parse_day(line.text)]


def _holds_several_events(cell: Cell, blocks: list[list[OcrLine]], headers: list[OcrLine]
                          ) -> bool:
    """Whether a ruled cell's paragraphs are several entries rather than one event: two or
    more carry their own times or day names (list rows, a header band), they stand under two
    or more day headers (a row band ruled only across the page), or there are so many that
    the ruling is only a frame around an unruled table, or a day's name stands before them (a
    header left in its row's cell). A name with a teacher code and a room
    in its corners ("MATH EXT3" over "SE … MR1") is one event: the cell is the unit."""
    texts = [" ".join(line.text for line in block) for block in blocks]
    if len(texts) == 2 and all(is_time_text(text) for text in texts):
        return False  # a header's range broken over lines ("10:00" over "–" over "10:15")
    labelled = sum(bool(find_times(text) or parse_day(text)) for text in texts)
    above = [h for h in headers if h.box.y1 <= cell.box.y0 + 0.5 * h.box.height]
    under = {id(h) for block in blocks for h in above
             if Box.enclosing([line.box for line in block]).x_overlap(h.box) > 0}
    return (labelled >= 2 or len(under) >= 2 or len(blocks) > _MAX_PARAGRAPHS_PER_EVENT
            or _day_before_the_rest(blocks))


def _day_before_the_rest(blocks: list[list[OcrLine]]) -> bool:
    """One paragraph is a lone day's name standing wholly left of every other: a day header
    the region's ruling left in one cell with its row's lessons (a zebra table's shaded row,
    ruled only by its fills). (One over the rest is `_header_off_the_body`'s.)"""
    boxes = [Box.enclosing([line.box for line in block]) for block in blocks]
    for k, block in enumerate(blocks):
        text = " ".join(line.text for line in block).strip(" .:,")
        # Three letters at least: "SA" beside "ER1" is a teacher's code and a room.
        if len(block) != 1 or len(text.split()) != 1 or len(text) < 3 or not parse_day(text):
            continue
        rest = [box for j, box in enumerate(boxes) if j != k]
        if all(boxes[k].x1 <= box.x0 for box in rest):
            return True
    return False


def _header_off_the_body(cell: Cell, table: Table) -> list[Cell]:
    """A day header whose rule under it was lost (glare on a whiteboard, a faded print) makes
    one cell with the event below it; a grey first column's caption ("Day") makes one with
    the first day's name under it. A header never spans into the body, so a cell over
    several rows whose lines above its first row's lower edge (where the row's other cells
    end) are all day names, with lines wholly below that edge too, is cut there; so is a
    cell of the top row whose lines below that edge are all day names and above it none."""
    if cell.row_span < 2 or cell.from_text:
        return [cell]
    edges = [c.box.y1 for c in table.cells
             if c.row == cell.row and c.row_span == 1 and not c.from_text]
    if not edges:
        return [cell]
    cut = median(edges)
    top = [line for line in cell.lines if line.box.y1 <= cut]
    bottom = [line for line in cell.lines if line.box.y0 >= cut]
    days_over = all(parse_day(line.text) for line in top)
    caption_over_days = cell.row == 0 and all(parse_day(line.text) for line in bottom) and not any(
        parse_day(line.text) for line in top)
    if (not top or not bottom or len(top) + len(bottom) < len(cell.lines)
            or not (days_over or caption_over_days)):
        return [cell]
    box = cell.box
    return [cell.model_copy(update={"box": Box(x0=box.x0, y0=box.y0, x1=box.x1, y1=cut),
                                    "row_span": 1, "lines": top}),
            cell.model_copy(update={"box": Box(x0=box.x0, y0=cut, x1=box.x1, y1=box.y1),
                                    "row": cell.row + 1, "row_span": cell.row_span - 1,
                                    "lines": bottom})]


# A narrow column's header prints its times wider than the column ("10:15am-" over "10:30am"
# above a Break column): a line is on one side of an edge with at most this share of its
# width across it (a header centred over two columns has half).
ACROSS_EDGE = 0.4


def _beside(box: Box, edge: float) -> bool:
    """The box lies on one side of the upright edge, give or take a narrow header's
    overhang."""
    overhang = min(box.x1 - edge, edge - box.x0)
    return overhang <= max(RULE_SLACK, ACROSS_EDGE * box.width)


def _header_over_body_edges(cell: Cell, table: Table) -> list[Cell]:
    """A time header whose rule down to the body was lost (a faint rule in a narrow column's
    header: "10:30- / 10:50" beside "10:50 – 11:50") makes one cell over two columns. A header
    over several columns prints its text across their edge; one whose lines all print a time
    and fall on either side of an edge the cells under it share (`_beside`) is cut there."""
    if cell.from_text or not cell.lines or not all(find_times(line.text) for line in cell.lines):
        return [cell]
    below = [c for c in table.cells if c.row > cell.row and not c.from_text]
    edges = sorted({edge for c in below for edge in (c.box.x0, c.box.x1)
                    if cell.box.x0 + RULE_SLACK < edge < cell.box.x1 - RULE_SLACK})
    cuts = [edge for edge in edges
            if all(_beside(line.box, edge) for line in cell.lines)
            and any(line.box.cx < edge for line in cell.lines)
            and any(line.box.cx > edge for line in cell.lines)]
    if not cuts:
        return [cell]
    parts, bounds = [], [cell.box.x0, *cuts, cell.box.x1]
    for x0, x1 in itertools.pairwise(bounds):
        inside = [line for line in cell.lines if x0 <= line.box.cx < x1]
        if inside:
            parts.append(cell.model_copy(update={
                "box": Box(x0=x0, y0=cell.box.y0, x1=x1, y1=cell.box.y1), "lines": inside}))
    return parts


def _label_off_the_body(cell: Cell, table: Table) -> list[Cell]:
    """A row's time label whose rule to the first day's cell was lost (a photo's blur, a faded
    print) makes one cell of both: "8:40-8:55" beside "Agenda & Read Aloud", and the days
    after it have no time for that row. A cell from the table's first column over two columns
    or more, whose lines left of the edge the first column's other cells end at are all times
    and those right of it hold none, is cut there."""
    if cell.from_text or cell.col != 0 or cell.col_span < 2 or not cell.lines:
        return [cell]
    edges = sorted({c.box.x1 for c in table.cells if c.col == 0 and c.col_span == 1
                    and not c.from_text and c.row != cell.row
                    and cell.box.x0 + RULE_SLACK < c.box.x1 < cell.box.x1 - RULE_SLACK})
    if not edges:
        return [cell]
    edge = median(edges)
    left = [line for line in cell.lines if line.box.cx < edge]
    right = [line for line in cell.lines if line.box.cx >= edge]
    if (not left or not right or not all(is_time_text(line.text) for line in left)
            or any(find_times(line.text) for line in right)
            or not all(_beside(line.box, edge) for line in cell.lines)):
        return [cell]
    box = cell.box
    return [cell.model_copy(update={"box": Box(x0=box.x0, y0=box.y0, x1=edge, y1=box.y1),
                                    "col_span": 1, "lines": left}),
            cell.model_copy(update={"box": Box(x0=edge, y0=box.y0, x1=box.x1, y1=box.y1),
                                    "col": cell.col + 1, "col_span": cell.col_span - 1,
                                    "lines": right})]


def split_crowded_cells(table: Table, lines: list[OcrLine]) -> Table:
    """A ruled region holding several entries (a partly ruled table, list rows sharing one
    frame, a row band under several days) becomes one text-derived cell per paragraph (per
    row of a list); a region holding one event with its notes stays one cell, and a day header
    run into the cell under it is cut off it. `lines`: the page's lines, among them the day
    headers."""
    headers = _day_headers(lines)
    cells: list[Cell] = []
    for cell in (part for whole in table.cells for piece in _header_off_the_body(whole, table)
                 for cut in _header_over_body_edges(piece, table)
                 for part in _label_off_the_body(cut, table)):
        blocks = text_blocks(cell.lines) if len(cell.lines) > 1 else [cell.lines]
        # A word written letter by letter down a cell is one text, not several.
        worded = [b for b in blocks if sum(len(line.text.strip()) for line in b) >= 2]
        if len(worded) > 1 and _holds_several_events(cell, worded, headers):
            cells.extend(_block_cell(block) for block in one_line_entries(list_rows(blocks)))
        else:
            cells.extend(_side_by_side(cell))
    return table.model_copy(update={"cells": cells})


def _against_a_side(stack: list[OcrLine], cell: Box) -> bool:
    """Every line of the stack hugs the cell's left or right side: codes in its corners (a
    teacher over a room, flush right), or a time over a name flush left beside them."""
    near = CORNER_SHARE * cell.width
    return all(line.box.x0 - cell.x0 < near for line in stack) or all(
        cell.x1 - line.box.x1 < near for line in stack)


def _side_by_side(cell: Cell) -> list[Cell]:
    """A cell split down the middle between two groups ("Fr / DUP / 205" beside "Spa / GAR /
    206", a dashed divider or none): each stack of lines, with a clear gap beside it all the
    way down and clear of the cell's sides (each group centred in its half), is a cell of its
    own, as tall as the cell. A name over its corner codes is one stack (the name spans them)
    or stands against the cell's side, and a cell of one line beside another stays whole."""
    stacks: list[list[OcrLine]] = []
    for line in sorted(cell.lines, key=lambda line: line.box.x0):
        if stacks and max(other.box.x1 for other in stacks[-1]) > line.box.x0:
            stacks[-1].append(line)
        else:
            stacks.append([line])
    if len(stacks) < 2 or any(len(stack) < 2 or _against_a_side(stack, cell.box)
                              for stack in stacks):
        return [cell]
    edges = halfway_edges(cell.box.x0, cell.box.x1, [
        (min(line.box.x0 for line in stack), max(line.box.x1 for line in stack))
        for stack in stacks])
    return [cell.model_copy(update={"box": Box(x0=x0, y0=cell.box.y0, x1=x1, y1=cell.box.y1),
                                    "lines": stack})
            for (x0, x1), stack in zip(itertools.pairwise(edges), stacks, strict=True)]


def halfway_edges(lo: float, hi: float, spans: list[tuple[float, float]]) -> list[float]:
    """The edges parting `lo`..`hi` among texts side by side (`spans`, in order): halfway
    between each text and the next."""
    return [lo, *[(a[1] + b[0]) / 2 for a, b in itertools.pairwise(spans)], hi]


def text_table(lines: list[OcrLine], image: np.ndarray | None = None) -> Table | None:
    """Fallback for tables without closed cells: one text-derived cell per paragraph of text,
    paragraphs kept apart by the strokes the page does draw (`image`: the page), such as a
    table ruled only between its rows."""
    if len(lines) < 4:
        return None
    fills = _fills(lines, image)
    cards = {id(line): box for line, box in zip(lines, fills or [], strict=False)
             if box is not None}
    badges = _badges(lines, fills)
    blocks = _badges_joined(text_blocks(lines, _row_rules(image), fills), badges, cards)
    spacing = line_spacing(blocks)
    blocks = cut_at_row_edges([part for block in blocks
                               for part in cut_between_ranges(block, spacing)], lines, spacing)
    entries = one_line_entries(list_rows(blocks, cards))
    cells = [_block_cell(entry, _own_card(entry, lines, cards)) for entry in entries]
    return Table(box=Box.enclosing([cell.box for cell in cells]), cells=cells, ruled=False)


def _fills(lines: list[OcrLine], image: np.ndarray | None) -> list[Box | None] | None:
    """The filled box each upright line stands in (None on the page's ground), on a colour
    page."""
    if image is None or image.ndim != 3:
        return None
    height, width = image.shape[:2]
    ground = np.median(image.reshape(-1, 3), axis=0)
    page = Box(x0=0, y0=0, x1=width, y1=height)
    return [None if line.angle else filled_box(image, line.box, ground, page) for line in lines]


# A fill no bigger than this many times its line's box hugs the text: a badge.
_BADGE_AREA = 2.5
# ... and it sits on a card's edge when this share of it overlaps the card, and no more
# (text in a card whose fill was found no bigger than the text is no badge).
_BADGE_ON_CARD = 0.25
_BADGE_INSIDE = 0.9
# A badge prints a code: a room, a teacher's initials ("E4", "GYM", "TAS2").
_BADGE_TEXT = re.compile(r"[A-Za-z0-9.&/-]{1,6}")


def _badges(lines: list[OcrLine], fills: list[Box | None] | None) -> dict[int, Box]:
    """id(line) → the card it sits on, for each line printed on a badge: a small tag that hugs
    its text (a room code, white on dark) across a lesson card's edge, partly outside it."""
    badges: dict[int, Box] = {}
    for line, box in zip(lines, fills or [], strict=False):
        if (box is None or box.width * box.height > _BADGE_AREA * line.box.width * line.box.height
                or not _BADGE_TEXT.fullmatch(line.text) or find_times(line.text)):
            continue
        area = box.width * box.height
        under = [other for other in fills or [] if other is not None and other is not box
                 and other.width * other.height > _BADGE_AREA * area
                 and _BADGE_ON_CARD * area <= other.overlap_area(box) <= _BADGE_INSIDE * area]
        if under:
            badges[id(line)] = min(under, key=lambda card: card.width * card.height)
    return badges


def _badges_joined(blocks: list[list[OcrLine]], badges: dict[int, Box],
                   cards: dict[int, Box]) -> list[list[OcrLine]]:
    """Each badge read alone joined to the nearest paragraph standing in the card it sits on:
    its code is that lesson's note, no event of its own."""
    out = [list(block) for block in blocks]
    for block in [b for b in out if len(b) == 1 and id(b[0]) in badges]:
        badge, card = block[0], badges[id(block[0])]
        hosts = [b for b in out if b is not block and any(
            id(line) not in badges and id(line) in cards and one_fill(cards[id(line)], card)
            for line in b)]
        if hosts:
            host = min(hosts, key=lambda b: min(abs(line.box.cx - badge.box.cx)
                                                + abs(line.box.cy - badge.box.cy) for line in b))
            host.append(badge)
            block.clear()
    return [block for block in out if block]


# Below this local mean grey level the page is a dark fill, where light text is written.
_DARK_FILL = 128


def _row_rules(image: np.ndarray | None) -> np.ndarray | None:
    """The strokes that part paragraphs: dark strokes on a light ground. Not the edges of
    fills (a highlight behind a time would part it from its event), nor anything on a dark
    fill, where the dark gap between two lines of light text reads as a stroke."""
    if image is None:
        return None
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    light = cv2.blur(gray, (31, 31)) >= _DARK_FILL
    return np.where(light, line_mask(gray, gridlines=True), 0).astype(np.uint8)
