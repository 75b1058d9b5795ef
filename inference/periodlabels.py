"""Period numbers the reading missed: an empty header cell among cells numbered 1, 2, 3 …
(or I, II, III …) along a ruled table's first row or first column.

The text detector now and then finds no line at all for a lone digit in a wide header cell
("1", "2", "3", "R", "4", "5" and nothing over the last period) or a lone Roman "I". A grid
whose periods a bell key times by their numbers then times nothing in that column. A drawn
header cell with no line in it, or a number out of the band's order (a "6" read "9"), whose
nearest labelled neighbours along the band say which number it must hold (the one before it
plus one, the one after it minus one; or the one number missing between them, where empty
break columns stand between: "3", "", "", "5"), is read again as one crop round its ink; the
reading is kept, in place of what the cell held, only when it is that number as the band
writes it.
"""

from __future__ import annotations

import re

import numpy as np

from inference.columnwords import cell_ink
from inference.ocr import OcrEngine
from inference.schema import Box, OcrLine, Table

# A period number: small, and a header band holds at least this many of them.
MAX_PERIOD = 15
MIN_NUMBERED = 2


def read_missing_labels(image: np.ndarray, tables: list[Table], lines: list[OcrLine],
                        engine: OcrEngine) -> list[OcrLine]:
    """`lines` with each missing or misread period number read again in its cell."""
    found, replaced = [], set()
    for table in tables:
        if not table.ruled:
            continue
        for band, along in (("row", "col"), ("col", "row")):
            cells = sorted((c for c in table.cells if getattr(c, band) == 0),
                           key=lambda c: getattr(c, along))
            held = [[k for k, line in enumerate(lines)
                     if cell.box.contains_point(line.box.cx, line.box.cy)] for cell in cells]
            texts = [" ".join(lines[k].text.strip() for k in ks) for ks in held]
            for k, cell in enumerate(cells):
                expected = _expected(texts, k)
                if expected is None:
                    continue
                written = _written(expected, texts)
                read = _read_ink(image, cell.box, engine)
                if read is not None and _reads(read[0], written):
                    found.append(OcrLine(text=written, box=read[2], score=read[1]))
                    replaced.update(held[k])
    return [line for k, line in enumerate(lines) if k not in replaced] + found


_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def _number(text: str) -> int | None:
    """A period's number, in digits or in Roman numerals (an Indian college's "I" … "VIII")."""
    if text.isdigit():
        return int(text) if 1 <= int(text) <= MAX_PERIOD else None
    return _ROMAN.index(text) + 1 if text in _ROMAN else None


def _written(number: int, texts: list[str]) -> str:
    """`number` as the band writes its numbers."""
    roman = any(text in _ROMAN for text in texts)
    return _ROMAN[number - 1] if roman and number <= len(_ROMAN) else str(number)


def _reads(text: str, expected: str) -> bool:
    """Whether a reading is `expected`: its digits alone (specks beside them read as stops),
    or a Roman numeral's letters (its "I" read "l", "1" or "|")."""
    if expected.isdigit():
        return not re.search(r"[A-Za-z]", text) and re.sub(r"\D", "", text) == expected
    return re.sub(r"[^A-Z]", "", re.sub(r"[l1|]", "I", text.strip())) == expected


def _expected(texts: list[str], k: int) -> int | None:
    """The number cell k of a band must hold, from its nearest labelled neighbours, where it
    holds no line or another number; None where it holds that number or words, the band is
    not numbered or its neighbours disagree."""
    numbers = [_number(text) for text in texts]
    if texts[k] and numbers[k] is None or sum(n is not None for n in numbers) < MIN_NUMBERED:
        return None
    before = next((j for j in range(k - 1, -1, -1) if texts[j]), None)
    after = next((j for j in range(k + 1, len(texts)) if texts[j]), None)
    guesses = {n for n in (before is not None and numbers[before] and numbers[before] + k - before,
                           after is not None and numbers[after] and numbers[after] - after + k)
               if n}
    if len(guesses) == 1 and numbers[k] not in guesses:
        return guesses.pop()
    # Unnumbered columns (a break's narrow one, its header empty) shift the count between two
    # numbers: one number missing between them is in one of the empty cells there, and only
    # the cell whose ink reads it takes it.
    bounds = [before is not None and numbers[before], after is not None and numbers[after]]
    if not texts[k] and all(bounds) and bounds[1] - bounds[0] == 2:
        return bounds[0] + 1
    return None


def _read_ink(image: np.ndarray, cell: Box, engine: OcrEngine
              ) -> tuple[str, float, Box] | None:
    """(text, score, box) of the cell's ink (`columnwords.cell_ink`: its rulings and specks
    left out) read as one line; None where the cell holds none."""
    ink = cell_ink(image, cell)
    if ink is None:
        return None
    text, score = engine.read_crop(ink[0])
    return text, score, ink[1]
