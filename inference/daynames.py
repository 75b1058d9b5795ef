"""The names of the week's days in the languages school timetables are written in, and the
short forms each language's timetables print, as lower-case letters without accents (what
`timeparse.parse_day` compares a header's text with once it has dropped everything else).

The contract wants English day names out whatever the page's language: a German Stundenplan's
"Dienstag", a Quebec grid's "Mardi", an Irish school's "Dé Máirt", a Welsh one's "Dydd
Mawrth" and a Malaysian one's "Selasa" are all Tuesday. English comes first and wins every
clash; a short form two languages give to different days (Dutch "ma" is Monday, French "ma"
Tuesday) is left out, since no single reading of it is safe.
"""

from __future__ import annotations

import unicodedata

from inference.schema import DAYS

# Per language: whether the language's timetables shorten a name to its first letters (then
# every prefix of `PREFIX` letters or more names the day too), and each day's spellings,
# Monday first. German and Dutch shorten to two letters (`TWO_LETTER`), and their three-letter
# prefixes are words ("die", "mit"); Irish and Welsh put "Dé" / "Dydd" first, so their
# prefixes say nothing.
FULL_NAMES: dict[str, tuple[bool, tuple[tuple[str, ...], ...]]] = {
    "german": (False, (("montag",), ("dienstag",), ("mittwoch",), ("donnerstag",),
                       ("freitag",), ("samstag", "sonnabend"), ("sonntag",))),
    "dutch": (False, (("maandag",), ("dinsdag",), ("woensdag",), ("donderdag",),
                      ("vrijdag",), ("zaterdag",), ("zondag",))),
    "french": (True, (("lundi",), ("mardi",), ("mercredi",), ("jeudi",), ("vendredi",),
                      ("samedi",), ("dimanche",))),
    "spanish": (True, (("lunes",), ("martes",), ("miercoles",), ("jueves",), ("viernes",),
                       ("sabado",), ("domingo",))),
    "italian": (True, (("lunedi",), ("martedi",), ("mercoledi",), ("giovedi",), ("venerdi",),
                       ("sabato",), ("domenica",))),
    "portuguese": (True, (("segunda", "segundafeira"), ("terca", "tercafeira"),
                          ("quarta", "quartafeira"), ("quinta", "quintafeira"),
                          ("sexta", "sextafeira"), ("sabado",), ("domingo",))),
    # Run together once the spaces go: "Dé Luain" → "deluain".
    "irish": (False, (("deluain", "luain"), ("demairt", "mairt"), ("deceadaoin", "ceadaoin"),
                      ("deardaoin",), ("dehaoine", "aoine"), ("desathairn", "sathairn"),
                      ("dedomhnaigh", "domhnaigh"))),
    "welsh": (False, (("dyddllun", "llun"), ("dyddmawrth", "mawrth"),
                      ("dyddmercher", "mercher"), ("dyddiau",), ("dyddgwener", "gwener"),
                      ("dyddsadwrn", "sadwrn"), ("dyddsul",))),
    # Malay and Indonesian ("Isnin" / "Senin" … "Jumaat" / "Jumat"). Indonesian's Sunday,
    # "Minggu", is Malay's "week" ("Minggu 3" over a grid): Sunday is Malay's "Ahad" alone.
    "malay": (False, (("isnin", "senin"), ("selasa",), ("rabu",), ("khamis", "kamis"),
                      ("jumaat", "jumat"), ("sabtu",), ("ahad",))),
}
PREFIX = 3
# Prefixes that are as often a person's name in a cell as a day ("Sam", "Dom", "Don").
NAMES = {"sam", "dom", "don"}
# Two-letter forms timetabling software prints (Untis: "Mo Di Mi Do Fr"; Dutch "wo", "vr"),
# in title case: in capitals they are as often a teacher's initials ("DO").
TWO_LETTER: dict[str, str] = {"di": "Tuesday", "mi": "Wednesday", "do": "Thursday",
                              "wo": "Wednesday", "vr": "Friday", "za": "Saturday",
                              "zo": "Sunday"}


def plain(text: str) -> str:
    """`text` in lower case with its accents dropped ("Dé Máirt" → "dé máirt" → "de mairt")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def foreign_forms(english: dict[str, str]) -> dict[str, str]:
    """Every other language's full names (and, where it shortens them, their prefixes of
    `PREFIX` letters or more), each mapped to its English day, leaving out those `english`
    already holds and those two days share."""
    seen: dict[str, set[str]] = {}
    for shortened, names in FULL_NAMES.values():
        for day, spellings in zip(DAYS, names, strict=True):
            for spelling in spellings:
                for n in range(PREFIX if shortened else len(spelling), len(spelling) + 1):
                    if spelling[:n] not in NAMES:
                        seen.setdefault(spelling[:n], set()).add(day)
    # A full name is never ambiguous with its own day's prefix; a clash is two days.
    return {form: days.pop() for form, days in seen.items()
            if len(days) == 1 and form not in english}
