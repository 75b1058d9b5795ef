"""Layout labels of the data engine → targets for the OCR lines the pipeline actually read.

The data engine records every line it drew (box on the original page, role, heading field,
the timeblocks it belongs to). The model sees OCR lines on the cleaned page instead, which can
be split, merged or misread. Each OCR line takes the labels of the drawn lines it covers, found
by mapping their boxes through the page transform and measuring overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inference.document.features import PageReading, line_days, time_atoms
from inference.document.inputs import ROLES
from inference.preprocess import map_points
from inference.schema import Box, TimetableData
from inference.timeparse import from_hhmm

HEADING_FIELDS = {"teacher": "teacher", "className": "class", "term": "term", "year": "year"}
_MIN_COVER = 0.3  # share of an OCR line's box a drawn line must cover to lend it its labels


@dataclass
class PageTargets:
    """Per OCR line: role index, the gold timeblocks it belongs to; per pair/atom: relations."""

    roles: list[int]
    blocks: list[set[int]]
    same_event: np.ndarray  # (n, n) 1 where both lines belong to a common timeblock
    day_of: np.ndarray  # (n, n) 1 where line j names a day of line i's timeblocks; -1 unknown
    start_of: np.ndarray  # (n, atoms + 1) 1 on atoms giving line i's start; last = "no time"
    end_of: np.ndarray


def _mapped_box(quad: list[list[float]], transform: np.ndarray) -> Box:
    points = map_points(transform, np.asarray(quad, dtype=float))
    return Box(x0=float(points[:, 0].min()), y0=float(points[:, 1].min()),
               x1=float(points[:, 0].max()), y1=float(points[:, 1].max()))


def _cover(ocr: Box, drawn: Box) -> float:
    w = min(ocr.x1, drawn.x1) - max(ocr.x0, drawn.x0)
    h = min(ocr.y1, drawn.y1) - max(ocr.y0, drawn.y0)
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / max(ocr.width * ocr.height, 1.0)


def line_role(drawn: dict) -> str:
    if drawn["role"] == "heading":
        for name in drawn.get("fields") or []:
            if name in HEADING_FIELDS:
                return HEADING_FIELDS[name]
        return "other"
    return drawn["role"] if drawn["role"] in ROLES else "other"


def page_targets(reading: PageReading, layout: dict, label: TimetableData,
                 transform: np.ndarray) -> PageTargets:
    drawn = [(_mapped_box(d["quad"], transform), d) for d in layout["lines"]]
    n = len(reading.lines)
    roles, blocks = [], []
    for line in reading.lines:
        covers = [(_cover(line.box, box), d) for box, d in drawn]
        covering = [d for c, d in covers if c >= _MIN_COVER]
        if not covering:
            roles.append(ROLES.index("other"))
            blocks.append(set())
            continue
        best = max(covers, key=lambda pair: pair[0])[1]
        roles.append(ROLES.index(line_role(best)))
        blocks.append({b for d in covering for b in d["blocks"]})

    event_like = {ROLES.index("event"), ROLES.index("notes")}
    is_event = np.array([r in event_like and bool(b) for r, b in zip(roles, blocks, strict=True)])
    same_event = np.zeros((n, n), np.float32)
    for i in np.flatnonzero(is_event):
        for j in np.flatnonzero(is_event):
            same_event[i, j] = float(bool(blocks[i] & blocks[j]))

    # Day pointers: line j is a day header naming one of line i's days.
    day_role = ROLES.index("day")
    named = [set(days) if roles[j] == day_role else set()
             for j, days in enumerate(line_days(reading.lines))]
    day_of = np.full((n, n), -1.0, np.float32)
    atoms = time_atoms(reading.lines)
    start_of = np.zeros((n, len(atoms) + 1), np.float32)
    end_of = np.zeros((n, len(atoms) + 1), np.float32)
    aligned = aligned_with(reading)
    for i in np.flatnonzero(is_event):
        gold = [label.timeblocks[b] for b in blocks[i] if b < len(label.timeblocks)]
        days = {block.day for block in gold}
        if any(named[j] & days for j in range(n)):
            day_of[i] = [float(bool(named[j] & days)) for j in range(n)]
        for target, edge in ((start_of, "start_time"), (end_of, "end_time")):
            wanted = {from_hhmm(getattr(block, edge)) for block in gold if block.time_scored}
            if not wanted:
                continue
            if wanted == {None}:
                target[i, -1] = 1.0
                continue
            right = np.array([m in wanted for _, _, m in atoms], dtype=bool)
            # "10:00" ends one slot and starts the next: when the right time is written in line
            # with the event, only those copies are the answer, not a neighbour's.
            in_line = right & aligned[i, [j for j, _, _ in atoms]]
            target[i, :-1] = in_line if in_line.any() else right
    return PageTargets(roles, blocks, same_event, day_of, start_of, end_of)


def aligned_with(reading: PageReading) -> np.ndarray:
    """(n, n): the centre of line j's text lies within the column or the row band of line i's
    cell (a header above or beside it, or the cell itself)."""
    cells = np.array([[b.x0, b.y0, b.x1, b.y1] for b in
                      (line.region for line in reading.lines)]).reshape(-1, 4)
    centres = np.array([[line.box.cx, line.box.cy] for line in reading.lines]).reshape(-1, 2)
    in_column = ((centres[None, :, 0] >= cells[:, None, 0])
                 & (centres[None, :, 0] <= cells[:, None, 2]))
    in_row = (centres[None, :, 1] >= cells[:, None, 1]) & (centres[None, :, 1] <= cells[:, None, 3])
    return in_column | in_row
