"""Stacked ranges: a slot's start printed over its end with no dash between ("08:45" in bold
over a small "09:35" down an app's time column, or inside an event's box), which the reading
finds as two lines, each a lone time. Read apart, the upper is a start-only label and the
lower another slot's; joined, they are the range the page means. Two lone times are one range
where they sit one right under the other, touching or nearly (a column of start-only labels
leaves a row between them), and the lower is later by at most a school slot's length; a
range broken after its dash is left to the cell that holds it. Nor is a pair that is two rows
of a list of times: a third timed line in their column one row's pitch above or below them
(a day's list of starts, "13:00 Art" over "14:30 Story", has no pairs).
"""

from __future__ import annotations

from inference.schema import Box, OcrLine
from inference.timeparse import find_times, is_time_text

# The gap between the two lines is at most this share of the smaller one's height.
TIGHT = 0.35
# Across, the two lines overlap by at least this share of the narrower one.
ALIGNED = 0.5
LONGEST_SLOT = 4 * 60  # minutes
# A list's next row stands one pitch on, give or take this share of the pitch.
PITCH_SLACK = 0.25
DASHES = "-–—~"


def _lone_time(line: OcrLine) -> int | None:
    """The minutes of a line that is one clock time and nothing else, read upright. Not a
    range's half with its dash ("10:35 -" over "10:50"): the header's cell holds that whole."""
    if line.angle or not is_time_text(line.text) or any(d in line.text for d in DASHES):
        return None
    times = find_times(line.text)
    return times[0].start if len(times) == 1 and times[0].end is None else None


def _stacked(upper: OcrLine, lower: OcrLine) -> bool:
    height = min(upper.box.height, lower.box.height)
    gap = lower.box.y0 - upper.box.y1
    across = upper.box.x_overlap(lower.box)
    return (-TIGHT * height <= gap <= TIGHT * height
            and across >= ALIGNED * min(upper.box.width, lower.box.width))


def _in_a_list(upper: OcrLine, lower: OcrLine, lines: list[OcrLine]) -> bool:
    """Whether another upright line with a time stands in the pair's column one pitch (the
    pair's centre-to-centre distance) above the upper or below the lower."""
    pitch = lower.box.cy - upper.box.cy
    for other in lines:
        if other is upper or other is lower or other.angle or not find_times(other.text):
            continue
        for neighbour, expected in ((upper, upper.box.cy - pitch), (lower, lower.box.cy + pitch)):
            if (abs(other.box.cy - expected) <= PITCH_SLACK * pitch
                    and other.box.x_overlap(neighbour.box)
                    >= ALIGNED * min(other.box.width, neighbour.box.width)):
                return True
    return False


def join_stacked_ranges(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with each start stacked over its end (see the module) made one range line."""
    lone = {id(line): minutes for line in lines
            if (minutes := _lone_time(line)) is not None}
    used: set[int] = set()
    joined: dict[int, OcrLine] = {}
    for upper in sorted((line for line in lines if id(line) in lone), key=lambda ln: ln.box.y0):
        if id(upper) in used:
            continue
        lower = next((line for line in lines if id(line) in lone and id(line) not in used
                      and line is not upper and _stacked(upper, line)
                      and 0 < lone[id(line)] - lone[id(upper)] <= LONGEST_SLOT), None)
        if lower is None or _in_a_list(upper, lower, lines):
            continue
        used |= {id(upper), id(lower)}
        joined[id(upper)] = OcrLine(
            text=f"{upper.text.strip()} - {lower.text.strip()}",
            box=Box.enclosing([upper.box, lower.box]),
            score=min(upper.score, lower.score))
    return [joined.get(id(line), line) for line in lines
            if id(line) not in used or id(line) in joined]
