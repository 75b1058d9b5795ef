"""The recogniser learns from corrections: line crops of real uploads, labelled with the text
a reviewer (or Claude) gave, and a warm-start fine-tune of the serving champion on them.

A correction names each block, not each line. A line becomes a crop when the alignment
(`training/document/align.py`) put it, alone, as the event line of one gold block, it holds no
time, it is upright and about as long as the name: its label is that block's name. Where the
OCR read the name exactly, the crop keeps the model right; where it read it differently (but
recognisably: similarity >= `MIN_LIKE`) the crop is what the correction teaches. The line's
box on the cleaned page is mapped back through the page transform and cut from the original,
as the data engine's crops are (`crops.py`).

`fine_tune` continues the champion's LoRA adapter on those crops plus a replay of synthetic
crops, for a wall-time budget, and exports the merged recogniser to ONNX, the form that serves.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.document.inputs import ROLES
from inference.evaluation import normalise, text_similarity
from inference.timeparse import strip_times
from training.document.data import Example
from training.ocr.crops import Crop, fold_text, resize_to_height, warp_quad

MIN_LIKE = 0.5  # a read this unlike the gold name is another line, not a misreading of it
MAX_STRETCH = 1.3  # a misreading keeps roughly the name's length
_EVENT = ROLES.index("event")


@dataclass
class CorrectionCrops:
    crops: list[Crop]
    corrected: int  # crops whose label differs from what OCR read


def correction_crops(examples: Sequence[Example]) -> CorrectionCrops:
    """Crops of the name lines of real pages whose labels were aligned (see the module)."""
    from inference.loading import load_path
    from inference.preprocess import map_points
    from training.ocr.onnx_torch import character_list

    charset = set(character_list()[1:])
    crops, corrected = [], 0
    for example in examples:
        if example.layout is not None:  # a generated page: its crops come from its layout
            continue
        lines, targets = example.reading.lines, example.targets
        owners: dict[int, list[int]] = {}
        for i, blocks in enumerate(targets.blocks):
            if targets.roles[i] == _EVENT and len(blocks) == 1:
                owners.setdefault(next(iter(blocks)), []).append(i)
        wanted = [(b, ids[0]) for b, ids in owners.items() if len(ids) == 1]
        if not wanted:
            continue
        page = load_path(example.page)[0].image
        back = np.linalg.inv(example.transform)
        for b, i in wanted:
            line, name = lines[i], fold_text(example.label.timeblocks[b].name.strip())
            read = line.text.strip()
            if line.angle or strip_times(read) != read or not name:
                continue
            if not all(c in charset for c in name) or text_similarity(read, name) < MIN_LIKE:
                continue
            if not 1 / MAX_STRETCH <= len(read) / len(name) <= MAX_STRETCH:
                continue  # a name written over two lines of which OCR read one, or the reverse
            box = line.box
            corners = np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1],
                                [box.x0, box.y1]], dtype=float)
            quad = map_points(back, corners).tolist()
            image = resize_to_height(warp_quad(page, quad))
            crops.append(Crop(image, name, example.id, 0, "", "event"))
            corrected += normalise(read) != normalise(name)
    return CorrectionCrops(crops, corrected)


def fine_tune(adapter: Path, train: list[Crop], *, budget_s: float, max_epochs: int,
              lr: float, batch_size: int, rng: np.random.Generator, out_dir: Path,
              on_epoch=None) -> tuple[Path, Path, list[dict[str, float]]]:
    """Continue `adapter` (the champion's LoRA) on `train`; returns (adapter folder, merged
    ONNX, per-epoch losses)."""
    import torch
    from peft import PeftModel

    from training.ocr.export import export_onnx
    from training.ocr.onnx_torch import load_base_model
    from training.ocr.pyfunc import ONNX_ARTEFACT, load_merged
    from training.ocr.recognizer import Recognizer
    from training.ocr.train import _batches, ctc_loss

    model = PeftModel.from_pretrained(load_base_model(), str(adapter), is_trainable=True)
    recogniser = Recognizer(model)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr,
                                  weight_decay=0.01)
    deadline = time.monotonic() + budget_s
    records: list[dict[str, float]] = []
    for epoch in range(max_epochs):
        model.train()
        losses = []
        for batch in _batches(train, batch_size, rng):
            if time.monotonic() > deadline:
                break
            loss = ctc_loss(model, recogniser, [train[i] for i in batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
        if not losses:
            break
        records.append({"train_loss": float(np.mean(losses)),
                        "batches": float(len(losses))})
        if on_epoch:
            on_epoch(epoch + 1, records[-1])
        if time.monotonic() > deadline:
            break
    adapter_dir = out_dir / "adapter"
    model.save_pretrained(str(adapter_dir))
    onnx = export_onnx(load_merged(adapter_dir), out_dir / ONNX_ARTEFACT)
    return adapter_dir, onnx, records


def cer_of(onnx: Path, crops: list[Crop]) -> float:
    """Character error rate of a recogniser (ONNX, as it serves) on `crops`."""
    from training.ocr.recognizer import OnnxRecognizer
    from training.ocr.train import evaluate

    if not crops:
        return math.nan
    metrics, _ = evaluate(OnnxRecognizer(onnx, 16, 1), crops)
    return float(metrics["cer"])
