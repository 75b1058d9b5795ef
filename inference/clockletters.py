"""Clock letters: a written time whose digits the recogniser read as letters ("q:CC" for 9:00).

Handwriting fonts and hand-written pages draw a 0 open like a C or round like an O, a 9 like a
q, a 1 as a bare stroke (I, l, |), and the recogniser, trained on print, reads the letters. A
token shaped like a clock — one or two characters, a colon, two characters — made only of
digits and such look-alike letters is a time, not a word: its letters are read back as the
digits they stand for, when the result is a valid clock time; a meridiem written on to it is
read as "am" or "pm" where its first letter says which ("q:ZCun" is 9:20am, "1:25pn" 1:25pm),
and such a meridiem makes a clock of a token whose colon was lost too ("qZCan").
Nothing else on the line changes.
"""

from __future__ import annotations

import re

from inference.schema import OcrLine

# Letter → the digit it stands for in a handwritten time.
DIGIT_OF = {"O": "0", "o": "0", "C": "0", "c": "0", "D": "0", "U": "0", "Q": "0",
            "I": "1", "l": "1", "i": "1", "|": "1", "Z": "2", "z": "2", "S": "5", "s": "5",
            "q": "9", "g": "9", "B": "8", "G": "6", "b": "6"}
_LOOKS = "0-9" + re.escape("".join(DIGIT_OF))
# A meridiem written on to the time, as the recogniser reads a hand's "am" ("an", "un") and
# "pm" ("pn", "0m": its p closed up); one whose first letter says neither is left out.
_MERIDIEM = "[aAuUpP0oO][mMnN]"
_CLOCK = re.compile(rf"(?<![A-Za-z0-9])([{_LOOKS}]{{1,2}}):([{_LOOKS}]{{2}})({_MERIDIEM})?"
                    r"(?![A-Za-z0-9])")
# Its colon lost too ("qZCan" for 9:20am, a time header's line alone): only with a meridiem
# that says which, in school hours, or the token is as likely a word ("Islam").
_COLONLESS = re.compile(rf"([{_LOOKS}]{{1,2}})([{_LOOKS}]{{2}})([aAuUpP][mMnN])")
SCHOOL_HOURS = {"am": range(6, 12), "pm": (12, *range(1, 10))}


def _as_digits(match: re.Match[str]) -> str:
    hours, minutes = ("".join(DIGIT_OF.get(c, c) for c in part) for part in match.groups()[:2])
    if int(hours) > 23 or int(minutes) > 59:
        return match.group(0)
    meridiem = match.group(3) or ""
    if meridiem.lower() not in ("am", "pm"):
        meridiem = {"a": "am", "u": "am", "p": "pm"}.get(meridiem[:1].lower(), "")
    return f"{hours}:{minutes}{meridiem}"


def read_clock_letters(lines: list[OcrLine]) -> list[OcrLine]:
    """`lines` with the look-alike letters of every clock-shaped token read as digits."""
    repaired = []
    for line in lines:
        text = _CLOCK.sub(_as_digits, line.text)
        alone = _COLONLESS.fullmatch(text.strip())
        clock = _as_digits(alone) if alone else ""
        if ":" in clock and int(clock.split(":")[0]) in SCHOOL_HOURS[clock[-2:]]:
            text = clock
        repaired.append(line if text == line.text else line.model_copy(update={"text": text}))
    return repaired
