"""The school day: when lessons and the whole-school events (registration, breaks, lunch, end
of day) run, sampled per region on 5-minute marks."""

from __future__ import annotations

import random

from training.synth import vocab
from training.synth.vocab import Region


def pick5(rng: random.Random, lo: int, hi: int) -> int:
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


def school_day(rng: random.Random, region: Region) -> list[tuple[int, int, str | None]]:
    """(start, end, spanning name or None for lessons) for the whole day."""
    v = {"reg": vocab.REGISTRATION[region], "brk": vocab.BREAK[region],
         "lunch": vocab.LUNCH[region], "pm": vocab.AFTERNOON_BREAK[region],
         "end": vocab.END_OF_DAY[region]}
    early = region == "us"
    t = pick5(rng, 7 * 60 + 45, 8 * 60 + 40) if early else pick5(rng, 8 * 60 + 30, 8 * 60 + 55)
    day: list[tuple[int, int, str | None]] = []
    if rng.random() < 0.6:
        reg_end = t + rng.choice([10, 15, 15, 20])
        day.append((t, reg_end, rng.choice(v["reg"])))
        t = reg_end + rng.choice([0, 0, 5, 10])
    marks = [
        (pick5(rng, 10 * 60, 10 * 60 + 45), rng.choice([15, 15, 20]), rng.choice(v["brk"])),
        (pick5(rng, 11 * 60 + 30, 12 * 60 + 15), rng.choice([30, 45, 60, 60]),
         rng.choice(v["lunch"])),
    ]
    if rng.random() < 0.3:
        pm_break = pick5(rng, 14 * 60, 14 * 60 + 20)
        marks.append((pm_break, rng.choice([10, 15]), rng.choice(v["pm"])))
    day_end = pick5(rng, 14 * 60 + 30 if early else 15 * 60, 15 * 60 + 30)
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
