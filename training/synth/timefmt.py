"""Writing times the way teachers do: `8.45 – 8.55`, `9-9.30`, `1.15 – 2pm`, `10:30am`,
`12 – 1pm`, `8:35 – 8.50 am`, `13:15–14:00`, single start times. Every style is readable back to
the true time under the contract's school-hours rule (7–11 am, 12 noon, 1–6 pm), so the label
can always be the true time."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Literal

AmPm = Literal["none", "end", "both", "24h"]


@dataclass(frozen=True)
class TimeStyle:
    minute_sep: str  # ":" or "."
    hour_only: bool  # "9" rather than "9:00" on the hour
    ampm: AmPm
    am: str  # suffix forms, e.g. "am", " am", "AM", " a.m."
    pm: str
    range_sep: str  # "–", " – ", "-", " - ", " to "
    leading_zero: bool  # "09:00" (24 h only)
    mix_sep: float  # chance a single token uses the other minute separator (teachers do)

    def as_dict(self) -> dict:
        return asdict(self)


def sample_style(rng: random.Random) -> TimeStyle:
    ampm: AmPm = rng.choices(["none", "end", "both", "24h"], weights=[5, 3, 1.5, 1.5])[0]
    am, pm = rng.choice([("am", "pm"), (" am", " pm"), ("AM", "PM"), (" a.m.", " p.m."),
                         ("am", "pm")])
    return TimeStyle(
        minute_sep=rng.choice([":", ":", "."]),
        hour_only=rng.random() < 0.35 and ampm != "24h",
        ampm=ampm,
        am=am,
        pm=pm,
        range_sep=rng.choice(["–", " – ", "-", " - ", " - ", " to ", "–"]),
        leading_zero=ampm == "24h" and rng.random() < 0.6,
        mix_sep=rng.choice([0.0, 0.0, 0.15]),
    )


def _clock(minutes: int, style: TimeStyle, rng: random.Random) -> str:
    hour, minute = divmod(minutes, 60)
    sep = style.minute_sep
    if style.mix_sep and rng.random() < style.mix_sep:
        sep = "." if sep == ":" else ":"
    if style.ampm == "24h":
        head = f"{hour:02d}" if style.leading_zero else str(hour)
        return f"{head}{sep}{minute:02d}"
    hour12 = hour - 12 if hour > 12 else hour
    if minute == 0 and style.hour_only:
        return str(hour12)
    return f"{hour12}{sep}{minute:02d}"


def _suffix(minutes: int, style: TimeStyle) -> str:
    return style.pm if minutes >= 12 * 60 else style.am


def format_time(minutes: int, style: TimeStyle, rng: random.Random) -> str:
    """A single start time ("8:35", "10:30am")."""
    text = _clock(minutes, style, rng)
    if style.ampm in ("end", "both"):
        text += _suffix(minutes, style)
    return text


def format_range(start: int, end: int, style: TimeStyle, rng: random.Random) -> str:
    first, second = _clock(start, style, rng), _clock(end, style, rng)
    if style.ampm == "both":
        first += _suffix(start, style)
    if style.ampm in ("end", "both"):
        second += _suffix(end, style)
    return f"{first}{style.range_sep}{second}"
