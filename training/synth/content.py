"""What a timetable says, independent of how it is drawn: the school day's slots, the events in
each day, the heading fields. The label (TimetableData) is derived from this model alone, and the
renderer draws this model, so the two cannot disagree."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

from inference.schema import DAYS, TimeBlock, TimetableData
from training.synth import vocab
from training.synth.timefmt import TimeStyle, format_range, format_time, hhmm, sample_style
from training.synth.vocab import Region

LayoutKind = Literal["days_rows", "days_cols", "list"]
Field = Literal["teacher", "className", "term", "year", "school"]


@dataclass
class Event:
    name: str
    start: int
    end: int | None
    time_scored: bool = True
    notes: list[str] = field(default_factory=list)
    printed: str | None = None  # a time written with the event itself (overrides the header)

    def notes_text(self) -> str | None:
        return " ".join(self.notes) or None


@dataclass
class Slot:
    start: int
    end: int
    header: str
    spanning: str | None = None  # name of a whole-week event (Break, Lunch) in this slot


@dataclass
class GridCell:
    """One drawn cell of a grid: a day range [d0, d1) by a time extent [t0, t1] on the axis,
    holding one or more events (several events can share a cell)."""

    d0: int
    d1: int
    t0: int
    t1: int
    events: list[Event]
    spanning: bool = False


@dataclass
class Grid:
    slots: list[Slot]
    cells: list[GridCell]


@dataclass
class ListRow:
    time_text: str
    event: Event


@dataclass
class ListTable:
    days: list[int]
    days_text: str
    rows: list[ListRow]


@dataclass
class HeadingRun:
    text: str
    fields: list[Field] = field(default_factory=list)


@dataclass
class HeadingLine:
    runs: list[HeadingRun]
    level: Literal["title", "sub"] = "sub"


@dataclass
class Heading:
    lines: list[HeadingLine]
    teacher: str | None = None
    class_name: str | None = None
    term: str | None = None
    year: int | None = None
    school: str | None = None


@dataclass
class Content:
    region: Region
    layout: LayoutKind
    days: list[int]  # indices into DAYS
    style: TimeStyle
    heading: Heading
    footnote: str | None
    grid: Grid | None = None
    tables: list[ListTable] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # what hard cases occurred

    def label(self) -> tuple[TimetableData, dict[int, list[int]]]:
        """The contract label, and for each event (by id) the indices of its blocks in it."""
        pairs = sorted(
            self.day_events(),
            key=lambda p: (p[0], p[1].start, p[1].name, p[1].end or 0),
        )
        blocks, index_of = [], {}
        for i, (day, ev) in enumerate(pairs):
            blocks.append(TimeBlock(
                day=DAYS[day],
                name=ev.name,
                start_time=hhmm(ev.start),
                end_time=hhmm(ev.end) if ev.end is not None else None,
                notes=ev.notes_text(),
                time_scored=ev.time_scored,
            ))
            index_of.setdefault(id(ev), []).append(i)
        h = self.heading
        data = TimetableData(
            teacher=h.teacher, class_name=h.class_name, term=h.term, year=h.year,
            timeblocks=blocks, confidence=1.0, tier="human",
        )
        return data, index_of

    def day_events(self) -> list[tuple[int, Event]]:
        """(day, event) for every block the page implies: a merged cell over several days
        yields one block per day."""
        if self.grid is not None:
            return [
                (self.days[d], ev)
                for cell in self.grid.cells
                for d in range(cell.d0, cell.d1)
                for ev in cell.events
            ]
        return [(day, row.event) for t in self.tables for day in t.days for row in t.rows]


# --- knobs of content --------------------------------------------------------------------------


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


# --- the school day ----------------------------------------------------------------------------


def _pick5(rng: random.Random, lo: int, hi: int) -> int:
    """A time in [lo, hi] on a 5-minute mark."""
    return 5 * rng.randint(-(-lo // 5), hi // 5)


def _lesson_slots(rng: random.Random, start: int, end: int) -> list[tuple[int, int]]:
    slots: list[tuple[int, int]] = []
    t = start
    while end - t >= 15:
        dur = rng.choice([15, 20, 25, 30, 30, 30, 45, 45, 50, 55, 60, 60, 75])
        if end - (t + dur) < 15:
            dur = end - t
        gap = 5 if rng.random() < 0.08 and end - (t + dur) >= 20 else 0
        slots.append((t, t + dur))
        t += dur + gap
    if slots and slots[-1][1] < end:  # leftover under 15 min joins the last lesson
        slots[-1] = (slots[-1][0], end)
    return slots


def _school_day(rng: random.Random, region: Region) -> list[tuple[int, int, str | None]]:
    """(start, end, spanning name or None for lessons) for the whole day."""
    v = {"reg": vocab.REGISTRATION[region], "brk": vocab.BREAK[region],
         "lunch": vocab.LUNCH[region], "pm": vocab.AFTERNOON_BREAK[region],
         "end": vocab.END_OF_DAY[region]}
    early = region == "us"
    t = _pick5(rng, 7 * 60 + 45, 8 * 60 + 40) if early else _pick5(rng, 8 * 60 + 30, 8 * 60 + 55)
    day: list[tuple[int, int, str | None]] = []
    if rng.random() < 0.6:
        reg_end = t + rng.choice([10, 15, 15, 20])
        day.append((t, reg_end, rng.choice(v["reg"])))
        t = reg_end + rng.choice([0, 0, 5, 10])
    marks = [
        (_pick5(rng, 10 * 60, 10 * 60 + 45), rng.choice([15, 15, 20]), rng.choice(v["brk"])),
        (_pick5(rng, 11 * 60 + 30, 12 * 60 + 15), rng.choice([30, 45, 60, 60]),
         rng.choice(v["lunch"])),
    ]
    if rng.random() < 0.3:
        pm_break = _pick5(rng, 14 * 60, 14 * 60 + 20)
        marks.append((pm_break, rng.choice([10, 15]), rng.choice(v["pm"])))
    day_end = _pick5(rng, 14 * 60 + 30 if early else 15 * 60, 15 * 60 + 30)
    for start, dur, name in marks:
        day += [(a, b, None) for a, b in _lesson_slots(rng, t, start)]
        day.append((start, start + dur, name))
        t = start + dur + rng.choice([0, 0, 0, 5])
    story = rng.random() < 0.5
    lessons_end = day_end - 15 if story else day_end
    day += [(a, b, None) for a, b in _lesson_slots(rng, t, lessons_end)]
    if story:
        day.append((lessons_end, day_end, rng.choice(v["end"])))
    return day


# --- grids ---------------------------------------------------------------------------------------


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
    cut = _pick5(rng, t0 + 10, t1 - 10)
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
                  t0: int, t1: int, slot_index: int, scored: bool,
                  counts: dict[str, int]) -> Event:
    ev = Event(name=namer.name(slot_index, t1 - t0), start=t0, end=t1, time_scored=scored,
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
                ev = _lesson_event(rng, namer, knobs, style, t0, t1, slot_index,
                                   not knobs.header_single, counts)
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
              knobs: ContentKnobs, counts: dict[str, int]) -> Grid:
    day = _school_day(rng, region)
    slots = []
    for start, end, name in day:
        header = (format_time(start, style, rng) if knobs.header_single
                  else format_range(start, end, style, rng))
        slots.append(Slot(start, end, header, name))
    if knobs.header_single:
        counts["single_start_header"] = 1
    namer = _Namer(rng, region, knobs)
    cells = _spanning_cells(rng, slots, n_days, knobs, counts)
    prev: dict[tuple[int, int], GridCell] = {}
    for d in range(n_days):
        new, prev = _day_cells(rng, d, slots, namer, knobs, style, prev, counts)
        cells += new
    return Grid(slots=slots, cells=cells)


# --- list layouts (`1 | 8:35 | Students are allowed inside`) ---------------------------------


_OPENERS = (("Students are allowed inside", "Late Bell Rings"), ("Doors open", "Registration"),
            ("Arrival", "Tardy Bell"), ("Children arrive", "Register"))
_CLOSERS = (("Pack Up", "School Dismissed"), ("Tidy up", "Home Time"),
            ("Pack Up", "Dismissal"), ("Jobs & Read Aloud", "School Dismissed"))


def _list_base(rng: random.Random, region: Region) -> list[tuple[int, int | None, str]]:
    """Rows as (start, end or None for a single start time, name)."""
    t = _pick5(rng, 7 * 60 + 45, 8 * 60 + 50)
    rows: list[tuple[int, int | None, str]] = []
    if rng.random() < 0.6:
        opener = rng.choice(_OPENERS)
        nxt = t + rng.choice([10, 15, 25])
        rows += [(t, None, opener[0]), (nxt, None, opener[1])]
        t = nxt
    pool = list(vocab.LESSONS[region])
    end = _pick5(rng, 14 * 60 + 30, 15 * 60 + 20)
    lunch_at = _pick5(rng, 11 * 60 + 30, 12 * 60 + 15)
    had_lunch = False
    while t < end - 15:
        if not had_lunch and t >= lunch_at:
            name, dur, had_lunch = rng.choice(vocab.LUNCH[region]), rng.choice([30, 35, 45]), True
        else:
            name, dur = rng.choice(pool), rng.choice([5, 10, 15, 15, 20, 20, 25, 30, 35, 45, 60])
        dur = min(dur, end - t)
        rows.append((t, t + dur, name))
        t += dur + (5 if rng.random() < 0.1 else 0)
    closer = rng.choice(_CLOSERS)
    if rng.random() < 0.6:
        rows += [(t, None, closer[0]), (t + rng.choice([5, 10]), None, closer[1])]
    return rows


def _day_groups(rng: random.Random, days: list[int]) -> list[list[int]]:
    shape = rng.choice(["one", "split", "split", "each3"])
    if shape == "one":
        return [days]
    if shape == "each3" and len(days) >= 3:
        picks = sorted(rng.sample(days, 2))
        rest = [d for d in days if d not in picks]
        return [rest, [picks[0]], [picks[1]]]
    odd = rng.choice(days)
    return [[d for d in days if d != odd], [odd]]


_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SHORTER = ("Mon", "Tues", "Wed", "Thurs", "Fri", "Sat", "Sun")


def days_text(rng: random.Random, group: list[int]) -> str:
    names = rng.choice([DAYS, _SHORT, _SHORTER])
    contiguous = group == list(range(group[0], group[-1] + 1))
    if len(group) >= 3 and contiguous and rng.random() < 0.7:
        return f"{names[group[0]]}{rng.choice(['–', ' – ', ' - ', ' to '])}{names[group[-1]]}"
    if len(group) == 2 and rng.random() < 0.5:
        return f"{names[group[0]]} & {names[group[1]]}"
    return ", ".join(names[d] for d in group)


def _vary_rows(rng: random.Random, rows: list[tuple[int, int | None, str]], region: Region
               ) -> list[tuple[int, int | None, str]]:
    """Another day group's version of the base day: a few lessons swapped, maybe an early
    dismissal."""
    out = list(rows)
    lessons = [i for i, r in enumerate(out) if r[1] is not None]
    for i in rng.sample(lessons, min(len(lessons), rng.randint(1, 4))):
        s, e, _ = out[i]
        out[i] = (s, e, rng.choice(vocab.LESSONS[region]))
    if rng.random() < 0.3 and len(out) > 8:
        cut = rng.randint(len(out) - 5, len(out) - 2)
        last_end = out[cut - 1][1] or out[cut - 1][0] + 5
        out = out[:cut] + [(last_end + 5, None, rng.choice(_CLOSERS)[1])]
    return out


def _list_rows(rng: random.Random, rows: list[tuple[int, int | None, str]], style: TimeStyle,
               starts_only: bool, counts: dict[str, int]) -> list[ListRow]:
    out: list[ListRow] = []
    for i, (start, end, name) in enumerate(rows):
        if starts_only:
            end = None
        nxt = rows[i + 1][0] if i + 1 < len(rows) else None
        if end is None:
            # A single start time: the end is only implied by the next row (if it is later).
            implied = nxt if nxt is not None and nxt > start else None
            ev = Event(name, start, implied, time_scored=False)
            text = format_time(start, style, rng)
            counts["single_start"] = counts.get("single_start", 0) + 1
        else:
            ev = Event(name, start, end)
            text = format_range(start, end, style, rng)
        out.append(ListRow(text, ev))
    return out


def make_tables(rng: random.Random, region: Region, days: list[int], style: TimeStyle,
                counts: dict[str, int]) -> list[ListTable]:
    base = _list_base(rng, region)
    starts_only = rng.random() < 0.15
    tables = []
    for gi, group in enumerate(_day_groups(rng, days)):
        rows = base if gi == 0 else _vary_rows(rng, base, region)
        tables.append(ListTable(group, days_text(rng, group),
                                _list_rows(rng, rows, style, starts_only, counts)))
    return tables


# --- heading -------------------------------------------------------------------------------------


def _person(rng: random.Random) -> str:
    return f"{rng.choice(vocab.TITLES)} {rng.choice(vocab.SURNAMES)}"


def make_heading(rng: random.Random, region: Region) -> Heading:
    teacher, year = _person(rng), rng.randint(2021, 2026)
    term = rng.choice(vocab.TERMS[region])
    school = f"{rng.choice(vocab.PLACES)} {rng.choice(vocab.SCHOOL_KINDS[region])}"
    code, cname = rng.choice(vocab.CLASS_CODES), rng.choice(vocab.CLASS_NAMES)
    group = rng.choice(vocab.YEAR_GROUPS[region])
    kind = rng.choice(["formal", "formal", "possessive", "named_class", "year_term", "title_only",
                       "none", "week"])
    R, L = HeadingRun, HeadingLine
    if kind == "formal":  # like ly_1_1
        lines = [L([R(school, ["school"])], "title"),
                 L([R(f"Class: {code}", ["className"]), R(f"Term: {term} {year}", ["term", "year"]),
                    R(f"Teacher: {teacher}", ["teacher"])])]
        return Heading(lines, teacher, code, term, year, school)
    if kind == "possessive":
        text = f"{teacher}'s {group} timetable {rng.choice(['—', '-', '–'])} {term}, {year}"
        return Heading([L([R(text, ["teacher", "className", "term", "year"])], "title")],
                       teacher, group, term, year)
    if kind == "named_class":
        # Academic years are written "2023-24"; the label takes the first calendar year.
        text = f"{cname} Class Timetable {year}-{(year + 1) % 100:02d}"
        return Heading([L([R(text, ["className", "year"])], "title")],
                       class_name=f"{cname} Class", year=year)
    if kind == "year_term":
        lines = [L([R(f"{group} {rng.choice(['–', '-'])} {term} Term {year}",
                      ["className", "term", "year"])], "title"),
                 L([R(f"Teacher: {teacher}", ["teacher"]), R(f"TA: {_person(rng)}")])]
        return Heading(lines, teacher, group, term, year)
    if kind == "title_only":
        return Heading([L([R(rng.choice(vocab.TABLE_TITLES).rstrip("—"))], "title")])
    if kind == "week":
        lines = [L([R(rng.choice(["Weekly Timetable", "Our Timetable", "Class Timetable"]))],
                   "title"),
                 L([R(f"Week {rng.randint(1, 14)}"), R(f"Teacher: {teacher}", ["teacher"])])]
        return Heading(lines, teacher=teacher)
    return Heading([])


# --- the whole document --------------------------------------------------------------------------


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
