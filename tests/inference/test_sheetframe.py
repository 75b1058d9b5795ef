"""Sheet frame (`inference.sheetframe`): a screenshot of a spreadsheet app is read without the
app around the sheet: column letters, row numbers, ribbon, formula bar and tabs go, the sheet's
own cells and title stay."""

from __future__ import annotations

from inference.schema import Box, Cell, OcrLine, Table
from inference.sheetframe import read_sheet

ROW = 20  # px per sheet row


def line(text: str, x: float, y: float, width: float = 12) -> OcrLine:
    return OcrLine(text=text, box=Box(x0=x, y0=y, x1=x + width, y1=y + 14))


def _excel() -> tuple[list[OcrLine], list[Table]]:
    letters = [line(letter, 60 + 100 * k, 100) for k, letter in enumerate("ABCDEFGH")]
    numbers = [line(str(n), 5, 100 + ROW * n) for n in range(1, 16)]
    sheet = [line("Mr Patel - 8B Timetable", 40, 120, 200), line("Monday", 240, 160, 60),
             line("Maths", 240, 180, 50), line("9:00-9:50", 140, 180, 80)]
    app = [line("Home Insert Draw", 10, 20, 150), line("Editing", 600, 60, 60),
           line("D7", 5, 80), line("Maths", 150, 80, 50), line("Sheet3", 200, 440, 50)]
    grid = Table(box=Box(x0=0, y0=95, x1=900, y1=450), cells=[])
    return letters + numbers + sheet + app, [grid]


def test_the_app_around_a_sheet_and_its_frame_are_dropped():
    lines, tables = _excel()
    kept = [line.text for line in read_sheet(lines, tables)[0]]
    assert kept == ["Mr Patel - 8B Timetable", "Monday", "Maths", "9:00-9:50"]


def test_a_title_floating_right_above_the_letters_stays():
    # Numbers prints a table's title above the table's own letters, and has no formula bar.
    lines, tables = _excel()
    title = line("Mrs Okafor - Class 4W", 40, 78, 200)
    kept = read_sheet([*lines[:-3], title], tables)[0]
    assert title in kept


def test_a_letter_bar_ruled_as_a_strip_of_its_own_is_not_the_sheet_s_grid():
    # Excel draws the letter bar as a ruled row: the structure stage finds it as a table of
    # its own, over the timetable's grid. The sheet is what lies under the letters, not the
    # strip (the page read as holding nothing at all).
    lines, _ = _excel()
    strip = Table(box=Box(x0=0, y0=95, x1=900, y1=118), cells=[])
    grid = Table(box=Box(x0=0, y0=150, x1=900, y1=450), cells=[])
    kept = [line.text for line in read_sheet(lines, [strip, grid])[0]]
    assert kept == ["Mr Patel - 8B Timetable", "Monday", "Maths", "9:00-9:50"]


def test_a_timetable_with_day_initials_and_period_numbers_is_no_sheet():
    days = [line(d, 100 + 80 * k, 50) for k, d in enumerate("MTWTF")]
    periods = [line(str(n), 20, 50 + 40 * n) for n in range(1, 7)]
    lines = days + periods + [line("Maths", 100, 90, 50)]
    assert read_sheet(lines, []) == (lines, [])


def _sheet_without_gridlines() -> tuple[list[OcrLine], list[Table]]:
    """A sheet whose used range (rows 2–4, columns A–F) shows no gridlines: the structure
    stage finds one region there; the frame's row cells and the empty cells below draw the
    lattice. Row 4's "BREAK" is merged and centred across Monday to Friday."""
    xs = [30, 130, 230, 330, 430, 530, 630]  # columns A–F
    ys = [110 + ROW * k for k in range(11)]  # rows 1–10

    def cell(x0, y0, x1, y1):
        return Cell(box=Box(x0=x0, y0=y0, x1=x1, y1=y1))

    frame_rows = [cell(0, ys[k], 30, ys[k + 1]) for k in range(10)]
    empty = [cell(xs[c], ys[r], xs[c + 1], ys[r + 1]) for r in range(4, 10) for c in range(6)]
    used = cell(30, ys[1], 630, ys[4])
    grid = Table(box=Box(x0=0, y0=95, x1=700, y1=ys[-1]), cells=[*frame_rows, *empty, used])
    letters = [line(letter, 75 + 100 * k, 100) for k, letter in enumerate("ABCDEF")]
    numbers = [line(str(n), 5, ys[n - 1] + 3) for n in range(1, 11)]
    text = [line("Time", 40, ys[1] + 3, 40), line("Monday", 140, ys[1] + 3, 60),
            *[line(day, 240 + 100 * k, ys[1] + 3, 60)
              for k, day in enumerate(["Tuesday", "Wednesday", "Thursday", "Friday"])],
            line("9:00-10:00", 40, ys[2] + 3, 80),
            line("Maths", 140, ys[2] + 3, 50), line("Art", 240, ys[2] + 3, 30),
            line("10:00-10:15", 40, ys[3] + 3, 80), line("BREAK", 355, ys[3] + 3, 50)]
    return letters + numbers + text, [grid]


def test_a_used_range_without_gridlines_is_read_as_the_lattice_of_the_sheet_s_cells():
    lines, tables = read_sheet(*_sheet_without_gridlines())
    (grid,) = tables

    def cell_of(text: str) -> tuple[float, float]:
        (found,) = [line for line in lines if line.text == text]
        (cell,) = [c for c in grid.cells if c.box.contains_point(found.box.cx, found.box.cy)]
        return cell.box.x0, cell.box.x1

    assert cell_of("Maths") == (130, 230) and cell_of("Art") == (230, 330)
    assert cell_of("9:00-10:00") == (30, 130)
    assert cell_of("BREAK") == (130, 630)  # merged and centred across the days
