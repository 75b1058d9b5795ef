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

from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import torch
from torch import nn

from inference.document.features import PageReading
from inference.document.inputs import (
    BUCKETS,
    CATEGORY_SIZES,
    LEGACY_GEOMETRY,
    N_GEOMETRY,
    ROLES,
    PageInputs,
    minilm_path,
    page_inputs,
)

PAIR_HEADS = ("group", "day", "start", "end")


@dataclass
class PageTensors:
    """Everything the model reads from one page (`PageInputs`), as tensors."""

    input_ids: torch.Tensor  # (n, L)
    attention_mask: torch.Tensor  # (n, L)
    layout: torch.Tensor  # (n, 12)
    categories: torch.Tensor  # (n, 11)
    geometry: torch.Tensor  # (n, n, N_GEOMETRY)
    atoms: torch.Tensor  # (A, 5)
    day_candidates: torch.Tensor  # (n,) bool
    time_allowed: torch.Tensor  # (n, A + 1) bool
    # Output of the encoder's frozen lower layers (n, L, 384); training caches it per page.
    frozen: torch.Tensor | None = None

    @classmethod
    def of(cls, inputs: PageInputs) -> PageTensors:
        return cls(**{field.name: torch.from_numpy(getattr(inputs, field.name))
                        for field in fields(inputs)})


def page_tensors(reading: PageReading) -> PageTensors:
    return PageTensors.of(page_inputs(reading))


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

    @torch.inference_mode()
    def predict(self, reading: PageReading) -> dict[str, np.ndarray]:
        """The heads' logits for one page as numpy arrays: what every runtime of the model
        answers (`inference.document.runtime`)."""
        return self.predict_tensors(page_tensors(reading))

    @torch.inference_mode()
    def predict_tensors(self, tensors: PageTensors) -> dict[str, np.ndarray]:
        """`predict` for tensors already built (training caches them with frozen states)."""
        return {name: value.numpy() for name, value in self(tensors).items()}

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
