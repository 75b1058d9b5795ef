"""Ruling lines: the long horizontal and vertical strokes of a page, found by morphological
opening. The preprocessing flattens and deskews the page by them, and the structure stage
finds cells between them.

Two readings of the page are united. The binary one (dark against the local mean) holds
crisp rules of any weight; the grey-level one (a top-hat keeps thin dark strokes, whatever
the fill around them) holds rules a blur or a faint print spread into a soft grey trace,
which fall under the binary threshold in places and then break apart.

Cells drawn by their fills alone (a screenshot of coloured boxes with white gaps, a sheet with
only horizontal rules whose columns differ in colour) have no dark stroke between them: there
the long straight edges between two colours are the rules (`fill_edges`). A table drawn on
ruled paper has the paper's pale lines through its cells: they are found and filled with the
paper first (`paper_ruling`, `paper_filled`). A copier's or scanner's streak down the page is
a long stroke too, but no rule: a rule ends at a rule, a streak dangles past the last one it
crosses at both ends (`without_streaks`)."""

from __future__ import annotations

import cv2
import numpy as np

# Grey levels a thin stroke must stand out by, all along a rule, in the grey-level reading.
FAINT_RULE_CONTRAST = 25
# The same for the rules a table's cells are found between, on a page with no grain (a
# screenshot, a PDF): a spreadsheet's or a word processor's light grey gridlines,
# anti-aliased, stand out by 12–20. Each grey level of grain the page has (the median
# stroke reading: 0 on a digital page, 1–2 on a photo or a scan) raises the bar by
# GRAIN_MARGIN, up to FAINT_RULE_CONTRAST.
GRIDLINE_CONTRAST = 10
GRAIN_MARGIN = 8


def _grain(gray: np.ndarray) -> float:
    """How grainy the page is: its median thin-stroke reading (0 on a digital page, 1–2 on a
    photo or a scan)."""
    return float(np.median(thin_strokes(gray)))


def _runs(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where `image` keeps its value along a horizontal, and along a vertical, run of a rule's
    length."""
    h, w = image.shape
    horizontal = cv2.morphologyEx(
        image, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, w // 35), 1))
    )
    vertical = cv2.morphologyEx(
        image, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(25, h // 35)))
    )
    return horizontal, vertical


def _long_strokes(image: np.ndarray) -> np.ndarray:
    """Where `image` keeps its value along a horizontal or vertical run of a rule's length."""
    return np.maximum(*_runs(image))


# A rule drawn down a band of rows at x (through a line of print, or between two cells): a
# column within RULE_HALF px of x differs from the band's ground by RULE_CONTRAST in
# RULED_ROWS of its rows. A spreadsheet's gridlines are a pale grey and a header band's a
# lighter line, so the contrast is low; a letter's stem runs down only part of the rows.
RULE_HALF = 3
RULE_CONTRAST = 8
RULED_ROWS = 0.85


def rule_down(rows: np.ndarray, x: int, ground: float) -> bool:
    """Whether a rule runs down the grey `rows` at `x` (see RULE_HALF), against `ground`."""
    band = rows[:, max(0, x - RULE_HALF):x + RULE_HALF + 1].astype(np.int16)
    return band.size > 0 and bool(
        (np.abs(band - ground) > RULE_CONTRAST).mean(axis=0).max() >= RULED_ROWS)


# A copier's or scanner's streak: a run at least STREAK_LENGTH of the page long whose two ends
# both dangle, by STREAK_BEYOND of the page at least, past the last rule it crosses. A table's
# rule ends at a rule.
STREAK_LENGTH = 0.5
STREAK_BEYOND = 0.03


def without_streaks(mask: np.ndarray) -> np.ndarray:
    """`mask` (255 = rule) without a copier's streaks down or across the page, kept where they
    cross a rule: a streak through a grid cuts its cells in two where no rule runs."""
    horizontal, vertical = _runs(mask)
    down, across = _components(vertical), _components(horizontal)
    streaks = _upright_streaks(down, across) | _upright_streaks(_turned(across), _turned(down)).T
    out = mask.copy()
    out[streaks & (np.maximum(horizontal, vertical) > 0)
        & ~((horizontal > 0) & (vertical > 0))] = 0
    return out


# Connected runs of a rule mask: (labels, stats), as `cv2.connectedComponentsWithStats`.
Components = tuple[np.ndarray, np.ndarray]


def _components(runs: np.ndarray) -> Components:
    _, labels, stats, _ = cv2.connectedComponentsWithStats(runs)
    return labels, stats


def _turned(components: Components) -> Components:
    """The components of the mask transposed, without finding them again: across runs are
    upright ones there."""
    labels, stats = components
    order = [cv2.CC_STAT_TOP, cv2.CC_STAT_LEFT, cv2.CC_STAT_HEIGHT, cv2.CC_STAT_WIDTH,
             cv2.CC_STAT_AREA]
    return labels.T, stats[:, order]


def _upright_streaks(runs: Components, across: Components) -> np.ndarray:
    """Where the upright `runs` are streaks across the rules of `across` (see
    `without_streaks`). An end dangles inside a cell (a rule of `across` further on covers it)
    or past a frame (the other runs that reach the last rule crossed mostly stop at it; in a
    table drawn with inner rules only, they all run on past it, as far as the streak)."""
    labels, stats = runs
    height = labels.shape[0]
    beyond = STREAK_BEYOND * height
    streaks = np.zeros(labels.shape, bool)
    count = len(stats)
    long = [k for k in range(1, count)
            if stats[k, cv2.CC_STAT_HEIGHT] >= STREAK_LENGTH * height]
    if not long:
        return streaks
    rules = across[1][1:]
    tops = stats[:, cv2.CC_STAT_TOP]
    bottoms = tops + stats[:, cv2.CC_STAT_HEIGHT]
    lefts = stats[:, cv2.CC_STAT_LEFT]
    rights = lefts + stats[:, cv2.CC_STAT_WIDTH]

    def meets(rule: np.ndarray, j: int) -> bool:
        """The rule reaches across run `j`'s breadth (a thick run may be a rule and the line
        of print over it, merged)."""
        return (rule[cv2.CC_STAT_LEFT] <= rights[j]
                and lefts[j] <= rule[cv2.CC_STAT_LEFT] + rule[cv2.CC_STAT_WIDTH])

    def frame(rule: np.ndarray, y: float, k: int, up: bool) -> bool:
        near = [j for j in range(1, count) if j != k and meets(rule, j)
                and tops[j] - beyond <= y <= bottoms[j] + beyond]
        past = [j for j in near if (tops[j] <= y - beyond if up else bottoms[j] >= y + beyond)]
        return 2 * len(past) < len(near) or not near

    for k in long:
        at = [rule for rule in rules if meets(rule, k)]
        middles = [rule[cv2.CC_STAT_TOP] + rule[cv2.CC_STAT_HEIGHT] / 2 for rule in at]
        crossed = [m for m in middles if tops[k] <= m <= bottoms[k]]
        if not crossed:
            continue
        first, last = min(crossed), max(crossed)
        top_dangles = first - tops[k] >= beyond and (
            any(m < tops[k] for m in middles) or frame(at[middles.index(first)], first, k, True))
        bottom_dangles = bottoms[k] - last >= beyond and (
            any(m > bottoms[k] for m in middles)
            or frame(at[middles.index(last)], last, k, False))
        if top_dangles and bottom_dangles:
            streaks |= _streak_line(labels == k, first - beyond / 2, last + beyond / 2)
    return streaks


def _streak_line(run: np.ndarray, first: float, last: float) -> np.ndarray:
    """The streak's own pixels of an upright run that dangles above `first` and below `last`:
    those along the straight line through its two dangling ends (a copier's streak may lean
    against the deskewed page), as wide as it is there. A rule it runs alongside, merged with
    it into one run, stays."""
    ys, xs = np.nonzero(run)
    upper, lower = ys < first, ys > last
    (y0, x0), (y1, x1) = ((ys[part].mean(), xs[part].mean()) for part in (upper, lower))
    half = max(np.ptp(xs[upper]), np.ptp(xs[lower])) / 2 + 1
    along = x0 + (x1 - x0) * (ys - y0) / max(y1 - y0, 1.0)
    own = np.zeros_like(run)
    keep = np.abs(xs - along) <= half
    own[ys[keep], xs[keep]] = True
    return own


def _rounded_corners(horizontal: np.ndarray, vertical: np.ndarray, reach: int) -> np.ndarray:
    """The square corners of rounded boxes: where a horizontal run's end and a vertical run's
    end lie diagonally within `reach` px of each other, each turned inwards (the top edge of a
    card begins right of its left edge, which begins under it), the two drawn on to meet. A
    run ending at another's side (a T) or crossing it is left as it is."""
    out = np.zeros_like(horizontal)
    _, _, hs, _ = cv2.connectedComponentsWithStats(horizontal)
    _, _, vs, _ = cv2.connectedComponentsWithStats(vertical)
    if len(hs) < 2 or len(vs) < 2:
        return out
    hx0, hy, hx1 = hs[1:, 0], hs[1:, 1] + hs[1:, 3] // 2, hs[1:, 0] + hs[1:, 2] - 1
    vx, vy0, vy1 = vs[1:, 0] + vs[1:, 2] // 2, vs[1:, 1], vs[1:, 1] + vs[1:, 3] - 1
    for h_end, v_end, dx, dy in (
            (hx0, vy0, hx0[:, None] - vx[None], vy0[None] - hy[:, None]),  # top left
            (hx1, vy0, vx[None] - hx1[:, None], vy0[None] - hy[:, None]),  # top right
            (hx0, vy1, hx0[:, None] - vx[None], hy[:, None] - vy1[None]),  # bottom left
            (hx1, vy1, vx[None] - hx1[:, None], hy[:, None] - vy1[None])):  # bottom right
        for i, j in np.argwhere((dx > 0) & (dx <= reach) & (dy > 0) & (dy <= reach)):
            corner = (int(vx[j]), int(hy[i]))
            cv2.line(out, corner, (int(h_end[i]), int(hy[i])), 255, 2)
            cv2.line(out, corner, (int(vx[j]), int(v_end[j])), 255, 2)
    return out


def thin_strokes(gray: np.ndarray) -> np.ndarray:
    """How far each pixel of a dark stroke thinner than 9 px stands out from its
    surroundings (a top-hat): rules and text, but not the edge between two regions (a
    shadow, the sheet against the desk), which no thin stroke marks."""
    return cv2.morphologyEx(255 - gray, cv2.MORPH_TOPHAT, np.ones((9, 9), np.uint8))


# How far two fills must differ, in the channel that differs most, for their boundary to be a
# rule: pastels that look alike in grey differ by 30+ in one channel; JPEG noise and a shadow's
# gradient stay under it.
FILL_CONTRAST = 24
# The same on a page with no grain (`GRIDLINE_CONTRAST`): a screenshot's pale fills (a light
# grey break column, a pale pink week) differ from the white page by 10–21 in one channel.
# Each grey level of grain raises the bar by GRAIN_MARGIN, up to FILL_CONTRAST.
PALE_FILL_CONTRAST = 10
# A fill is flat along a boundary: its grey levels spread by less than this over 5 px beside
# it. Text, whose strokes' tops and feet would otherwise line up into rules on a small page,
# is not.
FILL_SPREAD = 8.0
# A card's rounded corner, up to this share of the page's shorter side: its straight edges,
# that far short of each other, are drawn on to meet where the corner would be square.
CORNER_REACH = 0.03
# A card's fill runs on at least this far (px) from its edge, the ground's too; a rule's
# sides, a stroke or two wide, do not.
FILL_DEPTH = 4


def _flat_along(gray: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Where the page keeps one grey level over a window of `size` (w, h) around a pixel."""
    values = gray.astype(np.float32)
    mean = cv2.blur(values, size)
    return cv2.blur(values * values, size) - mean * mean < FILL_SPREAD ** 2


def _steps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How far `a` and `b` differ, in the channel that differs most."""
    diff = cv2.absdiff(a, b)
    return diff if diff.ndim == 2 else diff.max(axis=2)


def fill_edges(image: np.ndarray) -> np.ndarray:
    """Binary mask (255) of long straight horizontal and vertical boundaries between two
    fills, in colour (BGR) or grey: where the page steps by `FILL_CONTRAST` (less on a page
    without grain: `PALE_FILL_CONTRAST`) from one pixel to the next but one, each side flat
    along the boundary, all along a rule's length. A shadow does not step; text is not flat;
    a narrow white gap between two boxes steps twice. On a page without grain a rounded card's
    edges are drawn on to meet at its corners (`CORNER_REACH`), which closes it."""
    if min(image.shape[:2]) < 3:  # no pixel has neighbours two apart on both sides
        return np.zeros(image.shape[:2], np.uint8)
    grain = _grain(image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    bar = min(FILL_CONTRAST, PALE_FILL_CONTRAST + GRAIN_MARGIN * grain)
    # Smoothing takes the grain out, and with it a gap one pixel wide: a page without grain
    # keeps its one-pixel white gaps between pale cells.
    smooth = cv2.medianBlur(image, 3) if grain else image
    gray = smooth if smooth.ndim == 2 else cv2.cvtColor(smooth, cv2.COLOR_BGR2GRAY)
    flat_down, flat_across = _flat_along(gray, (1, 5)), _flat_along(gray, (5, 1))
    vertical = np.zeros(gray.shape, np.uint8)
    horizontal = np.zeros(gray.shape, np.uint8)
    # Each side's level is averaged along the boundary: a pale fill 13 levels off white
    # steps by less than the bar at a pixel where the render's noise takes 4 off.
    down, across = cv2.blur(smooth, (1, 5)), cv2.blur(smooth, (5, 1))
    vertical[:, 1:-1] = ((_steps(down[:, 2:], down[:, :-2]) >= bar)
                         & flat_down[:, 2:] & flat_down[:, :-2])
    horizontal[1:-1] = ((_steps(across[2:], across[:-2]) >= bar)
                        & flat_across[2:] & flat_across[:-2])
    edges = _long_strokes(np.maximum(vertical, horizontal) * 255)
    if grain:
        # Rounded cards are an app's or a design tool's: on a photo or a scan a fill's edge
        # that stops short is a fold, a shadow or the paper's edge, left where it stops.
        return edges
    # A card's edge is a step between two fills, each as wide as FILL_DEPTH px at least: a
    # rule's sides (a photocopy's rules, broken in places) are no card's.
    deep = np.maximum(_between_fills(vertical, down, bar, across=1),
                      _between_fills(horizontal, across, bar, across=0))
    cards = _rounded_corners(*_runs(deep * 255), int(CORNER_REACH * min(gray.shape)))
    return np.maximum(edges, cards)


def _between_fills(steps: np.ndarray, blurred: np.ndarray, bar: float, across: int
                   ) -> np.ndarray:
    """The pixels of `steps` (a boundary between the pixels either side of it along axis
    `across`: 1 for a vertical boundary, 0 for a horizontal one) where each side keeps its level
    FILL_DEPTH px on: two fills meet there, not a rule's side. Looked up at the steps alone."""
    d = FILL_DEPTH
    found = np.zeros_like(steps)
    points = np.nonzero(steps)
    inside = (points[across] >= d) & (points[across] < steps.shape[across] - d)
    points = (points[0][inside], points[1][inside])
    if not points[0].size:
        return found

    def at(shift: int) -> np.ndarray:
        moved = list(points)
        moved[across] = moved[across] + shift
        return blurred[moved[0], moved[1]].astype(np.int16)

    def flat(near: np.ndarray, far: np.ndarray) -> np.ndarray:
        spread = np.abs(near - far)
        return (spread if spread.ndim == 1 else spread.max(axis=1)) < bar

    keep = flat(at(-1), at(-d)) & flat(at(1), at(d))
    found[points[0][keep], points[1][keep]] = 1
    return found


# A cell at most this grey is dark: written on in light text. Navy and brown cells sit at
# 50–95; the mid blues and greens of a coloured grid (110–130), whose edges against a white
# gap read as dark strokes that frame their cells, do not.
DARK_FILL = 100


def line_mask(gray: np.ndarray, gridlines: bool = False) -> np.ndarray:
    """Binary mask (255 = ruling line) of long horizontal and vertical strokes; with
    `gridlines`, also the pale ones of a page without grain (`GRIDLINE_CONTRAST`): the
    structure stage wants every cell edge, the flattening only the table's firm rules."""
    binary = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 10
    )
    if gridlines:
        # Inside a dark cell holding light text (a navy cell, white letters) the text lifts
        # the local mean, so the fill around each line of text read as a long dark stroke
        # cutting the cell in two. There the fill is its surroundings' median: no stroke.
        # (The flattening keeps them: the dark desk around a photographed sheet edges it.)
        median = cv2.medianBlur(gray, 31)
        binary[(median < DARK_FILL) & (cv2.absdiff(gray, median) <= 10)] = 0
    strokes = thin_strokes(gray)
    bar = FAINT_RULE_CONTRAST
    if gridlines:
        bar = min(bar, GRIDLINE_CONTRAST + GRAIN_MARGIN * float(np.median(strokes)))
    faint = np.where(_long_strokes(strokes) > bar, 255, 0).astype(np.uint8)
    mask = cv2.bitwise_or(_long_strokes(binary), faint)
    # Dashed rules only on a page without grain (a screenshot, a PDF): on a photo or a scan,
    # speckle and the paper's texture line up into dashes of their own.
    if gridlines and not np.median(strokes):
        mask = cv2.bitwise_or(mask, dashed_rules(binary))
    # Close small breaks where lines meet or where a scan faded them.
    return cv2.dilate(mask, np.ones((3, 3), np.uint8), iterations=2)


# Dashed and dotted rules (a word processor's dashed borders, on a page without grain): the
# gaps between dashes are at most DASH_GAP px, the rule at most DASH_THICK px thick and of
# DASHES dashes at least, evenly spaced. Text closed up the same way is a band as tall as its
# letters (a small print's words, as thin, are of all lengths); a letter's stems stacked down
# a column of lines are a few strokes, not a row of dashes.
DASH_GAP = 7
DASH_THICK = 5
DASHES = 4
EVEN_SHARE = 0.75  # of the dashes (and of the gaps) of about one size


def _evenly_dashed(ink: np.ndarray) -> bool:
    """Whether the ink along a run (True where inked) is a row of DASHES dashes or more, most
    of like length and like gaps (within half the median: a crossing rule lengthens one):
    the words of a small line of text, closed up, are as thin but neither."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ink.astype(np.int8), [0]])))
    starts, ends = edges[::2], edges[1::2]
    if len(starts) < DASHES:
        return False

    def even(sizes: np.ndarray) -> bool:
        usual = float(np.median(sizes))
        return float(np.mean(np.abs(sizes - usual) <= 0.5 * usual)) >= EVEN_SHARE

    return even(ends - starts) and even(starts[1:] - ends[:-1])


def dashed_rules(binary: np.ndarray) -> np.ndarray:
    """The long dashed or dotted strokes of the binary page `binary`, joined up: each way, the
    gaps between its dashes closed, the runs of a rule's length kept, and of those the thin
    ones (a line of text closes into a band as tall as its letters) that the page draws as a
    row of even dashes (`_evenly_dashed`)."""
    found = np.zeros_like(binary)
    for across in (True, False):
        gap, thick = ((DASH_GAP, 1), (1, DASH_THICK + 1)) if across else (
            (1, DASH_GAP), (DASH_THICK + 1, 1))
        closed = cv2.morphologyEx(binary, cv2.MORPH_CLOSE,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, gap))
        runs = _runs(closed)[0 if across else 1]
        bands = cv2.morphologyEx(runs, cv2.MORPH_OPEN,
                                 cv2.getStructuringElement(cv2.MORPH_RECT, thick))
        # A band's fringe (an ascender's row over the letters) goes with it.
        thin = cv2.bitwise_and(runs, cv2.bitwise_not(cv2.dilate(bands, np.ones((5, 5),
                                                                               np.uint8))))
        count, labels, stats, _ = cv2.connectedComponentsWithStats(thin)
        for k in range(1, count):
            x, y, w, h = stats[k, :4]
            strip = binary[y:y + h, x:x + w] > 0
            if _evenly_dashed(strip.any(0) if across else strip.any(1)):
                box = found[y:y + h, x:x + w]
                box[labels[y:y + h, x:x + w] == k] = 255
    return found


# Ruled paper under a hand-drawn table (a notebook's pale lines, every few millimetres, the
# whole sheet wide): no rule of the table. Its lines stand out by PAPER_DIP grey levels (the
# pen's rules by far more), at least PAPER_LINES of them found, each over PAPER_SPAN of the
# page's width, most of them a whole number of one spacing apart (within PAPER_EVEN of it: the
# table's text and rules hide some). Paper is photographed or scanned: a page without grain
# (a screenshot of a spreadsheet's pale gridlines) is never ruled paper; nor is one whose
# pale lines also run down the page.
PAPER_DIP = (12, 60)
PAPER_LINES = 6
PAPER_SPAN = 0.5
PAPER_EVEN = 0.15


def _faint_runs(faint: np.ndarray, along: int) -> np.ndarray:
    """The long runs of the faint strokes `faint` running `along` (1: across the page, 0:
    down it)."""
    length = faint.shape[1] if along else faint.shape[0]
    kernel = (max(25, length // 30), 1) if along else (1, max(25, length // 30))
    return cv2.morphologyEx(faint, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, kernel))


def _faint_lines(runs: np.ndarray, along: int) -> np.ndarray:
    """The centres (across the runs' direction), in order, of the lines the runs `along` the
    page join into that reach over PAPER_SPAN of it."""
    length = runs.shape[1] if along else runs.shape[0]
    joined = cv2.dilate(runs, np.ones((3, 15) if along else (15, 3), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(joined)
    size, start, extent = ((stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_TOP],
                            stats[1:, cv2.CC_STAT_HEIGHT]) if along else
                           (stats[1:, cv2.CC_STAT_HEIGHT], stats[1:, cv2.CC_STAT_LEFT],
                            stats[1:, cv2.CC_STAT_WIDTH]))
    keep = size >= PAPER_SPAN * length
    return np.sort(start[keep] + extent[keep] / 2)


def paper_ruling(gray: np.ndarray) -> np.ndarray | None:
    """Where the lines of ruled paper run (see PAPER_DIP), when the page is on ruled paper;
    None otherwise."""
    if _grain(gray) < 1:
        return None
    g = gray.astype(np.int16)
    padded = np.pad(g, ((4, 4), (4, 4)), mode="edge")
    across = np.minimum(padded[:-8, 4:-4], padded[8:, 4:-4]) - g  # darker than above and below
    down = np.minimum(padded[4:-4, :-8], padded[4:-4, 8:]) - g
    firm = cv2.dilate((np.maximum(across, down) > PAPER_DIP[1]).astype(np.uint8),
                      np.ones((7, 7), np.uint8)) > 0

    def faint(dip: np.ndarray) -> np.ndarray:
        return ((dip >= PAPER_DIP[0]) & (dip <= PAPER_DIP[1]) & ~firm).astype(np.uint8) * 255

    runs = _faint_runs(faint(across), 1)
    centres = _faint_lines(runs, 1)
    if len(centres) < PAPER_LINES or len(_faint_lines(_faint_runs(faint(down), 0), 0)) >= 3:
        return None
    gaps = np.diff(centres)
    spacing = float(np.median(gaps[gaps < 1.5 * gaps.min()]))
    steps = gaps / spacing
    if np.mean(np.abs(steps - np.round(steps)) <= PAPER_EVEN * np.sqrt(steps)) < 0.8:
        return None
    # On ruled paper every faint stroke across the page is the paper's.
    return cv2.dilate(runs, np.ones((7, 1), np.uint8)) > 0


def paper_filled(image: np.ndarray, paper: np.ndarray) -> np.ndarray:
    """`image` (grey or colour) with the paper's lines `paper` filled with the paper around
    them: a closing down the page fills a thin line across it with what lies above and
    below, and leaves a rule running down the page (the pen's, crossing it) as it is."""
    filled = cv2.morphologyEx(image, cv2.MORPH_CLOSE, np.ones((11, 1), np.uint8))
    out = image.copy()
    out[paper] = filled[paper]
    return out
