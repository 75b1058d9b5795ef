"""The document model's examples: each page's cached reading (`prepare.py`) with its label,
the rules' answer on it and its training targets, a damaged copy of one (`augment.py`), and
the seeded per-set held-out split.

Targets come from the data engine's layout labels (`labels.py`) where a page has them (a
generated set's `layout/<id>.json`), else from aligning its contract label alone to what was
read (`align.py`): a reviewer's correction or a Claude answer of a real upload."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.document.features import PageReading
from inference.document.inputs import MAX_LINES
from inference.document.model import PageTensors, page_tensors
from inference.schema import TimetableData
from training.document.align import aligned_targets
from training.document.augment import merge_cells
from training.document.labels import PageTargets, page_targets

READING_FILE = "reading-rapid.jsonl"


@dataclass
class Example:
    id: str  # "<set folder>/<page id>": unique across sets
    page: Path  # the page image the reading came from
    reading: PageReading
    transform: np.ndarray
    label: TimetableData
    classical: TimetableData  # the rules' answer on the same reading
    tensors: PageTensors
    targets: PageTargets
    layout: dict | None  # the data engine's drawn lines (None: a real page, label aligned)
    weight: float = 1.0  # the page's share in the loss (a silver label counts less)


def load_examples(data_dir: Path, limit: int | None = None,
                  weights: dict[str, float] | None = None) -> list[Example]:
    """The cached readings of `data_dir` (see prepare.py) with their targets; `weights`: page
    id → loss weight (default 1)."""
    path = data_dir / READING_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `yogi train document-prepare "
                                f"--data {data_dir}` first")
    examples = []
    for line in path.read_text().splitlines()[:limit]:
        record = json.loads(line)
        reading = PageReading.model_validate(record)
        if not reading.lines:  # OCR read nothing: nothing to learn or score a model on
            continue
        reading.lines = reading.lines[:MAX_LINES]
        transform = np.asarray(record["transform"], dtype=float)
        label = TimetableData.model_validate_json(
            (data_dir / "labels" / f"{record['id']}.json").read_text())
        layout_path = data_dir / "layout" / f"{record['id']}.json"
        layout = json.loads(layout_path.read_text()) if layout_path.exists() else None
        targets = (page_targets(reading, layout, label, transform) if layout is not None
                   else aligned_targets(reading, label))
        examples.append(Example(
            id=f"{data_dir.name}/{record['id']}",
            page=Path(record.get("page") or data_dir / "pages" / f"{record['id']}.png"),
            reading=reading, transform=transform, label=label,
            classical=TimetableData.model_validate(record["classical"]),
            tensors=page_tensors(reading), targets=targets, layout=layout,
            weight=(weights or {}).get(record["id"], 1.0)))
    return examples


def merged_copy(example: Example, rng: np.random.Generator) -> tuple[PageTensors, PageTargets]:
    """Tensors and targets of the example with a run of its cells merged (augment.py), or
    its own when it has no table to damage or no layout labels to label the damage with."""
    reading = merge_cells(example.reading, rng) if example.layout is not None else None
    if reading is None:
        return example.tensors, example.targets
    tensors = page_tensors(reading)
    tensors.frozen = example.tensors.frozen  # same lines, same texts: same frozen states
    return tensors, page_targets(reading, example.layout, example.label, example.transform)


def split(examples: list[Example], held_out: float, seed: int
          ) -> tuple[list[Example], list[Example]]:
    """A held-out share of documents, chosen by a seeded permutation of their ids."""
    order = np.random.default_rng(seed).permutation(len(examples))
    n_test = max(1, round(held_out * len(examples)))
    test = {int(i) for i in order[:n_test]}
    return ([e for k, e in enumerate(examples) if k not in test],
            [e for k, e in enumerate(examples) if k in test])


def split_sets(data_dirs: Sequence[Path], held_out: float, seed: int, limit: int | None = None
               ) -> tuple[list[Example], list[Example]]:
    """`split` of each set on its own: adding a set leaves another set's held-out pages as they
    were, so runs with and without it stay comparable on them."""
    train, test = [], []
    for directory in data_dirs:
        set_train, set_test = split(load_examples(directory, limit), held_out, seed)
        train += set_train
        test += set_test
    return train, test
