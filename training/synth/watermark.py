"""A watermark behind the page: a faint large word ("DRAFT", "COPY", the school's name) across
the page, diagonal or level, or a faint school crest in the middle, as word-processor templates
and copy stamps leave them on real timetables. It is a render knob only: its choices are all
made when the knob is sampled, it is drawn onto the bare paper before anything else (so the
table's fills and text lie over it), and never through `Canvas.text`, so it is in no label and
no layout line: the model must learn to read through it, not to read it."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

from training.synth import fonts, vocab
from training.synth.canvas import Canvas, Rgb
from training.synth.content import Content

WORDS = ("DRAFT", "COPY", "SAMPLE", "PROVISIONAL", "DRAFT COPY", "NOT FINAL", "CONFIDENTIAL",
         "Draft", "Copy")
INKS: tuple[Rgb, ...] = ((128, 128, 128), (90, 90, 90), (200, 40, 40), (40, 70, 170),
                         (40, 120, 60))


@dataclass(frozen=True)
class Watermark:
    text: str  # the word or name; a crest's initials
    crest: bool  # the text inside two rings, as a school logo
    angle: float  # degrees anticlockwise: 0 level, 25-50 diagonal up the page
    ink: Rgb
    opacity: float  # how much of the ink shows over the paper: faint, 0.06-0.2
    size: float  # glyph height as a share of the page's shorter side (shrunk to fit)
    dx: float  # centre offset from the page's centre, as a share of its width / height
    dy: float


def _school(rng: random.Random, content: Content) -> str:
    if content.heading.school:
        return content.heading.school
    return f"{rng.choice(vocab.PLACES)} {rng.choice(vocab.SCHOOL_KINDS[content.region])}"


def sample_watermark(rng: random.Random, content: Content, share: float) -> Watermark | None:
    """A watermark on `share` of pages. Draws nothing from `rng` when `share` is 0, so a
    family that keeps it off gives the pages it gave before the knob existed."""
    if share <= 0 or rng.random() >= share:
        return None
    kind = rng.choices(["word", "school", "crest"], weights=[5, 3, 2])[0]
    if kind == "crest":
        school = _school(rng, content)
        initials = "".join(w[0] for w in school.split() if w[0].isupper())[:3] or "S"
        return Watermark(initials, True, 0.0, rng.choice(INKS), rng.uniform(0.06, 0.14),
                         rng.uniform(0.45, 0.7), rng.uniform(-0.05, 0.05),
                         rng.uniform(-0.03, 0.08))
    text = rng.choice(WORDS) if kind == "word" else _school(rng, content)
    angle = rng.choice([0.0, rng.uniform(25, 50), rng.uniform(25, 50)])
    return Watermark(text, False, angle, rng.choice(INKS), rng.uniform(0.07, 0.2),
                     rng.uniform(0.12, 0.3), rng.uniform(-0.05, 0.05), rng.uniform(-0.05, 0.08))


def _fits(length: float, height: float, angle: float, page: tuple[int, int]) -> bool:
    """Whether a line this long and tall, turned by `angle`, stays inside 90% of the page."""
    c, s = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
    return (length * c + height * s <= 0.9 * page[0]) and (length * s + height * c
                                                           <= 0.9 * page[1])


def _text_mask(mark: Watermark, font_path: str, page: tuple[int, int]) -> Image.Image:
    """The word at its size, shrunk until it fits on the page along its angle."""
    size = int(min(page) * mark.size)
    font = fonts.load(font_path, size)
    while size > 24 and not _fits(font.getlength(mark.text), sum(font.getmetrics()),
                                  mark.angle, page):
        size = int(size * 0.9)
        font = fonts.load(font_path, size)
    ascent, descent = font.getmetrics()
    mask = Image.new("L", (int(font.getlength(mark.text)) + 8, ascent + descent + 8), 0)
    ImageDraw.Draw(mask).text((4, 4), mark.text, font=font, fill=255)
    return mask


def _crest_mask(mark: Watermark, font_path: str, page: tuple[int, int]) -> Image.Image:
    d = int(min(page) * mark.size)
    mask = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(mask)
    ring = max(4, d // 40)
    draw.ellipse([ring, ring, d - ring, d - ring], outline=255, width=ring)
    inner = d * 0.14
    draw.ellipse([inner, inner, d - inner, d - inner], outline=255, width=max(2, ring // 2))
    font = fonts.load(font_path, int(d * 0.28))
    width = font.getlength(mark.text)
    ascent, descent = font.getmetrics()
    draw.text(((d - width) / 2, (d - ascent - descent) / 2), mark.text, font=font, fill=255)
    return mask


def draw_watermark(canvas: Canvas, mark: Watermark, font_path: str) -> None:
    """Blend the mark's ink into the page at its opacity; no line or cell is recorded."""
    page = canvas.size
    mask = (_crest_mask if mark.crest else _text_mask)(mark, font_path, page)
    if mark.angle:
        mask = mask.rotate(mark.angle, resample=Image.Resampling.BICUBIC, expand=True)
    mask = mask.point(lambda v: int(v * mark.opacity))
    x = int(page[0] * (0.5 + mark.dx) - mask.width / 2)
    y = int(page[1] * (0.5 + mark.dy) - mask.height / 2)
    canvas.image.paste(Image.new("RGB", mask.size, mark.ink), (x, y), mask)
