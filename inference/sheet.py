"""The sheet of paper in a photo: a printed timetable photographed lying on a desk or pinned to
a noticeboard shows the sheet's four edges against what it lies on. Those edges are the
surest perspective a photo holds, surer than the rules printed on the sheet: wood grain, a
ruler or a cork board beside the sheet are long straight strokes too, and they tilt the
deskew and the keystone that would otherwise square the page.

The surround is whatever the frame's edge shows; the sheet is the largest region of another,
lighter colour that the surround encloses, and its outline, straightened to four corners, is
what an upright rectangle was photographed as. Only a clear sheet is taken: one wholly inside
the frame, close to a quadrilateral whose every side is a step from paper to surround, a
sizeable part of the photo, and not already upright (a screenshot's page on a grey window is
left as it is). The sheet is cut from its surround, which holds no timetable: the page's
cleaning then goes on as for a scan of it (a curled sheet's rules still bend).
"""

from __future__ import annotations

import cv2
import numpy as np

from inference.fills import commonest_colour

# The sheet is looked for on the photo shrunk to this longer side (its edges are long).
SIDE = 640
# The surround's colour is read on a frame of this share of the shorter side.
FRAME = 0.03
# The sheet differs from the surround's colour by at least this (Lab distance).
MIN_CONTRAST = 18.0
# Paper is lighter than what it lies on by at least this (Lab lightness, 0–255): a page of a
# PDF or a screenshot whose frame is white, and whose "sheet" would be a group of its fills,
# is no photo of a sheet.
LIGHTER = 15.0
# The sheet covers this share of the photo at least, and at most (a sheet filling the frame
# shows no edge to go by).
MIN_AREA, MAX_AREA = 0.12, 0.92
# Its outline fills at least this share of the quadrilateral round it (a curled corner, a
# shadow along an edge).
SOLIDITY = 0.85
# Its corners stand at least this share of the shorter side inside the frame.
MARGIN = 0.01
# A side's line is fitted to the outline's points along its middle (clear of this share of
# it at each end) and within this share of its length of it.
SIDE_ENDS = 0.1
SIDE_REACH = 0.05
# A photographed sheet's corners are within this many degrees of square, and its opposite
# sides within this ratio of each other.
CORNER_ANGLE = 25.0
SIDE_RATIO = 0.75
# Along each side, the colours this share of the shorter side inside and outside differ by
# MIN_CONTRAST at this share of the points at least.
EDGE_STEP = 0.015
EDGE_SHARE = 0.7
# A quadrilateral whose corners are all within this share of its size of an upright
# rectangle's is upright already.
UPRIGHT = 0.01


def _sheet_mask(lab: np.ndarray) -> np.ndarray:
    """Pixels nearer the sheet's colour than the surround's (a mask, 255 on the sheet). The
    surround's colour is the frame's median; the sheet's is the commonest colour that stands
    apart from it (a paper's margin), so the cells printed on the sheet, whatever their
    colour, are holes in it and fall inside its outline."""
    h, w = lab.shape[:2]
    band = max(2, int(FRAME * min(h, w)))
    frame = np.zeros((h, w), bool)
    frame[:band], frame[-band:], frame[:, :band], frame[:, -band:] = True, True, True, True
    surround = np.median(lab[frame], axis=0)
    off_surround = _squared_distance(lab, surround)
    apart = lab[off_surround > MIN_CONTRAST ** 2]
    if len(apart) < MIN_AREA * h * w:
        return np.zeros((h, w), np.uint8)
    sheet = commonest_colour(apart)
    if sheet[0] < surround[0] + LIGHTER:
        return np.zeros((h, w), np.uint8)
    nearer = _squared_distance(lab, sheet) < off_surround
    return np.where(nearer, 255, 0).astype(np.uint8)


def _squared_distance(lab: np.ndarray, colour: np.ndarray) -> np.ndarray:
    difference = lab - colour.astype(np.float32)
    return np.einsum("ijk,ijk->ij", difference, difference)


def _four_corners(outline: np.ndarray) -> np.ndarray | None:
    """The outline's convex hull straightened to four corners, or None when no tolerance up
    to a twentieth of its perimeter gives four."""
    hull = cv2.convexHull(outline)
    perimeter = cv2.arcLength(hull, True)
    for share in (0.01, 0.02, 0.03, 0.04, 0.05):
        corners = cv2.approxPolyDP(hull, share * perimeter, True)
        if len(corners) == 4:
            return corners.reshape(4, 2).astype(np.float32)
    return None


def order_corners(points: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    s = points.sum(axis=1)
    d = np.diff(points, axis=1).ravel()
    return np.array([points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)],
                     points[np.argmax(d)]], dtype=np.float32)


def _cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The 2-D cross product (z of the 3-D one) of vectors, or of each row of `v` with `u`."""
    return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]


def _fitted_sides(corners: np.ndarray, outline: np.ndarray) -> np.ndarray | None:
    """The corners where lines fitted to each side's stretch of the outline meet: the hull's
    corners sit on the outline's furthest points (a curled corner, a shadow's bite), its
    sides' lines on most of the edge. None where a side has too few points to fit."""
    lines = []
    for k in range(4):
        a, b = corners[k], corners[(k + 1) % 4]
        along = b - a
        length = float(np.linalg.norm(along))
        t = (outline - a) @ along / max(length ** 2, 1e-9)
        off = np.abs(_cross(along, outline - a)) / max(length, 1e-9)
        near = outline[(t > SIDE_ENDS) & (t < 1 - SIDE_ENDS) & (off < SIDE_REACH * length)]
        if len(near) < 2:
            return None
        vx, vy, x0, y0 = cv2.fitLine(near, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0]), np.array([vx, vy])))
    fitted = []
    for k in range(4):
        (p, u), (q, v) = lines[k - 1], lines[k]
        denominator = float(_cross(u, v))
        if abs(denominator) < 1e-6:
            return None
        fitted.append(p + u * float(_cross(q - p, v)) / denominator)
    return np.array(fitted, dtype=np.float32)


def _rectangle_seen(corners: np.ndarray) -> bool:
    """Whether the quadrilateral can be a rectangle photographed at a modest slant: every
    corner's angle within CORNER_ANGLE of square, opposite sides within SIDE_RATIO."""
    sides = [corners[(k + 1) % 4] - corners[k] for k in range(4)]
    lengths = [float(np.linalg.norm(side)) for side in sides]
    if min(lengths) == 0 or any(min(lengths[k], lengths[k + 2]) < SIDE_RATIO * max(
            lengths[k], lengths[k + 2]) for k in (0, 1)):
        return False
    for k in range(4):
        a, b = -sides[k - 1], sides[k]
        cosine = float(a @ b) / (np.linalg.norm(a) * np.linalg.norm(b))
        if abs(np.degrees(np.arccos(np.clip(cosine, -1, 1))) - 90) > CORNER_ANGLE:
            return False
    return True


def _edges_seen(lab: np.ndarray, corners: np.ndarray) -> bool:
    """Whether each side of the quadrilateral runs along a step from the sheet's colour to
    the surround's: at EDGE_SHARE of the points along it, the colours a little inside and
    a little outside differ by MIN_CONTRAST. A side the mask drew along a shadow falling
    across the sheet, or through a sheet lit unevenly, has the sheet on both sides."""
    h, w = lab.shape[:2]
    step = max(3.0, EDGE_STEP * min(h, w))
    centre = corners.mean(axis=0)
    for k in range(4):
        a, b = corners[k], corners[(k + 1) % 4]
        normal = np.array([a[1] - b[1], b[0] - a[0]]) / max(float(np.linalg.norm(b - a)), 1e-9)
        if (centre - (a + b) / 2) @ normal < 0:
            normal = -normal  # inwards
        points = a + np.linspace(0.05, 0.95, 40)[:, None] * (b - a)
        inner = np.clip(np.rint(points + step * normal), 0, [w - 1, h - 1]).astype(int)
        outer = np.clip(np.rint(points - step * normal), 0, [w - 1, h - 1]).astype(int)
        contrast = np.linalg.norm(lab[inner[:, 1], inner[:, 0]] - lab[outer[:, 1], outer[:, 0]],
                                  axis=1)
        if (contrast >= MIN_CONTRAST).mean() < EDGE_SHARE:
            return False
    return True


def sheet_quadrilateral(image: np.ndarray) -> np.ndarray | None:
    """The photographed sheet's corners (top-left, top-right, bottom-right, bottom-left, in
    the image's pixels), or None where no clear sheet lies inside the frame."""
    h, w = image.shape[:2]
    scale = min(1.0, SIDE / max(h, w))
    colour = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    small = cv2.resize(colour, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    # Print and grain are finer than the sheet's edge: smoothed away before colours are read.
    lab = cv2.cvtColor(cv2.medianBlur(small, 5), cv2.COLOR_BGR2LAB).astype(np.float32)
    inside = _sheet_mask(lab)
    sh, sw = inside.shape
    # A thin bridge (a pin, a note's corner touching the sheet) is no part of the sheet.
    reach = max(3, int(0.01 * min(sh, sw)) | 1)
    inside = cv2.morphologyEx(inside, cv2.MORPH_OPEN, np.ones((reach, reach), np.uint8))
    # Every point of the outline kept: each side's line is fitted to them.
    contours, _ = cv2.findContours(inside, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(outline)
    if not MIN_AREA * sh * sw <= area <= MAX_AREA * sh * sw:
        return None
    corners = _four_corners(outline)
    if corners is None or area < SOLIDITY * cv2.contourArea(corners):
        return None
    margin = MARGIN * min(sh, sw)
    if (corners.min(axis=0) < margin).any() or (corners.max(axis=0) > [sw - margin,
                                                                       sh - margin]).any():
        return None
    corners = _fitted_sides(order_corners(corners), outline.reshape(-1, 2).astype(np.float32))
    if corners is None or not _rectangle_seen(corners) or not _edges_seen(lab, corners):
        return None
    return corners / scale


def seen_size(quad: np.ndarray) -> tuple[float, float] | None:
    """The width and height of the upright rectangle a quadrilateral (top-left, top-right,
    bottom-right, bottom-left) was seen as, each the longer of its pair of sides; None where
    the quadrilateral is upright already, each corner within UPRIGHT of its size of that
    rectangle's, its top-left kept (such a page must not be resampled)."""
    tl, tr, br, bl = quad
    width = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    upright = np.array([tl, tl + [width, 0], tl + [width, height], tl + [0, height]],
                       dtype=np.float32)
    if np.abs(quad - upright).max() < UPRIGHT * max(width, height):
        return None
    return width, height


def flatten_sheet(image: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The photographed sheet squared and cut from its surround (its sides as long as the
    longer of each pair was seen), and the 3×3 matrix from the photo's pixels to the
    sheet's; None where there is no clear sheet, or it lies upright already."""
    quad = sheet_quadrilateral(image)
    size = None if quad is None else seen_size(quad)
    if size is None:
        return None
    width, height = size
    target = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    matrix = cv2.getPerspectiveTransform(quad, target)
    sheet = cv2.warpPerspective(image, matrix, (round(width), round(height)),
                                flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return sheet, matrix
