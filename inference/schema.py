"""The TimetableData contract (see ../shared/CONTRACT.md) and the page-level types the
pipeline stages pass between them.

Contract types serialise with camelCase aliases because the upload pipeline and the front end
already speak them; Python code uses snake_case attributes.
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Day = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
Tier = Literal["classical", "document-model", "claude", "human"]

# A contract time: 24-hour HH:MM (the Claude tool's schema states the same pattern).
HHMM_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
_HHMM = re.compile(HHMM_PATTERN)


class ContractModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


class Box(BaseModel):
    """Axis-aligned box in page pixels (after preprocessing), x0 < x1, y0 < y1."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def union(self, other: Box) -> Box:
        return Box(
            x0=min(self.x0, other.x0),
            y0=min(self.y0, other.y0),
            x1=max(self.x1, other.x1),
            y1=max(self.y1, other.y1),
        )

    @classmethod
    def enclosing(cls, boxes: list[Box]) -> Box:
        """The smallest box holding every one of `boxes` (at least one)."""
        return cls(x0=min(b.x0 for b in boxes), y0=min(b.y0 for b in boxes),
                   x1=max(b.x1 for b in boxes), y1=max(b.y1 for b in boxes))

    def contains_point(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def x_overlap(self, other: Box) -> float:
        """How far the two boxes' horizontal extents overlap (negative: the gap between)."""
        return min(self.x1, other.x1) - max(self.x0, other.x0)

    def shares_column(self, other: Box) -> bool:
        """Whether the boxes overlap across more than half the narrower one's width: one
        stands over the other, as lines of one column do."""
        return self.x_overlap(other) > 0.5 * min(self.width, other.width)

    def y_overlap(self, other: Box) -> float:
        """How far the two boxes' vertical extents overlap (negative: the gap between)."""
        return min(self.y1, other.y1) - max(self.y0, other.y0)

    def overlap_area(self, other: Box) -> float:
        return max(0.0, self.x_overlap(other)) * max(0.0, self.y_overlap(other))


class TimeBlock(ContractModel):
    day: Day
    name: str
    start_time: str | None = None
    end_time: str | None = None
    notes: str | None = None
    # Labels only: False where the document merely implies the times (not scored).
    time_scored: bool = True
    # Pipeline output only: how sure the tier is of this block, and the cell it came from.
    confidence: float | None = None
    source_box: Box | None = None

    @field_validator("start_time", "end_time")
    @classmethod
    def _hhmm(cls, value: str | None) -> str | None:
        if value is not None and not _HHMM.match(value):
            raise ValueError(f"time must be 24-hour HH:MM, got {value!r}")
        return value


class TimetableData(ContractModel):
    teacher: str | None = None
    class_name: str | None = None
    term: str | None = None
    year: int | None = None
    timeblocks: list[TimeBlock] = Field(default_factory=list)
    confidence: float = 0.0
    tier: Tier = "classical"
    model_versions: dict[str, str] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)


# --- Page-level types flowing between pipeline stages -------------------------------------------


class OcrLine(BaseModel):
    """One line of text found on the page. `angle` is the reading direction in degrees
    (0 horizontal, 90 reads bottom-to-top, 270 reads top-to-bottom)."""

    text: str
    box: Box
    score: float = 1.0
    angle: int = 0


CellRole = Literal["day", "time", "event", "heading", "index", "empty"]


class Cell(BaseModel):
    """A table cell: its box, its grid position and span, and the OCR lines inside it.
    `from_text` cells were inferred from text alignment: their box is the text's, not the
    cell's, so their extent says where the event sits, not where it starts and ends."""

    box: Box
    row: int = 0
    col: int = 0
    row_span: int = 1
    col_span: int = 1
    lines: list[OcrLine] = Field(default_factory=list)
    from_text: bool = False
    # The filled box a text-derived cell's lines stand in alone (a visual timetable's card):
    # where the event reaches, which its text's box does not say ("Playtime" across the week).
    card: Box | None = None

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines).strip()


class CalendarFrame(BaseModel):
    """A calendar week view's frame (`inference/calendar.py`): the minute at each height of the
    page, a straight line through its hour labels, over the area of its day columns; where each
    day column begins, left to right; and how far under a box its end lies. Between its first
    and last label the minute is read from the labels themselves (`marks`), one straight piece
    between each two: a web page's rows grow with what they hold, an hour taller than the next."""

    minutes_per_pixel: float
    minutes_at_top: float  # the minute the line gives at y = 0
    area: Box
    columns: list[float] = Field(default_factory=list)
    # The gap (px) the app leaves under a box before the next begins: a box ends that far down.
    gap: float = 0.0
    # (height, minute) of each label on the line, top down.
    marks: list[tuple[float, float]] = Field(default_factory=list)

    def column(self, x: float) -> int:
        """The day column holding `x` (-1 left of the first)."""
        return sum(start <= x for start in self.columns) - 1

    def minutes(self, y: float) -> int:
        """The minute at height `y`, to the nearest five (events start and end on them)."""
        minute = self.minutes_at_top + self.minutes_per_pixel * y
        if len(self.marks) > 1 and self.marks[0][0] <= y <= self.marks[-1][0]:
            ys, minutes = zip(*self.marks, strict=True)
            minute = float(np.interp(y, ys, minutes))
        return int(5 * round(minute / 5))


class Table(BaseModel):
    """A table region with its cells. `ruled` is False when the cells were inferred from
    text alignment rather than drawn lines."""

    box: Box
    cells: list[Cell]
    ruled: bool = True
