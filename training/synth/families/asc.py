"""`asc`: a class's week as exported by aSc Timetables (like rb_1). Columns are numbered
periods ("0", "1.", "2." …) with their times under the number ("8:45-9:45", or the start over
the end); days run down the left. Each cell gives a subject code ("MATH EXT3") with its teacher
code and room ("SE", "MR1") on lines of their own or in the cell's bottom corners: the subject
is the block's name, teacher and room its notes ("SE MR1", as the gold labels write them).
Breaks are one merged cell down the week ("SNACK BREAK", turned in a narrow column); doubles
span two periods; secondary timetables leave many cells empty."""

from __future__ import annotations

import random
import string

from training.synth import vocab
from training.synth.content import Content, Event, Grid, Heading, HeadingLine, HeadingRun, Slot
from training.synth.families.periods import (
    Break,
    break_cells,
    fill_week,
    office_font,
    period_slots,
    with_font,
)
from training.synth.layout import RenderKnobs, sample_render_knobs
from training.synth.school_day import pick5
from training.synth.timefmt import TimeStyle, format_range, format_time, sample_style

CODES = ("MATH", "ENG", "PHY", "CHEM", "BIO", "HIST", "GEO", "FRE", "SPA", "GER", "MUS", "VA",
         "DT", "PE", "ICT", "ECON", "BUS", "PSY", "DRAMA", "RE", "CS", "TOK", "LIT", "SCI",
         "ENG L/LIT", "MATH AA", "SOC", "HEALTH")
LEVELS = ("", "", "", " SL", " HL", " EXT", " STD")
FULL_NAMES = ("Mathematics", "English", "Physics", "Chemistry", "Biology", "History",
              "Geography", "French", "Spanish", "Music", "Visual Arts", "Drama", "Computing",
              "PE", "Religious Studies", "Economics", "Business Studies", "Design Technology",
              "Psychology", "Sociology", "Latin", "Media Studies")
ROOM_PREFIXES = ("MR", "HR", "ER", "SC", "L", "R", "B", "S", "LAB ", "ICT")
ROOM_NAMES = ("GYM", "HALL", "AR", "CL", "PL", "MUS R", "LIB", "DRAMA", "FIELD")
WHOLE_SCHOOL = ("ASSEMBLY", "CLUBS", "GUIDANCE AND COUNSELLING", "PASTORAL", "STUDY",
                "SPORTS", "CHAPEL")
REGISTRATION = ("FORM MEETING REGISTRATION", "REGISTRATION", "FORM TIME", "TUTOR TIME",
                "HOMEROOM")
BREAKS = ("RECESS", "SNACK BREAK", "BREAK", "MORNING BREAK")
LUNCHES = ("LUNCH BREAK", "LUNCH", "LUNCH RECESS")
CLASSES = ("IB MYP4", "IB DP1", "MYP5", "Year 10", "10B", "11C", "Grade 9A", "12 SCI",
           "S4 Blue", "Year 8 - 8R")
SCHOOL_KINDS = ("International College", "High School", "Academy", "Secondary School",
                "International School")
EXPORT_FONTS = ("LiberationSans", "NimbusSans", "FreeSans", "Carlito", "DejaVuSans", "Roboto",
                "OpenSans", "Lato", "Inter")


def _subjects(rng: random.Random, upper: bool) -> list[tuple[str, list[str]]]:
    """The class's subjects, each always with the same teacher code and room."""
    if upper:
        names = {f"{rng.choice(CODES)}{rng.choice(LEVELS)}{rng.randint(1, 4)}"
                 for _ in range(rng.randint(8, 12))}
    else:
        names = set(rng.sample(FULL_NAMES, rng.randint(8, 12)))
    pool = []
    for name in sorted(names):  # sorted: a set's order is not reproducible across runs
        teacher = "".join(rng.choices(string.ascii_uppercase, k=rng.choice([2, 2, 3, 4])))
        room = (f"{rng.choice(ROOM_PREFIXES)}{rng.randint(1, 12)}" if rng.random() < 0.7
                else rng.choice(ROOM_NAMES))
        pool.append((name, [teacher, room] if rng.random() < 0.9 else [teacher]))
    return pool


def _headers(rng: random.Random, slots: list[Slot], style: TimeStyle) -> None:
    stacked = rng.random() < 0.5  # rb_1 writes "7:50" over "8:35"
    named_breaks = rng.random() < 0.6  # the break's name up in the number row
    for s in slots:
        s.header = (f"{format_time(s.start, style, rng)}\n{format_time(s.end, style, rng)}"
                    if stacked else format_range(s.start, s.end, style, rng))
        if s.spanning is not None and named_breaks:
            s.period = s.spanning


def _heading(rng: random.Random) -> Heading:
    if rng.random() < 0.3:
        return Heading([])
    cls = rng.choice(CLASSES)
    school = f"{rng.choice(vocab.PLACES)} {rng.choice(SCHOOL_KINDS)}".upper()
    lines = [HeadingLine([HeadingRun(cls, ["className"])], "title"),
             HeadingLine([HeadingRun(school, ["school"])])]
    return Heading(lines, class_name=cls, school=school)


def build(rng: random.Random) -> tuple[Content, RenderKnobs]:
    upper = rng.random() < 0.75  # most exports use the short upper-case codes
    case = str.upper if upper else str.title
    style = sample_style(rng)
    style = TimeStyle(":", False, "24h" if rng.random() < 0.6 else "none", style.am, style.pm,
                      rng.choice(["-", " - ", "–"]), False, 0.0)
    start, length = pick5(rng, 7 * 60 + 30, 8 * 60 + 50), rng.choice([40, 45, 50, 55, 60])
    registration = rng.random() < 0.5
    reg_len = rng.choice([15, 20, 25]) if registration else 0
    snack, lunch = rng.choice([15, 20, 25]), rng.choice([30, 40, 45, 60])
    # As many periods as end the day by about half past four; lunch after the period that
    # ends closest to half past twelve (a morning of first..first+3 periods).
    n = min(rng.randint(6, 9), (16 * 60 + 40 - start - reg_len - snack - lunch) // length)
    first = rng.choice([2, 3])
    breaks = [Break(first, snack, case(rng.choice(BREAKS)))]
    if rng.random() < 0.85:
        at = min(range(first + 1, min(n, first + 4)), key=lambda p: abs(
            start + reg_len + snack + p * length - (12 * 60 + 30)))
        breaks.append(Break(at, lunch, case(rng.choice(LUNCHES))))
    number = rng.choice(["{}", "{}."])
    slots = period_slots(start + reg_len, n, length, breaks,
                         lambda i: number.format(i + 1))
    if registration:  # a short period 0 before the first lesson, the same every day
        slots.insert(0, Slot(start, start + reg_len, "", period="0"))
    _headers(rng, slots, style)

    pool = _subjects(rng, upper)
    reg_name, extra = case(rng.choice(REGISTRATION)), case(rng.choice(WHOLE_SCHOOL))
    p_empty, p_double = rng.choice([0.05, 0.15, 0.25]), rng.uniform(0.1, 0.3)
    counts: dict[str, int] = {}

    def span(i: int) -> int:
        return 1 if (registration and i == 0) or rng.random() >= p_double else 2

    def event(k: int, t0: int, t1: int) -> Event | None:
        if registration and t0 == start:
            return Event(reg_name, t0, t1)
        if rng.random() < p_empty:
            counts["empty"] = counts.get("empty", 0) + 1
            return None
        if t1 == slots[-1].end and rng.random() < 0.15:
            return Event(extra, t0, t1)
        name, notes = rng.choice(pool)
        counts["stacked_notes"] = counts.get("stacked_notes", 0) + 1
        if k > 1:
            counts["merged_slots"] = counts.get("merged_slots", 0) + 1
        return Event(name, t0, t1, notes=list(notes))

    n_days = 5
    cells = break_cells(slots, n_days) + fill_week(slots, n_days, span, event)
    counts["spanning"] = len(breaks)
    footnote = (f"Timetable generated:{rng.randint(1, 12)}/{rng.randint(1, 28)}/"
                f"{rng.randint(2019, 2025)}" if rng.random() < 0.6 else None)
    content = Content("uk", "days_rows", list(range(n_days)), style, _heading(rng), footnote,
                      Grid(slots, cells), counts=counts)
    knobs = with_font(
        sample_render_knobs(rng, content), office_font(rng, EXPORT_FONTS),
        day_style="full", ruling="ruled", fills=rng.choice(["none", "none", "spanning"]),
        header_fill=False, highlight_times=False, coloured_text=False, bold_names=False,
        bold_headers=False, break_words=True, align="center", valign="center",
        slot_alpha=rng.uniform(0.0, 0.3), heading_box=False,
        logo=rng.choice(["crest", "none"]), notes_corners=rng.random() < 0.5)
    return content, knobs
