"""Cells cut by their own text (`inference.textcut`): a band's word spaced out across the gap
between two cells of one row makes them one cell; text kept apart by a ruling does not."""

import numpy as np

from inference.schema import Box, Cell, OcrLine, Table
from inference.textcut import join_cells_cut_by_text


def page(*rulings: int) -> np.ndarray:
    """A white page with upright black rulings, 2 px wide, at the x given."""
    image = np.full((720, 1260), 255, np.uint8)
    for x in rulings:
        image[:, x:x + 2] = 0
    return image


def cell(x0: float, x1: float, row: int, col: int) -> Cell:
    return Cell(box=Box(x0=x0, y0=358, x1=x1, y1=388), row=row, col=col)


def line(text: str, x0: float, x1: float) -> OcrLine:
    return OcrLine(text=text, box=Box(x0=x0, y0=361, x1=x1, y1=384))


def test_a_band_cut_either_side_of_its_word_is_one_cell():
    # "R E C E S S" in white on a dark band across the week: the band found as two regions
    # either side of the word, which stands in neither.
    table = Table(box=Box(x0=100, y0=145, x1=1240, y1=713),
                  cells=[cell(110, 193, 4, 0), cell(199, 697, 4, 1), cell(731, 1233, 4, 6)])
    join_cells_cut_by_text(page(), [table], [line("RECESS", 660, 770)])
    assert sorted((c.col, c.col_span, c.box.x0, c.box.x1) for c in table.cells) == [
        (0, 1, 110, 193), (1, 6, 199, 1233)]


def test_a_piece_of_the_band_left_between_the_word_s_letters_goes_with_it():
    table = Table(box=Box(x0=100, y0=145, x1=1240, y1=713),
                  cells=[cell(202, 687, 7, 1), cell(723, 1234, 7, 6),
                         Cell(box=Box(x0=703, y0=366, x1=724, y1=380), row=7, col=5)])
    join_cells_cut_by_text(page(), [table], [line("LUNCH", 669, 763)])
    assert [(c.box.x0, c.box.x1) for c in table.cells] == [(202, 1234)]


def test_cells_whose_text_stays_inside_them_stay_apart():
    table = Table(box=Box(x0=100, y0=145, x1=1240, y1=713),
                  cells=[cell(199, 697, 4, 1), cell(731, 1233, 4, 6)])
    join_cells_cut_by_text(page(), [table], [line("Maths", 210, 300), line("Art", 745, 790),
                                     line("Break", 690, 760)])  # a few pixels into the left
    assert len(table.cells) == 2


def test_a_header_overflowing_its_narrow_cell_over_the_rulings_leaves_the_cells_apart():
    # "SNACK BREAK" printed wider than its column, across the rulings either side.
    table = Table(box=Box(x0=100, y0=145, x1=1240, y1=713),
                  cells=[cell(380, 495, 0, 2), cell(498, 605, 0, 3), cell(608, 715, 0, 4)])
    join_cells_cut_by_text(page(495, 606), [table], [line("SNACK BREAK", 470, 640)])
    assert len(table.cells) == 3


def test_touching_cells_with_no_rule_between_them_are_one_where_a_line_runs_across():
    # A low-resolution navy header band cut at its white letters' stems, right through
    # "Monday", where no rule runs: the band's cells are one.
    table = Table(box=Box(x0=100, y0=145, x1=1240, y1=713),
                  cells=[cell(36, 295, 0, 0), cell(294, 525, 0, 3)])
    join_cells_cut_by_text(page(), [table], [line("Monday", 248, 334)])
    assert [(c.box.x0, c.box.x1) for c in table.cells] == [(36, 525)]


def test_touching_cells_parted_by_a_rule_stay_two():
    table = Table(box=Box(x0=100, y0=145, x1=1240, y1=713),
                  cells=[cell(36, 293, 0, 0), cell(296, 525, 0, 3)])
    join_cells_cut_by_text(page(293), [table], [line("Monday", 248, 334)])
    assert len(table.cells) == 2
