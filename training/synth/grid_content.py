"""Grid content: the knobs of a grid document's hard cases, and the cells of a days × slots
grid (merged slots, cells split between two events, events over several days, whole-week
events across every day, times printed in the cell)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from training.synth import vocab
from training.synth.content import Event, Grid, GridCell, Slot
from training.synth.school_day import pick5, school_day
from training.synth.timefmt import TimeStyle, format_range, format_time
from training.synth.vocab import Region


@dataclass(frozen=True)
class ContentKnobs:
    p_merge_slots: float
    p_split: float
    p_print_time: float
    p_override: float
    p_notes: float
    p_empty: float
    p_vmerge: float
    p_spanning_merged: float
    header_single: bool
    daily_share: float


def sample_content_knobs(rng: random.Random) -> ContentKnobs:
    return ContentKnobs(
        p_merge_slots=rng.uniform(0.1, 0.4),
        p_split=rng.choice([0.0, 0.05, 0.12, 0.2]),
        p_print_time=rng.choice([0.0, 0.0, 0.2, 0.5, 0.8]),
        p_override=rng.uniform(0.0, 0.4),
        p_notes=rng.choice([0.0, 0.05, 0.15, 0.3]),
        p_empty=rng.choice([0.0, 0.02, 0.06]),
        p_vmerge=rng.choice([0.0, 0.1, 0.25]),
        p_spanning_merged=rng.choice([0.5, 0.9, 1.0]),
        header_single=rng.random() < 0.08,
        daily_share=rng.uniform(0.1, 0.5),
    )


class _Namer:
    """Names lessons: a per-document subject pool, some subjects daily in the same slot."""

    def __init__(self, rng: random.Random, region: Region, knobs: ContentKnobs):
        self.rng = rng
        pool = list(vocab.LESSONS[region])
        rng.shuffle(pool)
        self.pool = pool[: rng.randint(9, 16)]
        self.daily: dict[int, str] = {}
        self.knobs = knobs

    def name(self, slot_index: int | None, duration: int) -> str:
        """`slot_index` None: not a slot-filling lesson (a sub-cell), so never a daily one."""
        if (slot_index is not None and slot_index not in self.daily
                and self.rng.random() < self.knobs.daily_share):
            self.daily[slot_index] = self.rng.choice(self.pool)
        if slot_index in self.daily and self.rng.random() < 0.8:
            return self.daily[slot_index]
        if duration <= 20 and self.rng.random() < 0.25:
            return self.rng.choice(vocab.ASSEMBLY)
        return self.rng.choice(self.pool)

    def notes(self) -> list[str]:
        if self.rng.random() >= self.knobs.p_notes:
            return []
        return [self.rng.choice(vocab.NOTES)]


def _split_cell(rng: random.Random, namer: _Namer, style: TimeStyle, d: int, t0: int, t1: int,
                counts: dict[str, int]) -> list[GridCell]:
    """A slot range split between two events (`Maths Meeting | 1:30 – 2:30 Science`). Times
    printed in a sub-cell are scored; unprinted ones are only implied by the geometry."""
    cut = pick5(rng, t0 + 10, t1 - 10)
    shared = rng.random() < 0.3
    events = []
    for a, b in ((t0, cut), (cut, t1)):
        printed = format_range(a, b, style, rng) if rng.random() < 0.6 else None
        events.append(Event(name=namer.name(None, b - a), start=a, end=b,
                            time_scored=printed is not None, printed=printed,
                            notes=namer.notes()))
    counts["split"] = counts.get("split", 0) + 1
    counts["implied_times"] = counts.get("implied_times", 0) + sum(
        not e.time_scored for e in events)
    if shared:
        counts["shared_cell"] = counts.get("shared_cell", 0) + 1
        return [GridCell(d, d + 1, t0, t1, events)]
    return [GridCell(d, d + 1, e.start, e.end or t1, [e]) for e in events]


def _lesson_event(rng: random.Random, namer: _Namer, knobs: ContentKnobs, style: TimeStyle,
                  t0: int, t1: int, slot_index: int, counts: dict[str, int]) -> Event:
    ev = Event(name=namer.name(slot_index, t1 - t0), start=t0, end=t1,
               notes=namer.notes())
    if rng.random() < knobs.p_print_time:
        start, end = t0, t1
        if rng.random() < knobs.p_override and t1 - t0 >= 30:
            # The cell says when the lesson really runs; the header is only the slot. Real
            # pages move either end, either way ("10:35-11:35" printed under an 11:00-11:55
            # header), not only stop a little early.
            start = t0 + rng.choice([0, 0, 0, 5, 10, 15, 25, -10, -25])
            end = t1 - rng.choice([5, 10, 15, 0, -5, -20])
            if end - start < 15:
                start = t0
            counts["time_override"] = counts.get("time_override", 0) + 1
        ev.start, ev.end, ev.time_scored = start, end, True
        ev.printed = format_range(start, end, style, rng)
        counts["printed_time"] = counts.get("printed_time", 0) + 1
    return ev


def _lesson_runs(slots: list[Slot]) -> list[list[int]]:
    runs: list[list[int]] = [[]]
    for i, s in enumerate(slots):
        if s.spanning is None:
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def _day_cells(rng: random.Random, d: int, slots: list[Slot], namer: _Namer,
               knobs: ContentKnobs, style: TimeStyle, prev: dict[tuple[int, int], GridCell],
               counts: dict[str, int]) -> tuple[list[GridCell], dict[tuple[int, int], GridCell]]:
    """New cells of one day's lessons, and the day's cells by time extent. `prev` (the day
    before, by time extent) lets an event run over several days in one merged cell."""
    new: list[GridCell] = []
    mine: dict[tuple[int, int], GridCell] = {}
    for run in _lesson_runs(slots):
        i = 0
        while i < len(run):
            k = 1
            while k < min(3, len(run) - i) and rng.random() < knobs.p_merge_slots:
                k += 1
            slot_index = run[i]
            t0, t1, i = slots[slot_index].start, slots[run[i + k - 1]].end, i + k
            if k > 1:
                counts["merged_slots"] = counts.get("merged_slots", 0) + 1
            above = prev.get((t0, t1))
            if above and rng.random() < knobs.p_vmerge:
                above.d1 = d + 1
                mine[(t0, t1)] = above
                counts["multi_day"] = counts.get("multi_day", 0) + 1
            elif rng.random() < knobs.p_empty:
                counts["empty"] = counts.get("empty", 0) + 1
            elif t1 - t0 >= 30 and rng.random() < knobs.p_split:
                new += _split_cell(rng, namer, style, d, t0, t1, counts)
            else:
                ev = _lesson_event(rng, namer, knobs, style, t0, t1, slot_index, counts)
                mine[(t0, t1)] = GridCell(d, d + 1, t0, t1, [ev])
                new.append(mine[(t0, t1)])
    return new, mine


def _spanning_cells(rng: random.Random, slots: list[Slot], n_days: int, knobs: ContentKnobs,
                    counts: dict[str, int]) -> list[GridCell]:
    cells: list[GridCell] = []
    for s in slots:
        if s.spanning is None:
            continue
        if rng.random() < knobs.p_spanning_merged:
            events = [Event(s.spanning, s.start, s.end)]
            cells.append(GridCell(0, n_days, s.start, s.end, events, spanning=True))
            counts["spanning"] = counts.get("spanning", 0) + 1
        else:
            cells += [GridCell(d, d + 1, s.start, s.end, [Event(s.spanning, s.start, s.end)])
                      for d in range(n_days)]
    return cells


def make_grid(rng: random.Random, region: Region, n_days: int, style: TimeStyle,
              knobs: ContentKnobs, counts: dict[str, int],
              day: list[tuple[int, int, str | None]] | None = None) -> Grid:
    """A grid over `day` (start, end, spanning name) slots, by default a sampled school day."""
    day = school_day(rng, region) if day is None else day
    slots = []
    for start, end, name in day:
        header = (format_time(start, style, rng) if knobs.header_single
                  else format_range(start, end, style, rng))
        slots.append(Slot(start, end, header, name))
    namer = _Namer(rng, region, knobs)
    cells = _spanning_cells(rng, slots, n_days, knobs, counts)
    prev: dict[tuple[int, int], GridCell] = {}
    for d in range(n_days):
        new, prev = _day_cells(rng, d, slots, namer, knobs, style, prev, counts)
        cells += new
    grid = Grid(slots=slots, cells=cells)
    if knobs.header_single:
        counts["single_start_header"] = 1
        drop_unprinted_ends(grid)
    return grid


def drop_unprinted_ends(grid: Grid) -> None:
    """Under headers that print only when each slot starts, the page says no end: an event
    that starts on a slot and prints no time of its own keeps its start and has no end, both
    scored (the answer must give the start and null), as the dev set's start-only page (ra_4)
    is labelled. The next slot's start is not this one's end: a passing time, a break or a
    merged cell may sit between them, and the labeller does not guess. An event that starts
    inside a slot (a split cell's second half) prints no start either and stays unscored."""
    starts = {s.start for s in grid.slots}
    for cell in grid.cells:
        for ev in cell.events:
            if ev.printed is None and ev.start in starts:
                ev.end, ev.time_scored = None, True
