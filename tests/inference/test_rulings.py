import itertools

import cv2
import numpy as np

from inference.rulings import dashed_rules, without_streaks
from inference.structure import find_tables

COLUMNS = (50, 175, 300, 425, 550)
ROWS = (50, 150, 250, 350)


def _grid(ink: int, blur: float) -> np.ndarray:
    """A 4 × 3 grid of one-pixel rules in grey `ink`, each cell written full of bold capitals
    starting 4 px from its left rule, the page blurred by `blur` pixels."""
    page = np.full((400, 600), 255, np.uint8)
    for x0 in COLUMNS[:-1]:
        for y0 in ROWS[:-1]:
            for k in range(3):
                cv2.putText(page, "MFCS-I", (x0 + 4, y0 + 30 + 25 * k),
                            cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    for x in COLUMNS:
        cv2.line(page, (x, ROWS[0]), (x, ROWS[-1]), ink, 1)
    for y in ROWS:
        cv2.line(page, (COLUMNS[0], y), (COLUMNS[-1], y), ink, 1)
    return cv2.GaussianBlur(page, (0, 0), blur) if blur else page


def _cells(page: np.ndarray) -> int:
    return sum(len(table.cells) for table in find_tables(page))


def test_crisp_rules_give_every_cell():
    assert _cells(_grid(ink=0, blur=0)) == 12


def test_grey_rules_blurred_beside_dense_text_still_give_every_cell():
    # Beside bold text the local mean is dark, and a soft grey rule no longer stands out
    # from it; it still stands out from its own few pixels (the top-hat reading).
    assert _cells(_grid(ink=120, blur=1.0)) == 12


def test_light_gridlines_of_a_digital_page_give_every_cell():
    # A spreadsheet's pale grey gridlines stand out by 15 grey levels only.
    assert _cells(_grid(ink=240, blur=0)) == 12


def test_on_a_grainy_page_pale_lines_need_more_contrast():
    # The same pale grid on a photo's grain is not told from it: no table, rather than cells
    # cut by whatever faint streaks the grain lines up.
    grain = np.random.default_rng(0).normal(0, 6, (400, 600))
    page = np.clip(_grid(ink=240, blur=0) + grain, 0, 255).astype(np.uint8)
    assert _cells(page) < 12


PASTELS = ((214, 228, 252), (255, 236, 204), (180, 224, 198), (247, 235, 221))


def _filled(gap: int) -> np.ndarray:
    """The same 4 × 3 grid drawn with no rule at all: each cell a pastel box (BGR), the boxes
    `gap` px apart on white, neighbours in different colours that look alike in grey."""
    page = np.full((400, 600, 3), 255, np.uint8)
    for i, (x0, x1) in enumerate(itertools.pairwise(COLUMNS)):
        for j, (y0, y1) in enumerate(itertools.pairwise(ROWS)):
            cv2.rectangle(page, (x0, y0), (x1 - gap, y1 - gap), PASTELS[(i + j) % 4], -1)
            cv2.putText(page, "Maths", (x0 + 10, y0 + 50), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                        (0, 0, 0), 2)
    return page


def test_cells_drawn_by_their_fills_alone_are_cells():
    # Touching boxes (a colour step between neighbours) and boxes apart (white gaps).
    assert _cells(_filled(gap=0)) == 12
    assert _cells(_filled(gap=4)) == 12


def _pale(fill: tuple[int, int, int], gap: int) -> np.ndarray:
    """The 4 × 3 grid as boxes of one pale `fill`, `gap` px apart on white."""
    page = np.full((400, 600, 3), 255, np.uint8)
    for x0, x1 in itertools.pairwise(COLUMNS):
        for y0, y1 in itertools.pairwise(ROWS):
            cv2.rectangle(page, (x0, y0), (x1 - 1 - gap, y1 - 1 - gap), fill, -1)
            cv2.putText(page, "Duty", (x0 + 10, y0 + 50), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                        (0, 0, 0), 2)
    return page


def test_pale_boxes_a_pixel_apart_on_a_digital_page_are_cells():
    # A screenshot's light grey (10 grey levels off white) and pale pink (21 in one channel)
    # boxes, parted by white gaps one pixel wide.
    assert _cells(_pale((245, 245, 245), gap=1)) == 12
    assert _cells(_pale((238, 235, 255), gap=1)) == 12


def _rounded(ground: tuple[int, int, int], radius: int) -> np.ndarray:
    """The 4 × 3 grid as pastel cards with corners rounded by `radius` px, 8 px apart on
    `ground`: a design tool's or an app's visual timetable."""
    page = np.full((400, 600, 3), ground, np.uint8)
    for i, (x0, x1) in enumerate(itertools.pairwise(COLUMNS)):
        for j, (y0, y1) in enumerate(itertools.pairwise(ROWS)):
            x1, y1, colour = x1 - 8, y1 - 8, PASTELS[(i + j) % 4]
            cv2.rectangle(page, (x0 + radius, y0), (x1 - radius, y1), colour, -1)
            cv2.rectangle(page, (x0, y0 + radius), (x1, y1 - radius), colour, -1)
            for cx, cy in itertools.product((x0 + radius, x1 - radius), (y0 + radius, y1 - radius)):
                cv2.circle(page, (cx, cy), radius, colour, -1, cv2.LINE_AA)
            cv2.putText(page, "Snack", (x0 + 12, y0 + 50), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                        (60, 40, 40), 2)
    return page


def test_rounded_cards_are_cells_on_a_light_or_a_dark_ground():
    # Their straight edges stop a corner's radius short of each other: drawn on, they meet.
    assert _cells(_rounded((238, 246, 250), radius=5)) == 12
    assert _cells(_rounded((70, 40, 20), radius=5)) == 12


def test_dashed_rules_give_every_cell_and_the_text_between_them_none():
    # A word processor's dashed borders (8 px dashes, 5 px gaps) round cells full of capitals,
    # which close up into bands as long as a rule but as tall as their letters.
    page = _grid(ink=255, blur=0)  # the text alone
    for x in COLUMNS:
        for y in range(ROWS[0], ROWS[-1], 13):
            cv2.line(page, (x, y), (x, min(y + 7, ROWS[-1])), 0, 2)
    for y in ROWS:
        for x in range(COLUMNS[0], COLUMNS[-1], 13):
            cv2.line(page, (x, y), (min(x + 7, COLUMNS[-1]), y), 0, 2)
    assert _cells(page) == 12


def test_a_small_print_s_line_of_words_is_no_dashed_rule():
    # An 800-px page's words close up into a band as thin as a rule, but of words of all
    # lengths: no row of even dashes.
    ink = np.zeros((60, 700), np.uint8)
    cv2.putText(ink, "Maths  English Art  PE   Science  History Geography", (5, 20),
                cv2.FONT_HERSHEY_SIMPLEX, 0.35, 255, 1)
    assert not dashed_rules(ink).any()
    for x in range(5, 690, 12):
        cv2.line(ink, (x, 45), (x + 6, 45), 255, 2)
    assert dashed_rules(ink)[44:47].any() and not dashed_rules(ink)[:30].any()


def test_a_rule_broken_in_places_is_not_drawn_on_across_the_break():
    # A photocopy's thin rule with a 10 px break under one cell: that cell and the one under it
    # are one region, as drawn (the break is no card's rounded corner).
    page = _grid(ink=0, blur=0)
    cv2.line(page, (COLUMNS[1] + 40, ROWS[1]), (COLUMNS[1] + 49, ROWS[1]), 255, 1)
    assert _cells(page) == 11


def test_on_a_grainy_page_pale_boxes_need_more_contrast():
    grain = np.random.default_rng(0).normal(0, 6, (400, 600, 3))
    page = np.clip(_pale((245, 245, 245), gap=1) + grain, 0, 255).astype(np.uint8)
    assert _cells(page) < 12


def test_light_falling_off_across_a_page_draws_no_rule():
    shade = np.linspace(255, 120, 600)[None, :, None].repeat(400, 0).repeat(3, 2)
    assert find_tables(shade.astype(np.uint8)) == []


def test_a_page_a_pixel_or_two_across_holds_no_table():
    # Schemathesis sent a 1 × 1 PNG; a fill boundary needs neighbours two pixels apart.
    for shape in [(1, 1, 3), (2, 3, 3), (1, 40, 3), (40, 2, 3)]:
        assert find_tables(np.full(shape, 255, np.uint8)) == []


def test_a_dark_cell_holding_light_text_stays_one_cell():
    # Inside a navy cell the white text lifts the local mean, and the fill beside each line of
    # text read as a long dark stroke cutting the cell in two.
    page = np.full((400, 600, 3), 255, np.uint8)
    for x0, x1 in itertools.pairwise(COLUMNS):
        for y0, y1 in itertools.pairwise(ROWS):
            cv2.rectangle(page, (x0, y0), (x1 - 6, y1 - 6), (110, 60, 30), -1)
            cv2.putText(page, "COMPUTING", (x0 + 3, y0 + 40), cv2.FONT_HERSHEY_SIMPLEX, 0.62,
                        (255, 255, 255), 2)
            cv2.putText(page, "PMA", (x0 + 40, y0 + 75), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                        (255, 255, 255), 1)
    assert _cells(page) == 12


def test_pale_bands_on_a_noisy_render_are_cells():
    # Light grey bands 13 levels off white, 3 px apart, the render's noise taking 4 off one
    # pixel in five (too little to count as grain): each side of a boundary is read along
    # it, not pixel by pixel.
    page = np.full((400, 600, 3), 255, np.uint8)
    for y0, y1 in itertools.pairwise(ROWS):
        cv2.rectangle(page, (50, y0), (550, y1 - 3), (242, 242, 242), -1)
        cv2.putText(page, "L U N C H", (220, y0 + 50), cv2.FONT_HERSHEY_SIMPLEX, 0.8,
                    (60, 60, 60), 2)
    noise = 4 * (np.random.default_rng(1).random((400, 600, 1)) < 0.2)
    assert _cells((page - noise).clip(0, 255).astype(np.uint8)) == 3


def _notebook_page(rng: np.random.Generator) -> np.ndarray:
    """The 4 × 3 grid drawn in pen on ruled paper: pale lines every 28 px the whole page
    wide, through the cells, on a photo's grain."""
    page = np.full((400, 600), 230, np.uint8)
    for y in range(12, 400, 28):
        cv2.line(page, (0, y), (599, y), 200, 2)
    for x in COLUMNS:
        cv2.line(page, (x, ROWS[0]), (x, ROWS[-1]), 40, 3)
    for y in ROWS:
        cv2.line(page, (COLUMNS[0], y), (COLUMNS[-1], y), 40, 3)
    return (page + rng.normal(0, 2.5, page.shape)).clip(0, 255).astype(np.uint8)


def test_the_lines_of_ruled_paper_under_a_drawn_grid_cut_no_cell():
    page = _notebook_page(np.random.default_rng(3))
    assert _cells(page) == 12


def _framed_grid(height: int, top: int, bottom: int) -> np.ndarray:
    """A rule mask 500 px wide: a frame from `top` to `bottom` with a rule down its middle."""
    mask = np.zeros((height, 500), np.uint8)
    cv2.rectangle(mask, (100, top), (400, bottom), 255, 3)
    cv2.line(mask, (250, top), (250, bottom), 255, 3)
    cv2.line(mask, (100, (top + bottom) // 2), (400, (top + bottom) // 2), 255, 3)
    return mask


def test_a_copier_s_streak_down_the_page_through_a_grid_is_no_rule():
    mask = _framed_grid(600, 150, 450)
    cv2.line(mask, (320, 0), (320, 599), 255, 3)  # past the frame at both ends
    cleaned = without_streaks(mask)
    assert not cleaned[200, 320] and not cleaned[20, 320]  # inside a cell, and in the margin
    assert cleaned[150, 320] and cleaned[300, 320]  # the rules it crossed stay whole


def test_a_grid_that_fills_the_page_keeps_its_rules():
    # A screenshot cropped to its table: its rules run the page's whole height.
    mask = _framed_grid(500, 0, 499)
    assert np.array_equal(without_streaks(mask), mask)


def test_a_streak_from_the_page_s_edge_stopping_inside_a_cell_is_no_rule():
    mask = _framed_grid(600, 150, 450)
    cv2.line(mask, (320, 0), (320, 380), 255, 3)  # in from the top, stops in the lower row
    cleaned = without_streaks(mask)
    assert not cleaned[200, 320] and not cleaned[350, 320]


def test_a_table_drawn_with_inner_rules_only_keeps_them():
    # No frame: the upright rules run a row past the first and last rules across, all alike.
    mask = np.zeros((500, 500), np.uint8)
    for x in (150, 250, 350):
        cv2.line(mask, (x, 0), (x, 499), 255, 3)
    for y in (60, 250, 440):
        cv2.line(mask, (50, y), (450, y), 255, 3)
    assert np.array_equal(without_streaks(mask), mask)


def test_a_streak_alongside_a_rule_takes_only_its_own_line_away():
    mask = _framed_grid(600, 150, 450)  # a rule down x = 250
    cv2.line(mask, (254, 0), (254, 599), 255, 3)  # merged with it into one run
    cleaned = without_streaks(mask)
    assert cleaned[200, 250] and not cleaned[200, 255] and not cleaned[20, 254]
