"""Row edges: a rule-less table's paragraphs parted where its column of times parts its rows.

A grid photographed with faint rules, or printed with none, reaches the structure stage with no
closed cells, and the text table groups its lines into paragraphs by their spacing alone. Two
lessons a row apart in one day's column ("Roll Call / 10F / S7" over "12CHE1 / Chemistry / S3")
may stand closer than a paragraph's gap (a pale card's fill joins them further), and then one
paragraph, one cell, holds both rows' lessons with one row's times. The page says where its
rows part: the column of time ranges down its left side ("Period 1 / 9:00 - 9:55", "Recess /
10:50 - 11:15"), one range a row, in order. Halfway between one range and the next is an edge
between rows; half a row above the first is the top of the body, and the top of the day names
over it the top of the header (a title over the first day's name and lesson). A paragraph
printing no time of its own (the column's labels print theirs; a card with its own times is
cut by them, `structure.cut_between_ranges`) is cut at its widest gap near an edge that is
`GAP` line heights wider than the page's usual gap between a paragraph's lines, where each
part keeps a name. Text centred on an edge (a double lesson's card spans two rows) has no such
gap and stays whole.
"""

from __future__ import annotations

import itertools
from statistics import median

from inference.schema import OcrLine
from inference.timeparse import find_times, holds_a_name, is_time_text, parse_day

# Ranges in one column: each overlaps the next across by this share of the narrower.
OVERLAP = 0.5
# A column of fewer ranges than this is no axis (a lesson's times, a key's).
MIN_ROWS = 3
# A cut needs a gap between the lines it parts this many line heights wider than the page's
# usual gap between a paragraph's lines.
GAP = 0.2


def _ranges(lines: list[OcrLine]) -> list[OcrLine]:
    """The upright lines that are one time range and nothing else, top to bottom."""
    ranged = [line for line in lines if not line.angle and is_time_text(line.text)
              and [t.end is not None for t in find_times(line.text)] == [True]]
    return sorted(ranged, key=lambda line: line.box.cy)


def _column(first: OcrLine, ranged: list[OcrLine]) -> list[OcrLine]:
    """The ranges standing in one column with `first`, top to bottom: each overlapping the
    next across by most of its width (a column a photo slants stays one)."""
    column = [first]
    for line in ranged:
        bottom = column[-1]
        if line.box.cy > bottom.box.cy and _stacked(bottom, line):
            column.append(line)
    for line in reversed(ranged):
        if line.box.cy < column[0].box.cy and _stacked(column[0], line):
            column.insert(0, line)
    return column


def _stacked(a: OcrLine, b: OcrLine) -> bool:
    return a.box.x_overlap(b.box) > OVERLAP * min(a.box.width, b.box.width)


def _axis(lines: list[OcrLine]) -> list[OcrLine]:
    """The leftmost column of `MIN_ROWS` or more time ranges whose starts run in order down
    the page: the rows' times; [] when the page has none."""
    ranged = _ranges(lines)
    for first in sorted(ranged, key=lambda line: line.box.cx):
        column = _column(first, ranged)
        starts = [find_times(line.text)[0].start for line in column]
        if len(column) >= MIN_ROWS and all(a < b for a, b in itertools.pairwise(starts)):
            return column
    return []


def row_edges(lines: list[OcrLine]) -> list[float]:
    """The edges between the rows of the page's time column, with the top of its first row
    and the top of the day names over it; [] when the page has no such column."""
    axis = _axis(lines)
    if not axis:
        return []
    centres = [line.box.cy for line in axis]
    steps = [b - a for a, b in itertools.pairwise(centres)]
    days = [line.box.y0 for line in lines if not line.angle and line.box.y1 < axis[0].box.y0
            and parse_day(line.text)]
    header = [min(days)] if len(days) >= MIN_ROWS else []
    return [*header, centres[0] - steps[0] / 2,
            *[a + step / 2 for a, step in zip(centres, steps, strict=False)]]


def line_gap(above: OcrLine, below: OcrLine) -> float:
    """The white between two stacked lines in line heights (below 0 where their boxes
    overlap, as a blurred photo's boxes do)."""
    return (below.box.y0 - above.box.y1) / min(above.box.height, below.box.height)


def line_spacing(blocks: list[list[OcrLine]]) -> float:
    """The page's usual gap between a paragraph's lines, in line heights."""
    gaps = [line_gap(a, b) for block in blocks
            for a, b in itertools.pairwise(sorted(block, key=lambda line: line.box.cy))]
    return median(gaps) if gaps else 0.0


def _cut(block: list[OcrLine], edges: list[float], spacing: float) -> list[list[OcrLine]]:
    """The paragraph cut at the widest wide-enough gap near each edge, each part holding a
    name; whole when no cut is."""
    stacked = sorted(block, key=lambda line: line.box.cy)
    cuts = set()
    for edge in edges:
        gaps = [k for k in range(1, len(stacked))
                if line_gap(stacked[k - 1], stacked[k]) >= spacing + GAP
                and _near(stacked[k - 1], stacked[k], edge)]
        if gaps:
            cuts.add(max(gaps, key=lambda k: line_gap(stacked[k - 1], stacked[k])))
    parts, start = [], 0
    for k in sorted(cuts):
        if (any(holds_a_name(line.text) for line in stacked[start:k])
                and any(holds_a_name(line.text) for line in stacked[k:])):
            parts.append(stacked[start:k])
            start = k
    return [*parts, stacked[start:]] if parts else [block]


def _near(above: OcrLine, below: OcrLine, edge: float) -> bool:
    """The edge falls between two stacked lines or within a line's height of that gap (a
    photo tilts a row from the column of times to the lesson)."""
    height = min(above.box.height, below.box.height)
    return above.box.y1 - height <= edge <= below.box.y0 + height


def cut_at_row_edges(blocks: list[list[OcrLine]], lines: list[OcrLine], spacing: float
                     ) -> list[list[OcrLine]]:
    """`blocks` (paragraphs of `lines`, their lines `spacing` apart as a rule: `line_spacing`)
    with each one that runs across an edge between the rows of the page's time column,
    printing no time of its own, cut there."""
    edges = row_edges(lines)
    if not edges:
        return blocks
    return [part for block in blocks for part in (
        [block] if any(find_times(line.text) for line in block)
        else _cut(block, edges, spacing))]
