"""Tiled timetables: coloured boxes with gaps of the page between them and no rule."""

import cv2
import numpy as np

from inference.structure import find_tables
from inference.tiles import tile_cells

CREAM = (238, 248, 253)
PASTELS = [(220, 205, 255), (255, 225, 200), (210, 245, 215), (250, 215, 235)]
# Edges this close (pixels) stand in one row or column: find_tables' tolerance on pages of
# these sizes.
TOLERANCE = 6.0


def tiled_page(rows: int = 4, columns: int = 5, gap: int = 10) -> np.ndarray:
    """A cream page of pastel rounded tiles, a word in each, `gap` pixels apart."""
    page = np.full((120 + rows * 110, 80 + columns * 180, 3), CREAM, np.uint8)
    for r in range(rows):
        for c in range(columns):
            x0, y0 = 40 + c * 180, 60 + r * 110
            x1, y1 = x0 + 180 - gap, y0 + 110 - gap
            colour = PASTELS[(r + c) % len(PASTELS)]
            cv2.rectangle(page, (x0 + 8, y0), (x1 - 8, y1), colour, -1)
            cv2.rectangle(page, (x0, y0 + 8), (x1, y1 - 8), colour, -1)
            for cx, cy in ((x0 + 8, y0 + 8), (x1 - 8, y0 + 8), (x0 + 8, y1 - 8), (x1 - 8, y1 - 8)):
                cv2.circle(page, (cx, cy), 8, colour, -1)
            cv2.putText(page, "Maths", (x0 + 40, y0 + 60), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                        (40, 40, 40), 2)
    cv2.putText(page, "Kingfishers Class", (300, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0,
                (120, 60, 40), 2)
    return page


def test_each_tile_is_a_cell_grown_to_meet_its_neighbours():
    cells = tile_cells(tiled_page(), TOLERANCE)
    assert len(cells) == 20
    left = sorted(cells, key=lambda b: (round(b.y0), b.x0))
    # The first row's first two tiles meet halfway across the gap between them.
    assert abs(left[0].x1 - left[1].x0) < 1.0
    assert abs(left[0].x1 - 215) <= 4  # found on the page shrunk by half


def test_a_tiled_grid_is_a_table_of_its_rows_and_columns():
    tables = find_tables(tiled_page())
    assert len(tables) == 1
    table = tables[0]
    assert table.ruled and len(table.cells) == 20
    assert {c.row for c in table.cells} == {0, 1, 2, 3}
    assert {c.col for c in table.cells} == {0, 1, 2, 3, 4}


def test_a_few_highlighted_words_on_a_white_page_are_no_tiles():
    page = np.full((600, 900, 3), 255, np.uint8)
    for k in range(8):
        x, y = 60 + (k * 97) % 700, 60 + (k * 61) % 450
        cv2.rectangle(page, (x, y), (x + 70, y + 22), (0, 255, 255), -1)
        cv2.putText(page, "9:00", (x + 5, y + 17), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
    assert tile_cells(page, TOLERANCE) == []


def test_tiles_in_too_few_rows_are_no_table():
    assert tile_cells(tiled_page(rows=2, columns=8), TOLERANCE) == []
