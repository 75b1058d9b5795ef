"""The whole document's content: region, days, time style, heading and footnote, then either
a grid or list tables, sampled from one seeded generator."""

from __future__ import annotations

import random

from training.synth import vocab
from training.synth.content import Content, Heading, LayoutKind
from training.synth.grid_content import make_grid, sample_content_knobs
from training.synth.heading_content import make_heading
from training.synth.list_content import make_tables
from training.synth.timefmt import sample_style
from training.synth.vocab import Region


def make_content(rng: random.Random, layout: LayoutKind) -> Content:
    region: Region = "uk" if rng.random() < 0.6 else "us"
    n_days = 6 if rng.random() < 0.12 else 5
    days = list(range(n_days))
    style = sample_style(rng)
    counts: dict[str, int] = {}
    heading = make_heading(rng, region) if layout != "list" or rng.random() < 0.4 else Heading([])
    footnote = rng.choice(vocab.FOOTNOTES) if rng.random() < 0.3 else None
    content = Content(region, layout, days, style, heading, footnote, counts=counts)
    if layout == "list":
        content.tables = make_tables(rng, region, days, style, counts)
    else:
        knobs = sample_content_knobs(rng)
        content.grid = make_grid(rng, region, n_days, style, knobs, counts)
    return content
