"""Entry lines: "9:00 - 9:45 Maths" read as one OCR line is two texts, the time and the entry.

A list written line by line puts the time range and the event's name on one line, a word
space apart, and the recogniser reads them as one line; in a table, and in every other list,
the time and the name are texts of their own. A horizontal line that opens with a time or a
whole time range (after a list's bullet, if any) and goes on with words is cut after it, each
part's box its share of the line's width by characters (the recogniser gives no finer boxes),
so the time and the name reach the document model as they do everywhere else.
"""

from __future__ import annotations

from inference.schema import Box, OcrLine
from inference.timeparse import find_times

# A list's bullet before the time ("• 9:00–10:00 Maths"), as the reading finds it.
_BULLETS = " •·●○◦▪‣*-–"


def _part(line: OcrLine, start: int, end: int) -> OcrLine:
    """The characters start:end of the line, spaces around them left out."""
    piece = line.text[start:end]
    start, end = start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())
    width = line.box.width / max(1, len(line.text))
    box = Box(x0=line.box.x0 + start * width, y0=line.box.y0,
              x1=line.box.x0 + end * width, y1=line.box.y1)
    return line.model_copy(update={"text": line.text[start:end], "box": box})


def split_entry_lines(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with each "time range, then words" line cut into its time and its words."""
    out: list[OcrLine] = []
    for line in lines:
        times = find_times(line.text) if not line.angle else []
        head = times[0] if times else None
        rest = line.text[head.span[1]:] if head else ""
        if (head is None or line.text[:head.span[0]].strip(_BULLETS)
                or not any(c.isalpha() for c in rest) or find_times(rest)):
            out.append(line)
            continue
        out += [_part(line, 0, head.span[1]), _part(line, head.span[1], len(line.text))]
    return out
