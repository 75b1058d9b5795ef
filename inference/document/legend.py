"""Bell times: a legend printed apart from the grid that gives each period label its times.

Many secondary timetables head their grid with period labels alone ("Reg", "P1" … "P6", or
"1" … "6") and print the times once, in a small box beside or below it: "P1  8:55 – 9:50".
A header cell that holds a label and no time then takes its times from the legend, looked up
by the label. A legend is a column of at least three (label, range) rows outside every grid:
a short label and a range on one line, or a label with the range beside it on the same row;
or a row of ranges each under its label; or a key printed along a line (run on to the next),
each label before its range.
"""

from __future__ import annotations

import re

from inference.document.features import ReadLine
from inference.timeparse import find_times, is_time_text, strip_times

# A legend names at least this many periods; fewer is a note beside the grid, not a legend.
MIN_ROWS = 3
# A label is short: "P1", "Reg", "Period 1", "Lunch".
MAX_LABEL = 12
# A label stands this many line heights or nearer left of its range: a legend's two columns,
# the times set flush right ("Period 1 ........ 8:30 – 9:25").
BESIDE_GAP = 10
_NUMBERED = re.compile(r"^(?:p|per|period|lesson|l)?(\d{1,2})$")


def label_keys(text: str) -> set[str]:
    """The keys a label is looked up by: its letters and digits in lower case, and for a
    numbered period its number alone ("P1", "Period 1" and "1" all name period 1)."""
    key = re.sub(r"[^0-9a-z]", "", text.lower())
    if not key:
        return set()
    numbered = _NUMBERED.match(key)
    return {key, f"#{numbered.group(1)}"} if numbered else {key}


# A label shortened in the grid stands for the legend's label it begins ("Reg" for
# "Registration", "Brk" no: it begins none); this many letters at least.
MIN_SHORT = 3


def look_up(legend: dict[str, list[int]], label: str) -> list[int]:
    """The atoms of the legend's range for `label` (by any of its keys, or as the one
    legend label it shortens); empty when it has none."""
    keys = label_keys(label)
    found = [legend[k] for k in keys if k in legend]
    if found:
        return found[0]
    shortened = {k for key in keys if len(key) >= MIN_SHORT and key.isalpha()
                 for k in legend if k.startswith(key)}
    return legend[shortened.pop()] if len(shortened) == 1 else []


def _same_row(a: ReadLine, b: ReadLine) -> bool:
    overlap = min(a.box.y1, b.box.y1) - max(a.box.y0, b.box.y0)
    return overlap >= 0.5 * min(a.box.height, b.box.height)


def bell_times(lines: list[ReadLine], atoms: list[tuple[int, int, int]],
               in_grid: set[int]) -> dict[str, list[int]]:
    """Label key → the atoms of its range, from the lines outside every grid (`in_grid`: the
    indices of lines in a table with day headers); empty when no legend is printed."""
    by_line: dict[int, list[int]] = {}
    for k, (i, _, _) in enumerate(atoms):
        if i not in in_grid:
            by_line.setdefault(i, []).append(k)
    rows: list[tuple[str, list[int]]] = []
    for i, ks in by_line.items():
        if len({atoms[k][2] for k in ks}) != 2:
            wrap = _wrapped_onto(lines, i, by_line)
            text, keyed = ((lines[i].text, ks) if wrap is None else
                           (f"{lines[i].text} {lines[wrap].text}", ks + by_line[wrap]))
            rows += _key_along_a_line(text, keyed, atoms)
            continue  # a range: two different times
        label = strip_times(lines[i].text).strip(" :-–.") or (
            _label_above(lines, i, in_grid, by_line) if _in_a_row_of_ranges(lines, i, by_line)
            else _label_beside(lines, i, in_grid, by_line))
        if label and len(label) <= MAX_LABEL:
            rows.append((label, ks))
    rows += _start_end_rows(lines, atoms, by_line, in_grid)
    if len(rows) < MIN_ROWS:
        return {}
    legend: dict[str, list[int]] = {}
    for label, ks in rows:
        for key in label_keys(label):
            legend.setdefault(key, ks)
    return legend


def _key_along_a_line(text: str, ks: list[int], atoms: list[tuple[int, int, int]]
                      ) -> list[tuple[str, list[int]]]:
    """A key printed along one line, each label before its range ("Period times: Chapel
    08:10–08:25 | Period 1 08:30–09:25 | Break 10:20–10:40 | …"): each label with its range's
    atoms; none unless the line is ranges alone, `MIN_ROWS` at least, between their labels."""
    spans = find_times(text)
    if (len(spans) < MIN_ROWS or any(span.end is None for span in spans)
            or [v for span in spans for v in span.values] != [atoms[k][2] for k in ks]):
        return []
    rows, after = [], 0
    for n, span in enumerate(spans):
        # What stands before the range since the last one, after the key's title ("…times:").
        label = text[after:span.span[0]].rsplit(":", 1)[-1].strip(" |·;,.-–")
        after = span.span[1]
        if label and len(label) <= MAX_LABEL:
            rows.append((label, ks[2 * n:2 * n + 2]))
    return rows


def _wrapped_onto(lines: list[ReadLine], i: int, by_line: dict[int, list[int]]) -> int | None:
    """The line a key along line i runs on to ("… | Lunch 12:30–13:15 | 5" then
    "13:15–14:05 | 6 14:05–14:55"): the line printing times right below it, from its left
    margin; None when none does."""
    line = lines[i]
    below = [j for j in by_line if j != i
             and 0 <= lines[j].box.y0 - line.box.y1 <= line.box.height
             and abs(lines[j].box.x0 - line.box.x0) <= 2 * line.box.height]
    return min(below, key=lambda j: lines[j].box.y0) if below else None


def _label_beside(lines: list[ReadLine], i: int, in_grid: set[int],
                  by_line: dict[int, list[int]]) -> str:
    """The label on the left of line i in its row, printing no time; "" when none is."""
    line = lines[i]
    beside = [j for j, other in enumerate(lines) if j != i and j not in in_grid
              and j not in by_line and _same_row(line, other) and other.box.x1 <= line.box.x0
              and line.box.x0 - other.box.x1 <= BESIDE_GAP * line.box.height]
    return lines[max(beside, key=lambda j: lines[j].box.x1)].text if beside else ""


def _in_a_row_of_ranges(lines: list[ReadLine], i: int, by_line: dict[int, list[int]]) -> bool:
    """Line i stands in a row of `MIN_ROWS` ranges or more side by side: a key laid out in two
    rows, the labels along the one above ("Time" at the head of the ranges labels none)."""
    return sum(len(ks) >= 2 and _same_row(lines[i], lines[j])
               for j, ks in by_line.items()) >= MIN_ROWS


def _label_above(lines: list[ReadLine], i: int, in_grid: set[int],
                 by_line: dict[int, list[int]]) -> str:
    """The label right above line i, over it, printing no time: a key laid out in two rows,
    the periods along one and each one's range under it ("I", "II", "RECESS" over "7:50-8:30",
    "8:30-9:10", "10:30-10:50"); "" when none is."""
    line = lines[i]
    above = [j for j, other in enumerate(lines) if j != i and j not in in_grid
             and j not in by_line and line.box.x0 <= other.box.cx <= line.box.x1
             and 0 <= line.box.y0 - other.box.y1 <= line.box.height]
    return lines[max(above, key=lambda j: lines[j].box.y1)].text if above else ""


def _start_end_rows(lines: list[ReadLine], atoms: list[tuple[int, int, int]],
                    by_line: dict[int, list[int]], in_grid: set[int]
                    ) -> list[tuple[str, list[int]]]:
    """A legend's rows whose start and end stand in columns of their own ("1 | 7:30 | 8:20",
    a bell schedule's Period, Start and End): each label with the atoms of the time beside
    it and of the later time next on its right."""
    singles = sorted((i for i, ks in by_line.items() if len(ks) == 1
                      and is_time_text(lines[i].text)), key=lambda i: lines[i].box.x0)
    rows = []
    for i in singles:
        line = lines[i]
        ends = [j for j in singles if _same_row(line, lines[j]) and lines[j].box.x0 > line.box.x1
                and lines[j].box.x0 - line.box.x1 <= BESIDE_GAP * line.box.height
                and atoms[by_line[j][0]][2] > atoms[by_line[i][0]][2]]
        label = _label_beside(lines, i, in_grid, by_line) if ends else ""
        if label and len(label) <= MAX_LABEL:
            end = min(ends, key=lambda j: lines[j].box.x0)
            rows.append((label, [by_line[i][0], by_line[end][0]]))
    return rows
