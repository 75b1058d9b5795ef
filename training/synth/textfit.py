"""Fitting a cell's text into its box the way a teacher's word processor ends up doing it:
shrink, wrap at spaces, break a long word mid-word ("Engli|sh"), or turn the text 90° in a
tall narrow cell."""

from __future__ import annotations

from dataclasses import dataclass

from training.synth import fonts
from training.synth.canvas import Angle, Canvas, LineRole, Rgb

MIN_SIZE = 11


@dataclass
class Para:
    """One logical piece of a cell's text (a name, a note, a printed time)."""

    text: str
    role: LineRole
    scale: float = 1.0
    bold: bool = False
    color: Rgb = (20, 20, 20)
    highlight: Rgb | None = None
    blocks: tuple[int, ...] = ()
    fields: tuple[str, ...] = ()
    # Written one letter per line (a day name down a narrow column); never re-wrapped.
    letters: bool = False


@dataclass
class Style:
    family: fonts.FontFamily
    max_size: int
    break_words: bool
    align: str = "center"  # or "left", "right"
    valign: str = "center"  # or "top"
    rotate: Angle = 90  # direction used when text is turned
    line_gap: float = 1.05


@dataclass
class Fitted:
    angle: Angle
    size: int
    lines: list[tuple[Para, str, int]]  # (para, line text, font size)
    height: float


_SOFT_BREAKS = "–-/"


def _len(font, text: str) -> float:
    return fonts.text_width(font.path, font.size, text)


def _soft_split(word: str, width: float, font) -> list[str] | None:
    """Split after a dash or slash ("10.20–|10:35am", "Science/|Health") when that fits."""
    cuts = [i + 1 for i, ch in enumerate(word[:-1]) if ch in _SOFT_BREAKS]
    pieces, start = [], 0
    for a, b in zip([0, *cuts], [*cuts, len(word)], strict=True):
        if _len(font, word[start:b]) > width:
            if a == start:
                return None
            pieces.append(word[start:a])
            start = a
    pieces.append(word[start:])
    return pieces if all(_len(font, p) <= width for p in pieces) else None


def _wrap_word(word: str, width: float, font) -> list[str]:
    pieces, cur = [], ""
    for ch in word:
        if cur and _len(font, cur + ch) > width:
            pieces.append(cur)
            cur = ch
        else:
            cur += ch
    return pieces + [cur]


def wrap(text: str, width: float, font, break_words: bool) -> list[str] | None:
    """Greedy word wrap; None when a word is wider than the box and breaking is not allowed."""
    lines: list[str] = []
    cur = ""
    for word in text.split():
        trial = f"{cur} {word}" if cur else word
        if _len(font, trial) <= width:
            cur = trial
            continue
        if cur:
            lines.append(cur)
        soft = _soft_split(word, width, font) if _len(font, word) > width else None
        if _len(font, word) <= width:
            cur = word
        elif soft:
            *head, cur = soft
            lines += head
        elif break_words and len(word) > 1:
            *head, cur = _wrap_word(word, width, font)
            lines += head
        else:
            return None
    return lines + [cur] if cur else lines


def _layout(paras: list[Para], width: float, size: int, style: Style, break_words: bool
            ) -> Fitted | None:
    out: list[tuple[Para, str, int]] = []
    height = 0.0
    for p in paras:
        psize = max(MIN_SIZE - 2, round(size * p.scale))
        font = fonts.load(style.family.path(p.bold), psize)
        lines = list(p.text) if p.letters else wrap(p.text, width, font, break_words)
        if lines is None or any(_len(font, t) > width for t in lines):
            return None
        asc, desc = font.getmetrics()
        height += len(lines) * (asc + desc) * style.line_gap
        out += [(p, t, psize) for t in lines]
    return Fitted(0, size, out, height)


def _fit_angle(paras: list[Para], w: float, h: float, style: Style, angle: Angle
               ) -> Fitted | None:
    width, height = (w, h) if angle == 0 else (h, w)
    size = style.max_size
    while size >= MIN_SIZE:
        fit = _layout(paras, width, size, style, False)
        if fit is None and style.break_words:
            fit = _layout(paras, width, size, style, True)
        if fit is not None and fit.height <= height:
            fit.angle = angle
            return fit
        size = int(size * 0.9) if size > 14 else size - 1
    return None


def fit(paras: list[Para], w: float, h: float, style: Style, allow_rotate: bool,
        prefer_rotate: bool = False) -> Fitted:
    flat = _fit_angle(paras, w, h, style, 0)
    turned = _fit_angle(paras, w, h, style, style.rotate) if allow_rotate else None
    # Teachers turn text in tall narrow cells as soon as it reads no smaller that way.
    gain = 1.0 if w < 0.6 * h else 1.4
    if turned and (flat is None or prefer_rotate or turned.size >= flat.size * gain):
        return turned
    if flat:
        return flat
    # Nothing fits: smallest size, words broken, overflowing the cell as real documents do.
    # (A box at least two letters wide always takes a broken word.)
    forced = _layout(paras, max(w, 2.2 * MIN_SIZE), MIN_SIZE, style, True)
    assert forced is not None
    return forced


def draw_fitted(canvas: Canvas, fitted: Fitted, box: tuple[float, float, float, float],
                style: Style, cell: int | None) -> None:
    """Draw fitted lines inside box, centred (or top/left aligned), in the fitted direction."""
    x0, y0, x1, y1 = box
    w, h = (x1 - x0, y1 - y0) if fitted.angle == 0 else (y1 - y0, x1 - x0)
    v = (h - fitted.height) / 2 if style.valign == "center" else min(4.0, h - fitted.height)
    v = max(v, 0.0) if fitted.height <= h else (h - fitted.height) / 2
    for para, text, size in fitted.lines:
        font = fonts.load(style.family.path(para.bold), size)
        asc, desc = font.getmetrics()
        lw = _len(font, text)
        if style.align == "center" or para.letters:
            u = (w - lw) / 2
        else:
            u = w - lw - 2.0 if style.align == "right" else 2.0
        lh = asc + desc
        if fitted.angle == 0:
            px, py = x0 + u, y0 + v
        elif fitted.angle == 90:  # text frame (u along, v across) -> page
            px, py = x0 + v, y1 - u - lw
        else:
            px, py = x1 - v - lh, y0 + u
        canvas.text(text, px - 2, py - 2, font, para.color, fitted.angle, para.role, cell=cell,
                    blocks=list(para.blocks), fields=list(para.fields),
                    highlight=para.highlight)
        v += lh * style.line_gap
