"""The document model's optimisation loop, shared by `yogi train document` (from the pretrained
base) and the learning loop's warm start (from the serving champion).

AdamW on the trainable parameters (LoRA, layout parts, heads) with a one-cycle schedule, a page
per forward pass and `accumulate` pages per optimiser step; each page's loss is scaled by its
weight (a Claude answer counts less than a reviewer's correction). A share of the pages is shown
with a run of cells merged (`augment.py`). The loop ends after `epochs`, `max_steps`, or when
`time_budget_s` has passed (checked between steps: a warm start is bounded in wall time, not
epochs). Each epoch is scored on `test` and handed to `on_epoch`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

import numpy as np
import structlog
import torch

from inference.document.model import DocumentModel
from training.document.data import Example, merged_copy
from training.document.evaluate import evaluate
from training.document.loss import page_loss, role_weights

log = structlog.get_logger(__name__)


def cache_frozen(model: DocumentModel, examples: Sequence[Example]) -> None:
    """The frozen encoder layers' output never changes during training: computed once."""
    model.eval()
    for example in examples:
        example.tensors.frozen = model.frozen_states(example.tensors.input_ids,
                                                     example.tensors.attention_mask)


def fit(model: DocumentModel, train: Sequence[Example], test: Sequence[Example], *,
        epochs: int, lr: float, accumulate: int, merge_share: float,
        rng: np.random.Generator, max_steps: int | None = None,
        time_budget_s: float | None = None,
        progress: Callable[[int, int, float], None] | None = None,
        on_epoch: Callable[[int, dict[str, float]], None] | None = None,
        ) -> list[dict[str, float]]:
    """Train `model` in place (see the module); returns one record per epoch (training loss
    parts, held-out scores on `test`)."""
    cache_frozen(model, [*train, *test])
    weights = role_weights(train)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trainable, lr=lr, weight_decay=0.01)
    total_steps = min(math.ceil(epochs * len(train) / accumulate), max_steps or 10**9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=lr,
                                                    total_steps=max(total_steps, 1),
                                                    pct_start=0.1)
    deadline = time.monotonic() + time_budget_s if time_budget_s else math.inf
    records: list[dict[str, float]] = []
    step = 0
    for epoch in range(epochs):
        model.train()
        parts: dict[str, list[float]] = {}
        order = rng.permutation(len(train))
        for k, index in enumerate(order):
            if step >= total_steps or time.monotonic() > deadline:
                break
            example = train[index]
            tensors, targets = example.tensors, example.targets
            if rng.random() < merge_share:
                tensors, targets = merged_copy(example, rng)
            losses = page_loss(model(tensors), targets, tensors, weights)
            loss = sum(losses.values())
            (example.weight * loss / accumulate).backward()
            for name, value in losses.items():
                parts.setdefault(name, []).append(value.item())
            if (k + 1) % accumulate == 0 or k == len(order) - 1:
                torch.nn.utils.clip_grad_norm_(trainable, 1.0)
                optimiser.step()
                optimiser.zero_grad()
                scheduler.step()
                step += 1
                if progress:
                    progress(step, total_steps, float(loss.item()))
        if not parts:  # the budget ran out before this epoch saw a page
            break
        record = {f"train_loss_{k}": float(np.mean(v)) for k, v in parts.items()}
        record["train_loss"] = sum(record.values())
        if test:
            model.eval()
            record.update(evaluate(model, test, {}).flat("heldout_"))
        records.append(record)
        if on_epoch:
            on_epoch(epoch + 1, record)
        log.info("epoch", epoch=epoch + 1, loss=round(record["train_loss"], 4),
                 strict_f1=record.get("heldout_strict_f1"))
        if step >= total_steps or time.monotonic() > deadline:
            break
    model.eval()
    return records
