"""Time-axis repair: the header times of a grid read back as the sequence they are.

A grid's time column (or time row) is a sequence: each slot starts where or after the one
before it ended, a slot lasts minutes to a few hours, and on most pages every minute is a
multiple of five. The recogniser's commonest misreads on small or blurred print are digits of
similar shape ("10:30" as "19:30", "11:30" as "11:39", "08:30" as "00:30"), and one wrong header
time moves every block of its slot. So the time-only lines standing in one column or one row
are read together: each line may swap a few look-alike digits, and the cheapest reading of the
whole axis that is in order wins. A line no swap can place is left as read; when more than a
quarter of the axis is (a list whose times restart each day, stray times), the axis is no
sequence and every line stays as the OCR read it. Minutes are held to multiples of five when a
reading of the axis with round minutes exists; bell times with odd minutes have none.
Bare hours ("9-10", "10-11", "12-1", "1-2" across a primary grid's top) are no times on their
own (a room "1-2", a date "10-11"), but three or more in one row or column, each an hour or
two and each starting where the one before ended, are the slots' ranges.
"""

from __future__ import annotations

import itertools
import re

from inference.schema import OcrLine
from inference.timeparse import find_times, is_time_text

# Digits the recogniser confuses at low resolution (each way).
LOOKALIKES: dict[str, str] = {"0": "986", "9": "0", "8": "03", "6": "05", "3": "8", "5": "6",
                              "1": "7", "7": "1"}
MAX_SWAPS_PER_LINE = 2
LONGEST_SLOT = 4 * 60  # minutes; a "slot" longer than this is a misread, not a school lesson
MIN_AXIS = 3  # lines; fewer give no sequence to check against
SET_ASIDE_COST = 3.0  # a line left out of the sequence costs more than any line's swaps
SCHOOL_DAY = (6 * 60, 19 * 60)  # minutes: a swapped digit gives no time outside these
_LONE_HOUR = re.compile(r"(?<![\d:.])\d(?=[:.][0-5]\d)")  # "1:30": an hour of one digit
_HOUR_RANGE = re.compile(r"^\s*(1[0-2]|[1-9])\s*[-–—]\s*(1[0-2]|[1-9])\s*$")  # "9-10", "12-1"


def _times(text: str) -> list[int] | None:
    """The line's clock times in reading order, or None when it is not a time-only line."""
    if not is_time_text(text):
        return None
    values: list[int] = []
    for span in find_times(text):
        values += span.values
    return values


def _faults(lines: list[list[int]], round_minutes: bool) -> int:
    """Order breaks, overlong slots and (where the page writes them so) odd minutes."""
    faults = 0
    flat = [value for line in lines for value in line]
    faults += sum(later < earlier for earlier, later in itertools.pairwise(flat))
    for line in lines:
        faults += sum(b - a > LONGEST_SLOT for a, b in itertools.pairwise(line))
    if round_minutes:
        faults += sum(value % 5 != 0 for value in flat)
    return faults


def _unread_digits(text: str) -> int:
    """Digits outside every parsed time: a variant that leaves fewer is the likelier one."""
    spans = [span.span for span in find_times(text)]
    return sum(char.isdigit() and not any(a <= i < b for a, b in spans)
               for i, char in enumerate(text))


def _variants(text: str) -> list[tuple[float, str, list[int]]]:
    """(cost, text, times) for the line as read, with up to two look-alike digits swapped, and
    with a lost "1" put back before an hour of one digit: each a time-only line with no fewer
    times than as read. A swap or a "1" put back costs 1, a digit left outside the times 0.5
    (a digit the parser cannot place is likely a misread one: "99:30")."""
    as_read = _times(text) or []
    # Every digit of a time-only line: a digit the parser could not take ("94:09") counts too.
    positions = [i for i, char in enumerate(text) if char in LOOKALIKES]
    found = [(0, text, as_read)]
    for count in range(1, MAX_SWAPS_PER_LINE + 1):
        for chosen in itertools.combinations(positions, count):
            for digits in itertools.product(*(LOOKALIKES[text[i]] for i in chosen)):
                chars = list(text)
                for i, digit in zip(chosen, digits, strict=True):
                    chars[i] = digit
                variant = "".join(chars)
                times = _times(variant)
                if times is not None and len(times) >= len(as_read):
                    found.append((count, variant, times))
    # A lost leading "1" of an hour ("10:35-1:30" for "10:35-11:30"): one change too.
    for match in _LONE_HOUR.finditer(text):
        variant = text[:match.start()] + "1" + text[match.start():]
        times = _times(variant)
        if times is not None and len(times) >= len(as_read):
            found.append((1, variant, times))
    # A swap that puts a time outside the school day ("9:35" as "0:35") is no misread put
    # right: it only buys an order the axis does not have.
    return [(swaps + 0.5 * _unread_digits(variant), variant, times)
            for swaps, variant, times in found if times
            and (not swaps or all(SCHOOL_DAY[0] <= time < SCHOOL_DAY[1] for time in times))]


def _keep_cheaper(paths: dict, last: int, cost: float, path: list[int | None]) -> None:
    if last not in paths or cost < paths[last][0]:
        paths[last] = (cost, path)


def _cheapest_reading(options: list[list[tuple[float, str, list[int]]]]) -> list[int | None]:
    """Dynamic programming along the axis: for each line the index of its variant, or None
    where the line is set aside as read (a line too garbled to place: a digit lost, a word
    glued on), at a cost above any line's swaps. State: the last time of the reading so far;
    a variant is taken only where it keeps the order."""
    paths: dict[int, tuple[float, list[int | None]]] = {-1: (0.0, [])}
    for choices in options:
        step: dict[int, tuple[float, list[int | None]]] = {}
        for last, (cost, path) in paths.items():
            _keep_cheaper(step, last, cost + SET_ASIDE_COST, path + [None])
            for k, (price, _, times) in enumerate(choices):
                if last <= times[0]:
                    _keep_cheaper(step, times[-1], cost + price, path + [k])
        paths = step
    return min(paths.values(), key=lambda entry: entry[0])[1]


def _repair_axis(axis: list[OcrLine]) -> list[OcrLine]:
    """The axis's lines, each as read or as the cheapest consistent reading has it."""
    as_read = [_times(line.text) or [] for line in axis]
    if _faults(as_read, round_minutes=True) == 0:
        return axis
    if len({tuple(times) for times in as_read}) < len(axis):
        return axis  # the same times again and again: times printed in a slot's cells
    # Misreads hit minutes too ("11:38", "12:36"), so round minutes are tried first, however
    # few were read round; bell times with odd minutes find no reading with round minutes
    # (most of their lines would be set aside) and are then only held to the order.
    variants = [_variants(line.text) for line in axis]  # swapped once, judged twice below
    for round_minutes in (True, False):
        options = [[entry for entry in choices if not _faults([entry[2]], round_minutes)]
                   for choices in variants]
        path = _cheapest_reading(options)
        if sum(k is None for k in path) <= len(axis) // 4:
            return [line if k is None else line.model_copy(update={"text": choices[k][1]})
                    for line, choices, k in zip(axis, options, path, strict=True)]
    return axis  # not a sequence after all (a list restarting each day, stray times)


def _axes(lines: list[OcrLine], timed: list[int]) -> list[list[int]]:
    """Indices of the `timed` lines grouped into columns (top to bottom) and rows (left to
    right); a line joins the larger of its column and its row."""

    def column(i: int) -> list[int]:
        box = lines[i].box
        centre = (box.x0 + box.x1) / 2
        return sorted((j for j in timed if lines[j].box.x0 <= centre <= lines[j].box.x1),
                      key=lambda j: lines[j].box.y0)

    def row(i: int) -> list[int]:
        box = lines[i].box
        middle = (box.y0 + box.y1) / 2
        return sorted((j for j in timed if lines[j].box.y0 <= middle <= lines[j].box.y1),
                      key=lambda j: lines[j].box.x0)

    axes: list[list[int]] = []
    seen: set[int] = set()
    for i in timed:
        if i in seen:
            continue
        axis = max(column(i), row(i), key=len)
        axis = [j for j in axis if j not in seen]
        seen.update(axis)
        if len(axis) >= MIN_AXIS:
            axes.append(axis)
    return axes


def _hour_ranges(axis: list[OcrLine]) -> list[OcrLine]:
    """The axis's bare hour ranges written as clock ranges ("12-1" as "12:00-1:00"), when
    each lasts an hour or two and starts where the one before ended; else the axis as read."""
    hours = [[int(h) for h in _HOUR_RANGE.match(line.text).groups()]  # type: ignore[union-attr]
             for line in axis]
    if any((end - start) % 12 not in (1, 2) for start, end in hours) or any(
            after[0] != before[1] for before, after in itertools.pairwise(hours)):
        return axis
    return [line.model_copy(update={"text": f"{start}:00-{end}:00"})
            for line, (start, end) in zip(axis, hours, strict=True)]


def repair_time_axes(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with bare hour ranges read as ranges and the misread digits of each time axis
    put right (see the module)."""
    lines = list(lines)
    bare = [i for i, line in enumerate(lines) if line.angle == 0 and _HOUR_RANGE.match(line.text)]
    for axis in _axes(lines, bare):
        for i, line in zip(axis, _hour_ranges([lines[i] for i in axis]), strict=True):
            lines[i] = line
    repaired = list(lines)
    timed = [i for i, line in enumerate(lines) if line.angle == 0 and _times(line.text)]
    for axis in _axes(lines, timed):
        for i, line in zip(axis, _repair_axis([lines[i] for i in axis]), strict=True):
            repaired[i] = line
    return repaired
