"""Break words: the names a timetable gives its breaks ("Break", "Lunch", "Morning Tea",
"Recess", Irish "sos", Welsh "egwyl" …), the one vocabulary the stages and the decoding share.
A break is written once across the week or down a column of its own, so a reading that names
one is what such a band or column most likely says."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import Indel

# A break's name: a word of these, the others qualifiers. Also in the school's language: Irish
# "sos", Welsh "egwyl" and "cinio", Spanish "recreo", "pause".
BREAK_WORDS = {"break", "lunch", "recess", "interval", "tea", "snack", "tiffin", "brunch",
               "playtime", "lunchtime", "dinner", "nutrition", "sos", "egwyl", "cinio", "recreo",
               "pause"}
BREAK_QUALIFIERS = {"morning", "afternoon", "short", "long", "mid", "day", "time", "and"}


def _break_word(word: str) -> str:
    """The break word (or qualifier) `word` is, read with a letter more or less ("Tela" for
    "Tea" on a whiteboard), else `word` itself."""
    if len(word) < 3:
        return word
    near = [known for known in BREAK_WORDS | BREAK_QUALIFIERS if Indel.distance(word, known) <= 1]
    return near[0] if len(near) == 1 else word


def is_break_name(text: str) -> bool:
    """Whether `text` names a break: all its words break words or qualifiers, one a break
    (width forms folded: the recogniser reads a turned word "ＬＵＮＣＨ")."""
    folded = unicodedata.normalize("NFKC", text).lower()
    words = {_break_word(word) for word in re.findall(r"[a-z]+", folded)}
    return bool(words) and words <= BREAK_WORDS | BREAK_QUALIFIERS and bool(words & BREAK_WORDS)
