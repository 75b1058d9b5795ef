"""Calendar week view: a page whose times are a scale down its side, not the headers of cells.

A week exported from Google Calendar, Outlook or Apple Calendar (or a printed planner) has lone
hour labels down its left ("8 AM", "9:00", "1 PM") at even steps, a day header over each column,
and each event as a filled box placed and sized by its time: a box from a third of the way
past 9:00 to 10:40 is 9:20–10:40, whatever the labels' rows. Many boxes print no time at all
(Outlook), or only the start (Apple). So where the page has such a scale — at least
`MIN_LABELS` lone times down one column, their positions a straight line in their minutes —
each event box is found from the image (its fill, grown out from its text until the colour
changes), the tables the ruling search drew from the hour lines are replaced by a table of
those boxes, and the scale (`CalendarFrame`) goes with the page for the decoding to read a box's
top and bottom as its times.

Where a label sits on its hour line differs by app (Google centres it on the line, Outlook
hangs it under), so the labels are placed as they sit on the rules found at them. Each day
column begins where the boxes under its header begin (the frame's `columns`): a box's day is
its column's, also where it stands beside another box, clear of the header's width.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np

from inference.fills import commonest_colour, filled_box, same_box
from inference.rulings import line_mask
from inference.schema import Box, CalendarFrame, Cell, OcrLine, Table
from inference.structure import cluster, cut_between_ranges
from inference.timeparse import (
    find_times,
    holds_a_name,
    is_time_text,
    parse_day,
    prints_a_range,
)

# Lone times down one column: at least this many make a scale.
MIN_LABELS = 4
# A label's minute may stray from the straight line by this share of the labels' step: a
# scale's labels sit on its rules to a minute or two, where a grid's period starts printed on
# rows of near one height ("8:15", "8:30", "9:30", "10:15" …) stray 10-15 % of a step from any
# line even with a third of them left out.
FIT_SLACK = 0.1
# A scale's labels mark round times (the hour, the half or quarter hour): at least this share
# of them does. A grid's period starts printed down its rows ("08:45", "09:40", "10:35",
# "11:00" on rows of one height) can still lie near one line once the odd ones are left out.
ROUND_SHARE = 2 / 3
# ... or, where no straight line fits, every label is one of these steps (minutes) on from the
# one before (`_hour_by_hour`).
EVEN_STEPS = (30.0, 60.0)
# Event boxes found by their fill: at least this many make the page a calendar.
MIN_BOXES = 3
# ... holding this share of the text over its days at least.
BOXED_SHARE = 0.5
# Box edges this close (px) begin one day column.
COLUMN_GAP = 6
# A box reaches a rule when its edge lies within this share of an hour of it; a ruled grid's
# filled cells (not a calendar's events) are more than this share of the boxes.
RULE_SHARE = 0.1
ON_RULES = 2 / 3
# Two boxes this many minutes apart or less are one event after another: the space between
# them is the app's drawing, not a break.
MAX_GAP = 6


def _lone_time(line: OcrLine) -> int | None:
    """The minutes of a line that is one clock time and nothing else ("8 AM", "09:00")."""
    if line.angle or not is_time_text(line.text):
        return None
    values = [value for span in find_times(line.text) for value in span.values]
    return values[0] if len(values) == 1 else None


def _open_range(line: OcrLine) -> bool:
    return line.text.rstrip()[-1:] in ("-", "–", "—")


def _broken_range(line: OcrLine, lines: list[OcrLine]) -> bool:
    """The line is half of a range broken over two lines ("9.00-" over "10.00"): it ends in
    the dash, or stands right under a line that does."""
    return _open_range(line) or any(
        _open_range(other) and other.box.x_overlap(line.box) > 0
        and 0 <= line.box.cy - other.box.cy <= 1.5 * other.box.height for other in lines)


def _label_column(lines: list[OcrLine]) -> list[tuple[OcrLine, int]]:
    """The largest set of lone times standing in one column, top down (no half of a range
    broken over two lines: a grid's time column, not a scale)."""
    timed = [(line, minutes) for line in lines if (minutes := _lone_time(line)) is not None
             and not _broken_range(line, lines)]
    best: list[tuple[OcrLine, int]] = []
    for line, _ in timed:
        column = [(other, m) for other, m in timed
                  if other.box.x0 <= line.box.x1 and other.box.x1 >= line.box.x0]
        if len(column) > len(best):
            best = column
    return sorted(best, key=lambda entry: entry[0].box.cy)


def _increasing(labels: list[tuple[OcrLine, int]]) -> list[tuple[OcrLine, int]]:
    """The longest run of the labels, top down, whose minutes rise: a label the recogniser
    misread ("5:30" between "9:00" and "10:00") is left out of the scale."""
    best: list[list[tuple[OcrLine, int]]] = []
    for k, label in enumerate(labels):
        before = [best[j] for j in range(k) if labels[j][1] < label[1]]
        best.append([*max(before, key=len, default=[]), label])
    return max(best, key=len, default=[])


def _paired(labels: list[tuple[OcrLine, int]], lines: list[OcrLine]) -> bool:
    """Whether most labels have another lone time beside them on their row, at another minute:
    a grid's Start and Finish columns (each row a period, "09:00" beside "10:30"), not a scale,
    whose hours stand alone on their lines (an event's own time beside its hour is the same
    minute or a range)."""
    own = {id(line) for line, _ in labels}
    others = [(other, m) for other in lines
              if id(other) not in own and (m := _lone_time(other)) is not None]
    paired = sum(any(m != minutes and other.box.x_overlap(line.box) <= 0
                     and other.box.y_overlap(line.box) >= line.box.height / 2
                     for other, m in others)
                 for line, minutes in labels)
    return 2 * paired > len(labels)


def _rules(image: np.ndarray, area: Box) -> tuple[list[float], list[float]]:
    """Where the rules running across at least a third of `area` lie: heights of the
    horizontal ones and places of the upright ones, from one mask of the page's lines."""
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    x0, x1 = max(0, int(area.x0)), min(gray.shape[1], int(area.x1))
    y0, y1 = max(0, int(area.y0)), min(gray.shape[0], int(area.y1))
    mask = line_mask(gray, gridlines=True)[y0:y1, x0:x1]
    found = []
    for axis, length, origin in ((0, x1 - x0, y0), (1, y1 - y0, x0)):
        size = max(25, length // 8)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, 1) if axis == 0 else (1, size))
        across = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
        places = np.flatnonzero((across > 0).mean(1 - axis) >= 1 / 3)
        # A rule is a run of rows (dilated); its middle is where it runs.
        runs = np.split(places, np.flatnonzero(np.diff(places) > 1) + 1) if places.size else []
        found.append([origin + float(run.mean()) for run in runs if run.size])
    return found[0], found[1]


def _anchors(labels: list[OcrLine], rules: list[float]) -> np.ndarray:
    """Where each label's minute lies: as the labels sit on their rules (the median offset
    from a label's centre to the rule through or right above it, within half its height of
    its box: Google centres a label on its rule, Outlook hangs it under), or at the centres
    where no rule is found. One offset for all: boxes hide some rules, and a box's edge near
    a label is a rule too. Where no rule runs near any label but one runs between each two,
    each label stands in the middle of its hour's row and names the row: its minute lies on
    the rule above it."""
    offsets = [min(near, key=lambda y: abs(y - label.box.cy)) - label.box.cy
               for label in labels
               if (near := [y for y in rules
                            if label.box.y0 - label.box.height / 2 <= y <= label.box.y1])]
    if not offsets and _ruled_rows(labels, rules):
        offsets = [max(y for y in rules if y < label.box.y0) - label.box.cy
                   for label in labels[1:]]
    usual = float(np.median(offsets)) if offsets else 0.0
    return np.array([label.box.cy + usual for label in labels])


def _ruled_rows(labels: list[OcrLine], rules: list[float]) -> bool:
    """A rule runs between each label and the next: each label stands in a row of its own."""
    return len(labels) > 1 and all(any(above.box.y1 < y < below.box.y0 for y in rules)
                                   for above, below in itertools.pairwise(labels))


def _fit(ys: np.ndarray, minutes: np.ndarray, slack: float
         ) -> tuple[float, float, np.ndarray] | None:
    """(slope, intercept) of the straight line through the labels, leaving out the worst one
    while any strays by more than `slack` minutes (a label read wrong but still in order), and
    which labels it kept; or None when fewer than two thirds of them, or `MIN_LABELS`, are
    left."""
    keep = np.ones(len(ys), bool)
    while keep.sum() >= max(MIN_LABELS, 2 * len(ys) / 3):
        slope, intercept = np.polyfit(ys[keep], minutes[keep], 1)
        stray = np.where(keep, np.abs(slope * ys + intercept - minutes), 0.0)
        if stray.max() <= slack:
            return (float(slope), float(intercept), keep) if slope > 0 else None
        keep[int(stray.argmax())] = False
    return None


def _hour_by_hour(ys: np.ndarray, minutes: np.ndarray
                  ) -> tuple[float, float, np.ndarray] | None:
    """A scale whose rows are not of one height: every label one step on from the one before
    (an hour or a half), down the page in order. A web page's week table grows a row with
    what it holds, so no straight line fits, but each label still marks its minute where it
    stands; the frame reads between them (`CalendarFrame.marks`)."""
    steps = set(np.diff(minutes).tolist())
    if len(steps) != 1 or steps.pop() not in EVEN_STEPS or not (np.diff(ys) > 0).all():
        return None
    slope, intercept = np.polyfit(ys, minutes, 1)
    return float(slope), float(intercept), np.ones(len(ys), bool)


def _day_headers(lines: list[OcrLine], area: Box) -> list[OcrLine]:
    """Day names over the day columns: right of the hour labels, above the scale's middle."""
    return [line for line in lines if parse_day(line.text) and line.box.x0 > area.x0
            and line.box.cy < (area.y0 + area.y1) / 2]


def _column_starts(headers: list[OcrLine], boxes: list[Box], area: Box) -> list[float]:
    """Where each day column begins: the box edge nearest left of its header, less than a
    column's width away (a header is centred or flush left over its column, and most boxes
    fill their column's width); where no two boxes begin there (an empty Sunday, one lone
    event), as far left of the header as the other columns begin."""
    edges = cluster([box.x0 for box in boxes], COLUMN_GAP, min_size=2)
    centres = sorted(header.box.cx for header in headers)
    width = float(np.median(np.diff(centres))) if len(centres) > 1 else area.width
    found = {header.box.cx: max((edge for edge in edges
                                 if header.box.cx - width < edge <= header.box.x0 + COLUMN_GAP),
                                default=None) for header in headers}
    usual = float(np.median([edge - cx for cx, edge in found.items() if edge is not None]
                            or [0.0]))
    return sorted({max(area.x0, cx + usual if edge is None else edge)
                   for cx, edge in found.items()})


@dataclass(frozen=True)
class _Scale:
    """A page's time scale and what it was found from, which the grid test reads again."""

    frame: CalendarFrame
    labels: list[OcrLine]  # the hour labels, top down
    rules: list[float]  # heights of the rules across the scale's area
    upright: list[float]  # places of the rules down it


def _find_scale(image: np.ndarray, lines: list[OcrLine]) -> _Scale | None:
    """The page's time scale (see the module), or None when its lone times are no scale."""
    labels = _increasing(_label_column(lines))
    if len(labels) < MIN_LABELS:
        return None
    minutes = np.array([m for _, m in labels], float)
    if np.mean(minutes % 15 == 0) < ROUND_SHARE or _paired(labels, lines):
        return None
    right = max(line.box.x1 for line, _ in labels)
    height, width = image.shape[:2]
    step = float(np.median(np.diff(minutes)))
    pitch = float(np.median(np.diff([line.box.cy for line, _ in labels])))
    area = Box(x0=right + 2, y0=max(0.0, labels[0][0].box.cy - pitch),
               x1=float(width), y1=min(float(height), labels[-1][0].box.cy + pitch))
    # Day headers over the columns right of the labels: a calendar, not a list of times.
    if len(_day_headers(lines, area)) < 2:
        return None
    rules, upright = _rules(image, area)
    ys = _anchors([line for line, _ in labels], rules)
    fit = _fit(ys, minutes, FIT_SLACK * step) or _hour_by_hour(ys, minutes)
    if fit is None:
        return None
    slope, intercept, keep = fit
    frame = CalendarFrame(minutes_per_pixel=slope, minutes_at_top=intercept, area=area,
                          marks=[(float(y), float(m)) for y, m in zip(ys[keep], minutes[keep],
                                                                     strict=True)])
    return _Scale(frame, [line for line, _ in labels], rules, upright)


def read_calendar(image: np.ndarray, lines: list[OcrLine], tables: list[Table]
                  ) -> tuple[list[Table], CalendarFrame | None]:
    """On a calendar page (see the module): the tables with those over its days replaced by
    one table of its event boxes, and its time scale. Elsewhere the tables as they were."""
    if image.ndim != 3:
        return tables, None
    found = _find_scale(image, lines)
    if found is None:
        return tables, None
    scale = found.frame
    area = scale.area
    body = [line for line in lines if not line.angle
            and area.x0 <= line.box.x0 and line.box.x1 <= area.x1
            and area.y0 <= line.box.cy <= area.y1 and not parse_day(line.text)]
    x0, y0, x1, y1 = (int(area.x0), int(area.y0), int(area.x1), int(area.y1))
    ground = commonest_colour(image[y0:y1, x0:x1])
    boxes: list[Box] = []
    for line in body:
        box = filled_box(image, line.box, ground, area)
        if box is None:
            continue
        same = next((k for k, other in enumerate(boxes)
                     if same_box(box, other) or _parts_of_one(box, other)), None)
        if same is None:
            boxes.append(box)
        else:
            boxes[same] = boxes[same].union(box)
    if len(boxes) < MIN_BOXES:
        return tables, None
    # A calendar draws each event as a box: its text stands in one. A ruled week whose hour
    # rows are cells (white, a scan's speckle around the few a fill test lets through) keeps
    # its cells.
    boxed = sum(any(box.contains_point(line.box.cx, line.box.cy) for box in boxes)
                for line in body)
    if boxed < BOXED_SHARE * len(body):
        return tables, None
    boxes = [part for box in boxes for part in split_at_ranges(box, body)]
    boxes += [line.box for line in body if _timed_name(line)
              and not any(box.contains_point(line.box.cx, line.box.cy) for box in boxes)]
    if _cells_of_a_grid(found, lines, boxes):
        return tables, None
    boxes.sort(key=lambda box: (box.y0, box.x0))
    cells = [Cell(box=box, row=k, col=0) for k, box in enumerate(boxes)]
    kept = [table for table in tables
            if table.box.overlap_area(area) < 0.5 * table.box.width * table.box.height]
    columns = _column_starts(_day_headers(lines, area), boxes, area)
    return ([*kept, Table(box=area, cells=cells, ruled=True)],
            scale.model_copy(update={"columns": columns, "gap": _gap(boxes, scale)}))


def _cells_of_a_grid(scale: _Scale, lines: list[OcrLine], boxes: list[Box]) -> bool:
    """Whether the filled boxes are the coloured cells of a ruled grid of hour rows, not a
    calendar's events: each hour label stands in a row of its own (a rule between each two),
    a rule runs down between each two day headers, and more than `ON_RULES` of the boxes
    reach from one hour rule to another. There the grid's own cells say each lesson's slots,
    where growing a fill runs on through a rule into the next cell of a like colour; a
    calendar's events begin and end at any minute."""
    headers = sorted(_day_headers(lines, scale.frame.area), key=lambda line: line.box.cx)
    if not _ruled_rows(scale.labels, scale.rules) or not all(
            any(left.box.x1 < x < right.box.x0 for x in scale.upright)
            for left, right in itertools.pairwise(headers)):
        return False
    near = RULE_SHARE * 60 / scale.frame.minutes_per_pixel
    on_rules = sum(any(abs(box.y0 - y) <= near for y in scale.rules)
                   and any(abs(box.y1 - y) <= near for y in scale.rules) for box in boxes)
    return on_rules > ON_RULES * len(boxes)


def _parts_of_one(a: Box, b: Box) -> bool:
    """Two boxes grown from two lines of one event: as wide as each other, edge for edge, and
    overlapping down the page (a bold line set tight over the next stops its box's growth
    short of the other's). Events of one column never overlap; side by side, they differ in
    width or place."""
    return (abs(a.x0 - b.x0) <= COLUMN_GAP and abs(a.x1 - b.x1) <= COLUMN_GAP
            and min(a.y1, b.y1) > max(a.y0, b.y0))


def _timed_name(line: OcrLine) -> bool:
    """A name printed with its range on one line ("Break 10:45 – 11:05"): an event, drawn in a
    box or not."""
    return prints_a_range(line.text) and holds_a_name(line.text)


def split_at_ranges(box: Box, body: list[OcrLine]) -> list[Box]:
    """`box` cut between the events it holds (`structure.cut_between_ranges`): boxes of
    events one after the other that grew into one through a gap the photo washed out."""
    inside = [line for line in body if box.contains_point(line.box.cx, line.box.cy)]
    parts = cut_between_ranges(inside)
    if len(parts) < 2:
        return [box]
    edges = [box.y0, *((above[-1].box.y1 + below[0].box.y0) / 2
                       for above, below in zip(parts, parts[1:], strict=False)), box.y1]
    return [box.model_copy(update={"y0": lo, "y1": hi})
            for lo, hi in zip(edges, edges[1:], strict=False)]


def _gap(boxes: list[Box], scale: CalendarFrame) -> float:
    """The gap (px) an app leaves between a box and the next in its column when one event
    follows another: the commonest such gap, a few minutes at most."""
    most = MAX_GAP / scale.minutes_per_pixel
    gaps = [below.y0 - above.y1 for above in boxes for below in boxes
            if above.shares_column(below)
            and 0 <= below.y0 - above.y1 <= most]
    return float(np.median(gaps)) if gaps else 0.0
