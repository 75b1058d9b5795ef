"""Standing words: a line turned a quarter ("MORNING TEA" down a break column of an unruled
slide) that the reading broke in two at a wide, letter-spaced word gap (or inside a word,
two pieces whose boxes overlap), found as two standing lines one under the other in one
column.

Read apart, each piece is an event of its own ("MORNING" on two days, "TEA" on a third); and
the order of the pieces is not known from where they stand, for a line turned a quarter reads
top down or bottom up. Where two standing lines stand end to end in one column, the two
together are read again as one line turned each way (the reading that scores higher knows
which way the text runs), and that reading takes their place when it holds both pieces'
letters. Not across a rule (two cells' texts), nor two time ranges (each is whole), nor a
piece with a standing line beside it (a text of two standing lines, one per cell). Ruled tall
cells have a reading of their own (`columnwords.py`); this one needs no cell.
"""

from __future__ import annotations

from difflib import SequenceMatcher

import cv2
import numpy as np

from inference.ocr import read_both_ways
from inference.schema import Box, OcrLine
from inference.timeparse import find_times

# The gap between the two pieces is at most this many times the line's thickness (its box's
# width): a word gap letter-spaced, not the gap between two cells' texts.
WORD_GAP = 1.0
# ... or they overlap by up to this many times it: the detector cut one word in two pieces
# whose boxes overlap ("THURSI" under "SDAY" down a rotated day label).
OVERLAP = 1.0
# Across, the pieces overlap by at least this share of the narrower one, and neither is more
# than this many times thicker than the other (one size of print).
ALIGNED = 0.7
THICKER = 1.4
# A row of the gap is a rule where this share of it differs this much from the gap's ground.
RULE_SHARE = 0.8
RULE_CONTRAST = 40
# The joined reading replaces the pieces at this recogniser score and letter agreement or above.
MIN_SCORE = 0.8
SAME_LETTERS = 0.8


def _end_to_end(upper: OcrLine, lower: OcrLine) -> bool:
    a, b = upper.box, lower.box
    thin = min(a.width, b.width)
    return (bool(upper.angle) and bool(lower.angle)
            and -OVERLAP * thin <= b.y0 - a.y1 <= WORD_GAP * thin
            and a.x_overlap(b) >= ALIGNED * thin
            and max(a.width, b.width) <= THICKER * thin)


def _beside(line: OcrLine, other: OcrLine) -> bool:
    """Another standing line right beside this one: a text of two standing lines."""
    a, b = line.box, other.box
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return (other is not line and bool(other.angle) and overlap > 0.5 * min(a.height, b.height)
            and -a.x_overlap(b) < min(a.width, b.width))


def _ruled_between(image: np.ndarray, upper: Box, lower: Box) -> bool:
    """Whether a rule crosses the gap between the pieces: a row of it, across their common
    width, mostly ink (two cells' texts, not one line's words)."""
    x0, x1 = int(max(upper.x0, lower.x0)), int(np.ceil(min(upper.x1, lower.x1)))
    gap = image[int(upper.y1):int(np.ceil(lower.y0)) + 1, x0:x1]
    if not gap.size:
        return False
    grey = cv2.cvtColor(gap, cv2.COLOR_BGR2GRAY).astype(np.int16)
    ink = np.abs(grey - np.median(grey)) > RULE_CONTRAST
    return bool((ink.mean(1) >= RULE_SHARE).any())


def _letters(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def join_standing_pieces(image: np.ndarray, lines: list[OcrLine], engine) -> list[OcrLine]:
    """`lines` with each pair of standing pieces of one line (see the module) replaced by
    their joined reading; pieces whose joined reading drops letters are left as they are."""
    standing = sorted((line for line in lines if line.angle), key=lambda line: line.box.y0)
    joined: dict[int, OcrLine] = {}  # id of the upper piece → the joined line
    dropped: set[int] = set()
    for upper in standing:
        if id(upper) in dropped or id(upper) in joined:
            continue
        lower = next((line for line in standing if id(line) not in dropped
                      and line is not upper and _end_to_end(upper, line)), None)
        # Each of two standing time ranges is whole ("11:50-12:20" over "12:20-12:50").
        if (lower is None or find_times(upper.text) or find_times(lower.text)
                or any(_beside(piece, line) for piece in (upper, lower) for line in standing)
                or _ruled_between(image, upper.box, lower.box)):
            continue
        box = upper.box.union(lower.box)
        text, score = read_both_ways(engine, image, box)
        pieces = _letters(upper.text) + _letters(lower.text)
        agree = max(SequenceMatcher(None, _letters(text), order).ratio()
                    for order in (pieces, _letters(lower.text) + _letters(upper.text)))
        if score < MIN_SCORE or agree < SAME_LETTERS:
            continue
        joined[id(upper)] = OcrLine(text=text, box=box, score=score, angle=upper.angle)
        dropped.add(id(lower))
    return [joined.get(id(line), line) for line in lines if id(line) not in dropped]
