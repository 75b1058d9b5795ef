"""The document model's decisions → timeblocks and heading. Deterministic formatting only:
which lines form an event, which day names and written times the pointers chose."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from inference.assembly import reading_order
from inference.document.features import (
    PageReading,
    ReadLine,
    cell_key,
    line_days,
    time_atoms,
)
from inference.document.model import ROLES
from inference.heading import Heading, parse_heading
from inference.schema import Box, TimeBlock
from inference.timeparse import strip_times, to_hhmm

_EVENT, _NOTES, _OTHER = ROLES.index("event"), ROLES.index("notes"), ROLES.index("other")
_FIELDS = {"teacher": "teacher", "class": "class_name", "term": "term", "year": "year"}
# Below this day-pointer probability for every day header, an "event" belongs to no day. Chosen
# on the training set's held-out split (see the note of issue 5), never on dev or bench pages.
MIN_DAY = 0.1
# Two event/notes lines with a same-event probability above this (averaged both ways) are one
# timeblock. Chosen on the same held-out split.
SAME_EVENT = 0.35
# A line this close to a drawn cell's left or right side (a share of its width) is a corner.
CORNER_SHARE = 0.08
# A header cell's edge lines up with an event cell's edge within this share of the cell.
EDGE_SHARE = 0.25


@dataclass
class PageDecisions:
    """Probabilities from one forward pass, as numpy arrays."""

    roles: np.ndarray  # (n, R) softmax
    group: np.ndarray  # (n, n) sigmoid
    day: np.ndarray  # (n, n) sigmoid
    start: np.ndarray  # (n, A + 1) softmax; last column = no time written
    end: np.ndarray

    @classmethod
    def from_logits(cls, logits: dict[str, torch.Tensor]) -> PageDecisions:
        return cls(
            roles=torch.softmax(logits["roles"], -1).numpy(),
            group=torch.sigmoid(logits["group"]).numpy(),
            day=torch.sigmoid(logits["day"]).numpy(),
            start=torch.softmax(logits["start"], -1).numpy(),
            end=torch.softmax(logits["end"], -1).numpy(),
        )


def event_groups(reading: PageReading, event_lines: list[int], group: np.ndarray
                 ) -> list[list[int]]:
    """Connected components of event/notes lines linked with probability > `SAME_EVENT`, or
    sharing one ruled cell: the cell is the unit (a subject with its teacher code and room in
    the corners is one event). The structure stage has already split a region that visibly
    holds several entries (`structure.split_crowded_cells`)."""
    parent = {i: i for i in event_lines}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in event_lines:
        for b in event_lines:
            if a < b and (group[a, b] + group[b, a]) / 2 > SAME_EVENT:
                parent[root(a)] = root(b)
    first_in_cell: dict[tuple, int] = {}
    for i in event_lines:
        key = cell_key(reading.lines[i]) if reading.lines[i].ruled else None
        if key is not None:
            parent[root(i)] = root(first_in_cell.setdefault(key, i))
    groups: dict[int, list[int]] = {}
    for i in event_lines:
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def time_pair(start_p: np.ndarray, end_p: np.ndarray, minutes: list[int]
              ) -> tuple[int | None, int | None, float]:
    """(start minutes, end minutes, joint probability): the most probable pair of written
    times with the end after the start; None is "no time written", which pairs with anything.

    Training rewards the pointer for the total probability on every written copy of the right
    time ("9:00" ends one slot and starts the next), so decoding compares times the same way:
    by the summed probability of their copies, not by the single most probable copy."""
    values = sorted(set(minutes))
    index = {v: k for k, v in enumerate(values)}
    start_v, end_v = np.zeros(len(values) + 1), np.zeros(len(values) + 1)
    for atom, v in enumerate(minutes):
        start_v[index[v]] += start_p[atom]
        end_v[index[v]] += end_p[atom]
    start_v[-1], end_v[-1] = start_p[-1], end_p[-1]
    value = np.array([*values, -1])
    none = np.arange(len(values) + 1) == len(values)
    valid = (value[None, :] > value[:, None]) | none[:, None] | none[None, :]
    joint = np.where(valid, start_v[:, None] * end_v[None, :], 0.0)
    s, e = np.unravel_index(int(joint.argmax()), joint.shape)
    return (None if none[s] else int(value[s]), None if none[e] else int(value[e]),
            float(joint[s, e]))


def _text(reading: PageReading, indices: list[int]) -> str:
    ordered = reading_order([reading.lines[i].ocr_line() for i in indices])
    return " ".join(strip_times(line.text) for line in ordered).strip()


def _is_drawn_cell(line: ReadLine) -> bool:
    return line.ruled and not line.from_text


def _corner_lines(reading: PageReading, cell: list[int]) -> set[int]:
    """Lines of a drawn cell printed in its corners or against its sides (a teacher code, a
    room, a period), never its name: a short line hugging the cell's left or right side, or
    sharing a text row with another line far beside it. The line nearest the cell's centre is
    the name's and never a corner."""
    box = reading.lines[cell[0]].region

    def off_centre(i: int) -> float:
        b = reading.lines[i].box
        return (abs(b.cx - box.cx) / max(1.0, box.width)
                + abs(b.cy - box.cy) / max(1.0, box.height))

    central = min(cell, key=off_centre)
    corner = set()
    for i in cell:
        a = reading.lines[i].box
        if i == central or reading.lines[i].angle:
            continue
        side = min(a.x0 - box.x0, box.x1 - a.x1) < CORNER_SHARE * box.width
        if side and a.width < 0.6 * box.width:
            corner.add(i)
        for j in cell:
            b = reading.lines[j].box
            if j == i or reading.lines[j].angle:
                continue
            same_row = abs(a.cy - b.cy) < 0.5 * min(a.height, b.height)
            gap = max(a.x0, b.x0) - min(a.x1, b.x1)
            if same_row and gap > 1.5 * min(a.height, b.height):
                corner.add(i)
    return corner


def name_and_notes(reading: PageReading, members: list[int], role: np.ndarray
                   ) -> tuple[list[int], list[int]]:
    """Which lines of one event are its name and which its notes. The model's roles decide,
    with one thing a reader sees at once: in a drawn cell, the codes in its corners are notes,
    and when nothing is left to name the event, the line nearest the cell's centre is the
    name."""
    names = [i for i in members if role[i] == _EVENT] or list(members)
    key = cell_key(reading.lines[members[0]])
    if key is not None and _is_drawn_cell(reading.lines[members[0]]):
        cell = [i for i, line in enumerate(reading.lines) if cell_key(line) == key]
        corner = _corner_lines(reading, cell)
        names = [i for i in names if i not in corner] or [
            i for i in members if i not in corner][:1] or names
    return names, [i for i in members if i not in names]


def _axis_extent(box: Box, axis: str) -> tuple[float, float]:
    return (box.x0, box.x1) if axis == "x" else (box.y0, box.y1)


def _time_axis(event: Box, day_line: Box) -> str:
    """"x" when the day header sits beside the event (days are rows, times run across), else
    "y"."""
    x_overlap = min(event.x1, day_line.x1) - max(event.x0, day_line.x0)
    y_overlap = min(event.y1, day_line.y1) - max(event.y0, day_line.y0)
    x_share = x_overlap / max(1.0, min(event.width, day_line.width))
    y_share = y_overlap / max(1.0, min(event.height, day_line.height))
    return "x" if y_share > x_share else "y"


def slot_candidates(reading: PageReading, members: list[int], role: np.ndarray,
                    atoms: list[tuple[int, int, int]], axis: str
                    ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Masks over the atoms that may start and end an event in a drawn cell. Times printed in
    the cell itself override the headers (a lone one is when it starts). Otherwise the header
    times whose cells begin where the event's cell begins (the first time of a range, or a
    lone start time) and end where it ends (the last time of a range, or the next slot's lone
    start): a merged cell takes exactly the slots it covers. None where geometry says nothing
    (no drawn cell, or no header edge lines up), so the pointer alone decides."""
    cells = {cell_key(reading.lines[i]) for i in members}
    if len(cells) != 1 or not all(_is_drawn_cell(reading.lines[i]) for i in members):
        return None, None
    own = cells.pop()
    region = reading.lines[members[0]].region
    lo, hi = _axis_extent(region, axis)
    across = "y" if axis == "x" else "x"
    band_lo, band_hi = _axis_extent(region, across)

    def beside(line: ReadLine) -> bool:
        """A header cell lies outside the event's day band."""
        c_lo, c_hi = _axis_extent(line.region, across)
        return min(c_hi, band_hi) - max(c_lo, band_lo) <= 0

    # A cell holding a named event is no header ("1." or "8:40" alone may be called events).
    event_cells = {cell_key(line) for line, r in zip(reading.lines, role, strict=False)
                   if r in (_EVENT, _NOTES) and any(c.isalpha() for c in strip_times(line.text))}
    by_cell: dict[tuple, list[int]] = {}
    for k, (i, _, _) in enumerate(atoms):
        line = reading.lines[i]
        header = cell_key(line) not in event_cells and beside(line)
        if _is_drawn_cell(line) and (header or cell_key(line) == own):
            by_cell.setdefault(cell_key(line), []).append(k)
    starts, ends = np.zeros(len(atoms), bool), np.zeros(len(atoms), bool)
    tolerance = max(5.0, EDGE_SHARE * (hi - lo))
    for key, ks in by_cell.items():
        if key == own:
            continue
        c_lo, c_hi = _axis_extent(reading.lines[atoms[ks[0]][0]].region, axis)
        tolerance_here = min(tolerance, max(5.0, EDGE_SHARE * (c_hi - c_lo)))
        if abs(c_lo - lo) <= tolerance_here:
            starts[ks[0]] = True
        if len(ks) > 1 and abs(c_hi - hi) <= tolerance_here:
            ends[ks[-1]] = True
        if len(ks) == 1 and abs(c_lo - hi) <= tolerance_here:
            ends[ks[0]] = True
    printed = np.zeros(len(atoms), bool)
    printed[by_cell.get(own, [])] = True
    if len({atoms[k][2] for k in by_cell.get(own, [])}) > 1:
        return printed, printed
    if printed.any():  # only a start is printed: the end is the header's, or not written
        return printed, ends
    return (starts if starts.any() else None), (ends if ends.any() else None)


def _restrict(p: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """The pointer's distribution over the allowed atoms (the last column, "no time written",
    keeps its own probability; the rest of the mass goes to the allowed atoms in proportion)."""
    if mask is None:
        return p
    allowed = np.append(mask, True)
    kept = np.where(allowed, p, 0.0)
    mass = kept[:-1].sum()
    if mass > 0:
        kept[:-1] *= (1.0 - p[-1]) / mass
    elif mask.any():  # the pointer gave the allowed atoms nothing: they share its time mass
        kept[:-1] = np.where(mask, (1.0 - p[-1]) / mask.sum(), 0.0)
    return kept


def decode_blocks(reading: PageReading, decisions: PageDecisions) -> list[TimeBlock]:
    n = len(decisions.roles)
    role = decisions.roles.argmax(1)
    event_lines = [i for i in range(n) if role[i] in (_EVENT, _NOTES)]
    atoms = time_atoms(reading.lines[:n])
    minutes = [m for _, _, m in atoms]
    day_names = line_days(reading.lines[:n])
    candidates = [j for j in range(n) if day_names[j]]
    blocks = []
    for members in event_groups(reading, event_lines, decisions.group):
        names, notes = name_and_notes(reading, members, role)
        name = _text(reading, names)
        # A name needs a letter: digits alone are a row number, punctuation is OCR debris.
        if not any(c.isalpha() for c in name) or not candidates:
            continue
        day_score = decisions.day[members][:, candidates].mean(0)
        if day_score.max() < MIN_DAY:
            continue  # no day header is this line's day: a title or a header cell's caption
        chosen = [candidates[k] for k in np.flatnonzero(day_score > 0.5)]
        if not chosen:
            chosen = [candidates[int(day_score.argmax())]]
        days = list(dict.fromkeys(d for j in chosen for d in day_names[j]))
        box = Box.enclosing([reading.lines[i].region for i in members])
        axis = _time_axis(box, reading.lines[chosen[0]].region)
        starts, ends = slot_candidates(reading, members, role, atoms, axis)
        start_p = _restrict(decisions.start[members].mean(0), starts)
        end_p = _restrict(decisions.end[members].mean(0), ends)
        start, end, time_p = time_pair(start_p, end_p, minutes)
        confidence = float(decisions.roles[members].max(1).mean() * day_score.max() * time_p)
        for day in days:
            blocks.append(TimeBlock(day=day, name=name,
                                    start_time=None if start is None else to_hhmm(start),
                                    end_time=None if end is None else to_hhmm(end),
                                    notes=_text(reading, notes) or None,
                                    confidence=round(confidence, 4), source_box=box))
    return blocks


def decode_heading(reading: PageReading, decisions: PageDecisions) -> Heading:
    """The heading parser reads the lines the model marks as heading fields, plus the
    free-standing lines it calls `other` (a school name, a title: the parser skips what is not
    a field, and a field line the model under-calls is still read), in reading order; a field
    the parser cannot read is the text after the label of the line most likely to hold it."""
    if not len(decisions.roles):
        return Heading()
    role = decisions.roles.argmax(1)
    field_roles = [ROLES.index(name) for name in _FIELDS]
    chosen = [reading.lines[i].ocr_line() for i in range(len(role))
              if role[i] in field_roles or (role[i] == _OTHER and reading.lines[i].table < 0)]
    heading = parse_heading("\n".join(line.text for line in reading_order(chosen)))
    for role_name, attribute in _FIELDS.items():
        scores = decisions.roles[:, ROLES.index(role_name)]
        if getattr(heading, attribute) is not None or scores.max() < 0.5 or attribute == "year":
            continue
        text = reading.lines[int(scores.argmax())].text
        setattr(heading, attribute, text.split(":", 1)[-1].strip() or None)
    return heading
