"""Grid and list geometry: where each slot, day and event cell sits on the page, which text goes
in it, and the drawing of the table (fills, rules, text) onto a Canvas."""

from __future__ import annotations

import bisect
import random
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

from PIL import ImageFont

from inference.schema import DAYS
from training.synth import fonts
from training.synth.canvas import Canvas, CellLabel, CellRole, Rgb, rect_quad
from training.synth.content import Content, Event, GridCell, ListTable
from training.synth.textfit import MIN_SIZE, Para, Style, draw_fitted, fit
from training.synth.watermark import Watermark

Rect = tuple[float, float, float, float]
# A second band of the time headers: "both_sides" on the far side of the days (right of days as
# columns, under days as rows), "middle" between the two middle days (before Thursday of five).
RepeatTimes = Literal["both_sides", "middle"]

PASTELS: tuple[Rgb, ...] = (
    (221, 235, 247), (198, 224, 180), (255, 242, 204), (252, 228, 214), (226, 239, 218),
    (237, 226, 246), (255, 230, 153), (244, 204, 204), (208, 224, 227), (217, 210, 233),
    (255, 255, 153), (204, 236, 255), (241, 194, 50), (182, 215, 168), (234, 209, 220),
)
GREYS: tuple[Rgb, ...] = ((166, 166, 166), (191, 191, 191), (217, 217, 217), (128, 128, 128))
INKS: tuple[Rgb, ...] = ((20, 20, 20), (0, 0, 0), (40, 40, 40))
COLOURED_INKS: tuple[Rgb, ...] = ((31, 56, 140), (150, 20, 30), (20, 100, 40), (90, 30, 120))
HIGHLIGHT: Rgb = (255, 255, 0)


@dataclass(frozen=True)
class RenderKnobs:
    width: int
    height: int
    font: str
    font_style: str
    heading_font: str
    base_size: int
    day_style: str
    rotate: int
    ruling: str
    rule_width: int
    fills: str
    header_fill: bool
    highlight_times: bool
    coloured_text: bool
    bold_names: bool
    bold_headers: bool
    break_words: bool
    align: str
    valign: str
    time_above_name: bool
    logo: str
    heading_box: bool
    slot_alpha: float
    paper: Rgb
    # aSc-style cells: the notes (teacher code, room) in the bottom corners under the name.
    notes_corners: bool = False
    # A faint word or crest behind the page (watermark.py); families sample it after the rest.
    watermark: Watermark | None = None
    # The time headers printed again (RepeatTimes); families sample it after their other knobs.
    repeat_times: RepeatTimes | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _page_size(rng: random.Random, content: Content) -> tuple[int, int]:
    width = rng.randrange(1600, 2401, 8)
    portrait = (content.layout == "days_cols" and rng.random() < 0.4) or (
        content.layout == "list" and len(content.tables) == 1)
    ratio = rng.uniform(1.2, 1.45) if portrait else 1 / rng.uniform(1.3, 1.6)
    return width, int(width * ratio)


def _pick_font(rng: random.Random) -> fonts.FontFamily:
    style = rng.choices(["sans", "serif", "condensed", "hand"], weights=[6, 1.5, 1, 1.5])[0]
    return rng.choice(fonts.by_style(style))  # type: ignore[arg-type]


def sample_render_knobs(rng: random.Random, content: Content) -> RenderKnobs:
    width, height = _page_size(rng, content)
    body = _pick_font(rng)
    heading = body if rng.random() < 0.5 else _pick_font(rng)
    return RenderKnobs(
        width=width, height=height, font=body.name, font_style=body.style,
        heading_font=heading.name, base_size=int(width * rng.uniform(0.011, 0.016)),
        day_style=rng.choice(["full"] * 5 + ["short", "shorter", "letter", "upper", "vertical",
                                             "rotated"]),
        rotate=90 if rng.random() < 0.8 else 270,
        ruling=rng.choices(["ruled", "partly", "unruled"], weights=[6, 2, 2])[0],
        rule_width=rng.choice([1, 2, 2, 3, 4]),
        fills=rng.choices(["none", "subjects", "spanning"], weights=[3.5, 4, 2.5])[0],
        header_fill=rng.random() < 0.4,
        highlight_times=rng.random() < 0.6,
        coloured_text=rng.random() < 0.15,
        bold_names=rng.random() < 0.3,
        bold_headers=rng.random() < 0.7,
        break_words=rng.random() < 0.35,
        align="center" if rng.random() < 0.8 else "left",
        valign="center" if rng.random() < 0.8 else "top",
        time_above_name=rng.random() < 0.75,
        logo=rng.choices(["none", "crest", "star", "apple"], weights=[5, 2.5, 1, 1.5])[0],
        heading_box=rng.random() < 0.4,
        slot_alpha=rng.uniform(0.35, 1.0),
        paper=(255, 255, 255) if rng.random() < 0.8 else rng.choice(
            [(252, 250, 242), (248, 248, 248), (255, 253, 245)]),
    )


def family(name: str) -> fonts.FontFamily:
    return next(f for f in fonts.catalogue() if f.name == name)


def text_style(knobs: RenderKnobs, size: int | None = None) -> Style:
    return Style(family=family(knobs.font), max_size=size or knobs.base_size,
                 break_words=knobs.break_words, align=knobs.align, valign=knobs.valign,
                 rotate=knobs.rotate)  # type: ignore[arg-type]


# --- shared drawing: a job is a cell to fill, rule and write ------------------------------------


@dataclass
class Job:
    rect: Rect
    cell: CellLabel
    paras: list[Para]
    fill: Rgb | None = None
    style: Style | None = None
    allow_rotate: bool = True
    prefer_rotate: bool = False
    corners: list[Para] = field(default_factory=list)  # bottom-left, bottom-right notes
    spread: bool = False  # the one para written one letter per equal band down the cell


def _draw_jobs(canvas: Canvas, jobs: list[Job], knobs: RenderKnobs, rules: list[Rect],
               rule_colour: Rgb) -> None:
    """Fills first, then rules, then text, so text is never hidden under a fill or a line."""
    for job in jobs:
        if job.fill is not None:
            canvas.draw.rectangle(job.rect, fill=job.fill)
    for r in rules:
        canvas.draw.rectangle(r, outline=rule_colour, width=knobs.rule_width)
    pad = knobs.rule_width + 4
    for job in jobs:
        index = canvas.add_cell(job.cell)
        if not job.paras:
            continue
        x0, y0, x1, y1 = job.rect
        inner = (x0 + pad, y0 + pad, x1 - pad, y1 - pad)
        style = job.style or text_style(knobs)
        if job.spread:
            _draw_spread(canvas, job.paras[0], inner, style, index)
            continue
        if job.corners:
            inner = _draw_corners(canvas, job.corners, inner, style, index)
        fitted = fit(job.paras, inner[2] - inner[0], inner[3] - inner[1], style,
                     job.allow_rotate, job.prefer_rotate)
        draw_fitted(canvas, fitted, inner, style, index)


def _text_len(font: ImageFont.FreeTypeFont, text: str) -> float:
    return fonts.text_width(str(font.path), font.size, text)


def _draw_spread(canvas: Canvas, para: Para, box: Rect, style: Style, cell: int) -> None:
    """One letter centred in each of len(text) equal bands down the box: a word typed one letter
    into each day's row of a merged column."""
    x0, y0, x1, y1 = box
    pitch = (y1 - y0) / len(para.text)
    size = round(style.max_size * para.scale)
    font = fonts.load(style.family.path(para.bold), size)
    while size > MIN_SIZE and sum(font.getmetrics()) > 0.85 * pitch:
        size -= 1
        font = fonts.load(style.family.path(para.bold), size)
    lh = sum(font.getmetrics())
    for k, ch in enumerate(para.text):
        x = (x0 + x1 - _text_len(font, ch)) / 2
        y = y0 + (k + 0.5) * pitch - lh / 2
        canvas.text(ch, x - 2, y - 2, font, para.color, 0, para.role, cell=cell,
                    blocks=list(para.blocks))


def _draw_corners(canvas: Canvas, paras: list[Para], box: Rect, style: Style, cell: int) -> Rect:
    """The first para at the box's bottom-left, the second at its bottom-right (aSc's teacher
    code and room); returns the box left above them for the rest of the cell's text."""
    x0, y0, x1, y1 = box
    size = max(MIN_SIZE, round(style.max_size * paras[0].scale))
    font = fonts.load(style.family.path(False), size)
    # Shrink until both fit side by side with a gap; a cell too narrow even then overflows.
    while size > MIN_SIZE and sum(_text_len(font, p.text) for p in paras) + size > x1 - x0:
        size -= 1
        font = fonts.load(style.family.path(False), size)
    top = y1 - sum(font.getmetrics())
    for para, left in zip(paras, (True, False), strict=False):
        x = x0 if left else x1 - _text_len(font, para.text)
        canvas.text(para.text, x - 2, top - 2, font, para.color, 0, para.role, cell=cell,
                    blocks=list(para.blocks))
    return (x0, y0, x1, top)


class Colours:
    """Per-document colour choices: a pastel per subject, coloured ink per subject."""

    def __init__(self, rng: random.Random, knobs: RenderKnobs):
        self.rng, self.knobs = rng, knobs
        self.fill_by_name: dict[str, Rgb] = {}
        self.ink_by_name: dict[str, Rgb] = {}
        self.spanning_fill = rng.choice(GREYS + PASTELS[:4])
        self.header_fill = rng.choice(PASTELS + GREYS[2:])
        self.ink = rng.choice(INKS)

    def fill(self, name: str, spanning: bool) -> Rgb | None:
        if spanning and self.knobs.fills != "none":
            return self.spanning_fill
        if self.knobs.fills != "subjects" or self.rng.random() < 0.25:
            return None
        return self.fill_by_name.setdefault(name, self.rng.choice(PASTELS))

    def text(self, name: str) -> Rgb:
        if not self.knobs.coloured_text:
            return self.ink
        return self.ink_by_name.setdefault(name, self.rng.choice(COLOURED_INKS + INKS))


# --- grids ----------------------------------------------------------------------------------------


_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SHORTER = ("Mon", "Tues", "Wed", "Thurs", "Fri", "Sat", "Sun")
_LETTER = ("M", "Tu", "W", "Th", "F", "Sa", "Su")


def day_label(day: int, style: str) -> str:
    return {"short": _SHORT[day], "shorter": _SHORTER[day], "letter": _LETTER[day],
            "caps": _SHORTER[day].upper(),
            "upper": DAYS[day].upper()[:3] if day % 2 == 0 else DAYS[day].upper()}.get(
        style, DAYS[day])


class TimeAxis:
    """Minutes -> pixels along the time axis; slot widths grow with duration (a power below 1:
    proportional-ish, as in real documents). Gaps between slots take no space."""

    def __init__(self, slots: list[tuple[int, int]], lo: float, hi: float, alpha: float):
        weights = [max(end - start, 10) ** alpha for start, end in slots]
        scale = (hi - lo) / sum(weights)
        self.starts = [s for s, _ in slots]
        self.slots = slots
        self.edges = [lo]
        for w in weights:
            self.edges.append(self.edges[-1] + w * scale)

    def px(self, t: int) -> float:
        i = max(0, bisect.bisect_right(self.starts, t) - 1)
        start, end = self.slots[i]
        frac = min(max((t - start) / (end - start), 0.0), 1.0)
        return self.edges[i] + frac * (self.edges[i + 1] - self.edges[i])

    def slot_range(self, t0: int, t1: int) -> tuple[int, int]:
        """Indices [first, last+1) of slots the extent overlaps."""
        idx = [i for i, (s, e) in enumerate(self.slots) if s < t1 and e > t0]
        return idx[0], idx[-1] + 1


@dataclass
class GridFrame:
    """Where the axes sit: time along x (days as rows) or along y (days as columns). Along the
    other, the day axis, the table is a run of bands, each one of its rows (days as rows) or
    columns (days as columns): the time headers, the days, and any repeated time headers."""

    days_rows: bool
    axis: TimeAxis
    days: list[tuple[float, float]]  # each day's near and far edge along the day axis
    times: list[tuple[float, float]]  # each band of time headers along the day axis, first first
    names: tuple[float, float]  # the band of day names (and corners) along the time axis

    def orient(self, day0: float, day1: float, time0: float, time1: float) -> Rect:
        return (time0, day0, time1, day1) if self.days_rows else (day0, time0, day1, time1)

    def place(self, band: int, slot: int) -> tuple[int, int]:
        """(row, col) of the table cell in band `band` along the day axis, `slot` along time."""
        return (band, slot) if self.days_rows else (slot, band)

    def band(self, near: float) -> int:
        """The table index along the day axis of the band that starts at `near`."""
        return sum(start < near for start, _ in self.days + self.times)

    def rect(self, d0: int, d1: int, t0: int, t1: int) -> Rect:
        return self.orient(self.days[d0][0], self.days[d1 - 1][1], self.axis.px(t0),
                           self.axis.px(t1))

    def grid_pos(self, d0: int, d1: int, t0: int, t1: int) -> tuple[int, int, int, int]:
        s0, s1 = self.axis.slot_range(t0, t1)
        row, col = self.place(self.band(self.days[d0][0]), s0 + 1)
        row_span, col_span = self.place(d1 - d0, s1 - s0)
        return row, col, row_span, col_span


def _repeat_gap(content: Content, repeat: RepeatTimes | None) -> int | None:
    """The day the repeated time band comes before (the number of days: after the last), or
    None for no repeat. "middle" takes the gap nearest the middle that no cell runs across, the
    later of two (Wednesday | Thursday of five); with none free, it goes on the far side."""
    assert content.grid is not None
    if repeat is None:
        return None
    n = len(content.days)
    free = [k for k in range(1, n) if not any(c.d0 < k < c.d1 for c in content.grid.cells)]
    if repeat == "both_sides" or not free:
        return n
    return min(free, key=lambda k: (abs(2 * k - n), -k))


def _day_axis(content: Content, knobs: RenderKnobs, lo: float, hi: float, band: float
              ) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(days, time bands) from `lo` to `hi` along the day axis: the time headers `band` thick,
    then equal days, with a repeated time band of the same thickness where the knob puts it."""
    gap = _repeat_gap(content, knobs.repeat_times)
    n = len(content.days)
    span = hi - lo - band * (1 if gap is None else 2)
    edges = [lo + band + i * span / n for i in range(n + 1)]
    times = [(lo, lo + band)]
    if gap is None:
        return [(edges[d], edges[d + 1]) for d in range(n)], times
    times.append((edges[gap], edges[gap] + band))
    shift = [band if d >= gap else 0.0 for d in range(n)]  # the days after it move over
    return [(edges[d] + shift[d], edges[d + 1] + shift[d]) for d in range(n)], times


def _frame(rng: random.Random, content: Content, knobs: RenderKnobs, table: Rect) -> GridFrame:
    assert content.grid is not None
    x0, y0, x1, y1 = table
    slots = [(s.start, s.end) for s in content.grid.slots]
    if content.layout == "days_rows":
        side_w = (x1 - x0) * rng.uniform(0.07, 0.12)
        head_h = (y1 - y0) * rng.uniform(0.1, 0.17)
        axis = TimeAxis(slots, x0 + side_w, x1, knobs.slot_alpha)
        days, times = _day_axis(content, knobs, y0, y1, head_h)
        return GridFrame(True, axis, days, times, (x0, x0 + side_w))
    side_w = (x1 - x0) * rng.uniform(0.1, 0.16)
    head_h = (y1 - y0) * rng.uniform(0.045, 0.08)
    axis = TimeAxis(slots, y0 + head_h, y1, knobs.slot_alpha)
    days, times = _day_axis(content, knobs, x0, x1, side_w)
    return GridFrame(False, axis, days, times, (y0, y0 + head_h))


def _event_paras(events: list[Event], colours: Colours, knobs: RenderKnobs,
                 index_of: dict[int, list[int]]) -> list[Para]:
    paras: list[Para] = []
    for ev in events:
        blocks = tuple(index_of[id(ev)])
        ink = colours.text(ev.name)
        name = [Para(ev.name, "event", 1.0, knobs.bold_names, ink, blocks=blocks)]
        notes = [Para(n, "notes", 0.7, False, ink, blocks=blocks) for n in ev.notes]
        time = ([Para(ev.printed, "time", 0.62, True, colours.ink,
                      HIGHLIGHT if knobs.highlight_times else None, blocks)]
                if ev.printed else [])
        paras += time + name + notes if knobs.time_above_name else name + notes + time
    return paras


def _header_jobs(content: Content, frame: GridFrame, knobs: RenderKnobs, colours: Colours
                 ) -> list[Job]:
    assert content.grid is not None
    fill = colours.header_fill if knobs.header_fill else None
    ink, bold = colours.ink, knobs.bold_headers
    jobs = []
    lo, hi = frame.names
    corner_text = (content.grid.corner or "").split("\n")
    time_style = replace(text_style(knobs), break_words=False)
    # Every band of time headers says the same; a repeated band's corner stays blank, as on
    # real pages, which print the corner's words ("Day / Time") once.
    for b, (near, far) in enumerate(frame.times):
        band = frame.band(near)
        corner = frame.orient(near, far, lo, hi)
        row, col = frame.place(band, 0)
        jobs.append(Job(corner, CellLabel(rect_quad(*corner), row, col, 1, 1, "corner"),
                        [Para(t, "other", 0.8, bold, ink) for t in corner_text if t and b == 0],
                        fill, allow_rotate=False))
        for i, slot in enumerate(content.grid.slots):
            rect = frame.orient(near, far, frame.axis.edges[i], frame.axis.edges[i + 1])
            row, col = frame.place(band, i + 1)
            # A header may stack its start over its end ("7:50\n8:35") under a period label.
            paras = [Para(t, "time", 1.0, bold, ink) for t in slot.header.split("\n") if t]
            if slot.period:
                numbered = any(ch.isdigit() for ch in slot.period)
                paras.insert(0, Para(slot.period, "index" if numbered else "other",
                                     1.4 if numbered else 0.7, bold, ink))
            jobs.append(Job(rect, CellLabel(rect_quad(*rect), row, col, 1, 1, "time"), paras,
                            fill, time_style))
    # Letter-by-letter day names need a tall day cell, which only days-as-rows has.
    letters = knobs.day_style == "vertical" and frame.days_rows
    for d, day in enumerate(content.days):
        near, far = frame.days[d]
        rect = frame.orient(near, far, lo, hi)
        row, col = frame.place(frame.band(near), 0)
        text = DAYS[day] if letters else day_label(day, knobs.day_style)
        jobs.append(Job(rect, CellLabel(rect_quad(*rect), row, col, 1, 1, "day"),
                        [Para(text, "day", 1.1, bold, ink, letters=letters)], fill,
                        allow_rotate=knobs.day_style == "rotated",
                        prefer_rotate=knobs.day_style == "rotated"))
    return jobs


def _event_jobs(content: Content, frame: GridFrame, knobs: RenderKnobs, colours: Colours,
                index_of: dict[int, list[int]]) -> list[Job]:
    assert content.grid is not None
    jobs = []
    for cell in content.grid.cells:
        rect = frame.rect(cell.d0, cell.d1, cell.t0, cell.t1)
        row, col, rs, cs = frame.grid_pos(cell.d0, cell.d1, cell.t0, cell.t1)
        blocks = [b for ev in cell.events for b in index_of[id(ev)]]
        label = CellLabel(rect_quad(*rect), row, col, rs, cs, "event", blocks)
        style = text_style(knobs, int(knobs.base_size * (1.25 if cell.spanning else 1.0)))
        narrow = (rect[2] - rect[0]) < 0.45 * (rect[3] - rect[1])
        if cell.letters:
            jobs.append(_letters_job(cell, rect, label, style, colours, knobs, index_of))
            continue
        # Paras before fill: both may draw from rng, and the order keeps `mixed` pages as they were.
        paras = _event_paras(cell.events, colours, knobs, index_of)
        fill = colours.fill(cell.events[0].name, cell.spanning)
        corners: list[Para] = []
        if knobs.notes_corners and len(cell.events) == 1 and 0 < len(cell.events[0].notes) <= 2:
            corners = [p for p in paras if p.role == "notes"]
            paras = [p for p in paras if p.role != "notes"]
        jobs.append(Job(rect, label, paras, fill, style, prefer_rotate=cell.spanning and narrow,
                        corners=corners))
    return jobs + _empty_jobs(content, frame)


def _letters_job(cell: GridCell, rect: Rect, label: CellLabel, style: Style, colours: Colours,
                 knobs: RenderKnobs, index_of: dict[int, list[int]]) -> Job:
    """A whole-week column whose name runs down it one letter per line: the letters are one
    word (the block of every day), never turned."""
    ev = cell.events[0]
    para = Para(ev.name, "event", 1.0, knobs.bold_names, colours.text(ev.name),
                blocks=tuple(index_of[id(ev)]), letters=True)
    return Job(rect, label, [para], colours.fill(ev.name, True), style, allow_rotate=False,
               spread=cell.letters == "spread")


def _empty_jobs(content: Content, frame: GridFrame) -> list[Job]:
    assert content.grid is not None
    cells: list[GridCell] = content.grid.cells
    jobs = []
    for d in range(len(content.days)):
        for slot in content.grid.slots:
            covered = any(c.d0 <= d < c.d1 and c.t0 < slot.end and c.t1 > slot.start
                          for c in cells)
            if not covered:
                rect = frame.rect(d, d + 1, slot.start, slot.end)
                row, col, rs, cs = frame.grid_pos(d, d + 1, slot.start, slot.end)
                jobs.append(Job(rect, CellLabel(rect_quad(*rect), row, col, rs, cs, "empty"), []))
    return jobs


def _grid_rules(jobs: list[Job], knobs: RenderKnobs, table: Rect) -> list[Rect]:
    if knobs.ruling == "ruled":
        return [j.rect for j in jobs]
    if knobs.ruling == "unruled":
        return []
    # Partly ruled: the frame and the header cells; the body is open.
    headers = [j.rect for j in jobs if j.cell.role in ("time", "day", "corner")]
    return [table, *headers]


def draw_grid(canvas: Canvas, rng: random.Random, content: Content, knobs: RenderKnobs,
              table: Rect, index_of: dict[int, list[int]]) -> None:
    frame = _frame(rng, content, knobs, table)
    colours = Colours(rng, knobs)
    jobs = _header_jobs(content, frame, knobs, colours)
    jobs += _event_jobs(content, frame, knobs, colours, index_of)
    _draw_jobs(canvas, jobs, knobs, _grid_rules(jobs, knobs, table), colours.ink)


# --- lists -----------------------------------------------------------------------------------


def _list_jobs(rng: random.Random, t_index: int, table: ListTable, rect: Rect,
               knobs: RenderKnobs, colours: Colours, index_of: dict[int, list[int]],
               with_index: bool, title: str | None) -> list[Job]:
    x0, y0, x1, y1 = rect
    title_h = knobs.base_size * (3.6 if title else 2.2)
    row_h = (y1 - y0 - title_h) / len(table.rows)
    fill = rng.choice(PASTELS) if knobs.fills != "none" else None
    bold = knobs.bold_headers
    head = [Para(title, "heading", 1.3, True, colours.ink)] if title else []
    head.append(Para(table.days_text, "day", 0.9 if title else 1.2, bold and not title,
                     colours.ink))
    ncols = 3 if with_index else 2
    jobs = [Job((x0, y0, x1, y0 + title_h),
                CellLabel(rect_quad(x0, y0, x1, y0 + title_h), 0, 0, 1, ncols, "heading",
                          table=t_index), head, fill, allow_rotate=False)]
    widths = ([0.1] if with_index else []) + [0.24, 0.66 if with_index else 0.76]
    edges = [x0]
    for w in widths:
        edges.append(edges[-1] + w * (x1 - x0))
    edges[-1] = x1
    time_style = replace(text_style(knobs), align="right", valign="top")
    for r, row in enumerate(table.rows):
        ry0, ry1 = y0 + title_h + r * row_h, y0 + title_h + (r + 1) * row_h
        blocks = index_of[id(row.event)]
        parts: list[tuple[CellRole, Para, Style | None]] = []
        if with_index:
            parts.append(("index", Para(str(r + 1), "index", 1.1, False, colours.ink), None))
        parts.append(("time", Para(row.time_text, "time", 0.7, False, colours.ink), time_style))
        parts.append(("event", Para(row.event.name, "event", 1.0, knobs.bold_names,
                                    colours.text(row.event.name), blocks=tuple(blocks)), None))
        for c, (role, para, style) in enumerate(parts):
            cr = (edges[c], ry0, edges[c + 1], ry1)
            cell = CellLabel(rect_quad(*cr), r + 1, c, 1, 1, role,
                             blocks if role == "event" else [], table=t_index)
            jobs.append(Job(cr, cell, [para], fill, style, allow_rotate=False))
    return jobs


def draw_lists(canvas: Canvas, rng: random.Random, content: Content, knobs: RenderKnobs,
               area: Rect, index_of: dict[int, list[int]]) -> None:
    x0, y0, x1, y1 = area
    n = len(content.tables)
    gap = (x1 - x0) * rng.choice([0.0, 0.01, 0.015])
    width = (x1 - x0 - gap * (n - 1)) / n
    colours = Colours(rng, knobs)
    with_index = rng.random() < 0.7
    title = rng.choice(["Daily Schedule—", "Daily Schedule", "Schedule", None, None])
    jobs: list[Job] = []
    for i, table in enumerate(content.tables):
        left = x0 + i * (width + gap)
        jobs += _list_jobs(rng, i, table, (left, y0, left + width, y1), knobs, colours,
                           index_of, with_index, title)
    rules = [] if knobs.ruling == "unruled" else [j.rect for j in jobs]
    _draw_jobs(canvas, jobs, knobs, rules, colours.ink)
