"""`start-only`: a grid whose time header gives only when each period starts ("8:30", "9:20",
…, no end), sometimes under a period number. No end is on the page, so every block's end is
null and its times are scored: the answer must give the printed start and no end, as the real
start-only page of the dev set (ra_4) is labelled. Breaks and lunch get the same treatment.
Otherwise the general grid sampler, with no times printed in the cells (they would state the
ends the family is about not having)."""

from __future__ import annotations

import random
from dataclasses import replace

from training.synth.content import Content, LayoutKind
from training.synth.grid_content import make_grid, sample_content_knobs
from training.synth.heading_content import make_heading
from training.synth.layout import RenderKnobs, sample_render_knobs
from training.synth.school_day import school_day
from training.synth.timefmt import sample_style
from training.synth.vocab import Region


def _contiguous(day: list[tuple[int, int, str | None]]) -> list[tuple[int, int, str | None]]:
    """Each slot ends where the next starts: what a start-only header says about the day. A
    slot that starts when the next one does (a US day's "Recess" and "Pack Up" both at 2:15)
    would last no time at all: a start-only header cannot show it, so it is left out."""
    day = [slot for i, slot in enumerate(day) if i + 1 == len(day) or day[i + 1][0] > slot[0]]
    return [(s, day[i + 1][0] if i + 1 < len(day) else e, name)
            for i, (s, e, name) in enumerate(day)]


def build(rng: random.Random) -> tuple[Content, RenderKnobs]:
    region: Region = "uk" if rng.random() < 0.6 else "us"
    layout: LayoutKind = "days_rows" if rng.random() < 0.65 else "days_cols"
    numbered = rng.random() < 0.4  # "Period 1" over "8:30", breaks unnumbered
    style = sample_style(rng)
    if numbered:  # a bare "1" (o'clock) under the period number "6" would be anyone's guess
        style = replace(style, hour_only=False)
    knobs = replace(sample_content_knobs(rng), header_single=True, p_print_time=0.0,
                    p_split=0.0)
    counts: dict[str, int] = {}
    grid = make_grid(rng, region, 5, style, knobs, counts,
                     day=_contiguous(school_day(rng, region)))
    if numbered:
        word = rng.choice(["", "Period ", "P"])
        lessons = [s for s in grid.slots if s.spanning is None]
        for i, slot in enumerate(lessons):
            slot.period = f"{word}{i + 1}"
    content = Content(region, layout, list(range(5)), style, make_heading(rng, region), None,
                      grid, counts=counts)
    return content, replace(sample_render_knobs(rng, content), highlight_times=False)
