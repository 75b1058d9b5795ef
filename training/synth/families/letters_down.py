"""`letters-down`: a college class timetable (like rb_2, rb_5): days down the left ("MON",
"TUES" …), numbered hours across with their times under the number, lab sessions merged over
two or three hours ("DBMS – LAB 2", "P2 – Circuits Lab"), and one break column whose word is
spelled down the week one letter per line ("B", "R", "E", "A", "K"). As in the gold labels of
those pages, the column is one break block per day named by the whole word, timed by its
header when the header prints a time (rb_2) and with null, unscored times when it is blank
(rb_5)."""

from __future__ import annotations

import random

from training.synth.content import (
    Content,
    Event,
    Grid,
    GridCell,
    Heading,
    HeadingLine,
    HeadingRun,
    Slot,
)
from training.synth.families.periods import (
    Break,
    fill_week,
    office_font,
    period_slots,
    with_font,
)
from training.synth.layout import RenderKnobs, sample_render_knobs
from training.synth.school_day import pick5
from training.synth.timefmt import format_range, sample_style

COURSES = ("DBMS", "OS", "CN", "TOC", "COA", "DSA", "AI", "ML", "EVS", "Maths", "Physics",
           "Chemistry", "Python", "Java", "C Prog", "English", "Hindi", "Economics",
           "Statistics", "Signals", "Circuits", "Thermo", "Fluids", "Web Tech", "Compiler",
           "Cloud", "Accounts", "Marketing", "Law", "Ethics", "DLD", "DM", "OOP", "SPM")
# Courses numbered by semester in some colleges: "ENG - II", "Maths-I".
NUMERALS = ("I", "II", "III", "IV")
WORDS = {5: ("BREAK", "LUNCH"), 6: ("RECESS",)}
MINUTES = {"BREAK": (10, 15, 20), "LUNCH": (40, 45, 60), "RECESS": (15, 20, 30)}
CORNERS = ("DAY\nHOUR\nTIME", "Period\nDAY", "DAY", "Day / Time", "HOURS\nDAYS")
DEPARTMENTS = ("COMPUTER SCIENCE", "COMPUTER APPLICATIONS", "ELECTRONICS", "COMMERCE",
               "MECHANICAL ENGINEERING", "INFORMATION TECHNOLOGY", "MATHEMATICS")
CLASSES = ("I BCA 'A' SECTION", "II B.Sc CS", "III B.Com 'B'", "Semester IV", "II ECE 'A'",
           "S3 EEE", "I MCA", "IV CSE 'C'")
TERMS = ("ODD SEMESTER", "EVEN SEMESTER", "Odd Sem", "Even Sem")
OFFICE_FONTS = ("LiberationSerif", "NimbusRoman", "C059", "Carlito", "LiberationSans",
                "URWGothic", "DejaVuSans", "Caladea", "NimbusSans")


def _courses(rng: random.Random) -> list[str]:
    picked = rng.sample(COURSES, rng.randint(6, 9))
    if rng.random() < 0.4:  # mostly the semester's numeral on every course
        sep, numeral = rng.choice([" - ", "-", " – "]), rng.choice(NUMERALS)
        picked = [f"{c}{sep}{numeral if rng.random() < 0.8 else rng.choice(NUMERALS)}"
                  for c in picked]
    return picked


def _lab(rng: random.Random, courses: list[str]) -> str:
    a, b = rng.sample(courses, 2)
    return rng.choice([f"{a} Lab", f"{a} – LAB {rng.randint(1, 4)}", f"{a}/{b} Lab",
                       f"P{rng.choice('ABCDX')} – {a} Lab", f"{a} Practical"])


def _heading(rng: random.Random) -> Heading:
    if rng.random() < 0.4:
        return Heading([])
    cls, term, year = rng.choice(CLASSES), rng.choice(TERMS), rng.randint(2021, 2026)
    R, L = HeadingRun, HeadingLine
    return Heading([L([R(f"DEPARTMENT OF {rng.choice(DEPARTMENTS)}")], "title"),
                    L([R(f"{term} – CLASS TIME TABLE {year}", ["term", "year"])]),
                    L([R(f"Class : {cls}", ["className"])])],
                   class_name=cls, term=term, year=year)


def _letters_cell(rng: random.Random, slot: Slot, n_days: int) -> GridCell:
    """The break column: timed by its header, or (blank header) not timed at all."""
    timed = rng.random() < 0.6
    if not timed:
        slot.header = ""
    ev = Event(slot.spanning or "", slot.start, slot.end, untimed=not timed)
    spread = len(ev.name) == n_days and rng.random() < 0.7
    return GridCell(0, n_days, slot.start, slot.end, [ev], spanning=True,
                    letters="spread" if spread else "stack")


def build(rng: random.Random) -> tuple[Content, RenderKnobs]:
    n_days = 6 if rng.random() < 0.2 else 5
    word = rng.choice(WORDS[n_days] if rng.random() < 0.8 else WORDS[5])
    style = sample_style(rng)
    n, length = rng.randint(5, 8), rng.choice([50, 55, 60])
    after = rng.randint(2, min(4, n - 1))
    slots = period_slots(pick5(rng, 8 * 60, 9 * 60 + 30), n, length,
                         [Break(after, rng.choice(MINUTES[word]), word)], lambda i: str(i + 1))
    numbered = rng.random() < 0.75  # hour numbers over the times; the break column has none
    for s in slots:
        s.header = format_range(s.start, s.end, style, rng)
        s.period = s.period if numbered else None
    courses = _courses(rng)
    p_lab, p_empty = rng.uniform(0.08, 0.2), rng.choice([0.0, 0.05, 0.1])
    counts: dict[str, int] = {"letters_down": 1}

    def span(i: int) -> int:
        return rng.choice([2, 2, 3]) if rng.random() < p_lab else 1

    def event(k: int, t0: int, t1: int) -> Event | None:
        if k > 1:
            counts["lab"] = counts.get("lab", 0) + 1
            return Event(_lab(rng, courses), t0, t1)
        if rng.random() < p_empty:
            counts["empty"] = counts.get("empty", 0) + 1
            return None
        return Event(rng.choice(courses), t0, t1)

    brk = next(s for s in slots if s.spanning is not None)
    cells = [_letters_cell(rng, brk, n_days), *fill_week(slots, n_days, span, event)]
    corner = rng.choice(CORNERS) if rng.random() < 0.7 else None
    content = Content("uk", "days_rows", list(range(n_days)), style, _heading(rng), None,
                      Grid(slots, cells, corner), counts=counts)
    knobs = with_font(
        sample_render_knobs(rng, content), office_font(rng, OFFICE_FONTS),
        day_style=rng.choice(["caps", "caps", "full", "short"]), ruling="ruled",
        fills="none", highlight_times=False, coloured_text=False, break_words=False,
        align="center", valign="center", slot_alpha=rng.uniform(0.3, 0.7), heading_box=False,
        logo=rng.choice(["crest", "none", "none"]))
    return content, knobs
