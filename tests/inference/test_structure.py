"""`inference.structure`: ruled grid lines on a grey page → tables of cells with row/column
spans, and OCR lines placed into the cells that hold them.

The pages here are drawn with OpenCV on a white numpy image: each cell is a rectangle, so a
merged cell is simply one larger rectangle.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from inference.schema import Box, Cell, OcrLine, Table
from inference.structure import (
    assign_lines,
    cover_gaps,
    cut_between_ranges,
    find_tables,
    split_crowded_cells,
    text_table,
)

XS = [100, 250, 400, 550, 700]  # 4 columns
YS = [100, 200, 300, 400]  # 3 rows

# (row, col, row_span, col_span) of every drawn cell: row 0 has a cell over columns 1–2,
# column 3 has a cell over rows 1–2.
LAYOUT = [
    (0, 0, 1, 1), (0, 1, 1, 2), (0, 3, 1, 1),
    (1, 0, 1, 1), (1, 1, 1, 1), (1, 2, 1, 1), (1, 3, 2, 1),
    (2, 0, 1, 1), (2, 1, 1, 1), (2, 2, 1, 1),
]


def blank_page(height: int = 600, width: int = 800) -> np.ndarray:
    return np.full((height, width), 255, np.uint8)


def draw_grid(page: np.ndarray, layout: list[tuple[int, int, int, int]], dx: int = 0,
              dy: int = 0) -> np.ndarray:
    for row, col, row_span, col_span in layout:
        top_left = (XS[col] + dx, YS[row] + dy)
        bottom_right = (XS[col + col_span] + dx, YS[row + row_span] + dy)
        cv2.rectangle(page, top_left, bottom_right, 0, 2)
    return page


def cell_box(row: int, col: int, row_span: int = 1, col_span: int = 1) -> Box:
    return Box(x0=XS[col], y0=YS[row], x1=XS[col + col_span], y1=YS[row + row_span])


def line(text: str, x0: float, y0: float, x1: float, y1: float) -> OcrLine:
    return OcrLine(text=text, box=Box(x0=x0, y0=y0, x1=x1, y1=y1))


@pytest.fixture
def grid_table() -> Table:
    (table,) = find_tables(draw_grid(blank_page(), LAYOUT))
    return table


def test_a_ruled_grid_becomes_one_table_of_cells(grid_table: Table) -> None:
    assert grid_table.ruled
    assert len(grid_table.cells) == len(LAYOUT) == 10
    box = grid_table.box
    assert box.x0 == pytest.approx(XS[0], abs=5) and box.x1 == pytest.approx(XS[-1], abs=5)
    assert box.y0 == pytest.approx(YS[0], abs=5) and box.y1 == pytest.approx(YS[-1], abs=5)


def test_cells_get_row_column_indices_and_spans(grid_table: Table) -> None:
    found = sorted((c.row, c.col, c.row_span, c.col_span) for c in grid_table.cells)
    assert found == sorted(LAYOUT)


def test_cell_boxes_follow_the_drawn_lines(grid_table: Table) -> None:
    for c in grid_table.cells:
        expected = cell_box(c.row, c.col, c.row_span, c.col_span)
        for got, want in [(c.box.x0, expected.x0), (c.box.y0, expected.y0),
                          (c.box.x1, expected.x1), (c.box.y1, expected.y1)]:
            assert got == pytest.approx(want, abs=4)


def test_text_inside_the_cells_is_not_mistaken_for_lines() -> None:
    page = draw_grid(blank_page(), LAYOUT)
    for row, col, _, _ in LAYOUT:
        cv2.putText(page, "Maths", (XS[col] + 15, YS[row] + 55), cv2.FONT_HERSHEY_SIMPLEX,
                    1.0, 0, 2)
    (table,) = find_tables(page)
    assert sorted((c.row, c.col, c.row_span, c.col_span) for c in table.cells) == sorted(LAYOUT)


def test_two_tables_come_back_top_to_bottom() -> None:
    page = blank_page(1000, 800)
    lower_layout = [(0, 0, 1, 1), (0, 1, 1, 1), (0, 2, 1, 2),
                    (1, 0, 1, 1), (1, 1, 1, 1), (1, 2, 1, 1), (1, 3, 1, 1)]
    draw_grid(page, lower_layout, dy=500)  # drawn first, found second
    upper_layout = [(0, 0, 1, 1), (0, 1, 1, 3),
                    (1, 0, 1, 1), (1, 1, 1, 1), (1, 2, 1, 1), (1, 3, 1, 1)]
    draw_grid(page, upper_layout)
    upper, lower = find_tables(page)
    assert upper.box.y1 < lower.box.y0
    # Indices and spans count each table's own grid lines.
    assert sorted((c.row, c.col, c.row_span, c.col_span) for c in upper.cells) == sorted(
        upper_layout
    )
    assert sorted((c.row, c.col, c.row_span, c.col_span) for c in lower.cells) == sorted(
        lower_layout
    )


def test_a_box_inside_a_cell_is_no_cell_of_its_own() -> None:
    # A time printed in a framed box in a cell's corner: the frame encloses a region, but
    # cells of a grid never nest.
    page = draw_grid(blank_page(), LAYOUT)
    cv2.rectangle(page, (250, 200), (380, 240), 0, 2)  # in the corner, on the cell's rules
    (table,) = find_tables(page)
    assert sorted((c.row, c.col, c.row_span, c.col_span) for c in table.cells) == sorted(LAYOUT)


def test_a_grid_joined_to_the_edge_of_a_photographed_sheet_keeps_its_cells() -> None:
    # The sheet's edge against the desk reads as a frame, and the grid's top rule runs into
    # it: the margin between them is one enclosed ring whose box holds every cell.
    page = draw_grid(blank_page(), LAYOUT)
    cv2.rectangle(page, (30, 30), (770, 570), 0, 2)
    cv2.line(page, (30, 100), (100, 100), 0, 2)
    (table,) = find_tables(page)
    assert sorted((c.row, c.col, c.row_span, c.col_span) for c in table.cells) == sorted(LAYOUT)


def test_a_blank_page_has_no_tables() -> None:
    assert find_tables(blank_page()) == []


def test_a_lone_rectangle_is_not_a_table() -> None:
    page = blank_page()
    cv2.rectangle(page, (100, 100), (700, 400), 0, 2)  # one enclosed region < min_cells
    assert find_tables(page) == []


# --- assign_lines ---------------------------------------------------------------------------------


def test_assign_lines_puts_each_line_into_the_cell_holding_it(grid_table: Table) -> None:
    def at(row: int, col: int):
        (found,) = [c for c in grid_table.cells if (c.row, c.col) == (row, col)]
        return found

    maths = line("Maths", 120, 140, 220, 160)  # inside (0, 0)
    merged = line("Break", 300, 130, 500, 160)  # inside the cell over columns 1–2
    tall = line("Lunch", 580, 290, 680, 310)  # across the hidden row line of the tall cell
    straddling = line("Science", 260, 285, 380, 325)  # on the line between rows 1 and 2,
    # mostly in row 2
    title = line("Class 2EJ Timetable", 100, 40, 400, 70)  # above the table

    outside = assign_lines([grid_table], [maths, merged, tall, straddling, title])
    assert outside == [title]
    assert at(0, 0).lines == [maths]
    assert at(0, 1).lines == [merged]
    assert at(1, 3).lines == [tall]
    assert at(2, 1).lines == [straddling]
    assert at(1, 1).lines == []


def test_assign_lines_with_no_tables_leaves_every_line_outside() -> None:
    lines = [line("Teacher: Miss Joynes", 0, 0, 200, 20)]
    assert assign_lines([], lines) == lines


# --- unruled fallback -----------------------------------------------------------------------------


def test_text_table_makes_one_cell_per_paragraph_of_unruled_text() -> None:
    lines = [
        line("9:00", 10, 10, 60, 30), line("Maths", 100, 10, 180, 30),
        line("10:00", 10, 60, 60, 80), line("English", 100, 60, 180, 80),
        line("Sentence Stacking", 100, 84, 200, 100),  # a second line of the English cell
    ]
    table = text_table(lines)
    assert table is not None and not table.ruled
    assert sorted(c.text for c in table.cells) == [
        "10:00", "9:00", "English Sentence Stacking", "Maths",
    ]
    # The cells are only as big as their text, and say so.
    assert all(c.from_text for c in table.cells)
    assert table.box == Box(x0=10, y0=10, x1=200, y1=100)
    assert text_table(lines[:3]) is None  # too few lines to be a table


def test_a_day_s_heading_right_over_its_first_row_is_no_part_of_it() -> None:
    # A scanned handout: "Tue" over "1. 0850-0950  Biology - Lab B2", the rule under the
    # heading lost, the two as close as a paragraph's lines.
    lines = [line("Tue", 10, 0, 60, 22), line("1.0850-0950", 30, 28, 130, 55),
             line("Biology - Lab B2", 140, 28, 300, 55),
             line("Wed", 10, 200, 60, 222), line("1.0850-0950", 30, 260, 130, 287)]
    table = text_table(lines)
    assert table is not None
    assert "Tue" in [c.text for c in table.cells]


def test_a_dated_day_heading_is_apart_from_the_rows_over_and_under_it() -> None:
    # A weekly plan as a PDF: "Monday 10 November" over two rows each naming a lesson with its
    # own time, the next day's heading right under the last; the rows as close as a
    # paragraph's lines, two of them only.
    lines = [line("Monday 10 November", 10, 0, 250, 26),
             line("Registration, Form room, 8:40", 30, 30, 300, 54),
             line("Period 1: English, Rm 14,", 30, 58, 240, 82),
             line("8:50-9:50", 245, 58, 330, 82),
             line("Tuesday 11 November", 10, 86, 250, 112)]
    table = text_table(lines)
    assert table is not None
    assert sorted(c.text for c in table.cells) == sorted([
        "Monday 10 November", "Registration, Form room, 8:40",
        "Period 1: English, Rm 14, 8:50-9:50", "Tuesday 11 November"])


def test_list_rows_packed_like_a_paragraph_are_one_entry_each() -> None:
    # A day card: "8:30 – 9:15  English" and so on, rows as close as a paragraph's lines.
    times = ["8:30 - 9:15", "9:15 - 10:00", "10:00 - 10:20", "10:20 - 11:05"]
    names = ["English (Rm 12)", "Maths (Rm 8)", "Break", "Science (Lab 2)"]
    lines = [line("Monday", 10, 0, 120, 30)]
    for k, (time, name) in enumerate(zip(times, names, strict=True)):
        y = 40 + 26 * k
        lines += [line(time, 10, y, 120, y + 20), line(name, 160, y, 300, y + 20)]
    table = text_table(lines)
    assert table is not None
    assert sorted(c.text for c in table.cells) == sorted(["Monday", *times, *names])


def test_a_paragraph_does_not_cross_a_drawn_rule() -> None:
    # A table ruled only between its rows: the header sits right above the first entry.
    # (A day's name is a paragraph of its own anyway: `test_a_dated_day_heading_…`.)
    page = np.full((200, 400, 3), 255, np.uint8)
    cv2.line(page, (0, 33), (399, 33), (0, 0, 0), 2)
    lines = [line("Period 1", 100, 10, 180, 30), line("Registration", 100, 36, 200, 56),
             line("8A", 100, 60, 130, 80), line("8.45", 10, 36, 50, 56)]
    assert sorted(c.text for c in text_table(lines, page).cells) == [
        "8.45", "Period 1", "Registration 8A"]
    assert "Period 1 Registration 8A" in [c.text for c in text_table(lines).cells]


def test_the_lines_of_a_card_of_a_visual_timetable_are_one_paragraph() -> None:
    # Rounded pastel cards, no rule: "Tidy Up & Home" wrapped over two lines and its time set
    # off below them, a line height apart; the next card starts as near under it.
    page = np.full((300, 300, 3), (235, 240, 240), np.uint8)
    cv2.rectangle(page, (20, 20), (260, 150), (200, 200, 200), -1)
    cv2.rectangle(page, (20, 170), (260, 260), (230, 170, 240), -1)
    lines = [line("Tidy Up & Home", 40, 30, 240, 54), line("Time", 110, 60, 170, 84),
             line("14:45 - 15:15", 70, 106, 200, 126),
             line("Topic", 100, 176, 170, 200), line("13:00 - 14:00", 70, 222, 200, 242)]
    assert sorted(c.text for c in text_table(lines, page).cells) == [
        "Tidy Up & Home Time 14:45 - 15:15", "Topic 13:00 - 14:00"]
    # Without the image, the time set off below is a paragraph of its own.
    assert "14:45 - 15:15" in [c.text for c in text_table(lines).cells]


def test_small_cards_packed_down_a_day_are_one_entry_each_not_one_per_line() -> None:
    # A visual timetable's day column of small cards, each a name over its time, packed as
    # tightly as a paragraph's lines: a list of times, but each card is one entry.
    page = np.full((300, 300, 3), (235, 240, 240), np.uint8)
    colours = [(240, 240, 200), (220, 210, 250), (250, 220, 200), (190, 240, 250)]
    names = ["Assembly", "Phonics", "Maths", "Playtime"]
    times = ["8:50 - 9:15", "9:15 - 9:45", "9:45 - 10:15", "10:15 - 10:30"]
    lines = []
    for k, (colour, name, time) in enumerate(zip(colours, names, times, strict=True)):
        y = 20 + 54 * k
        cv2.rectangle(page, (20, y), (200, y + 50), colour, -1)
        lines += [line(name, 40, y + 4, 150, y + 24), line(time, 40, y + 26, 150, y + 46)]
    assert sorted(c.text for c in text_table(lines, page).cells) == sorted(
        f"{name} {time}" for name, time in zip(names, times, strict=True))


def test_a_day_s_title_on_the_ground_over_its_first_card_is_no_line_of_the_card() -> None:
    # A dark-theme app: "Wednesday" on the column's ground, the first card right under it.
    page = np.full((200, 300, 3), (30, 24, 22), np.uint8)
    cv2.rectangle(page, (20, 50), (260, 150), (50, 42, 40), -1)
    lines = [line("Wednesday", 30, 10, 140, 36), line("English", 40, 54, 110, 80),
             line("08:45 - 09:35", 40, 82, 160, 104), line("Room A03", 40, 106, 130, 126)]
    assert sorted(c.text for c in text_table(lines, page).cells) == [
        "English 08:45 - 09:35 Room A03", "Wednesday"]


def test_a_short_event_on_one_line_packed_against_the_next_is_an_entry_of_its_own() -> None:
    # A calendar's day column: a 15-minute event on one line, the next event's box just below.
    lines = [line("Monday", 10, 0, 120, 20),
             line("Tutor Group 8:40 - 8:55", 10, 40, 200, 60), line("Science", 10, 64, 80, 84),
             line("8:55 - 9:55", 10, 86, 100, 106), line("Lab 3", 10, 108, 60, 128),
             line("Maths 10:00 - 11:00", 10, 160, 200, 180), line("Room 12", 10, 182, 80, 202)]
    assert sorted(c.text for c in text_table(lines).cells) == [
        "Maths 10:00 - 11:00 Room 12", "Monday", "Science 8:55 - 9:55 Lab 3",
        "Tutor Group 8:40 - 8:55"]


# --- split_crowded_cells --------------------------------------------------------------------------


def _cell_holding(*lines: tuple[str, float, float]) -> Table:
    ocr = [OcrLine(text=text, box=Box(x0=x, y0=y, x1=x + 60, y1=y + 20), score=0.9)
           for text, x, y in lines]
    cell = Cell(box=Box(x0=0, y0=0, x1=300, y1=200), lines=ocr)
    return Table(box=cell.box, cells=[cell])


def test_a_cell_with_a_name_and_codes_in_its_corners_stays_one_cell() -> None:
    table = _cell_holding(("MATH EXT3", 120, 60), ("SE", 5, 170), ("MR1", 235, 170))
    assert len(split_crowded_cells(table, table.cells[0].lines).cells) == 1


def test_a_region_holding_entries_with_their_own_times_is_split_into_them() -> None:
    table = _cell_holding(("9:00 Maths", 10, 10), ("9:30 English", 10, 100))
    cells = split_crowded_cells(table, []).cells
    assert sorted(c.text for c in cells) == ["9:00 Maths", "9:30 English"]
    assert all(c.from_text for c in cells)


def test_a_row_band_under_several_days_is_split_into_their_entries() -> None:
    # Rules only between rows: one band holds Monday's and Tuesday's lessons side by side.
    table = _cell_holding(("Maths", 10, 60), ("7C", 10, 85), ("French", 150, 60), ("9B", 150, 85))
    headers = [OcrLine(text=day, box=Box(x0=x, y0=-40, x1=x + 80, y1=-20), score=0.9)
               for day, x in (("Monday", 10), ("Tuesday", 150))]
    cells = split_crowded_cells(table, headers).cells
    assert sorted(c.text for c in cells) == ["French 9B", "Maths 7C"]
    assert all(c.from_text for c in cells)


def test_a_cell_split_between_two_groups_is_two_cells_as_tall_as_it() -> None:
    # aSc: "Fr / DUP / 205" beside "Spa / GAR / 206" in one period's cell, under one day.
    table = _cell_holding(("Fr", 40, 40), ("DUP", 40, 62), ("205", 40, 84),
                          ("Spa", 190, 40), ("GAR", 190, 62), ("206", 190, 84))
    cells = split_crowded_cells(table, []).cells
    assert [c.text for c in cells] == ["Fr DUP 205", "Spa GAR 206"]
    assert [(c.box.x0, c.box.x1, c.box.y0, c.box.y1) for c in cells] == [
        (0, 145, 0, 200), (145, 300, 0, 200)]
    assert not any(c.from_text for c in cells)  # still drawn: its edges are the slot's


def test_a_time_over_a_name_beside_codes_in_the_corners_stays_one_cell() -> None:
    # "8:40" over "CheckConn" flush left, "WOD" over "DRA" flush right: one event.
    table = _cell_holding(("8:40", 4, 10), ("CheckConn", 4, 32), ("WOD", 236, 10),
                          ("DRA", 236, 40))
    assert len(split_crowded_cells(table, []).cells) == 1


def _header_row_with_a_lost_rule() -> Table:
    """Day headers over one row of lessons; glare took the rule under "Thurs", so its header
    and the lesson under it make one drawn cell over both rows."""
    cells = []
    for col, day in enumerate(["Mon", "Tues", "Wed", "Thurs"]):
        x = 100 * col
        header = line(day, x + 20, 10, x + 70, 30)
        lesson = line("Literacy", x + 10, 70, x + 90, 90)
        if day == "Thurs":
            cells.append(Cell(box=Box(x0=x, y0=0, x1=x + 100, y1=120), row=0, col=col,
                              row_span=2, lines=[header, lesson]))
        else:
            cells += [Cell(box=Box(x0=x, y0=0, x1=x + 100, y1=40), row=0, col=col,
                           lines=[header]),
                      Cell(box=Box(x0=x, y0=40, x1=x + 100, y1=120), row=1, col=col,
                           lines=[lesson])]
    return Table(box=Box(x0=0, y0=0, x1=400, y1=120), cells=cells)


def test_a_day_header_run_into_the_cell_under_it_is_cut_off_it() -> None:
    table = _header_row_with_a_lost_rule()
    cells = split_crowded_cells(table, []).cells
    thursday = sorted((c for c in cells if c.col == 3), key=lambda c: c.row)
    assert [(c.row, c.row_span, c.text, c.box.y0, c.box.y1) for c in thursday] == [
        (0, 1, "Thurs", 0, 40), (1, 1, "Literacy", 40, 120)]


def test_a_caption_over_the_first_day_s_name_is_cut_off_it() -> None:
    # Days as rows; the grey first column lost the rule under its "Day" caption.
    cells = [Cell(box=Box(x0=0, y0=0, x1=100, y1=120), row=0, col=0, row_span=2,
                  lines=[line("Day", 30, 10, 70, 30), line("Monday", 10, 70, 90, 90)])]
    for col, text in [(1, "8:40"), (2, "9:00")]:
        x = 100 * col
        cells += [Cell(box=Box(x0=x, y0=0, x1=x + 100, y1=40), row=0, col=col,
                       lines=[line(text, x + 20, 10, x + 70, 30)]),
                  Cell(box=Box(x0=x, y0=40, x1=x + 100, y1=120), row=1, col=col,
                       lines=[line("Maths", x + 10, 70, x + 90, 90)])]
    table = Table(box=Box(x0=0, y0=0, x1=300, y1=120), cells=cells)
    first = sorted((c for c in split_crowded_cells(table, []).cells if c.col == 0),
                   key=lambda c: c.row)
    assert [(c.row, c.text, c.box.y0, c.box.y1) for c in first] == [
        (0, "Day", 0, 40), (1, "Monday", 40, 120)]


def test_a_time_header_over_two_columns_is_cut_where_the_body_s_columns_meet() -> None:
    # A narrow BREAK column's "10:30-" over "10:50" beside the next column's "10:50 - 11:50",
    # the faint rule between their headers lost; the body's cells keep it. A header printed
    # across the edge ("Morning 9:00 - 12:00" over both) stays whole.
    def table(header: list[OcrLine]) -> Table:
        body = [Cell(box=Box(x0=0, y0=40, x1=50, y1=200), row=1, col=0,
                     lines=[line("BREAK", 10, 100, 40, 120)]),
                Cell(box=Box(x0=50, y0=40, x1=250, y1=200), row=1, col=1,
                     lines=[line("Physics", 100, 100, 200, 120)])]
        return Table(box=Box(x0=0, y0=0, x1=250, y1=200), cells=[
            Cell(box=Box(x0=0, y0=0, x1=250, y1=40), row=0, col=0, col_span=2, lines=header),
            *body])

    def headers(header: list[OcrLine]) -> list[tuple[str, float, float]]:
        cells = split_crowded_cells(table(header), []).cells
        return sorted((c.text, c.box.x0, c.box.x1) for c in cells if c.row == 0)

    assert headers([line("10:30-", 5, 2, 45, 18), line("10:50", 8, 20, 42, 36),
                    line("10:50 - 11:50", 90, 12, 210, 28)]) == [
        ("10:30- 10:50", 0, 50), ("10:50 - 11:50", 50, 250)]
    assert headers([line("9:00 - 12:00", 20, 12, 200, 28)]) == [("9:00 - 12:00", 0, 250)]
    # The narrow column's times printed wider than it ("10:15am-" over "10:30am" hanging
    # a third of their width over the next column): still its own.
    assert headers([line("10:15am-", 2, 2, 68, 18), line("10:30am", 4, 20, 64, 36),
                    line("10:30am - 11:30am", 90, 12, 230, 28)]) == [
        ("10:15am- 10:30am", 0, 50), ("10:30am - 11:30am", 50, 250)]


def test_a_row_s_time_label_run_into_the_first_day_s_cell_is_cut_off_it() -> None:
    # A photo blurred the rule between "8:40-8:55" and Monday's "Agenda": one cell over the
    # time column and Monday's. The rows under it keep the rule; a cell whose right part
    # prints a time too ("Maths 9:00") stays whole.
    def rows(first: list[OcrLine]) -> list[tuple[int, int, str]]:
        body = [Cell(box=Box(x0=0, y0=40 * k, x1=100, y1=40 * k + 40), row=k, col=0,
                     lines=[line(f"{8 + k}:00-{9 + k}:00", 10, 40 * k + 12, 90, 40 * k + 28)])
                for k in (1, 2)]
        body += [Cell(box=Box(x0=100, y0=40 * k, x1=300, y1=40 * k + 40), row=k, col=1,
                      lines=[line("Maths", 150, 40 * k + 12, 250, 40 * k + 28)]) for k in (1, 2)]
        table = Table(box=Box(x0=0, y0=0, x1=300, y1=120), cells=[
            Cell(box=Box(x0=0, y0=0, x1=300, y1=40), row=0, col=0, col_span=2, lines=first),
            *body])
        return sorted((c.col, c.col_span, [ln.text for ln in c.lines])
                      for c in split_crowded_cells(table, []).cells if c.row == 0)

    assert rows([line("8:40-8:55", 10, 12, 90, 28), line("Agenda", 150, 12, 250, 28)]) == [
        (0, 1, ["8:40-8:55"]), (1, 1, ["Agenda"])]
    kept = rows([line("8:40", 10, 12, 60, 28), line("Maths 9:00", 150, 12, 260, 28)])
    assert {(col, span) for col, span, _ in kept} == {(0, 2)}


def test_a_room_badge_across_a_card_s_edge_is_that_card_s_note() -> None:
    # Two pastel pills, each with a dark room badge across its lower right edge.
    image = np.full((200, 500, 3), 250, dtype=np.uint8)
    lines = []
    for x, name, room in [(20, "English", "E4"), (260, "Mathematics", "M12")]:
        image[40:120, x:x + 200] = (200, 200, 255)
        image[112:132, x + 150:x + 190] = (30, 30, 30)
        lines += [line(name, x + 40, 65, x + 160, 90), line(room, x + 151, 113, x + 189, 131)]
    table = text_table(lines, image)
    assert table is not None
    assert sorted(cell.text for cell in table.cells) == ["English E4", "Mathematics M12"]


def test_a_day_s_name_left_in_one_cell_with_its_row_s_lessons_is_cut_off_them() -> None:
    # A zebra table ruled only by its shaded rows: Monday's row is one region up to the
    # recess column, its day name and two lessons (each a name over its teacher and room).
    table = _cell_holding(("Monday", 4, 30), ("English", 100, 20), ("NGU B12", 100, 44),
                          ("Maths", 190, 20), ("FRA M3", 190, 44))
    cells = split_crowded_cells(table, []).cells
    assert sorted(c.text for c in cells) == ["English NGU B12", "Maths FRA M3", "Monday"]
    # "SA" beside "ER1" are a teacher's code and a room, no day.
    codes = _cell_holding(("MUS1", 100, 20), ("SA", 20, 44), ("ER1", 160, 44))
    assert len(split_crowded_cells(codes, []).cells) == 1


def test_a_merged_cell_whose_top_line_is_no_day_stays_whole() -> None:
    table = _header_row_with_a_lost_rule()
    merged = next(c for c in table.cells if c.row_span == 2)
    merged.lines[0] = merged.lines[0].model_copy(update={"text": "Science"})
    cells = split_crowded_cells(table, []).cells
    assert [c.text for c in cells if c.col == 3] == ["Science Literacy"]


def test_on_a_dark_fill_a_dark_stroke_parts_no_lines() -> None:
    # A range written over two lines in white on a navy header box. Between lines of light
    # text the dark ground itself can read as a stroke; here one is drawn to stand for it.
    page = np.full((200, 400, 3), 255, np.uint8)
    page[0:120, 0:200] = (90, 30, 20)
    cv2.line(page, (0, 62), (199, 62), (0, 0, 0), 2)
    lines = [line("9:30 -", 40, 40, 120, 60), line("10:00", 40, 64, 120, 84),
             line("Maths", 250, 40, 330, 60), line("Phonics", 250, 140, 330, 160)]
    assert "9:30 - 10:00" in [c.text for c in text_table(lines, page).cells]
    page[0:120, 0:200] = 255  # the same stroke on a white ground is a rule
    cv2.line(page, (0, 62), (199, 62), (0, 0, 0), 2)
    assert "9:30 - 10:00" not in [c.text for c in text_table(lines, page).cells]


def test_a_header_s_range_broken_over_lines_by_its_dash_stays_one_cell() -> None:
    # A narrow break column's header: "10:00" over "–" over "10:15".
    table = _cell_holding(("10:00", 10, 10), ("10:15", 10, 120))
    assert len(split_crowded_cells(table, []).cells) == 1


def test_text_in_a_slot_of_the_grid_without_a_cell_gets_that_slots_cell():
    # Three rows of a ruled table; the tinted time column lost its rules below the first
    # two rows, so its last slot has no cell and its time would stand outside the table.
    cells = [Cell(box=Box(x0=100 * c, y0=50 * r, x1=100 * (c + 1), y1=50 * (r + 1)), row=r,
                  col=c) for r in range(3) for c in range(3) if (r, c) != (2, 0)]
    table = Table(box=Box(x0=0, y0=0, x1=300, y1=150), cells=cells, ruled=True)
    time = line("1.15-2.00", 10, 110, 90, 130)
    straddling = line("Celebration Assembly", 150, 10, 250, 30)  # in a cell already
    cover_gaps([table], [time, straddling])
    assert assign_lines([table], [time, straddling]) == []
    slot = next(cell for cell in table.cells if time in cell.lines)
    assert (slot.row, slot.col, slot.box) == (2, 0, Box(x0=0, y0=100, x1=100, y1=150))
    assert len(table.cells) == 9


def test_text_across_two_slots_of_the_grid_gets_no_cell():
    cells = [Cell(box=Box(x0=100 * c, y0=0, x1=100 * (c + 1), y1=50), row=0, col=c)
             for c in range(3)] + [Cell(box=Box(x0=200, y0=50, x1=300, y1=100), row=1, col=2)]
    table = Table(box=Box(x0=0, y0=0, x1=300, y1=100), cells=cells, ruled=True)
    caption = line("Timetable key", 20, 60, 180, 80)  # over two empty slots: no cell's text
    cover_gaps([table], [caption])
    assert len(table.cells) == 4


def test_a_paragraph_of_two_events_each_printing_its_range_is_cut_between_them() -> None:
    # Two cards one under the other whose gap a photo of a screen washed out.
    block = [line("Mathematics", 0, 0, 120, 20), line("08:45 - 09:45", 0, 22, 120, 42),
             line("Room M4", 0, 44, 80, 64), line("Biology", 0, 72, 80, 92),
             line("09:45 - 10:45", 0, 94, 120, 114), line("Lab B2", 0, 116, 70, 136)]
    first, second = cut_between_ranges(block)
    assert [ln.text for ln in first] == ["Mathematics", "08:45 - 09:45", "Room M4"]
    assert [ln.text for ln in second] == ["Biology", "09:45 - 10:45", "Lab B2"]


def test_a_column_of_times_is_no_paragraph_of_events() -> None:
    block = [line("08:45 - 09:45", 0, 0, 120, 20), line("09:45 - 10:45", 0, 30, 120, 50)]
    assert cut_between_ranges(block) == [block]


def test_a_frame_round_the_page_holding_the_table_whole_is_no_table() -> None:
    # A sheet's edge against the desk and its margin line: two regions, one holding the grid.
    page = draw_grid(blank_page(), LAYOUT)
    cv2.rectangle(page, (20, 20), (780, 580), 0, 2)
    cv2.line(page, (60, 20), (60, 580), 0, 2)
    tables = find_tables(page)
    assert len(tables) == 1 and len(tables[0].cells) == len(LAYOUT)


def test_cards_a_blurred_photo_packs_are_cut_between_their_ranges_by_the_page_spacing() -> None:
    # Boxes overlap inside each card (-0.25 line heights); between the cards they touch.
    rows = ["8:55 - 9:40", "12CHE1", "Chemistry", "9:40 - 10:25", "10SCI2", "Science"]
    block = [OcrLine(text=text, box=Box(x0=0, y0=15 * k, x1=90, y1=15 * k + 20), score=0.9)
             for k, text in enumerate(rows[:3])]
    block += [OcrLine(text=text, box=Box(x0=0, y0=50 + 15 * k, x1=90, y1=50 + 15 * k + 20),
                      score=0.9) for k, text in enumerate(rows[3:], start=0)]
    assert cut_between_ranges(block) == [block]  # no white between the cards
    first, second = cut_between_ranges(block, spacing=-0.25)
    assert [line.text for line in first] == rows[:3] and [line.text for line in second] == rows[3:]
