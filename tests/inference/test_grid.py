"""The drawn grid as decoding constraints (`inference.document.grid`), on a hand-made ruled
page read by a deliberately confused model: the grid's geometry still decides where it can.

    DAY     | 9:00-10:00 | 10:00-11:00 | L | 11:30-12:30
    Monday  | Maths      | Art         | U | Science
    Tuesday | TAM-1 (over both slots)  | N | Break 12:00
                                         C
                                         H   (one cell down the whole week)

with a title row "Class 9WOD" above it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pytest

from inference.document.decode import (
    PageDecisions,
    decode_blocks,
    decode_heading,
    range_end,
    times_beside,
)
from inference.document.features import PageReading, ReadLine, time_atoms
from inference.document.grid import restrict
from inference.document.inputs import ROLES
from inference.schema import Box, CalendarFrame

R = {name: k for k, name in enumerate(ROLES)}


def in_cell(text: str, box: tuple[int, int, int, int], cell: tuple[int, int, int, int],
            row: int = 0) -> ReadLine:
    """A line with a box of its own inside a ruled table's drawn cell (in row `row`)."""
    return ReadLine(text=text, box=Box(x0=box[0], y0=box[1], x1=box[2], y1=box[3]),
                    cell_box=Box(x0=cell[0], y0=cell[1], x1=cell[2], y1=cell[3]),
                    table=0, row=row, col=0, ruled=True)


def cell_line(text: str, cell: tuple[int, int, int, int], dy: int = 0) -> ReadLine:
    x0, y0, x1, y1 = cell
    box = Box(x0=x0 + 5, y0=y0 + 5 + dy, x1=min(x1 - 5, x0 + 5 + 10 * len(text)),
              y1=y0 + 20 + dy)
    return ReadLine(text=text, box=box, cell_box=Box(x0=x0, y0=y0, x1=x1, y1=y1), table=0,
                    row=0, col=0, ruled=True)


LUNCH = (300, 0, 340, 200)
LINES = [
    (cell_line("DAY", (0, 0, 100, 40)), "event"),  # a caption the model calls an event
    (cell_line("9:00-10:00", (100, 0, 200, 40)), "time"),
    (cell_line("10:00-11:00", (200, 0, 300, 40)), "time"),
    (cell_line("11:30-12:30", (340, 0, 440, 40)), "time"),
    (cell_line("Monday", (0, 40, 100, 120)), "day"),
    (cell_line("Maths", (100, 40, 200, 120)), "event"),
    (cell_line("Art", (200, 40, 300, 120)), "event"),
    (cell_line("Science", (340, 40, 440, 120)), "event"),
    (cell_line("Tuesday", (0, 120, 100, 200)), "day"),
    (cell_line("TAM-1", (100, 120, 300, 200)), "time"),  # looks like a range to the model
    (cell_line("Break 12:00", (340, 120, 440, 200)), "other"),  # a filled body cell
    (cell_line("Class 9WOD", (0, -40, 440, 0)), "other"),  # a title row above the grid
    *[(cell_line(letter, LUNCH, 36 * k), ("event", "event", "event", "day", "other")[k])
      for k, letter in enumerate("LUNCH")],  # "C" called a day header: it names none
]


def read_as(lines: list[tuple[ReadLine, str]], *, confused: bool = False,
            end_none: float | None = None, size: tuple[int, int] = (440, 240),
            calendar: CalendarFrame | None = None, joined: list[int] | None = None
            ) -> tuple[PageReading, PageDecisions]:
    """The page of `lines` and the decisions of a model sure of each line's role (`confused`:
    only 0.9 sure, with a tenth on "event" everywhere) whose day pointer says the first day
    header for every line, and whose time pointers know nothing: every written time and "none"
    alike (or the end's puts `end_none` on "no end written"). `joined`: lines the model groups
    as one event (each line is its own otherwise)."""
    page = PageReading(width=size[0], height=size[1], lines=[line for line, _ in lines],
                       calendar=calendar)
    n, atoms = len(lines), len(time_atoms(page.lines))
    roles = np.zeros((n, len(ROLES)))
    for i, (_, role) in enumerate(lines):
        roles[i, R[role]] = 0.9 if confused else 1.0
        roles[i, R["event"]] += 0.1 if confused else 0.0
    day = np.zeros((n, n))
    day[:, [k for k, (_, role) in enumerate(lines) if role == "day"][0]] = 1.0
    start = np.full((n, atoms + 1), 1.0 / (atoms + 1))
    end = start.copy()
    if end_none is not None:
        end[:, :-1], end[:, -1] = (1 - end_none) / atoms, end_none
    group = np.eye(n)
    if joined:
        group[np.ix_(joined, joined)] = 1.0
    return page, PageDecisions(roles, group, day, start, end)


def decode_as(lines: list[tuple[ReadLine, str]], *, notes: bool = False, **reading: Any
              ) -> dict[tuple[str, str], tuple[str | None, ...]]:
    """(day, name) → (start, end) of the blocks decoded from `lines` as `read_as` reads them;
    with `notes`, each block's notes follow its times."""
    page, decisions = read_as(lines, **reading)
    return {(b.day, b.name): (b.start_time, b.end_time, *([b.notes] if notes else []))
            for b in decode_blocks(page, decisions)}


@pytest.fixture
def blocks():
    return decode_as(LINES, confused=True)


def test_a_caption_in_the_band_of_the_day_headers_is_no_block(blocks):
    assert not any(name == "DAY" for _, name in blocks)


def test_a_drawn_cell_takes_the_times_of_the_header_edges_it_covers(blocks):
    assert blocks[("Monday", "Maths")] == ("09:00", "10:00")
    assert blocks[("Monday", "Art")] == ("10:00", "11:00")
    assert blocks[("Monday", "Science")] == ("11:30", "12:30")


def test_a_merged_cell_takes_its_slots_and_its_own_row_s_day(blocks):
    # The model called "TAM-1" a time and pointed it at Monday: it holds no time, and its
    # cell lies in Tuesday's row over both morning slots.
    assert blocks[("Tuesday", "TAM-1")] == ("09:00", "11:00")
    assert ("Monday", "TAM-1") not in blocks


def test_a_cell_down_the_whole_week_under_no_header_is_the_gap_between_its_neighbours(blocks):
    # One block per day; the periods either side end at 11:00 and start at 11:30.
    assert blocks[("Monday", "LUNCH")] == ("11:00", "11:30")
    assert blocks[("Tuesday", "LUNCH")] == ("11:00", "11:30")


def test_a_header_printing_only_the_next_period_s_start_is_the_gap_before_it():
    # A narrow turned header "11 – 11:30" whose first time the reading lost.
    lines = [*LINES, (cell_line("11:30", (300, 0, 340, 40)), "time")]
    assert decode_as(lines, confused=True)[("Monday", "LUNCH")] == ("11:00", "11:30")


def test_a_column_under_no_header_between_periods_that_meet_has_no_time():
    meeting = (cell_line("11:00-12:00", (340, 0, 440, 40)), "time")
    lines = [meeting if line.text == "11:30-12:30" else (line, role) for line, role in LINES]
    blocks = decode_as(lines, confused=True)
    assert blocks[("Monday", "LUNCH")] == (None, None)


def test_a_lone_time_in_a_cell_is_its_start_and_the_end_is_the_header_s(blocks):
    # The model called the cell "other": every filled cell of the grid's body is an event.
    assert blocks[("Tuesday", "Break")] == ("12:00", "12:30")


def test_a_word_down_a_cell_read_as_a_letter_over_a_standing_line_is_one_word():
    # The reading took "L" alone and the rest of the stacked letters as one line, "UNCH".
    lines = [*LINES[:12], (cell_line("L", LUNCH, 36), "event"),
             (cell_line("UNCH", LUNCH, 72), "event")]
    blocks = decode_as(lines)
    assert blocks[("Monday", "LUNCH")] == ("11:00", "11:30")
    assert blocks[("Tuesday", "LUNCH")] == ("11:00", "11:30")
    # More pieces, one of them a misread repeat ("TEA BREAK" turned: "REAK", "R", "B", "TEA"),
    # are left as read: no order of them spells the word.
    pieces = [(cell_line(text, LUNCH, 36 * k), "event")
              for k, text in enumerate(["REAK", "R", "B", "TEA"])]
    assert ("Monday", "REAK R B TEA") in decode_as([*LINES[:12], *pieces])


def test_letters_spelled_down_a_cell_with_a_scan_s_specks_beside_them_are_one_word():
    # A photocopy's specks read as stops beside two of the letters: "C." and "H:".
    letters = [(cell_line(letter, LUNCH, 36 * k), "event")
               for k, letter in enumerate(["L", "U", "N", "C.", "H:"])]
    blocks = decode_as([*LINES[:12], *letters])
    assert blocks[("Monday", "LUNCH")] == blocks[("Tuesday", "LUNCH")] == ("11:00", "11:30")


def test_a_title_above_the_day_headers_is_no_event(blocks):
    assert not any("9WOD" in name for _, name in blocks)


def test_a_rota_s_week_heading_is_no_event_whatever_the_model_says():
    # A two-week sheet prints "Week A" over its table; the model calls it Monday's event.
    lines = [(free_line("Monday", 0, 0), "day"), (free_line("Week A", 0, 30), "event"),
             (free_line("Maths 9:00-10:00", 0, 60), "event")]
    assert decode_as(lines, size=(300, 100)) == {("Monday", "Maths"): ("09:00", "10:00")}


def test_day_cards_stacked_down_a_list_each_head_the_lines_under_them():
    # The model's day pointer says Monday for every line; under Tuesday's card, Tuesday.
    lines = [(free_line("Monday", 0, 0), "day"), (free_line("8:45-9:00 Registration", 0, 30),
                                                    "event"),
             (free_line("Tuesday", 0, 70), "day"), (free_line("9:00-10:00 Maths", 0, 100), "event")]
    assert set(decode_as(lines, size=(300, 140))) == {("Monday", "Registration"),
                                                      ("Tuesday", "Maths")}


def test_day_cards_in_two_columns_each_head_their_own_column():
    # Monday and Tuesday down the left, Thursday at the top of the right column.
    lines = [(free_line("Monday", 0, 0), "day"), (free_line("8:45 Registration", 0, 30), "event"),
             (free_line("Tuesday", 0, 70), "day"), (free_line("9:00 Maths", 0, 100), "event"),
             (free_line("Thursday", 300, 0), "day"), (free_line("8:45 Tutor", 300, 30), "event"),
             (free_line("9:00 Art", 300, 100), "event")]
    assert set(decode_as(lines, size=(500, 140))) == {
        ("Monday", "Registration"), ("Tuesday", "Maths"), ("Thursday", "Tutor"),
        ("Thursday", "Art")}


def test_a_day_s_title_level_with_a_row_of_the_next_column_is_not_that_row_s_day():
    # Friday's list starts a little higher than Tuesday's, so Friday's first row stands level
    # with Tuesday's title: the title of another column of cards, not a row's header.
    lines = [(free_line("Monday", 0, 0), "day"), (free_line("8:45 Registration", 0, 30), "event"),
             (free_line("Tuesday", 0, 100), "day"), (free_line("9:00 Maths", 0, 130), "event"),
             (free_line("Thursday", 300, 0), "day"), (free_line("8:45 Tutor", 300, 30), "event"),
             (free_line("Friday", 300, 70), "day"), (free_line("8:50 Spelling", 300, 100),
                                                     "event")]
    assert ("Friday", "Spelling") in decode_as(lines, size=(500, 170))
    assert ("Tuesday", "Spelling") not in decode_as(lines, size=(500, 170))


def test_a_day_name_centred_in_a_column_of_days_as_rows_heads_its_row():
    # Day names down the left, centred: "THURSDAY" begins left of the shorter names over it.
    lines = []
    for k, (day, x0) in enumerate([("MON", 40), ("TUESDAY", 20), ("WED", 40), ("THURSDAY", 10)]):
        lines += [(free_line(day, x0, 40 * k), "day"), (free_line(f"Lesson {k}", 150, 40 * k),
                                                       "event")]
    page, decisions = read_as(lines, size=(300, 170))
    decisions.day[:] = 0.0
    for k in range(4):
        decisions.day[2 * k + 1, 2 * k] = 1.0  # each lesson points at its own row's day
    blocks = {(b.day, b.name) for b in decode_blocks(page, decisions)}
    assert ("Thursday", "Lesson 3") in blocks


def test_a_start_taken_from_a_printed_range_ends_where_the_range_ends():
    # Boxes under "8:45-9:05" with no ruling to say where they end: the range does; a lone
    # start ("9:30", a start-only header) has no end to give.
    atoms = time_atoms([free_line("8:45-9:05", 100, 0), free_line("9:30", 200, 0)])
    p = np.array([0.7, 0.1, 0.1, 0.1])
    assert range_end(atoms, p, 8 * 60 + 45) == 9 * 60 + 5
    assert range_end(atoms, p, 9 * 60 + 30) is None


def test_restrict_moves_the_pointer_s_time_mass_onto_the_allowed_atoms():
    p = np.array([0.6, 0.3, 0.1])  # two atoms, then "no time written"
    assert restrict(p, np.array([False, True])) == pytest.approx([0.0, 0.9, 0.1])
    assert restrict(p, None) is p
    assert restrict(np.array([0.9, 0.0, 0.1]), np.array([False, True])) == pytest.approx(
        [0.0, 0.9, 0.1])


def test_an_end_a_printed_range_closes_is_written_whatever_the_pointer_says():
    assert decode_as(LINES[1:9], end_none=0.9)[("Monday", "Maths")] == ("09:00", "10:00")


def test_a_start_only_header_gives_the_start_and_no_end_whatever_the_pointer_says():
    """The next slot's lone start is not this one's end: a start-only header says no end."""
    lines = [(cell_line("9:00", (100, 0, 200, 40)), "time"),
             (cell_line("10:00", (200, 0, 300, 40)), "time"),
             (cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("Maths", (100, 40, 200, 120)), "event"),
             (cell_line("Art", (200, 40, 300, 120)), "event"),
             (cell_line("Tuesday", (0, 120, 100, 200)), "day"),
             (cell_line("Music", (100, 120, 300, 200)), "event")]
    for end_none in (0.9, 0.1):
        blocks = decode_as(lines, end_none=end_none)
        assert blocks[("Monday", "Maths")] == ("09:00", None)
        assert blocks[("Monday", "Art")] == ("10:00", None)
        assert blocks[("Tuesday", "Music")] == ("09:00", None)


@pytest.mark.parametrize("widths", [(100, 100, 100, 100), (100, 130, 100, 100)])
def test_on_a_clock_axis_the_next_hour_s_mark_ends_an_event(widths: tuple[int, ...]):
    """A lecture week's hours along the top, an hour apart (a web page's table may widen one
    hour for its text): a lesson drawn from the 9:00 mark to the 11:00 one runs 9 to 11. The
    last hour has no mark after it, and is an hour like the others: a lesson drawn to the
    grid's edge ends a step after the last mark."""
    edges = np.cumsum([100, *widths]).tolist()
    lines = [*[(cell_line(f"{hour}:00", (edges[k], 0, edges[k + 1], 40)), "time")
               for k, hour in enumerate(range(9, 13))],
             (cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("Maths", (edges[0], 40, edges[1], 120)), "event"),
             (cell_line("Lab", (edges[3], 40, edges[4], 120)), "event"),
             (cell_line("Tuesday", (0, 120, 100, 200)), "day"),
             (cell_line("Music", (edges[0], 120, edges[2], 200)), "event")]
    for end_none in (0.9, 0.1):
        blocks = decode_as(lines, end_none=end_none, size=(edges[-1], 200))
        assert blocks[("Monday", "Maths")] == ("09:00", "10:00")
        assert blocks[("Tuesday", "Music")] == ("09:00", "11:00")
        assert blocks[("Monday", "Lab")] == ("12:00", "13:00")


def header_mark(text: str, box: tuple[int, int], cell: tuple[int, int]) -> ReadLine:
    """A time printed in a header cell along the top: its text from `box`'s x0 to x1, inside
    the cell from `cell`'s x0 to x1."""
    return ReadLine(text=text, box=Box(x0=box[0], y0=10, x1=box[1], y1=28),
                    cell_box=Box(x0=cell[0], y0=0, x1=cell[1], y1=40), table=0, ruled=True)


def test_a_clock_axis_is_told_by_its_printed_marks_spacing_not_its_header_cells():
    """Hour marks printed evenly, but a stray edge cut the 10:00 header's cell short and the
    11:00 one's reaches back to it: the marks are still a clock, and the Tuesday lesson drawn
    from the 9:00 mark to the 11:00 one's cell runs 9 to 11."""
    edges = [100, 200, 260, 400, 500]

    lines = [*[(header_mark(f"{hour}:00", (105 + 100 * k, 145 + 100 * k),
                            (edges[k], edges[k + 1])), "time")
               for k, hour in enumerate(range(9, 13))],
             (cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("Maths", (100, 40, 200, 120)), "event"),
             (cell_line("Tuesday", (0, 120, 100, 200)), "day"),
             (cell_line("Music", (100, 120, 260, 200)), "event")]
    blocks = decode_as(lines, end_none=0.9, size=(500, 200))
    assert blocks[("Monday", "Maths")] == ("09:00", "10:00")
    assert blocks[("Tuesday", "Music")] == ("09:00", "11:00")


def test_a_lunch_column_between_half_hour_marks_breaks_the_clock_axis_without_ending_it():
    """Half-hour marks along the top, a lunch column between 11:30 and 13:15 whose printed
    range was read as its end alone ("-13:15"), and a speck beside the 09:30 mark widening its
    box: the marks are still a clock. A lesson drawn to a mark ends there; the slot before the
    lunch column ends where the page does not say, and the first mark after it ends nothing."""
    hours = ["09:00", "09:30", "10:00", "10:30", "11:00", "-13:15", "13:15", "13:45", "14:15"]

    lines = [*[(header_mark(text, (120 + 100 * k, 160 + 100 * k + (30 if text == "09:30" else 0)),
                            (100 + 100 * k, 200 + 100 * k)), "time")
               for k, text in enumerate(hours)],
             (cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("Maths", (100, 40, 300, 120)), "event"),
             (cell_line("Lab", (700, 40, 900, 120)), "event"),
             (cell_line("Tuesday", (0, 120, 100, 200)), "day"),
             (cell_line("Art", (500, 120, 600, 200)), "event"),
             (cell_line("Music", (600, 120, 800, 200)), "event")]
    blocks = decode_as(lines, end_none=0.9, size=(1000, 200))
    assert blocks[("Monday", "Maths")] == ("09:00", "10:00")
    assert blocks[("Monday", "Lab")] == ("13:15", "14:15")
    assert blocks[("Tuesday", "Art")] == ("11:00", None)


def test_a_bell_header_with_a_short_break_between_hourly_starts_is_no_clock():
    """Starts an hour apart but for a twenty-minute break: a period grid's bell starts, whose
    ends the page does not write."""
    starts = ["8:50", "9:50", "10:50", "11:10", "12:10", "13:10"]
    lines = [*[(cell_line(t, (100 + 100 * k, 0, 200 + 100 * k, 40)), "time")
               for k, t in enumerate(starts)],
             (cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("Maths", (100, 40, 200, 120)), "event")]
    assert decode_as(lines, end_none=0.9, size=(800, 120))[("Monday", "Maths")] == (
        "08:50", None)


def test_a_slot_s_start_and_end_in_two_columns_side_by_side_are_its_range():
    """A sheet's "Start" and "End" columns: each cell holds one time, and together they are
    the slot's range, whichever cell is nearer the day's column."""
    lines = [(cell_line("Start", (0, 0, 60, 40)), "other"),
             (cell_line("End", (60, 0, 120, 40)), "other"),
             (cell_line("Monday", (120, 0, 220, 40)), "day"),
             (cell_line("Tuesday", (220, 0, 320, 40)), "day"),
             (cell_line("9:00", (0, 40, 60, 80)), "time"),
             (cell_line("9:50", (60, 40, 120, 80)), "time"),
             (cell_line("Maths", (120, 40, 220, 80)), "event"),
             (cell_line("Art", (220, 40, 320, 80)), "event"),
             (cell_line("9:50", (0, 80, 60, 120)), "time"),
             (cell_line("10:40", (60, 80, 120, 120)), "time"),
             (cell_line("Music", (120, 80, 220, 120)), "event")]
    for end_none in (0.9, 0.1):
        blocks = decode_as(lines, end_none=end_none, size=(320, 120))
        assert blocks[("Monday", "Maths")] == ("09:00", "09:50")
        assert blocks[("Tuesday", "Art")] == ("09:00", "09:50")
        assert blocks[("Monday", "Music")] == ("09:50", "10:40")

# A days-as-columns page in the style of a school system's export (ra_4): slot names down the
# side, each cell printing its own start, a break row whose cells hold nothing but a time, and
# boxes for the tutor and the dean sharing the table's frame under the last period.
#
#     Term 3        | Monday          | Tuesday
#     Spell 1       | 9:00 MAT9       | 9:00 SCI9
#     Morning Break | 11:05           | 11:05
#     Spell 2       | 11:50 ENG9      | 11:50 ART9
#     Tutor Mrs A Wood  | Dean Ms L Aalto      (edges under no day edge)
COLUMNS_PAGE = [
    (cell_line("Term 3", (0, 0, 100, 40)), "term"),
    (cell_line("Monday", (100, 0, 200, 40)), "day"),
    (cell_line("Tuesday", (200, 0, 300, 40)), "day"),
    (cell_line("Spell 1", (0, 40, 100, 100)), "other"),
    (cell_line("9:00", (100, 40, 200, 100)), "time"),
    (cell_line("MAT9", (100, 40, 200, 100), 20), "event"),
    (cell_line("9:00", (200, 40, 300, 100)), "time"),
    (cell_line("SCI9", (200, 40, 300, 100), 20), "event"),
    (cell_line("Morning Break", (0, 100, 100, 140)), "other"),
    (cell_line("11:05", (100, 100, 200, 140)), "time"),
    (cell_line("11:05", (200, 100, 300, 140)), "time"),
    (cell_line("Spell 2", (0, 140, 100, 200)), "other"),
    (cell_line("11:50", (100, 140, 200, 200)), "time"),
    (cell_line("ENG9", (100, 140, 200, 200), 20), "event"),
    (cell_line("11:50", (200, 140, 300, 200)), "time"),
    (cell_line("ART9", (200, 140, 300, 200), 20), "event"),
    (cell_line("Tutor", (0, 200, 150, 260)), "other"),
    (cell_line("Mrs A Wood", (0, 200, 150, 260), 20), "event"),
    (cell_line("Dean", (150, 200, 300, 260)), "other"),
    (cell_line("Ms L Aalto", (150, 200, 300, 260), 20), "event"),
]


@pytest.fixture
def column_blocks():
    return decode_as(COLUMNS_PAGE, size=(300, 260))  # Monday for everything, footers included


def test_each_day_s_cell_prints_its_own_start(column_blocks):
    assert column_blocks[("Monday", "MAT9")] == ("09:00", None)
    assert column_blocks[("Tuesday", "ART9")] == ("11:50", None)


def test_a_break_row_of_times_alone_is_one_block_per_day_named_by_its_label(column_blocks):
    assert column_blocks[("Monday", "Morning Break")] == ("11:05", None)
    assert column_blocks[("Tuesday", "Morning Break")] == ("11:05", None)
    assert not any(name.startswith("Spell") for _, name in column_blocks)


def test_boxes_under_the_last_period_that_miss_the_day_columns_are_no_blocks(column_blocks):
    assert not any(name in ("Mrs A Wood", "Ms L Aalto", "Tutor", "Dean")
                   for _, name in column_blocks)
    assert len(column_blocks) == 6  # four lessons and the break on both days


def free_line(text: str, x0: int, y0: int) -> ReadLine:
    """A line the structure stage left out of every cell (white text on a coloured band)."""
    box = Box(x0=x0, y0=y0, x1=x0 + 10 * len(text), y1=y0 + 20)
    return ReadLine(text=text, box=box, cell_box=box)


def test_a_numbered_list_the_model_reads_as_one_event_is_an_event_an_item():
    """A day card's untimed list, "1. Welcome & self-" over "registration", then "2. Phonics"
    and "3. Snack": the model links its lines as one run of words; each number begins an
    item, and the number is no part of its name."""
    lines = [(free_line("Monday", 0, 0), "day"),
             (free_line("1. Welcome & self-", 0, 30), "event"),
             (free_line("registration", 20, 52), "event"),
             (free_line("2. Phonics", 0, 80), "event"), (free_line("3. Snack", 0, 110), "event")]
    names = sorted(name for _, name in decode_as(lines, size=(300, 140), joined=[1, 2, 3, 4]))
    assert names[:2] == ["Phonics", "Snack"]
    assert len(names) == 3 and names[2].startswith("Welcome & self") and "registration" in names[2]


def test_in_a_cell_written_flush_left_the_short_first_line_is_the_name():
    # A Word table: every line against the cell's left side, the name shorter than its note.
    # Only a line against a side the name does not touch is a corner code.
    lines = [(free_line("Monday", 150, 10), "day"),
             (cell_line("9:00-10:00", (0, 40, 100, 120)), "time"),
             (cell_line("Maths", (100, 40, 300, 120)), "event"),
             (cell_line("Place value rounding", (100, 40, 300, 120), 25), "notes")]
    assert decode_as(lines, size=(300, 160)) == {("Monday", "Maths"): ("09:00", "10:00")}


def test_a_band_across_the_week_under_a_header_row_of_free_lines_is_every_day_s():
    lines = [(free_line("Monday", 150, 10), "day"), (free_line("Tuesday", 350, 10), "day"),
             (cell_line("9:00-10:00", (0, 40, 100, 120)), "time"),
             (cell_line("Maths", (100, 40, 300, 120)), "event"),
             (cell_line("Art", (300, 40, 500, 120)), "event"),
             (cell_line("12:00-13:00", (0, 120, 100, 160)), "time"),
             (cell_line("Lunch", (100, 120, 500, 160)), "event")]
    blocks = decode_as(lines, size=(500, 160))
    assert blocks[("Monday", "Lunch")] == blocks[("Tuesday", "Lunch")] == ("12:00", "13:00")


def test_a_band_for_the_week_printing_one_day_s_own_times_gives_that_day_its_own():
    lines = [(text_cell("Monday", 150, 10), "day"), (text_cell("Tuesday", 350, 10), "day"),
             (cell_line("9:00-10:00", (0, 40, 100, 120)), "time"),
             (cell_line("Maths", (100, 40, 300, 120)), "event"),
             (cell_line("Art", (300, 40, 500, 120)), "event"),
             (cell_line("LUNCH 12:00-12:45 (Tue 11:50-12:30)", (100, 120, 500, 160)), "event")]
    blocks = decode_as(lines, size=(500, 160))
    assert blocks[("Monday", "LUNCH")] == ("12:00", "12:45")
    assert blocks[("Tuesday", "LUNCH")] == ("11:50", "12:30")


def test_a_band_of_times_on_top_of_a_days_as_rows_table_times_the_columns_they_stand_in():
    # White times on a dark band whose rulings were not found: the band's lines are free, and
    # each names the slot of the column of drawn cells it stands in; "10:30-" over "10:50" in
    # the narrow break column is one range.
    lines = [(free_line("8:00-8:50", 105, 10), "time"), (free_line("8:50-9:40", 205, 10), "time"),
             (free_line("10:30-", 302, 0), "time"), (free_line("10:50", 305, 18), "time"),
             (cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("Maths", (100, 40, 200, 120)), "event"),
             (cell_line("Biology", (200, 40, 300, 120)), "event"),
             (cell_line("Break", (300, 40, 380, 200)), "event"),
             (cell_line("Tuesday", (0, 120, 100, 200)), "day"),
             (cell_line("Lab", (100, 120, 300, 200)), "event")]
    blocks = decode_as(lines, size=(380, 200))
    assert blocks[("Monday", "Maths")] == ("08:00", "08:50")
    assert blocks[("Tuesday", "Lab")] == ("08:00", "09:40")
    assert blocks[("Monday", "Break")] == blocks[("Tuesday", "Break")] == ("10:30", "10:50")


def test_a_header_time_in_no_cell_inside_the_table_times_its_column():
    # A photo: the band's rulings were found over one column and not over the next.
    lines = [(cell_line("8:00-8:50", (100, 0, 200, 40)), "time"),
             (free_line("8:50-9:40", 205, 10), "time"),
             (cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("Maths", (100, 40, 200, 120)), "event"),
             (cell_line("Biology", (200, 40, 300, 120)), "event"),
             (cell_line("Tuesday", (0, 120, 100, 200)), "day"),
             (cell_line("Art", (100, 120, 200, 200)), "event")]
    blocks = decode_as(lines, size=(300, 200))
    assert blocks[("Monday", "Biology")] == ("08:50", "09:40")
    assert blocks[("Monday", "Maths")] == ("08:00", "08:50")


def in_table(line: ReadLine, table: int) -> ReadLine:
    return line.model_copy(update={"table": table})


@pytest.mark.parametrize(("labels", "row"), [
    # A web page's grid: the hours down a grey column without rulings (read from the text).
    ([(hour, 5, 55 + 50 * k) for k, hour in enumerate(
        ["08:00-09:00", "09:00-10:00", "10:00-11:00", "11:00-12:00"])], 50),
    # A lecture week whose hour labels stand at the top of each hour's row (no rulings beside
    # them): halfway between two labels is the middle of a row, not its edge. The row of
    # 12:00 holds no lesson, below the text of the week: its label still ends the last hour.
    ([(f"{8 + k}:00", 100, 45 + 100 * k) for k in range(5)], 100),
])
def test_times_down_a_column_with_no_rulings_time_the_week_s_drawn_rows(labels, row):
    # Lectures as drawn cells, one merged over two hours.
    lines = [(cell_line("Monday", (150, 0, 300, 40)), "day"),
             (cell_line("Tuesday", (300, 0, 500, 40)), "day"),
             *[(in_table(text_cell(text, x, y), 0), "time") for text, x, y in labels],
             (cell_line("MTH201", (150, 40, 300, 40 + 2 * row)), "event"),
             (cell_line("STA203", (300, 40 + row, 500, 40 + 3 * row)), "event"),
             (cell_line("GEN250", (150, 40 + 3 * row, 300, 40 + 4 * row)), "event")]
    blocks = decode_as(lines, size=(500, 40 + len(labels) * row))
    assert blocks[("Monday", "MTH201")] == ("08:00", "10:00")
    assert blocks[("Tuesday", "STA203")] == ("09:00", "11:00")
    assert blocks[("Monday", "GEN250")] == ("11:00", "12:00")


def test_times_down_a_dark_column_of_unlike_rows_time_the_rows_of_the_week_s_cells():
    # White times on a dark column, read from the text: periods an hour tall and a short break,
    # so halfway between the times is no row's edge; each time heads the row of drawn cells
    # its text stands in, and a double period ends where the second one does.
    times = [("09:00-10:00", 80), ("10:00-11:00", 180), ("11:00-11:20", 245),
             ("11:20-12:20", 310)]
    lines = [(cell_line("Monday", (150, 0, 300, 40)), "day"),
             (cell_line("Tuesday", (300, 0, 500, 40)), "day"),
             *[(in_table(text_cell(text, 5, y), 0), "time") for text, y in times],
             (cell_line("Maths", (150, 40, 300, 140)), "event"),
             (cell_line("English", (150, 140, 300, 240)), "event"),
             (cell_line("Break", (150, 240, 300, 270)), "event"),
             (cell_line("Music", (150, 270, 300, 370)), "event"),
             (cell_line("PE", (300, 40, 500, 240)), "event")]
    blocks = decode_as(lines, size=(500, 380))
    assert blocks[("Tuesday", "PE")] == ("09:00", "11:00")
    assert blocks[("Monday", "Break")] == ("11:00", "11:20")
    assert blocks[("Monday", "Music")] == ("11:20", "12:20")


def test_a_key_under_the_week_s_table_is_not_headed_by_its_day_names():
    # White day names on the dark band over the week (in no table); under the week's table a
    # course key of its own columns, "Code | Course title | Lecturer".
    lines = [(free_line("Monday", 130, 10), "day"), (free_line("Tuesday", 330, 10), "day"),
             (cell_line("9:00-10:00", (0, 40, 100, 100)), "time"),
             (cell_line("MTH201", (100, 40, 300, 100)), "event"),
             (cell_line("STA203", (300, 40, 500, 100)), "event"),
             *[(in_table(cell_line(text, cell), 1), "event") for text, cell in [
                 ("MTH201", (0, 160, 120, 200)), ("Linear Algebra II", (120, 160, 420, 200)),
                 ("Dr K. Mensah", (420, 160, 500, 200))]]]
    blocks = decode_as(lines, size=(500, 220))
    assert sorted(blocks) == [("Monday", "MTH201"), ("Tuesday", "STA203")]


def test_a_band_printed_between_two_tables_of_the_week_is_every_day_s():
    lines = [(cell_line("Period", (0, 0, 100, 40)), "other"),
             (cell_line("Monday", (100, 0, 200, 40)), "day"),
             (cell_line("Tuesday", (200, 0, 300, 40)), "day"),
             (cell_line("9:00-10:00", (0, 40, 100, 100)), "time"),
             (cell_line("Maths", (100, 40, 200, 100)), "event"),
             (cell_line("Art", (200, 40, 300, 100)), "event"),
             (free_line("Break 10:30-10:50", 60, 110), "time"),  # what the model calls it
             *[(in_table(cell_line(text, cell), 1), role) for text, cell, role in [
                 ("Monday", (100, 140, 200, 180), "day"), ("Tuesday", (200, 140, 300, 180), "day"),
                 ("10:50-11:50", (0, 180, 100, 240), "time"),
                 ("Science", (100, 180, 200, 240), "event")]]]
    blocks = decode_as(lines, size=(300, 240))
    assert blocks[("Monday", "Break")] == blocks[("Tuesday", "Break")] == ("10:30", "10:50")


def test_a_band_between_two_tables_timed_in_the_time_column_on_its_row_is_every_day_s():
    # "Lunch" centred across the week, its time in the period column on its row; the table
    # below goes on with the week under no day headers of its own.
    lines = [(cell_line("Period", (0, 0, 100, 40)), "other"),
             (cell_line("Monday", (100, 0, 200, 40)), "day"),
             (cell_line("Tuesday", (200, 0, 300, 40)), "day"),
             (cell_line("Wednesday", (300, 0, 400, 40)), "day"),
             (cell_line("9:00-10:00", (0, 40, 100, 100)), "time"),
             (cell_line("Maths", (100, 40, 200, 100)), "event"),
             (cell_line("Art", (200, 40, 300, 100)), "event"),
             (cell_line("PE", (300, 40, 400, 100)), "event"),
             (free_line("12:10-13:00", 5, 110), "time"), (free_line("Lunch", 225, 110), "other"),
             *[(in_table(cell_line(text, cell), 1), role) for text, cell, role in [
                 ("13:00-13:50", (0, 140, 100, 200), "time"),
                 ("Science", (100, 140, 200, 200), "event"), ("RE", (200, 140, 300, 200), "event"),
                 ("Music", (300, 140, 400, 200), "event")]]]
    blocks = decode_as(lines, size=(400, 200))
    assert all(blocks[(day, "Lunch")] == ("12:10", "13:00")
               for day in ("Monday", "Tuesday", "Wednesday"))


def test_a_band_between_two_tables_with_its_time_printed_after_it_is_every_day_s():
    # "LUNCH   12:10 – 1:05" letter-spaced across the page: the name first, the time after.
    lines = [(cell_line("Monday", (100, 0, 200, 40)), "day"),
             (cell_line("Tuesday", (200, 0, 300, 40)), "day"),
             (cell_line("11:20-12:10", (0, 40, 100, 100)), "time"),
             (cell_line("Maths", (100, 40, 200, 100)), "event"),
             (cell_line("Art", (200, 40, 300, 100)), "event"),
             (free_line("LUNCH", 120, 110), "event"), (free_line("12:10 -1:05", 215, 110), "other"),
             *[(in_table(cell_line(text, cell), 1), role) for text, cell, role in [
                 ("1:05-1:20", (0, 140, 100, 200), "time"),
                 ("Science", (100, 140, 200, 200), "event"),
                 ("RE", (200, 140, 300, 200), "event")]]]
    blocks = decode_as(lines, size=(300, 200))
    assert blocks[("Monday", "LUNCH")] == blocks[("Tuesday", "LUNCH")] == ("12:10", "13:05")


def test_day_headers_on_a_band_whose_cells_were_not_found_head_the_columns_they_stand_in():
    # White day names on a dark band: free lines, one of them boxed by a speck of a cell.
    lines = [(free_line("Mo", 130, 5), "day"), (free_line("Tu", 230, 5), "day"),
             (cell_line("1", (0, 30, 100, 90)), "other"),
             (cell_line("9:00-10:00", (0, 30, 100, 90), 30), "time"),
             (cell_line("Y7Maths", (100, 30, 200, 90)), "other"),  # the model sees no event
             (cell_line("R12", (100, 30, 200, 90), 25), "event"),
             (cell_line("Y9 Maths", (200, 30, 300, 90)), "event")]
    blocks = decode_as(lines, size=(300, 90))
    assert blocks[("Monday", "Y7Maths")] == ("09:00", "10:00")
    assert blocks[("Tuesday", "Y9 Maths")] == ("09:00", "10:00")


def test_period_labels_take_their_times_from_the_bell_times_legend_beside_the_grid():
    legend = [(free_line(label, 400, 40 + 30 * k), "other") for k, label in
              enumerate(("P1", "P2", "Break"))]
    legend += [(free_line(times, 470, 40 + 30 * k), "time") for k, times in
               enumerate(("9:00-10:00", "10:00-11:00", "11:00-11:20"))]
    lines = [(cell_line("Monday", (100, 0, 200, 40)), "day"),
             (cell_line("Tuesday", (200, 0, 300, 40)), "day"),
             (cell_line("1", (0, 40, 100, 100)), "other"),
             (cell_line("Maths", (100, 40, 200, 100)), "event"),
             (cell_line("Art", (200, 40, 300, 100)), "event"),
             (cell_line("2", (0, 100, 100, 160)), "other"),
             (cell_line("History", (100, 100, 200, 160)), "event"),
             (cell_line("Break", (100, 160, 300, 190)), "event"),  # under no label: the legend's
             *legend]
    blocks = decode_as(lines, size=(600, 200))
    assert blocks[("Monday", "Maths")] == blocks[("Tuesday", "Art")] == ("09:00", "10:00")
    assert blocks[("Monday", "History")] == ("10:00", "11:00")
    assert blocks[("Tuesday", "Break")] == ("11:00", "11:20")


def test_a_calendar_box_is_timed_by_the_scale_and_dated_by_its_column():
    # 80 px an hour, 8:00 at y = 100; day columns from x = 60 and x = 260. The day pointer
    # says Monday for every line: the column the box stands in says otherwise.
    frame = CalendarFrame(minutes_per_pixel=0.75, minutes_at_top=405.0, columns=[60.0, 260.0],
                          area=Box(x0=55, y0=40, x1=460, y1=600))
    maths, science, duty = (60, 233, 258, 313), (262, 120, 458, 153), (360, 300, 458, 340)
    lines = [(free_line("Monday", 70, 40), "day"), (free_line("Tuesday", 270, 40), "day"),
             *[(free_line(f"{hour}:00", 10, 100 + 80 * (hour - 8)), "time")
               for hour in range(8, 14)],
             (cell_line("Maths", maths), "event"),
             (cell_line("8:15", science), "time"), (cell_line("Science", science, 16), "event"),
             (cell_line("Duty", duty), "event"),
             (free_line("Tasks", 5, 300), "event")]  # the app's side panel, left of the scale
    blocks = decode_as(lines, calendar=frame, size=(460, 600))
    assert not any(name == "Tasks" for _, name in blocks)
    assert blocks[("Monday", "Maths")] == ("09:40", "10:40")  # no time printed: the scale's
    assert blocks[("Tuesday", "Science")] == ("08:15", "08:40")  # a printed start stands
    assert blocks[("Tuesday", "Duty")] == ("10:30", "11:00")  # beside another box in its column


def test_a_records_table_makes_one_block_a_row_with_the_rows_own_day_and_times():
    # Day | Start | End | Subject | Room, the day written once for its rows; the model calls
    # every line an event, and its day pointer says Monday for all of them.
    def cell(text: str, column: int, row: int) -> ReadLine:
        return free_line(text, 10 + 100 * column, 20 + 30 * row)

    # A web table's sort arrows read as letters: "Dayt", "End t".
    header = [(cell(word, k, 0), "other")
              for k, word in enumerate(["Dayt", "Start", "End t", "Subject", "Room"])]
    rows = [("Monday", "08:55", "09:55", "Maths", "M4"), ("", "09:55", "10:55", "Physics", "Lab 2"),
            ("Tuesday", "08:55", "09:55", "History", "H3"), ("", "10:00", "11:00", "Art", "")]
    lines = header + [(cell(text, k, r + 1), "day" if k == 0 else "event")
                      for r, row in enumerate(rows) for k, text in enumerate(row) if text]
    blocks = decode_as(lines, size=(600, 200))
    assert blocks == {("Monday", "Maths"): ("08:55", "09:55"),
                      ("Monday", "Physics"): ("09:55", "10:55"),
                      ("Tuesday", "History"): ("08:55", "09:55"),
                      ("Tuesday", "Art"): ("10:00", "11:00")}


def test_a_records_table_under_day_sections_takes_each_row_s_day_from_its_section():
    # A learner portal's week: "Time | Activity | Room | Staff", each day a section row
    # ("Monday 13/01/2025") over its rows; the model calls every line an event.
    def cell(text: str, column: int, row: int) -> ReadLine:
        return free_line(text, 10 + 120 * column, 20 + 30 * row)

    header = [(cell(word, k, 0), "other")
              for k, word in enumerate(["Time", "Activity", "Room", "Staff"])]
    rows = [("Monday 13/01/2025",), ("09.00 - 10.30", "Sociology", "S12", "Mr T. Wright"),
            ("10.45 - 12.15", "Psychology", "S14", "Dr A. Moss"), ("Tuesday 14/01/2025",),
            ("11.00 - 12.00", "Tutorial", "T02", "Mr J. Rudd")]
    lines = header + [(cell(text, k, r + 1), "day" if len(row) == 1 else "event")
                      for r, row in enumerate(rows) for k, text in enumerate(row)]
    blocks = decode_as(lines, notes=True, size=(600, 200))
    assert blocks == {("Monday", "Sociology"): ("09:00", "10:30", "S12 Mr T. Wright"),
                      ("Monday", "Psychology"): ("10:45", "12:15", "S14 Dr A. Moss"),
                      ("Tuesday", "Tutorial"): ("11:00", "12:00", "T02 Mr J. Rudd")}


def test_a_records_table_s_description_names_its_rows_and_its_course_code_is_a_note():
    # A college portal's "Day | Time | Course code | Description | Room | Staff".
    def cell(text: str, column: int, row: int) -> ReadLine:
        return free_line(text, 10 + 120 * column, 20 + 30 * row)

    header = [(cell(word, k, 0), "other") for k, word in enumerate(
        ["Day", "Time", "Course code", "Description", "Room", "Staff"])]
    rows = [("Monday", "09:00 - 10:30", "AL-MAT-12", "Mathematics", "M1.03", "Mr P. Singh"),
            ("", "10:45 - 12:15", "AL-PHY-12", "Physics", "S3.02", "Mrs C. Adeyemi")]
    lines = header + [(cell(text, k, r + 1), "day" if k == 0 else "event")
                      for r, row in enumerate(rows) for k, text in enumerate(row) if text]
    blocks = decode_as(lines, notes=True, size=(800, 120))
    assert blocks == {
        ("Monday", "Mathematics"): ("09:00", "10:30", "AL-MAT-12 M1.03 Mr P. Singh"),
        ("Monday", "Physics"): ("10:45", "12:15", "AL-PHY-12 S3.02 Mrs C. Adeyemi")}


def test_a_teacher_code_in_capitals_under_a_name_is_a_note():
    # aSc: "Eng" over "BRN" over "204"; the model calls "BRN" part of the name.
    cell = (100, 40, 200, 120)
    lines = [(cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("9:00-10:00", (100, 0, 200, 40)), "time"),
             (cell_line("Eng", cell), "event"), (cell_line("BRN", cell, 20), "event"),
             (cell_line("204", cell, 40), "notes")]
    assert decode_as(lines) == {("Monday", "Eng"): ("09:00", "10:00")}


def test_a_list_row_takes_the_range_printed_right_before_its_name():
    # A day's lessons as lines "time  subject", no grid; the time pointers know nothing.
    def row(time: str, name: str, y: int) -> list[tuple[ReadLine, str]]:
        return [(free_line(time, 10, y), "time"), (free_line(name, 140, y), "event")]

    # The model calls "Break" "other": a list row's words are an event all the same.
    lines = [(free_line("Monday", 10, 0), "day"), *row("8:50-9:50", "Physics", 30),
             *row("9:50-10:50", "Mathematics", 60), *row("10:50-11:10", "Break", 90)]
    lines[-1] = (lines[-1][0], "other")
    assert decode_as(lines, size=(400, 200)) == {("Monday", "Physics"): ("08:50", "09:50"),
                                                  ("Monday", "Mathematics"): ("09:50", "10:50"),
                                                  ("Monday", "Break"): ("10:50", "11:10")}


def test_a_list_row_s_digits_stand_shorter_than_its_name_beside_them():
    # "10.35 - 11.40" has no descender and no capital: its box is 0.63 of "English"'s.
    def sized(text: str, x0: int, y0: int, y1: int) -> ReadLine:
        box = Box(x0=x0, y0=y0, x1=x0 + 10 * len(text), y1=y1)
        return ReadLine(text=text, box=box, cell_box=box)

    lines = [(free_line("Tuesday", 10, 0), "day"),
             (sized("10.20 - 10.35", 10, 40, 66), "time"), (sized("Break", 180, 36, 70), "event"),
             (sized("10.35 - 11.40", 10, 96, 122), "time"), (sized("English", 180, 89, 130),
                                                             "event"),
             (sized("11.40 - 12.15", 10, 152, 178), "time"), (sized("Spelling", 180, 147, 186),
                                                              "event")]
    assert decode_as(lines, size=(400, 200), joined=[4, 6]) == {
        ("Tuesday", "Break"): ("10:20", "10:35"), ("Tuesday", "English"): ("10:35", "11:40"),
        ("Tuesday", "Spelling"): ("11:40", "12:15")}


def test_a_list_row_is_one_event_with_the_words_further_along_it_as_notes():
    # "time   course   room" rows under a day heading; the model joins the rows into one
    # event and calls the rooms events of their own. Each row is an event, its room a note.
    lines = [(free_line("Friday", 10, 0), "day"),
             (free_line("10:00-12:00", 10, 30), "time"), (free_line("CS210 Lab", 140, 30), "event"),
             (free_line("Lab L3", 500, 30), "event"),
             (free_line("13:00-14:00", 10, 60), "time"),
             (free_line("MA210 Lecture", 140, 60), "event"),
             (free_line("Room B12", 500, 60), "event")]
    page_blocks = decode_as(lines, size=(700, 100), joined=[2, 3, 5, 6], notes=True)
    assert page_blocks == {("Friday", "CS210 Lab"): ("10:00", "12:00", "Lab L3"),
                           ("Friday", "MA210 Lecture"): ("13:00", "14:00", "Room B12")}


def test_a_day_s_list_drawn_as_one_box_is_a_list_of_events():
    # A planner's day card: "MONDAY" in its own box over one ruled box holding the day's rows
    # "8:15-8:30  Arrival"; the model takes the box's lines for one event. Each row is an
    # event, timed by the range before its name.
    body = Box(x0=0, y0=40, x1=400, y1=200)

    def in_body(text: str, x: int, y: int) -> ReadLine:
        return ReadLine(text=text, box=Box(x0=x, y0=y, x1=x + 10 * len(text), y1=y + 20),
                        cell_box=body, table=0, row=1, col=0, ruled=True)

    rows = [("8:15-8:30", "Arrival"), ("8:30-8:50", "Morning Mtg"), ("8:50-10:00", "Phonics")]
    lines = [(cell_line("MONDAY", (0, 0, 400, 40)), "day")]
    for k, (time, name) in enumerate(rows):
        lines += [(in_body(time, 10, 50 + 40 * k), "time"), (in_body(name, 120, 50 + 40 * k),
                                                             "event")]
    assert decode_as(lines, size=(400, 220), joined=[2, 4, 6]) == {
        ("Monday", "Arrival"): ("08:15", "08:30"), ("Monday", "Morning Mtg"): ("08:30", "08:50"),
        ("Monday", "Phonics"): ("08:50", "10:00")}


@pytest.mark.parametrize(("header", "day", "rows", "joined", "expected"), [
    # A divided period: "Guided Reading" over "11:25-11:50", then "Spelling" over
    # "11:50-12:15", in the one drawn cell under "11:25-12:15"; each range's box overlaps its
    # name's a little.
    ("11:25-12:15", "Monday",
     [("Guided Reading", "event", 0), ("11:25-11:50", "time", 12), ("Spelling", "event", 40),
      ("11:50-12:15", "time", 52)], [2, 4],
     {("Monday", "Guided Reading"): ("11:25", "11:50"),
      ("Monday", "Spelling"): ("11:50", "12:15")}),
    # The other way up: "2:00 - 2:20" over "Library Visit", "2:20 - 2:45" over "Busy Time".
    ("2:00-2:45", "Wednesday",
     [("2:00 - 2:20", "time", 0), ("Library Visit", "event", 16), ("2:20 - 2:45", "time", 44),
      ("Busy Time", "event", 60)], [3, 5],
     {("Wednesday", "Library Visit"): ("14:00", "14:20"),
      ("Wednesday", "Busy Time"): ("14:20", "14:45")}),
])
def test_a_cell_of_two_events_each_with_its_own_range_is_two_events(header, day, rows, joined,
                                                                     expected):
    # The model joins the two names into one event.
    cell = (100, 40, 260, 160)
    lines = [(cell_line(header, (100, 0, 260, 40)), "time"),
             (cell_line(day, (0, 40, 100, 160)), "day"),
             *[(cell_line(text, cell, dy), role) for text, role, dy in rows]]
    assert decode_as(lines, size=(300, 200), joined=joined) == expected


def test_a_day_header_s_other_language_heads_no_column_of_its_own():
    # A Welsh school's header cells: "Llun" over "Mon", ..., "Iau" over "Thu" ("Iau" is no
    # day name the reading knows). "Iau" stands on the row of three day headers naming no
    # day: it was taken for the head of a column beside the week's, and Thursday's lessons
    # under it for no day's.
    welsh = ["Llun", "Mawrth", "Mercher", "Iau"]
    english = ["Mon", "Tue", "Wed", "Thu"]
    lines = [(cell_line("9:00-10:00", (0, 60, 100, 120)), "time")]
    for k, (cy, en) in enumerate(zip(welsh, english, strict=True)):
        head = (100 + 100 * k, 0, 200 + 100 * k, 60)
        lines += [(cell_line(cy, head), "day" if cy != "Iau" else "other"),
                  (cell_line(en, head, 25), "day")]
    lines += [(cell_line(name, (100 + 100 * k, 60, 200 + 100 * k, 120)), "event")
              for k, name in enumerate(["Cymraeg", "Maths", "Art", "Bac Cymru"])]
    blocks = decode_as(lines, size=(520, 140))
    assert blocks[("Thursday", "Bac Cymru")] == ("09:00", "10:00")
    assert not any(name == "Iau" for _, name in blocks)


def text_cell(text: str, x0: int, y0: int) -> ReadLine:
    """A line in a cell the structure stage inferred from the text alone (white day names on
    a dark band): in the table, but no drawn cell."""
    box = Box(x0=x0, y0=y0, x1=x0 + 10 * len(text), y1=y0 + 20)
    return ReadLine(text=text, box=box, cell_box=box, table=0, from_text=True)


def test_a_band_across_the_week_under_day_names_in_cells_read_from_the_text_is_every_day_s():
    lines = [(text_cell("Monday", 150, 10), "day"), (text_cell("Tuesday", 350, 10), "day"),
             (cell_line("9:00-10:00", (0, 40, 100, 120)), "time"),
             (cell_line("Maths", (100, 40, 300, 120)), "event"),
             (cell_line("Art", (300, 40, 500, 120)), "event"),
             (cell_line("12:00-13:00", (0, 120, 100, 160)), "time"),
             (cell_line("Lunch", (250, 120, 500, 160)), "event")]
    lines[-1][0].cell_box = Box(x0=100, y0=120, x1=500, y1=160)  # merged across the week
    blocks = decode_as(lines, size=(500, 160))
    assert blocks[("Monday", "Lunch")] == blocks[("Tuesday", "Lunch")] == ("12:00", "13:00")



def test_a_break_down_the_middle_of_days_in_rows_is_every_day_s_where_its_fill_stops_short():
    # Days down the side, no rule: "Break" stands in its own column halfway down the week, and
    # its grey fill, shaded in the photo, was found over Monday and Tuesday only.
    days = ["Monday", "Tuesday", "Wednesday", "Thursday"]
    lines = [(text_cell("9:00-10:00", 150, 10), "time"),
             (text_cell("10:30-11:30", 350, 10), "time")]
    for k, day in enumerate(days):
        lines += [(text_cell(day, 10, 60 + 80 * k), "day"),
                  (text_cell("Maths", 150, 60 + 80 * k), "event"),
                  (text_cell("Art", 350, 60 + 80 * k), "event")]
    lines.append((text_cell("Break", 265, 170), "event"))
    lines[-1][0].card = Box(x0=260, y0=50, x1=310, y1=200)
    blocks = decode_as(lines, size=(500, 340))
    assert {day for day, name in blocks if name == "Break"} == set(days)


def test_a_day_s_own_time_column_times_its_lessons():
    # Each day header spans its own "Time | Subject" columns; Friday's periods run on other
    # times than Thursday's.
    def centred(text: str, cell: tuple[int, int, int, int]) -> ReadLine:
        line = cell_line(text, cell)
        shift = (cell[0] + cell[2]) / 2 - line.box.cx
        line.box = Box(x0=line.box.x0 + shift, y0=line.box.y0, x1=line.box.x1 + shift,
                       y1=line.box.y1)
        return line

    days = {"Wednesday": ("8:00-8:45", "8:45-9:30"), "Thursday": ("8:00-8:45", "8:45-9:30"),
            "Friday": ("8:00-8:40", "8:40-9:20")}
    lines = []
    for k, (day, times) in enumerate(days.items()):
        x = 300 * k
        lines += [(cell_line(day, (x, 0, x + 300, 40)), "day"),
                  (centred("Time", (x, 40, x + 100, 70)), "other"),
                  (centred("Subject", (x + 100, 40, x + 300, 70)), "other")]
        for row, time in enumerate(times):
            top = 70 + 60 * row
            lines += [(centred(time, (x, top, x + 100, top + 60)), "time"),
                      (centred(f"Lesson {k}{row}", (x + 100, top, x + 300, top + 60)),
                       "event")]
    page, decisions = read_as(lines, size=(900, 190))
    decisions.start[:] = decisions.end[:] = 0.0
    decisions.start[:, 2] = decisions.end[:, 3] = 1.0  # the pointers: Wednesday's 8:45-9:30
    blocks = {(b.day, b.name): (b.start_time, b.end_time)
              for b in decode_blocks(page, decisions)}
    assert blocks[("Friday", "Lesson 21")] == ("08:40", "09:20")
    assert blocks[("Thursday", "Lesson 11")] == ("08:45", "09:30")


def test_a_card_across_a_visual_timetable_s_row_is_every_day_it_reaches_over():
    # No rule anywhere: pastel cards, "Playtime" one long card under both days' headers.
    lines = [(text_cell("Monday", 150, 10), "day"), (text_cell("Tuesday", 350, 10), "day"),
             (text_cell("9:00-10:00", 0, 60), "time"), (text_cell("Maths", 150, 60), "event"),
             (text_cell("Art", 350, 60), "event"), (text_cell("10:30-10:45", 0, 110), "time"),
             (text_cell("Playtime", 260, 110), "event")]
    for line, _ in lines[:2]:
        line.card = Box(x0=line.box.x0 - 40, y0=5, x1=line.box.x1 + 40, y1=35)
    lines[-1][0].card = Box(x0=110, y0=100, x1=480, y1=140)
    blocks = decode_as(lines, size=(500, 160))
    assert blocks[("Monday", "Playtime")] == blocks[("Tuesday", "Playtime")] == ("10:30", "10:45")
    # A card of its own day's width stays that day's.
    lines[-1][0].card = Box(x0=250, y0=100, x1=480, y1=140)
    assert ("Monday", "Playtime") not in decode_as(lines, size=(500, 160))


def test_a_band_of_light_across_a_photographed_list_is_no_card_over_the_week():
    # Day lists in two columns, photographed: the light leaves a band the structure stage
    # takes for a fill under Wednesday's "09:00 Assembly", reaching over the right column's
    # reminders; and under Tuesday's last line, one reaching down the stacked left column.
    lines = [(text_cell("Monday", 10, 10), "day"), (text_cell("Thursday", 400, 10), "day"),
             (text_cell("9:00 Maths", 10, 40), "event"), (text_cell("9:00 Art", 400, 40), "event"),
             (text_cell("Tuesday", 10, 80), "day"), (text_cell("9:00 Music", 10, 110), "event"),
             (text_cell("Wednesday", 10, 150), "day"),
             (text_cell("9:00 Assembly", 10, 180), "event"),
             (text_cell("Reminders: bring wellies", 400, 180), "other")]
    lines[7][0].card = Box(x0=5, y0=175, x1=700, y1=205)
    lines[5][0].card = Box(x0=0, y0=5, x1=380, y1=140)
    blocks = decode_as(lines, size=(700, 220))
    assert {day for day, name in blocks if "Assembly" in name} == {"Wednesday"}
    assert {day for day, name in blocks if "Music" in name} == {"Tuesday"}


def test_a_grid_of_starts_parts_two_times_left_in_one_header_between_them():
    # Days as rows, 20-minute columns headed by their starts. The rulings between "8:40"
    # and "9:00" (one drawn cell) and between "9:20" and "9:40" (no cell found) were lost,
    # and no lesson ends at either: each time still heads its own column.
    lines = [(cell_line("8:40", (100, 0, 180, 30)), "time"),
             (cell_line("9:00", (140, 0, 260, 30)), "time"),
             (text_cell("9:20", 280, 5), "time"), (text_cell("9:40", 360, 5), "time"),
             (text_cell("10:00", 440, 5), "time"),
             (cell_line("Monday", (0, 30, 100, 100)), "day"),
             (cell_line("Maths", (100, 30, 260, 100)), "event"),
             (cell_line("English", (260, 30, 420, 100)), "event"),
             (cell_line("Tuesday", (0, 100, 100, 170)), "day"),
             (cell_line("Art", (100, 100, 180, 170)), "event"),
             (cell_line("Music", (180, 100, 500, 170)), "event")]
    lines[0][0].cell_box = lines[1][0].cell_box = Box(x0=100, y0=0, x1=260, y1=30)
    lines[1][0].box = Box(x0=200, y0=5, x1=240, y1=20)
    blocks = decode_as(lines, size=(500, 170))
    assert blocks[("Monday", "Maths")] == ("08:40", None)
    assert blocks[("Monday", "English")] == ("09:20", None)
    assert blocks[("Tuesday", "Music")] == ("09:00", None)


def test_a_footnote_or_a_sign_off_under_the_table_is_no_event():
    lines = [(text_cell("Monday", 10, 40), "day"), (text_cell("08:30-09:15", 120, 10), "time"),
             (text_cell("English", 120, 40), "event"),
             (text_cell("* Sport on Wednesday afternoon: bring a hat.", 10, 120), "event"),
             (text_cell("Kind regards,", 10, 150), "event"),  # the mail's sign-off
             (text_cell("Page 1 of 1", 300, 150), "event")]  # the printout's page number
    assert set(decode_as(lines, size=(500, 180))) == {("Monday", "English")}


def test_a_name_ending_in_a_comma_before_its_time_is_an_event():
    # A calendar box's one line "Homeroom, 7:55 - 8:05am", read as two pieces: the comma is
    # no sign-off's, its row goes on.
    lines = [(text_cell("Monday", 10, 10), "day"),
             (text_cell("Homeroom,", 10, 40), "event"),
             (text_cell("7:55 - 8:05am", 120, 40), "time")]
    assert decode_as(lines, size=(300, 80), joined=[1, 2]) == {
        ("Monday", "Homeroom"): ("07:55", "08:05")}


def test_a_colour_key_under_the_table_names_no_event():
    # The key's swatch names stand under the week's columns, outside the table, as its day
    # names do (white on a dark band, outside every cell).
    lines = [(free_line("Monday", 110, 10), "day"), (free_line("Tuesday", 210, 10), "day"),
             (cell_line("9:00-10:00", (0, 40, 100, 120)), "time"),
             (cell_line("English", (100, 40, 200, 120)), "event"),
             (cell_line("Maths", (200, 40, 300, 120)), "event"),
             (free_line("Key", 5, 150), "other"),
             (free_line("Core", 110, 180), "event"),
             (free_line("Languages", 210, 180), "event")]
    assert set(decode_as(lines, size=(300, 210))) == {("Monday", "English"), ("Tuesday", "Maths")}
    # A college legend's title over its staff.
    lines[5] = (free_line("Faculty / Subject Details", 5, 150), "other")
    assert set(decode_as(lines, size=(300, 210))) == {("Monday", "English"), ("Tuesday", "Maths")}


def test_a_legend_ruled_into_the_week_s_table_names_no_event():
    # A college sheet's faculty legend under the grid, in the same ruled table: its column
    # labels, then each code with its subject and teacher, under Friday's column.
    lines = [(cell_line("Thursday", (100, 0, 200, 40)), "day"),
             (cell_line("Friday", (200, 0, 300, 40)), "day"),
             (cell_line("9:00-10:00", (0, 40, 100, 120)), "time"),
             (cell_line("PE", (100, 40, 200, 120)), "event"),
             (cell_line("CS", (200, 40, 300, 120)), "event"),
             *[(cell_line(text, (x, 140, x + 60, 170)), "other")
               for text, x in (("Code", 0), ("Subject", 60), ("Cr. Hrs", 120), ("Teacher", 180))],
             *[(cell_line(text, (x, 170, x + 60, 200)), "event")
               for text, x in (("EE-341", 0), ("Power Electronics", 60), ("3+1", 120),
                               ("Dr. Memon", 180))]]
    assert set(decode_as(lines, size=(300, 240))) == {("Thursday", "PE"), ("Friday", "CS")}


def test_a_key_table_under_the_week_names_no_event():
    # A table of its own headed "Key": abbreviations beside what they stand for, "Fr" for
    # French among them, read as a day header that the model points the key's lines at.
    def key_cell(text: str, cell: tuple[int, int, int, int]) -> ReadLine:
        line = cell_line(text, cell)
        line.table = 1
        return line

    lines = [(cell_line("Monday", (100, 0, 200, 40)), "day"),
             (cell_line("Friday", (200, 0, 300, 40)), "day"),
             (cell_line("9:00-10:00", (0, 40, 100, 120)), "time"),
             (cell_line("Ma", (100, 40, 200, 120)), "event"),
             (cell_line("Fr", (200, 40, 300, 120)), "event"),
             (key_cell("Key", (0, 140, 300, 170)), "other"),
             (key_cell("Fr", (0, 170, 50, 200)), "day"),
             (key_cell("French", (50, 170, 300, 200)), "event"),
             (key_cell("Ma", (0, 200, 50, 230)), "event"),
             (key_cell("Mathematics", (50, 200, 300, 230)), "event")]
    page, decisions = read_as(lines, size=(300, 240))
    decisions.day[:, :] = 0.0
    decisions.day[[3, 4], [0, 1]] = 1.0
    decisions.day[5:, 6] = 1.0
    assert {(b.day, b.name) for b in decode_blocks(page, decisions)} == {
        ("Monday", "Ma"), ("Friday", "Fr")}


def small_print(text: str, cell: tuple[int, int, int, int]) -> ReadLine:
    """A line printed smaller than `cell_line`'s (6 px a letter against 10)."""
    x0, y0, x1, y1 = cell
    return ReadLine(text=text, box=Box(x0=x0 + 5, y0=y0 + 3, x1=x0 + 5 + 6 * len(text),
                                       y1=y1 - 3),
                    cell_box=Box(x0=x0, y0=y0, x1=x1, y1=y1), table=0, ruled=True)


def test_a_thin_row_of_small_print_under_a_row_of_lessons_holds_their_notes():
    # A Word table giving each lesson's room and teacher a row of its own, under the period's
    # label merged over both rows.
    lines = [(cell_line("Monday", (100, 0, 200, 40)), "day"),
             (cell_line("Tuesday", (200, 0, 300, 40)), "day"),
             (cell_line("9:00-10:00", (0, 40, 100, 140)), "time"),
             (cell_line("English", (100, 40, 200, 110)), "event"),
             (cell_line("Maths", (200, 40, 300, 110)), "event"),
             (small_print("E4 - KWH", (100, 110, 200, 135)), "event"),
             (small_print("M2 - DPR", (200, 110, 300, 135)), "event")]
    assert decode_as(lines, size=(300, 140), notes=True) == {
        ("Monday", "English"): ("09:00", "10:00", "E4 - KWH"),
        ("Tuesday", "Maths"): ("09:00", "10:00", "M2 - DPR")}
    # A thin row with a time of its own is a slot of its own.
    timed = [*lines, (cell_line("10:00", (0, 110, 100, 135)), "time")]
    timed[2] = (cell_line("9:00", (0, 40, 100, 110)), "time")
    assert ("Monday", "E4 - KWH") in decode_as(timed, size=(300, 140))


def test_a_list_row_laid_out_with_tabs_takes_its_time_and_its_room_as_a_note():
    # A Word page of tab stops: the time far before the name, a room after it printed
    # without ascenders or descenders (a lower box).
    lines = [(free_line("Tuesday", 10, 0), "day"),
             (free_line("1.10 - 2.10 pm", 10, 40), "time"),
             (free_line("Geography", 320, 38), "event"),
             (free_line("Room 11", 600, 40), "event")]
    lines[2][0].box = Box(x0=320, y0=36, x1=420, y1=64)
    lines[3][0].box = Box(x0=600, y0=40, x1=670, y1=60)
    assert decode_as(lines, size=(700, 80), notes=True) == {
        ("Tuesday", "Geography"): ("13:10", "14:10", "Room 11")}


def test_a_time_under_its_own_card_s_name_is_no_list_time_of_the_name_beside_it():
    # A visual timetable's cards, name over time: Monday's "Phonics" card beside Tuesday's
    # "Maths", whose name stands level with Monday's time.
    page = PageReading(width=400, height=120, lines=[
        free_line("Phonics", 10, 10), free_line("9:15 - 9:45", 10, 32),
        free_line("Maths", 200, 32), free_line("9:20 - 10:15", 200, 54)])
    atoms = time_atoms(page.lines)
    assert times_beside(page, atoms, 2) == []


def test_a_remark_in_sentences_under_the_last_day_s_list_is_no_event():
    lines = [(free_line("Friday", 10, 0), "day"), (free_line("14:00-15:00", 10, 30), "time"),
             (free_line("Personal Tutorial", 200, 30), "event"),
             (free_line("Times are shown in local time. Activities marked online show a link.",
                        10, 90), "event")]
    assert decode_as(lines, size=(900, 120)) == {
        ("Friday", "Personal Tutorial"): ("14:00", "15:00")}


def test_a_lab_named_with_its_engineer_s_title_is_an_event_not_a_remark():
    # "Engr." ends no sentence: eight words with a title's full stop are still a name.
    lines = [(free_line("Friday", 10, 0), "day"), (free_line("14:00-16:00", 10, 30), "time"),
             (free_line("Operating Systems Lab CL-2006 Engr. Bilal Ahmed Lab-3", 200, 30),
              "event")]
    blocks = decode_as(lines, size=(900, 120))
    assert list(blocks.values()) == [("14:00", "16:00")]


def test_times_on_a_dark_band_in_cells_read_from_the_text_time_a_days_as_rows_table():
    # As above, with the band's times in cells the structure stage inferred from the text.
    lines = [(text_cell("8:00-8:50", 105, 10), "time"), (text_cell("8:50-9:40", 205, 10), "time"),
             (cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("Maths", (100, 40, 200, 120)), "event"),
             (cell_line("Biology", (200, 40, 300, 120)), "event"),
             (cell_line("Tuesday", (0, 120, 100, 200)), "day"),
             (cell_line("Lab", (100, 120, 300, 200)), "event")]
    blocks = decode_as(lines, size=(300, 200))
    assert blocks[("Monday", "Maths")] == ("08:00", "08:50")
    assert blocks[("Tuesday", "Lab")] == ("08:00", "09:40")


def test_two_drawn_cells_are_two_events_whatever_the_model_links():
    # aSc's period split between two groups by a dashed divider: two cells side by side; the
    # model links all four lines.
    lines = [(cell_line("9:00-10:00", (0, 0, 100, 40)), "time"),
             (cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("Physics", (100, 40, 200, 120)), "event"),
             (cell_line("10B-1", (100, 40, 200, 120), 25), "notes"),
             (cell_line("Biology", (200, 40, 300, 120)), "event"),
             (cell_line("10C-2", (200, 40, 300, 120), 25), "notes")]
    lines[0][0].cell_box = Box(x0=100, y0=0, x1=300, y1=40)  # the period's header over both
    assert decode_as(lines, size=(300, 120), joined=[2, 3, 4, 5], notes=True) == {
        ("Monday", "Physics"): ("09:00", "10:00", "10B-1"),
        ("Monday", "Biology"): ("09:00", "10:00", "10C-2")}


def test_a_calendar_box_s_lone_number_far_from_its_top_is_a_room_not_its_start():
    frame = CalendarFrame(minutes_per_pixel=0.75, minutes_at_top=405.0, columns=[60.0, 260.0],
                          area=Box(x0=55, y0=40, x1=460, y1=600))
    lecture = (262, 300, 458, 380)  # 10:30 to 11:30 on the scale
    lines = [(free_line("Monday", 70, 40), "day"), (free_line("Tuesday", 270, 40), "day"),
             *[(free_line(f"{hour}:00", 10, 100 + 80 * (hour - 8)), "time")
               for hour in range(8, 14)],
             (cell_line("Statistics", lecture), "event"),
             (cell_line("Queens 1.40", lecture, 16), "notes")]
    blocks = decode_as(lines, calendar=frame, size=(460, 600))
    assert blocks[("Tuesday", "Statistics")] == ("10:30", "11:30")


def test_a_card_s_own_lone_time_is_its_start_whatever_the_pointers_say():
    # Visual timetable cards: "3:15" over "Home Time" (no end printed), the card before it
    # "2:00 - 3:00" over "Art". The time pointers know nothing.
    def card(text: str, x0: int, y0: int, dy: int = 0) -> ReadLine:
        line = text_cell(text, x0, y0 + dy)
        line.cell_box = Box(x0=x0, y0=y0, x1=x0 + 120, y1=y0 + 50)
        return line

    lines = [(free_line("Monday", 10, 0), "day"),
             (card("2:00 - 3:00", 10, 30), "time"), (card("Art", 10, 30, 24), "event"),
             (card("3:15", 10, 90), "time"), (card("Home Time", 10, 90, 24), "event")]
    blocks = decode_as(lines, size=(200, 160))
    assert blocks[("Monday", "Art")] == ("14:00", "15:00")
    assert blocks[("Monday", "Home Time")] == ("15:15", None)


def test_hour_marks_in_one_header_cell_each_head_the_column_under_them():
    # A university grid, days as rows, hour marks as column headers; the light ruling between
    # the first two header cells was lost, so one cell holds "09:00" and "10:00".
    header = Box(x0=100, y0=0, x1=300, y1=40)

    def mark(text: str, x0: int) -> ReadLine:
        return ReadLine(text=text, box=Box(x0=x0, y0=10, x1=x0 + 50, y1=28), cell_box=header,
                        table=0, ruled=True)

    lines = [(mark("09:00", 105), "time"), (mark("10:00", 205), "time"),
             (cell_line("11:00", (300, 0, 400, 40)), "time"),
             (cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("Algorithms", (100, 40, 200, 120)), "event"),
             (cell_line("Databases", (200, 40, 400, 120)), "event"),
             (cell_line("Tuesday", (0, 120, 100, 200)), "day"),
             (cell_line("Networks", (100, 120, 300, 200)), "event")]
    blocks = decode_as(lines, size=(400, 200))
    assert blocks[("Monday", "Algorithms")][0] == "09:00"
    assert blocks[("Monday", "Databases")][0] == "10:00"
    assert blocks[("Tuesday", "Networks")][0] == "09:00"


def test_a_meridiem_split_off_its_time_names_nothing():
    # "1:55-2:45 pm" read as "155-245" and "pm" over "Music"; the model calls "pm" the event.
    lines = [(cell_line("Monday", (100, 0, 200, 40)), "day"),
             (cell_line("1:55-2:45", (0, 40, 100, 120)), "time"),
             (cell_line("pm", (100, 40, 200, 120)), "event"),
             (cell_line("Music", (100, 40, 200, 120), 25), "notes")]
    assert decode_as(lines, size=(200, 120), notes=True) == {
        ("Monday", "Music"): ("13:55", "14:45", None)}


def test_codes_in_a_cell_s_bottom_corners_are_notes_even_nearer_its_centre_than_the_name():
    # A student timetable's cell: the subject top left, the room bottom left and the teacher's
    # code bottom right; the code's box stands nearer the cell's centre than the name's.
    at = partial(in_cell, cell=(100, 40, 265, 128))
    lines = [(cell_line("Monday", (0, 40, 100, 128)), "day"),
             (cell_line("9:00-10:00", (100, 0, 265, 40)), "time"),
             (at("English", (108, 50, 170, 68)), "notes"), (at("E4", (108, 78, 128, 94)), "notes"),
             (at("KPA", (218, 80, 252, 96)), "event")]
    assert decode_as(lines, size=(300, 140), notes=True) == {
        ("Monday", "English"): ("09:00", "10:00", "E4 KPA")}


def test_a_name_printed_beside_its_row_s_time_is_no_corner_code():
    # A day's boxed list: each row one drawn cell, its time at the left, then the activity
    # with its room under it. The time and the name share a text row, far apart, as a pair of
    # corner codes would; but the name stands against neither side of the cell.
    at = partial(in_cell, cell=(0, 40, 600, 110), row=1)
    lines = [(cell_line("Monday", (0, 0, 600, 40)), "day"),
             (at("9.30-10.15", (10, 50, 110, 68)), "time"),
             (at("Functional Maths", (220, 48, 420, 70)), "event"),
             (at("Room 6", (220, 80, 290, 98)), "notes")]
    assert decode_as(lines, size=(600, 120), notes=True) == {
        ("Monday", "Functional Maths"): ("09:30", "10:15", "Room 6")}


def test_a_drawn_day_cell_listing_timed_rows_with_sub_lines_is_a_list():
    # A reception class's day cell: "8:50-9:05 Register", "9:05-9:30 Phonics" with "Set 1" in
    # smaller print under its time, "9:30-10:15 Maths"; the model took the cell for one event.
    # The sub-line under one row's time is neither the name that time heads nor the next's.
    at = partial(in_cell, cell=(0, 40, 300, 170), row=1)
    lines = [(cell_line("Monday", (0, 0, 300, 40)), "day"),
             (at("8:50-9:05", (10, 50, 95, 72)), "time"),
             (at("Register", (97, 50, 170, 72)), "event"),
             (at("9:05-9:30", (10, 78, 95, 100)), "time"),
             (at("Phonics", (97, 78, 165, 100)), "event"),
             (at("Set 1", (16, 101, 52, 117)), "notes"),
             (at("9:30-10:15", (10, 124, 105, 146)), "time"),
             (at("Maths", (107, 124, 160, 146)), "event")]
    assert decode_as(lines, size=(300, 180), notes=True, joined=[2, 4, 5, 7]) == {
        ("Monday", "Register"): ("08:50", "09:05", None),
        ("Monday", "Phonics"): ("09:05", "09:30", "Set 1"),
        ("Monday", "Maths"): ("09:30", "10:15", None)}


def test_a_lesson_in_two_untimed_periods_of_a_day_is_two_blocks():
    # Headers "Period 3" and "Period 4" print no times; Science fills both cells on Monday.
    lines = [(cell_line("Period 3", (100, 0, 200, 40)), "other"),
             (cell_line("Period 4", (200, 0, 300, 40)), "other"),
             (cell_line("Monday", (0, 40, 100, 120)), "day"),
             (cell_line("Science", (100, 40, 200, 120)), "event"),
             (cell_line("Science", (200, 40, 300, 120)), "event")]
    page, decisions = read_as(lines, size=(300, 120))
    blocks = decode_blocks(page, decisions)
    assert [(b.day, b.name, b.start_time, b.end_time) for b in blocks] == [
        ("Monday", "Science", None, None)] * 2


def test_a_course_list_names_each_row_by_its_title_on_every_day_its_codes_name():
    # A college portal: Course | Title | Days | Time | Room; the course code is a note.
    def cell(text: str, x0: int, row: int) -> ReadLine:
        return free_line(text, x0, 20 + 30 * row)

    columns = (10, 110, 310, 390, 560)
    header = [(cell(word, x, 0), "other")
              for x, word in zip(columns, ["COURSE", "TITLE", "DAYS", "TIME", "ROOM"], strict=True)]
    rows = [("MATH 221", "Calculus II", "MWF", "9:00-9:50 AM", "Hartley 204"),
            ("HIST 150", "U.S. History", "TTh", "2:00-3:15 PM", "Lyman Hall")]
    lines = header + [(cell(text, x, r + 1), "day" if x == columns[2] else "event")
                      for r, row in enumerate(rows) for x, text in zip(columns, row, strict=True)]
    blocks = decode_as(lines, size=(700, 120), notes=True)
    assert blocks == {
        **{(day, "Calculus II"): ("09:00", "09:50", "MATH 221 Hartley 204")
           for day in ("Monday", "Wednesday", "Friday")},
        **{(day, "U.S. History"): ("14:00", "15:15", "HIST 150 Lyman Hall")
           for day in ("Tuesday", "Thursday")}}


def test_a_name_line_ending_in_an_ampersand_goes_on_in_the_line_under_it():
    # A slide's card "Karakia &" over "Roll": the model calls the first line "other".
    lines = [(free_line("Monday", 10, 60), "day"), (free_line("9:00-9:15", 120, 10), "time"),
             (free_line("Karakia &", 110, 55), "other"), (free_line("Roll", 125, 78), "event")]
    blocks = decode_as(lines, size=(300, 120))
    assert blocks == {("Monday", "Karakia & Roll"): ("09:00", "09:15")}


def test_a_column_beside_the_week_that_names_no_day_holds_no_day_s_events():
    # A board: a column per day and a "Homework" list beside them; and its "+ Add a card".
    lines = [(free_line("Monday", 10, 10), "day"), (free_line("Tuesday", 210, 10), "day"),
             (free_line("Wednesday", 410, 10), "day"), (free_line("Homework", 610, 10), "event"),
             (free_line("9:00-10:00", 10, 40), "time"), (free_line("Maths", 10, 62), "event"),
             (free_line("+ Add a card", 10, 100), "event"),
             (free_line("Read ch. 4", 610, 40), "event")]
    assert decode_as(lines, size=(800, 140)) == {("Monday", "Maths"): ("09:00", "10:00")}


def test_a_newsletter_s_day_lists_are_the_week_its_inbox_and_notices_are_not():
    # A mail's reading pane: day headings, each over its list rows; after Friday's list a
    # "Notices" heading over a remark; the inbox beside the pane lists other mails.
    def row(time: str, name: str, y: int) -> list[tuple[ReadLine, str]]:
        return [(free_line(time, 310, y), "time"), (free_line(name, 440, y), "event")]

    lines = [(free_line("Monday", 300, 0), "day"), *row("9:00-10:00", "Maths", 30),
             (free_line("Tuesday", 300, 70), "day"), *row("9:00-10:00", "Art", 100),
             (free_line("Friday", 300, 140), "day"), *row("1:00-2:00", "Music", 170),
             (free_line("Notices", 300, 210), "event"),
             (free_line("Hats are needed again", 310, 240), "event"),
             (free_line("Kidsport NZ", 10, 30), "event")]
    assert decode_as(lines, size=(700, 280)) == {("Monday", "Maths"): ("09:00", "10:00"),
                                                  ("Tuesday", "Art"): ("09:00", "10:00"),
                                                  ("Friday", "Music"): ("13:00", "14:00")}


def test_a_list_row_s_time_is_its_own_though_the_next_row_starts_right_under_it():
    # Tight list rows: the row under this one ("2:30 Assembly") starts right under its time.
    lines = [(free_line("Wednesday", 10, 0), "day"),
             (free_line("1:00-2:15", 10, 30), "time"),
             (free_line("Art (Room 9)", 110, 30), "other"),
             (free_line("2:30", 10, 51), "time"), (free_line("Assembly (Hall)", 60, 51), "event")]
    blocks = decode_as(lines, size=(400, 100))
    assert blocks[("Wednesday", "Art (Room 9)")] == ("13:00", "14:15")


def test_a_week_of_one_table_per_day_gives_each_cell_the_day_over_it():
    # Staggered columns: each day its own ruled table of cards under a band of day names;
    # every card prints its own times, and the day pointer says Monday for all of them.
    def card(text: str, time: str, x0: int, table: int) -> list[tuple[ReadLine, str]]:
        cell = (x0, 40, x0 + 200, 120)
        return [(in_table(cell_line(time, cell), table), "time"),
                (in_table(cell_line(text, cell, 20), table), "event")]

    lines = [(free_line("Monday", 60, 10), "day"), (free_line("Tuesday", 260, 10), "day"),
             *card("Maths", "9:00-9:40", 0, 0), *card("Art", "9:00-9:30", 200, 1)]
    assert decode_as(lines, size=(400, 140)) == {("Monday", "Maths"): ("09:00", "09:40"),
                                                  ("Tuesday", "Art"): ("09:00", "09:30")}


def _whiteboard_page(middle: str) -> list[tuple[ReadLine, str]]:
    """Days across, start times down the side; one row holds only `middle`, written in
    Wednesday's cell as a teacher writes a break once across a whiteboard's row."""
    lines = [(cell_line(day, (100 * k, 0, 100 * k + 100, 40)), "day")
             for k, day in enumerate(["Mon", "Tues", "Wed", "Thurs", "Fri"], start=1)]
    lines += [(cell_line("9:00", (0, 40, 100, 100)), "time"),
              *[(cell_line("Literacy", (100 * k, 40, 100 * k + 100, 100)), "event")
                for k in range(1, 6)],
              (cell_line("12:30", (0, 100, 100, 140)), "time"),
              (cell_line(middle, (300, 100, 400, 140)), "event"),
              (cell_line("1:15", (0, 140, 100, 200)), "time"),
              (cell_line("Art", (100, 140, 200, 200)), "event")]
    return lines


def test_a_break_written_once_across_an_empty_row_is_every_day_s():
    blocks = decode_as(_whiteboard_page("Morning Tela"), size=(600, 200))  # "Tea" misread
    assert {day for day, name in blocks if name == "Morning Tela"} == {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}
    assert blocks[("Friday", "Morning Tela")][0] == "12:30"
    # In the school's language: an Irish school's "Sos".
    blocks = decode_as(_whiteboard_page("Sos"), size=(600, 200))
    assert len({day for day, name in blocks if name == "Sos"}) == 5


def test_a_lesson_alone_in_a_row_of_free_periods_stays_its_own_day_s():
    blocks = decode_as(_whiteboard_page("Maths"), size=(600, 200))
    assert [day for day, name in blocks if name == "Maths"] == ["Wednesday"]


def card_line(text: str, card: tuple[int, int, int, int], dy: int = 0) -> ReadLine:
    """A line of a card the structure stage read from the text (an app's rounded box)."""
    line = cell_line(text, card, dy)
    return line.model_copy(update={"ruled": False, "from_text": True})


def _app_cards(name_role: str) -> list[tuple[ReadLine, str]]:
    """An app's week of cards: each card its name over its time; a tab bar at the foot."""
    return [(text_cell("Monday", 10, 10), "day"), (text_cell("Tuesday", 210, 10), "day"),
            (card_line("English 10", (0, 40, 190, 100)), name_role),
            (card_line("11:15 - 12:05", (0, 40, 190, 100), 20), "time"),
            (card_line("Geometry", (200, 40, 390, 100)), "event"),
            (card_line("8:40 - 9:30", (200, 40, 390, 100), 20), "time"),
            *[(text_cell(tab, 20 + 130 * k, 220), "event")
              for k, tab in enumerate(["Home", "Schedule", "Grades"])]]


@pytest.mark.parametrize("name_role", ["class", "index", "other"])
def test_a_card_s_name_the_model_took_for_a_class_or_a_label_is_its_event(name_role):
    blocks = decode_as(_app_cards(name_role), size=(400, 260))
    assert blocks[("Monday", "English 10")] == ("11:15", "12:05")


def test_a_card_s_first_line_is_its_name_where_the_model_named_another():
    # A school app's card: the subject code over the teacher's code over the room; the model
    # grouped them but called the subject code a note and the teacher's code the name.
    card = (0, 40, 190, 120)
    lines = [(text_cell("Monday", 10, 10), "day"), (text_cell("Tuesday", 210, 10), "day"),
             (card_line("MAT10", card), "notes"), (card_line("JKS", card, 25), "event"),
             (card_line("B12", card, 50), "notes"),
             (card_line("Geometry", (200, 40, 390, 120)), "event")]
    blocks = decode_as(lines, size=(400, 160), notes=True, joined=[2, 3, 4])
    assert blocks[("Monday", "MAT10")][-1] == "JKS B12"
    assert ("Monday", "JKS") not in blocks
    # Standing lines read in an order the page does not show: the model's name stands.
    standing = [(line.model_copy(update={"angle": 90}) if k in (2, 3, 4) else line, role)
                for k, (line, role) in enumerate(lines)]
    assert ("Monday", "JKS") in decode_as(standing, size=(400, 160), joined=[2, 3, 4])


def test_an_app_s_tab_bar_is_no_event():
    blocks = decode_as(_app_cards("event"), size=(400, 260))
    assert sorted(name for _, name in blocks) == ["English 10", "Geometry"]
    # A school app's own tabs.
    lines = [*_app_cards("event")[:-3], *[(text_cell(tab, 20 + 95 * k, 220), "event") for k, tab
                                          in enumerate(["Home", "Timetable", "Homework", "More"])]]
    assert sorted(name for _, name in decode_as(lines, size=(400, 260))) == [
        "English 10", "Geometry"]
    # A student app's: its results and notices.
    for (line, _), text in zip(lines[-4:], ["Home", "Timetable", "Results", "More"], strict=True):
        line.text = text
    assert sorted(name for _, name in decode_as(lines, size=(400, 260))) == [
        "English 10", "Geometry"]
    # Two tabs misread beside two read right are still a tab bar.
    misread = ["Home", "Timetable", "Homewori", "Mcre"]
    for (line, _), text in zip(lines[-4:], misread, strict=True):
        line.text = text
    assert sorted(name for _, name in decode_as(lines, size=(400, 260))) == [
        "English 10", "Geometry"]
    # A spreadsheet's sheet tabs under its grid, named by the school and by the app.
    for (line, _), text in zip(lines[-4:], ["+", "Sem 1", "Bell schedule", "Sheet3"],
                               strict=True):
        line.text = text
    assert sorted(name for _, name in decode_as(lines, size=(400, 260))) == [
        "English 10", "Geometry"]


def test_a_card_s_name_the_model_took_for_a_class_names_no_class():
    page, decisions = read_as(_app_cards("class"), size=(400, 260))
    assert decode_heading(page, decisions).class_name is None


def test_a_term_beside_the_school_day_s_times_under_the_title_is_the_heading_s():
    # "Spring 2 2025 | Doors open 8:40 · Home time 3:15": the model calls it a time line.
    lines = [(free_line("Spring 2 2025 | Doors open 8:40 · Home time 3:15", 0, 0), "time"),
             (free_line("Monday", 0, 40), "day"), (free_line("9:00-10:00 Maths", 0, 70), "event")]
    page, decisions = read_as(lines, size=(500, 100))
    assert decode_heading(page, decisions).term == "Spring 2"


def test_the_parts_of_a_divided_period_share_its_time_in_order():
    # "Phonics" over "Handwriting", a dashed line between (two drawn cells of one period).
    columns = [(cell_line("Monday", (100, 0, 200, 40)), "day"),
               (cell_line("Tuesday", (200, 0, 300, 40)), "day"),
               (cell_line("9:00-10:00", (0, 40, 100, 160)), "time"),
               (cell_line("Phonics", (100, 40, 200, 100)), "event"),
               (cell_line("Handwriting", (100, 100, 200, 160)), "event"),
               (cell_line("Maths", (200, 40, 300, 160)), "event")]
    blocks = decode_as(columns, size=(300, 160))
    assert blocks[("Monday", "Phonics")] == ("09:00", "09:30")
    assert blocks[("Monday", "Handwriting")] == ("09:30", "10:00")
    assert blocks[("Tuesday", "Maths")] == ("09:00", "10:00")
    # Days as rows: the parts stand one over the other inside Monday's row.
    rows = [(cell_line("9:00-10:00", (100, 0, 300, 40)), "time"),
            (cell_line("Monday", (0, 40, 100, 160)), "day"),
            (cell_line("Tuesday", (0, 160, 100, 280)), "day"),
            (cell_line("Phonics", (100, 40, 300, 100)), "event"),
            (cell_line("Handwriting", (100, 100, 300, 160)), "event"),
            (cell_line("Maths", (100, 160, 300, 280)), "event")]
    blocks = decode_as(rows, size=(300, 280))
    assert blocks[("Monday", "Phonics")] == ("09:00", "09:30")
    assert blocks[("Monday", "Handwriting")] == ("09:30", "10:00")
    assert blocks[("Tuesday", "Maths")] == ("09:00", "10:00")


def test_cells_one_to_a_row_beside_a_merged_double_keep_their_rows_times():
    # "1.30-2.15" over "2.15-3.10" down the time column; Monday's Science merged over both
    # rows, Tuesday's Geography over Art, one to a row: no divided period. Tuesday's name, in
    # white on its coloured band, stands in no cell found, so Monday's cells alone draw the
    # body's rows.
    lines = [(cell_line("Monday", (100, 0, 200, 40)), "day"),
             (free_line("Tuesday", 210, 10), "day"),
             (cell_line("1:30-2:15", (0, 40, 100, 100)), "time"),
             (cell_line("2:15-3:10", (0, 100, 100, 160)), "time"),
             (cell_line("Science", (100, 40, 200, 160)), "event"),
             (cell_line("Geography", (200, 40, 300, 100)), "event"),
             (cell_line("Art", (200, 100, 300, 160)), "event")]
    blocks = decode_as(lines, size=(300, 160))
    assert blocks[("Monday", "Science")] == ("13:30", "15:10")
    assert blocks[("Tuesday", "Geography")] == ("13:30", "14:15")
    assert blocks[("Tuesday", "Art")] == ("14:15", "15:10")


def test_a_clubs_list_s_first_row_under_the_list_s_title_keeps_its_time():
    # "After-school clubs" over "Monday | 3:30 - 4:30 | Football Club": the title spans the
    # row (it stands over the day too), no name printed over the time in a card.
    lines = [(free_line("After-school clubs", 0, 0), "other"),
             (free_line("Monday", 0, 28), "day"), (free_line("3:30 - 4:30", 90, 28), "time"),
             (free_line("Football Club", 220, 28), "other")]
    assert decode_as(lines, size=(400, 80)) == {("Monday", "Football Club"): ("15:30", "16:30")}


def test_an_event_named_after_its_day_heads_nothing():
    # Days down the side; Friday's last cell is "Fun Friday", which the model calls a day.
    lines = [(cell_line("9:00-10:00", (100, 0, 200, 40)), "time"),
             (cell_line("2:10-3:00", (200, 0, 300, 40)), "time")]
    for k, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]):
        y = 40 + 40 * k
        lines += [(cell_line(day, (0, y, 100, y + 40)), "day"),
                  (cell_line("Literacy", (100, y, 200, y + 40)), "event"),
                  (cell_line("Fun Friday" if day == "Friday" else "Sport", (200, y, 300, y + 40)),
                   "day" if day == "Friday" else "event")]
    blocks = decode_as(lines, size=(300, 240))
    # Had it headed its column, the days would run across and the times down.
    assert blocks[("Monday", "Literacy")] == ("09:00", "10:00")
    assert blocks[("Monday", "Sport")] == ("14:10", "15:00")


def test_an_inbox_s_dates_down_the_side_are_no_days_of_the_week():
    # A webmail screenshot: the open mail holds the timetable, its day names on a header row
    # over ruled cells; the inbox lists its mails' dates down the left ("Thu" twice).
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    lines = [(text_cell(day, 220 + 100 * k, 45), "day") for k, day in enumerate(days)]
    lines += [(free_line(date, 0, 40 * k), "day") for k, date in enumerate(
        ["Mon 28 Apr", "Fri 25 Apr", "Thu 24 Apr", "Wed 23 Apr", "Tue 22 Apr", "Thu 10 Apr"])]
    lines += [(cell_line("12:00-13:00", (120, 70, 220, 110)), "time"),
              (cell_line("Lunch", (220, 70, 720, 110)), "event")]  # merged across the week
    assert decode_as(lines, size=(720, 240)) == {
        (day, "Lunch"): ("12:00", "13:00") for day in days}


def test_a_subject_s_initials_over_a_teacher_code_are_the_cell_s_name():
    # "D&T" over "PJo T2": the model calls the initials notes and the code the name.
    lines = [(free_line("Thursday", 150, 10), "day"),
             (cell_line("2:05-3:05", (0, 40, 100, 120)), "time"),
             (cell_line("D&T", (100, 40, 300, 120)), "notes"),
             (cell_line("PJo T2", (100, 40, 300, 120), 25), "event")]
    assert decode_as(lines, size=(300, 160), notes=True) == {
        ("Thursday", "D&T"): ("14:05", "15:05", "PJo T2")}


def test_a_day_pointer_torn_between_two_headers_takes_the_nearer_one():
    # A screen photographed at an angle: the model cannot tell Tuesday's column from
    # Wednesday's; "Physics" stands under Wednesday.
    lines = [(free_line("Tuesday", 100, 0), "day"), (free_line("Wednesday", 300, 0), "day"),
             (free_line("Physics", 280, 40), "event"),
             (free_line("08:45-09:45", 280, 62), "time")]
    page, decisions = read_as(lines, size=(500, 100))
    decisions.day[:, :2] = [0.33, 0.32]
    assert [b.day for b in decode_blocks(page, decisions)] == ["Wednesday"]


def test_a_break_named_in_its_label_cell_and_across_the_week_is_one_block_a_day():
    lines = [(cell_line("Period", (0, 0, 100, 40)), "other"),
             (cell_line("Monday", (100, 0, 200, 40)), "day"),
             (cell_line("Tuesday", (200, 0, 300, 40)), "day"),
             (cell_line("09:00-09:55", (0, 40, 100, 80)), "time"),
             (cell_line("Maths", (100, 40, 200, 80)), "event"),
             (cell_line("Art", (200, 40, 300, 80)), "event"),
             (cell_line("Break", (0, 80, 100, 130)), "event"),
             (cell_line("10:50-11:10", (0, 80, 100, 130), dy=20), "time"),
             (cell_line("Break", (100, 80, 300, 130)), "event")]
    page, decisions = read_as(lines, size=(300, 130))
    breaks = [(b.day, b.start_time, b.end_time) for b in decode_blocks(page, decisions)
              if b.name == "Break"]
    assert sorted(breaks) == [("Monday", "10:50", "11:10"), ("Tuesday", "10:50", "11:10")]


def test_a_time_caption_card_beside_the_day_cards_is_no_event():
    # A visual timetable: "Time" on a grey card in the band of the day names' cards, the
    # model calling it an event. The header band holds headers only.
    lines = [(text_cell("Time", 0, 10), "event"),
             (text_cell("Monday", 150, 12), "day"), (text_cell("Tuesday", 350, 8), "day"),
             (text_cell("9:00-10:00", 0, 60), "time"), (text_cell("Maths", 150, 60), "event"),
             (text_cell("Art", 350, 60), "event")]
    for line, _ in lines[:3]:
        line.card = Box(x0=line.box.x0 - 40, y0=line.box.y0 - 5, x1=line.box.x1 + 40,
                        y1=line.box.y1 + 5)
    blocks = decode_as(lines, size=(500, 160))
    assert not [key for key in blocks if key[1] == "Time"]
    assert blocks[("Monday", "Maths")] == ("09:00", "10:00")


def test_a_pill_between_two_days_cards_down_an_app_s_list_is_a_slot_not_a_caption():
    # A phone app's week, day after day down the page: "Break" on a grey pill between
    # Monday's list and Tuesday's, each day's name on a card of its own.
    lines = [(text_cell("Monday", 10, 10), "day"), (text_cell("9:00 - 10:00 Maths", 10, 40),
                                                     "event"),
             (text_cell("10:00 - 10:20", 10, 80), "time"), (text_cell("Break", 140, 80), "event"),
             (text_cell("Tuesday", 10, 130), "day"), (text_cell("9:00 - 10:00 Art", 10, 160),
                                                      "event")]
    for k in (0, 3, 4):
        line = lines[k][0]
        line.card = Box(x0=0, y0=line.box.y0 - 5, x1=300, y1=line.box.y1 + 5)
    blocks = decode_as(lines, size=(320, 200))
    assert blocks[("Monday", "Break")] == ("10:00", "10:20")


def test_a_cell_of_a_table_without_edges_is_an_event_whatever_the_model_calls_it():
    # A dark-mode table: no cell edge found, days down the side, time headers above; the
    # model calls two cells "other". Each stands alone where its day meets its slot. (The
    # test model's day pointer says Monday for every line: the days are not what is tested.)
    lines = [(text_cell("09:00-09:50", 150, 10), "time"),
             (text_cell("09:50-10:40", 350, 10), "time"),
             (text_cell("Monday", 0, 60), "day"), (text_cell("TUT/KMO/C4", 150, 60), "other"),
             (text_cell("HI/TWA/H2", 350, 60), "event"),
             (text_cell("Tuesday", 0, 110), "day"), (text_cell("GE/LMC/G1", 150, 110), "event"),
             (text_cell("SC/HKO/S5", 350, 110), "other")]
    # A second line of a cell ("Rm 4" under "HI") is no cell of its own.
    lines.append((text_cell("Rm 4", 350, 68), "other"))
    names = {name for _, name in decode_as(lines, size=(500, 160))}
    assert {"TUT/KMO/C4", "SC/HKO/S5"} <= names and "Rm 4" not in names


def test_a_note_s_last_words_on_a_line_of_their_own_are_no_event():
    # "Reminder: … Please label all" over "uniform." beside the week: the model calls the
    # note "other" and its tail an event.
    lines = [(free_line("Monday", 0, 0), "day"), (free_line("9:00 Maths", 0, 30), "event"),
             (free_line("Reminder: swimming after half term. Please label all", 300, 60),
              "other"), (free_line("uniform.", 300, 78), "event")]
    assert {name for _, name in decode_as(lines, size=(900, 120))} == {"Maths"}


def test_the_week_s_lower_table_and_a_row_between_take_the_day_headers_over_them():
    # A photographed primary week: a hatched Break band stopped the ruling, so the week is two
    # tables (the lower one with no day headers) and the row of assemblies over the band, its
    # cells not found, lies in neither. Each takes the day columns over it.
    upper = [(cell_line("Monday", (100, 0, 200, 40)), "day"),
             (cell_line("Tuesday", (200, 0, 300, 40)), "day"),
             (cell_line("Maths", (100, 40, 200, 80)), "event"),
             (cell_line("Art", (200, 40, 300, 80)), "event")]
    row = [(free_line("10:05 - 10:25", 0, 95), "time"), (free_line("Assembly", 110, 95), "event"),
           (free_line("Worship", 210, 95), "event")]
    lower = [(cell_line(text, (x, 140, x + 100, 180)).model_copy(update={"table": 1}), "event")
             for text, x in (("English", 100), ("Spelling", 200))]
    lines = upper + row + lower
    page, decisions = read_as(lines, size=(320, 200))
    for i, (line, _) in enumerate(lines):  # the day pointer says each line's column's day
        decisions.day[i, :] = 0.0
        decisions.day[i, 0 if line.box.cx < 200 else 1] = 1.0
    days = {(b.day, b.name) for b in decode_blocks(page, decisions)}
    assert {("Monday", "English"), ("Tuesday", "Spelling"), ("Monday", "Assembly"),
            ("Tuesday", "Worship")} <= days
    assert ("Tuesday", "Assembly") not in days and ("Monday", "Worship") not in days
    # A table under the week with columns of its own (a course list) takes no day.
    course_list = [(cell_line(text, (x0, 140, x1, 180)).model_copy(update={"table": 1}),
                    "event") for text, x0, x1 in (("Subject", 100, 250), ("Faculty", 250, 300))]
    assert not {name for _, name in decode_as(upper + course_list, size=(320, 200))} & {
        "Subject", "Faculty"}


def test_a_card_s_name_wrapped_onto_a_second_line_is_one_event():
    # A day's column of cards read from the text: "8:45-9:00 Register & Early" over "Work",
    # which the model calls an event of its own. The card, printing one time, is one entry.
    card = Box(x0=0, y0=55, x1=300, y1=110)
    lines = [(text_cell("Monday", 10, 10), "day"), (text_cell("8:45-9:00", 10, 60), "time"),
             (text_cell("Register & Early", 110, 60), "event"),
             (text_cell("Work", 10, 84), "event")]
    for line, _ in lines[1:]:
        line.cell_box = card
    assert {name for _, name in decode_as(lines, size=(320, 140))} == {"Register & Early Work"}


def test_a_break_whose_cell_a_stain_cut_short_is_still_every_day_s():
    # The merged LUNCH row's rule found only over Tuesday and Wednesday (a coffee ring across
    # it); the rest of the row is empty.
    lines = _whiteboard_page("Lunch")
    lines[-3][0].cell_box = Box(x0=230, y0=100, x1=380, y1=140)
    blocks = decode_as(lines, size=(600, 200))
    assert {day for day, name in blocks if name == "Lunch"} == {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}
    # A cell merged over just those two days, its sides on their columns' edges, is theirs.
    lines[-3][0].cell_box = Box(x0=200, y0=100, x1=400, y1=140)
    blocks = decode_as(lines, size=(600, 200))
    assert {day for day, name in blocks if name == "Lunch"} == {"Tuesday", "Wednesday"}


def test_a_break_printed_once_across_a_table_without_rules_is_every_day_s():
    # A borderless table: day names, times and lessons aligned by whitespace alone; "Lunch"
    # centred across the week's width on a row of its own.
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    lines = [(text_cell(day, 100 * k, 10), "day") for k, day in enumerate(days, start=1)]
    lines += [(text_cell("9.00-9.50", 0, 60), "time"),
              *[(text_cell(f"Maths {k}", 100 * k, 60), "event") for k in range(1, 6)],
              (text_cell("12.40-13.30", 0, 110), "time"), (text_cell("Lunch", 325, 110), "event"),
              (text_cell("13.30-14.20", 0, 160), "time"), (text_cell("Art", 100, 160), "event")]
    blocks = decode_as(lines, size=(600, 200))
    assert {day for day, name in blocks if name == "Lunch"} == set(days)
    assert [day for day, name in blocks if name == "Art"] == ["Monday"]  # a lesson: its day's


def _two_cards(line) -> list[tuple[ReadLine, str]]:
    """Monday's and Tuesday's cards of a board, each its name over its time, as `line`
    (`cell_line` or `card_line`) places a line in its cell."""
    return [(line("Maths", (100, 45, 190, 95)), "event"),
            (line("9:00-9:50", (100, 45, 190, 95), 25), "time"),
            (line("English", (220, 45, 310, 95)), "event"),
            (line("9:00-9:50", (220, 45, 310, 95), 25), "time")]


def test_a_room_tag_under_a_card_s_text_is_the_card_s_note():
    # A board of cards: each card's name and time found as one cell, the room's pill under
    # them as a cell of its own, narrower, flush left, a pixel or two off its neighbour's row.
    lines = [(cell_line("Monday", (100, 0, 200, 40)), "day"),
             (cell_line("Tuesday", (220, 0, 320, 40)), "day"),
             *_two_cards(cell_line),
             (small_print("Rm 12", (103, 98, 150, 118)), "event"),
             (small_print("Lab 2", (223, 99, 265, 119)), "event")]
    blocks = decode_as(lines, size=(330, 140), notes=True)
    assert blocks == {("Monday", "Maths"): ("09:00", "09:50", "Rm 12"),
                      ("Tuesday", "English"): ("09:00", "09:50", "Lab 2")}


def test_a_room_on_a_pill_under_a_card_read_from_the_text_is_the_card_s_note():
    # An app's board: no rules, each card's name and time one block, the room printed on a
    # pill under them, set in from the card's text and no smaller.
    lines = [(text_cell("Monday", 100, 0), "day"), (text_cell("Tuesday", 220, 0), "day"),
             *_two_cards(card_line)]
    for text, x0, y0 in [("Rm 12", 112, 98), ("Yard", 232, 101)]:
        pill = card_line(text, (x0, y0, x0 + 10 * len(text) + 10, y0 + 20))
        lines.append((pill.model_copy(update={"card": Box(x0=x0 - 3, y0=y0, x1=pill.box.x1 + 3,
                                                          y1=y0 + 20)}), "event"))
    blocks = decode_as(lines, size=(330, 140), notes=True)
    assert blocks[("Monday", "Maths")] == ("09:00", "09:50", "Rm 12")
    assert not {name for _, name in blocks} & {"Rm 12", "Yard"}


def test_a_day_s_title_set_flush_left_over_its_inset_card_heads_that_column():
    # A web portal's week: each day's title over its column of cards, the first one flush
    # with the page's margin, left of the cards' edge. The model called Monday's first card
    # nothing; under a day's header in the grid's body, it is an event all the same.
    lines = [(free_line("Mon", 5, 10), "day"), (free_line("Tue", 200, 10), "day"),
             (cell_line("8:45 - 9:05", (20, 40, 190, 120)), "time"),
             (cell_line("Tutor Time", (20, 40, 190, 120), 25), "other"),
             (cell_line("8:45 - 9:05", (200, 40, 370, 120)), "time"),
             (cell_line("Tutor Time", (200, 40, 370, 120), 25), "event")]
    blocks = decode_as(lines, size=(400, 160))
    assert blocks[("Monday", "Tutor Time")] == blocks[("Tuesday", "Tutor Time")]


def test_a_list_row_s_period_label_is_no_part_of_its_name():
    # "Period 3: Science  11:05-12:00" under a day's heading in a weekly plan.
    lines = [(free_line("Monday 10 November", 10, 0), "day"),
             (free_line("Period 3: Science", 20, 30), "event"),
             (free_line("11:05-12:00", 200, 30), "time")]
    assert decode_as(lines, size=(400, 80)) == {("Monday", "Science"): ("11:05", "12:00")}


def test_a_list_s_entries_between_its_day_headings_are_no_headings_of_their_own():
    # A newsletter: "MON", "WED", "FRI" down one edge, each over its entries set at the same
    # edge and size ("Show and tell" with its time after it): entries, not other sections.
    def row(name: str, time: str, y: int) -> list[tuple[ReadLine, str]]:
        return [(free_line(name, 10, y), "event"), (free_line(time, 160, y), "time")]

    lines = [(free_line("MON", 10, 0), "day"), *row("Show and tell", "9-9:15am", 30),
             (free_line("WED", 10, 70), "day"), *row("Maths", "9-10am", 100),
             (free_line("FRI", 10, 140), "day"), *row("Spelling quiz", "9-9:30am", 170)]
    names = {name for _, name in decode_as(lines, size=(300, 200))}
    assert names == {"Show and tell", "Maths", "Spelling quiz"}


def test_a_list_row_s_time_set_flush_right_after_its_name_is_its_own():
    # A pupil planner: "Science (Lab 2) ……… 11:10–12:10", the dot leaders not read; the model
    # took the name for a row label.
    lines = [(free_line("Monday 20 April", 10, 0), "day"),
             (free_line("Science (Lab 2)", 10, 30), "index"),
             (free_line("11:10-12:10", 260, 30), "time")]
    assert decode_as(lines, size=(400, 80)) == {("Monday", "Science (Lab 2)"): ("11:10", "12:10")}


def test_a_table_of_the_week_s_columns_under_another_is_headed_by_the_day_names_over_both():
    # A week of tiles under free day names, its first row of pale tiles (no cells found) between
    # the names and the tiles, cut in two again by another such row: the lower table goes on
    # with the columns of the upper one.
    def tile(texts: list[str], cell: tuple[int, int, int, int], table: int):
        return [(in_table(cell_line(text, cell, 20 * k), table), role)
                for k, (text, role) in enumerate(zip(texts, ["time", "event"], strict=True))]
    lines = [(free_line("Monday", 130, 10), "day"), (free_line("Tuesday", 330, 10), "day"),
             *tile(["9:00-10:00", "Maths"], (100, 100, 300, 160), 0),
             *tile(["9:00-10:00", "Phonics"], (300, 100, 500, 160), 0),
             *tile(["10:30-11:30", "English"], (100, 220, 300, 280), 1),
             *tile(["10:30-11:30", "Art"], (300, 220, 500, 280), 1)]
    blocks = decode_as(lines, size=(500, 300))
    assert blocks[("Monday", "English")] == ("10:30", "11:30")
    assert blocks[("Tuesday", "Art")] == ("10:30", "11:30")
