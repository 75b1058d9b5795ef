"""What a reviewer changed: a gold label against the model's answer it corrects, kept with the
label (`labels.diff`) so the review queue's work can be measured and read without re-diffing.

Blocks are paired in rounds, each round only among blocks still unpaired: identical blocks,
then the same `sourceBox` (the review page keeps the box of a block it edits), then the same
day and times, then the same day and name. Pairs that differ are `changed` (only the fields
that differ, as from/to); what is left is `removed` (model blocks) or `added` (gold blocks).
The shape, all lists of compact blocks `{day, name, startTime, endTime, notes}`:

    {"header": {"teacher": {"from": "Miss J", "to": "Miss Joynes"}},
     "added": [...], "removed": [...],
     "changed": [{"block": <the model's block>, "changes": {"name": {"from": .., "to": ..}}}],
     "counts": {"added": 1, "removed": 0, "changed": 1, "unchanged": 40, "header": 1}}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

HEADER_FIELDS = ("teacher", "className", "term", "year")
BLOCK_FIELDS = ("day", "name", "startTime", "endTime", "notes")

Block = dict[str, Any]


def _compact(block: Block) -> Block:
    return {field: block.get(field) for field in BLOCK_FIELDS}


def _box(block: Block) -> tuple | None:
    box = block.get("sourceBox")
    return tuple(round(float(box[k]), 1) for k in ("x0", "y0", "x1", "y1")) if box else None


# Pairing keys, strongest first; a key of None never pairs.
_ROUNDS: tuple[Callable[[Block], tuple | None], ...] = (
    lambda b: tuple(b.get(f) for f in BLOCK_FIELDS),
    lambda b: (b.get("day"), _box(b)) if _box(b) else None,
    lambda b: (b.get("day"), b.get("startTime"), b.get("endTime")),
    lambda b: (b.get("day"), (b.get("name") or "").strip().lower()),
)


def label_diff(model: dict | None, gold: dict) -> dict:
    """The diff of `gold` (a TimetableData JSON) against the model's answer `model` (None:
    every gold block is added)."""
    model = model or {}
    header = {
        field: {"from": model.get(field), "to": gold.get(field)}
        for field in HEADER_FIELDS if model.get(field) != gold.get(field)
    }
    before: list[Block | None] = list(model.get("timeblocks") or [])
    after: list[Block | None] = list(gold.get("timeblocks") or [])
    pairs: list[tuple[Block, Block]] = []
    for key in _ROUNDS:
        waiting: dict[tuple, list[int]] = {}
        for index, block in enumerate(after):
            if block is not None and (k := key(block)) is not None:
                waiting.setdefault(k, []).append(index)
        for index, block in enumerate(before):
            if block is None or (k := key(block)) is None or not waiting.get(k):
                continue
            partner = waiting[k].pop(0)
            pairs.append((block, after[partner]))  # type: ignore[arg-type]
            before[index] = after[partner] = None
    changed = []
    for old, new in pairs:
        changes = {field: {"from": old.get(field), "to": new.get(field)}
                   for field in BLOCK_FIELDS if old.get(field) != new.get(field)}
        if changes:
            changed.append({"block": _compact(old), "changes": changes})
    added = [_compact(b) for b in after if b is not None]
    removed = [_compact(b) for b in before if b is not None]
    return {
        "header": header, "added": added, "removed": removed, "changed": changed,
        "counts": {"added": len(added), "removed": len(removed), "changed": len(changed),
                   "unchanged": len(pairs) - len(changed), "header": len(header)},
    }
