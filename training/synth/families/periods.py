"""What the secondary-school and college families share: a day of equal numbered periods with
whole-week breaks between them, and a week of cells filled period by period (a lesson may run
over two or three periods; a break is one merged cell down every day)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from training.synth import fonts
from training.synth.content import Event, GridCell, Slot
from training.synth.layout import RenderKnobs


@dataclass(frozen=True)
class Break:
    after: int  # how many periods come before it
    minutes: int
    name: str


def period_slots(start: int, n: int, length: int, breaks: list[Break],
                 number: Callable[[int], str]) -> list[Slot]:
    """Contiguous periods of `length` minutes from `start`, labelled `number(i)`, with the
    breaks between them. Headers are left empty for the family to write."""
    slots: list[Slot] = []
    t = start
    for i in range(n):
        for b in breaks:
            if b.after == i:
                slots.append(Slot(t, t + b.minutes, "", b.name))
                t += b.minutes
        slots.append(Slot(t, t + length, "", period=number(i)))
        t += length
    return slots


# (span in periods, start, end) -> the event in that cell, or None for an empty cell.
Filler = Callable[[int, int, int], Event | None]


def fill_week(slots: list[Slot], n_days: int, span: Callable[[int], int], event: Filler
              ) -> list[GridCell]:
    """Each day's lesson cells, left to right: `span(slot index)` periods wanted, cut short
    at a break."""
    cells: list[GridCell] = []
    for d in range(n_days):
        i = 0
        while i < len(slots):
            if slots[i].spanning is not None:
                i += 1
                continue
            k, want = 1, span(i)
            while k < want and i + k < len(slots) and slots[i + k].spanning is None:
                k += 1
            t0, t1 = slots[i].start, slots[i + k - 1].end
            ev = event(k, t0, t1)
            if ev is not None:
                cells.append(GridCell(d, d + 1, t0, t1, [ev]))
            i += k
    return cells


def break_cells(slots: list[Slot], n_days: int) -> list[GridCell]:
    """Each break as one merged cell down the whole week (one block per day in the label)."""
    return [GridCell(0, n_days, s.start, s.end, [Event(s.spanning, s.start, s.end)],
                     spanning=True)
            for s in slots if s.spanning is not None]


def office_font(rng: random.Random, names: tuple[str, ...]) -> fonts.FontFamily:
    """One of the office fonts exports use (Arial's and Times' metric twins, Calibri's…), from
    those installed; any sans family when none is."""
    found = [f for f in fonts.catalogue() if f.name in names]
    return rng.choice(found or fonts.by_style("sans"))


def with_font(knobs: RenderKnobs, font: fonts.FontFamily, **overrides: object) -> RenderKnobs:
    """The sampled render knobs with a family's fixed choices (body and heading font…)."""
    return replace(knobs, font=font.name, font_style=font.style, heading_font=font.name,
                   **overrides)  # type: ignore[arg-type]
