import cv2
import numpy as np

from inference.preprocess import (
    clean_page,
    deskew,
    map_points,
    page_quarter_turns,
    quarter_turn_matrix,
    rotate_quarter,
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


def test_clean_page_leaves_a_clean_page_alone():
    page = _page_with_dot(100, 100)
    cleaned, matrix = clean_page(page)
    assert cleaned is page and np.allclose(matrix, np.eye(3))


def test_the_orientation_classifier_stands_a_page_on_its_side_upright(sample_png):
    page = cv2.imread(str(sample_png))
    # Turned k quarters counter-clockwise, it takes (4 - k) more to stand upright; upside
    # down is left to the recogniser's own 0/180° step.
    found = {k: page_quarter_turns(rotate_quarter(page, k)) for k in range(4)}
    assert found == {0: 0, 1: 3, 2: 0, 3: 1}
