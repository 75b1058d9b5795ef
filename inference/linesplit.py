"""Entry lines: "9:00 - 9:45 Maths" read as one OCR line is two texts, the time and the entry.

A list written line by line puts the time range and the event's name on one line, a word
space apart, and the recogniser reads them as one line; in a table, and in every other list,
the time and the name are texts of their own. A horizontal line that opens with a time or a
whole time range (after a list's bullet or number, if any, or a day's name: "Tuesday 3:30 –
4:30 Chess Club", which is cut off too) and goes on with words is cut after it, each part's
box its share of the line's width by characters (the recogniser gives no finer boxes), so the
time and the name reach the document model as they do everywhere else.

A row of header ranges set a few spaces apart (a plain-text timetable in a monospace font) is
read as one line with the ranges run together ("09:15-10:0010:00-10:45"), sometimes with the
last digit of the box before it ("510:45-11:05"): it is cut into one line per range.

Day names run together or a space apart ("WednesdayTuesday", "Thursday Wednesday": two rotated
day headers down a table's first column, their faint rule between them lost or their boxes
joined by the detector, read as one line) are cut into one line per day, along the line's
reading direction, so each day keeps its own row.
"""

from __future__ import annotations

import re

from inference.schema import Box, OcrLine
from inference.timeparse import (
    TimeSpan,
    find_times,
    holds_a_name,
    parse_day,
    run_together_days,
)

_HOUR_MINUTES = r"(?:[01]?\d|2[0-3])[:.][0-5]\d"
_GLUED = re.compile(_HOUR_MINUTES + r"\s*[-–]\s*" + _HOUR_MINUTES)
# Ranges run together, the first maybe after a stray digit that makes no hour with its own.
_RUN_TOGETHER = re.compile(r"\s*(?P<stray>\d(?=\d\d[:.]))?(?:" + _GLUED.pattern + r"\s*)+")

# A list's bullet before the time ("• 9:00–10:00 Maths"), as the reading finds it.
_BULLETS = " •·●○◦▪‣*-–."  # "." a bullet read small
# ... or its number ("1. 0850-0950 Geography", "2) 9:50 - 10:50 Maths").
_LIST_NUMBER = re.compile(r"\d{1,2}[.)]?")


def _part(line: OcrLine, start: int, end: int) -> OcrLine:
    """The characters start:end of the line, spaces around them left out, its box the share of
    the line's length those characters take (the recogniser gives no finer boxes), along the
    line's reading direction: rightwards, up (90) or down (270)."""
    piece = line.text[start:end]
    start, end = start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip())
    box = line.box
    if line.angle == 90:
        step = box.height / max(1, len(line.text))
        part = Box(x0=box.x0, y0=box.y1 - end * step, x1=box.x1, y1=box.y1 - start * step)
    elif line.angle == 270:
        step = box.height / max(1, len(line.text))
        part = Box(x0=box.x0, y0=box.y0 + start * step, x1=box.x1, y1=box.y0 + end * step)
    else:
        step = box.width / max(1, len(line.text))
        part = Box(x0=box.x0 + start * step, y0=box.y0, x1=box.x0 + end * step, y1=box.y1)
    return line.model_copy(update={"text": line.text[start:end], "box": part})


def split_entry_lines(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with each "time range, then words" line cut into its time and its words."""
    out: list[OcrLine] = []
    for line in lines:
        times = find_times(line.text) if not line.angle else []
        head = times[0] if times else None
        rest = line.text[head.span[1]:] if head else ""
        before = line.text[:head.span[0]].strip(_BULLETS) if head else ""
        before = "" if _LIST_NUMBER.fullmatch(before) else before  # "1. 0850-0950 Geography"
        day = bool(before) and len(before.split()) == 1 and parse_day(before) is not None
        if (head is None or before and not day
                or not any(c.isalpha() for c in rest) or find_times(rest)):
            out += _named_then_timed(line, times)
            continue
        if day:  # "Tuesday 3:30 - 4:30 Chess Club": the day, its time, its words
            at = line.text.index(before) + len(before)
            out += [_part(line, 0, at), _part(line, at, head.span[1])]
        else:
            out.append(_part(line, 0, head.span[1]))
        out.append(_part(line, head.span[1], len(line.text)))
    return out


def _named_then_timed(line: OcrLine, times: list[TimeSpan]) -> list[OcrLine]:
    """"Break 10:45 – 11:05" (a break printed as one line in an app's week) cut into its
    name and its range: words, then one whole range ending the line. The line whole
    otherwise (a day's name before the range is a list's, left to the list)."""
    if len(times) != 1 or times[0].end is None or line.text[times[0].span[1]:].strip(" .)"):
        return [line]
    name = line.text[:times[0].span[0]].strip(_BULLETS + ":(")
    if not holds_a_name(name) or parse_day(name) is not None:
        return [line]
    return [_part(line, 0, times[0].span[0]), _part(line, times[0].span[0], len(line.text))]


def split_glued_ranges(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with each line of time ranges run together cut into one line per range."""
    out: list[OcrLine] = []
    for line in lines:
        whole = None if line.angle else _RUN_TOGETHER.fullmatch(line.text)
        ranges = list(_GLUED.finditer(line.text, whole.end("stray") if whole and whole.group(
            "stray") else 0)) if whole else []
        if len(ranges) < 2 and not (whole and whole.group("stray")):
            out.append(line)
            continue
        out += [_part(line, *match.span()) for match in ranges]
    return out


def _day_spans(text: str) -> list[tuple[int, int]]:
    """The spans of the days a text names, one after another with nothing else: words each a
    whole day's name or day names run together ("Thursday Wednesday", "WednesdayTuesday");
    [] when it names fewer than two or any word is no day."""
    spans: list[tuple[int, int]] = []
    for word in re.finditer(r"\S+", text):
        pieces = run_together_days(word[0]) if word[0].isalpha() else []
        if pieces:
            spans += [(word.start() + start, word.start() + end) for _, start, end in pieces]
        elif word[0].isalpha() and len(word[0]) >= 3 and parse_day(word[0]) is not None:
            spans.append(word.span())
        else:
            return []
    return spans if len(spans) >= 2 else []


def split_run_together_days(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with each line that is two or more day names, run together or a space apart,
    cut into one line per day."""
    out: list[OcrLine] = []
    for line in lines:
        out += [_part(line, start, end) for start, end in _day_spans(line.text)] or [line]
    return out
