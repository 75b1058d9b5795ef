"""Sheet frame (`inference.sheetframe`): a screenshot of a spreadsheet app is read without the
app around the sheet: column letters, row numbers, ribbon, formula bar and tabs go, the sheet's
own cells and title stay."""

from __future__ import annotations

from inference.schema import Box, OcrLine, Table
from inference.sheetframe import drop_sheet_frame

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
    kept = [line.text for line in drop_sheet_frame(lines, tables)]
    assert kept == ["Mr Patel - 8B Timetable", "Monday", "Maths", "9:00-9:50"]


def test_a_title_floating_right_above_the_letters_stays():
    # Numbers prints a table's title above the table's own letters, and has no formula bar.
    lines, tables = _excel()
    title = line("Mrs Okafor - Class 4W", 40, 78, 200)
    kept = drop_sheet_frame([*lines[:-3], title], tables)
    assert title in kept


def test_a_timetable_with_day_initials_and_period_numbers_is_no_sheet():
    days = [line(d, 100 + 80 * k, 50) for k, d in enumerate("MTWTF")]
    periods = [line(str(n), 20, 50 + 40 * n) for n in range(1, 7)]
    lines = days + periods + [line("Maths", 100, 90, 50)]
    assert drop_sheet_frame(lines, []) == lines
