"""Day-axis repair: a day name the reading garbled, put back from its place in the week.

A timetable's day headers are a sequence: Monday, Tuesday, … down one column or along one row,
a steady step apart. Small print on a tinted header defeats the recogniser now and then
("Friday" read "Feldey") and a whole day of events is lost or given to the day before. So the
day names standing in one column (or row) are read together: where three or more weekdays in
order have a place free one step before or after them, a one-word line standing there in the
same column, of a day name's size and beginning with that day's letter, is that day.
Past the ends only a school day (Monday to Friday) is put back: a row after Friday is as
likely a "Sports" as a Saturday.
Handwriting garbles most of a row at once ("Mon", "Ties", "Wea", "Thors", "Fni" over a
whiteboard's columns): four or more one-word lines evenly spaced along a row (or down a
column), of which one reads as its day, each beginning with the letter of the day its place
gives and reading near that day, are those days.
"""

from __future__ import annotations

import re
from statistics import median

from rapidfuzz import fuzz

from inference.schema import DAYS, Box, OcrLine
from inference.timeparse import parse_day

MIN_SEQUENCE = 3  # day names in order; fewer give no step to trust
STEP_SLACK = 0.25  # a gap's line stands within this share of the step of where it should
SCHOOL_DAYS = 5  # past the sequence's ends, only Monday to Friday
_WORD = re.compile(r"^[A-Za-z]{3,12}\.?$")
MIN_NEAR = 4  # garbled day names read together: fewer could be event names by chance
NEAR_RATIO = 60  # how near (rapidfuzz ratio) a garbled name reads to the day of its place


def _centre(box: Box, axis: str) -> float:
    return box.cy if axis == "y" else box.cx


def _in_line(a: Box, b: Box, axis: str) -> bool:
    """`b` stands in `a`'s column (axis "y") or row (axis "x")."""
    return (a.x0 <= b.cx <= a.x1) if axis == "y" else (a.y0 <= b.cy <= a.y1)


def _sequences(lines: list[OcrLine], named: dict[int, int]) -> list[tuple[str, list[int]]]:
    """(axis, indices) of three or more day names in week order down a column or along a
    row, each one day after the one before."""
    found = []
    for axis in ("y", "x"):
        seen: set[int] = set()
        for i in named:
            if i in seen:
                continue
            column = sorted((j for j in named if _in_line(lines[i].box, lines[j].box, axis)),
                            key=lambda j: _centre(lines[j].box, axis))
            seen.update(column)
            run = [column[0]] if column else []
            for j in column[1:]:
                if named[j] == named[run[-1]] + 1:
                    run.append(j)
                elif len(run) < MIN_SEQUENCE:
                    run = [j]
            if len(run) >= MIN_SEQUENCE:
                found.append((axis, run))
    return found


def _gaps(lines: list[OcrLine], named: dict[int, int], axis: str, run: list[int]
          ) -> list[tuple[float, int, float]]:
    """(where a day should stand, which day, the sequence's step) one step before and after
    the sequence."""
    places = [_centre(lines[i].box, axis) for i in run]
    step = median(b - a for a, b in zip(places, places[1:], strict=False))
    gaps = []
    first, last = named[run[0]], named[run[-1]]
    if 0 < first < SCHOOL_DAYS:
        gaps.append((places[0] - step, first - 1, step))
    if last + 1 < SCHOOL_DAYS:
        gaps.append((places[-1] + step, last + 1, step))
    return gaps


def _near_day(word: str, day: str) -> bool:
    """`word` could be `day` garbled: its first letter, and near the day's full name or its
    short form of the same length ("Ties" for "Tues", "Fni" for "Fri")."""
    word, name = word.lower().rstrip("."), day.lower()
    return word[0] == name[0] and max(
        fuzz.ratio(word, name), fuzz.ratio(word, name[:len(word)]),
        fuzz.ratio(word, name[:len(word) + 1])) >= NEAR_RATIO


def _evenly_spaced(places: list[float]) -> bool:
    steps = [b - a for a, b in zip(places, places[1:], strict=False)]
    step = median(steps)
    return step > 0 and all(abs(s - step) <= STEP_SLACK * step for s in steps)


def _near_sequence(lines: list[OcrLine], row: list[int], axis: str) -> list[tuple[int, str]]:
    """(index, day) for the longest window of `row` (word lines in reading order along the
    axis) that reads as consecutive days garbled: one of them parses as its day, none as
    another day, each near its own (see the module)."""
    for n in range(len(row), MIN_NEAR - 1, -1):
        for first in range(len(row) - n + 1):
            window = row[first:first + n]
            if not _evenly_spaced([_centre(lines[i].box, axis) for i in window]):
                continue
            parsed = [parse_day(lines[i].text) for i in window]
            for start in range(len(DAYS) - n + 1):
                days = DAYS[start:start + n]
                if (any(p == d for p, d in zip(parsed, days, strict=True))
                        and all(p in (None, d) for p, d in zip(parsed, days, strict=True))
                        and all(_near_day(lines[i].text.strip(), d)
                                for i, d in zip(window, days, strict=True))):
                    return list(zip(window, days, strict=True))
    return []


def _repair_near_sequences(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with rows (or columns) of garbled day names read as their days."""
    words = [i for i, line in enumerate(lines)
             if line.angle == 0 and _WORD.match(line.text.strip())]
    if len(words) < MIN_NEAR:
        return lines
    size = median(lines[i].box.height for i in words)
    repaired = list(lines)
    done: set[int] = set()
    for axis in ("x", "y"):
        for i in words:
            if i in done:
                continue
            row = sorted((j for j in words if j not in done
                          and _in_line(lines[i].box, lines[j].box, axis)
                          and 0.6 * size <= lines[j].box.height <= 1.6 * size),
                         key=lambda j: _centre(lines[j].box, axis))
            for k, day in _near_sequence(lines, row, axis):
                done.add(k)
                if parse_day(lines[k].text) != day:
                    repaired[k] = lines[k].model_copy(update={"text": day})
    return repaired


def repair_day_axes(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with a garbled day name one step before or after a day sequence put right,
    and rows of garbled day names read as their days (see the module)."""
    lines = _repair_near_sequences(lines)
    named = {i: DAYS.index(day) for i, line in enumerate(lines)
             if line.angle == 0 and len(line.text.split()) <= 2
             and (day := parse_day(line.text)) is not None}
    repaired = list(lines)
    for axis, run in _sequences(lines, named):
        size = median(lines[i].box.height for i in run)
        reference = lines[run[0]].box
        for place, day, step in _gaps(lines, named, axis, run):
            for k, line in enumerate(lines):
                if (k in named or line.angle or not _WORD.match(line.text.strip())
                        or line.text.strip()[0].lower() != DAYS[day][0].lower()
                        or not _in_line(reference, line.box, axis)
                        or not 0.6 * size <= line.box.height <= 1.6 * size
                        or abs(_centre(line.box, axis) - place) > STEP_SLACK * step):
                    continue
                name = DAYS[day].upper() if lines[run[0]].text.isupper() else DAYS[day]
                repaired[k] = line.model_copy(update={"text": name})
    return repaired
