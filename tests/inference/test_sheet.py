import cv2
import numpy as np

from inference.preprocess import clean_page, skew_angle, to_gray
from inference.sheet import flatten_sheet, sheet_quadrilateral

SEEN = np.float32([[180, 150], [1020, 110], [1060, 760], [150, 720]])


def _grained_desk(height: int, width: int) -> np.ndarray:
    """A wooden desk: orange-brown, with long dark grain lines running at a slant, the kind
    of strokes a deskew by long lines takes for the page's."""
    desk = np.zeros((height, width, 3), np.uint8)
    desk[:] = (60, 120, 175)
    for y in range(-400, height + 400, 23):
        cv2.line(desk, (0, y), (width, y + 100), (40, 85, 130), 3)
    return desk


def _sheet_on_a_desk() -> np.ndarray:
    """A printed grid on cream paper with a margin, photographed lying on a wooden desk:
    seen at a slant (the corners `SEEN`)."""
    paper = np.full((700, 1000, 3), (225, 238, 242), np.uint8)
    for x in np.linspace(80, 920, 7).astype(int):
        cv2.line(paper, (x, 80), (x, 620), (40, 40, 40), 2)
    for y in np.linspace(80, 620, 6).astype(int):
        cv2.line(paper, (80, y), (920, y), (40, 40, 40), 2)
    corners = np.float32([[0, 0], [1000, 0], [1000, 700], [0, 700]])
    warp = cv2.getPerspectiveTransform(corners, SEEN)
    return cv2.warpPerspective(paper, warp, (1200, 900), dst=_grained_desk(900, 1200),
                               borderMode=cv2.BORDER_TRANSPARENT)


def test_the_sheet_on_a_desk_is_found_by_its_edges():
    quad = sheet_quadrilateral(_sheet_on_a_desk())
    assert quad is not None
    assert np.abs(quad - SEEN).max() < 12


def test_the_sheet_is_cut_from_the_desk_and_squared():
    sheet, matrix = flatten_sheet(_sheet_on_a_desk())
    height, width = sheet.shape[:2]
    # As large as the sheet's longer sides were seen: 910 × 650 px.
    assert abs(width - 910) < 15 and abs(height - 650) < 15
    corners = cv2.perspectiveTransform(SEEN.reshape(-1, 1, 2), matrix).reshape(-1, 2)
    assert np.abs(corners - [[0, 0], [width, 0], [width, height], [0, height]]).max() < 12


def test_the_desk_grain_does_not_tilt_the_cleaned_page():
    cleaned, _ = clean_page(_sheet_on_a_desk())
    # The printed rules alone (the grain is lighter): level.
    rules = np.where(to_gray(cleaned) < 60, 255, 0).astype(np.uint8)
    assert abs(skew_angle(rules)) < 0.5


def test_a_page_on_white_with_coloured_cards_is_no_photographed_sheet():
    # A PDF's page: the "sheet" would be a group of its fills, darker than the white frame.
    page = np.full((900, 1200, 3), 255, np.uint8)
    cv2.rectangle(page, (200, 150), (1000, 750), (180, 200, 240), -1)
    assert sheet_quadrilateral(page) is None


def test_a_sheet_lying_square_is_left_as_it_is():
    # A screenshot's page on a grey window: a sheet, but upright already.
    window = np.full((900, 1200, 3), 90, np.uint8)
    cv2.rectangle(window, (150, 100), (1050, 800), (250, 250, 250), -1)
    assert sheet_quadrilateral(window) is not None
    assert flatten_sheet(window) is None


def test_a_shadow_across_the_sheet_is_no_edge_of_it():
    # A soft shadow darkens the sheet's right part to the desk's grey: the mask's outline
    # runs down the shadow, across the sheet, where no step of colour is, and the sheet is
    # not taken.
    photo = np.full((900, 1200, 3), 110, np.uint8)
    cv2.fillConvexPoly(photo, SEEN.astype(np.int32), (235, 235, 235))
    light = np.clip(1.0 - (np.arange(1200) - 500) / 600, 0.45, 1.0)
    photo = (photo * light[None, :, None]).astype(np.uint8)
    assert sheet_quadrilateral(photo) is None
