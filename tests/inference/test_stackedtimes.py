"""Stacked ranges (`inference.stackedtimes`): a start printed over its end, read as two lone
times, is one range."""

from inference.schema import Box, OcrLine
from inference.stackedtimes import join_stacked_ranges


def _line(text: str, x0: float, y0: float, x1: float, y1: float) -> OcrLine:
    return OcrLine(text=text, box=Box(x0=x0, y0=y0, x1=x1, y1=y1), score=0.99)


def test_a_start_over_its_end_is_one_range():
    # An app's time column: bold "08:45" right over a small "09:35", touching.
    start, end = _line("08:45", 85, 193, 144, 217), _line("09:35", 96, 216, 145, 237)
    name = _line("Maths", 175, 177, 244, 201)
    joined = join_stacked_ranges([name, start, end])
    assert [line.text for line in joined] == ["Maths", "08:45 - 09:35"]
    assert joined[1].box == Box(x0=85, y0=193, x1=145, y1=237)


def test_start_only_labels_a_row_apart_stay_apart():
    labels = [_line("8:45", 80, 100, 130, 120), _line("9:45", 80, 140, 130, 160)]
    assert join_stacked_ranges(labels) == labels


def test_a_range_broken_after_its_dash_and_times_out_of_order_stay_as_read():
    broken = [_line("10:35 -", 80, 100, 140, 120), _line("10:50", 85, 121, 135, 141)]
    backwards = [_line("10:25", 300, 100, 350, 120), _line("09:35", 300, 121, 350, 141)]
    assert join_stacked_ranges(broken + backwards) == broken + backwards


def test_two_rows_of_a_list_of_starts_stay_apart():
    # A day's list: each start on its own row beside its event, the rows evenly pitched, two
    # of them as close as a stacked range's halves.
    rows = [_line("11:45-12:45", 134, 491, 252, 517), _line("13:00", 134, 524, 201, 550),
            _line("14:30", 134, 556, 201, 585)]
    names = [_line("Lunch (Hall)", 252, 491, 371, 517), _line("Art", 202, 524, 442, 550),
             _line("Story", 201, 556, 391, 585)]
    assert join_stacked_ranges(rows + names) == rows + names
