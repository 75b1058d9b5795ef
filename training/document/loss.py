"""The document model's training loss on one page: cross-entropy over line roles (weighted
against the rarer roles) + BCE over same-event pairs (between gold event/notes lines) + BCE
over day pointers (event lines × lines naming a day) + multi-positive log-likelihood of the
start and end atoms (the copies of the right time written in line with the event, else any
copy: labels.py)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from inference.document.inputs import ROLES
from inference.document.model import PageTensors
from training.document.data import Example
from training.document.labels import PageTargets


def _pointer_nll(logits: torch.Tensor, target: np.ndarray) -> torch.Tensor | None:
    """−log Σ softmax over the positive columns, for rows with at least one positive."""
    positive = torch.from_numpy(target) > 0
    rows = positive.any(1)
    if not rows.any():
        return None
    logits, positive = logits[rows], positive[rows]
    return (torch.logsumexp(logits, 1)
            - torch.logsumexp(logits.masked_fill(~positive, -1e4), 1)).mean()


def role_weights(examples: Sequence[Example]) -> torch.Tensor:
    """Cross-entropy weights (median frequency / frequency)^½, clipped to [0.5, 5]: a page
    has one teacher line and fifty event lines, and both matter to the answer."""
    # Masked lines (a role the alignment of a correction could not place, -100) count for none.
    counts = np.bincount([r for e in examples for r in e.targets.roles if r >= 0],
                         minlength=len(ROLES))
    present = counts[counts > 0]
    weights = np.sqrt(np.median(present) / np.maximum(counts, 1))
    return torch.tensor(np.clip(weights, 0.5, 5.0), dtype=torch.float32)


def page_loss(logits: dict[str, torch.Tensor], targets: PageTargets, tensors: PageTensors,
              weights: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
    n = logits["roles"].shape[0]
    losses = {"roles": F.cross_entropy(logits["roles"], torch.tensor(targets.roles[:n]),
                                       weight=weights)}
    is_event = torch.tensor([bool(b) for b in targets.blocks[:n]])
    pair = is_event[:, None] & is_event[None, :]
    if pair.any():
        losses["group"] = F.binary_cross_entropy_with_logits(
            logits["group"][pair], torch.from_numpy(targets.same_event[:n, :n])[pair])
    day_target = torch.from_numpy(targets.day_of[:n, :n])
    day_mask = (day_target[:, :1] >= 0) & tensors.day_candidates[None, :]
    if day_mask.any():
        losses["day"] = F.binary_cross_entropy_with_logits(logits["day"][day_mask],
                                                           day_target[day_mask])
    allowed = tensors.time_allowed.numpy()
    for head, target in (("start", targets.start_of), ("end", targets.end_of)):
        nll = _pointer_nll(logits[head], target[:n] * allowed)
        if nll is not None:
            losses[head] = nll
    return losses
