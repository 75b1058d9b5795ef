"""`inference.rowaxis`: a rule-less grid's paragraphs cut where its column of times parts rows."""

from __future__ import annotations

from inference.rowaxis import cut_at_row_edges, line_spacing, row_edges
from inference.schema import Box, OcrLine


def _line(text: str, x0: float, y0: float, height: float = 20) -> OcrLine:
    return OcrLine(text=text, box=Box(x0=x0, y0=y0, x1=x0 + 9 * len(text), y1=y0 + height),
                   score=0.9)


# Rows 60 px apart, each range centred at 30 + 60k, under the day names' row at y 0.
AXIS = [_line(text, 10 + 3 * k, 20 + 60 * k)  # a photo slants the column a little
        for k, text in enumerate(["8:45 - 9:00", "9:00 - 9:55", "9:55 - 10:50", "11:15 - 12:10"])]
DAYS = [_line(day, 200 + 150 * k, -30) for k, day in enumerate(["Monday", "Tuesday", "Wednesday"])]


def _lesson(name: str, x0: float, y0: float) -> list[OcrLine]:
    return [_line(name, x0, y0), _line("Room", x0, y0 + 17)]  # packed: boxes overlap by 3 px


def _cut(blocks: list[list[OcrLine]], lines: list[OcrLine]) -> list[list[OcrLine]]:
    return cut_at_row_edges(blocks, lines, line_spacing(blocks))


def test_the_edges_lie_halfway_between_the_ranges_of_the_time_column() -> None:
    # The day names' top, half a row above the first range, then halfway between ranges.
    assert row_edges([*AXIS, *DAYS]) == [-30, 0, 60, 120, 180]


def test_two_rows_lessons_joined_in_one_paragraph_are_cut_at_the_edge_between_them() -> None:
    joined = [*_lesson("Roll Call", 200, 8), *_lesson("12CHE1", 200, 66)]
    lines = [*AXIS, *DAYS, *joined]
    first, second = _cut([joined], lines)
    assert [line.text for line in first] == ["Roll Call", "Room"]
    assert [line.text for line in second] == ["12CHE1", "Room"]


def test_a_title_over_the_first_day_is_cut_from_it() -> None:
    title = [_line("Ms R. Fitzgerald Staff Timetable", 200, -75), _line("Monday", 200, -30),
             *_lesson("Roll Call", 200, 8)]
    lessons = [_lesson(name, 350, 8 + 60 * k) for k, name in enumerate(["Maths", "Art", "PE"])]
    lines = [*AXIS, *DAYS[1:], *title, *[line for lesson in lessons for line in lesson]]
    parts = _cut([title, *lessons], lines)
    assert [[line.text for line in part] for part in parts[:3]] == [
        ["Ms R. Fitzgerald Staff Timetable"], ["Monday"], ["Roll Call", "Room"]]
    assert parts[3:] == lessons


def test_text_centred_on_an_edge_and_a_card_with_its_own_times_stay_whole() -> None:
    # A double lesson's lines packed evenly across the edge at 60: no wider gap there.
    double = [_line("DBMS LAB", 200, 35), _line("(B1)", 200, 52), _line("Lab 3", 200, 69)]
    timed = [_line("9:00 - 9:55", 350, 40), *_lesson("Maths", 350, 57),
             *_lesson("English", 350, 100)]
    lines = [*AXIS, *DAYS, *double, *timed]
    assert _cut([double, timed], lines) == [double, timed]


def test_nothing_is_cut_without_a_column_of_times_or_where_a_part_would_hold_no_name() -> None:
    joined = [*_lesson("Music", 500, 8), *_lesson("PE", 500, 66)]
    assert _cut([joined], [*DAYS, *joined]) == [joined]
    # "S3" alone holds no name (three letters), so its lesson stays whole.
    stray = [*_lesson("Science", 200, 8), _line("S3", 200, 66)]
    assert _cut([stray], [*AXIS, *DAYS, *stray]) == [stray]
