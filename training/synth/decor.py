"""Everything on the page around the table: the heading (school, class, term, teacher), a
simple logo or clip-art, and a footnote."""

from __future__ import annotations

import math
import random

from training.synth import fonts
from training.synth.canvas import Canvas, Rgb
from training.synth.content import Heading
from training.synth.layout import PASTELS, RenderKnobs, family

Rect = tuple[float, float, float, float]


def heading_height(heading: Heading, knobs: RenderKnobs) -> float:
    sizes = [_line_size(line.level, knobs) for line in heading.lines]
    return sum(s * 1.6 for s in sizes) + (knobs.base_size if sizes else 0)


def _line_size(level: str, knobs: RenderKnobs) -> int:
    return int(knobs.base_size * (2.0 if level == "title" else 1.45))


def draw_heading(canvas: Canvas, rng: random.Random, heading: Heading, knobs: RenderKnobs,
                 area: Rect, ink: Rgb) -> None:
    """Heading lines inside area; a run per field, spread across the line like a teacher's
    tab-separated `Class: 2EJ    Term: Autumn 2 2024    Teacher: Miss Joynes`."""
    x0, y0, x1, y1 = area
    logo_w = (y1 - y0) if knobs.logo != "none" and heading.lines else 0.0
    logo_left = rng.random() < 0.3
    tx0, tx1 = (x0 + logo_w, x1) if logo_left else (x0, x1 - logo_w)
    fam = family(knobs.heading_font)
    y = y0 + knobs.base_size * 0.5
    for n, line in enumerate(heading.lines):
        size = _line_size(line.level, knobs)
        path = fam.path(line.level == "title" or rng.random() < 0.5)
        part = (tx1 - tx0) / len(line.runs)
        font = fonts.load(path, size)
        while size > 12 and max(font.getlength(r.text) for r in line.runs) > part * 0.96:
            font = fonts.load(path, int(size * 0.9))
            size = font.size
        for i, run in enumerate(line.runs):
            width = font.getlength(run.text)
            x = tx0 + i * part + (part - width) / 2
            canvas.text(run.text, x, y, font, ink, 0, "heading", fields=list(run.fields))
        y += _line_size(line.level, knobs) * 1.6
        if knobs.heading_box and n < len(heading.lines) - 1:
            canvas.draw.line([(x0, y - size * 0.25), (x1, y - size * 0.25)], fill=ink,
                             width=knobs.rule_width)
    if knobs.heading_box and heading.lines:
        canvas.draw.rectangle(area, outline=ink, width=knobs.rule_width)
    if logo_w:
        lx = x0 if logo_left else x1 - logo_w
        draw_logo(canvas, rng, knobs, (lx, y0, lx + logo_w, y1), heading.school)


def draw_logo(canvas: Canvas, rng: random.Random, knobs: RenderKnobs, box: Rect,
              school: str | None) -> None:
    x0, y0, x1, y1 = box
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, min(x1 - x0, y1 - y0) * 0.42
    colour = rng.choice([(31, 56, 140), (150, 20, 30), (20, 100, 40), (200, 150, 20)])
    draw = canvas.draw
    if knobs.logo == "crest":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(230, 190, 60), outline=colour,
                     width=max(2, int(r * 0.08)))
        draw.ellipse([cx - r * 0.72, cy - r * 0.72, cx + r * 0.72, cy + r * 0.72],
                     fill=(255, 255, 255), outline=colour, width=2)
        initials = "".join(w[0] for w in (school or "Our School").split() if w[0].isupper())[:4]
        font = fonts.load(family(knobs.heading_font).path(True), int(r * 0.5))
        width = font.getlength(initials)
        canvas.text(initials, cx - width / 2, cy - r * 0.35, font, colour, 0, "other")
    elif knobs.logo == "star":
        for k in range(rng.randint(1, 3)):
            _star(canvas, cx + (k - 1) * r * 0.7, cy, r * (0.9 - 0.2 * k), rng.choice(PASTELS[6:]))
    else:  # an apple for the teacher
        draw.ellipse([cx - r * 0.8, cy - r * 0.6, cx + r * 0.8, cy + r * 0.9], fill=(200, 30, 40))
        draw.ellipse([cx, cy - r * 0.95, cx + r * 0.5, cy - r * 0.6], fill=(40, 140, 50))
        draw.line([(cx, cy - r * 0.6), (cx - r * 0.1, cy - r * 0.95)], fill=(90, 60, 20),
                  width=max(2, int(r * 0.08)))


def _star(canvas: Canvas, cx: float, cy: float, r: float, colour: Rgb) -> None:
    points = [
        (cx + (r if k % 2 == 0 else r * 0.45) * math.sin(k * math.pi / 5),
         cy - (r if k % 2 == 0 else r * 0.45) * math.cos(k * math.pi / 5))
        for k in range(10)
    ]
    canvas.draw.polygon(points, fill=colour, outline=(120, 90, 0))


def footnote_height(footnote: str | None, knobs: RenderKnobs) -> float:
    return knobs.base_size * 2.0 if footnote else 0.0


def draw_footnote(canvas: Canvas, footnote: str, knobs: RenderKnobs, x: float, y: float,
                  ink: Rgb) -> None:
    font = fonts.load(family(knobs.font).path(False), int(knobs.base_size * 0.8))
    canvas.text(footnote, x, y, font, ink, 0, "footnote")
