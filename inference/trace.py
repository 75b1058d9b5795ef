"""`PageTrace`: everything the reading stages found on one page (the cleaned image, OCR lines,
tables, the rules' assembly, how the page was turned), the value the tiers read and the debug
drawings show."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from inference.assembly import Assembly
from inference.schema import CalendarFrame, OcrLine, Table


@dataclass
class PageTrace:
    image: np.ndarray
    lines: list[OcrLine]
    tables: list[Table]
    assembly: Assembly
    quarter_turns: int = 0
    # Original page coordinates → `image` coordinates (flattening, deskew, quarter turns).
    transform: np.ndarray = field(default_factory=lambda: np.eye(3))
    timings: dict[str, float] = field(default_factory=dict)
    # A calendar's time scale (`inference/calendar.py`), None on every other page.
    calendar: CalendarFrame | None = None
