"""One document's page: heading, table (grid or lists) and footnote, drawn onto a Canvas whose
recorded lines and cells are the layout labels."""

from __future__ import annotations

import random

from training.synth.canvas import Canvas
from training.synth.content import Content
from training.synth.decor import (
    draw_footnote,
    draw_heading,
    footnote_height,
    heading_height,
)
from training.synth.layout import INKS, RenderKnobs, draw_grid, draw_lists, family
from training.synth.watermark import draw_watermark


def render_page(rng: random.Random, content: Content, knobs: RenderKnobs,
                index_of: dict[int, list[int]]) -> Canvas:
    canvas = Canvas(knobs.width, knobs.height, knobs.paper)
    if knobs.watermark is not None:  # first, on the bare paper: everything else lies over it
        draw_watermark(canvas, knobs.watermark, family(knobs.heading_font).path(True))
    margin = knobs.width * rng.uniform(0.015, 0.05)
    x0, x1 = margin, knobs.width - margin
    y = margin * rng.uniform(0.5, 1.0)
    ink = rng.choice(INKS)
    head_h = heading_height(content.heading, knobs)
    if head_h:
        draw_heading(canvas, rng, content.heading, knobs, (x0, y, x1, y + head_h), ink)
        y += head_h + knobs.base_size * rng.uniform(0.5, 2.5)
    bottom = knobs.height - margin * rng.uniform(0.5, 1.0) - footnote_height(content.footnote,
                                                                              knobs)
    if content.grid is not None:
        draw_grid(canvas, rng, content, knobs, (x0, y, x1, bottom), index_of)
    else:
        draw_lists(canvas, rng, content, knobs, (x0, y, x1, bottom), index_of)
    if content.footnote:
        draw_footnote(canvas, content.footnote, knobs, x0, bottom + knobs.base_size * 0.5, ink)
    return canvas
