"""Font discovery: whatever TrueType/OpenType faces the machine has under the standard font
directories, grouped into families with a regular and (if present) a bold face.

Discovery is by file name only (no fontconfig dependency) and sorted, so the same machine always
yields the same catalogue and the same seed picks the same font. Fewer installed fonts simply
means less variety; DejaVu alone is enough to run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import ImageFont

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))

Style = Literal["sans", "serif", "condensed", "hand"]

# Faces that are not text fonts for a timetable (symbols, maths, monospace, other scripts, or
# calligraphy no reader would use for a timetable).
_EXCLUDE = re.compile(
    r"mono|math|symbol|D050000L|Z003|tamil|dingbat|emoji|fallback|Kristi|Display|breipfont|"
    r"Garamond08|Libertine_(D|M|RZ)",
    re.I,
)
_SKIP_FACE = re.compile(r"italic|oblique|It$|BI$|_RI$|_I$|Ita$|thin|light|hairline|wght", re.I)
# Suffix after the family name -> (is_bold, preference: lower wins).
_FACES = {
    "": (False, 0), "regular": (False, 0), "roman": (False, 0), "r": (False, 0),
    "book": (False, 1), "medium": (False, 2),
    "bold": (True, 0), "bd": (True, 0), "rb": (True, 0), "k": (True, 1), "semibold": (True, 1),
    "demi": (True, 1), "extrabold": (True, 2), "black": (True, 3), "heavy": (True, 3),
}
_SPLIT = re.compile(r"^(.*?)(?:[-_]([A-Za-z]+)|(Bold|Bd))?$")
_HAND = re.compile(r"comic|humor|dkg|femke|breip", re.I)
_SERIF = re.compile(
    r"serif|roman|libertine|garamond|caladea|C059|P052|bookman|slab|baskerv", re.I
)
_CONDENSED = re.compile(r"condensed|narrow|cond", re.I)


@dataclass(frozen=True)
class FontFamily:
    name: str
    style: Style
    regular: str
    bold: str | None

    def path(self, bold: bool) -> str:
        return self.bold if (bold and self.bold) else self.regular


def _split_face(stem: str) -> tuple[str, bool, int] | None:
    """'Lato-Bold' -> ('Lato', True, 0); None for faces we do not use (italic, light, odd)."""
    match = _SPLIT.match(stem)
    if match is None:
        return None
    family, suffix = match.group(1), (match.group(2) or match.group(3) or "").lower()
    face = _FACES.get(suffix)
    if face is None:
        return None
    return family, face[0], face[1]


def _style(stem: str) -> Style:
    if _HAND.search(stem):
        return "hand"
    if _CONDENSED.search(stem):
        return "condensed"
    if _SERIF.search(stem):
        return "serif"
    return "sans"


def _font_files(dirs: tuple[Path, ...]) -> list[Path]:
    files = [
        p
        for d in dirs
        if d.is_dir()
        for p in d.rglob("*")
        if p.suffix.lower() in {".ttf", ".otf"}
    ]
    return sorted(files, key=lambda p: p.name)


@lru_cache(maxsize=1)
def catalogue(dirs: tuple[Path, ...] = FONT_DIRS) -> tuple[FontFamily, ...]:
    best: dict[tuple[str, bool], tuple[int, str]] = {}
    for path in _font_files(dirs):
        if _EXCLUDE.search(str(path)) or _SKIP_FACE.search(path.stem):
            continue
        face = _split_face(path.stem)
        if face is None:
            continue
        family, is_bold, rank = face
        key = (family, is_bold)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, str(path))
    regular = {fam: path for (fam, is_bold), (_, path) in best.items() if not is_bold}
    bold = {fam: path for (fam, is_bold), (_, path) in best.items() if is_bold}
    families = [
        FontFamily(name=name, style=_style(name), regular=path, bold=bold.get(name))
        for name, path in sorted(regular.items())
    ]
    if not families:
        raise RuntimeError("no usable fonts under /usr/share/fonts (install fonts-dejavu-core)")
    return tuple(families)


def by_style(style: Style) -> list[FontFamily]:
    """Families of one style; falls back to every family when the machine has none of it."""
    fams = [f for f in catalogue() if f.style == style]
    return fams or list(catalogue())


@lru_cache(maxsize=4096)
def load(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, max(6, int(size)))


@lru_cache(maxsize=200_000)
def text_width(path: str, size: int, text: str) -> float:
    """Advance width of text; cached because fitting measures the same words many times."""
    return load(path, size).getlength(text)
