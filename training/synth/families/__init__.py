"""Layout families: which kind of page a document is generated as. A family turns the
document's seeded generator into its content and render knobs; `mixed` is the general sampler
(primary-school grids and lists in every style), the others each imitate one kind of real
layout the model has not been trained on, so that an experiment can generate, correct and
measure one kind at a time. `FAMILIES` maps the CLI name (`yogi data synth --family`) to it."""

from __future__ import annotations

import random
from collections.abc import Callable

from training.synth.compose import make_content
from training.synth.content import Content, LayoutKind
from training.synth.families import asc, letters_down, start_only
from training.synth.layout import RenderKnobs, sample_render_knobs

Family = Callable[[random.Random], tuple[Content, RenderKnobs]]

LAYOUT_WEIGHTS: dict[LayoutKind, float] = {"days_rows": 0.45, "days_cols": 0.3, "list": 0.25}


def mixed(rng: random.Random) -> tuple[Content, RenderKnobs]:
    """Today's mix: a layout by LAYOUT_WEIGHTS, then every content and render knob sampled.
    (The draws keep their order: the same seed gives the same pages as before families.)"""
    layout: LayoutKind = rng.choices(list(LAYOUT_WEIGHTS),
                                     weights=list(LAYOUT_WEIGHTS.values()))[0]
    content = make_content(rng, layout)
    return content, sample_render_knobs(rng, content)


FAMILIES: dict[str, Family] = {
    "mixed": mixed,
    "asc": asc.build,
    "start-only": start_only.build,
    "letters-down": letters_down.build,
}
