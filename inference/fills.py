"""Filled boxes: the box of one fill a line of text stands in (a calendar's event, a card of a
visual timetable, a coloured cell drawn with no rule), found from the image by growing the
fill under the text out row by row and column by column until the colour changes. Pastel
against pastel, a scan's grain and a faint line through a see-through box are allowed for; a
gap of the page's ground or a box's border stops it.
"""

from __future__ import annotations

import numpy as np

from inference.schema import Box

# A pixel is the box's fill within this many grey levels (each channel); a fill must differ
# from the page's ground by more than FILL_CONTRAST to be a box at all.
FILL_TOLERANCE = 22
FILL_CONTRAST = 10
# A row (column) still belongs to the box where this share of its pixels is fill: lines of
# text inside the box keep most of a row's pixels, a gap or a border none.
ROW_SHARE = 0.35
COLUMN_SHARE = 0.5
# A faint line inside a box: this many rows at most, this share of them near the fill.
FAINT_LINE = 2
FAINT_SHARE = 0.8
# The fill's colour is taken again every this many pixels grown: light falling across a
# photographed card shades it off by more than the tolerance from one end to the other.
SHADE_STEP = 24
# Sideways, an icon beside the text (a visual timetable's clipart) is crossed: columns where
# at least this share is still fill (above and below the icon), no wider than the box is
# tall, with fill beyond. A gap of ground or a border leaves no fill in its columns.
ICON_SHARE = 0.2


def _distance(pixels: np.ndarray, colour: np.ndarray) -> np.ndarray:
    return np.abs(pixels.astype(np.int16) - colour.astype(np.int16)).max(-1)


def _grow(image: np.ndarray, box: Box, inset: int, fill: np.ndarray, ground: np.ndarray,
          limit: Box, grain: float) -> Box:
    """`box` grown out over the fill until a row (column) of it is mostly something else: a
    pixel is fill when near it, and nearer it than to the page's ground (pastel fills). A
    faint line through a see-through box (the hour rule under Apple's boxes), `FAINT_LINE`
    rows at most with fill beyond, is crossed; a gap of ground or a box's border is not.
    The fill is followed as it shades off (a photo's light falling across a long card), and
    the box is grown down and up first, then sideways over its whole height, so that an
    icon beside the text does not end it."""
    x0, y0, x1, y1 = int(box.x0), int(box.y0), int(box.x1), int(box.y1)
    # Pastel fills differ from the ground and from each other by a few grey levels only.
    tolerance = min(FILL_TOLERANCE, max(6.0, 2.5 * grain, _distance(fill[None], ground)[0] / 2))

    def share(pixels: np.ndarray, colour: np.ndarray, slack: float) -> float:
        near = _distance(pixels, colour)
        return float(((near <= slack * tolerance) & (near < _distance(pixels, ground))).mean())

    def across_icon(edge: int, step: int, bound: int, strip, needed: float, widest: int,
                    colour: np.ndarray) -> int | None:
        """The first fill column past an icon standing on the fill next to `edge`, None when
        what is there is no icon (a border, a gap, the box's end)."""
        for k in range(edge + step, edge + (widest + 1) * step, step):
            if (k - bound) * step >= 0:
                return None
            found = share(strip(k), colour, 1.0)
            if found >= needed:
                return k
            if found < ICON_SHARE:
                return None
        return None

    def reach(start: int, step: int, bound: int, strip, needed: float, icons: int = 0) -> int:
        """The last fill row (column) from `start` going `step`, short of `bound`, crossing
        icons up to `icons` wide."""
        edge, colour, since = start, fill, 0
        while True:
            for jump in range(1, FAINT_LINE + 2):
                k = edge + jump * step
                if (k - bound) * step >= 0:
                    return edge
                if share(strip(k), colour, 1.0) >= needed:
                    break
                if share(strip(k), colour, 2.0) < FAINT_SHARE:
                    past = icons and across_icon(edge, step, bound, strip, needed, icons, colour)
                    if not past:
                        return edge
                    k = past
                    break
            else:
                return edge
            since += abs(k - edge)
            edge = k
            if since >= SHADE_STEP:  # not every row: a soft edge must not lead it off the box
                pixels = strip(k)
                colour = np.median(pixels[_distance(pixels, colour) <= tolerance], axis=0)
                since = 0

    def row(y: int) -> np.ndarray:
        return image[y, x0:x1]

    # Grown from the middle of the text, since the reading's box of a line may take in a row
    # of the gap above or below it; but from the text's edge where its middle rows are too
    # inked to count as fill and the fill goes on beyond it (bold capitals on a long card).
    top = reach(y0 + inset, -1, int(limit.y0), row, ROW_SHARE)
    if top > y0:
        top = min(top, reach(y0, -1, int(limit.y0), row, ROW_SHARE))
    bottom = reach(y1 - 1 - inset, 1, int(limit.y1), row, ROW_SHARE)
    if bottom < y1 - 1:
        bottom = max(bottom, reach(y1 - 1, 1, int(limit.y1), row, ROW_SHARE))
    # Sideways over the box's height less its rounded corners.
    inset = (bottom - top) // 8
    ys = slice(min(top + inset, y0), max(bottom + 1 - inset, y1))
    icons = bottom - top
    left = reach(x0, -1, int(limit.x0), lambda x: image[ys, x], COLUMN_SHARE, icons)
    right = reach(x1 - 1, 1, int(limit.x1), lambda x: image[ys, x], COLUMN_SHARE, icons)
    return Box(x0=left, y0=top, x1=right + 1, y1=bottom + 1)


def commonest_colour(pixels: np.ndarray) -> np.ndarray:
    """The colour most pixels share (binned 8 levels a channel, then their mean): a dense
    calendar's ground, where boxes cover so much of it that a channel's median mixes their
    fills into a colour of its own."""
    pixels = pixels.reshape(-1, 3)
    bins = (pixels // 8).astype(np.int32)
    keys = (bins[:, 0] << 10) | (bins[:, 1] << 5) | bins[:, 2]
    commonest = np.bincount(keys).argmax()
    return pixels[keys == commonest].mean(axis=0)


def filled_box(image: np.ndarray, text: Box, ground: np.ndarray, limit: Box) -> Box | None:
    """The filled box a line of text (`text`, its box) stands in, grown no further than
    `limit`; None on the page's `ground` (its colour)."""
    height, width = image.shape[:2]
    x0, y0 = max(0, int(text.x0)), max(0, int(text.y0))
    x1, y1 = min(width, int(text.x1)), min(height, int(text.y1))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    pixels = image[y0:y1, x0:x1].reshape(-1, 3)
    fill = np.median(pixels, axis=0)
    if _distance(fill[None], ground)[0] <= FILL_CONTRAST:
        return None
    # A scan's or a photo's grain: how far the fill's own pixels (not the text's) stray.
    grain = float(np.percentile(_distance(pixels, fill), 40))
    return _grow(image, Box(x0=x0, y0=y0, x1=x1, y1=y1), (y1 - y0) // 4, fill, ground, limit,
                 grain)


def same_box(a: Box, b: Box) -> bool:
    """Two boxes found from two lines are one: they mostly overlap."""
    return a.overlap_area(b) >= 0.7 * min(a.width * a.height, b.width * b.height)


def one_fill(a: Box, b: Box) -> bool:
    """Two boxes found from two lines are the very same fill: each mostly covers the other (a
    card standing on a panel of another fill is a box of its own, though the panel holds it)."""
    return a.overlap_area(b) >= 0.7 * max(a.width * a.height, b.width * b.height)
