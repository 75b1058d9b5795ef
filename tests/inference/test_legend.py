"""Bell times (`inference.document.legend`): a legend of period labels and their times printed
apart from the grid."""

from __future__ import annotations

from inference.document.features import ReadLine, time_atoms
from inference.document.legend import bell_times, label_keys, look_up
from inference.schema import Box


def line(text: str, x: int, y: int) -> ReadLine:
    box = Box(x0=x, y0=y, x1=x + 10 * len(text), y1=y + 20)
    return ReadLine(text=text, box=box, cell_box=box)


def test_numbered_periods_are_looked_up_by_their_number():
    assert label_keys("P1") & label_keys("Period 1") & label_keys("1") == {"#1"}
    assert label_keys("Reg") == {"reg"}


def test_a_legend_reads_labels_beside_ranges_and_on_the_same_line():
    lines = [line("P1", 0, 0), line("8:55 - 9:50", 60, 0), line("P2 9:50 - 10:45", 0, 30),
             line("Lunch", 0, 60), line("12:55 - 1:40", 60, 60)]
    atoms = time_atoms(lines)
    legend = bell_times(lines, atoms, in_grid=set())
    assert [atoms[k][2] for k in legend["#2"]] == [590, 645]
    assert [atoms[k][2] for k in legend["lunch"]] == [775, 820]


def test_two_timed_labels_are_no_legend():
    lines = [line("P1 8:55 - 9:50", 0, 0), line("P2 9:50 - 10:45", 0, 30)]
    assert bell_times(lines, time_atoms(lines), in_grid=set()) == {}


def test_a_legend_s_times_set_flush_right_far_from_their_labels_are_theirs():
    # "Period 1 ............ 8:30 – 9:25": a two-column bell-times box, the times flush right.
    rows = [("Period 1", "8:30 – 9:25"), ("Period 2", "9:30 – 10:25"),
            ("Period 3", "10:30 – 11:25")]
    lines = [part for k, (label, times) in enumerate(rows)
             for part in (line(label, 0, 40 * k), line(times, 250, 40 * k))]
    atoms = time_atoms(lines)
    legend = bell_times(lines, atoms, in_grid=set())
    assert [atoms[k][2] for k in legend["#2"]] == [570, 625]


def test_a_bell_schedule_with_start_and_end_columns_is_a_legend():
    # Period | Start | End, each time in a cell of its own; the period's cell on the left.
    rows = [("1", "7:30", "8:20"), ("2", "8:26", "9:16"), ("Lunch A", "11:39", "12:09"),
            ("7", "2:07", "2:57")]
    lines = [part for k, (label, start, end) in enumerate(rows)
             for part in (line(label, 0, 30 * k), line(start, 90, 30 * k),
                          line(end, 160, 30 * k))]
    atoms = time_atoms(lines)
    legend = bell_times(lines, atoms, in_grid=set())
    assert [atoms[k][2] for k in legend["#2"]] == [506, 556]
    assert [atoms[k][2] for k in legend["luncha"]] == [699, 729]
    assert [atoms[k][2] for k in legend["#7"]] == [847, 897]
    # Times of a row that do not run forwards are no period's ("9:00" under "End" before "8:00").
    backwards = [part for k in range(3) for part in (
        line(str(k + 1), 0, 30 * k), line(f"{9 + k}:00", 90, 30 * k),
        line(f"{8 + k}:00", 160, 30 * k))]
    assert bell_times(backwards, time_atoms(backwards), in_grid=set()) == {}


def test_a_key_printed_along_one_line_gives_each_label_its_range():
    # A pupil timetable's footer: the grid's columns are headed "Chapel", "Period 1" …; the
    # reading kept none of the line's spaces.
    text = ("Periodtimes:Chapel08:10-08:25|Period108:30-09:25|Break10:20-10:40"
            "|Period310:40-11:35")
    lines = [line(text, 0, 0)]
    atoms = time_atoms(lines)
    legend = bell_times(lines, atoms, in_grid=set())
    assert [atoms[k][2] for k in legend["chapel"]] == [490, 505]
    assert [atoms[k][2] for k in legend["#1"]] == [510, 565]
    assert [atoms[k][2] for k in legend["#3"]] == [640, 695]
    assert [atoms[k][2] for k in legend["break"]] == [620, 640]


def test_a_key_run_on_to_a_second_line_gives_the_labels_of_both():
    # A teacher's MIS printout: the key wraps after "5", its range on the line below.
    lines = [line("Bell times:Tutor08:30-08:50|108:50-09:40|209:40-10:30|Lunch12:30-13:15|5",
                  0, 0),
             line("13:15-14:05|614:05-14:55", 0, 25)]
    atoms = time_atoms(lines)
    legend = bell_times(lines, atoms, in_grid=set())
    assert [atoms[k][2] for k in legend["#1"]] == [530, 580]
    assert [atoms[k][2] for k in legend["#5"]] == [795, 845]
    assert [atoms[k][2] for k in legend["#6"]] == [845, 895]


def test_a_label_the_grid_shortens_is_looked_up_by_the_legend_label_it_begins():
    # The grid heads its first column "Reg"; the key says "Registration 08:45-08:55".
    lines = [line("Registration", 0, 0), line("08:45-08:55", 150, 0),
             line("Period 1", 0, 30), line("08:55-09:55", 150, 30),
             line("Period 2", 0, 60), line("09:55-10:40", 150, 60)]
    atoms = time_atoms(lines)
    legend = bell_times(lines, atoms, in_grid=set())
    assert [atoms[k][2] for k in look_up(legend, "Reg")] == [525, 535]
    assert look_up(legend, "Re") == []  # too short to stand for anything


def test_a_key_of_two_rows_gives_each_label_the_range_under_it():
    # An Indian school's "Period | I | II | RECESS | III" over "Time | 7:50-8:30 | …".
    labels = ["I", "II", "RECESS", "III"]
    ranges = ["7:50-8:30", "8:30-9:10", "9:10-9:30", "9:30-10:10"]
    lines = [line("Period", 0, 0), line("Time", 0, 30)]
    for k, (label, times) in enumerate(zip(labels, ranges, strict=True)):
        lines += [line(label, 120 + 120 * k + 20, 0), line(times, 120 + 120 * k, 30)]
    atoms = time_atoms(lines)
    legend = bell_times(lines, atoms, in_grid=set())
    assert [atoms[k][2] for k in look_up(legend, "II")] == [510, 550]
    assert [atoms[k][2] for k in look_up(legend, "III")] == [570, 610]


def test_a_legend_in_two_columns_keeps_the_labels_beside_its_ranges():
    # "P1  8:55 - 9:50    P4  11:45 - 12:40" and so on: the label beside each range, not above.
    rows = [("P1", "8:55 - 9:50", "P4", "11:45 - 12:40"), ("P2", "9:50 - 10:45", "P5",
            "12:40 - 13:35"), ("P3", "10:45 - 11:40", "P6", "13:35 - 14:30")]
    lines = [part for k, (a, ra, b, rb) in enumerate(rows)
             for part in (line(a, 0, 30 * k), line(ra, 40, 30 * k), line(b, 200, 30 * k),
                          line(rb, 240, 30 * k))]
    atoms = time_atoms(lines)
    legend = bell_times(lines, atoms, in_grid=set())
    assert [atoms[k][2] for k in look_up(legend, "P2")] == [590, 645]
    assert [atoms[k][2] for k in look_up(legend, "P5")] == [760, 815]
