"""Calendar week view (`inference.calendar`): hour labels down the side at even steps are a time
scale, each filled box is one event, and its top and bottom are its times; the day column it
stands in is its day."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.calendar import read_calendar
from inference.schema import Box, Cell, OcrLine, Table

HOUR = 80  # px per hour
TOP = 100  # where 8:00 runs
COLUMN = 200  # px per day column, the first at x = 60


def line(text: str, x: float, y: float, width: float = 60, height: float = 14) -> OcrLine:
    return OcrLine(text=text, box=Box(x0=x, y0=y, x1=x + width, y1=y + height))


def y_at(hour: float) -> int:
    return int(TOP + (hour - 8) * HOUR)


def _week(labels_on_lines: bool = True, labels_in_rows: bool = False
          ) -> tuple[np.ndarray, list[OcrLine]]:
    """An Outlook-like week: labels hung under their hour rules (or centred on them, or in
    the middle of their hour's row), six pastel boxes."""
    image = np.full((800, 1100, 3), 250, np.uint8)
    lines = [line(day, 70 + COLUMN * k, 40) for k, day in enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])]
    for hour in range(8, 16):
        y = y_at(hour)
        cv2.line(image, (60, y), (1060, y), (215, 215, 215), 1)
        top = y + HOUR // 2 - 7 if labels_in_rows else y + 3 if labels_on_lines else y - 7
        lines.append(line(f"{hour}:00", 10, top, 40))
    events = [("Maths", 0, 9 + 40 / 60, 10 + 40 / 60, (233, 231, 253)),  # 9:40-10:40
              ("Science", 1, 8 + 15 / 60, 8 + 40 / 60, (220, 245, 220)),  # 8:15-8:40
              ("Staff meeting", 2, 13.75, 15.25, (200, 240, 255)),  # 13:45-15:15
              *[("Duty", day, 11, 12, (240, 225, 205)) for day in range(3)]]
    for name, day, start, end, colour in events:
        x0 = 62 + COLUMN * day
        cv2.rectangle(image, (x0, y_at(start) + 1), (x0 + COLUMN - 6, y_at(end) - 1), colour, -1)
        lines.append(line(name, x0 + 6, y_at(start) + 4, 90))
        lines.append(line("Lab 3", x0 + 6, y_at(start) + 20, 40))
    return image, lines


def _assigned(tables: list[Table], lines: list[OcrLine]) -> dict[str, Cell]:
    return {text_line.text: cell for table in tables for cell in table.cells
            for text_line in lines if cell.box.x0 <= text_line.box.cx <= cell.box.x1
            and cell.box.y0 <= text_line.box.cy <= cell.box.y1}


def test_each_box_is_a_cell_and_its_edges_read_as_times_on_the_scale():
    image, lines = _week()
    grid = Table(box=Box(x0=60, y0=TOP, x1=1060, y1=y_at(15)), cells=[])  # the hour rules'
    tables, frame = read_calendar(image, lines, [grid])
    assert frame is not None
    assert grid not in tables  # the hour rules' cells are no events
    cells = _assigned(tables, lines)
    times = {name: (frame.minutes(cells[name].box.y0), frame.minutes(cells[name].box.y1))
             for name in ("Maths", "Science", "Staff meeting")}
    assert times == {"Maths": (580, 640), "Science": (495, 520), "Staff meeting": (825, 915)}
    assert cells["Maths"] is cells["Lab 3"] or cells["Lab 3"].box.y0 != cells["Maths"].box.y0


@pytest.mark.parametrize("placed", [{"labels_on_lines": False}, {"labels_in_rows": True}])
def test_labels_centred_on_their_rules_or_in_their_rows_give_the_same_times(placed):
    # Google centres each label on its hour rule, Outlook hangs it under: the rule decides.
    # A label in the middle of its hour's row marks the rule above it.
    image, lines = _week(**placed)
    tables, frame = read_calendar(image, lines, [])
    assert frame is not None
    cells = _assigned(tables, lines)
    assert frame.minutes(cells["Maths"].box.y0) == 580


def test_a_ruled_grid_whose_lessons_are_filled_cells_keeps_its_cells():
    # Hour rows and day columns both ruled, each label in its hour's row, each lesson a
    # coloured cell from rule to rule: neighbouring cells of one colour are two lessons.
    image, lines = _week(labels_in_rows=True)
    image[y_at(8):y_at(16)] = 250
    for x in range(60, 1061, COLUMN):
        cv2.line(image, (x, y_at(8)), (x, y_at(15)), (200, 200, 200), 1)
    for hour in range(8, 16):
        cv2.line(image, (60, y_at(hour)), (1060, y_at(hour)), (200, 200, 200), 1)
    lines = [text_line for text_line in lines if text_line.text != "Lab 3"]
    for name, day, start, end in [("Maths", 0, 9, 11), ("English", 0, 11, 12),
                                  ("Science", 1, 8, 10), ("Art", 2, 13, 15)]:
        x0 = 60 + COLUMN * day
        cv2.rectangle(image, (x0 + 1, y_at(start) + 1), (x0 + COLUMN - 1, y_at(end) - 1),
                      (233, 231, 253), -1)
        lines = [text_line for text_line in lines if text_line.text != name]
        lines.append(line(name, x0 + 6, y_at(start) + 4, 90))
    grid = Table(box=Box(x0=60, y0=TOP, x1=1060, y1=y_at(15)), cells=[])
    assert read_calendar(image, lines, [grid]) == ([grid], None)


def test_each_box_stands_in_its_days_column():
    image, lines = _week()
    tables, frame = read_calendar(image, lines, [])
    assert frame is not None
    cells = _assigned(tables, lines)
    headers = {text_line.text: frame.column(text_line.box.cx) for text_line in lines[:5]}
    assert frame.column(cells["Science"].box.x0 + 10) == headers["Tuesday"]
    assert frame.column(cells["Staff meeting"].box.x0 + 10) == headers["Wednesday"]


def test_a_misread_label_is_left_out_of_the_scale():
    image, lines = _week()
    nine = next(text_line for text_line in lines if text_line.text == "9:00")
    lines[lines.index(nine)] = nine.model_copy(update={"text": "5:00"})
    tables, frame = read_calendar(image, lines, [])
    assert frame is not None and frame.minutes(y_at(12)) == 720


def test_a_web_week_whose_rows_grow_with_their_text_reads_each_hour_from_its_label():
    # A portal's week printed as an HTML table: the 10:00 row holds a long title and stands
    # twice as tall as the others; no straight line fits the labels, each still marks its hour.
    image = np.full((900, 1100, 3), 250, np.uint8)
    lines = [line(day, 70 + COLUMN * k, 40) for k, day in enumerate(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])]
    heights = [60, 60, 150, 60, 60, 60, 60]  # 8:00 … 14:00
    tops = dict(zip(range(8, 16), TOP + np.cumsum([0, *heights]), strict=True))
    for hour, y in tops.items():
        cv2.line(image, (60, int(y)), (1060, int(y)), (215, 215, 215), 1)
        lines.append(line(f"{hour}:00", 10, y + 3, 40))
    for day, (start, end) in enumerate([(9, 10), (10, 11), (10, 12), (11, 13)]):
        x0 = 62 + COLUMN * day
        cv2.rectangle(image, (x0, int(tops[start]) + 1), (x0 + COLUMN - 6, int(tops[end]) - 1),
                      (233, 231, 253), -1)
        lines.append(line(f"Lecture {day}", x0 + 6, tops[start] + 4, 90))
    tables, frame = read_calendar(image, lines, [])
    assert frame is not None
    cells = _assigned(tables, lines)
    assert [(frame.minutes(cells[f"Lecture {day}"].box.y0),
             frame.minutes(cells[f"Lecture {day}"].box.y1)) for day in range(4)] == [
        (540, 600), (600, 660), (600, 720), (660, 780)]


def test_a_grid_of_period_times_is_no_calendar():
    # Ranges in a time column, no boxes placed on a scale: the grid's own cells stay.
    image = np.full((600, 900, 3), 255, np.uint8)
    lines = [line(day, 150 + 150 * k, 20) for k, day in enumerate(["Monday", "Tuesday"])]
    lines += [line(f"{hour}:00-{hour}:50", 10, 60 + 60 * k, 80)
              for k, hour in enumerate(range(9, 15))]
    grid = Table(box=Box(x0=0, y0=10, x1=900, y1=500), cells=[])
    assert read_calendar(image, lines, [grid]) == ([grid], None)


def test_period_starts_down_rows_of_one_height_are_no_scale():
    # An app's grid: a start printed on each row, rows of one height, periods of 55 minutes
    # with a short recess and a 45-minute one between. Six of the nine lie near one line.
    image, lines = _week()
    lines = [text_line for text_line in lines if ":00" not in text_line.text]
    starts = ["08:30", "08:45", "09:40", "10:35", "11:00", "11:55", "12:50", "13:35", "14:30"]
    lines += [line(start, 10, TOP + 3 + 60 * k, 40) for k, start in enumerate(starts)]
    assert read_calendar(image, lines, []) == ([], None)


def test_round_period_starts_on_rows_of_near_one_height_are_no_scale():
    # A printed grid's starts, nearly all on the quarter hour, periods of 15 to 60 minutes on
    # rows 70-86 px tall: eight of the eleven lie within 6 minutes of one line, not within 4.5.
    image, lines = _week()
    lines = [text_line for text_line in lines if ":00" not in text_line.text]
    starts = ["8:15", "8:30", "9:30", "10:15", "10:30", "11:15", "11:50", "12:30", "1:15",
              "2:00", "2:45"]
    tops = np.cumsum([0, 78, 86, 79, 70, 70, 70, 70, 78, 79, 71])
    lines += [line(start, 10, TOP + 3 + top / 2, 40)
              for start, top in zip(starts, tops, strict=True)]
    assert read_calendar(image, lines, []) == ([], None)


def test_ranges_broken_over_two_lines_down_a_time_column_are_no_scale():
    # A hand-drawn grid's time column: "9.00-" over "10.00" in each row's cell, both lines
    # lone times at even steps.
    image, lines = _week()
    lines = [text_line for text_line in lines if ":00" not in text_line.text]
    for k, hour in enumerate(range(9, 15)):
        top = TOP + 3 + 60 * k
        lines += [line(f"{hour}.00-", 10, top, 40), line(f"{hour + 1}.00", 10, top + 16, 40)]
    assert read_calendar(image, lines, []) == ([], None)


def test_start_and_finish_columns_side_by_side_are_no_scale():
    # A college grid: each session's start and finish in two columns on its row ("9:00" beside
    # "10:30"). Its 90-minute sessions, the breaks between them and a short lunch row put
    # either column's times on one line, all but lunch's.
    image, lines = _week()
    lines = [text_line for text_line in lines if ":00" not in text_line.text]
    sessions = [("9:00", "10:30"), ("10:45", "12:15"), ("12:15", "1:00"), ("1:00", "2:30"),
                ("2:45", "4:15")]
    for top, (start, finish) in zip([0, 105, 155, 242, 348], sessions, strict=True):
        lines += [line(start, 0, TOP + 3 + top, 28), line(finish, 30, TOP + 3 + top, 28)]
    assert read_calendar(image, lines, []) == ([], None)


def test_lone_times_without_filled_boxes_are_no_calendar():
    image, lines = _week()
    blank = np.full_like(image, 250)
    assert read_calendar(blank, lines, []) == ([], None)


def test_a_ruled_week_whose_lessons_stand_in_white_cells_keeps_its_cells():
    # An hour column and day headers, but the lessons are written in the grid's white cells:
    # the three tinted boxes (the week's only fills) hold a few of its lines, not most.
    image, lines = _week()
    for day in range(5):
        for hour in (8, 12, 13, 14):
            lines += [line(f"Lecture {day}{hour}", 70 + COLUMN * day, y_at(hour) + 4, 90),
                      line("Room 2.14", 70 + COLUMN * day, y_at(hour) + 20, 60)]
    grid = Table(box=Box(x0=60, y0=TOP, x1=1060, y1=y_at(15)), cells=[])
    assert read_calendar(image, lines, [grid]) == ([grid], None)


def test_the_gap_an_app_leaves_between_one_event_and_the_next_is_measured():
    # Boxes are drawn a pixel inside their times: one after another, a blank row apart.
    image, lines = _week()
    cv2.rectangle(image, (62, y_at(10 + 40 / 60) + 1), (256, y_at(11) - 1), (230, 230, 255), -1)
    lines.append(line("Tutor", 68, y_at(10 + 40 / 60) + 5, 40, 12))
    _, frame = read_calendar(image, lines, [])
    assert frame is not None and frame.gap == 1


def test_a_dense_week_s_boxes_are_found_on_its_ground_with_hour_rules_through_them():
    # Two of three day columns filled from 8:00 to 15:00: a channel's median over the week
    # would be a fill's colour, not the ground's. Hour rules show through the boxes.
    image = np.full((800, 700, 3), 250, np.uint8)
    lines = [line(day, 70 + COLUMN * k, 40) for k, day in enumerate(["Monday", "Tuesday",
                                                                     "Wednesday"])]
    for hour in range(8, 16):
        cv2.line(image, (60, y_at(hour)), (660, y_at(hour)), (215, 215, 215), 1)
        lines.append(line(f"{hour}:00", 10, y_at(hour) + 3, 40))
    cv2.rectangle(image, (62, y_at(9.5) + 1), (256, y_at(10.5) - 1), (233, 231, 253), -1)
    lines.append(line("Maths", 68, y_at(9.5) + 4, 90))
    for day, fill, rule, name in [(1, (246, 237, 251), (238, 229, 243), "Statistics"),
                                  (2, (225, 245, 240), (217, 237, 232), "Project")]:
        x0 = 62 + COLUMN * day
        cv2.rectangle(image, (x0, y_at(8) + 1), (x0 + COLUMN - 6, y_at(15) - 1), fill, -1)
        for hour in range(9, 15):
            cv2.line(image, (x0, y_at(hour)), (x0 + COLUMN - 6, y_at(hour)), rule, 1)
        lines.append(line(name, x0 + 6, y_at(8) + 4, 90))
    grid = Table(box=Box(x0=60, y0=TOP, x1=660, y1=y_at(15)), cells=[])
    tables, frame = read_calendar(image, lines, [grid])
    assert frame is not None
    cells = _assigned(tables, lines)
    for name in ("Statistics", "Project"):
        assert (frame.minutes(cells[name].box.y0), frame.minutes(cells[name].box.y1)) == (
            480, 900)
