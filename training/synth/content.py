"""What a timetable says, independent of how it is drawn: the school day's slots, the events in
each day, the heading fields. The label (TimetableData) is derived from this model alone, and the
renderer draws this model, so the two cannot disagree. The samplers that fill it are
`school_day.py`, `grid_content.py`, `list_content.py`, `heading_content.py` and `compose.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from inference.schema import DAYS, TimeBlock, TimetableData
from inference.timeparse import to_hhmm
from training.synth.timefmt import TimeStyle
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
    # The page gives this event no time at all (a LUNCH column under a blank header): the label
    # has null times, not scored. `start`/`end` still place it on the time axis.
    untimed: bool = False

    def notes_text(self) -> str | None:
        return " ".join(self.notes) or None


@dataclass
class Slot:
    start: int
    end: int
    header: str
    spanning: str | None = None  # name of a whole-week event (Break, Lunch) in this slot
    period: str | None = None  # a period label printed above the time ("1", "2.", "RECESS")


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
    # The name written one letter per line down the cell (B-R-E-A-K): "stack" centred, "spread"
    # one letter per day row.
    letters: Literal["stack", "spread"] | None = None


@dataclass
class Grid:
    slots: list[Slot]
    cells: list[GridCell]
    corner: str | None = None  # text of the top-left header cell ("DAY\nTIME"); lines split at \n


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
                start_time=None if ev.untimed else to_hhmm(ev.start),
                end_time=to_hhmm(ev.end) if ev.end is not None and not ev.untimed else None,
                notes=ev.notes_text(),
                time_scored=ev.time_scored and not ev.untimed,
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
