"""List content (`1 | 8:35 | Students are allowed inside`): a base day of rows with start
times, one table per group of days, each later group a variant of the base day."""

from __future__ import annotations

import random

from inference.schema import DAYS
from training.synth import vocab
from training.synth.content import Event, ListRow, ListTable
from training.synth.school_day import pick5
from training.synth.timefmt import TimeStyle, format_range, format_time
from training.synth.vocab import Region

_OPENERS = (("Students are allowed inside", "Late Bell Rings"), ("Doors open", "Registration"),
            ("Arrival", "Tardy Bell"), ("Children arrive", "Register"))
_CLOSERS = (("Pack Up", "School Dismissed"), ("Tidy up", "Home Time"),
            ("Pack Up", "Dismissal"), ("Jobs & Read Aloud", "School Dismissed"))


def _list_base(rng: random.Random, region: Region) -> list[tuple[int, int | None, str]]:
    """Rows as (start, end or None for a single start time, name)."""
    t = pick5(rng, 7 * 60 + 45, 8 * 60 + 50)
    rows: list[tuple[int, int | None, str]] = []
    if rng.random() < 0.6:
        opener = rng.choice(_OPENERS)
        nxt = t + rng.choice([10, 15, 25])
        rows += [(t, None, opener[0]), (nxt, None, opener[1])]
        t = nxt
    pool = list(vocab.LESSONS[region])
    end = pick5(rng, 14 * 60 + 30, 15 * 60 + 20)
    lunch_at = pick5(rng, 11 * 60 + 30, 12 * 60 + 15)
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
