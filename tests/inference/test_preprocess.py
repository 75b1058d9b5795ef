import cv2
import numpy as np
import pytest

from inference.preprocess import (
    IDENTITY,
    clean_page,
    deskew,
    keystone_matrix,
    map_points,
    page_quarter_turns,
    quarter_turn_matrix,
    rotate_quarter,
    skew_angle,
    table_quadrilateral,
    text_skew,
    to_gray,
)


def _page_with_dot(x: int, y: int, w: int = 300, h: int = 200) -> np.ndarray:
    page = np.full((h, w, 3), 255, np.uint8)
    cv2.circle(page, (x, y), 3, (0, 0, 0), -1)
    return page


def _dot(image: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(image[:, :, 0] < 128)
    return float(xs.mean()), float(ys.mean())


def test_quarter_turn_matrix_follows_the_pixels():
    page = _page_with_dot(50, 30)
    for turns in range(4):
        turned = rotate_quarter(page, turns)
        expected = map_points(quarter_turn_matrix(300, 200, turns), np.array([[50.5, 30.5]]))[0]
        assert np.allclose(_dot(turned), expected - 0.5, atol=1.0), turns


def test_deskew_matrix_maps_points_onto_the_rotated_page():
    page = np.full((400, 600, 3), 255, np.uint8)
    for y in (100, 200, 300):  # long, slightly tilted rules give the skew
        cv2.line(page, (20, y), (580, y + 20), (0, 0, 0), 2)
    cv2.circle(page, (300, 150), 4, (0, 0, 0), -1)
    level, matrix = deskew(page)
    assert not np.allclose(matrix, np.eye(3))
    x, y = map_points(matrix, np.array([[300.0, 150.0]]))[0]
    assert level[int(round(y)), int(round(x))].mean() < 128


def _cards_of_text(tilt: float) -> np.ndarray:
    """Rows of words (dark bars) with no rule on the page, turned `tilt` degrees."""
    page = np.full((700, 900, 3), 255, np.uint8)
    for row in range(12):
        for col in range(5):
            x, y = 60 + 165 * col, 60 + 50 * row
            cv2.rectangle(page, (x, y), (x + 40 + 17 * ((row + col) % 4), y + 14), (30, 30, 30), -1)
    turn = cv2.getRotationMatrix2D((450, 350), tilt, 1.0)
    return cv2.warpAffine(page, turn, (900, 700), borderValue=(255, 255, 255))


def test_a_page_of_text_without_rules_is_levelled_by_its_rows():
    assert skew_angle(to_gray(_cards_of_text(3.0))) == 0.0  # no long stroke to go by
    assert abs(text_skew(to_gray(_cards_of_text(3.0))) - skew_angle(to_gray(_tilted_rules()))) < 0.3
    assert text_skew(to_gray(_cards_of_text(0.0))) == 0.0
    level, matrix = deskew(_cards_of_text(3.0))
    assert not np.allclose(matrix, np.eye(3))
    assert text_skew(to_gray(level)) == 0.0


def _tilted_rules() -> np.ndarray:
    """Long rules turned the way `_cards_of_text(3.0)` turns its rows."""
    page = np.full((700, 900, 3), 255, np.uint8)
    for y in (150, 350, 550):
        cv2.line(page, (50, y), (850, y), (0, 0, 0), 2)
    turn = cv2.getRotationMatrix2D((450, 350), 3.0, 1.0)
    return cv2.warpAffine(page, turn, (900, 700), borderValue=(255, 255, 255))


def _portal_screenshot() -> np.ndarray:
    """A school portal's timetable: a panel with light grey gridlines and, standing on its top
    edge, three tabs ("Week A", "Week B", "Print")."""
    page = np.full((420, 1100, 3), 255, np.uint8)
    cv2.rectangle(page, (180, 119), (1085, 390), (200, 200, 200), 1)
    for x in (190, 306, 460, 595, 734, 900, 1075):
        cv2.line(page, (x, 130), (x, 358), (222, 222, 222), 1)
    for y in (130, 158, 186, 214, 242, 270, 298, 326, 358):
        cv2.line(page, (190, y), (1075, y), (222, 222, 222), 1)
    for x0, x1 in ((182, 240), (246, 304), (309, 356)):
        cv2.rectangle(page, (x0, 96), (x1, 122), (190, 190, 190), 1)
    return page


def test_a_page_drawn_square_is_not_flattened():
    # The first tab's top left and the panel's other corners made a border leaning 2 degrees.
    cleaned, matrix = clean_page(_portal_screenshot())
    assert np.allclose(matrix, np.eye(3))


def test_clean_page_leaves_a_clean_page_alone():
    page = _page_with_dot(100, 100)
    cleaned, matrix = clean_page(page)
    assert cleaned is page and np.allclose(matrix, np.eye(3))


def _photographed_grid(tilt: float, surround: int) -> np.ndarray:
    """A 6 × 5 ruled grid on white paper lying on a desk of grey `surround`, seen slightly
    from below (the top edge narrower) and turned `tilt` degrees."""
    paper = np.full((600, 800, 3), 255, np.uint8)
    for x in np.linspace(100, 700, 6).astype(int):
        cv2.line(paper, (x, 100), (x, 500), (0, 0, 0), 2)
    for y in np.linspace(100, 500, 7).astype(int):
        cv2.line(paper, (100, y), (700, y), (0, 0, 0), 2)
    desk = np.full((800, 1000, 3), surround, np.uint8)
    corners = np.float32([[0, 0], [800, 0], [800, 600], [0, 600]])
    seen = np.float32([[130, 110], [870, 110], [900, 690], [100, 690]])
    warp = cv2.getPerspectiveTransform(corners, seen)
    photo = cv2.warpPerspective(paper, warp, (1000, 800), dst=desk,
                                borderMode=cv2.BORDER_TRANSPARENT)
    turn = cv2.getRotationMatrix2D((500, 400), tilt, 1.0)
    return cv2.warpAffine(photo, turn, (1000, 800), borderMode=cv2.BORDER_REPLICATE)


def test_a_tilted_photographed_table_comes_out_level_and_rectangular():
    for tilt in (1.5, -3.0):
        cleaned, _ = clean_page(_photographed_grid(tilt, surround=60))
        quad = table_quadrilateral(to_gray(cleaned))
        assert abs(skew_angle(to_gray(cleaned))) < 0.3, tilt
        tl, tr, br, bl = quad
        # Flattened: the corners of the border (the paper's or the table's) share rows and columns.
        assert abs(tl[1] - tr[1]) < 6 and abs(bl[1] - br[1]) < 6, (tilt, quad)
        assert abs(tl[0] - bl[0]) < 6 and abs(tr[0] - br[0]) < 6, (tilt, quad)


def test_a_table_cut_by_the_frame_is_not_taken_for_a_border():
    page = np.full((400, 600), 255, np.uint8)
    for x in (0, 150, 300, 450, 599):  # the outer rules run along the image's edges
        cv2.line(page, (x, 0), (x, 399), 0, 2)
    for y in (0, 100, 200, 300, 399):
        cv2.line(page, (0, y), (599, y), 0, 2)
    assert table_quadrilateral(page) is None


def test_the_orientation_classifier_stands_a_page_on_its_side_upright(sample_png):
    page = cv2.imread(str(sample_png))
    # Turned k quarters counter-clockwise, it takes (4 - k) more to stand upright; upside
    # down is left to the recogniser's own 0/180° step.
    found = {k: page_quarter_turns(rotate_quarter(page, k)) for k in range(4)}
    assert found == {0: 0, 1: 3, 2: 0, 3: 1}


def _grid_filling_the_frame(narrowing: float, sideways: bool = False) -> np.ndarray:
    """A ruled grid whose outer rules touch the image's edges (a photo cropped to the table),
    seen from below its middle: the top edge `narrowing` of the width shorter; `sideways`
    swaps the photo's axes, so its rows converge instead of its columns."""
    page = np.full((600, 900, 3), 255, np.uint8)
    for x in np.linspace(2, 897, 7).astype(int):
        cv2.line(page, (x, 0), (x, 599), (0, 0, 0), 3)
    for y in np.linspace(2, 597, 6).astype(int):
        cv2.line(page, (0, y), (899, y), (0, 0, 0), 3)
    h, w = page.shape[:2]
    inset = narrowing * w / 2
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    seen = np.float32([[inset, 0], [w - inset, 0], [w, h], [0, h]])
    photo = cv2.warpPerspective(page, cv2.getPerspectiveTransform(corners, seen), (w, h),
                                borderValue=(60, 60, 60))
    return np.ascontiguousarray(photo.transpose(1, 0, 2)) if sideways else photo


def _rule_slopes(image: np.ndarray, vertical: bool) -> np.ndarray:
    """dx/dy of the long near-vertical rules (dy/dx of the near-horizontal ones)."""
    gray = to_gray(image)
    if not vertical:
        gray = np.ascontiguousarray(gray.T)
    segments = cv2.HoughLinesP(cv2.Canny(gray, 50, 150), 1, np.pi / 720, 100,
                               minLineLength=gray.shape[0] // 3, maxLineGap=10)
    x0, y0, x1, y1 = segments.reshape(-1, 4).astype(float).T
    upright = np.abs(x1 - x0) < 0.27 * np.abs(y1 - y0)
    return (x1 - x0)[upright] / (y1 - y0)[upright]


def test_a_keystoned_table_filling_the_frame_gets_upright_parallel_rules():
    # No closed border lies inside the frame, so the rules' convergence gives the warp.
    for sideways in (False, True):
        photo = _grid_filling_the_frame(0.12, sideways)
        assert np.abs(_rule_slopes(photo, vertical=not sideways)).max() > 0.04
        cleaned, matrix = clean_page(photo)
        assert not np.allclose(matrix, np.eye(3))
        assert np.abs(_rule_slopes(cleaned, vertical=not sideways)).max() < 0.01, sideways
        assert np.abs(_rule_slopes(cleaned, vertical=sideways)).max() < 0.01, sideways


def test_rules_that_do_not_converge_are_no_keystone():
    assert keystone_matrix(to_gray(_grid_filling_the_frame(0.0))) is IDENTITY


@pytest.mark.parametrize("shape", [(1, 1), (1, 5), (5, 1)])
def test_a_page_of_a_pixel_or_two_has_no_keystone(shape: tuple[int, int]):
    assert keystone_matrix(np.zeros(shape, np.uint8)) is IDENTITY


def test_a_grid_whose_corner_cell_has_no_border_is_not_warped():
    # A printed export: the header row starts right of the day column, which starts under it,
    # so the border's top-left corner is notched; its quadrilateral is no perspective.
    page = np.full((800, 1000, 3), 255, np.uint8)
    for x in range(170, 901, 146):
        cv2.line(page, (x, 100), (x, 700), (0, 0, 0), 2)
    cv2.line(page, (130, 170), (130, 700), (0, 0, 0), 2)
    cv2.line(page, (170, 100), (900, 100), (0, 0, 0), 2)
    for y in range(170, 701, 106):
        cv2.line(page, (130, y), (900, y), (0, 0, 0), 2)
    cleaned, matrix = clean_page(page)
    assert np.allclose(matrix, np.eye(3))
