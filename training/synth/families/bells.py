"""`bells`: secondary-school weeks whose times are not one row of headers for every day; per
page the seeded generator picks one of two real layouts:

- per-day bells: some days run to another bell (a Monday or Friday whose longer assembly
  shifts every period after it, a Tuesday, Wednesday or Friday of shorter periods that finishes
  early). A grid has one time axis, so, as on real pages, a differing day's cells print their
  own times ("9:05-9:55") under headers that give the usual day's times, or every cell prints
  its time under headers that only number the periods. Each block's times are what the page says
  for its day (a time printed in the cell overrides the header).
- 20-minute columns: days down the left, one column per 20 minutes ("08:00", "08:20" …),
  lessons merged over 2-6 columns and the breaks merged down the week; a block starts and ends
  on the column edges it covers. Under start-only headers ("08:00" over each column) only the
  start is printed: its end is null, as on every start-only page (`drop_unprinted_ends`).

Issue 21's third layout, several time columns on one page, is a render knob over both: on
`REPEAT_SHARE` of pages the time headers are printed again, right of a days-as-columns grid or
between its Wednesday and Thursday (as on ra_1), or under a days-as-rows grid. It only repeats
headers, so the label is the page's without it. It is drawn after the family's other choices,
so a seed gives the content and labels it gave before the knob (its watermark and capture,
drawn later, may differ)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from training.synth import vocab
from training.synth.content import (
    Content,
    Event,
    Grid,
    GridCell,
    Heading,
    HeadingLine,
    HeadingRun,
    LayoutKind,
    Slot,
)
from training.synth.families.asc import EXPORT_FONTS, FULL_NAMES
from training.synth.families.periods import Break, fill_week, office_font, period_slots, with_font
from training.synth.grid_content import drop_unprinted_ends
from training.synth.layout import RenderKnobs, RepeatTimes, sample_render_knobs
from training.synth.school_day import pick5
from training.synth.timefmt import TimeStyle, format_range, format_time, sample_style

SUBJECTS = (*FULL_NAMES, "Maths", "English Literature", "Further Maths", "Citizenship", "PSHE",
            "Food Technology", "Computer Science", "German", "Games", "Art", "Science")
ROOMS = ("S1", "S4", "M2", "E12", "H3", "L5", "Lab 2", "Gym", "Hall", "IT1", "Rm 14", "D&T 1")
FORM = ("Form Time", "Registration", "Tutor Time", "Tutor", "Form Period")
ASSEMBLY = ("Assembly", "Whole School Assembly", "Year Assembly", "House Assembly", "Chapel")
BREAKS = ("Break", "Morning Break", "BREAK", "Recess")
LUNCHES = ("Lunch", "LUNCH", "Lunch Break", "Lunchtime")
CLASSES = ("Year 9 - 9B", "10C", "Year 11", "Year 8 Blue", "7H", "Grade 10", "S3 Red", "12 Sci")
TERMS = ("Autumn Term", "Spring Term", "Summer Term", "Term 1", "Term 2", "Semester 1")
SCHOOL_KINDS = ("High School", "Academy", "Secondary School", "College", "Grammar School")
STEP = 20  # the 20-minute grid's column
REPEAT_SHARE = 0.5  # pages whose time headers are printed twice


@dataclass(frozen=True)
class Week:
    """What a family page is: its grid and the hard cases it holds."""

    layout: LayoutKind
    grid: Grid
    counts: dict[str, int]


def _lesson(rng: random.Random, pool: list[str], t0: int, t1: int) -> Event:
    room = [rng.choice(ROOMS)] if rng.random() < 0.35 else []
    return Event(rng.choice(pool), t0, t1, notes=room)


# --- per-day bells --------------------------------------------------------------------------------


def _bells(slots: list[Slot], lessons: set[int], n_days: int, assembly: int | None,
           longer: int, short: int | None, cut: int) -> list[list[tuple[int, int]]]:
    """Each day's (start, end) of every slot: the usual bell, but on the assembly day the first
    slot runs `longer` minutes more and on the short day each lesson `cut` minutes less."""
    week = []
    for d in range(n_days):
        t, bell = slots[0].start, []
        for i, s in enumerate(slots):
            minutes = s.end - s.start + (longer if d == assembly and i == 0 else 0)
            minutes -= cut if d == short and i in lessons else 0
            bell.append((t, t + minutes))
            t += minutes
        week.append(bell)
    return week


def _retime(cells: list[GridCell], slots: list[Slot], week: list[list[tuple[int, int]]],
            printed_days: set[int], style: TimeStyle, rng: random.Random) -> None:
    """Give each cell's event its day's times (cells stay where the usual slot is drawn), and
    print them in the cell on the days whose headers do not say them."""
    first = {s.start: i for i, s in enumerate(slots)}
    last = {s.end: i for i, s in enumerate(slots)}
    for cell in cells:
        start, end = week[cell.d0][first[cell.t0]][0], week[cell.d0][last[cell.t1]][1]
        for ev in cell.events:
            ev.start, ev.end = start, end
            if cell.d0 in printed_days:
                ev.printed = format_range(start, end, style, rng)


def _per_day(rng: random.Random, n_days: int, style: TimeStyle, pool: list[str]) -> Week:
    form = rng.random() < 0.8
    start = pick5(rng, 8 * 60, 9 * 60)
    form_len = rng.choice([10, 15, 20]) if form else 0
    length = rng.choice([45, 50, 55, 60])
    snack, lunch, first = rng.choice([15, 20]), rng.choice([35, 40, 45, 60]), start + form_len
    # As many periods as end the usual day between three and a quarter to four.
    n = (pick5(rng, 15 * 60, 15 * 60 + 45) - first - snack - lunch) // length

    def after(clock: int, lo: int, extra: int) -> int:
        """The break after the period that ends closest to `clock`."""
        return min(range(lo, n), key=lambda p: abs(first + p * length + extra - clock))

    brk = min(after(10 * 60 + 40, 2, 0), n - 2)
    breaks = [Break(brk, snack, rng.choice(BREAKS)),
              Break(after(12 * 60 + 30, brk + 1, snack), lunch, rng.choice(LUNCHES))]
    word = rng.choice(["", "Period ", "P"])
    slots = period_slots(start + form_len, n, length, breaks, lambda i: f"{word}{i + 1}")
    if form:
        slots.insert(0, Slot(start, start + form_len, "", period=rng.choice(["Reg", "Form", ""])))
    lessons = {i for i, s in enumerate(slots) if s.spanning is None and not (form and i == 0)}
    # One or two days off the usual bell: an assembly day (Mon/Fri) and a short day.
    assembly = rng.choice([0, n_days - 1]) if form and rng.random() < 0.65 else None
    short = rng.choice([d for d in (2, n_days - 1, 1) if d != assembly])
    if assembly is not None and rng.random() < 0.4:
        short = None
    week = _bells(slots, lessons, n_days, assembly, rng.choice([10, 15, 20]), short,
                  rng.choice([5, 10, 15]))
    numbers_only = rng.random() < 0.35  # every cell prints its time; headers number periods
    for s in slots:
        s.header = "" if numbers_only else format_range(s.start, s.end, style, rng)
        if numbers_only and s.spanning is not None:
            s.period = s.spanning
    usual = [(s.start, s.end) for s in slots]
    differing = {d for d in range(n_days) if week[d] != usual}
    printed_days = set(range(n_days)) if numbers_only else differing
    p_double, p_empty = rng.uniform(0.1, 0.3), rng.choice([0.0, 0.05, 0.1])
    counts = {"per_day_bells": len(differing)}

    def span(i: int) -> int:
        return 2 if rng.random() < p_double else 1

    def event(k: int, t0: int, t1: int) -> Event | None:
        if rng.random() < p_empty:
            return None
        if k > 1:
            counts["merged_slots"] = counts.get("merged_slots", 0) + 1
        return _lesson(rng, pool, t0, t1)

    form_name, assembly_name = rng.choice(FORM), rng.choice(ASSEMBLY)  # one of each a page
    fixed = [GridCell(d, d + 1, s.start, s.end, [Event(
        s.spanning or (assembly_name if d == assembly else form_name), s.start, s.end)])
        for d in range(n_days) for i, s in enumerate(slots) if i not in lessons]
    cells = fixed + fill_week(slots[1:] if form else slots, n_days, span, event)
    _retime(cells, slots, week, printed_days, style, rng)
    counts["printed_time"] = sum(len(c.events) for c in cells if c.d0 in printed_days)
    corner = rng.choice(["", "Period", "Day", "Time"]) or None
    layout: LayoutKind = "days_rows" if rng.random() < 0.6 else "days_cols"
    return Week(layout, Grid(slots, cells, corner), counts)


# --- 20-minute columns ----------------------------------------------------------------------------


def _merged_breaks(slots: list[Slot], n_days: int) -> list[GridCell]:
    """Each run of break columns as one cell down the whole week (one block per day)."""
    cells: list[GridCell] = []
    for i, s in enumerate(slots):
        if s.spanning is None:
            continue
        if i and slots[i - 1].spanning == s.spanning:
            cells[-1].t1 = s.end
            cells[-1].events[0].end = s.end
        else:
            cells.append(GridCell(0, n_days, s.start, s.end, [Event(s.spanning, s.start, s.end)],
                                  spanning=True))
    return cells


def _twenty(rng: random.Random, n_days: int, style: TimeStyle, pool: list[str]) -> Week:
    start = rng.choice([7 * 60 + 40, 8 * 60, 8 * 60 + 20, 8 * 60 + 40])
    n = (pick5(rng, 15 * 60, 16 * 60) - start) // STEP  # to about the end of the school day
    slots = [Slot(start + STEP * i, start + STEP * (i + 1), "") for i in range(n)]

    def column(at: int) -> int:
        return min(range(2, n - 3), key=lambda i: abs(slots[i].start - at))

    brk, lunch = column(10 * 60 + 30), column(12 * 60 + 10)
    lunch_name = rng.choice(LUNCHES)
    for i in range(lunch, lunch + rng.choice([2, 3])):
        slots[i].spanning = lunch_name
    if lunch - brk >= 3:
        slots[brk].spanning = rng.choice(BREAKS)
    single = rng.random() < 0.7  # "08:00" over each column; else "8:00-8:20"
    for s in slots:
        s.header = (format_time(s.start, style, rng) if single
                    else format_range(s.start, s.end, style, rng))
    form = rng.random() < 0.5  # a one-column registration opens the day
    form_name = rng.choice(FORM)
    p_empty = rng.choice([0.0, 0.05, 0.12])
    counts: dict[str, int] = {"twenty_minute_columns": n}

    def span(i: int) -> int:
        return 1 if form and i == 0 else rng.choice([2, 2, 3, 3, 4, 5, 6])

    def event(k: int, t0: int, t1: int) -> Event | None:
        if k == 1:  # registration, or a lone column before a break: nothing on
            return Event(form_name, t0, t1) if form and t0 == start else None
        if rng.random() < p_empty:
            return None
        counts["merged_slots"] = counts.get("merged_slots", 0) + 1
        return _lesson(rng, pool, t0, t1)

    # Under start-only headers the last column stays empty, as when ends were read off the next
    # column (so a seed still draws the pages it drew).
    cells = _merged_breaks(slots, n_days) + fill_week(slots[:-1] if single else slots, n_days,
                                                      span, event)
    corner = rng.choice(["", "Day", "Time", "Day / Time"]) or None
    grid = Grid(slots, cells, corner)
    if single:
        drop_unprinted_ends(grid)
    return Week("days_rows", grid, counts)


# --- the page -------------------------------------------------------------------------------------


def _repeat_times(rng: random.Random, layout: LayoutKind) -> RepeatTimes | None:
    """A second band of time headers on REPEAT_SHARE of pages: right of the days or between
    them when days are columns; days as rows only ever repeat their times at the bottom."""
    if rng.random() >= REPEAT_SHARE:
        return None
    repeats: tuple[RepeatTimes, ...] = ("both_sides", "middle")
    return rng.choice(repeats) if layout == "days_cols" else "both_sides"


def _heading(rng: random.Random) -> Heading:
    if rng.random() < 0.25:
        return Heading([])
    cls, term, year = rng.choice(CLASSES), rng.choice(TERMS), rng.randint(2021, 2026)
    school = f"{rng.choice(vocab.PLACES)} {rng.choice(SCHOOL_KINDS)}"
    tutor = f"{rng.choice(vocab.TITLES)} {rng.choice(vocab.SURNAMES)}"
    R, L = HeadingRun, HeadingLine
    return Heading([L([R(school, ["school"])], "title"),
                    L([R(f"Class: {cls}", ["className"]), R(f"{term} {year}", ["term", "year"]),
                       R(f"Tutor: {tutor}", ["teacher"])])],
                   teacher=tutor, class_name=cls, term=term, year=year, school=school)


def build(rng: random.Random) -> tuple[Content, RenderKnobs]:
    style = sample_style(rng)
    n_days = 5
    pool = rng.sample(SUBJECTS, rng.randint(8, 12))
    twenty = rng.random() < 0.5
    week = (_twenty if twenty else _per_day)(rng, n_days, style, pool)
    content = Content("uk", week.layout, list(range(n_days)), style, _heading(rng), None,
                      week.grid, counts=week.counts)
    knobs = with_font(
        sample_render_knobs(rng, content), office_font(rng, EXPORT_FONTS), ruling="ruled",
        fills=rng.choice(["none", "spanning", "subjects"]), break_words=False,
        align="center", valign="center", slot_alpha=rng.uniform(0.3, 0.8),
        day_style=rng.choice(["full", "full", "short", "caps"]))
    return content, replace(knobs, repeat_times=_repeat_times(rng, week.layout))
