from inference.schema import Box, OcrLine
from inference.timeaxis import repair_time_axes


def _column(texts: list[str], x: float = 16) -> list[OcrLine]:
    """Time-only lines stacked down one column, 40 px apart."""
    return [OcrLine(text=text, box=Box(x0=x, y0=40 * i, x1=x + 40, y1=40 * i + 10))
            for i, text in enumerate(texts)]


def _row(texts: list[str]) -> list[OcrLine]:
    return [OcrLine(text=text, box=Box(x0=100 * i, y0=20, x1=100 * i + 60, y1=32))
            for i, text in enumerate(texts)]


def _texts(lines: list[OcrLine]) -> list[str]:
    return [line.text for line in repair_time_axes(lines)]


def test_look_alike_digits_of_a_time_column_are_put_back_in_order():
    # A 60 % screenshot of a college grid, as the recogniser read its time column.
    read = ["08:30 -09:30", "09:30 - 19:30", "19:30 -11:30", "11:39 -12:00", "12:30 -01:30",
            "01:30-02:09"]
    assert _texts(_column(read)) == ["08:30 -09:30", "09:30 - 10:30", "10:30 -11:30",
                                     "11:30 -12:00", "12:30 -01:30", "01:30-02:00"]


def test_a_time_row_is_repaired_too():
    assert _texts(_row(["00:30-09:30", "9:30-10:30", "10:30-11:30", "11:30-12:30"]))[0] \
        == "08:30-09:30"


def test_a_consistent_axis_is_left_alone():
    lines = _column(["8:30-9:30", "10:00-10:55", "10:55-11:50", "12:20-1:15", "2:00-5:00"])
    assert repair_time_axes(lines) == lines


def test_bell_times_with_odd_minutes_are_not_rounded():
    bells = ["8:47-9:38", "9:42-10:33", "10:37-11:28", "11:32-12:23"]
    assert _texts(_column(bells)) == bells


def test_a_list_whose_times_restart_each_day_is_no_sequence():
    days = ["9:00-10:00", "10:00-11:00", "11:00-12:00"]
    listed = days * 3
    assert _texts(_column(listed)) == listed


def test_a_line_no_swap_can_place_stays_as_read():
    read = ["8:30-9:30", "9:30-19:30", "10:30-11:30", "11:30-12:30", "7 - 9 12:30"]
    repaired = _texts(_column(read))
    assert repaired[1] == "9:30-10:30" and repaired[-1] == "7 - 9 12:30"


def test_separate_columns_are_separate_axes():
    left = _column(["8:00-9:00", "9:00-10:00", "10:00-11:00"], x=0)
    right = _column(["8:00-9:00", "9:00-10:00", "10:00-11:00"], x=500)
    assert repair_time_axes(left + right) == left + right


def test_times_repeated_down_a_slot_column_are_no_axis():
    # Days as rows: each cell of one slot's column prints that slot's times.
    repeated = ["10:45-11:10", "10:45 - 11:10", "10:45 - 11:10"]
    assert _texts(_column(repeated)) == repeated


def test_minutes_misread_on_most_lines_are_still_put_right():
    # Fewer than half the minutes read round: round minutes are tried first all the same.
    read = ["08:30-09:30", "99:30 - 10:30", "10:38 -11:30", "11:38 - 12:36", "12:38-81:30",
            "01:30 -82:00"]
    assert _texts(_column(read)) == ["08:30-09:30", "09:30 - 10:30", "10:30 -11:30",
                                     "11:30 - 12:30", "12:30-01:30", "01:30 -02:00"]


def test_an_hour_whose_leading_one_was_lost_is_put_back_where_the_axis_needs_it():
    # "10:35-11:30" read "10:35-1:30" in 11 px print: 13:30 would overlap the next slot.
    read = ["08:30-09:25", "09:25-10:20", "10:35-1:30", "11:30-12:25", "13:05-14:00"]
    assert _texts(_row(read))[2] == "10:35-11:30"


def test_bare_hour_ranges_across_a_grid_s_top_are_its_slots():
    # A primary grid headed "9-10", "10-11", "12-1", "1-2": each an hour, each where the last
    # ended; "12-1" runs to one in the afternoon by the school-hours rule.
    assert _texts(_row(["9-10", "10-11", "11-12", "12-1", "1-2"])) == [
        "9:00-10:00", "10:00-11:00", "11:00-12:00", "12:00-1:00", "1:00-2:00"]


def test_bare_numbers_that_do_not_run_on_stay_as_read():
    assert _texts(_row(["1-2", "3-4", "5-6"])) == ["1-2", "3-4", "5-6"]  # rooms, not slots
    assert _texts(_row(["9-10", "10-11"])) == ["9-10", "10-11"]  # two: no axis


def test_no_swap_puts_a_time_outside_the_school_day_to_buy_an_order():
    # A break's narrow header ("9:35" over "9:55") above a short Friday's own "9:10-" and
    # "9:25" in the same column: no sequence, and "0:35", "0:55" would only fake one.
    lines = _column(["9:35", "9:55", "9:10-", "9:25"])
    assert repair_time_axes(lines) == lines
