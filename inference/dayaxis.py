"""Day-axis repair: a day name the reading garbled, put back from its place in the week.

A timetable's day headers are a sequence: Monday, Tuesday, … down one column or along one row,
a steady step apart. Small print on a tinted header defeats the recogniser now and then
("Friday" read "Feldey") and a whole day of events is lost or given to the day before. So the
day names standing in one column (or row) are read together: where three or more weekdays in
order have a place free one step before or after them, a one-word line standing there in the
same column, of a day name's size and beginning with that day's letter (or ending in "day" at
about its length: "Hresday."; two letters are enough there: "Fi"), is that day.
Past the ends only a school day (Monday to Friday) is put back: a row after Friday is as
likely a "Sports" as a Saturday.
A day the reading found no line for at all (a fax's thickened "Monday") is read again where
its place one step before or after the sequence is, or between two names in week order with
days missing between them, and put in when it reads as that day (each day put in lengthens
its sequence, whose next place is read in turn);
standing names (rotated headers down a first column, a photo's shadow hiding one) the same
way, their place read turned upright.
A week written in its initials alone ("M T W T F" over a phone calendar's dates) is read
from the letters' order, which tells the two "T"s apart.
Handwriting garbles most of a row at once ("Mon", "Ties", "Wea", "Thors", "Fni" over a
whiteboard's columns): four or more one-word lines evenly spaced along a row (or down a
column), of which one reads as its day, each beginning with the letter of the day its place
gives and reading near that day, are those days; a portal's dated names are read so
without their dates ("Moe3/2", "Tue4/2" … of "Mon 3/2", "Tue 4/2").
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from statistics import median
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz

from inference.ocr import read_both_ways
from inference.schema import DAYS, Box, OcrLine
from inference.timeparse import parse_day

if TYPE_CHECKING:
    from inference.ocr import OcrEngine

MIN_SEQUENCE = 3  # day names in order; fewer give no step to trust
STEP_SLACK = 0.25  # a gap's line stands within this share of the step of where it should
SCHOOL_DAYS = 5  # past the sequence's ends, only Monday to Friday
_WORD = re.compile(r"^[A-Za-z]{3,12}\.?$")
# A portal's header dates its day ("Mon 3/2", read "Moe3/2"): the word is what comes before.
_DATE_AFTER = re.compile(r"\s*\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?$")
# At its very place after (or before) the sequence, two letters are enough: the day's short
# form ("Fr") or its three letters with one lost ("Fi" for a handwritten "Fri").
_PLACED_WORD = re.compile(r"^[A-Za-z]{2,12}\.?$")
_LETTER = re.compile(r"^[MTWFS]$")  # a day's initial alone, in capitals
MONTH_ROWS = 8  # a month's dates under its initials reach this many letter heights down
STANDING = 90  # a rotated header's reading direction (`OcrLine.angle`): bottom to top
MIN_NEAR = 4  # garbled day names read together: fewer could be event names by chance
NEAR_RATIO = 60  # how near (rapidfuzz ratio) a garbled name reads to the day of its place


def _centre(box: Box, axis: str) -> float:
    return box.cy if axis == "y" else box.cx


def _in_line(a: Box, b: Box, axis: str) -> bool:
    """`b` stands in `a`'s column (axis "y") or row (axis "x")."""
    return (a.x0 <= b.cx <= a.x1) if axis == "y" else (a.y0 <= b.cy <= a.y1)


def _name_lines(lines: list[OcrLine], named: dict[int, int]
                ) -> Iterator[tuple[str, list[int]]]:
    """(axis, indices) of the day names standing in one column (axis "y") or along one row
    ("x"), in order along it; each name once per axis."""
    for axis in ("y", "x"):
        seen: set[int] = set()
        for i in named:
            if i in seen:
                continue
            column = sorted((j for j in named if _in_line(lines[i].box, lines[j].box, axis)),
                            key=lambda j: _centre(lines[j].box, axis))
            seen.update(column)
            yield axis, column


def _sequences(lines: list[OcrLine], named: dict[int, int]) -> list[tuple[str, list[int]]]:
    """(axis, indices) of three or more day names in week order down a column or along a
    row, each one day after the one before."""
    found = []
    for axis, column in _name_lines(lines, named):
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


def _word_of(line: OcrLine) -> str:
    return _DATE_AFTER.sub("", line.text.strip())


def _near_day(word: str, day: str) -> bool:
    """`word` could be `day` garbled: its first letter, and near the day's full name or its
    short form of the same length ("Ties" for "Tues", "Fni" for "Fri")."""
    word, name = word.lower().rstrip("."), day.lower()

    def near(word: str) -> bool:
        return word[0] == name[0] and max(
            fuzz.ratio(word, name), fuzz.ratio(word, name[:len(word)]),
            fuzz.ratio(word, name[:len(word) + 1])) >= NEAR_RATIO

    # A pen's stray stroke before a handwritten name reads as a letter of its own ("Dwed").
    return near(word) or len(word) > 3 and near(word[1:])


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
                        and all(_near_day(_word_of(lines[i]), d)
                                for i, d in zip(window, days, strict=True))):
                    return list(zip(window, days, strict=True))
    return []


def _repair_near_sequences(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with rows (or columns) of garbled day names read as their days."""
    words = [i for i, line in enumerate(lines)
             if line.angle == 0 and _WORD.match(_word_of(line))]
    if len(words) < MIN_NEAR:
        return lines
    size = median(lines[i].box.height for i in words)
    words = [i for i in words if 0.6 * size <= lines[i].box.height <= 1.6 * size]
    repaired = list(lines)
    done: set[int] = set()
    for axis, row in _rows(lines, words, done):
        for k, day in _near_sequence(lines, row, axis):
            done.add(k)
            if parse_day(lines[k].text) != day:
                repaired[k] = lines[k].model_copy(update={"text": day})
    return repaired


def _rows(lines: list[OcrLine], members: list[int], done: set[int]
          ) -> Iterator[tuple[str, list[int]]]:
    """(axis, indices) of each row (axis "x") and column (axis "y") of `members` in order
    along it, leaving out what `done` holds (the caller adds the lines it takes)."""
    for axis in ("x", "y"):
        for i in members:
            if i not in done:
                yield axis, sorted((j for j in members if j not in done
                                    and _in_line(lines[i].box, lines[j].box, axis)),
                                   key=lambda j: _centre(lines[j].box, axis))


def _repair_letter_weeks(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with a week written in capitals alone ("M T W T F" over a phone calendar's
    dates) read as its days: `MIN_NEAR` or more single letters evenly spaced along a row (or
    down a column), the days' initials in order, one of them a letter only one day has (the
    Tuesday and Thursday "T", the weekend "S" are known by their place)."""
    letters = [i for i, line in enumerate(lines) if line.angle == 0
               and _LETTER.match(line.text.strip())]
    repaired = list(lines)
    done: set[int] = set()
    week = "".join(day[0] for day in DAYS) * 2
    for axis, row in _rows(lines, letters, done):
        initials = "".join(lines[j].text.strip() for j in row)
        start = week.find(initials)
        if (len(row) < MIN_NEAR or start < 0 or not set(initials) & set("MWF")
                or not _evenly_spaced([_centre(lines[j].box, axis) for j in row])
                or _over_a_month(lines, row)):
            continue
        for k, j in enumerate(row):
            done.add(j)
            repaired[j] = lines[j].model_copy(update={"text": DAYS[(start + k) % len(DAYS)]})
    return repaired


def _over_a_month(lines: list[OcrLine], row: list[int]) -> bool:
    """Whether the letters head a month's grid (a calendar's small month beside its week):
    more dates under them than one week has."""
    span = Box.enclosing([lines[j].box for j in row])
    size = span.height
    dates = [line for line in lines if line.text.strip().isdigit()
             and span.x0 - size <= line.box.cx <= span.x1 + size
             and 0 < line.box.y0 - span.y1 <= MONTH_ROWS * size]
    return len(dates) > len(DAYS)


def _reads_as(word: str, day: str) -> bool:
    """A garbled word that may be `day` at its place: it begins with the day's letter, or it
    ends in "day" at about the day's length (its first letter lost: "Hresday.")."""
    letters = word.rstrip(".").lower()
    return letters[0] == day[0].lower() or (
        letters.endswith("day") and abs(len(letters) - len(day)) <= 1)


def _spelled_right(text: str) -> bool:
    """A day's name as written (whole or its three letters): what the page says, not a
    garble."""
    word = text.strip().rstrip(".").lower()
    return any(word in (day.lower(), day[:3].lower()) for day in DAYS)


def _out_of_order(lines: list[OcrLine], named: dict[int, int]) -> dict[int, int]:
    """{index: day} for garbled names read as the wrong day ("Hresday." as Thursday, over
    Wednesday, Thursday, Friday) whose neighbours down their column (or along their row) say
    which day stands there, and which may read as it (`_reads_as`)."""
    fixed = {}
    for axis in ("y", "x"):
        for i in named:
            column = sorted((j for j in named if _in_line(lines[i].box, lines[j].box, axis)),
                            key=lambda j: _centre(lines[j].box, axis))
            days = [named[j] for j in column]
            for k, j in enumerate(column):
                said = set()  # the day its neighbours put at its place
                if k >= 2 and days[k - 1] == days[k - 2] + 1:
                    said.add(days[k - 1] + 1)
                if k + 2 < len(days) and days[k + 2] == days[k + 1] + 1:
                    said.add(days[k + 1] - 1)
                if 0 < k < len(days) - 1 and days[k + 1] == days[k - 1] + 2:
                    said.add(days[k - 1] + 1)
                if len(said) != 1:
                    continue
                expected = said.pop()
                if (expected != days[k] and 0 <= expected < len(DAYS)
                        and not _spelled_right(lines[j].text)
                        and _WORD.match(lines[j].text.strip())
                        and _reads_as(lines[j].text.strip(), DAYS[expected])):
                    fixed[j] = expected
    return fixed


def _named_days(lines: list[OcrLine], angle: int = 0) -> dict[int, int]:
    """{index: day} of the short lines running at `angle` (upright by default) that read as a
    day."""
    return {i: DAYS.index(day) for i, line in enumerate(lines)
            if line.angle == angle and len(line.text.split()) <= 2
            and (day := parse_day(line.text)) is not None}


def repair_day_axes(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with a garbled day name one step before or after a day sequence put right,
    a garbled name read as a day out of its sequence's order put right, and rows of garbled
    day names read as their days (see the module)."""
    lines = _repair_letter_weeks(list(_repair_near_sequences(lines)))
    named = _named_days(lines)
    for i, day in _out_of_order(lines, named).items():
        named[i] = day
        lines[i] = lines[i].model_copy(update={"text": DAYS[day].upper()
                                               if lines[i].text.isupper() else DAYS[day]})
    repaired = list(lines)
    for axis, run in _sequences(lines, named):
        size = median(lines[i].box.height for i in run)
        reference = Box.enclosing([lines[i].box for i in run])
        for place, day, step in _gaps(lines, named, axis, run):
            for k, line in enumerate(lines):
                if (k in named or line.angle or not _PLACED_WORD.match(line.text.strip())
                        or not _reads_as(line.text.strip(), DAYS[day])
                        or not _in_line(reference, line.box, axis)
                        or not 0.6 * size <= line.box.height <= 1.6 * size
                        or abs(_centre(line.box, axis) - place) > STEP_SLACK * step):
                    continue
                name = DAYS[day].upper() if lines[run[0]].text.isupper() else DAYS[day]
                repaired[k] = line.model_copy(update={"text": name})
    return repaired


def read_missing_days(image: np.ndarray, lines: list[OcrLine], engine: OcrEngine
                      ) -> list[OcrLine]:
    """`lines` and, for each school day whose place one step before or after a sequence of
    day names holds no line at all (or two letters of debris, which it replaces), that place
    read again (a crop as wide as the sequence's names, inverted too) when it reads as the day
    (see the module); so too each day missing between two names in week order ("Tuesday"
    between "Monday" and "Wednesday"). Standing names (rotated headers down a first column)
    are looked for the same way, their place read turned upright. A day put back makes the
    sequence it joins longer, whose next place is looked at in turn."""
    for _ in range(SCHOOL_DAYS):
        lines, added = _read_places(image, lines, engine)
        if not added:
            break
    return lines


def _read_places(image: np.ndarray, lines: list[OcrLine], engine: OcrEngine
                 ) -> tuple[list[OcrLine], bool]:
    found, replaced = [], set()
    for angle in (0, STANDING):
        named = _named_days(lines, angle)
        places = [(axis, run, gap) for axis, run in _sequences(lines, named)
                  for gap in _gaps(lines, named, axis, run)] + _holes(lines, named)
        looked: set[int] = set()
        for axis, run, (place, day, step) in places:
            if day in looked:  # a place both after a sequence and between two names
                continue
            looked.add(day)
            # A week written in letters ("M", "Tu", "W", "Th") has its missing day's
            # letter alone at its place ("F").
            letters = all(len(lines[i].text.strip().rstrip(".")) <= 2 for i in run)
            read = _read_place(image, lines, [lines[i].box for i in run], axis, place,
                               step, engine, standing=angle == STANDING, letter=letters)
            if read is None:
                continue
            line, debris = read
            if parse_day(line.text) == DAYS[day] or _reads_as(line.text, DAYS[day]):
                name = DAYS[day].upper() if lines[run[0]].text.isupper() else DAYS[day]
                found.append(line.model_copy(update={"text": name}))
                replaced.update(debris)
    return [line for k, line in enumerate(lines) if k not in replaced] + found, bool(found)


def _holes(lines: list[OcrLine], named: dict[int, int]
           ) -> list[tuple[str, list[int], tuple[float, int, float]]]:
    """(axis, the two names, (where a day should stand, which day, the step)) for each day
    missing between two day names next to each other in week order down a column or along
    a row, spaced for the days between them."""
    holes = []
    for axis, column in _name_lines(lines, named):
        for a, b in itertools.pairwise(column):
            days = named[b] - named[a]
            if days < 2:
                continue
            start, end = _centre(lines[a].box, axis), _centre(lines[b].box, axis)
            step = (end - start) / days
            holes += [(axis, [a, b], (start + k * step, named[a] + k, step))
                      for k in range(1, days)]
    return holes


def _read_place(image: np.ndarray, lines: list[OcrLine], boxes: list[Box], axis: str,
                place: float, step: float, engine: OcrEngine, *, standing: bool,
                letter: bool = False) -> tuple[OcrLine, list[int]] | None:
    """The one word read at a day's place in a sequence of names (`boxes`), with the lines
    standing there that it reads in place of: a garbled word standing there alone is itself
    that reading; None where another line of words stands there or no single word is read
    (two letters at least). Two letters or fewer standing there are debris of the name read
    the wrong way round ("E" for a standing white "Fri" on black), read again. With `letter`
    (the sequence's names are letters) one capital alone is a word too."""
    # Across, the whole sequence's span: a photographed header row climbs or falls, and a day
    # standing in line with the far end of it is no gap.
    span = Box.enclosing(boxes)
    there = [k for k, line in enumerate(lines) if _in_line(span, line.box, axis)
             and abs(_centre(line.box, axis) - place) <= STEP_SLACK * step]
    if any(len(lines[k].text.strip()) > 2 for k in there):
        # One garbled word standing there already is what the place reads: the day, where it
        # begins with the day's letter ("Tie" between "Mon" and "Wed"; the caller's test).
        word = there[0]
        text = lines[word].text.strip()
        garbled = len(there) == 1 and _WORD.match(text) and parse_day(text) is None
        return (lines[word], [word]) if garbled else None
    height, width = image.shape[:2]
    size = max(b.height for b in boxes) if axis == "y" else max(b.width for b in boxes)
    if axis == "y":
        # A standing name is as tall as the word is long (the longest of the sequence's is
        # `size`): its place's crop holds any day's name and stays within its own row.
        reach = min(0.6 * size, 0.5 * step) if standing else 0.75 * size
        box = Box(x0=min(b.x0 for b in boxes), x1=max(b.x1 for b in boxes),
                  y0=place - reach, y1=place + reach)
    else:
        box = Box(y0=min(b.y0 for b in boxes), y1=max(b.y1 for b in boxes),
                  x0=place - 0.6 * size, x1=place + 0.6 * size)
    crop = Box(x0=max(0, int(box.x0) - 4), y0=max(0, int(box.y0)),
               x1=min(width, int(box.x1) + 4), y1=min(height, int(box.y1)))
    if crop.width < 8 or crop.height < 8:
        return None
    for inverted in (False, True):  # white on a dark fill reads once inverted
        page = 255 - image if inverted else image
        if standing:
            text, score = read_both_ways(engine, page, crop)
        else:
            text, score = engine.read_crop(
                page[int(crop.y0):int(crop.y1), int(crop.x0):int(crop.x1)])
        word = text.strip()
        if _PLACED_WORD.match(word) or letter and len(word) == 1 and word.isupper():
            return OcrLine(text=word, box=box, score=score,
                           angle=STANDING if standing else 0), there
    return None
