"""Tiled timetables: a grid drawn as coloured boxes with gaps of the page between them and no
rule at all, as teachers make them in PowerPoint or Canva (rounded pastel tiles, a day's tab
down the left, the times on dark tiles along the top, a Break tile running down the week).

The ruling finder sees such a page badly: each tile's edge is a boundary between fills, and
the gaps are too narrow to keep one tile's edge from the next, so the edges run together with
the letters inside into one tangle of small regions. Here a tile is instead a connected piece
of the page that differs from its ground and fills its own bounding box (text, icons and
rounded corners inside it allowed for). Enough tiles lined up in rows and columns are a
table: each tile a cell, grown across half the gap to its neighbours so that cells meet as a
ruled grid's do.
"""

from __future__ import annotations

import cv2
import numpy as np

from inference.fills import commonest_colour
from inference.schema import Box

# A tile differs from the page's ground by more than this (grey levels, any channel): a pastel
# on cream is 10–40 levels off it.
TILE_CONTRAST = 8
# A tile fills at least this share of its bounding box (rounded corners, a scan's grain).
TILE_FILL = 0.85
# A tile is at least this share of the page's shorter side, and MIN_SIDE pixels, in both
# directions (a bold title's "I" fills its box too), and a piece over this share of the
# page's area is the page's own ground (a photo's desk, a banner).
TILE_SIDE = 0.025
MIN_SIDE = 16
TILE_AREA = 0.25
# ... and at least this share of the area of the larger tiles (the 75th percentile): a bold
# title's letters fill their boxes as well as a tile does, but are far smaller.
TILE_SHARE = 0.2
# A tiled table has at least this many tiles, in this many rows and columns at least, and its
# tiles cover this share of the box round them (a few highlighted words in a ruled grid do not).
MIN_TILES = 10
MIN_LINES = 3
TILE_COVER = 0.6
# Tiles are looked for on the page shrunk by this factor.
SCALE = 2
# Two tiles are neighbours across a gap no wider than this share of the page's longer side.
MAX_GAP = 0.02


def _tiles(image: np.ndarray) -> list[Box]:
    h, w = image.shape[:2]
    colour = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    # Tiles are large: half the page's pixels find them as well, in a quarter of the time.
    small = cv2.resize(colour, (max(1, w // SCALE), max(1, h // SCALE)),
                       interpolation=cv2.INTER_AREA)
    ground = commonest_colour(small.reshape(-1, 3)[::3])
    off = cv2.absdiff(small, np.full_like(small, np.round(ground).astype(np.uint8)))
    off = (cv2.max(cv2.max(off[..., 0], off[..., 1]), off[..., 2]) > TILE_CONTRAST)
    # A scan's specks are no bridge between two tiles.
    off = cv2.morphologyEx(off.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(off, connectivity=4)
    side = max(TILE_SIDE * min(h, w), MIN_SIDE) / SCALE
    found = [(x, y, bw, bh) for x, y, bw, bh, area in stats[1:n]
             if bw >= side and bh >= side and bw * bh <= TILE_AREA * off.size
             and area >= TILE_FILL * bw * bh]
    if not found:
        return []
    least = TILE_SHARE * np.percentile([bw * bh for _, _, bw, bh in found], 75)
    return [Box(x0=x * SCALE, y0=y * SCALE, x1=(x + bw) * SCALE, y1=(y + bh) * SCALE)
            for x, y, bw, bh in found if bw * bh >= least]


def _lines_of(values: list[float], tolerance: float) -> int:
    """How many distinct places the values stand at (neighbours within `tolerance` one)."""
    values = sorted(values)
    return 1 + sum(b - a > tolerance for a, b in zip(values, values[1:], strict=False))


def _grown(tiles: list[Box], gap: float) -> list[Box]:
    """Each tile grown across half the gap to the nearest tile beside it on each side, where
    one stands within `gap`: the cells of the grid meet as drawn cells do."""
    grown = []
    for tile in tiles:
        edges = {"x0": tile.x0, "y0": tile.y0, "x1": tile.x1, "y1": tile.y1}
        for other in tiles:
            if other is tile:
                continue
            beside = min(tile.y1, other.y1) > max(tile.y0, other.y0)
            over = min(tile.x1, other.x1) > max(tile.x0, other.x0)
            if beside and 0 <= other.x0 - tile.x1 <= gap:
                edges["x1"] = max(edges["x1"], (tile.x1 + other.x0) / 2)
            if beside and 0 <= tile.x0 - other.x1 <= gap:
                edges["x0"] = min(edges["x0"], (tile.x0 + other.x1) / 2)
            if over and 0 <= other.y0 - tile.y1 <= gap:
                edges["y1"] = max(edges["y1"], (tile.y1 + other.y0) / 2)
            if over and 0 <= tile.y0 - other.y1 <= gap:
                edges["y0"] = min(edges["y0"], (tile.y0 + other.y1) / 2)
        grown.append(Box(**edges))
    return grown


def tile_cells(image: np.ndarray, tolerance: float) -> list[Box]:
    """The cells of the page's tiled table, or none when its tiles make no table; tiles
    whose edges lie within `tolerance` (pixels) stand in one row or column."""
    tiles = _tiles(image)
    if len(tiles) < MIN_TILES:
        return []
    rows = _lines_of([t.y0 for t in tiles], tolerance)
    columns = _lines_of([t.x0 for t in tiles], tolerance)
    around = Box.enclosing(tiles)
    covered = sum(t.width * t.height for t in tiles)
    if (rows < MIN_LINES or columns < MIN_LINES
            or covered < TILE_COVER * around.width * around.height):
        return []
    return _grown(tiles, MAX_GAP * max(image.shape[:2]))
