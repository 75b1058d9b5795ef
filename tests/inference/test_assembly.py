"""`inference.assembly`: table cells with their OCR lines → timeblocks, by geometry alone.

Tables here are built by hand from `Table`, `Cell`, `OcrLine` and `Box` (page pixels, y down),
as `structure.find_tables` + `structure.assign_lines` would leave them, and fed to
`assemble(tables, outside_lines)`. No image and no OCR are involved.
"""

from __future__ import annotations

import pytest

from inference.assembly import assemble, name_and_notes
from inference.reading import cell_text, reading_order
from inference.schema import Box, Cell, OcrLine, Table, TimeBlock


def line(text: str, x0: float, y0: float, x1: float, y1: float, angle: int = 0) -> OcrLine:
    return OcrLine(text=text, box=Box(x0=x0, y0=y0, x1=x1, y1=y1), angle=angle)


def cell(x0: float, y0: float, x1: float, y1: float, *lines: OcrLine) -> Cell:
    return Cell(box=Box(x0=x0, y0=y0, x1=x1, y1=y1), lines=list(lines))


def text_cell(x0: float, y0: float, x1: float, y1: float, text: str, size: float = 20) -> Cell:
    """A cell with one line of text of height `size`, centred vertically."""
    middle = (y0 + y1) / 2
    return cell(x0, y0, x1, y1, line(text, x0 + 5, middle - size / 2, x1 - 5, middle + size / 2))


def table(*cells: Cell) -> Table:
    box = cells[0].box
    for c in cells[1:]:
        box = box.union(c.box)
    return Table(box=box, cells=list(cells))


def summary(blocks: list[TimeBlock]) -> set[tuple[str, str, str | None, str | None]]:
    return {(b.day, b.name, b.start_time, b.end_time) for b in blocks}


def only(blocks: list[TimeBlock], day: str, name: str) -> TimeBlock:
    (found,) = [b for b in blocks if b.day == day and b.name == name]
    return found


# --- (a) days as rows, time headers along the top ------------------------------------------------
#
#            x: 0      100          200            300        400           500
#   y   0     |        | 9:00-10:00 | 10 – 10.15am | 10.15-11 | 11:00-12:00 |
#      50     | Monday | English    | Break        | Maths    | Music       |
#             |        | (Sentence  | (merged over |          | 1:30 – 2:30 |
#             |        |  Stacking) |  both days)  |          |             |
#     150     | Tuesday| Phonics    |              | PE (over two columns)    |
#     250


@pytest.fixture
def days_as_rows() -> Table:
    return table(
        cell(0, 0, 100, 50),  # the empty corner
        text_cell(100, 0, 200, 50, "9:00-10:00"),
        text_cell(200, 0, 300, 50, "10 – 10.15am"),
        text_cell(300, 0, 400, 50, "10.15-11"),
        text_cell(400, 0, 500, 50, "11:00-12:00"),
        text_cell(0, 50, 100, 150, "Monday"),
        text_cell(0, 150, 100, 250, "Tuesday"),
        # A big name line and a smaller note line.
        cell(100, 50, 200, 150,
             line("English", 110, 70, 190, 95), line("Sentence Stacking 2", 110, 110, 190, 122)),
        text_cell(200, 50, 300, 250, "Break"),  # merged down both day rows
        text_cell(300, 50, 400, 150, "Maths"),
        # A time printed in the cell overrides the 11:00-12:00 header.
        cell(400, 50, 500, 150,
             line("Music", 410, 70, 490, 95), line("1:30 – 2:30", 410, 110, 490, 122)),
        text_cell(100, 150, 200, 250, "Phonics 9:05 - 9:55"),
        text_cell(300, 150, 500, 250, "PE"),  # merged over two time columns
    )


def test_days_as_rows_grid(days_as_rows: Table) -> None:
    result = assemble([days_as_rows], [])
    assert result.layouts == ["days-rows"]
    assert result.warnings == []
    assert summary(result.blocks) == {
        ("Monday", "English", "09:00", "10:00"),
        ("Monday", "Break", "10:00", "10:15"),
        ("Tuesday", "Break", "10:00", "10:15"),
        ("Monday", "Maths", "10:15", "11:00"),
        ("Monday", "Music", "13:30", "14:30"),
        ("Tuesday", "Phonics", "09:05", "09:55"),
        ("Tuesday", "PE", "10:15", "12:00"),
    }
    assert all(b.time_scored for b in result.blocks)  # every edge sits on a header boundary


def test_a_cell_merged_over_two_days_is_one_block_per_day(days_as_rows: Table) -> None:
    breaks = [b for b in assemble([days_as_rows], []).blocks if b.name == "Break"]
    assert sorted(b.day for b in breaks) == ["Monday", "Tuesday"]
    assert {(b.start_time, b.end_time) for b in breaks} == {("10:00", "10:15")}


def test_a_cell_over_two_time_columns_takes_the_union(days_as_rows: Table) -> None:
    pe = only(assemble([days_as_rows], []).blocks, "Tuesday", "PE")
    assert (pe.start_time, pe.end_time) == ("10:15", "12:00")


def test_a_time_printed_in_the_cell_overrides_the_header_and_leaves_the_name(
    days_as_rows: Table,
) -> None:
    blocks = assemble([days_as_rows], []).blocks
    music = only(blocks, "Monday", "Music")
    assert (music.start_time, music.end_time) == ("13:30", "14:30")
    assert music.notes is None  # the time line is not a note either
    phonics = only(blocks, "Tuesday", "Phonics")
    assert (phonics.start_time, phonics.end_time) == ("09:05", "09:55")


def test_a_smaller_line_under_the_name_is_the_notes(days_as_rows: Table) -> None:
    english = only(assemble([days_as_rows], []).blocks, "Monday", "English")
    assert english.notes == "Sentence Stacking 2"


def test_blocks_remember_their_cell_and_confidence(days_as_rows: Table) -> None:
    maths = only(assemble([days_as_rows], []).blocks, "Monday", "Maths")
    assert maths.source_box == Box(x0=300, y0=50, x1=400, y1=150)
    assert maths.confidence == 1.0  # OCR score 1.0, times exact


# --- (b) days as columns, times down the left -----------------------------------------------------


@pytest.fixture
def days_as_columns() -> Table:
    cells = [cell(0, 0, 100, 40)]
    for i, day in enumerate(["Mon", "Tues", "Wed"]):
        cells.append(text_cell(100 + 100 * i, 0, 200 + 100 * i, 40, day))
    for j, times in enumerate(["8:45 – 9:00", "9 – 10am", "10-10.30"]):
        cells.append(text_cell(0, 40 + 60 * j, 100, 100 + 60 * j, times))
    cells += [
        text_cell(100, 40, 400, 100, "Registration"),  # across all three days
        text_cell(100, 100, 200, 160, "Maths"),
        text_cell(200, 100, 300, 220, "Science"),  # down two time rows
        text_cell(300, 100, 400, 160, "Art"),
        text_cell(100, 160, 200, 220, "Assembly"),
        cell(300, 160, 400, 220),  # an empty cell yields nothing
    ]
    return table(*cells)


def test_days_as_columns_grid(days_as_columns: Table) -> None:
    result = assemble([days_as_columns], [])
    assert result.layouts == ["days-columns"]
    assert summary(result.blocks) == {
        ("Monday", "Registration", "08:45", "09:00"),
        ("Tuesday", "Registration", "08:45", "09:00"),
        ("Wednesday", "Registration", "08:45", "09:00"),
        ("Monday", "Maths", "09:00", "10:00"),
        ("Tuesday", "Science", "09:00", "10:30"),
        ("Wednesday", "Art", "09:00", "10:00"),
        ("Monday", "Assembly", "10:00", "10:30"),
    }
    # Headers (days, time ranges) are never blocks.
    assert not {b.name for b in result.blocks} & {"Mon", "Tues", "Wed", "9 – 10am"}


def test_a_start_only_grid_header_gives_the_start_and_no_end() -> None:
    """Period starts over the columns ("9:00", "10:00"): the page says no end, so a block
    ends nowhere (null, scored), whether it covers one column or two."""
    grid = table(
        cell(0, 0, 100, 50),
        text_cell(100, 0, 200, 50, "9:00"),
        text_cell(200, 0, 300, 50, "10:00"),
        text_cell(300, 0, 400, 50, "11:15"),
        text_cell(0, 50, 100, 150, "Monday"),
        text_cell(0, 150, 100, 250, "Tuesday"),
        text_cell(100, 50, 200, 150, "Maths"),
        text_cell(200, 50, 400, 150, "Art"),
        text_cell(100, 150, 300, 250, "PE"),
        text_cell(300, 150, 400, 250, "Music"),
    )
    blocks = assemble([grid], []).blocks
    assert summary(blocks) == {
        ("Monday", "Maths", "09:00", None), ("Monday", "Art", "10:00", None),
        ("Tuesday", "PE", "09:00", None), ("Tuesday", "Music", "11:15", None)}
    assert all(b.time_scored for b in blocks)


# --- (c) a list layout: title, then rows of time | event ------------------------------------------


@pytest.fixture
def daily_list() -> Table:
    cells = [text_cell(0, 0, 300, 40, "Daily Schedule — Monday, Wednesday")]
    rows = [
        ("8:50 – 9:00", "Register"),
        ("9:00 - 10:00", "Maths"),
        ("10:00", "Assembly"),  # a start time only: it ends where the next row starts
        ("10.30 – 11.00am", "Guided Reading"),
    ]
    for j, (times, event) in enumerate(rows):
        y = 40 + 40 * j
        cells += [text_cell(0, y, 100, y + 40, times), text_cell(100, y, 300, y + 40, event)]
    return table(*cells)


def test_list_layout_takes_its_days_from_the_title(daily_list: Table) -> None:
    result = assemble([daily_list], [])
    assert result.layouts == ["list"]
    assert result.warnings == []
    assert summary(result.blocks) == {
        (day, name, start, end)
        for day in ("Monday", "Wednesday")
        for name, start, end in [
            ("Register", "08:50", "09:00"),
            ("Maths", "09:00", "10:00"),
            ("Assembly", "10:00", "10:30"),
            ("Guided Reading", "10:30", "11:00"),
        ]
    }


def test_a_single_start_time_ends_at_the_next_rows_start_and_is_marked_implied(
    daily_list: Table,
) -> None:
    blocks = assemble([daily_list], []).blocks
    assembly = only(blocks, "Monday", "Assembly")
    assert (assembly.start_time, assembly.end_time) == ("10:00", "10:30")
    assert assembly.time_scored is False  # the document only implies the end
    assert only(blocks, "Monday", "Maths").time_scored is True


def test_list_days_can_come_from_the_heading_outside_the_table() -> None:
    rows = table(
        text_cell(0, 0, 100, 40, "9:00-9:30"), text_cell(100, 0, 300, 40, "Phonics"),
        text_cell(0, 40, 100, 80, "9:30-10:30"), text_cell(100, 40, 300, 80, "Maths"),
    )
    heading = [line("Year 2 — Tuesday", 0, -60, 200, -40)]
    result = assemble([rows], heading)
    assert summary(result.blocks) == {
        ("Tuesday", "Phonics", "09:00", "09:30"),
        ("Tuesday", "Maths", "09:30", "10:30"),
    }
    assert result.heading_lines == heading


def test_lists_side_by_side_each_take_the_day_printed_over_them() -> None:
    # Per-day lists whose titles sit above their ruled boxes: each list is its own day, not
    # every day the page names.
    def day_list(x: float) -> Table:
        return table(
            text_cell(x, 0, x + 100, 40, "9:00-9:30"),
            text_cell(x + 100, 0, x + 300, 40, "Phonics"),
            text_cell(x, 40, x + 100, 80, "9:30-10:30"),
            text_cell(x + 100, 40, x + 300, 80, "Maths"),
        )

    heading = [line("Daily Schedule", 0, -120, 700, -90),
               line("Wednesday", 100, -60, 200, -40), line("Friday", 480, -60, 560, -40)]
    result = assemble([day_list(0), day_list(400)], heading)
    assert sorted((b.day, b.name) for b in result.blocks) == [
        ("Friday", "Maths"), ("Friday", "Phonics"), ("Wednesday", "Maths"),
        ("Wednesday", "Phonics")]


def test_a_list_with_no_day_anywhere_is_assumed_monday_to_friday() -> None:
    rows = table(
        text_cell(0, 0, 100, 40, "9:00-9:30"), text_cell(100, 0, 300, 40, "Phonics"),
        text_cell(0, 40, 100, 80, "9:30-10:30"), text_cell(100, 40, 300, 80, "Maths"),
    )
    result = assemble([rows], [])
    assert sorted({b.day for b in result.blocks}) == sorted(
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    )
    assert len(result.blocks) == 10
    assert result.warnings == ["no day named for a list table: assumed Monday to Friday"]


def test_a_table_without_a_timetable_becomes_heading_text() -> None:
    info = table(
        text_cell(0, 0, 200, 40, "Teacher: Miss Joynes"), text_cell(200, 0, 400, 40, "Class: 2EJ")
    )
    result = assemble([info], [])
    assert result.layouts == ["none"]
    assert result.blocks == []
    assert [ln.text for ln in result.heading_lines] == ["Teacher: Miss Joynes", "Class: 2EJ"]


# --- (d) reading order ----------------------------------------------------------------------------


def test_rotated_text_reads_bottom_to_top_then_columns_left_to_right() -> None:
    # Text turned 90° (reads upwards): in the left column "Phys" sits below "Ed".
    lines = [
        line("Hall", 40, 60, 60, 140, angle=90),
        line("Ed", 10, 20, 30, 60, angle=90),
        line("Phys", 10, 80, 30, 150, angle=90),
    ]
    assert [ln.text for ln in reading_order(lines)] == ["Phys", "Ed", "Hall"]
    assert cell_text(lines) == "Phys Ed Hall"


def test_horizontal_lines_read_in_rows_top_to_bottom_left_to_right() -> None:
    lines = [
        line("Stacking", 80, 42, 160, 60),  # same row as "Sentence", a little lower
        line("Sentence", 5, 40, 75, 58),
        line("English", 5, 5, 80, 25),
    ]
    assert [ln.text for ln in reading_order(lines)] == ["English", "Sentence", "Stacking"]
    assert cell_text(lines) == "English Sentence Stacking"


def test_a_few_rotated_characters_do_not_turn_a_horizontal_cell() -> None:
    lines = [line("Guided Reading", 0, 0, 150, 20), line("x", 0, 30, 10, 40, angle=90)]
    assert [ln.text for ln in reading_order(lines)] == ["Guided Reading", "x"]


# --- (e) names and notes --------------------------------------------------------------------------


def test_a_word_broken_over_two_lines_is_rejoined() -> None:
    assert name_and_notes([line("Engli", 0, 0, 50, 20), line("sh", 0, 22, 20, 42)]) == (
        "English",
        None,
    )
    wrapped = [line("Comprehens", 0, 0, 100, 20), line("ion/library", 0, 22, 100, 42)]
    assert name_and_notes(wrapped) == ("Comprehension/library", None)


def test_a_bracketed_line_starts_the_notes() -> None:
    lines = [line("Maths", 0, 0, 100, 20), line("(Mrs Smith)", 0, 22, 100, 42)]
    assert name_and_notes(lines) == ("Maths", "(Mrs Smith)")


def test_a_cell_holding_only_a_time_has_no_name() -> None:
    assert name_and_notes([line("9:00-10:00", 0, 0, 100, 20)]) == ("", None)


@pytest.mark.parametrize(
    ("first", "second", "name"),
    [
        ("Registration", "and Early Morning work", "Registration and Early Morning work"),
        ("Design", "and Technology", "Design and Technology"),
        ("History", "of art", "History of art"),
    ],
)
def test_a_wrapped_line_starting_with_a_short_word_is_not_glued(
    first: str, second: str, name: str
) -> None:
    lines = [line(first, 0, 0, 120, 20), line(second, 0, 22, 120, 42)]
    assert name_and_notes(lines) == (name, None)
