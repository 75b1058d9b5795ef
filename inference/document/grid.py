"""The drawn grid as decoding constraints: what a ruled table says about an event cell without
any model, so that decoding respects it.

In a ruled timetable the cell is the unit. A cell covers whole slots: its edges along the time
axis line up with the edges of the time header cells, so its start is the first time of the
header where it begins and its end the last time of the header where it ends (a merged cell
takes exactly the slots it covers); a time printed in the cell overrides the headers. Across
the time axis it covers day header cells: one block per day it covers. A cell in the band of
the day headers is a header itself. The model still decides which lines are events, which
belong together, and everything on unruled pages; `Grid` only narrows what a drawn cell may
take. Headers printed on a band whose cells the structure stage did not find (white on a dark
fill) head the columns of drawn cells they stand in, and a line printed between two tables of
the week ("Break 10:30 - 10:50") is every day's. Built once per page (`Grid(reading, roles,
day_names, atoms)`).
"""

from __future__ import annotations

import itertools
import re
from statistics import median, pstdev

import numpy as np

from inference.breakwords import is_break_name
from inference.document.features import PageReading, ReadLine, cell_key
from inference.document.inputs import ROLES
from inference.document.legend import bell_times, look_up
from inference.schema import Box
from inference.structure import (
    CORNER_SHARE,  # a line this near a cell's side is a corner's
    halfway_edges,
)
from inference.timeparse import is_time_text, strip_times

_EVENT, _NOTES, _DAY = ROLES.index("event"), ROLES.index("notes"), ROLES.index("day")
# A header cell's edge lines up with an event cell's edge within this share of the cell.
EDGE_SHARE = 0.25
# A slot no header names, between two periods, is their gap when it is no longer (minutes).
LONGEST_BREAK = 90
# A clock axis (`_clock_axis`): this many lone hour marks at least, one of these steps apart
# (minutes), their places on the page within this share of one another's spacing (a web
# page's table widens an hour for its text; a steady step in minutes is what makes the axis).
CLOCK_MARKS = 4
CLOCK_STEPS = (30, 60)
CLOCK_EVEN = 0.5
# A range's end standing alone ("-13:15", its start lost to the reading).
_DASH_LED = re.compile(r"^\W*[-–—]")
# Two cells cut by the same ruling have edges this close, as a share of a day header's width.
ALIGN_SHARE = 0.05
# Two drawn cells side by side are this close (px): the ruling between them.
RULING_GAP = 8
# Labels down a side are evenly spaced when their steps differ by at most this factor.
EVEN_STEPS = 1.25
# A notes row (`Grid._notes_rows`): at most this share of the height of the row of events
# above it, its letters at most this share of the width of theirs.
THIN_ROW = 0.6
SMALLER_PRINT = 0.85
TAG_AREA = 2.5  # a fill no bigger than this many times its line's box is a tag's pill
# ... written once across its row stands about the middle of the days' span.
MIDDLE_SHARE = 0.3


def is_drawn_cell(line: ReadLine) -> bool:
    """The line sits in a cell whose edges are ruled (not one inferred from text alignment)."""
    return line.ruled and not line.from_text


def extent(box: Box, axis: str) -> tuple[float, float]:
    return (box.x0, box.x1) if axis == "x" else (box.y0, box.y1)


def with_extent(box: Box, axis: str, lo: float, hi: float) -> Box:
    """`box` reaching from `lo` to `hi` along `axis`, as it is across it."""
    return (Box(x0=lo, y0=box.y0, x1=hi, y1=box.y1) if axis == "x"
            else Box(x0=box.x0, y0=lo, x1=box.x1, y1=hi))


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def _mostly(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """The two extents overlap over at least half of the shorter one."""
    return _overlap(a, b) >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def _on_top(line: Box, table: Box) -> bool:
    """The line stands within the table's width, right above it (two line heights at most)."""
    return (line.x0 >= table.x0 and line.x1 <= table.x1
            and 0 <= table.y0 - line.y1 <= 2 * line.height)


def _at_top(line: Box, table: Box) -> bool:
    """The line stands within the table's width (give or take its height: a column's title
    set flush left over a card inset under it), within two line heights of its top edge,
    above or below it: a header row on a band."""
    return (line.x0 >= table.x0 - line.height and line.x1 <= table.x1 + line.height
            and abs(line.cy - table.y0) <= 2 * line.height)


def _inside(inner: Box, outer: Box) -> bool:
    return (inner.x0 >= outer.x0 and inner.x1 <= outer.x1 and inner.y0 >= outer.y0
            and inner.y1 <= outer.y1)


def _worded(text: str) -> bool:
    """The text holds a letter once its written times are taken out."""
    return any(c.isalpha() for c in strip_times(text))


def _lined_up(day_lines: list[int], lines: list[ReadLine], day_names: list[list[str]]
              ) -> list[int]:
    """The day lines without those that name a day another line names too and stand in line
    (in one column or one row) with fewer of the other days than it: an event named after its
    day ("Fun Friday" in Friday's last cell) heads nothing."""
    def in_line(a: Box, b: Box) -> bool:
        return a.x_overlap(b) > 0 or min(a.y1, b.y1) > max(a.y0, b.y0)

    # Other days, not other lines: an inbox's dates down a column ("Thu 24 Apr", "Thu 10 Apr")
    # name a day twice.
    aligned = {j: len({day for k in day_lines if not set(day_names[k]) & set(day_names[j])
                       and in_line(lines[j].box, lines[k].box) for day in day_names[k]})
               for j in day_lines}
    return [j for j in day_lines
            if not any(k != j and set(day_names[k]) & set(day_names[j]) and aligned[k] > aligned[j]
                       for k in day_lines)]


def _side_by_side(ks: list[int], boxes: list[Box]) -> list[tuple[tuple[float, float], list[int]]]:
    """The atoms `ks` (their lines' `boxes`) by the run of text along x they are printed in,
    left to right: ((x0, x1) of the run, its atoms). A range broken over two stacked lines is
    one run."""
    runs: list[tuple[tuple[float, float], list[int]]] = []
    for k, box in sorted(zip(ks, boxes, strict=True), key=lambda kb: kb[1].x0):
        if runs and box.x0 < runs[-1][0][1]:
            (x0, x1), members = runs[-1]
            runs[-1] = ((x0, max(x1, box.x1)), [*members, k])
        else:
            runs.append(((box.x0, box.x1), [k]))
    return runs


def _across(axis: str) -> str:
    return "y" if axis == "x" else "x"


def _ends_the_slot(first: tuple[Box, list[int]], then: tuple[Box, list[int]],
                   atoms: list[tuple[int, int, int]], axis: str) -> bool:
    """`then` prints the end of the slot whose start `first` prints: each holds one time, the
    second later, in cells of the same slot that only the ruling between them parts."""
    (a, a_atoms), (b, b_atoms) = first, then
    return (len(a_atoms) == len(b_atoms) == 1 and _mostly(extent(a, axis), extent(b, axis))
            and abs(extent(b, _across(axis))[0] - extent(a, _across(axis))[1]) <= RULING_GAP
            and atoms[a_atoms[0]][2] < atoms[b_atoms[0]][2])


def paired_headers(headers: list[tuple[Box, list[int]]], atoms: list[tuple[int, int, int]],
                   axis: str) -> list[tuple[Box, list[int]]]:
    """Header cells with the time atoms they hold, where a slot's start and end printed in two
    cells side by side across the axis (a sheet's "Start" and "End" columns) are one header of
    the range."""
    paired: list[tuple[Box, list[int]]] = []
    for header in sorted(headers, key=lambda header: extent(header[0], _across(axis))[0]):
        k = next((k for k, first in enumerate(paired)
                  if _ends_the_slot(first, header, atoms, axis)), None)
        if k is None:
            paired.append(header)
        else:
            paired[k] = (paired[k][0].union(header[0]), paired[k][1] + header[1])
    return paired


def _times_beside(day_boxes: list[Box]) -> str:
    """The time axis beside day headers: "x" where they run down a column, else "y" (the
    axis across a row of them)."""
    spread_x, spread_y = pstdev([b.cx for b in day_boxes]), pstdev([b.cy for b in day_boxes])
    return "x" if spread_y > spread_x else "y"


def time_axis_beside(event: Box, day_line: Box) -> str:
    """"x" when the day header sits beside the event (days are rows, times run across), else
    "y": the axis when a table's day headers alone do not tell."""
    x_share = _overlap((event.x0, event.x1), (day_line.x0, day_line.x1)) / max(
        1.0, min(event.width, day_line.width))
    y_share = _overlap((event.y0, event.y1), (day_line.y0, day_line.y1)) / max(
        1.0, min(event.height, day_line.height))
    return "x" if y_share > x_share else "y"


class Grid:
    """One page's drawn cells, day headers and written times, read once for every event."""

    def __init__(self, reading: PageReading, role: np.ndarray, day_names: list[list[str]],
                 atoms: list[tuple[int, int, int]]) -> None:
        named = [j for j, days in enumerate(day_names) if days]
        day_lines = _lined_up(named, reading.lines, day_names)
        self._not_headers = set(named) - set(day_lines)  # a body cell's "Fun Friday"
        self._lined_days = day_lines
        self.role, self.atoms = role, atoms
        self._timed = {i for i, _, _ in atoms}  # the lines printing a time
        self.lines = reading.lines[:len(role)]
        self.day_lines = [j for j in day_lines if is_drawn_cell(self.lines[j])]
        # Where each table's drawn cells reach: a header line the structure stage left out of
        # its cell still sits inside that box, or right on top of it (a header row whose
        # cells were not found: white text on a coloured band).
        table_box: dict[int, Box] = {}
        for line in self.lines:
            if is_drawn_cell(line):
                box = table_box.get(line.table)
                table_box[line.table] = line.region if box is None else box.union(line.region)
        self._edges = {table: sorted({edge for line in self.lines
                                      if line.table == table and is_drawn_cell(line)
                                      for edge in (line.region.x0, line.region.x1)})
                       for table in table_box}
        # Each day header's table and cell; a table whose day headers stand on a band whose
        # cells were not found (white on a dark band: no cell, or one inferred from the text)
        # takes them as its own, each in the column of drawn cells it stands in.
        self._day_table = {j: self.lines[j].table for j in self.day_lines}
        self._day_region = {j: self.lines[j].region for j in self.day_lines}
        for table, box in table_box.items():
            if sum(self._day_table[j] == table for j in self.day_lines) >= 2:
                continue
            for j in day_lines:
                cell = self._band_cell(table, box, self.lines[j].box)
                if (not is_drawn_cell(self.lines[j]) and len(day_names[j]) == 1
                        and cell is not None):
                    self.day_lines.append(j)
                    self._day_table[j] = table
                    self._day_region[j] = cell
        self.header_days = self.day_lines + [
            j for j in day_lines if not is_drawn_cell(self.lines[j]) and len(day_names[j]) == 1
            and j not in self._day_table
            and any(_inside(self.lines[j].box, box) or _on_top(self.lines[j].box, box)
                    for box in table_box.values())]
        # Each cell's lines, found once: every event asks for its own cell's.
        self.cell_lines: dict[tuple | None, list[int]] = {}
        for i, line in enumerate(self.lines):
            self.cell_lines.setdefault(cell_key(line), []).append(i)
        # A cell holding a named event is no header ("1." or "8:40" alone may be called events).
        self.event_cells = {cell_key(line) for line, r in zip(self.lines, role, strict=True)
                            if r in (_EVENT, _NOTES)
                            and _worded(line.text)}
        self.atoms_by_cell: dict[tuple | None, list[int]] = {}
        for k, (i, _, _) in enumerate(atoms):
            self.atoms_by_cell.setdefault(cell_key(self.lines[i]), []).append(k)
        self._axes = {table: self._table_axis(table)
                      for table in {self._day_table[j] for j in self.day_lines}}
        self._body_edges: dict[tuple[int, str], list[float]] = {}  # `_body_edges_of`
        self._labels = {table: self._label_cells(table, axis)
                        for table, axis in self._axes.items() if axis is not None}
        free = {"x": self._free_time_headers, "y": self._free_side_headers}
        self._free_headers = {table: free[axis](table, box) for table, box in table_box.items()
                              if (axis := self._axes.get(table)) is not None}
        legend = bell_times(self.lines, atoms, {i for i, line in enumerate(self.lines)
                                                if self._axes.get(line.table) is not None})
        # A legend is the grid's only where two or more of its period labels are looked up in it
        # (a list of "Maths 9:00 - 9:45" lines is no legend of anything).
        self._legend_headers = {table: headers for table, box in table_box.items()
                                if legend and self._axes.get(table) is not None
                                and len(headers := self._legend_time_headers(table, box,
                                                                            legend)) >= 2}
        self._legend = legend if self._legend_headers else {}
        self._table_box = table_box
        # Where each table's last slot label ends along its time axis (`is_footer`).
        self._labels_end = {
            table: max(extent(self.lines[cell[0]].region, axis)[1]
                       for cell in self._labels[table].values())
            for table, axis in self._axes.items() if axis is not None and self._labels[table]}
        # Each notes row's cells, by the cell of events above them (`_notes_rows`).
        self._notes_under = self._notes_rows()
        self.notes_row_lines = {i for lines in self._notes_under.values() for i in lines}

    def _table_axis(self, table: int) -> str | None:
        """The time axis of a table whose day headers run down a column ("x": times run across)
        or along a row ("y"); None when its headers name fewer than two cells."""
        boxes = [self._day_region[j] for j in self.day_lines if self._day_table[j] == table]
        if len({(b.x0, b.y0) for b in boxes}) < 2:
            return None
        return _times_beside(boxes)

    def bands_between_tables(self) -> dict[int, tuple[list[int], int]]:
        """Lines printed between two tables of the week, in no cell, each naming an event and
        its time ("Break 10:30 - 10:50" between the morning's table and the next, "Break"
        with "10:10-10:30" in the time column on its row, or "LUNCH   12:10 – 1:05" spaced
        apart): an event of every day, for that is
        why it is printed across the page rather than in a day's cell; not where other entries
        share its row (a row of assemblies, one under each day, whose cells were not found).
        Each such line → (the day headers of the table above it, the line printing its
        time)."""
        days_of: dict[int, list[int]] = {}
        for j in self.day_lines:
            days_of.setdefault(self._day_table[j], []).append(j)
        tables = [(self._table_box[t], days) for t, days in days_of.items()
                  if t in self._table_box and len(days) >= 2]
        timed = self._timed
        bands = {}
        for i, line in enumerate(self.lines):
            if line.table >= 0 or not _worded(line.text):
                continue
            timing = i if i in timed else next(
                (j for j in timed if self.lines[j].table < 0 and j != i
                 and is_time_text(self.lines[j].text)
                 and (self.lines[j].box.x1 <= line.box.x0 or self.lines[j].box.x0 >= line.box.x1)
                 and abs(self.lines[j].box.cy - line.box.cy)
                 <= 0.5 * max(self.lines[j].box.height, line.box.height)), None)
            if timing is None or any(
                    k not in (i, timing) and k not in timed and other.table < 0
                    and _worded(other.text) and abs(other.box.cy - line.box.cy)
                    <= 0.5 * max(other.box.height, line.box.height)
                    for k, other in enumerate(self.lines)):
                continue  # several entries on the row: the week's own cells, one per day
            above = [(box, days) for box, days in tables
                     if box.y1 <= line.box.y0 and box.x0 <= line.box.cx <= box.x1]
            # The table below may have no day headers of its own (it goes on with the week).
            below = [box for box in self._table_box.values()
                     if box.y0 >= line.box.y1 and box.x0 <= line.box.cx <= box.x1]
            if above and below:
                box, days = max(above, key=lambda table: table[0].y1)
                # The week's every day over the table, its cells found or not.
                bands[i] = (days + [j for j in self.header_days if j not in days
                                    and box.x0 <= self.lines[j].box.cx <= box.x1
                                    and self.lines[j].box.y1 <= line.box.y0], timing)
        return bands

    def week_above(self, table: int, line: Box) -> list[int]:
        """The table with day headers right over `table` (none of its own) whose week it goes
        on with: every edge between `table`'s drawn columns meets an edge of that table's day
        columns ([] otherwise: a course list or a key under the week has columns of its own).
        For a line in no table (`table` -1), the one right over it when another table stands
        right under it: a row of the week between two of its tables whose cells were not found
        (a row of assemblies over a hatched band)."""
        box = self._table_box.get(table)
        edges = self._edges.get(table, [])
        if box is None:
            if table >= 0 or not any(b.y0 >= line.y1 and b.x0 <= line.cx <= b.x1
                                     for b in self._table_box.values()):
                return []
            box, edges = line, []
        elif len(edges) < 3:
            return []
        above = []
        for other, other_box in self._table_box.items():
            days = [self._day_region[j] for j in self.day_lines if self._day_table[j] == other]
            if (other == table or len(days) < 2 or other_box.y1 > box.y0 + RULING_GAP
                    or not other_box.x0 <= box.cx <= other_box.x1):
                continue
            near = ALIGN_SHARE * 2 * min(day.width for day in days)
            day_edges = [edge for day in days for edge in (day.x0, day.x1)]
            if all(min(abs(edge - e) for e in day_edges) <= near for edge in edges[1:-1]):
                above.append((other_box.y1, other))
        return [max(above)[1]] if above else []

    def behind_another_table(self, header: int, table: int) -> bool:
        """Whether another table stands between the day header `header` (in no table) and
        `table` below it: a key or a course list under the week is headed by its own header
        row, not by the day names over the week's table. A table of the same columns is the
        week's upper part (a week of tiles cut in two by a row of pale tiles no cell was
        found for), no table of its own."""
        head, box = self.lines[header].box, self._table_box.get(table)
        return box is not None and any(
            other != table and head.y1 <= between.y0 and between.y1 <= box.y0 + RULING_GAP
            and between.x0 <= head.cx <= between.x1 and not self._same_columns(other, table)
            for other, between in self._table_box.items())

    def _same_columns(self, table: int, other: int) -> bool:
        """Whether every edge of either table's drawn columns lies near an edge of the
        other's (within ALIGN_SHARE of the narrower table's width), three edges or more each."""
        a, b = self._edges.get(table, []), self._edges.get(other, [])
        if len(a) < 3 or len(b) < 3:
            return False
        near = ALIGN_SHARE * min(self._table_box[table].width, self._table_box[other].width)
        return (all(min(abs(x - y) for y in b) <= near for x in a)
                and all(min(abs(x - y) for y in a) <= near for x in b))

    def _column(self, table: int, line: Box) -> tuple[float, float] | None:
        """The extent across of the column of the table's drawn cells the line stands in."""
        edges = self._edges.get(table, [])
        lo = max((edge for edge in edges if edge <= line.x0), default=None)
        hi = min((edge for edge in edges if edge >= line.x1), default=None)
        return None if lo is None or hi is None else (lo, hi)

    def _band_cell(self, table: int, box: Box, line: Box) -> Box | None:
        """The header cell a line in no cell makes on the table's top band (`_at_top`): the
        column of drawn cells it stands in (the part of it over the table: a title set flush
        left over the first column's inset card), at the line's height; None off the band."""
        column = self._column(table, Box(x0=max(line.x0, box.x0), y0=line.y0,
                                         x1=min(line.x1, box.x1), y1=line.y1))
        if column is None or not _at_top(line, box):
            return None
        return Box(x0=column[0], y0=line.y0, x1=column[1], y1=line.y1)

    def _free_time_headers(self, table: int, box: Box) -> list[tuple[Box, list[int]]]:
        """The time headers of a table with days as rows whose cells were not found (white
        times on a dark band, its rulings white or none): the times in no cell above its
        first day, inside the table, on top of it or across its top edge; (the column of
        drawn cells each stands in, the body's where it has one; its atoms in reading order).
        The times of one column are one header, so a range broken over two lines ("10:30-"
        over "10:50") is whole again."""
        first_day = min(self._day_region[j].y0 for j in self.day_lines
                        if self._day_table[j] == table)
        columns: dict[tuple[float, float], list[int]] = {}
        for k, (i, _, _) in enumerate(self.atoms):
            line = self.lines[i].box
            column = self._body_column(table, line, "x") or self._column(table, line)
            if (not is_drawn_cell(self.lines[i]) and line.y1 <= first_day and column is not None
                    and (_on_top(line, box) or _at_top(line, box) or _inside(line, box))):
                columns.setdefault(column, []).append(k)
        runs = {column: _side_by_side(ks, [self.lines[self.atoms[k][0]].box for k in ks])
                for column, ks in columns.items()}
        printed = [part for parts in runs.values() for _, part in parts]
        starts_only = sum(len(part) == 1 for part in printed) >= max(3, len(printed) / 2)
        headers = []
        for (lo, hi), ks in columns.items():
            lines = [self.lines[self.atoms[k][0]].box for k in ks]
            y0, y1 = min(b.y0 for b in lines), max(b.y1 for b in lines)
            parts = runs[(lo, hi)]
            if len(parts) < 2 or not starts_only:
                headers.append((Box(x0=lo, y0=y0, x1=hi, y1=y1), ks))
                continue
            # Lone times side by side over one column of the body, in a grid of starts: no
            # lesson ends between them, yet each heads a column of its own, parted halfway
            # between their texts.
            edges = halfway_edges(lo, hi, [span for span, _ in parts])
            headers += [(Box(x0=x0, y0=y0, x1=x1, y1=y1), part)
                        for (x0, x1), (_, part) in zip(itertools.pairwise(edges), parts,
                                                       strict=True)]
        return headers

    def _free_side_headers(self, table: int, box: Box) -> list[tuple[Box, list[int]]]:
        """The time headers of a table with days as columns whose time cells were not found
        (a shaded time column with no rulings beside a ruled week): three or more lines of
        times in no drawn cell before its first day, inside the table or right beside it, and
        a lone time closing them under the table's text (`_closing_label`); (the row each
        stands in, as wide as its text; its atoms in reading order). Each time heads the row
        of the body's drawn cells its text stands in, where these rows follow on one from the
        next, none left out and none shared (an hour's label stands at the top of its row, or
        in its middle, or the rows are unlike: periods and a short break); the last, where
        its row holds no lesson, a row as tall as the one before. Where the rows do not
        follow so, times evenly spaced part their rows halfway between them; others say
        nothing (the pointers decide)."""
        days = [self._day_region[j] for j in self.day_lines if self._day_table[j] == table]
        if not days:
            return []
        first_day = min(day.x0 for day in days)
        by_line: dict[int, list[int]] = {}
        for k, (i, _, _) in enumerate(self.atoms):
            line = self.lines[i].box
            if (not is_drawn_cell(self.lines[i]) and line.x1 <= first_day
                    and box.y0 <= line.cy <= box.y1
                    and (_inside(line, box) or 0 <= box.x0 - line.x1 <= 2 * line.height)):
                by_line.setdefault(i, []).append(k)
        if len(by_line) < 3:
            return []
        order = sorted(by_line, key=lambda i: self.lines[i].box.cy)
        closing = self._closing_label(box, order)
        if closing is not None:
            by_line[closing[0]] = closing[1]
            order.append(closing[0])
        found = [self._body_column(table, self.lines[i].box, "y") for i in order]
        if found[-1] is None and found[-2] is not None:  # the last row holds no lesson
            lo, hi = found[-2]
            found[-1] = (hi, 2 * hi - lo)
        rows = [row for row in found if row is not None]
        if len(rows) == len(found) and all(abs(b[0] - a[1]) <= RULING_GAP
                                           for a, b in itertools.pairwise(rows)):
            return [(Box(x0=self.lines[i].box.x0, y0=lo, x1=self.lines[i].box.x1, y1=hi),
                     by_line[i]) for i, (lo, hi) in zip(order, rows, strict=True)]
        steps = np.diff([self.lines[i].box.cy for i in order])
        if steps.max() > EVEN_STEPS * steps.min():  # halfway is no edge of these rows
            return []
        spans = [(self.lines[i].box.y0, self.lines[i].box.y1) for i in order]
        lo = spans[0][0] - (spans[1][0] - spans[0][1]) / 2
        hi = spans[-1][1] + (spans[-1][0] - spans[-2][1]) / 2
        edges = halfway_edges(lo, hi, spans)
        return [(Box(x0=self.lines[i].box.x0, y0=y0, x1=self.lines[i].box.x1, y1=y1), by_line[i])
                for i, (y0, y1) in zip(order, itertools.pairwise(edges), strict=True)]

    def _closing_label(self, box: Box, order: list[int]) -> tuple[int, list[int]] | None:
        """(line, its atoms) of a lone time under the last of the side labels `order`, beyond
        the table's text within one step of theirs: the label of an empty last row ("17:00"
        under "16:00"), where the last lessons end."""
        labels = [self.lines[i].box for i in order]
        step = float(np.median(np.diff([label.cy for label in labels])))
        by_line: dict[int, list[int]] = {}
        for k, (i, _, _) in enumerate(self.atoms):
            by_line.setdefault(i, []).append(k)
        for i, ks in sorted(by_line.items()):
            line = self.lines[i].box
            if (len(ks) == 1 and not is_drawn_cell(self.lines[i])
                    and line.x_overlap(labels[-1]) > 0
                    and box.y1 < line.cy <= labels[-1].cy + 1.5 * step):
                return i, ks
        return None

    def legend_range(self, name: str) -> list[int]:
        """The bell-times legend's atoms for an event named like one of its labels ("Break"
        under a blank header, the legend's "Break 10:45 – 11:05"); empty when none is."""
        return look_up(self._legend, name)

    def _legend_time_headers(self, table: int, box: Box, legend: dict[str, list[int]]
                             ) -> list[tuple[Box, list[int]]]:
        """The table's period labels that hold no time, timed by the bell-times legend: its
        label cells, and for days as rows the labels in no cell on its top band, each in the
        column of drawn cells it stands in; (the header's extent, the legend's atoms)."""
        headers = []
        for key, members in self._labels.get(table, {}).items():
            found = look_up(legend, " ".join(self.lines[i].text for i in members))
            if key not in self.atoms_by_cell and found:
                headers.append((self.lines[members[0]].region, found))
        if self._axes[table] != "x":
            return headers
        timed = self._timed
        for i, line in enumerate(self.lines):
            cell = self._band_cell(table, box, line.box)
            found = look_up(legend, line.text)
            if line.table < 0 and i not in timed and found and cell is not None:
                headers.append((cell, found))
        return headers

    def _label_cells(self, table: int, axis: str) -> dict[tuple, list[int]]:
        """A grid's label cells: its drawn cells under no day and outside the day headers'
        band, i.e. what names each slot (the period names or times down the side of a
        days-as-columns table, the time headers across the top of a days-as-rows one)."""
        labels: dict[tuple, list[int]] = {}
        for key, members in self.cell_lines.items():
            line = self.lines[members[0]]
            if (key is None or line.table != table or not is_drawn_cell(line)
                    or self._under_a_day(line, axis) or self._in_day_band(line, axis)):
                continue
            labels[key] = members
        return labels

    def _in_day_band(self, line: ReadLine, axis: str) -> bool:
        """The line's cell lies mostly in the band of its table's day headers along the time
        axis (the header row of a days-as-columns table)."""
        span = extent(line.region, axis)
        return any(self._day_table[j] == line.table
                   and _mostly(span, extent(self._day_region[j], axis))
                   for j in self.day_lines)

    def is_footer(self, members: list[int], axis: str) -> bool:
        """The event's drawn cell lies past the last slot label along the time axis, holds no
        written time, and its edges across the axis do not line up with the day headers': a
        box sharing the table's frame under the last period (a tutor's name, a signature), no
        slot of the week. A cell of a slot whose label the OCR missed still lines up with its
        day and is kept."""
        own = self._drawn_cell(members)
        line = self.lines[members[0]]
        last = self._labels_end.get(line.table)
        if own is None or last is None or own in self.atoms_by_cell:
            return False
        lo, hi = extent(line.region, axis)
        if lo < last - EDGE_SHARE * (hi - lo):
            return False
        return not self._lines_up_with_days(line, axis)

    def _lines_up_with_days(self, line: ReadLine, axis: str) -> bool:
        """Both of the cell's edges across the time axis meet an edge of a day header cell of
        its table (a merged cell over several days meets the outer ones)."""
        days = [extent(self._day_region[j], _across(axis)) for j in self.day_lines
                if self._day_table[j] == line.table]
        edges = [edge for day in days for edge in day]
        # Cells cut by one ruling meet within a few pixels, a twentieth of a day is plenty.
        near = max(3.0, ALIGN_SHARE * min(b - a for a, b in days))
        return all(any(abs(edge - own) <= near for edge in edges)
                   for own in extent(line.region, _across(axis)))

    def label_named_cells(self) -> list[tuple[list[int], list[int]]]:
        """(a cell's lines, its label's worded lines) for each cell of a slot whose day cells
        all hold a written time and no word, and whose label has words: a break row
        ("Morning Break" down the side, "11:05" in each day's cell) is one block per day,
        named by its label and timed by its cell."""
        named = []
        for table, labels in self._labels.items():
            axis = self._axes[table]
            assert axis is not None
            for label_key, label_lines in labels.items():
                words = [i for i in label_lines if _worded(self.lines[i].text)]
                if not words:
                    continue
                span = extent(self.lines[label_lines[0]].region, axis)
                cells = [members for key, members in self.cell_lines.items()
                         if key is not None and key != label_key
                         and self.lines[members[0]].table == table
                         and is_drawn_cell(self.lines[members[0]])
                         and self._under_a_day(self.lines[members[0]], axis)
                         and _mostly(span, extent(self.lines[members[0]].region, axis))]
                if len(cells) >= 2 and all(
                        cell_key(self.lines[m[0]]) in self.atoms_by_cell
                        and not any(_worded(self.lines[i].text) for i in m) for m in cells):
                    named += [(members, words) for members in cells]
        return named

    def time_axis(self, members: list[int], day_line: int) -> str:
        event = self.lines[members[0]]
        axis = self._axes.get(event.table) if is_drawn_cell(event) else None
        if axis is not None:
            return axis
        box = Box.enclosing([self.lines[i].region for i in members])
        return time_axis_beside(box, self.lines[day_line].region)

    def _notes_rows(self) -> dict[tuple, list[int]]:
        """The cells of a thin row right under a row of events, in smaller print and with no
        time of their own on the row ("E4 – KWH" under "English": a Word table giving each
        lesson's room and teacher a row of its own): notes of the cell above, not events.
        Two such cells on one row at least. So is a line on a pill of its own right under a
        cell or a card's text, within its width (a room's tag under the lesson's name and
        time), whatever its print or its row. Upper cell's key → the lower cell's lines."""
        # Drawn cells, or the blocks of a table read from the text (an app's board of cards).
        cells = {key: lines for key, lines in self.cell_lines.items()
                 if key is not None and (all(is_drawn_cell(self.lines[i]) for i in lines)
                                         or all(self.lines[i].from_text for i in lines))}
        timed = self._timed
        found: dict[tuple, tuple[tuple, list[int]]] = {}  # lower key → (upper key, its names)
        tags: dict[tuple, list[int]] = {}  # upper key → the tag's lines
        for key, lines in cells.items():
            table, x0, y0, x1, y1 = key
            if any(i in timed or not _worded(self.lines[i].text) for i in lines):
                continue
            # Right under it, flush with its left side (a tag's pill anywhere below its text),
            # no wider.
            tag = all(self._on_a_tag(self.lines[i]) for i in lines)
            up = next((up for up in cells if up[0] == table and abs(up[4] - y0) <= RULING_GAP
                       and (abs(up[1] - x0) <= RULING_GAP or tag and up[1] <= x0)
                       and x1 <= up[3] + RULING_GAP and up != key), None)
            if up is None:
                continue
            names = [i for i in cells[up] if _worded(self.lines[i].text) and i not in timed]
            if not names or y1 - y0 > THIN_ROW * (up[4] - up[2]):
                continue
            if tag:
                tags[up] = lines  # a pill of its own: a note whatever its print or its row
            else:
                found[key] = (up, names)
        # A row: cells of one table whose tops and bottoms meet within a ruling's width (tags
        # are drawn one by one).
        rows: dict[tuple, list[tuple]] = {}
        for key in sorted(found, key=lambda k: (k[0], k[2], k[4])):
            row = next((row for row in rows if row[0] == key[0]
                        and abs(row[1] - key[2]) <= RULING_GAP
                        and abs(row[2] - key[4]) <= RULING_GAP), (key[0], key[2], key[4]))
            rows.setdefault(row, []).append(key)
        notes = {}
        for (table, y0, y1), keys in rows.items():
            # The row's print against the events' above it, each the median width of its lines'
            # letters (a line's box height grows with its ascenders and descenders).
            print_size = median(self._letter_width(i) for key in keys for i in cells[key])
            above = median(self._letter_width(i) for key in keys for i in found[key][1])
            # A time in a cell of the row's own (not the period's, merged over both rows).
            row_timed = any(self.lines[i].table == table and y0 <= self.lines[i].box.cy <= y1
                            and self.lines[i].region.y0 >= y0 - RULING_GAP for i in timed)
            if len(keys) >= 2 and not row_timed and print_size <= SMALLER_PRINT * above:
                notes.update((found[key][0], cells[key]) for key in keys)
        return notes | tags

    @staticmethod
    def _on_a_tag(line: ReadLine) -> bool:
        """The line stands on a fill that hugs it (a room's pill), not on a card or a cell."""
        return line.card is not None and (line.card.width * line.card.height
                                          <= TAG_AREA * line.box.width * line.box.height)

    def _letter_width(self, i: int) -> float:
        """How wide line i prints a letter on average: its print size."""
        line = self.lines[i]
        return line.box.width / max(1, len(line.text.strip()))

    def notes_below(self, members: list[int]) -> list[int]:
        """The lines of the notes row's cell (or the tag) under the event's cell
        (`_notes_rows`)."""
        keys = {cell_key(self.lines[i]) for i in members}
        return self._notes_under.get(keys.pop(), []) if len(keys) == 1 else []

    def is_cell(self, members: list[int]) -> bool:
        """All of the event's lines sit in one drawn cell."""
        return self._drawn_cell(members) is not None

    def _drawn_cell(self, members: list[int]) -> tuple | None:
        """The one drawn cell all of the event's lines sit in, else None."""
        keys = {cell_key(self.lines[i]) for i in members}
        if len(keys) == 1 and all(is_drawn_cell(self.lines[i]) for i in members):
            return keys.pop()
        return None

    def in_one_cell(self, members: list[int]) -> bool:
        """All of the event's lines stand in one cell, drawn or read from the text (a card
        of upright lines: standing ones read in an order the page does not show)."""
        return self._drawn_cell(members) is not None or (
            self._text_cell(members) is not None
            and not any(self.lines[i].angle for i in members))

    def _text_cell(self, members: list[int]) -> tuple | None:
        """The one cell read from the text all of the event's lines stand in, else None (a
        drawn cell, several cells)."""
        keys = {cell_key(self.lines[i]) for i in members}
        if len(keys) != 1 or not all(self.lines[i].from_text for i in members):
            return None
        return keys.pop()

    def _entry_cell(self, members: list[int]) -> tuple | None:
        """The event's `_text_cell` when one line of it prints a time (a time or a range), else
        None: a card with its time, not a list's rows nor a borderless table's cells run
        together (no time of their own)."""
        own = self._text_cell(members)
        printing = {self.atoms[k][0] for k in self.atoms_by_cell.get(own, [])}
        return own if own is not None and len(printing) == 1 else None

    def own_times(self, members: list[int]) -> list[int]:
        """The minutes written in the event's own drawn cell, in reading order."""
        own = self._drawn_cell(members)
        return [] if own is None else [self.atoms[k][2] for k in self.atoms_by_cell.get(own, [])]

    def day_time_column(self, members: list[int], day: int) -> list[int]:
        """The time atoms of the time-only drawn cell right before the event's drawn cell on
        its row, both under the event's day header (each day's own "Time | Subject" columns,
        Friday's times not Monday's): the event's times, whatever the rows' other times say.
        Empty elsewhere."""
        own = self._drawn_cell(members)
        if own is None or not is_drawn_cell(self.lines[day]):
            return []
        cell, header = self.lines[members[0]].region, self.lines[day].region
        tolerance = 0.1 * cell.width

        def under_header(box: Box) -> bool:
            return header.x0 - tolerance <= box.cx <= header.x1 + tolerance

        if not under_header(cell):
            return []
        for key, found in self.atoms_by_cell.items():
            line = self.lines[self.atoms[found[0]][0]]
            box = line.region
            if (key != own and is_drawn_cell(line) and is_time_text(line.text)
                    and line.table == self.lines[members[0]].table
                    and abs(box.x1 - cell.x0) <= tolerance and under_header(box)
                    and _mostly(extent(box, "y"), extent(cell, "y"))):
                minutes = [self.atoms[k][2] for k in found]
                # A range read short ("12:20-12" for 12:20-12:55pm) says nothing.
                return found if minutes == sorted(set(minutes)) else []
        return []

    def card_atoms(self, members: list[int]) -> list[int]:
        """The time atoms printed in the one text-derived cell all of the event's lines stand
        in (a card of a visual timetable, its time over its name), in reading order: a time
        or a range; none where the lines stand in a drawn cell or in several."""
        own = self._text_cell(members)
        printed = [] if own is None else self.atoms_by_cell.get(own, [])
        return printed if len(printed) <= 2 else []  # more: a list's rows, not one card

    def body_lines(self) -> set[int]:
        """Worded lines of drawn cells in a grid's body (under a day, beyond the day headers'
        band) that the model left out of every event: every filled cell of a timetable's body
        is an event, whatever its wording."""
        body = set()
        for i, line in enumerate(self.lines):
            axis = self._axes.get(line.table)
            if (axis is None or not is_drawn_cell(line) or self.role[i] in (_EVENT, _NOTES)
                    or self.role[i] == _DAY and i not in self._not_headers
                    or not _worded(line.text)):
                continue
            if (self._under_a_day(line, axis) and self._after_the_day_headers(line, axis)
                    and not self.is_footer([i], axis)):
                body.add(i)
        return body

    def lattice_lines(self) -> set[int]:
        """Worded lines the model left out of every event that stand alone where a day's row
        (column) meets the column (row) of a time header printed before the day names, on a
        page whose days stand in no drawn cell: "TUT / KMO / C4" in a dark-mode table whose
        cells show no edge is a cell of the week, whatever its wording. Alone: no other worded
        line shares that slot and that day (a cell's second line is the model's to place)."""
        days = [j for j in self._lined_days if not is_drawn_cell(self.lines[j])]
        if len({(self.lines[j].box.x0, self.lines[j].box.y0) for j in days}) < 2:
            return set()
        axis = _times_beside([self.lines[j].box for j in days])
        across = _across(axis)
        first_day = min(extent(self.lines[j].box, across)[0] for j in days)
        days_end = max(extent(self.lines[j].box, axis)[1] for j in days)
        headers = [h for h in self._timed if is_time_text(self.lines[h].text)
                   and extent(self.lines[h].box, across)[1] <= first_day]
        worded = [i for i, line in enumerate(self.lines) if _worded(line.text)
                  and not is_drawn_cell(line) and i not in self._lined_days]

        def cell_of(i: int) -> tuple[int, int] | None:
            box = self.lines[i].box
            if extent(box, axis)[0] < days_end:
                return None
            day = next((j for j in days if _mostly(extent(box, across),
                                                   extent(self.lines[j].box, across))), None)
            slot = next((h for h in headers if _mostly(extent(box, axis),
                                                       extent(self.lines[h].box, axis))), None)
            return None if day is None or slot is None else (day, slot)

        cells: dict[tuple[int, int], list[int]] = {}
        for i in worded:
            if (cell := cell_of(i)) is not None:
                cells.setdefault(cell, []).append(i)
        return {members[0] for members in cells.values() if len(members) == 1
                and self.role[members[0]] not in (_EVENT, _NOTES, _DAY)}

    def _after_the_day_headers(self, line: ReadLine, axis: str) -> bool:
        """The cell begins where its table's day headers end along the time axis or later:
        below a row of day names, right of a column of them (a title above is no body)."""
        ends = [extent(self._day_region[j], axis)[1] for j in self.day_lines
                if self._day_table[j] == line.table]
        lo, hi = extent(line.region, axis)
        return lo >= max(ends) - EDGE_SHARE * (hi - lo)

    def whole_cell(self, members: list[int]) -> list[int]:
        """The event's lines and every other worded line of its drawn cell (a letter of a word
        spelled down the cell, a code the model called "other"): the cell is the unit. So is a
        cell read from the text whose one line with a time is its own (a card's "8:45–9:00
        Register & Early" over "Work"), not a list's rows. Day names and lone times stay
        out."""
        own = self._drawn_cell(members) or self._entry_cell(members)
        if own is None:
            return members
        rest = [i for i in self.cell_lines[own] if i not in members and self.role[i] != _DAY
                and _worded(self.lines[i].text)]
        return sorted([*members, *rest])

    def in_header_band(self, members: list[int], axis: str) -> bool:
        """An event cell in the band of its table's day headers along the time axis is a header
        too (a "TIME", "DAY" or "Period" caption beside the day names): headers are no blocks.
        So is a card the event stands in alone in the band of the day names' own cards (a
        "Time" card beside the day cards of a visual timetable)."""
        own = self._drawn_cell(members)
        if own is None:
            return self._card_in_header_band(members)
        event = extent(self.lines[members[0]].region, axis)
        for j in self.day_lines:
            if (self._day_table[j] != self.lines[members[0]].table
                    or cell_key(self.lines[j]) == own):
                continue
            if _mostly(event, extent(self._day_region[j], axis)):
                return True
        return False

    def _card_in_header_band(self, members: list[int]) -> bool:
        card = self.lines[members[0]].card
        if card is None or any(self.lines[i].card != card for i in members):
            return False
        # Two day cards at least: one alone could be an event's card that names a day.
        days = [self.lines[j].card for j in self._lined_days
                if self.lines[j].card is not None and self.lines[j].card != card]
        if len(days) < 2:
            return False
        # The band runs along the axis its cards spread over; the caption stands across it,
        # before the first day's card or after the last: a card between two of them is a slot
        # of the week (an app's "Break" pill between Monday's list and Tuesday's).
        across = _times_beside(days)
        along = _across(across)
        first, last = min(extent(d, along)[0] for d in days), max(extent(d, along)[1] for d in days)
        if first < sum(extent(card, along)) / 2 < last:
            return False
        return any(_mostly(extent(card, across), extent(day, across)) for day in days)

    def covered_days(self, members: list[int], axis: str) -> list[int]:
        """The day header lines whose cells the event's drawn cell covers across the time axis:
        a cell merged down the whole week (a LUNCH column) is one block per day it covers. So
        are the day headers (and their own cards) of its table that a filled card the event
        stands in alone reaches over: "Playtime" across a visual timetable's row."""
        event = self.lines[members[0]]
        if self._drawn_cell(members) is not None:
            span = extent(event.region, _across(axis))
            return [j for j in self.header_days
                    if self._day_table.get(j, -1) in (event.table, -1) and _mostly(
                        span, extent(self._day_region.get(j, self.lines[j].region),
                                     _across(axis)))]
        if event.card is None or any(self.lines[i].card != event.card for i in members):
            return []
        # Alone in it: a band a photo's light or shadow leaves across the page holds others.
        if any(i not in members and _mostly(extent(line.box, "x"), extent(event.card, "x"))
               and _mostly(extent(line.box, "y"), extent(event.card, "y"))
               for i, line in enumerate(self.lines)):
            return []
        span = extent(event.card, _across(axis))
        covered = []
        for j in self._lined_days:
            day = extent(self.lines[j].card or self.lines[j].region, _across(axis))
            if self.lines[j].table == event.table and span[0] <= sum(day) / 2 <= span[1] and (
                    _overlap(span, day) >= 0.5 * (day[1] - day[0])):
                covered.append(j)
        # Days stacked down one column (a page of day lists) are not days side by side.
        if any(_mostly(extent(self.lines[a].box, _across(axis)),
                       extent(self.lines[b].box, _across(axis)))
               for k, a in enumerate(covered) for b in covered[k + 1:]):
            return []
        return covered

    def break_across_the_week(self, members: list[int], axis: str) -> list[int]:
        """A break written once across its row ("Morning Tea" or "Lunch" over the middle of a
        whiteboard's ruled row, its other cells empty) is every day's: the day header lines of
        the table, when the name is a break's, it stands about the middle of the days' span, and
        no other cell of its slot holds a word (a row of free periods and one lesson is not
        this: its lesson is no break). The name is all of the event's words. So is one printed
        across a table with no rules, under day names read from the text alone. [] otherwise."""
        if not is_break_name(" ".join(self.lines[i].text for i in members)):
            return []
        table = self.lines[members[0]].table
        if all(is_drawn_cell(self.lines[i]) and self.lines[i].table == table for i in members):
            if self._axes.get(table) is None:
                return []
            days = [j for j in self.day_lines if self._day_table[j] == table]
            regions = {j: self._day_region[j] for j in days}
            slot = extent(self.lines[members[0]].region, axis)
            others = [line for i, line in enumerate(self.lines)
                      if i not in members and line.table == table and is_drawn_cell(line)
                      and self._under_a_day(line, axis)]
        elif not any(is_drawn_cell(self.lines[i]) for i in members) and not self.day_lines:
            days = self._lined_days
            regions = {j: self.lines[j].box for j in days}
            slot = extent(Box.enclosing([self.lines[i].box for i in members]), axis)
            others = [line for i, line in enumerate(self.lines)
                      if i not in members and i not in days]
        else:
            return []
        if len(days) < 3:
            return []
        across = _across(axis)
        spans = [extent(regions[j], across) for j in days]
        lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
        event = Box.enclosing([self.lines[i].box for i in members])
        if abs(sum(extent(event, across)) / 2 - (lo + hi) / 2) > MIDDLE_SHARE * (hi - lo):
            return []
        for line in others:
            if (_worded(line.text) and lo <= sum(extent(line.box, across)) / 2 <= hi
                    and _mostly(slot, extent(line.region, axis))):
                return []
        return days

    def cut_short(self, members: list[int], axis: str) -> bool:
        """The event's drawn cell ends, across the days, inside a day's column (row) rather
        than on the edge between two: a rule a stain or a fold drew through a merged cell."""
        own = self._drawn_cell(members)
        if own is None:
            return False
        across = _across(axis)
        edges = [edge for j in self.day_lines if self._day_table[j] == own[0]
                 for edge in extent(self._day_region[j], across)]
        ends = extent(self.lines[members[0]].region, across)
        return bool(edges) and any(min(abs(end - edge) for edge in edges) > RULING_GAP
                                   for end in ends)

    def _under_a_day(self, line: ReadLine, axis: str) -> bool:
        """The cell sits in a day's column (or row) of a grid: a cell of the timetable's body,
        no header. (A list's day title spans the whole table: nothing is under it.)"""
        if self._axes.get(line.table) is None:
            return False
        span = extent(line.region, _across(axis))
        return any(self._day_table[j] == line.table
                   and _mostly(span, extent(self._day_region[j], _across(axis)))
                   for j in self.day_lines)

    def _is_header(self, line: ReadLine, axis: str, members: list[int]) -> bool:
        """A time header cell for the event: a drawn cell of its table, outside every day's
        column (or row) in a grid; in a list (no grid axis), one holding no named event or
        only times."""
        event = self.lines[members[0]]
        if not is_drawn_cell(line) or line.table != event.table:
            return False
        if self._axes.get(line.table) is not None:
            return not self._under_a_day(line, axis)
        key = cell_key(line)
        return key not in self.event_cells or is_time_text(
            " ".join(self.lines[i].text for i in self.cell_lines[key]))

    def slot_masks(self, members: list[int], axis: str
                   ) -> tuple[np.ndarray | None, np.ndarray | None, bool]:
        """Masks over the atoms that may start and end the event. Times printed in its own
        cell override the headers (a lone one is when it starts, and the end is the header's
        or not written). Otherwise the header times whose cells begin where the event's cell
        begins (the first time of a range, or a lone start) and end where it ends (the last
        time of a range). The next slot's lone start is not this one's end: a start-only header
        says no end, and the answer's end is null (the contract's "when the document does not
        say", as the dev set's start-only page is labelled) — except on a clock axis, whose next
        hour's mark ends it (`_clock_axis`). A page may repeat its time column
        between days: each day reads the nearest one before it. In a grid with time headers,
        an edge no header lines up with has no time, except a slot no header names between
        a range ending where it begins and one starting later where it ends (a RECESS column
        between 10:30 and 10:50): it is that gap. None where geometry says nothing (no
        drawn cell, no grid): the pointer alone decides. The flag says the end is certainly
        written: the last time of a range (the header's, or the cell's own) lines up with the
        event's end."""
        own = self._drawn_cell(members)
        if own is None or not self.atoms:
            return None, None, False
        region = self.lines[members[0]].region
        lo, hi = extent(region, axis)
        band_lo, band_hi = extent(region, _across(axis))
        tolerance = max(5.0, EDGE_SHARE * (hi - lo))
        n = len(self.atoms)
        starts, ends = np.zeros(n, bool), np.zeros(n, bool)
        start_gap, end_gap = np.full(n, np.inf), np.full(n, np.inf)
        headers = self._slot_headers(own, axis, members)
        table = self.lines[members[0]].table
        headed = bool(headers)  # the table has time headers at all
        clock = self._clock_axis(headers, axis)
        inside_start = inside_end = False
        # The ranges ending where the event begins and starting where it ends: an unheaded
        # slot between two periods (a RECESS column) runs from the one's end to the other's start.
        after, before = np.zeros(n, bool), np.zeros(n, bool)
        for header, ks in headers:
            c_lo, c_hi = extent(header, axis)
            # An edge inside a header's slot (the slot split between two events): only the
            # pointer can say where.
            inside_start |= c_lo + tolerance < lo < c_hi - tolerance
            inside_end |= c_lo + tolerance < hi < c_hi - tolerance
            a_lo, a_hi = extent(header, _across(axis))
            gap = band_lo - a_hi if a_hi <= band_lo + tolerance else 1e6 + a_lo - band_hi
            near = min(tolerance, max(5.0, EDGE_SHARE * (c_hi - c_lo)))
            if abs(c_lo - lo) <= near:
                starts[ks[0]], start_gap[ks[0]] = True, gap
            if len(ks) > 1 and abs(c_hi - hi) <= near:
                ends[ks[-1]], end_gap[ks[-1]] = True, gap
            # On a clock axis the next hour's mark ends the event that stops at it.
            if ks[0] in clock and abs(c_lo - hi) <= near:
                ends[ks[0]], end_gap[ks[0]] = True, gap
            if len(ks) > 1 and abs(c_hi - lo) <= near:
                after[ks[-1]] = True
            if len(ks) > 1 and abs(c_lo - hi) <= near:
                before[ks[0]] = True
        starts &= start_gap <= start_gap.min() + tolerance
        ends &= end_gap <= end_gap.min() + tolerance
        if not (ends.any() or inside_start or inside_end):
            between = self._between_ranges(after, before)
            # ... also where its header prints one time, the next period's start: a narrow
            # turned header ("1 – 1:20pm") whose first time the reading lost.
            lone = {self.atoms[k][2] for k in np.flatnonzero(starts)}
            if between[0].any() and (
                    not lone or lone == {self.atoms[k][2] for k in np.flatnonzero(between[1])}):
                starts, ends = between
        printed = np.zeros(n, bool)
        printed[self.atoms_by_cell.get(own, [])] = True
        if len({self.atoms[k][2] for k in self.atoms_by_cell.get(own, [])}) > 1:
            return printed, printed, True
        written = bool(ends.any())
        if printed.any():
            return printed, ends, written
        # In a grid with time headers, an edge under none of them (a LUNCH column under a
        # blank header, its neighbours meeting) has no time written.
        grid = headed and self._axes.get(table) is not None
        return (starts if starts.any() or (grid and not inside_start) else None,
                ends if ends.any() or (grid and not inside_end) else None, written)

    def _slot_headers(self, own: tuple, axis: str, members: list[int]
                      ) -> list[tuple[Box, list[int]]]:
        """(where, its atoms) of each time header the event's slots are read from: the drawn
        ones, paired where a slot's start and end stand side by side, and the free and legend
        ones where none is drawn there."""
        headers = paired_headers(self._time_headers(own, axis, members), self.atoms, axis)
        table = self.lines[members[0]].table
        if self._axes.get(table) == axis:  # and the time headers in no cell, where none is drawn
            headers += [(free, ks) for free, ks in (self._free_headers.get(table, [])
                                                    + self._legend_headers.get(table, []))
                        if not any(_mostly(extent(free, axis), extent(drawn, axis))
                                   for drawn, _ in headers)]
        return headers

    def clock_end(self, members: list[int], axis: str) -> int | None:
        """The end (minutes) of an event drawn to the far edge of a clock axis's last mark's
        slot, with no mark after it to end it ("16:00" the last hour down a lecture week's
        side, a lab drawn from the 15:00 mark to the grid's bottom): the last mark and one
        step. None elsewhere."""
        own = self._drawn_cell(members)
        if own is None or not self.atoms:
            return None
        headers = self._slot_headers(own, axis, members)
        clock = self._clock_axis(headers, axis)
        marks = sorted((extent(header, axis), self.atoms[ks[0]][2]) for header, ks in headers
                       if len(ks) == 1 and ks[0] in clock)
        if len(marks) < 2:
            return None
        (c_lo, c_hi), last = marks[-1]
        lo, hi = extent(self.lines[members[0]].region, axis)
        near = max(5.0, EDGE_SHARE * (c_hi - c_lo))
        return 2 * last - marks[-2][1] if abs(c_hi - hi) <= near and lo < c_hi else None

    def _clock_axis(self, headers: list[tuple[Box, list[int]]], axis: str) -> set[int]:
        """The atoms of a clock axis's marks that end the slot before them: a lecture week's
        hours down its side or along its top ("09:00", "10:00", … each a lone start),
        CLOCK_MARKS or more, most of them a steady step of CLOCK_STEPS minutes apart and about
        evenly spaced. There a lesson drawn from the 9:00 mark to the 11:00 one runs 9 to 11:
        the page says its end, unlike a period grid's bell starts (a start-only header, whose
        end is unwritten). A longer step breaks the axis (a lunch column printing its own
        range between 12:00 and 13:15): the mark after it ends nothing, since where the slot
        before it stops is not printed. A shorter one (a bell header's break) makes no clock.
        The spacing is the printed marks' own, from their middles: a header's slot may be cut
        short by a stray edge, and a speck beside a mark widens its box on one side. A lone
        time led by a dash is a range's end whose start the reading lost, no mark."""
        lone = [(self.lines[self.atoms[ks[0]][0]], ks[0]) for _, ks in headers if len(ks) == 1]
        marks = sorted((sum(extent(line.box, axis)) / 2, self.atoms[k][2], k)
                       for line, k in lone if not _DASH_LED.match(line.text))
        if len(marks) < CLOCK_MARKS:
            return set()
        pairs = list(zip(marks, marks[1:], strict=False))
        steps = [b[1] - a[1] for a, b in pairs]
        step = max(set(steps), key=steps.count)
        steady = [(a, b) for (a, b), s in zip(pairs, steps, strict=True) if s == step]
        places = [b[0] - a[0] for a, b in steady]
        if (step not in CLOCK_STEPS or len(steady) < CLOCK_MARKS - 1
                or 2 * len(steady) <= len(pairs) or min(steps) < step
                or max(places) > (1 + CLOCK_EVEN) * min(places)):
            return set()
        return {b[2] for _, b in steady}

    def _between_ranges(self, after: np.ndarray, before: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
        """Start and end masks of a slot no header names, between a range that ends where it
        begins and one that starts where it ends: the gap between them, when the two ranges
        agree on one (one end, one later start, within a school day's break). Empty masks
        otherwise: the slot's times are not written."""
        ends_before = {self.atoms[k][2] for k in np.flatnonzero(after)}
        starts_after = {self.atoms[k][2] for k in np.flatnonzero(before)}
        if len(ends_before) != 1 or len(starts_after) != 1:
            return np.zeros_like(after), np.zeros_like(before)
        gap = starts_after.pop() - ends_before.pop()
        if not 0 < gap <= LONGEST_BREAK:
            return np.zeros_like(after), np.zeros_like(before)
        return after, before

    def _stacked_part(self, own: tuple) -> bool:
        """Another drawn cell holding words stands right over or under the cell, as wide (a
        period divided by a dashed line); a notes row under a lesson is no part of it."""
        table, x0, y0, x1, y1 = own
        if own in self._notes_under:
            return False
        for key, lines in self.cell_lines.items():
            if (key is None or key == own or key[0] != table or abs(key[1] - x0) > RULING_GAP
                    or abs(key[3] - x1) > RULING_GAP
                    or min(abs(key[2] - y1), abs(key[4] - y0)) > RULING_GAP):
                continue
            if key not in self._notes_under and any(
                    _worded(self.lines[i].text) and i not in self.notes_row_lines
                    and is_drawn_cell(self.lines[i]) for i in lines):
                return True
        return False

    def within_slot(self, members: list[int], axis: str) -> tuple[int | None, int | None]:
        """Minutes where a part of a divided period begins and ends (`dividers.py`: "Phonics"
        over "Handwriting", a dashed line between, each a part of the period, in order from the
        top): the time header's range shared in proportion to where the part's edges stand in
        the slot (days as columns) or in the day's row (days as rows), to five minutes. None
        for an edge the headers give, for a cell printing its own times and for one with no
        part over or under it (parts side by side are groups in parallel, as aSc prints them)."""
        own = self._drawn_cell(members)
        if own is None or self.atoms_by_cell.get(own) or not self._stacked_part(own):
            return None, None
        region = self.lines[members[0]].region
        lo, hi = extent(region, axis)
        tolerance = max(5.0, EDGE_SHARE * (hi - lo))
        # Where the time headers' own cells begin and end along the slot: an edge there is a
        # row of the grid ("1.30 - 2.15" over "2.15 - 3.10"), which a day's lessons follow
        # one to a row where another day merges the two.
        given = [edge for key, ks in self.atoms_by_cell.items()
                 if axis == "y" and key is not None and key != own
                 and self._is_header(self.lines[self.atoms[ks[0]][0]], axis, members)
                 for edge in (key[2], key[4])]
        # Days as rows: the day's row the part stands in.
        rows = [extent(self._day_region[j], "y") for j in self.day_lines
                if self._day_table[j] == own[0]
                and _mostly(extent(region, "y"), extent(self._day_region[j], "y"))]
        found: list[int | None] = [None, None]
        for header, ks in paired_headers(self._time_headers(own, axis, members), self.atoms,
                                         axis):
            c_lo, c_hi = extent(header, axis)
            first, last = self.atoms[ks[0]][2], self.atoms[ks[-1]][2]
            if last <= first:  # a lone start: no range to share
                continue
            if axis == "y":  # days as columns: the parts stand along the slot
                span, edges = (c_lo, c_hi), (lo, hi)
            elif len(rows) == 1 and abs(c_lo - lo) <= tolerance and abs(c_hi - hi) <= tolerance:
                span, edges = rows[0], (region.y0, region.y1)
            else:
                continue
            slack = max(5.0, EDGE_SHARE * (edges[1] - edges[0]))
            for k, edge in enumerate(edges):
                if (span[0] + slack < edge < span[1] - slack
                        and all(abs(edge - at) > slack for at in given)):
                    share = (edge - span[0]) / (span[1] - span[0])
                    found[k] = first + 5 * round(share * (last - first) / 5)
        return found[0], found[1]

    def _body_edges_of(self, table: int, axis: str) -> list[float]:
        """The edges along `axis` of the table's drawn cells under a day (its body), found once."""
        if (table, axis) not in self._body_edges:
            self._body_edges[table, axis] = sorted({
                edge for line in self.lines if line.table == table and is_drawn_cell(line)
                and self._under_a_day(line, axis) for edge in extent(line.region, axis)})
        return self._body_edges[table, axis]

    def _body_column(self, table: int, box: Box, axis: str) -> tuple[float, float] | None:
        """The extent along `axis` of the column (row) of the table's body under the middle of
        `box`: the edges of the drawn cells under a day nearest either side of it."""
        edges = self._body_edges_of(table, axis)
        middle = sum(extent(box, axis)) / 2
        lo = max((edge for edge in edges if edge <= middle), default=None)
        hi = min((edge for edge in edges if edge >= middle), default=None)
        return None if lo is None or hi is None else (lo, hi)

    def _time_headers(self, own: tuple | None, axis: str, members: list[int]
                      ) -> list[tuple[Box, list[int]]]:
        """(where, its atoms) of each drawn time header of the event's table. A header cell
        holding time lines side by side along the axis, each over a column of the body of
        its own ("09:00" and "10:00" in one cell, the ruling between them lost), is one header
        per line, in the body column its text stands in."""
        cells = [(ks, self.lines[self.atoms[ks[0]][0]]) for key, ks in self.atoms_by_cell.items()
                 if key != own and self._is_header(self.lines[self.atoms[ks[0]][0]], axis,
                                                   members)]
        # Most header cells print a lone time: a grid of starts, where two times side by
        # side in one cell are two columns' starts whose ruling was lost, not a range.
        printed = [ks for ks, _ in cells] + [
            ks for _, ks in self._free_headers.get(self.lines[members[0]].table, [])]
        starts_only = sum(len(ks) == 1 for ks in printed) >= max(3, len(printed) / 2)
        headers = []
        for ks, first in cells:
            by_line: dict[int, list[int]] = {}
            for k in ks:
                by_line.setdefault(self.atoms[k][0], []).append(k)
            order = sorted(by_line, key=lambda i: extent(self.lines[i].box, axis)[0])
            columns = [self._body_column(first.table, self.lines[i].box, axis) for i in order]
            side_by_side = all(extent(self.lines[a].box, axis)[1]
                               < extent(self.lines[b].box, axis)[0]
                               for a, b in zip(order, order[1:], strict=False))
            if (len(order) < 2 or not side_by_side or None in columns
                    or len(set(columns)) < len(columns)):
                if starts_only and side_by_side and len(order) >= 2 and len(ks) == len(order):
                    headers += self._parted(first, order, by_line, axis)
                else:
                    headers.append((self._in_its_column(first, axis), ks))
                continue
            for i, (lo, hi) in zip(order, columns, strict=True):  # type: ignore[misc]
                headers.append((with_extent(first.region, axis, lo, hi), by_line[i]))
        return headers

    def _parted(self, first: ReadLine, order: list[int], by_line: dict[int, list[int]],
                axis: str) -> list[tuple[Box, list[int]]]:
        """A header cell's lone times side by side, each heading its share of the cell,
        parted halfway between their texts."""
        lo, hi = extent(first.region, axis)
        edges = halfway_edges(lo, hi, [extent(self.lines[i].box, axis) for i in order])
        return [(with_extent(first.region, axis, a, b), by_line[i])
                for (a, b), i in zip(itertools.pairwise(edges), order, strict=True)]

    def _in_its_column(self, header: ReadLine, axis: str) -> Box:
        """A time header's cell, or where its edges do not line up with the grid's body (found
        narrower than the column it heads, white print on a dark band whose edges were lost;
        or astray, a photographed band's rulings off the body's), the column of the body under
        its text."""
        region = header.region
        column = (self._body_column(header.table, header.box, axis)
                  if self._axes.get(header.table) == axis else None)
        edges = self._body_edges_of(header.table, axis)
        if column is None or all(any(abs(edge - own) <= RULING_GAP for edge in edges)
                                 for own in extent(region, axis)):
            return region  # a header as wide as its column, or spanning several: as drawn
        lo, hi = column
        return with_extent(region, axis, lo, hi)

    def corner_lines(self, members: list[int]) -> set[int]:
        """Lines of the event's drawn cell printed in its corners or against its sides (a
        teacher code, a room), never its name: a short line hugging the cell's left or right
        side, or sharing a text row with another line far beside it. The line nearest the
        cell's centre is the name's and never a corner."""
        own = self._drawn_cell(members)
        if own is None:
            return set()
        cell = self.cell_lines[own]
        box = self.lines[cell[0]].region

        def off_centre(i: int) -> float:
            b = self.lines[i].box
            return (abs(b.cx - box.cx) / max(1.0, box.width)
                    + abs(b.cy - box.cy) / max(1.0, box.height))

        def sides(i: int) -> set[str]:
            a, near = self.lines[i].box, CORNER_SHARE * box.width
            return {side for side, gap in (("left", a.x0 - box.x0), ("right", box.x1 - a.x1))
                    if gap < near}

        def far_beside(i: int) -> bool:
            """On one text row with another line far from it: a pair of codes ("E4 ... KPA",
            "8:40 ... WOD"). Beside a time only, a line against no side is the name the row
            prints after its time ("9.30-10.15   Functional Maths")."""
            a = self.lines[i].box
            partners = [] if self.lines[i].angle else [
                j for j in cell if j != i and not self.lines[j].angle
                and abs(a.cy - (b := self.lines[j].box).cy) < 0.5 * min(a.height, b.height)
                and max(a.x0, b.x0) - min(a.x1, b.x1) > 1.5 * min(a.height, b.height)]
            return bool(partners) and (bool(sides(i)) or is_time_text(self.lines[i].text)
                                       or any(not is_time_text(self.lines[j].text)
                                              for j in partners))

        # A pair of codes in the bottom corners ("E4 ... KPA") may stand nearer the centre
        # than the name over them: the centre line is chosen among the lines that are not.
        paired = {i for i in cell if far_beside(i)}
        central = min([i for i in cell if i not in paired] or cell, key=off_centre)
        corner = paired - {central}
        for i in cell:
            # Against a side the name does not touch: in a cell written flush left, every
            # line touches the left side, and the short first line is the name.
            if (i != central and not self.lines[i].angle and sides(i) - sides(central)
                    and self.lines[i].box.width < 0.6 * box.width):
                corner.add(i)
        return corner


def restrict(p: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """The pointer's distribution over the allowed atoms (the last column, "no time written",
    keeps its own probability; the rest of the mass goes to the allowed atoms in proportion,
    or evenly when the pointer gave them nothing)."""
    if mask is None:
        return p
    kept = np.where(np.append(mask, True), p, 0.0)
    mass = kept[:-1].sum()
    if mass > 0:
        kept[:-1] *= (1.0 - p[-1]) / mass
    elif mask.any():
        kept[:-1] = np.where(mask, (1.0 - p[-1]) / mask.sum(), 0.0)
    return kept
