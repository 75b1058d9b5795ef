"""Clock letters: a written time whose digits the recogniser read as letters ("q:CC" for 9:00).

Handwriting fonts and hand-written pages draw a 0 open like a C or round like an O, a 9 like a
q, a 1 as a bare stroke (I, l, |), and the recogniser, trained on print, reads the letters. A
token shaped like a clock — one or two characters, a colon, two characters — made only of
digits and such look-alike letters is a time, not a word: its letters are read back as the
digits they stand for, when the result is a valid clock time. Nothing else on the line changes.
"""

from __future__ import annotations

import re

from inference.schema import OcrLine

# Letter → the digit it stands for in a handwritten time.
DIGIT_OF = {"O": "0", "o": "0", "C": "0", "c": "0", "D": "0", "U": "0", "Q": "0",
            "I": "1", "l": "1", "i": "1", "|": "1", "Z": "2", "z": "2", "S": "5", "s": "5",
            "q": "9", "g": "9", "B": "8", "G": "6", "b": "6"}
_LOOKS = "0-9" + re.escape("".join(DIGIT_OF))
_CLOCK = re.compile(rf"(?<![A-Za-z0-9])([{_LOOKS}]{{1,2}}):([{_LOOKS}]{{2}})(?![A-Za-z0-9])")


def _as_digits(match: re.Match[str]) -> str:
    hours, minutes = ("".join(DIGIT_OF.get(c, c) for c in part) for part in match.groups())
    if int(hours) > 23 or int(minutes) > 59:
        return match.group(0)
    return f"{hours}:{minutes}"


def read_clock_letters(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with the look-alike letters of every clock-shaped token read as digits."""
    repaired = []
    for line in lines:
        text = _CLOCK.sub(_as_digits, line.text)
        repaired.append(line if text == line.text else line.model_copy(update={"text": text}))
    return repaired
