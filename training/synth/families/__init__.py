"""Layout families: which kind of page a document is generated as. A family turns the
document's seeded generator into its content and render knobs; `mixed` is the general sampler
(primary-school grids and lists in every style), the others each imitate one kind of real
layout the model has not been trained on, so that an experiment can generate, correct and
measure one kind at a time. `FAMILIES` maps the CLI name (`yogi data synth --family`) to it.
Every family then draws its watermark knob (a faint word or crest behind the page) on its
`WATERMARK_SHARE` of pages; `mixed` keeps it off and draws nothing for it, so its pages stay
the ones it gave before the knob."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace

from training.synth.compose import make_content
from training.synth.content import Content, LayoutKind
from training.synth.families import asc, bells, letters_down, start_only
from training.synth.layout import RenderKnobs, sample_render_knobs
from training.synth.watermark import sample_watermark

Family = Callable[[random.Random], tuple[Content, RenderKnobs]]

LAYOUT_WEIGHTS: dict[LayoutKind, float] = {"days_rows": 0.45, "days_cols": 0.3, "list": 0.25}


def mixed(rng: random.Random) -> tuple[Content, RenderKnobs]:
    """Today's mix: a layout by LAYOUT_WEIGHTS, then every content and render knob sampled.
    (The draws keep their order: the same seed gives the same pages as before families.)"""
    layout: LayoutKind = rng.choices(list(LAYOUT_WEIGHTS),
                                     weights=list(LAYOUT_WEIGHTS.values()))[0]
    content = make_content(rng, layout)
    return content, sample_render_knobs(rng, content)


BUILDERS: dict[str, Family] = {
    "mixed": mixed,
    "asc": asc.build,
    "start-only": start_only.build,
    "letters-down": letters_down.build,
    "bells": bells.build,
}
WATERMARK_SHARE: dict[str, float] = {name: 0.0 if name == "mixed" else 0.25
                                     for name in BUILDERS}


def watermarked(build: Family, share: float) -> Family:
    """The family, then its watermark knob, drawn after all of the family's own draws, so a
    seed's content and render knobs do not move with the share."""
    def family(rng: random.Random) -> tuple[Content, RenderKnobs]:
        content, knobs = build(rng)
        return content, replace(knobs, watermark=sample_watermark(rng, content, share))
    return family


FAMILIES: dict[str, Family] = {name: watermarked(build, WATERMARK_SHARE[name])
                               for name, build in BUILDERS.items()}
