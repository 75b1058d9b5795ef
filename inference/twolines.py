"""Two lines in one box: the text detector now and then draws one box round two short lines
stacked close together ("9.20-" over "9.30" in a break's narrow header cell), and the
recogniser, which reads one line, reads the upper alone: the break loses its end.

A flat line about twice the page's usual line height whose ink, row by row, makes exactly two
bands with blank rows between them, each band as tall as text (an underline is no line), is
read again band by band. The two readings take its place where both are sure and hold letters
or digits, and one of them is what the box was read as: a tall word in a large font with a
blank row through it (a struck-out word) reads nothing like either half.
"""

from __future__ import annotations

from difflib import SequenceMatcher

import numpy as np

from inference.columnwords import ink_bands
from inference.ocr import OcrEngine
from inference.schema import Box, OcrLine

# A flat line this many times the page's usual line height may hold two.
TALL = 1.7
# The page's usual line height is the median of at least this many flat lines.
MIN_LINES = 5
# Each band is at least this share of the usual line height: text, not a rule or a speck.
PART = 0.3
# A band's reading is sure at this recogniser score or above.
MIN_SCORE = 0.8
# The box's first reading is one of the bands' at this similarity or above.
SAME_READING = 0.5
_MARGIN = 3  # px of ground kept round each band


def split_two_line_boxes(image: np.ndarray, lines: list[OcrLine],
                         engine: OcrEngine) -> list[OcrLine]:
    """`lines` with each box holding two stacked lines read as those two lines."""
    heights = [line.box.height for line in lines if line.angle == 0 and len(line.text) >= 2]
    if len(heights) < MIN_LINES:
        return lines
    usual = float(np.median(heights))
    split = []
    for line in lines:
        tall = line.angle == 0 and line.box.height >= TALL * usual
        split.extend((tall and _two_lines(image, line, usual, engine)) or [line])
    return split


def _two_lines(image: np.ndarray, line: OcrLine, usual: float,
               engine: OcrEngine) -> list[OcrLine] | None:
    box = line.box
    x0, y0 = max(0, int(box.x0)), max(0, int(box.y0))
    crop = image[y0:int(box.y1), x0:int(box.x1)]
    bands = ink_bands(crop) if crop.size else []
    if len(bands) != 2 or any(bottom - top < PART * usual for top, bottom in bands):
        return None
    readings = [engine.read_crop(crop[max(0, top - _MARGIN):bottom + _MARGIN])
                for top, bottom in bands]
    texts = [text.strip() for text, _ in readings]
    if any(score < MIN_SCORE or not any(c.isalnum() for c in text)
           for text, (_, score) in zip(texts, readings, strict=True)):
        return None
    if max(SequenceMatcher(None, line.text, text).ratio() for text in texts) < SAME_READING:
        return None
    middle = y0 + (bands[0][1] + bands[1][0]) / 2
    return [OcrLine(text=texts[0], box=Box(x0=box.x0, y0=box.y0, x1=box.x1, y1=middle),
                    score=float(readings[0][1])),
            OcrLine(text=texts[1], box=Box(x0=box.x0, y0=middle, x1=box.x1, y1=box.y1),
                    score=float(readings[1][1]))]
