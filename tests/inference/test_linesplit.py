"""`inference.linesplit`: a list line "time range, then words" becomes the time and the words."""

from __future__ import annotations

import pytest

from inference.linesplit import split_entry_lines, split_glued_ranges, split_run_together_days
from inference.schema import Box, OcrLine


def _line(text: str, angle: int = 0) -> OcrLine:
    return OcrLine(text=text, box=Box(x0=100, y0=0, x1=100 + 10 * len(text), y1=20), score=0.9,
                   angle=angle)


def test_a_time_range_then_a_name_is_two_lines_side_by_side() -> None:
    time, name = split_entry_lines([_line("9:00 - 9:45 Maths (Lab 2)")])
    assert (time.text, name.text) == ("9:00 - 9:45", "Maths (Lab 2)")
    # Boxes by characters, the space between them in neither.
    assert (time.box.x0, time.box.x1, name.box.x0, name.box.x1) == (100, 210, 220, 350)
    assert time.box.y0 == name.box.y0 == 0 and name.score == 0.9


def test_other_lines_are_left_whole() -> None:
    lines = [_line(text) for text in ("Break 10:40", "9:00", "9:00-9:45",
                                      "9:00 - 9:45 Maths 10:00", "Monday 9:00-10:00",
                                      "Break 10:45 - 11:05 (Hall)")]
    lines.append(_line("9:00 - 9:45 Maths", angle=90))  # rotated text keeps its reading
    assert split_entry_lines(lines) == lines


def test_a_list_s_bullet_before_the_time_does_not_keep_the_line_whole() -> None:
    time, name = split_entry_lines([_line("• 9:00-10:00 Maths (Room 9)")])
    assert (time.text, name.text) == ("• 9:00-10:00", "Maths (Room 9)")


@pytest.mark.parametrize("text", ["1. 0850-0950 Geography - Rm H2",
                                  "1.0850-0950 Geography - Rm H2"])
def test_a_numbered_list_s_number_before_the_time_does_not_keep_the_line_whole(text) -> None:
    # A form tutor's handout, numbered by period; the reading may lose the number's space.
    time, name = split_entry_lines([_line(text)])
    assert name.text == "Geography - Rm H2" and time.text.endswith("0850-0950")


def test_a_start_time_then_a_name_is_two_lines_too() -> None:
    time, name = split_entry_lines([_line("·2:30 Whole-school assembly (Hall)")])
    assert (time.text, name.text) == ("·2:30", "Whole-school assembly (Hall)")


def test_a_day_before_the_time_is_cut_off_too() -> None:
    # A clubs list under the grid: "Tuesday 3:30 – 4:30 Chess Club (Room 5)".
    day, time, name = split_entry_lines([_line(". Tuesday 3:30 - 4:30 Chess Club (Room 5)")])
    assert (day.text, time.text, name.text) == (". Tuesday", "3:30 - 4:30", "Chess Club (Room 5)")
    assert day.box.x1 < time.box.x0 < time.box.x1 < name.box.x0
    lines = [_line("Room 5 3:30 - 4:30 Chess Club")]  # words that name no day: left whole
    assert split_entry_lines(lines) == lines


def test_header_ranges_run_together_are_one_line_each():
    # A plain-text timetable's header in a monospace font, two spaces between its ranges,
    # read as one line; the next box begins with the last digit of the one before.
    glued = OcrLine(text="09:15-10:0010:00-10:45", box=Box(x0=0, y0=0, x1=220, y1=20))
    stray = OcrLine(text="510:45-11:05", box=Box(x0=220, y0=0, x1=340, y1=20))
    parts = split_glued_ranges([glued, stray])
    assert [(p.text, p.box.x0, p.box.x1) for p in parts] == [
        ("09:15-10:00", 0, 110), ("10:00-10:45", 110, 220), ("10:45-11:05", 230, 340)]
    entry = OcrLine(text="Maths 9:00-10:00", box=Box(x0=0, y0=0, x1=160, y1=20))
    assert split_glued_ranges([entry]) == [entry]


def test_a_name_then_its_range_ending_the_line_is_two_lines_too() -> None:
    # A break printed on one line of an app's week, the space between them lost in reading.
    name, time = split_entry_lines([_line("Break10:45-11:05")])
    assert (name.text, time.text) == ("Break", "10:45-11:05")
    assert name.box.x1 <= time.box.x0


@pytest.mark.parametrize(("text", "lower", "upper"), [
    # Run together, their faint rule lost: Wednesday below, Tuesday above (read bottom-up).
    ("WednesdayTuesday", ("Wednesday", 430, 520), ("Tuesday", 360, 430)),
    # A space apart: the detector joined their boxes across the rule between them.
    ("Thursday Wednesday", ("Thursday", 440, 520), ("Wednesday", 340, 430)),
])
def test_day_names_read_as_one_line_are_one_line_per_day_along_the_reading(text, lower, upper):
    column = OcrLine(text=text, box=Box(x0=77, y0=520 - 10 * len(text), x1=109, y1=520),
                     score=0.9, angle=90)  # ten pixels a character
    first, second = split_run_together_days([column])
    assert (first.text, first.box.y0, first.box.y1) == lower
    assert (second.text, second.box.y0, second.box.y1) == upper
    assert first.angle == second.angle == 90 and second.box.x0 == 77


def test_day_names_across_are_one_line_per_day_too() -> None:
    across = split_run_together_days([_line("MondayTuesday")])
    assert [(p.text, p.box.x0, p.box.x1) for p in across] == [("Monday", 100, 160),
                                                             ("Tuesday", 160, 230)]
    assert [p.text for p in split_run_together_days([_line("Mon Tue Wed")])] == [
        "Mon", "Tue", "Wed"]


def test_a_word_that_only_starts_with_a_day_or_names_one_day_is_left_whole() -> None:
    lines = [_line("Mondays"), _line("Monday"), _line("Friday Club"), _line("Mon-Fri"),
             _line("Friday Prayers"), _line("Monday and Tuesday")]
    assert split_run_together_days(lines) == lines
