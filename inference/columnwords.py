"""Column words: a word written down a tall merged cell ("B R E A K" turned a quarter, running
down the week's break column), or spaced letter by letter along a wide one, read again as one
line.

The page's reading finds text lines, and a word turned a quarter and spaced letter by letter is
no line to it: it finds single letters, reads each as it lies (a turned "B" is a "d", a turned
"L" a CJK glyph), or none. The structure stage knows what the reading does not: the cell is
tall and narrow, merged over several rows, so what it holds runs down it. Such a cell, holding
nothing but a few short readings, or a word read standing but with doubt (turned the wrong
way, a word reads as another), is cut to its ink, turned a quarter each way and read as one
line, and read as letters stacked upright, one band of ink at a time ("L" over "U" over "N"…),
and turned again with its letters drawn together (spaced a letter apart, they read unsurely);
a confident reading of Latin letters takes the place of what was read. Letters the reading
spaced out are joined ("B R E A K" is "BREAK", as the timetable means it). A time printed at
the cell's top (a narrow header's slot with no ruling under it) is left out of the word.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator

import cv2
import numpy as np

from inference.breakwords import is_break_name
from inference.schema import Box, OcrLine, Table
from inference.timeparse import is_time_text, parse_day

# A cell at least this many times taller than wide, merged over rows, runs down its column
# (a six-day week's lunch column is under three times taller than wide).
TALL = 2.5
# Fragments: readings of at most this many characters (a letter, a letter and a speck).
FRAGMENT = 2
# A reading of the turned cell replaces its fragments at this recogniser score or above.
MIN_SCORE = 0.8
# A word read standing in the cell is taken as read at this score; below it, the page's
# reading may have turned it the wrong way ("LUNCH" upside down reads "HONT" at 0.65), and
# the cell read both ways replaces it where one way scores higher.
SURE = 0.9
# A pixel is ink when its grey level is this far from the cell's median (its ground).
INK_CONTRAST = 60
# A blob RULE_ASPECT times longer than thick, along this share of the cell's height (or
# width) at least, is a piece of a rule.
RULE_ASPECT = 8
RULE_LENGTH = 0.3
# A blob of ink below this share of the cell's largest blob is a speck (a scan's dust, a
# stray dot), left out of the word's box: read with the word it becomes "." or a letter.
SPECK_SHARE = 0.15
# A wide cell's ink spreads this many times wider than the lines read in it: letters spaced
# out along it, some of which the reading missed.
SPREAD = 1.5
# A letter alone in its cell, of a word spelled one a row, is taken at this score: a capital
# shaped like its small form ("C", "c"; "O", "o") splits the recogniser's score between them.
LETTER_SCORE = 0.5
# A strip of ink narrower than this (px) beside a turned word is a speck or a rule's edge.
MIN_STRIP = 4
# Small print beside a word is often pale (a time in the theme's colour): ink at this contrast.
SMALL_PRINT_CONTRAST = 30
# A header cell at least this many times taller than wide may hold a day's name turned.
UPRIGHT = 1.5
# Letters stacked upright down a cell: at least this many bands of ink make a word.
MIN_LETTERS = 3
# Spaced letters read again drawn together: the usual blank run between them cut to this
# part of it, and every other by as much.
TIGHTEN = 3
_INSET, _MARGIN = 3, 6  # px: the cell's rulings left out; room kept around the ink
_WORDS = re.compile(r"^[A-Za-z&]+(?: [A-Za-z&]+)*$")


def _ink_box(crop: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the ink in a cell's crop, specks left out, with a margin; None when
    it holds none."""
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY).astype(np.int16)
    ink = (np.abs(grey - np.median(grey)) > INK_CONTRAST).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    blobs = stats[1:count]
    h, w = grey.shape
    # A rule the cell's inset left in (a skewed scan's, in pieces) is long and thin: no letter.
    bw, bh = blobs[:, cv2.CC_STAT_WIDTH], blobs[:, cv2.CC_STAT_HEIGHT]
    rule = (((bh >= RULE_ASPECT * bw) & (bh >= RULE_LENGTH * h))
            | ((bw >= RULE_ASPECT * bh) & (bw >= RULE_LENGTH * w)))
    blobs = blobs[~rule]
    if not len(blobs):
        return None
    blobs = blobs[blobs[:, cv2.CC_STAT_AREA] >= SPECK_SHARE * blobs[:, cv2.CC_STAT_AREA].max()]
    x0, y0 = blobs[:, cv2.CC_STAT_LEFT], blobs[:, cv2.CC_STAT_TOP]
    x1, y1 = x0 + blobs[:, cv2.CC_STAT_WIDTH], y0 + blobs[:, cv2.CC_STAT_HEIGHT]
    return (max(0, int(x0.min()) - _MARGIN), max(0, int(y0.min()) - _MARGIN),
            min(w, int(x1.max()) + _MARGIN), min(h, int(y1.max()) + _MARGIN))


def _inset_crop(image: np.ndarray, cell: Box) -> tuple[np.ndarray, int, int]:
    """The cell's pixels with its rulings left out (`_INSET`), and where they begin (x, y)."""
    x0, y0 = int(cell.x0) + _INSET, int(cell.y0) + _INSET
    return image[y0:max(y0, int(cell.y1) - _INSET), x0:max(x0, int(cell.x1) - _INSET)], x0, y0


def cell_ink(image: np.ndarray, cell: Box) -> tuple[np.ndarray, Box] | None:
    """The ink of a cell, its rulings left out: (its pixels, where it stands on the page);
    None when the cell holds none."""
    crop, x0, y0 = _inset_crop(image, cell)
    ink = _ink_box(crop) if crop.size else None
    if ink is None:
        return None
    return crop[ink[1]:ink[3], ink[0]:ink[2]], Box(x0=x0 + ink[0], y0=y0 + ink[1],
                                                   x1=x0 + ink[2], y1=y0 + ink[3])


def as_word(text: str) -> str | None:
    """The reading as the timetable writes it, or None when it is not Latin letters: width
    forms folded ("ＢＲＥＡK"), letters spaced one by one joined ("B R E A K" → "BREAK")."""
    text = " ".join(unicodedata.normalize("NFKC", text).split())
    if not _WORDS.match(text) or sum(c.isalpha() for c in text) < 3:
        return None
    words = text.split()
    spaced = [k for k, word in enumerate(words) if len(word) == 1]
    return "".join(words) if len(spaced) * 2 > len(words) else text


def _tall_cells(tables: list[Table]) -> list[Box]:
    return [cell.box for table in tables for cell in table.cells
            if cell.row_span > 1 and not cell.from_text
            and cell.box.height >= TALL * cell.box.width]


def _wide_cells(tables: list[Table]) -> list[Box]:
    return [cell.box for table in tables for cell in table.cells
            if cell.col_span > 1 and not cell.from_text
            and cell.box.width >= TALL * cell.box.height]


def _spaced_across(image: np.ndarray, cell: Box, lines: list[OcrLine], engine
                   ) -> list[OcrLine]:
    """`lines` with the pieces of a word letter-spaced along a wide merged cell ("R E G I S T
    R A T I O N" across the week, of which the reading found "REG" and "N") replaced by the
    cell's ink read as one line, where that reads as more letters, surely."""
    inside = [line for line in lines if cell.contains_point(line.box.cx, line.box.cy)]
    if not inside or any(line.angle for line in inside) or _cut_through(cell, lines, inside):
        return lines
    found = as_word(" ".join(line.text for line in sorted(inside, key=lambda ln: ln.box.x0)))
    ink = cell_ink(image, cell)
    if (ink is None or found is None
            or ink[1].width <= SPREAD * sum(line.box.width for line in inside)):
        return lines  # the reading covered the cell's ink: its text was read
    text, score = engine.read_crop(ink[0])
    word = as_word(text)
    if score < MIN_SCORE or word is None or len(word) <= len(found):
        return lines
    return [line for line in lines if line not in inside] + [
        OcrLine(text=word, box=ink[1], score=float(score))]


def _turned_day_names(image: np.ndarray, table: Table, lines: list[OcrLine], engine
                      ) -> list[OcrLine]:
    """`lines` with the day names the reading missed, turned a quarter up a column of header
    cells ("Mon", "Tues" set up a days-as-rows table's first column on a fill: a short word
    turned is no line to the detector): where two cells or more of one column, each taller
    than wide (UPRIGHT), inked and with nothing read in them, read turned as day names,
    surely."""
    columns: dict[int, list[Box]] = {}
    for cell in table.cells:
        if (not cell.from_text and cell.box.height >= UPRIGHT * cell.box.width
                and not any(cell.box.contains_point(line.box.cx, line.box.cy)
                            for line in lines)):
            columns.setdefault(cell.col, []).append(cell.box)
    found: list[OcrLine] = []
    for cells in columns.values():
        named = []
        for cell in cells if len(cells) >= 2 else []:
            ink = cell_ink(image, cell)
            if ink is None:
                continue
            text, score = _read_turned(ink[0], engine)
            if score >= MIN_SCORE and parse_day(text.strip()):
                named.append(OcrLine(text=text.strip(), box=ink[1], score=float(score),
                                     angle=90))
        found += named if len(named) >= 2 else []
    return lines + found


def _cut_through(cell: Box, lines: list[OcrLine], inside: list[OcrLine]) -> bool:
    """A line of another cell runs into this one: the cell was found across text (a header
    band whose rulings were lost, cut where its white letters meet the fill), and its ink
    holds a neighbour's letters, which its reading would glue on ("dayTuesda")."""
    return any(line not in inside and line.box.x_overlap(cell) > 0
               and line.box.y_overlap(cell) > 0.5 * line.box.height for line in lines)


def _letters_down_rows(image: np.ndarray, table: Table, lines: list[OcrLine], engine
                       ) -> list[OcrLine]:
    """`lines` with the letters the reading missed of a word spelled one letter a row down a
    narrow column ("L", "U", "N", "C", "H" in the lunch column's cell of each day): where a
    column's cells below its header hold nothing but single letters and ink the reading found
    nothing in, each such cell's ink read as one letter, surely, is that letter. The reading
    misses a large letter alone in a cell more often than not."""
    columns: dict[int, list[Box]] = {}
    for cell in sorted(table.cells, key=lambda c: c.row):
        if (cell.row_span == cell.col_span == 1 and not cell.from_text
                and cell.box.height > cell.box.width):
            columns.setdefault(cell.col, []).append(cell.box)
    for boxes in columns.values():
        held = [[line for line in lines if box.contains_point(line.box.cx, line.box.cy)]
                for box in boxes]
        while held and any(len(line.text.strip()) > 1 for line in held[0]):
            boxes, held = boxes[1:], held[1:]  # the column's header ("Lunch 1.20-2.05")
        letters = sum(len(inside) == 1 and len(inside[0].text.strip()) == 1
                      and inside[0].text.strip().isalpha() for inside in held)
        empty = [box for box, inside in zip(boxes, held, strict=True) if not inside]
        if not letters or not empty or letters + len(empty) != len(boxes):
            continue
        for box in empty:
            ink = cell_ink(image, box)
            if ink is None:
                continue
            text, score = engine.read_crop(ink[0])
            if score >= LETTER_SCORE and len(text.strip()) == 1 and text.strip().isalpha():
                lines = [*lines, OcrLine(text=text.strip().upper(), box=ink[1],
                                         score=float(score))]
    return lines


def read_column_words(image: np.ndarray, tables: list[Table], lines: list[OcrLine],
                      engine) -> list[OcrLine]:
    """`lines` with the fragments of each tall merged cell replaced by the word they spell,
    where the cell turned a quarter reads as one (`engine.read_crop`); likewise a word
    letter-spaced along a wide merged cell, read as it lies; the letters the reading missed
    of a word spelled one letter a row down a column; and day names turned up a column."""
    for table in tables:
        lines = _letters_down_rows(image, table, lines, engine)
        lines = _turned_day_names(image, table, lines, engine)
    for cell in _wide_cells(tables):
        lines = _spaced_across(image, cell, lines, engine)
    for cell in _tall_cells(tables):
        inside = [line for line in lines if cell.contains_point(line.box.cx, line.box.cy)]
        # The column's slot printed at its top, where no ruling parts the header from the
        # column ("7:50 - 8:10" over "A S S E M B L Y"), is no part of its word: the cell is
        # read below it.
        times = [line for line in inside if line.angle == 0 and is_time_text(line.text)]
        if times and len(times) < len(inside):
            top = max(line.box.y1 for line in times)
            if all(line.box.cy > top for line in inside if line not in times):
                cell = cell.model_copy(update={"y0": top + 1})
                inside = [line for line in inside if line not in times]
        words = [line for line in inside if len(line.text.replace(" ", "")) > FRAGMENT]
        # A standing word read surely beside fragments ("BREAK", then "B" and "s" for the
        # "SHORT" under it) is only part of the cell's text: the cell is read again.
        pieces = len(words) < len(inside) and all(line.angle for line in words)
        if any(line.angle == 0 or line.score >= SURE for line in words) and not pieces:
            lines = _time_beside(image, cell, inside, lines, engine)
            lines = _cut_short(image, cell, inside, lines, engine)
            continue  # the reading found the cell's text, or all of it now
        ink = cell_ink(image, cell)
        if ink is None:
            continue
        word, box = ink
        # Pieces of the cell's text read standing are no reading to beat: the cell's whole
        # reading, sure enough, replaces them.
        rivals = [] if pieces else words
        chosen = _chosen(word, engine, rivals)
        if chosen is None or len(as_word(chosen[0])) < sum(
                len(line.text.replace(" ", "")) for line in words):
            continue  # a reading that drops letters the page's reading found is no better
        text, score, angle = chosen
        text = as_word(text)
        fragments = {id(line) for line in inside}
        lines = [line for line in lines if id(line) not in fragments]
        lines.append(OcrLine(text=text, box=box, score=float(score), angle=angle))
    return lines


def _chosen(word: np.ndarray, engine, rivals: list[OcrLine]
            ) -> tuple[str, float, int] | None:
    """The first reading of a tall cell's ink that is taken (`_readings`), or one that names a
    break where no other reading does, taken as surely as a letter alone is: letters stacked
    upright down a column ("L" over "U" over "N"…), read turned, make a surer nonsense word
    ("HONOT", 0.85) than the letters one by one make "LUNCH" (0.78), and such a column is a
    break's. None where no reading is taken."""
    if any(is_break_name(line.text) for line in rivals):
        return next((reading for reading in _readings(word, engine)
                     if _taken(reading[:2], rivals)), None)
    first = None
    for reading in _readings(word, engine):
        if (is_break_name(reading[0]) and reading[1] >= LETTER_SCORE
                and as_word(reading[0]) is not None):
            return reading
        if first is None and _taken(reading[:2], rivals):
            first = reading
    return first


def _time_beside(image: np.ndarray, cell: Box, inside: list[OcrLine], lines: list[OcrLine],
                 engine) -> list[OcrLine]:
    """`lines` with the time printed small up beside a tall cell's turned word ("Break" with
    "10:30–10:45" beside it, up a break column), which the reading missed: a strip of the
    cell's ink (a run of inked columns between blank ones) that no line read stands in, read
    turned, is a line of the cell where it reads surely as a time."""
    if not inside or not all(line.angle for line in inside):
        return lines
    crop, left, top = _inset_crop(image, cell)
    if not crop.size:
        return lines
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY).astype(np.int16)
    inked = np.abs(grey - np.median(grey)) > SMALL_PRINT_CONTRAST
    found = []
    for a, b in _runs_of(inked.any(0)):
        x0, x1 = left + a, left + b
        if b - a < MIN_STRIP or any(line.box.x0 <= (x0 + x1) / 2 <= line.box.x1
                                    for line in inside):
            continue
        rows = np.flatnonzero(inked[:, a:b].any(1))
        y0, y1 = max(0, int(rows.min()) - _MARGIN), int(rows.max()) + _MARGIN + 1
        strip = crop[y0:y1, max(0, a - _MARGIN):b + _MARGIN]
        text, score = _read_turned(strip, engine)
        if score >= MIN_SCORE and is_time_text(text):
            found.append(OcrLine(text=text.strip(), score=float(score), angle=inside[0].angle,
                                 box=Box(x0=x0, y0=top + y0, x1=x1, y1=top + y1)))
    return lines + found


def _cut_short(image: np.ndarray, cell: Box, inside: list[OcrLine], lines: list[OcrLine],
               engine) -> list[OcrLine]:
    """`lines` with the one standing word of a tall cell read again whole where the reading cut
    it short ("Bre" of the "Break" down a break column: its ink runs on past the line's box by
    half a letter or more). The cell's ink turned a quarter replaces it only where it reads
    surely as a longer word holding what was read."""
    if len(inside) != 1 or not inside[0].angle:
        return lines
    line, ink = inside[0], cell_ink(image, cell)
    if ink is None:
        return lines
    word, box = ink
    overrun = max(line.box.y0 - box.y0, box.y1 - line.box.y1) - _MARGIN
    if overrun < 0.5 * line.box.width:
        return lines
    text, score = _read_turned(word, engine)
    whole, found = as_word(text), line.text.strip()
    if (score < MIN_SCORE or whole is None or len(whole) <= len(found)
            or found.lower() not in whole.lower()):
        return lines
    return [other for other in lines if other is not line] + [
        OcrLine(text=whole, box=box, score=float(score), angle=line.angle)]


def _readings(word: np.ndarray, engine) -> Iterator[tuple[str, float, int]]:
    """(text, score, angle) of a tall cell's ink, read in turn until one is taken: turned a
    quarter; as upright letters one by one, only where the cell read turned is no word (a
    turned word's letters read one by one come out backwards, "KAERB"); turned, its letters
    drawn together (the recogniser reads letters spaced a letter apart, "A S S E M B L Y",
    as "AsSSEmBLY", and surely once they are set close)."""
    yield *_read_turned(word, engine), 90
    yield *_stacked_letters(word, engine), 0
    yield *_read_turned(word, engine, tighten=True), 90


def _read_turned(word: np.ndarray, engine, tighten: bool = False) -> tuple[str, float]:
    """The surer reading of a cell's ink turned a quarter either way (with `tighten`, its
    letters drawn together, `_tightened`): which way a word runs down a column is known only
    from which reading scores higher."""
    turned = (cv2.rotate(word, turn)
              for turn in (cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE))
    return max((engine.read_crop(_tightened(line) if tighten else line) for line in turned),
               key=lambda reading: reading[1])


def _tightened(line: np.ndarray) -> np.ndarray:
    """A line of ink (read across) with its letters drawn together: each blank run between
    them cut by two thirds of the usual one. Letters spaced a letter apart are then set
    close, and a word's gap, wider than the letters' own, stays a space."""
    grey = cv2.cvtColor(line, cv2.COLOR_BGR2GRAY).astype(np.int16)
    inked = (np.abs(grey - np.median(grey)) > INK_CONTRAST).any(0)
    width = line.shape[1]
    runs = [0, *(np.flatnonzero(np.diff(inked.astype(np.int8))) + 1), width]
    gaps = [(start, end) for start, end in itertools.pairwise(runs)
            if start > 0 and end < width and not inked[start]]  # blank between two letters
    if not gaps:
        return line
    cut = int(np.median([end - start for start, end in gaps]) * (TIGHTEN - 1) / TIGHTEN)
    keep = np.ones(width, bool)
    for start, end in gaps:
        keep[end - min(cut, end - start - 1):end] = False
    return line[:, keep]


def _taken(reading: tuple[str, float], words: list[OcrLine]) -> bool:
    """A reading of the cell replaces what the page's reading found there: sure, surer than
    the words found, and Latin letters."""
    text, score = reading
    return (score >= MIN_SCORE and score > max((line.score for line in words), default=0.0)
            and as_word(text) is not None)


def ink_bands(crop: np.ndarray) -> list[tuple[int, int]]:
    """(top, bottom) of each run of the crop's rows holding ink, between blank rows."""
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY).astype(np.int16)
    return _runs_of((np.abs(grey - np.median(grey)) > INK_CONTRAST).any(1))


def _runs_of(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of set `flags`, end exclusive."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def _stacked_letters(word: np.ndarray, engine) -> tuple[str, float]:
    """The cell's ink read as upright letters stacked down it ("L", "U", "N", "C", "H" one under
    another), each band of ink between blank rows read on its own; ("", 0) unless every band
    reads as one letter. The page's reading misses such letters, alone and small, in a tall
    cell. The score is the letters' mean."""
    bands = ink_bands(word)
    if len(bands) < MIN_LETTERS:
        return "", 0.0
    letters, scores = [], []
    for top, bottom in bands:
        letter = word[max(0, top - _MARGIN):bottom + _MARGIN]
        text, score = engine.read_crop(letter)
        text = text.strip()
        if len(text) != 1 or not text.isalpha():
            return "", 0.0
        letters.append(text.upper())
        scores.append(score)
    return "".join(letters), float(np.mean(scores))
