"""Stacked ranges: a slot's start printed over its end with no dash between ("08:45" in bold
over a small "09:35" down an app's time column, or inside an event's box), which the reading
finds as two lines, each a lone time. Read apart, the upper is a start-only label and the
lower another slot's; joined, they are the range the page means. Two lone times are one range
where they sit one right under the other, touching or nearly (a column of start-only labels
leaves a row between them), and the lower is later by at most a school slot's length; a
range broken after its dash is left to the cell that holds it. Nor is a pair that is two rows
of a list of times: a third timed line in their column one row's pitch above or below them
(a day's list of starts, "13:00 Art" over "14:30 Story", has no pairs).

A dash on a line of its own between the two ("8:30" / "–" / "9:00" down a narrow time column)
is often too small for the text detector, which leaves the halves a line's height apart. Such
a column still shows its pairs: its lone times come two by two, nearer within a pair than
between pairs (or, rows packed tight, at most a dash line apart), and each slot's end is
printed again as the next one's start (8:30, 9:00, 9:00, 9:30, 9:30, 10:15 …), which no
column of starts or of whole ranges does. A header row of such cells ("9:00" / "–" / "9:30"
in each column's head) shows the same across the page: a row of lone times with another under
each, each lower one printed again as the next upper one; or as the start of a whole range
printed beside it in the row (a narrow break's "10:05" / "–" / "10:25" between "9:10–10:05" and
"10:25–11:20").

Side by side, the detector splits a range at a thin dash ("10.00" and "10.20", or "10.35" and
"-11.40"): two lone times at most a line's height apart on one text row, the right one later by
at most a slot, are one range too where the dash is there, in the right piece's text or as
ink across the gap's middle, or where their column prints whole ranges on other rows. Two
narrow header cells' starts side by side ("10:20" beside "10:35", each over "to" and its end)
have only background between them.
"""

from __future__ import annotations

import itertools
import re

import cv2
import numpy as np

from inference.preprocess import to_gray
from inference.schema import Box, OcrLine
from inference.timeparse import find_times, is_time_text

# The gap between the two lines is at most this share of the smaller one's height; their
# boxes may overlap by at most OVERLAP of it (a detector's boxes round small print are padded
# tall: a phone agenda's "10:20am" over "11:15am" overlap by 0.37 of a line).
TIGHT = 0.35
OVERLAP = 0.5
# Across, the two lines overlap by at least this share of the narrower one.
ALIGNED = 0.5
LONGEST_SLOT = 4 * 60  # minutes
# A list's next row stands one pitch on, give or take this share of the pitch.
PITCH_SLACK = 0.25
DASHES = "-–—~"
# A column of pairs: at least this many, within-pair gaps at most this share of the narrowest
# gap between pairs, and at least this share of the slots ending where the next one starts.
MIN_PAIRS = 3
PAIR_GAP = 0.8
REPEATED = 2 / 3
# Down a header row's cell, the lower time stands at most this many line heights under the
# upper one (a dash line between them).
DASH_LINE_GAP = 1.5
# Side by side: the gap between the halves is at most this share of the smaller one's height,
# and a dash drawn in it is a stroke at least DASH_WIDTH of it long across its middle.
SPLIT_GAP = 1.0
DASH_WIDTH = 0.25
# ... or, the dash too faint to find, the pair's column prints whole ranges on at least this
# many other rows ("8.00 - 8.30" over "8.30" "9.00": a time column's row split at its dash).
RANGES_AROUND = 2


def _lone_time(line: OcrLine) -> int | None:
    """The minutes of a line that is one clock time and nothing else, read upright. Not a
    range's half with its dash ("10:35 -" over "10:50"): the header's cell holds that whole."""
    if line.angle or not is_time_text(line.text) or any(d in line.text for d in DASHES):
        return None
    times = find_times(line.text)
    return times[0].start if len(times) == 1 and times[0].end is None else None


# A start whose separator the hand or the print lost ("1045" over "11.00", "115" over
# "2.00" down a handwritten time column): three or four digits on a five-minute mark, a start
# only right over the lone time that ends it.
_BARE = re.compile(r"^([012]?\d)([0-5][05])$")


def _bare_start(line: OcrLine) -> OcrLine | None:
    """The line as the clock it stands for ("1045" → "10:45"), or None."""
    bare = _BARE.match(line.text.strip())
    if line.angle or bare is None or not find_times(clock := f"{int(bare[1])}:{bare[2]}"):
        return None
    return line.model_copy(update={"text": clock})


def _split_end(line: OcrLine) -> int | None:
    """A lone time, or one behind the dash the range was split after ("-11.40")."""
    text = line.text.strip()
    if text[:1] in DASHES:
        line = line.model_copy(update={"text": text[1:]})
    return _lone_time(line)


def _side_by_side(left: OcrLine, right: OcrLine) -> bool:
    height = min(left.box.height, right.box.height)
    gap = right.box.x0 - left.box.x1
    # The two boxes may overlap a little: each is padded around its glyphs.
    return (-0.5 * height <= gap <= SPLIT_GAP * height
            and abs(left.box.cy - right.box.cy) <= TIGHT * height)


def _dash_between(image: np.ndarray, left: Box, right: Box) -> bool:
    """A dash drawn between two pieces of a text row: ink (the text's: dark on light, or light
    on a dark fill) running level across the gap's middle third, for at least `DASH_WIDTH` of
    the row's height. A digit's edge reaching into the gap is a stroke up and down."""
    height = min(left.height, right.height)
    lo, hi = sorted((left.x1, right.x0))
    text = image[int(min(left.y0, right.y0)):int(max(left.y1, right.y1)) + 1,
                 int(left.x0):int(right.x1) + 1]
    if text.size == 0:
        return False
    text = to_gray(text)
    threshold, _ = cv2.threshold(text, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    dark_text = (text < threshold).mean() < 0.5
    cy = (left.cy + right.cy) / 2
    # The boxes pad their glyphs a little: a dash wider than the gap reaches into the padding.
    middle = image[int(cy - height / 6):int(cy + height / 6) + 1,
                   int(lo - 0.1 * height):int(hi + 0.1 * height) + 1]
    if middle.size == 0:
        return False
    middle = to_gray(middle)
    ink = (middle < threshold) if dark_text else (middle > threshold)
    longest = 0
    for row in ink:
        edges = np.flatnonzero(np.diff(np.concatenate(([0], row.astype(np.int8), [0]))))
        runs = edges[1::2] - edges[::2]
        longest = max(longest, int(runs.max(initial=0)))
    return longest >= DASH_WIDTH * height


def join_split_ranges(lines: list[OcrLine], image: np.ndarray) -> list[OcrLine]:
    """`lines` with each range split side by side at its dash (see the module) made one;
    `image` the page they were read on. The pairs whose dash shows are joined first, so that
    a column's rows joined so vouch for its pairs whose dash does not."""
    return _join_side_by_side(_join_side_by_side(lines, image, by_column=False), image,
                              by_column=True)


def _join_side_by_side(lines: list[OcrLine], image: np.ndarray, by_column: bool
                       ) -> list[OcrLine]:
    ends = {id(line): minutes for line in lines if (minutes := _split_end(line)) is not None}
    joined: dict[int, OcrLine] = {}
    used: set[int] = set()
    for left in sorted(lines, key=lambda line: line.box.x0):
        start = _lone_time(left)
        if start is None or id(left) in used:
            continue
        right = next((line for line in lines if id(line) in ends and id(line) not in used
                      and line is not left and _side_by_side(left, line)
                      and 0 < ends[id(line)] - start <= LONGEST_SLOT
                      and (line.text.strip()[:1] in DASHES
                           or _dash_between(image, left.box, line.box)
                           or by_column and _among_ranges(left, line, lines))), None)
        if right is not None:
            used.update((id(left), id(right)))
            joined[id(left)] = OcrLine(
                text=f"{left.text.strip()} - {right.text.strip().lstrip(DASHES).strip()}",
                box=Box.enclosing([left.box, right.box]), score=min(left.score, right.score))
    return [joined.get(id(line), line) for line in lines
            if id(line) not in used or id(line) in joined]


def _among_ranges(left: OcrLine, right: OcrLine, lines: list[OcrLine]) -> bool:
    """Whether the column under and over a side-by-side pair prints whole ranges on
    `RANGES_AROUND` other rows at least."""
    pair = Box.enclosing([left.box, right.box])
    return sum(1 for line in lines
               if line is not left and line is not right and not line.angle
               and abs(line.box.cy - pair.cy) > pair.height
               and line.box.x_overlap(pair) >= 0.5 * min(line.box.width, pair.width)
               and any(span.end is not None for span in find_times(line.text))
               ) >= RANGES_AROUND


def _stacked(upper: OcrLine, lower: OcrLine) -> bool:
    height = min(upper.box.height, lower.box.height)
    gap = lower.box.y0 - upper.box.y1
    across = upper.box.x_overlap(lower.box)
    return (-OVERLAP * height <= gap <= TIGHT * height
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


def _columns(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """`lines` grouped into columns (each overlapping the column's first line across), each
    top to bottom."""
    columns: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda ln: ln.box.y0):
        column = next((c for c in columns if c[0].box.x_overlap(line.box)
                       >= ALIGNED * min(c[0].box.width, line.box.width)), None)
        if column is None:
            columns.append([line])
        else:
            column.append(line)
    return columns


def _paired_column(column: list[OcrLine], lone: dict[int, int]) -> list[tuple[OcrLine, OcrLine]]:
    """The (start, end) pairs of a column of lone times that comes two by two with each end
    printed again as the next start (see the module); none when the column is not one. One
    line over, at the top or the bottom, is left out (a phone's clock over the time column)."""
    if len(column) % 2:
        return _paired_column(column[1:], lone) or _paired_column(column[:-1], lone)
    if len(column) < 2 * MIN_PAIRS:
        return []
    pairs = list(zip(column[::2], column[1::2], strict=True))
    minutes = [(lone[id(a)], lone[id(b)]) for a, b in pairs]
    within = [b.box.cy - a.box.cy for a, b in pairs]
    between = [c.box.cy - b.box.cy for (_, b), (c, _) in zip(pairs, pairs[1:], strict=False)]
    # Each slot's end against the next slot's start.
    meets = [(end, start) for (_, end), (start, _) in zip(minutes, minutes[1:], strict=False)]
    # Each pair's halves nearer than the pairs are to each other; or, where the column is
    # packed tight (a slot's end in one row touches the next slot's start), at most a dash
    # line apart.
    apart = (max(within) <= PAIR_GAP * min(between)
             or all(b.box.y0 - a.box.y1 <= DASH_LINE_GAP * a.box.height for a, b in pairs))
    if (all(0 < end - start <= LONGEST_SLOT for start, end in minutes)
            and all(end <= start for end, start in meets) and apart
            and sum(end == start for end, start in meets) >= REPEATED * len(meets)):
        return pairs
    return []


def _under(upper: OcrLine, lines: list[OcrLine]) -> OcrLine | None:
    """The first of `lines` standing under `upper`, aligned with it, no further down than a
    dash line between them."""
    height = upper.box.height
    below = [line for line in lines if line is not upper
             and 0 <= line.box.y0 - upper.box.y1 <= DASH_LINE_GAP * height
             and line.box.x_overlap(upper.box) >= ALIGNED * min(upper.box.width, line.box.width)]
    return min(below, key=lambda line: line.box.y0, default=None)


def _paired_row(left: list[OcrLine], lone: dict[int, int], lines: list[OcrLine]
                ) -> list[tuple[OcrLine, OcrLine]]:
    """The (start, end) pairs of a header row of stacked times (see the module): uppers level
    with one another, each with a lone time under it that is later by at most a slot, each
    ending where the next slot to its right starts, the slots being the pairs and the whole
    ranges printed level with them (a narrow break's "10:05" / "–" / "10:25" between "9:10–
    10:05" and "10:25–11:20"); at least MIN_PAIRS slots. None otherwise."""
    pairs = [(upper, lower) for upper in left if (lower := _under(upper, left)) is not None
             and 0 < lone[id(lower)] - lone[id(upper)] <= LONGEST_SLOT]
    ranges = [(line, times[0]) for line in lines if is_time_text(line.text) and not line.angle
              and len(times := find_times(line.text)) == 1 and times[0].end is not None]
    found: list[tuple[OcrLine, OcrLine]] = []
    placed: set[int] = set()  # the uppers of the rows found
    for upper, _ in pairs:
        row = [pair for pair in pairs if pair[0].box.y_overlap(upper.box)
               >= ALIGNED * min(pair[0].box.height, upper.box.height)]
        if any(id(start) in placed for start, _ in row):
            continue
        top, bottom = min(a.box.y0 for a, _ in row), max(b.box.y1 for _, b in row)
        slots = sorted([(a.box.x0, lone[id(a)], lone[id(b)]) for a, b in row]
                       + [(line.box.x0, span.start, span.end) for line, span in ranges
                          if top <= line.box.cy <= bottom])
        if len(slots) < MIN_PAIRS:
            continue
        meets = [(end, start) for (_, _, end), (_, start, _) in itertools.pairwise(slots)]
        if (all(end <= start for end, start in meets)
                and sum(end == start for end, start in meets) >= REPEATED * len(meets)):
            found.extend(row)
            placed.update(id(start) for start, _ in row)
    return found


def _joined(upper: OcrLine, lower: OcrLine) -> OcrLine:
    return OcrLine(text=f"{upper.text.strip()} - {lower.text.strip()}",
                   box=Box.enclosing([upper.box, lower.box]), score=min(upper.score, lower.score))


def join_stacked_ranges(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with each start stacked over its end (see the module) made one range line."""
    lone = {id(line): minutes for line in lines
            if (minutes := _lone_time(line)) is not None}
    bare = {id(line): clock for line in lines if (clock := _bare_start(line)) is not None}
    starts = {**lone, **{key: find_times(clock.text)[0].start for key, clock in bare.items()}}
    used: set[int] = set()
    joined: dict[int, OcrLine] = {}

    def join(upper: OcrLine, lower: OcrLine) -> None:
        used.update((id(upper), id(lower)))
        joined[id(upper)] = _joined(bare.get(id(upper), upper), lower)

    for upper in sorted((line for line in lines if id(line) in starts), key=lambda ln: ln.box.y0):
        if id(upper) in used:
            continue
        lower = next((line for line in lines if id(line) in lone and id(line) not in used
                      and line is not upper and _stacked(upper, line)
                      and 0 < lone[id(line)] - starts[id(upper)] <= LONGEST_SLOT), None)
        if lower is not None and not _in_a_list(upper, lower, lines):
            join(upper, lower)
    left = [line for line in lines if id(line) in lone and id(line) not in used]
    for column in _columns(left):
        for upper, lower in _paired_column(column, lone):
            join(upper, lower)
    for upper, lower in _paired_row([line for line in left if id(line) not in used], lone,
                                    lines):
        join(upper, lower)
    return [joined.get(id(line), line) for line in lines
            if id(line) not in used or id(line) in joined]
